# SPDX-License-Identifier: GPL-2.0-only
"""The file SR on the build machine, driven through sr-tool: raw and qcow2
VDIs, snapshot and clone through qcow2 backing files, resize, destroy, scan
rebuilding the records from the SR alone, accounting against du and
qemu-img info, the XenAPI refusals, a 4 TiB qcow2 VDI, and recovery of
operations killed halfway (CAIRN_SR_FAULT makes sr-tool _exit at a step)."""
import json
import os
import subprocess

import pytest

from srtool import SR_TOOL, SrError, Tool

GiB = 1 << 30
MiB = 1 << 20
SLOTS = (0, 512 * MiB, GiB - 4 * MiB)  # where patterns are written


def qemu_io(fmt, path, cmd, ro=False):
    args = ["qemu-io", "-f", fmt] + (["-r"] if ro else []) + ["-c", cmd, path]
    r = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "failed" not in r.stdout.lower() and \
        "mismatch" not in r.stdout.lower(), f"{args}: {r.stdout}{r.stderr}"
    return r.stdout


def write_pattern(tool, sr, vdi, byte):
    a = tool("vdi-attach", "--sr", sr, "--vdi", vdi)
    for off in SLOTS:
        qemu_io(a["format"], a["path"], f"write -P {byte:#x} {off} 4M")
    tool("vdi-detach", "--sr", sr, "--vdi", vdi)


def reads_pattern(tool, sr, vdi, byte):
    a = tool("vdi-attach", "--sr", sr, "--vdi", vdi, "--ro")
    try:
        for off in SLOTS:
            r = subprocess.run(["qemu-io", "-r", "-f", a["format"], "-c",
                                f"read -P {byte:#x} {off} 4M", a["path"]],
                               capture_output=True, text=True, timeout=60)
            if r.returncode != 0 or "mismatch" in r.stdout.lower():
                return False
        return True
    finally:
        tool("vdi-detach", "--sr", sr, "--vdi", vdi)


def img_info(path):
    return json.loads(subprocess.run(["qemu-img", "info", "-U", "--output=json", path],
                                     capture_output=True, text=True, check=True).stdout)


@pytest.fixture
def tool(tmp_path):
    assert os.access(SR_TOOL, os.X_OK), f"{SR_TOOL} missing: make -C storage all"
    return Tool(tmp_path / "state")


@pytest.fixture
def sr(tool, tmp_path):
    rec = tool("sr-create", "--type", "file", "--name", "test sr",
               f"location={tmp_path / 'data'}")
    rec["dir"] = str(tmp_path / "data" / rec["uuid"])
    return rec


def names(tool, sr_uuid, cmd="vdi-list"):
    return {v["uuid"]: v for v in tool(cmd, "--sr", sr_uuid)}


def sr_files(sr):
    return sorted(f for f in os.listdir(sr["dir"]) if f != ".cairn-sr")


@pytest.mark.parametrize("fmt", ["raw", "qcow2"])
def test_file_sr_flow(tool, sr, fmt):
    s = sr["uuid"]
    v = tool("vdi-create", "--sr", s, "--name", "disk one", "--size", "1G", "--format", fmt)
    assert v["virtual_size"] == GiB and v["sm_config"]["format"] == fmt
    assert img_info(os.path.join(sr["dir"], v["location"]))["virtual-size"] == GiB
    write_pattern(tool, s, v["uuid"], 0xAA)

    snap = tool("vdi-snapshot", "--sr", s, "--vdi", v["uuid"])
    assert snap["is_a_snapshot"] and snap["snapshot_of"] == v["uuid"] and snap["read_only"]
    assert snap["virtual_size"] == GiB and snap["name_label"] == "disk one"
    write_pattern(tool, s, v["uuid"], 0xBB)
    assert reads_pattern(tool, s, snap["uuid"], 0xAA), "snapshot changed by writes to origin"
    assert reads_pattern(tool, s, v["uuid"], 0xBB)
    with pytest.raises(SrError) as e:
        tool("vdi-attach", "--sr", s, "--vdi", snap["uuid"])
    assert e.value.code == "VDI_READONLY"

    clone = tool("vdi-clone", "--sr", s, "--vdi", v["uuid"])
    assert not clone["is_a_snapshot"] and not clone["read_only"]
    assert reads_pattern(tool, s, clone["uuid"], 0xBB)
    write_pattern(tool, s, clone["uuid"], 0xCC)
    assert reads_pattern(tool, s, v["uuid"], 0xBB), "clone writes reached the original"
    assert reads_pattern(tool, s, snap["uuid"], 0xAA)
    clone2 = tool("vdi-clone", "--sr", s, "--vdi", snap["uuid"])  # clone of a snapshot
    assert reads_pattern(tool, s, clone2["uuid"], 0xAA)

    grown = tool("vdi-resize", "--sr", s, "--vdi", v["uuid"], "--size", "2G")
    assert grown["virtual_size"] == 2 * GiB
    assert img_info(os.path.join(sr["dir"], grown["location"]))["virtual-size"] == 2 * GiB
    assert reads_pattern(tool, s, v["uuid"], 0xBB)
    with pytest.raises(SrError) as e:
        tool("vdi-resize", "--sr", s, "--vdi", v["uuid"], "--size", "1G")
    assert e.value.code == "VDI_TOO_SMALL" and e.value.params == [v["uuid"], str(2 * GiB)]

    # accounting: per VDI st_blocks and qemu-img's virtual size; per SR du
    stat = tool("sr-stat", "--sr", s)
    scanned = names(tool, s, "sr-scan")
    assert set(scanned) == {v["uuid"], snap["uuid"], clone["uuid"], clone2["uuid"]}
    for rec in scanned.values():
        path = os.path.join(sr["dir"], rec["location"])
        assert rec["physical_utilisation"] == os.stat(path).st_blocks * 512
        assert rec["virtual_size"] == img_info(path)["virtual-size"]
    du = subprocess.run(["du", "-s", "-B1", sr["dir"]], capture_output=True, text=True,
                        check=True).stdout.split()[0]
    assert stat["physical_utilisation"] == int(du) - os.stat(sr["dir"]).st_blocks * 512
    assert stat["virtual_allocation"] == sum(r["virtual_size"] for r in scanned.values())
    assert stat["physical_size"] > 0

    # scan after wiping the records brings every VDI back from the SR alone
    before = names(tool, s)
    tool("wipe-records", "--sr", s)
    assert names(tool, s) == {}
    tool("sr-scan", "--sr", s)
    after = names(tool, s)
    assert after.keys() == before.keys()
    for u in before:
        for field in ("name_label", "is_a_snapshot", "snapshot_of", "read_only", "virtual_size"):
            assert after[u][field] == before[u][field], (u, field)

    # destroy: attached refused, then everything, then the SR
    tool("vdi-attach", "--sr", s, "--vdi", clone["uuid"])
    with pytest.raises(SrError) as e:
        tool("vdi-destroy", "--sr", s, "--vdi", clone["uuid"])
    assert e.value.code == "VDI_IN_USE" and e.value.params == [clone["uuid"], "destroy"]
    tool("vdi-detach", "--sr", s, "--vdi", clone["uuid"])
    tool("vdi-destroy", "--sr", s, "--vdi", snap["uuid"])  # a parent: hidden, data kept
    assert reads_pattern(tool, s, v["uuid"], 0xBB) and reads_pattern(tool, s, clone2["uuid"], 0xAA)
    with pytest.raises(SrError) as e:
        tool("sr-destroy", "--sr", s)
    assert e.value.code == "SR_NOT_EMPTY"
    for u in (clone2["uuid"], clone["uuid"], v["uuid"]):
        tool("vdi-destroy", "--sr", s, "--vdi", u)
    assert sr_files(sr) == [], "hidden bases left behind"
    tool("sr-destroy", "--sr", s)
    assert not os.path.exists(sr["dir"])


def test_refusals(tool, sr):
    s = sr["uuid"]
    missing = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(SrError) as e:
        tool("vdi-snapshot", "--sr", s, "--vdi", missing)
    assert e.value.code == "UUID_INVALID" and e.value.params == ["VDI", missing]
    with pytest.raises(SrError) as e:
        tool("vdi-snapshot", "--sr", s, "--vdi", "not-a-uuid")
    assert e.value.code == "UUID_INVALID"
    with pytest.raises(SrError) as e:
        tool("vdi-create", "--sr", s, "--name", "x", "--size", "1M", "--format", "vmdk")
    assert e.value.code == "INVALID_VALUE"
    v = tool("vdi-create", "--sr", s, "--name", "busy", "--size", "64M")
    tool("vdi-attach", "--sr", s, "--vdi", v["uuid"])
    for op in ("vdi-snapshot", "vdi-clone"):
        with pytest.raises(SrError) as e:
            tool(op, "--sr", s, "--vdi", v["uuid"])
        assert e.value.code == "VDI_IN_USE"
    with pytest.raises(SrError) as e:
        tool("vdi-create", "--sr", missing, "--name", "x", "--size", "1M")
    assert e.value.code == "UUID_INVALID"
    with pytest.raises(SrError) as e:
        tool("sr-create", "--type", "zfs", "--name", "x", "location=/tmp")
    assert e.value.code == "SR_UNKNOWN_DRIVER"
    assert sorted(sr_files(sr)) == sorted([v["uuid"] + ".meta", v["uuid"] + ".qcow2"])


def test_qcow2_beyond_2tib(tool, sr):
    s = sr["uuid"]
    v = tool("vdi-create", "--sr", s, "--name", "huge", "--size", "4T", "--format", "qcow2")
    assert v["virtual_size"] == 4 << 40
    path = os.path.join(sr["dir"], v["location"])
    assert img_info(path)["virtual-size"] == 4 << 40
    assert os.stat(path).st_blocks * 512 < 16 * MiB  # sparse
    end = (4 << 40) - 4 * MiB
    qemu_io("qcow2", path, f"write -P 0x5a {end} 4M")
    qemu_io("qcow2", path, f"read -P 0x5a {end} 4M", ro=True)
    snap = tool("vdi-snapshot", "--sr", s, "--vdi", v["uuid"])
    assert snap["virtual_size"] == 4 << 40
    grown = tool("vdi-resize", "--sr", s, "--vdi", v["uuid"], "--size", "5T")
    assert grown["virtual_size"] == 5 << 40


def test_copy_to_another_sr(tool, sr, tmp_path):
    s = sr["uuid"]
    other = tool("sr-create", "--type", "file", "--name", "other", f"location={tmp_path / 'o'}")
    v = tool("vdi-create", "--sr", s, "--name", "src", "--size", "1G", "--format", "raw")
    write_pattern(tool, s, v["uuid"], 0x3C)
    c = tool("vdi-copy", "--sr", s, "--vdi", v["uuid"], "--to", other["uuid"])
    assert c["virtual_size"] == GiB and c["name_label"] == "src"
    assert reads_pattern(tool, other["uuid"], c["uuid"], 0x3C)
    assert c["physical_utilisation"] < 64 * MiB, "copy wrote the zero blocks"


@pytest.mark.parametrize("op,step,survivors", [
    ("snapshot", 1, 1), ("snapshot", 2, 1), ("snapshot", 3, 2),
    ("clone", 1, 1), ("create", 1, 1), ("destroy", 1, 0),
])
def test_killed_halfway_recovers(tool, sr, op, step, survivors):
    """sr-tool _exits at step N of OP; the next command recovers: the VDI
    reads back unchanged and no file is left over."""
    s = sr["uuid"]
    v = tool("vdi-create", "--sr", s, "--name", "victim", "--size", "1G", "--format", "raw")
    write_pattern(tool, s, v["uuid"], 0x77)
    fault = {"CAIRN_SR_FAULT": f"{op}:{step}"}
    args = {"snapshot": ["vdi-snapshot", "--vdi", v["uuid"]],
            "clone": ["vdi-clone", "--vdi", v["uuid"]],
            "create": ["vdi-create", "--name", "new", "--size", "1G"],
            "destroy": ["vdi-destroy", "--vdi", v["uuid"]]}[op]
    r = tool.raw(*args, "--sr", s, env=fault)
    assert r.returncode == 99, r.stderr
    journal = os.path.join(tool.state, "sr", s, "journal")
    assert os.path.exists(journal), "no intent record left by the killed operation"
    after = names(tool, s, "sr-scan")  # opening the SR recovers
    assert not os.path.exists(journal)
    assert len(after) == survivors, after
    if survivors:
        assert reads_pattern(tool, s, v["uuid"], 0x77)
    expected = set()
    for u, rec in after.items():
        expected |= {u + ".meta", rec["location"]}
    for rec in after.values():  # hidden bases referenced by a parent chain
        p = rec["sm_config"].get("parent")
        if p and p not in after:
            expected |= {p + ".meta", p + ".raw"}
    assert set(sr_files(sr)) == expected
    # and the SR keeps working
    snap = tool("vdi-snapshot", "--sr", s, "--vdi", after and v["uuid"] or
                tool("vdi-create", "--sr", s, "--name", "n", "--size", "1M")["uuid"])
    assert snap["is_a_snapshot"]


def test_parallel_operations_are_serialized(tool, sr):
    """Eight sr-tool processes create and snapshot at once: the SR lock keeps
    the single-record journal and the records consistent."""
    s = sr["uuid"]
    base = tool("vdi-create", "--sr", s, "--name", "base", "--size", "64M")
    procs = [subprocess.Popen([tool.argv0, "--state", tool.state, "vdi-create", "--sr", s,
                               "--name", f"p{i}", "--size", "16M"], env=tool.env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for i in range(6)]
    procs += [subprocess.Popen([tool.argv0, "--state", tool.state, "vdi-snapshot", "--sr", s,
                                "--vdi", base["uuid"]], env=tool.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
              for _ in range(2)]
    made = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        made.append(json.loads(out)["uuid"])
    scanned = names(tool, s, "sr-scan")
    assert set(made) | {base["uuid"]} == set(scanned)
    snaps = [v for v in scanned.values() if v["is_a_snapshot"]]
    assert len(snaps) == 2 and all(v["snapshot_of"] == base["uuid"] for v in snaps)
    assert not os.path.exists(os.path.join(tool.state, "sr", s, "journal"))


def test_forget_then_introduce_and_probe(tool, sr, tmp_path):
    """SR.forget drops only the records and local state; probe finds the SR
    again, introduce + scan bring its VDIs back."""
    s = sr["uuid"]
    v = tool("vdi-create", "--sr", s, "--name", "kept", "--size", "8M")
    tool("sr-forget", "--sr", s)
    with pytest.raises(SrError) as e:
        tool("vdi-list", "--sr", s)
    assert e.value.code == "UUID_INVALID"
    loc = f"location={tmp_path / 'data'}"
    probe = tool("sr-probe", "--type", "file", loc)
    assert [(p["uuid"], p["name_label"]) for p in probe] == [(s, "test sr")]
    tool("sr-introduce", "--type", "file", "--uuid", s, loc)
    assert tool("vdi-list", "--sr", s) == []
    scanned = tool("sr-scan", "--sr", s)
    assert [(x["uuid"], x["name_label"]) for x in scanned] == [(v["uuid"], "kept")]
    with pytest.raises(SrError) as e:
        tool("sr-introduce", "--type", "file", "--uuid",
             "00000000-0000-4000-8000-00000000abcd", loc)
    assert e.value.code == "UUID_INVALID"
