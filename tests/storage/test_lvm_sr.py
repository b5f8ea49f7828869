# SPDX-License-Identifier: GPL-2.0-only
"""The LVM SR on real LVM thin pools inside a QEMU test machine (the build
machine's kernel has no device-mapper): SR create on a spare virtio disk, a
1 GiB VDI, snapshot/clone/resize/destroy with data checked, scan after the
records are wiped, usage figures against lvs, and the errors: missing device,
full pool (after the pool was first extended), VDI in use, an lvm command that
hangs, an SR.create killed halfway. One machine boots for the whole module."""
import os
import time

import pytest

from cairntest import BUILD, TOP, log_dir

from lvmguest import GuestError, LvmGuest
from srtool import SR_TOOL

GiB = 1 << 30
MiB = 1 << 20
FIXTURES = os.path.join(TOP, "storage", "tests", "fixtures")
LV_FIELDS = ("lv_name,vg_name,lv_size,data_percent,metadata_percent,lv_attr,origin,pool_lv,"
             "lv_tags")


@pytest.fixture(scope="module")
def guest(kernel):
    assert os.access(SR_TOOL, os.X_OK), f"{SR_TOOL} missing: make -C storage all"
    work = os.path.join(BUILD, "storage-test")
    g = LvmGuest(kernel, work, log_dir("storage_lvm"),
                 disks=[("sr-main", 4 * GiB), ("sr-small", 320 * MiB)])
    try:
        g.start()
        g.sh("head -c 4194304 /dev/urandom > /tmp/pa && head -c 4194304 /dev/urandom > /tmp/pb")
        yield g
    finally:
        g.stop()


def md5(g, path):
    return g.sh(f"md5sum {path}")[0].split()[0]


def write(g, dev, pattern, at_mib):
    g.sh(f"dd if=/tmp/{pattern} of={dev} bs=1M seek={at_mib} conv=fsync 2>/dev/null")


def reads(g, dev, pattern, at_mib):
    got = g.sh(f"dd if={dev} bs=1M skip={at_mib} count=4 2>/dev/null | md5sum")[0].split()[0]
    return got == md5(g, f"/tmp/{pattern}")


def attach(g, sr, vdi, ro=False):
    a = g.tool("vdi-attach", "--sr", sr, "--vdi", vdi, *(["--ro"] if ro else []))
    assert a["path"].startswith("/dev/cairn-sr-") and a["format"] == "raw"
    return a["path"]


def detach(g, sr, vdi):
    g.tool("vdi-detach", "--sr", sr, "--vdi", vdi)


def pvs_on(g, dev):
    rep = g.lvm_json("pvs", "-o", "pv_name,vg_name")
    return [p for p in rep["report"][0]["pv"] if p["pv_name"] == dev]


def clean(g, dev):
    """Removes whatever an earlier failed test left on DEV, so that one failure
    does not cascade into the tests after it."""
    for pv in pvs_on(g, dev):
        if pv["vg_name"]:
            g.sh(f"lvm vgchange -an {pv['vg_name']} >/dev/null 2>&1; "
                 f"lvm vgremove -ff -y {pv['vg_name']} >/dev/null 2>&1", check=False)
        g.sh(f"lvm pvremove -ff -y {dev} >/dev/null 2>&1", check=False)
    g.sh("rm -rf /run/sr", check=False)
    assert pvs_on(g, dev) == []


def lv_usage(lv):
    """physical_utilisation as the library computes it from an lvs row."""
    bp = round(float(lv["data_percent"] or 0) * 100)
    return int(lv["lv_size"]) // 10000 * bp


def test_lvm_sr_flow(guest):
    g = guest
    clean(g, "/dev/vda")
    sr = g.tool("sr-create", "--type", "lvm", "--name", "local thin", "device=/dev/vda")
    s, vg = sr["uuid"], "cairn-sr-" + sr["uuid"]
    assert sr["type"] == "lvm" and sr["physical_size"] > 3 * GiB
    probe = g.tool("sr-probe", "--type", "lvm", "device=/dev/vda")
    assert [p["uuid"] for p in probe] == [s] and probe[0]["name_label"] == "local thin"

    v = g.tool("vdi-create", "--sr", s, "--name", "disk one", "--size", "1G")
    assert v["virtual_size"] == GiB and v["location"] == v["uuid"]
    dev = attach(g, s, v["uuid"])
    assert g.sh(f"blockdev --getsize64 {dev}")[0].strip() == str(GiB)
    for at in (0, 512, 1020):
        write(g, dev, "pa", at)

    # a thin snapshot of the attached (live) VDI
    snap = g.tool("vdi-snapshot", "--sr", s, "--vdi", v["uuid"])
    assert snap["is_a_snapshot"] and snap["snapshot_of"] == v["uuid"] and snap["read_only"]
    assert snap["name_label"] == "disk one"
    for at in (0, 512):
        write(g, dev, "pb", at)
    sdev = attach(g, s, snap["uuid"], ro=True)
    assert all(reads(g, sdev, "pa", at) for at in (0, 512, 1020)), "snapshot changed"
    assert reads(g, dev, "pb", 0) and reads(g, dev, "pb", 512) and reads(g, dev, "pa", 1020)
    _, rc = g.sh(f"dd if=/tmp/pb of={sdev} bs=1M count=1 2>/dev/null", check=False)
    assert rc != 0, "a snapshot accepted a write"
    with pytest.raises(GuestError) as e:
        g.tool("vdi-attach", "--sr", s, "--vdi", snap["uuid"])
    assert e.value.code == "VDI_READONLY"

    clone = g.tool("vdi-clone", "--sr", s, "--vdi", v["uuid"])
    assert not clone["is_a_snapshot"] and not clone["read_only"]
    cdev = attach(g, s, clone["uuid"])
    assert reads(g, cdev, "pb", 0)
    write(g, cdev, "pa", 0)
    assert reads(g, dev, "pb", 0), "clone writes reached the original"

    grown = g.tool("vdi-resize", "--sr", s, "--vdi", v["uuid"], "--size", "2G")
    assert grown["virtual_size"] == 2 * GiB
    assert g.sh(f"blockdev --getsize64 {dev}")[0].strip() == str(2 * GiB)
    assert reads(g, dev, "pb", 512)
    with pytest.raises(GuestError) as e:
        g.tool("vdi-resize", "--sr", s, "--vdi", v["uuid"], "--size", "1G")
    assert e.value.code == "VDI_TOO_SMALL" and e.value.params == [v["uuid"], str(2 * GiB)]

    # usage figures against lvs (and a recorded report for the unit tests)
    stat = g.tool("sr-stat", "--sr", s)
    out, _ = g.sh(f"lvm lvs --reportformat json --units b --nosuffix -o {LV_FIELDS} {vg}")
    rows = {lv["lv_name"]: lv for lv in
            __import__("json").loads(out[out.index("{"):])["report"][0]["lv"]}
    with open(os.path.join(log_dir("storage_lvm"), "lvs-sr.json"), "w") as f:
        f.write(out[out.index("{") - 2:])
    pool = rows["thinpool"]
    assert stat["physical_size"] == int(pool["lv_size"])
    assert stat["physical_utilisation"] == lv_usage(pool) > 8 * MiB
    assert stat["sm_config"]["data_percent"] == pool["data_percent"]
    scanned = {r["uuid"]: r for r in g.tool("sr-scan", "--sr", s)}
    assert stat["virtual_allocation"] == sum(r["virtual_size"] for r in scanned.values())
    for u, r in scanned.items():
        assert r["physical_utilisation"] == lv_usage(rows[u])
        assert r["virtual_size"] == int(rows[u]["lv_size"])

    # scan after the records are wiped rebuilds them from the LVM tags alone
    before = {r["uuid"]: r for r in g.tool("vdi-list", "--sr", s)}
    assert set(before) == {v["uuid"], snap["uuid"], clone["uuid"]}
    g.tool("wipe-records", "--sr", s)
    assert g.tool("vdi-list", "--sr", s) == []
    g.tool("sr-scan", "--sr", s)
    after = {r["uuid"]: r for r in g.tool("vdi-list", "--sr", s)}
    assert after.keys() == before.keys()
    for u in before:
        for field in ("name_label", "is_a_snapshot", "snapshot_of", "read_only", "virtual_size"):
            assert after[u][field] == before[u][field], (u, field)

    # copy to a file SR on the guest's tmpfs: same data, zero blocks not written
    small = g.tool("vdi-create", "--sr", s, "--name", "to copy", "--size", "64M")
    sdev2 = attach(g, s, small["uuid"])
    write(g, sdev2, "pa", 0)
    write(g, sdev2, "pb", 40)
    fsr = g.tool("sr-create", "--type", "file", "--name", "tmp", "location=/tmp/fsr")
    c = g.tool("vdi-copy", "--sr", s, "--vdi", small["uuid"], "--to", fsr["uuid"])
    assert c["virtual_size"] == 64 * MiB and c["physical_utilisation"] < 16 * MiB
    assert c["name_label"] == "to copy" and c["sm_config"]["format"] == "qcow2"
    cpath = f"/tmp/fsr/{fsr['uuid']}/{c['location']}"
    g.sh(f"qemu-img convert -f qcow2 -O raw {cpath} /tmp/copy.raw")
    assert reads(g, "/tmp/copy.raw", "pa", 0) and reads(g, "/tmp/copy.raw", "pb", 40)
    g.sh("rm -f /tmp/copy.raw")
    detach(g, s, small["uuid"])
    g.tool("vdi-destroy", "--sr", s, "--vdi", small["uuid"])

    # destroy: attached VDIs are refused, nothing is removed
    with pytest.raises(GuestError) as e:
        g.tool("vdi-destroy", "--sr", s, "--vdi", v["uuid"])
    assert e.value.code == "VDI_IN_USE" and e.value.params == [v["uuid"], "destroy"]
    assert v["uuid"] in rows and reads(g, dev, "pb", 0)
    for u in (v["uuid"], snap["uuid"], clone["uuid"]):
        detach(g, s, u)
    with pytest.raises(GuestError) as e:
        g.tool("sr-destroy", "--sr", s)
    assert e.value.code == "SR_NOT_EMPTY"
    # an LV held open by a process, without an attach record, is in use too
    ddev = attach(g, s, clone["uuid"])
    g.sh(f"exec 7<{ddev}")
    g.sh(f"rm -f /run/sr/sr/{s}/attached/{clone['uuid']}")  # drop the attach record
    with pytest.raises(GuestError) as e:
        g.tool("vdi-destroy", "--sr", s, "--vdi", clone["uuid"])
    assert e.value.code == "VDI_IN_USE" and e.value.params == [clone["uuid"], "destroy"]
    g.sh("exec 7<&-")
    g.tool("vdi-destroy", "--sr", s, "--vdi", v["uuid"])
    assert reads(g, attach(g, s, snap["uuid"], ro=True), "pa", 0), "origin destroy hurt snapshot"
    detach(g, s, snap["uuid"])
    for u in (snap["uuid"], clone["uuid"]):
        g.tool("vdi-destroy", "--sr", s, "--vdi", u)
    assert g.tool("sr-scan", "--sr", s) == []
    g.tool("pbd-unplug", "--sr", s)
    attrs = {lv["lv_name"]: lv["lv_attr"] for lv in
             g.lvm_json("lvs", "-o", "lv_name,lv_attr", vg)["report"][0]["lv"]}
    assert attrs["thinpool"][4] != "a", "unplug left the pool active"
    g.tool("pbd-plug", "--sr", s)
    attrs = {lv["lv_name"]: lv["lv_attr"] for lv in
             g.lvm_json("lvs", "-o", "lv_name,lv_attr", vg)["report"][0]["lv"]}
    assert attrs["thinpool"][4] == "a", "plug did not activate the pool"
    g.tool("sr-destroy", "--sr", s)
    assert pvs_on(g, "/dev/vda") == []


def test_missing_device(guest):
    g = guest
    clean(g, "/dev/vda")
    with pytest.raises(GuestError) as e:
        g.tool("sr-create", "--type", "lvm", "--name", "x", "device=/dev/vdz")
    assert e.value.code == "SR_BACKEND_FAILURE" and e.value.params[0] == "ENODEV"
    assert "/dev/vdz" in e.value.params[2]
    assert g.lvm_json("vgs")["report"][0]["vg"] == []


def test_hanging_lvm_is_killed_at_the_timeout(guest):
    g = guest
    clean(g, "/dev/vda")
    t0 = time.monotonic()
    stdout, stderr, rc = g.tool_raw("--lvm", "/usr/bin/lvm-hang", "--timeout", "3000",
                                    "sr-create", "--type", "lvm", "--name", "hang",
                                    "device=/dev/vda")
    elapsed = time.monotonic() - t0
    assert rc == 1, stderr
    err = __import__("srtool").parse_error(stderr)
    assert err["error"] == "SR_BACKEND_FAILURE" and err["params"][0] == "TIMEOUT"
    assert "lvcreate" in err["params"][2] and "killed at the timeout" in err["params"][2]
    assert elapsed < 60
    # the pvcreate and vgcreate that had succeeded were rolled back
    assert g.lvm_json("vgs")["report"][0]["vg"] == []
    assert pvs_on(g, "/dev/vda") == []
    out, _ = g.sh("ps")
    assert "sleep 600" not in out, "the hanging lvm survived"


def test_create_killed_halfway_is_rolled_back(guest):
    g = guest
    clean(g, "/dev/vda")
    uuid = "5a5a5a5a-0000-4000-8000-000000000001"
    _, stderr, rc = g.tool_raw("sr-create", "--type", "lvm", "--name", "crash", "--uuid", uuid,
                               "device=/dev/vda", env={"CAIRN_SR_FAULT": "create:2"})
    assert rc == 99, stderr
    assert [v["vg_name"] for v in g.lvm_json("vgs")["report"][0]["vg"]] == ["cairn-sr-" + uuid]
    with pytest.raises(GuestError) as e:  # opening it recovers: rolled back, so no SR
        g.tool("sr-introduce", "--type", "lvm", "--uuid", uuid, "device=/dev/vda")
    assert e.value.code == "UUID_INVALID"
    assert g.lvm_json("vgs")["report"][0]["vg"] == []
    assert pvs_on(g, "/dev/vda") == []


def test_pool_extends_then_fills(guest):
    g = guest
    clean(g, "/dev/vdb")
    sr = g.tool("sr-create", "--type", "lvm", "--name", "small", "device=/dev/vdb",
                "pool_size=134217728")
    s = sr["uuid"]
    assert sr["physical_size"] == 128 * MiB
    v = g.tool("vdi-create", "--sr", s, "--name", "big", "--size", "1G")  # thin: overcommit
    dev = attach(g, s, v["uuid"])
    g.sh(f"dd if=/dev/zero of={dev} bs=1M count=124 oflag=direct 2>/dev/null")
    v2 = g.tool("vdi-create", "--sr", s, "--name", "after extend", "--size", "64M")
    stat = g.tool("sr-stat", "--sr", s)
    assert stat["physical_size"] > 200 * MiB, "the pool was not extended"
    assert stat["sm_config"]["full"] == "false"
    # now fill what is left: the VG has no free extents, the SR becomes full
    g.sh(f"dd if=/dev/zero of={dev} bs=1M seek=124 count=400 oflag=direct 2>/dev/null",
         check=False)
    stat = g.tool("sr-stat", "--sr", s)
    assert stat["sm_config"]["full"] == "true"
    lvs_before = len(g.lvm_json("lvs", "-a", "-o", "lv_name", "cairn-sr-" + s)
                     ["report"][0]["lv"])
    for op in (("vdi-create", "--name", "refused", "--size", "64M"),
               ("vdi-snapshot", "--vdi", v["uuid"]), ("vdi-clone", "--vdi", v2["uuid"])):
        with pytest.raises(GuestError) as e:
            g.tool(op[0], "--sr", s, *op[1:])
        assert e.value.code == "SR_FULL", op
    lvs_after = len(g.lvm_json("lvs", "-a", "-o", "lv_name", "cairn-sr-" + s)
                    ["report"][0]["lv"])
    assert lvs_after == lvs_before, "a refused operation left an LV behind"
    detach(g, s, v["uuid"])
    for u in (v["uuid"], v2["uuid"]):
        g.tool("vdi-destroy", "--sr", s, "--vdi", u)
    g.tool("sr-destroy", "--sr", s)
    assert pvs_on(g, "/dev/vdb") == []
