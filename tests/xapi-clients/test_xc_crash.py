# SPDX-License-Identifier: GPL-2.0-only
"""kill -9 of xapi-c during a stream of writes: every write the daemon
acknowledged is there after a restart, and the database is consistent."""
import os
import sqlite3
import threading
import time

from xc import Daemon, XapiError, XmlRpc, pam_user, vm_record  # noqa: F401


def writer(d, user, acked, stop, errors, tag):
    """Creates VMs and renames the first one as fast as it can; records what
    the daemon acknowledged. Stops at the first transport error (the kill)."""
    try:
        x = XmlRpc(d).login(*user)
        first = None
        i = 0
        while not stop.is_set():
            i += 1
            ref = x("VM.create", vm_record(f"crash-{tag}-{i}"))
            acked["vms"].append((ref, f"crash-{tag}-{i}"))
            first = first or ref
            x("VM.set_name_description", first, f"rev-{i}")
            acked["desc"] = f"rev-{i}"
    except XapiError as e:
        errors.append(e)
    except Exception:  # noqa: BLE001  (connection cut by the kill)
        pass


def test_kill9_loses_no_acknowledged_write(request, pam_user):
    from cairntest import log_dir
    d = Daemon(log_dir(request.node.nodeid))
    try:
        d.start()
        # two independent streams of writes
        acked, acked2 = {"vms": [], "desc": None}, {"vms": [], "desc": None}
        stop, errors = threading.Event(), []
        threads = [threading.Thread(target=writer, args=(d, pam_user, a, stop, errors, tag))
                   for a, tag in ((acked, "a"), (acked2, "b"))]
        for t in threads:
            t.start()
        time.sleep(2.5)
        d.kill9()                      # mid-stream: some calls are in flight
        stop.set()
        for t in threads:
            t.join(30)
        assert not errors, errors
        assert len(acked["vms"]) > 5 and len(acked2["vms"]) > 5, "too few writes to mean much"

        con = sqlite3.connect(d.db)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()

        d.start()
        x = XmlRpc(d).login(*pam_user)
        for stream in (acked, acked2):
            for ref, name in stream["vms"]:
                assert x("VM.get_name_label", ref) == name
            # the last acknowledged description, or the one in flight at the kill
            in_flight = f"rev-{len(stream['vms'])}"
            assert x("VM.get_name_description", stream["vms"][0][0]) in (stream["desc"], in_flight)
        names = [r["name_label"] for r in x("VM.get_all_records").values()]
        assert len(names) == len(set(names)), "a VM was duplicated by the restart"
        # and the restarted daemon still takes writes
        ref = x("VM.create", vm_record("after-crash"))
        assert x("VM.get_name_label", ref) == "after-crash"
        assert os.path.exists(d.db)
    finally:
        d.cleanup()
