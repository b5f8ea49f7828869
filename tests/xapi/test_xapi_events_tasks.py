# SPDX-License-Identifier: GPL-2.0-only
"""event.from / event.inject and Async tasks."""
import threading
import time

from xapid import Json, errcode, vm_record


def evfrom(c, classes, token, timeout=0.1):
    return c("event.from", classes, token, float(timeout))


def test_empty_token_returns_everything(x):
    refs = [x("VM.create", vm_record(f"ev-all-{i}")) for i in range(3)]
    r = evfrom(x, ["vm"], "")
    adds = {e["ref"] for e in r["events"] if e["operation"] == "add" and e["class"] == "vm"}
    assert set(refs) <= adds
    assert {e["class"] for e in r["events"]} == {"vm"}
    assert r["valid_ref_counts"]["vm"] == len(x("VM.get_all"))
    snap = next(e for e in r["events"] if e["ref"] == refs[0])["snapshot"]
    assert snap["name_label"] == "ev-all-0" and "power_state" in snap
    assert len(r["token"]) == 20 and r["token"].isdigit()
    for ref in refs:
        x("VM.destroy", ref)


def test_collapsed_add_mod_del_and_token_order(x):
    t0 = evfrom(x, ["VM"], "")["token"]
    a = x("VM.create", vm_record("ev-a"))
    b = x("VM.create", vm_record("ev-b"))
    r1 = evfrom(x, ["vm"], t0)
    ops = {e["ref"]: e["operation"] for e in r1["events"]}
    assert ops == {a: "add", b: "add"}
    t1 = r1["token"]
    assert t1 > t0                                # tokens compare as strings
    for i in range(3):
        x("VM.set_name_description", a, f"d{i}")
    x("VM.destroy", b)
    r2 = evfrom(x, ["vm"], t1)
    evs = [(e["ref"], e["operation"]) for e in r2["events"]]
    assert evs.count((a, "mod")) == 1             # three writes, one event
    assert (b, "del") in evs
    snap = next(e for e in r2["events"] if e["ref"] == a)["snapshot"]
    assert snap["name_description"] == "d2"
    assert r2["token"] > t1
    # classes filter: a VM write is not a host event
    r3 = evfrom(x, ["host"], r2["token"])
    assert r3["events"] == [] and r3["token"] >= r2["token"]
    x("VM.destroy", a)


def test_event_from_blocks_until_a_write(daemon, x, user):
    j = Json(daemon, 2).login(*user)
    tok = evfrom(x, ["vm"], "")["token"]
    ref = x("VM.create", vm_record("ev-block"))
    tok = evfrom(x, ["vm"], tok)["token"]
    t = threading.Timer(0.5, lambda: j("VM.set_name_label", ref, "woken"))
    start = time.monotonic()
    t.start()
    r = evfrom(x, ["vm"], tok, timeout=10)
    took = time.monotonic() - start
    t.join()
    assert 0.3 < took < 3, took
    assert [(e["ref"], e["operation"]) for e in r["events"]] == [(ref, "mod")]
    assert r["events"][0]["snapshot"]["name_label"] == "woken"
    # with nothing happening it waits for the timeout, then answers
    start = time.monotonic()
    r2 = evfrom(x, ["vm"], r["token"], timeout=0.6)
    assert 0.5 < time.monotonic() - start < 3
    assert r2["events"] == [] and r2["token"] == r["token"]
    x("VM.destroy", ref)


def test_blocked_event_from_does_not_stall_others(daemon, x, user):
    tok = evfrom(x, ["message"], "")["token"]
    waiters = [threading.Thread(target=lambda: evfrom(Json(daemon, 2).login(*user),
                                                      ["message"], tok, 1.5)) for _ in range(4)]
    for w in waiters:
        w.start()
    time.sleep(0.2)
    start = time.monotonic()
    for _ in range(20):
        x("VM.get_all")
    assert time.monotonic() - start < 2
    for w in waiters:
        w.join()


def test_event_inject(x):
    pool = x("pool.get_all")[0]
    tok = x("event.inject", "pool", pool)
    tok2 = x("event.inject", "pool", pool)
    assert tok2 > tok
    r = evfrom(x, ["pool"], tok)
    assert [(e["ref"], e["operation"]) for e in r["events"]] == [(pool, "mod")]
    assert errcode(x, "event.inject", "pool", "OpaqueRef:nope").code == "HANDLE_INVALID"
    assert errcode(x, "event.from", ["vm"], "garbage", 0.1).code == "EVENT_FROM_TOKEN_PARSE_FAILURE"
    assert errcode(x, "event.from", ["nosuch"], "", 0.1).code == "EVENT_SUBSCRIPTION_PARSE_FAILURE"


def wait_task(x, task, timeout=10):
    deadline = time.monotonic() + timeout
    while x("task.get_status", task) in ("pending", "cancelling"):
        assert time.monotonic() < deadline, "task did not finish"
        time.sleep(0.02)
    return x("task.get_record", task)


def test_async_success_and_failure(x):
    ref = x("VM.create", vm_record("async"))
    task = x("Async.VM.start", ref, False, False)
    assert task.startswith("OpaqueRef:")
    rec = wait_task(x, task)
    assert rec["status"] == "success" and rec["progress"] == 1.0
    assert rec["result"] == "<value></value>" and rec["error_info"] == []
    assert rec["name_label"] == "Async.VM.start"
    assert str(rec["finished"]) >= str(rec["created"])
    assert task in x("task.get_all_records")
    task2 = x("Async.VM.start", ref, False, False)
    rec2 = wait_task(x, task2)
    assert rec2["status"] == "failure"
    assert rec2["error_info"] == ["VM_BAD_POWER_STATE", ref, "halted", "running"]
    x("VM.hard_shutdown", ref)
    task3 = x("Async.VM.clone", ref, "async-clone")
    rec3 = wait_task(x, task3)
    assert rec3["status"] == "success"
    clone = rec3["result"][len("<value>"):-len("</value>")]
    assert x("VM.get_name_label", clone) == "async-clone"
    # argument errors are reported at once, not in a task
    assert errcode(x, "Async.VM.start", ref).code == "MESSAGE_PARAMETER_COUNT_MISMATCH"
    assert errcode(x, "Async.VM.get_record", ref).code == "MESSAGE_METHOD_UNKNOWN"
    for t in (task, task2, task3):
        x("task.destroy", t)
        assert errcode(x, "task.get_record", t).code == "HANDLE_INVALID"
    x("VM.destroy", clone)
    x("VM.destroy", ref)


def test_task_cancel(x):
    ref = x("VM.create", dict(vm_record("cancel-me"), other_config={"cairn-sim:delay_ms": "5000"}))
    task = x("Async.VM.start", ref, False, False)
    time.sleep(0.3)
    assert x("task.get_allowed_operations", task) == ["cancel"]
    start = time.monotonic()
    x("task.cancel", task)
    rec = wait_task(x, task)
    assert time.monotonic() - start < 2
    assert rec["status"] == "cancelled" and rec["error_info"] == ["TASK_CANCELLED", task]
    assert x("VM.get_power_state", ref) == "Halted"
    assert x("VM.get_current_operations", ref) == {}
    assert "start" in x("VM.get_allowed_operations", ref)
    assert errcode(x, "task.cancel", task).code == "OPERATION_NOT_ALLOWED"
    x("VM.destroy", ref)


def test_task_seen_through_events(x):
    tok = evfrom(x, ["task"], "")["token"]
    ref = x("VM.create", vm_record("task-ev"))
    task = x("Async.VM.start", ref, False, False)
    wait_task(x, task)
    r = evfrom(x, ["task"], tok)
    ev = [e for e in r["events"] if e["ref"] == task]
    assert ev and ev[-1]["operation"] == "add" and ev[-1]["snapshot"]["status"] == "success"
    assert r["valid_ref_counts"]["task"] == len(x("task.get_all"))
    x("VM.hard_shutdown", ref)
    x("VM.destroy", ref)
