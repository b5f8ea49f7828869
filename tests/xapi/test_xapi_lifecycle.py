# SPDX-License-Identifier: GPL-2.0-only
"""VM lifecycle on the simulator backend: power-state rules, operations,
clone/copy/snapshot, destroy."""
import time

from xapid import Json, errcode, vm_record


def state(x, ref):
    return x("VM.get_power_state", ref)


def test_start_shutdown_and_rules(x):
    ref = x("VM.create", vm_record("life", mem=2 << 30, vcpus=2))
    host = x("host.get_all")[0]
    x("VM.start", ref, False, False)
    rec = x("VM.get_record", ref)
    assert rec["power_state"] == "Running"
    assert int(rec["domid"]) > 0 and rec["resident_on"] == host
    assert ref in x("host.get_resident_VMs", host)
    m = x("VM_metrics.get_record", rec["metrics"])
    assert m["memory_actual"] == str(2 << 30) and m["VCPUs_number"] == "2"
    assert len(rec["consoles"]) == 1
    assert x("console.get_VM", rec["consoles"][0]) == ref
    assert "Welcome to life" in x("VM.get_console_output", ref)
    assert "start" not in rec["allowed_operations"] and "clean_shutdown" in rec["allowed_operations"]
    e = errcode(x, "VM.start", ref, False, False)
    assert e.desc == ["VM_BAD_POWER_STATE", ref, "halted", "running"]
    assert errcode(x, "VM.unpause", ref).desc == ["VM_BAD_POWER_STATE", ref, "paused", "running"]
    assert errcode(x, "VM.destroy", ref).code == "VM_BAD_POWER_STATE"
    assert errcode(x, "VM.clone", ref, "c").code == "VM_BAD_POWER_STATE"

    x("VM.pause", ref)
    assert state(x, ref) == "Paused"
    assert errcode(x, "VM.clean_shutdown", ref).desc == ["VM_BAD_POWER_STATE", ref, "running", "paused"]
    x("VM.unpause", ref)
    domid = x("VM.get_domid", ref)
    x("VM.clean_reboot", ref)
    assert state(x, ref) == "Running" and x("VM.get_domid", ref) != domid
    x("VM.suspend", ref)
    assert state(x, ref) == "Suspended" and x("VM.get_domid", ref) == "-1"
    x("VM.resume", ref, True, False)
    assert state(x, ref) == "Paused"
    x("VM.hard_shutdown", ref)
    rec = x("VM.get_record", ref)
    assert rec["power_state"] == "Halted" and rec["domid"] == "-1"
    assert rec["resident_on"] == "OpaqueRef:NULL" and rec["consoles"] == []
    assert ref not in x("host.get_resident_VMs", host)
    assert errcode(x, "VM.clean_shutdown", ref).desc == ["VM_BAD_POWER_STATE", ref, "running", "halted"]
    x("VM.start_on", ref, host, False, False)
    assert state(x, ref) == "Running"
    x("VM.clean_shutdown", ref)
    metrics = x("VM.get_metrics", ref)
    x("VM.destroy", ref)
    assert errcode(x, "VM.get_record", ref).code == "HANDLE_INVALID"
    assert errcode(x, "VM_metrics.get_record", metrics).code == "HANDLE_INVALID"


def test_template_cannot_start(x):
    ref = x("VM.create", dict(vm_record("tmpl"), is_a_template=True))
    assert errcode(x, "VM.start", ref, False, False).desc == ["VM_IS_TEMPLATE", ref, "start"]
    assert "start" not in x("VM.get_allowed_operations", ref)
    x("VM.set_is_a_template", ref, False)
    assert "start" in x("VM.get_allowed_operations", ref)
    x("VM.destroy", ref)


def with_disk_and_nic(x, name):
    ref = x("VM.create", vm_record(name))
    sr = x("pool.get_default_SR", x("pool.get_all")[0])
    net = x("network.get_all")[0]
    vdi = x("VDI.create", {"name_label": name + "-disk", "SR": sr, "virtual_size": str(8 << 30),
                           "type": "user", "sharable": False, "read_only": False,
                           "other_config": {}})
    vbd = x("VBD.create", {"VM": ref, "VDI": vdi, "userdevice": "0", "bootable": True,
                           "mode": "RW", "type": "Disk", "empty": False, "other_config": {}})
    vif = x("VIF.create", {"device": "0", "network": net, "VM": ref, "MAC": "02:11:22:33:44:55",
                           "MTU": "1500", "other_config": {}})
    return ref, sr, vdi, vbd, vif


def test_devices_and_inverse_sets(x):
    ref, sr, vdi, vbd, vif = with_disk_and_nic(x, "devs")
    assert x("VM.get_VBDs", ref) == [vbd] and x("VM.get_VIFs", ref) == [vif]
    assert vbd in x("VDI.get_VBDs", vdi) and vdi in x("SR.get_VDIs", sr)
    assert vif in x("network.get_VIFs", x("VIF.get_network", vif))
    assert errcode(x, "VBD.create", {"VM": "OpaqueRef:nope", "VDI": vdi}).code == "HANDLE_INVALID"
    x("VBD.destroy", vbd)
    assert x("VM.get_VBDs", ref) == [] and x("VDI.get_VBDs", vdi) == []
    x("VM.destroy", ref)
    assert errcode(x, "VIF.get_record", vif).code == "HANDLE_INVALID"
    assert x("VDI.get_name_label", vdi) == "devs-disk"      # disks outlive their VM


def test_clone_copy_snapshot(x):
    ref, sr, vdi, vbd, vif = with_disk_and_nic(x, "orig")
    c = x("VM.clone", ref, "the-clone")
    crec = x("VM.get_record", c)
    assert crec["name_label"] == "the-clone" and crec["uuid"] != x("VM.get_uuid", ref)
    assert crec["power_state"] == "Halted" and len(crec["VBDs"]) == 1 and len(crec["VIFs"]) == 1
    assert x("VBD.get_VDI", crec["VBDs"][0]) != vdi
    assert x("VIF.get_MAC", crec["VIFs"][0]) != "02:11:22:33:44:55"
    assert x("VM.get_memory_static_max", c) == str(1 << 30)
    cp = x("VM.copy", ref, "the-copy", sr)
    assert x("VDI.get_SR", x("VBD.get_VDI", x("VM.get_VBDs", cp)[0])) == sr
    x("VM.start", ref, False, False)
    s = x("VM.snapshot", ref, "the-snap")
    srec = x("VM.get_record", s)
    assert srec["is_a_snapshot"] and srec["is_a_template"] and srec["snapshot_of"] == ref
    assert s in x("VM.get_snapshots", ref)
    assert state(x, ref) == "Running"
    assert x("VDI.get_is_a_snapshot", x("VBD.get_VDI", srec["VBDs"][0]))
    x("VM.hard_shutdown", ref)
    for v in (s, cp, c, ref):
        x("VM.destroy", v)


def test_operation_in_progress_and_allowed_operations(x, daemon, user):
    ref = x("VM.create", dict(vm_record("slow"), other_config={"cairn-sim:delay_ms": "1500"}))
    task = x("Async.VM.start", ref, False, False)
    deadline = time.monotonic() + 5
    while not x("VM.get_current_operations", ref) and time.monotonic() < deadline:
        time.sleep(0.02)
    ops = x("VM.get_current_operations", ref)
    assert list(ops.values()) == ["start"] and list(ops) == [task]
    assert x("VM.get_allowed_operations", ref) == []
    other = Json(daemon, 2).login(*user)       # another client, another protocol
    e = errcode(other, "VM.clean_shutdown", ref)
    assert e.desc == ["OTHER_OPERATION_IN_PROGRESS", "VM", ref, "start"]
    assert errcode(x, "VM.destroy", ref).code == "OTHER_OPERATION_IN_PROGRESS"
    while x("task.get_status", task) == "pending" and time.monotonic() < deadline + 5:
        time.sleep(0.05)
    assert x("task.get_status", task) == "success"
    assert x("VM.get_current_operations", ref) == {}
    assert state(x, ref) == "Running"
    assert "clean_shutdown" in x("VM.get_allowed_operations", ref)
    x("VM.remove_from_other_config", ref, "cairn-sim:delay_ms")
    x("VM.hard_shutdown", ref)
    x("VM.destroy", ref)


def test_backend_failure_clears_operation(x):
    ref = x("VM.create", dict(vm_record("fails"), other_config={"cairn-sim:fail": "start"}))
    e = errcode(x, "VM.start", ref, False, False)
    assert e.code == "INTERNAL_ERROR"
    assert state(x, ref) == "Halted" and x("VM.get_current_operations", ref) == {}
    assert "start" in x("VM.get_allowed_operations", ref)
    x("VM.destroy", ref)
