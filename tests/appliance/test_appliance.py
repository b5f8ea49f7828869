# SPDX-License-Identifier: GPL-2.0-only
"""The appliance end to end: the ISO installs unattended onto a virtual disk
(SeaBIOS), the installed disk boots under SeaBIOS and then OVMF into dom0 —
through the Cairn hypervisor when the image has one and it boots — with the
answerfile's password, key-only SSH and only the expected ports open; a bad
answerfile stops before any disk is written (ISO under OVMF).

One install per run (module fixture); the installed disk is booted twice.
"""
import os
import re
import subprocess
import time

import pytest

from cairntest import BUILD, log_dir
from cairntest import appliance as ap

PASSWORD = "Cairn-test-pw-9"
pytestmark = pytest.mark.slow


def _need_iso():
    if not os.path.exists(ap.ISO):
        pytest.fail(f"{ap.ISO} is missing: run make -C iso all")


@pytest.fixture(scope="module")
def workdir():
    return log_dir("appliance")


@pytest.fixture(scope="module")
def sshkey(workdir):
    key = os.path.join(workdir, "id_ed25519")
    for p in (key, key + ".pub"):
        if os.path.exists(p):
            os.unlink(p)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
    return key


@pytest.fixture(scope="module")
def installed(workdir, sshkey):
    """One unattended install from the ISO under SeaBIOS onto a 16 GiB disk."""
    _need_iso()
    disk = ap.blank_disk(os.path.join(workdir, "disk.qcow2"))
    pub = open(sshkey + ".pub").read().strip()
    ans = ap.answer_disk(os.path.join(workdir, "answer.img"),
                         {"answerfile.xml": ap.answerfile(PASSWORD, ssh_key=pub)})
    m, secs = ap.install(disk, ans, "bios", workdir)
    print(f"install from ISO (SeaBIOS) took {secs:.0f}s")
    return {"disk": disk, "machine": m, "seconds": secs}


def test_iso_installs_unattended_under_seabios(installed):
    out = installed["machine"].output
    assert "SeaBIOS" in out or "Booting `Install (answerfile)'" in out
    assert "cairn-install: answerfile label:CAIRN-ANS/answerfile.xml" in out
    assert "cairn-install: partitioning /dev/vda" in out
    assert "Installing for i386-pc platform." in out
    assert "Installing for x86_64-efi platform." in out
    assert out.count("Installation finished. No error reported.") == 2
    assert "CAIRN-INSTALLER: complete" in out


def _boot(installed, sshkey, workdir, firmware):
    """Boots the installed disk, logs in, checks the host; returns (machine, mode, why)."""
    m, mode, why = ap.boot_to_login(installed["disk"], firmware, workdir, {22: 0, 443: 0},
                                    name=f"installed-{firmware}")
    try:
        if mode == "hypervisor":
            print(f"{firmware}: dom0 booted through the Cairn hypervisor")
        else:
            print(f"{firmware}: dom0 booted WITHOUT the hypervisor (GRUB debug entry): {why}")
        ap.login(m, PASSWORD)  # the answerfile's password works on the console
        state = ap.wait_system_up(m)
        print(f"{firmware}: systemd state {state}")
        return m, mode, why
    except Exception:
        m.stop()
        raise


def _check_hypervisor(mode, why):
    if not os.path.exists(ap.HYPERVISOR):
        pytest.skip("build/hypervisor/cairn.elf is not built: dom0 boots without it")
    if mode != "hypervisor":
        pytest.xfail(f"hypervisor entry: {why}; the host was tested on the debug entry")


def _check_host(m, mode, firmware):
    rc, out = ap.guest(m, "hostname; cat /etc/timezone; findmnt -no SOURCE,FSTYPE /var/log; "
                          "ls /dev/disk/by-partlabel | tr '\\n' ' '")
    assert rc == 0
    assert "cairn-test" in out and "Europe/Paris" in out
    assert "ext4" in out
    for label in ("bios-boot", "cairn-esp", "cairn-root", "cairn-backup", "cairn-logs", "cairn-sr"):
        assert label in out, out
    rc, out = ap.guest(m, "systemctl is-active nftables ssh openvswitch-switch systemd-networkd")
    assert out.split() == ["active"] * 4, out
    rc, out = ap.guest(m, "getent shadow root | cut -d: -f2 | cut -c1-3")
    assert out == "$6$"
    if mode == "hypervisor":
        # dom0 starts through the Linux boot protocol without EFI runtime services,
        # so the firmware shows in the hypervisor's banner rather than in dom0's sysfs.
        banner = re.search(r"Cairn hypervisor \S+ \(ABI \d+\), (\w+)", m.output)
        assert banner and (banner.group(1) == "UEFI") == (firmware == "uefi"), banner
    else:
        rc, _ = ap.guest(m, "test -d /sys/firmware/efi")
        assert (rc == 0) == (firmware == "uefi")
    if mode == "hypervisor":
        rc, out = ap.guest(m, "test -c /dev/cairn && lsmod | grep -c '^cairn '")
        assert rc == 0 and out == "1", "hypervisor booted but /dev/cairn is missing in dom0"


def _check_api(m):
    """The XenAPI with the answerfile's password, when the daemon is in the image."""
    rc, _ = ap.guest(m, "test -x /usr/sbin/xapi-c")
    if rc != 0:
        rc, out = ap.guest(m, "systemctl show -p ConditionResult -p ActiveState xapi-c")
        assert "ConditionResult=no" in out, out
        pytest.skip("xapi-c is not in the image (not built): the unit is present and "
                    "skipped by its condition; API, local SR and management network unchecked")
    rc, out = ap.guest(m, "for i in $(seq 1 60); do systemctl is-active -q xapi-c && "
                          "ss -Hltn 'sport = :443' | grep -q . && break; sleep 2; done; "
                          "systemctl is-active xapi-c", timeout=180)
    assert out.endswith("active"), ap.guest(m, "journalctl -b -u xapi-c --no-pager | tail -20")[1]
    ap.wait_api(m.port(443), 120)
    api = ap.xapi(m.port(443))
    bad = api.session.login_with_password("root", "wrong-password")
    assert bad.get("Status") == "Failure", bad
    session = ap.xapi_value(api.session.login_with_password("root", PASSWORD))
    hosts = ap.xapi_value(api.host.get_all_records(session))
    assert len(hosts) == 1
    assert any(h.get("hostname") == "cairn-test" or h.get("name_label") == "cairn-test"
               for h in hosts.values()), hosts
    srs = ap.xapi_value(api.SR.get_all_records(session))
    nets = api.network.get_all_records(session)
    net_ok = nets.get("Status") == "Success" and len(nets["Value"]) > 0
    # The installer's local SR is the LVM partition cairn-sr, made an SR at first boot.
    lvm = [s for s in srs.values() if s.get("type") == "lvm"]
    print(f"SRs: {[(s.get('name_label'), s.get('type')) for s in srs.values()]}; "
          f"networks: {len(nets.get('Value') or {})}")
    if not (lvm and net_ok):
        _, marker = ap.guest(m, "ls /var/lib/cairn/firstboot*; "
                                "journalctl -b -u cairn-firstboot --no-pager -o cat | tail -4")
        pytest.xfail(f"API login and host records work; LVM local SR on cairn-sr present: "
                     f"{bool(lvm)}, management network present: {net_ok}; first boot: {marker}")


@pytest.fixture(scope="module")
def bios_host(installed, sshkey, workdir):
    m, mode, why = _boot(installed, sshkey, workdir, "bios")
    yield m, mode, why
    m.stop()


def test_installed_disk_boots_under_seabios(bios_host):
    m, mode, _ = bios_host
    _check_host(m, mode, "bios")


def test_hypervisor_runs_dom0_under_seabios(bios_host):
    _check_hypervisor(bios_host[1], bios_host[2])


def test_api_answers_under_seabios(bios_host):
    _check_api(bios_host[0])


def test_only_expected_ports_answer(bios_host):
    """Everything listening in dom0 and a sample of well-known ports, scanned
    from the host through QEMU's network; a listener on 8080 started in the
    guest proves the firewall (not just an absent service) keeps it out."""
    m = bios_host[0]
    rc, _ = ap.guest(m, "systemd-run -q --unit=cairn-scan-probe systemd-socket-activate -l 8080 sleep 600")
    assert rc == 0
    rc, out = ap.guest(m, "sleep 1; ss -Hltn | awk '{print $4}' | sed 's/.*://' | sort -un | tr '\\n' ' '")
    listening = {int(p) for p in out.split() if p.isdigit()}
    assert 8080 in listening and 22 in listening, out
    sample = {21, 23, 25, 53, 80, 111, 135, 139, 445, 2049, 3260, 5900, 6640, 6653, 7440,
              8000, 8080, 8443, 9090, 16509}
    result = ap.scan(m, sorted(listening | sample | {22, 443}))
    open_ports = {p for p, ok in result.items() if ok}
    print(f"listening in dom0: {sorted(listening)}; answering from outside: {sorted(open_ports)}")
    assert 22 in open_ports
    assert 8080 not in open_ports
    assert open_ports <= {22, 443, 7440}, open_ports


def test_ssh_refuses_passwords_and_takes_keys(bios_host, sshkey):
    m = bios_host[0]
    port = m.port(22)
    common = ["ssh", "-p", str(port), "-o", "StrictHostKeyChecking=no",
              "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=30", "-o", "BatchMode=yes"]
    r = subprocess.run(common + ["-o", "PreferredAuthentications=password,keyboard-interactive",
                                 "-o", "PubkeyAuthentication=no", "root@127.0.0.1", "true"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 255
    assert "Permission denied (publickey)." in r.stderr, r.stderr
    r = subprocess.run(common + ["-i", sshkey, "-o", "IdentitiesOnly=yes", "root@127.0.0.1",
                                 "hostname"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "cairn-test", r.stderr


@pytest.fixture(scope="module")
def uefi_host(installed, sshkey, workdir, bios_host):
    bios_host[0].stop()  # the BIOS boot is done with the disk
    m, mode, why = _boot(installed, sshkey, workdir, "uefi")
    yield m, mode, why
    m.stop()


def test_installed_disk_boots_under_ovmf(uefi_host):
    m, mode, _ = uefi_host
    _check_host(m, mode, "uefi")


def test_hypervisor_runs_dom0_under_ovmf(uefi_host):
    _check_hypervisor(uefi_host[1], uefi_host[2])


def test_api_answers_under_ovmf(uefi_host):
    _check_api(uefi_host[0])


BAD = {
    "answerfile.xml": ap.answerfile(PASSWORD, extra="  <favourite-colour>blue</favourite-colour>\n"),
    "nodisk.xml": ap.answerfile(PASSWORD).replace(
        '  <primary-disk guest-storage="yes">vda</primary-disk>\n', ""),
    "absent.xml": ap.answerfile(PASSWORD, disk="vdx"),
    "small.xml": ap.answerfile(PASSWORD, disk="vdb"),
}


def test_bad_answerfiles_stop_before_any_disk_is_touched(workdir):
    """The ISO under OVMF with a bad answerfile: a clear message, a rescue shell,
    and the disks byte-for-byte unchanged; the other bad answerfiles are run
    from that shell with the same installer."""
    _need_iso()
    big = ap.blank_disk(os.path.join(workdir, "bad-big.qcow2"), "16G")
    small = ap.blank_disk(os.path.join(workdir, "bad-small.qcow2"), "4G")
    before = {p: ap.disk_hash(p) for p in (big, small)}
    ans = ap.answer_disk(os.path.join(workdir, "bad-answer.img"), BAD)
    m = ap.iso_machine("bad-answerfile-uefi", [big, small], ans, "uefi", workdir, timeout=600)
    try:
        m.wait_for(r"Booting `Install \(answerfile\)'", 300)
        m.wait_for(r"CAIRN-INSTALLER: rescue shell", 300)
        out = m.output
        assert "cairn-install: ERROR: answerfile line 8: unknown element <favourite-colour>" in out
        assert "cairn-install: nothing was written to any disk" in out
        time.sleep(2)
        m.send("\n")
        efi, rc = m.run("test -d /sys/firmware/efi && echo uefi-booted", 60)
        assert "uefi-booted" in efi
        cases = {
            "nodisk.xml": "no <primary-disk>",
            "absent.xml": 'there is no disk "vdx" on this machine',
            "small.xml": "vdb is too small: 4096 MiB, Cairn needs at least 10240 MiB",
        }
        for name, msg in cases.items():
            out, rc = m.run(f"cairn-install --answerfile label:CAIRN-ANS/{name}", 120)
            assert rc == 2, (name, out)
            assert msg in out, (name, out)
            assert "nothing was written to any disk" in out, (name, out)
        m.send("sync; poweroff -f\n")
        m.wait_exit(60)
    finally:
        m.stop()
    assert {p: ap.disk_hash(p) for p in (big, small)} == before


@pytest.mark.skipif(not os.environ.get("CAIRN_TEST_UPGRADE"),
                    reason="a second install and boot (~5 min under TCG) does not fit the "
                           "appliance's make-test budget; run with CAIRN_TEST_UPGRADE=1")
def test_upgrade_keeps_state_and_keeps_the_old_root(installed, uefi_host, workdir):
    """Upgrade from the ISO (OVMF) over the installed disk: the database
    directory, SSH host keys and root's password survive, the old root is on the
    backup partition, and GRUB offers it."""
    m = uefi_host[0]
    rc, _ = ap.guest(m, "echo keep-me > /var/lib/cairn/upgrade-marker && "
                        "echo old-root > /etc/cairn/old-root-marker && sync")
    assert rc == 0
    _, fp = ap.guest(m, "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub | cut -d' ' -f2")
    m.send("poweroff\n")
    m.wait_exit(300)
    ans = ap.answer_disk(os.path.join(workdir, "upgrade-answer.img"), {"answerfile.xml": (
        '<installation mode="upgrade"><existing-installation>vda</existing-installation>'
        '<hostname>cairn-test</hostname><timezone>Europe/Paris</timezone></installation>\n')})
    u = ap.iso_machine("upgrade-uefi", [installed["disk"]], ans, "uefi", workdir)
    try:
        u.wait_for(r"CAIRN-INSTALLER: (complete|failed)", 1200)
        assert "CAIRN-INSTALLER: complete" in u.output, u.tail()
        assert "upgrade: moving the old root" in u.output
        u.wait_exit(120)
    finally:
        u.stop()
    b, mode, why = ap.boot_to_login(installed["disk"], "bios", workdir, {22: 0},
                                   name="upgraded-bios")
    try:
        ap.login(b, PASSWORD)  # the old password was kept
        rc, out = ap.guest(b, "cat /var/lib/cairn/upgrade-marker; "
                              "test -e /etc/cairn/old-root-marker && echo stale-root; "
                              "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub | cut -d' ' -f2; "
                              "mount -o ro LABEL=cairn-backup /mnt && cat /mnt/etc/cairn/old-root-marker; "
                              "umount /mnt; grep -c 'previous installation' /boot/efi/grub/grub.cfg")
        lines = out.splitlines()
        assert lines[0] == "keep-me", out
        assert "stale-root" not in out
        assert fp in lines, out
        assert "old-root" in lines and lines[-1] == "1", out
    finally:
        b.stop()
