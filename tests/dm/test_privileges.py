# SPDX-License-Identifier: GPL-2.0-only
"""cairn-dm drops to its own user with no new privileges and only the file
descriptors it needs, and still serves its disk afterwards."""
import os
import subprocess

from dmproto import DM, Guest, device_model, dm_log
from test_blk import S_OK, T_IN, T_OUT, Blk


def status(pid):
    out = {}
    for line in open(f"/proc/{pid}/status"):
        k, _, v = line.partition(":")
        out[k] = v.split()
    return out


def test_drops_user_and_fds(tmp_path):
    disk = tmp_path / "d.img"
    disk.write_bytes(os.urandom(1 << 20))
    secret_r, secret_w = os.pipe()           # an inherited descriptor it must close
    try:
        with device_model(tmp_path, "--disk", str(disk), user="nobody", console=True,
                          pass_fds=(secret_r,)) as (p, sock):
            g = Guest(sock)
            st = status(p.pid)
            assert st["Uid"] == ["65534"] * 4
            assert st["Gid"] == ["65534"] * 4
            assert st["Groups"] == []
            assert st["NoNewPrivs"] == ["1"]
            assert st["Seccomp"] == ["2"]              # filter mode (seccomp.c)
            assert st["CapEff"] == ["0000000000000000"]
            fds = {int(f): os.readlink(f"/proc/{p.pid}/fd/{f}")
                   for f in os.listdir(f"/proc/{p.pid}/fd")}
            targets = sorted(fds.values())
            assert not any(f"pipe:[{os.fstat(secret_r).st_ino}]" == t for t in targets)
            # stdin, stdout, stderr (log), epoll, disk x2 (buffered + O_DIRECT),
            # the disk's io_uring and its eventfd, the driver's socket
            assert sum(t == str(disk) for t in targets) == 2
            assert sum(t == "anon_inode:[eventpoll]" for t in targets) == 1
            assert sum(t == "anon_inode:[io_uring]" for t in targets) == 1
            assert sum(t == "anon_inode:[eventfd]" for t in targets) == 1
            assert sum(t.startswith("socket:") for t in targets) == 1
            assert len(fds) == 9, sorted(fds.items())
            # it still serves the disk it opened as root
            b = Blk(g, 1)
            buf = g.alloc(4096, 4096)
            assert b.run(T_IN, 0, buf, 4096)[0] == S_OK
            assert g.read(buf, 4096) == disk.read_bytes()[:4096]
            g.write(buf, b"\x5A" * 4096)
            assert b.run(T_OUT, 8, buf, 4096, write=True)[0] == S_OK
            g.close()
        assert disk.read_bytes()[4096:8192] == b"\x5A" * 4096
        assert "serving" in dm_log(tmp_path)
        assert "forbidden system call" not in dm_log(tmp_path)
    finally:
        os.close(secret_r)
        os.close(secret_w)


def test_refuses_root_user(tmp_path):
    r = subprocess.run([DM, "--domid", "1", "--user", "root", "--transport",
                        "test:" + str(tmp_path / "s")], capture_output=True, text=True, timeout=10)
    assert r.returncode != 0
    assert "refusing to run the device model as root" in r.stderr


def test_unknown_transport_is_loud(tmp_path):
    r = subprocess.run([DM, "--domid", "1", "--transport", "ioreq"], capture_output=True,
                       text=True, timeout=10)
    assert r.returncode != 0 and "only test:SOCKET exists" in r.stderr
