"""Helpers for the appliance tests and benchmarks: answerfile disks, unattended
installs from the ISO, booting an installed disk, console login, the XenAPI
over the forwarded port, and a TCP scan through QEMU's user network.

    disk = answer_disk(path, {"answerfile.xml": xml})
    m = install(iso, target, disk, firmware="bios", log_dir=...)   # returns after power-off
    m, how = boot_installed(target, firmware="uefi", log_dir=..., forwards={22: 0, 443: 0})
    login(m, password)
"""
import os
import re
import socket
import ssl
import subprocess
import time
import xmlrpc.client

from .machine import Machine, MachineError, free_port
from .paths import BUILD

ISO = os.path.join(BUILD, "iso", "cairn.iso")
HYPERVISOR = os.path.join(BUILD, "hypervisor", "cairn.elf")
HV_SIGNATURE = "CAIRN-HV-SIGNATURE"
ANSWER_LABEL = "CAIRN-ANS"


def answerfile(password, disk="vda", extra="", ssh_key=None):
    key = f"  <ssh-key>{ssh_key}</ssh-key>\n" if ssh_key else ""
    return ('<?xml version="1.0"?>\n<installation mode="fresh">\n'
            f'  <primary-disk guest-storage="yes">{disk}</primary-disk>\n'
            f'  <root-password type="plaintext">{password}</root-password>\n'
            '  <admin-interface name="eth0" proto="dhcp"/>\n'
            '  <hostname>cairn-test</hostname>\n  <timezone>Europe/Paris</timezone>\n'
            f'{key}{extra}</installation>\n')


def answer_disk(path, files):
    """A small FAT image labelled CAIRN-ANS holding FILES {name: text}."""
    if os.path.exists(path):
        os.unlink(path)
    subprocess.run(["mkfs.vfat", "-C", path, "2048", "-n", ANSWER_LABEL], check=True,
                   stdout=subprocess.DEVNULL)
    for name, text in files.items():
        src = path + "." + name
        with open(src, "w") as f:
            f.write(text)
        subprocess.run(["mcopy", "-i", path, src, "::" + name], check=True)
        os.unlink(src)
    return path


def blank_disk(path, size="16G"):
    if os.path.exists(path):
        os.unlink(path)
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", path, size], check=True)
    return path


def qcow2(path, iface="virtio"):
    return f"file={path},format=qcow2,if={iface}"


def iso_machine(name, disks, answer, firmware, log_dir, timeout=1200, iso=ISO):
    """A started machine booting the ISO (CD first), with DISKS then the answer disk."""
    drives = [qcow2(d) for d in disks] + [f"file={answer},format=raw,if=virtio"]
    m = Machine(name, cdrom=iso, drives=drives, mem="2G", smp=2, forwards={},
                extra=["-boot", "d"], firmware=firmware, log_dir=log_dir, timeout=timeout)
    return m.start()


def install(target, answer, firmware="bios", log_dir=None, timeout=1200):
    """Installs unattended from the ISO onto TARGET; returns (machine, seconds)."""
    t0 = time.monotonic()
    m = iso_machine("install-" + firmware, [target], answer, firmware, log_dir, timeout)
    try:
        m.wait_for(r"Booting `Install \(answerfile\)'", 300)
        m.wait_for(r"CAIRN-INSTALLER: (complete|failed)", timeout - 60)
        rc = m.wait_exit(120)
    finally:
        m.stop()
    if "CAIRN-INSTALLER: complete" not in m.output or rc != 0:
        raise MachineError(f"install failed (rc {rc}); log {m.log_path}\n{m.tail()}")
    return m, time.monotonic() - t0


def boot_installed(disk, firmware, log_dir, forwards, name=None, timeout=1200, smp=2,
                   mem="4G", direct=False):
    """Boots the installed DISK. GRUB's default is the hypervisor entry when the
    image has /boot/cairn.elf; DIRECT picks the debug entry (dom0's kernel
    alone) with its hotkey. Returns the started machine."""
    m = Machine(name or f"boot-{firmware}", drives=[qcow2(disk)], mem=mem, smp=smp,
                forwards=forwards, firmware=firmware, log_dir=log_dir, timeout=timeout)
    m.start()
    if direct:
        m.wait_for(r"Cairn debug: dom0 kernel without the hypervisor", 240)
        m.send("d")
    return m


DOM0_FAILED = (r"login: |Dropping to a shell|Kernel panic|\(HV\)[^\n]*(PANIC|FATAL|panic)")


def boot_to_login(disk, firmware, log_dir, forwards, name, timeout=900):
    """Boots DISK with GRUB's default entry and waits for dom0's login prompt.
    When the default is the hypervisor entry and dom0 does not come up (initramfs
    shell, panic, hypervisor panic, or no login prompt in time), the machine is
    stopped and the disk booted again with the debug entry (dom0's kernel
    without the hypervisor). Returns (machine, mode, why): mode is "hypervisor"
    or "direct"; WHY says why the hypervisor entry was not used, or is None."""
    m = boot_installed(disk, firmware, log_dir, forwards, name=name)
    try:
        hit = m.wait_for(DOM0_FAILED, timeout)
        if hit.group(0) == b"login: ":
            mode = boot_mode(m)
            why = None if mode == "hypervisor" else "the image has no hypervisor (no /boot/cairn.elf)"
            return m, mode, why
        why = f"dom0 under the hypervisor failed: {hit.group(0).decode(errors='replace')!r}"
    except MachineError as e:
        why = f"dom0 under the hypervisor gave no login prompt: {str(e).splitlines()[0]}"
    m.stop()
    m = boot_installed(disk, firmware, log_dir, forwards, name=name + "-debug-entry", direct=True)
    m.wait_for(r"login: ", timeout)
    return m, "direct", why


def boot_mode(m):
    """'hypervisor' when the Cairn hypervisor printed its signature before dom0's
    kernel started, else 'direct'."""
    out = m.output
    hv = out.find(HV_SIGNATURE)
    linux = out.find("Linux version")
    return "hypervisor" if hv >= 0 and (linux < 0 or hv < linux) else "direct"


def login(m, password, timeout=600):
    """Logs in as root on the serial console and makes the shell quiet."""
    m.wait_for(r"login: ", timeout)
    time.sleep(1)
    m.send("root\n")
    m.wait_for(r"Password: ", 60)
    m.send(password + "\n")
    m.wait_for(r"root@[^:]+:~# ", 120)
    m.send("bind 'set enable-bracketed-paste off'; export TERM=dumb PAGER=cat SYSTEMD_PAGER=cat "
           "SYSTEMD_COLORS=0; stty cols 250\n")
    time.sleep(2)
    out, rc = m.run("echo ready", 60)
    assert rc == 0 and "ready" in out


def guest(m, cmd, timeout=120):
    """(exit code, output) of CMD in the logged-in console shell. The output is
    taken after a start marker, so late prompts and echoed input never leak in."""
    tag = f"__OUT_{time.monotonic_ns()}__"
    out, rc = m.run(f"echo {tag[:6]}''{tag[6:]}; {cmd}", timeout)
    i = out.rfind(tag)
    if i >= 0:
        out = out[i + len(tag):]
    return rc, out.replace("\r", "").strip()


def wait_system_up(m, timeout=600):
    """Waits until systemd finished booting (running or degraded); returns the state."""
    end = time.monotonic() + timeout
    state = ""
    while time.monotonic() < end:
        _, state = guest(m, "systemctl is-system-running")
        state = state.splitlines()[-1] if state else ""
        if state in ("running", "degraded"):
            return state
        time.sleep(5)
    raise MachineError(f"system not up after {timeout}s: {state}")


def xapi(port, timeout=30):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return xmlrpc.client.ServerProxy(f"https://127.0.0.1:{port}/", context=ctx,
                                     allow_none=True)


def xapi_value(result):
    assert result.get("Status") == "Success", result
    return result["Value"]


def wait_api(port, timeout=300):
    """Waits until the XenAPI answers on PORT (TLS handshake and a reply)."""
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            xapi(port).session.login_with_password("", "")
            return True
        except xmlrpc.client.Fault:
            return True
        except (OSError, xmlrpc.client.ProtocolError, ssl.SSLError) as e:
            last = e
            time.sleep(3)
    raise MachineError(f"XenAPI not answering on {port} after {timeout}s: {last}")


def add_forward(m, guest_port):
    """Forwards GUEST_PORT to a new 127.0.0.1 port through the QEMU monitor."""
    host = free_port()
    reply = m.monitor(f"hostfwd_add tcp:127.0.0.1:{host}-:{guest_port}")
    if "error" in reply.lower() or "could not" in reply.lower():
        raise MachineError(f"hostfwd_add {guest_port}: {reply}")
    m.ports[guest_port] = host
    return host


def answers(host_port, wait=6.0):
    """True when the guest port behind a slirp forward accepted the connection.
    slirp accepts on the host at once and closes as soon as the guest resets the
    connection; a port that is open in the guest keeps it open (or sends a
    banner). A firewall that silently dropped would also look open, so the
    guest's firewall must reset, which Cairn's does."""
    s = socket.create_connection(("127.0.0.1", host_port), timeout=5)
    s.settimeout(wait)
    try:
        data = s.recv(64)
        return bool(data)
    except socket.timeout:
        return True
    except ConnectionResetError:
        return False
    finally:
        s.close()


def scan(m, guest_ports, wait=6.0):
    """{guest port: answered?} for every port in GUEST_PORTS, in parallel."""
    import concurrent.futures as cf
    hosts = {p: (m.ports.get(p) or add_forward(m, p)) for p in guest_ports}
    with cf.ThreadPoolExecutor(32) as ex:
        futs = {p: ex.submit(answers, hp, wait) for p, hp in hosts.items()}
        return {p: f.result() for p, f in futs.items()}


def disk_hash(path):
    import hashlib
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
