# SPDX-License-Identifier: GPL-2.0-only
"""virtio-net on a tap: the Python guest exchanges ARP and ICMP echo frames
with a network namespace at the far end of the tap, and the offloads the guest
acks reach the tap (TUNSETOFFLOAD, seen with ethtool)."""
import os
import struct
import subprocess
import time

import pytest

from dmproto import F_VERSION_1, Guest, VirtioPci, device_model, dm_log

NET_F_CSUM, NET_F_GUEST_CSUM, NET_F_MAC = 0, 1, 5
NET_F_GUEST_TSO4, NET_F_GUEST_TSO6, NET_F_STATUS = 7, 8, 16
MAC = bytes.fromhex("52540012a001")
GUEST_IP, NS_IP = bytes([10, 77, 0, 2]), bytes([10, 77, 0, 1])
HDR = 12


def sh(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def netns():
    name = f"cairn-dm-{os.getpid()}"
    sh("ip", "netns", "add", name)
    try:
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


def tap_into(ns, tap):
    """Moves the tap the device model created into ns and gives it NS_IP."""
    deadline = time.time() + 5
    while subprocess.run(["ip", "link", "show", tap], capture_output=True).returncode:
        assert time.time() < deadline, "tap never appeared"
        time.sleep(0.05)
    sh("ip", "link", "set", tap, "netns", ns)
    sh("ip", "-n", ns, "addr", "add", "10.77.0.1/24", "dev", tap)
    sh("ip", "-n", ns, "link", "set", tap, "up")
    return bytes.fromhex(sh("ip", "-n", ns, "-br", "link", "show", tap).split()[2].replace(":", ""))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def arp_request():
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, MAC, GUEST_IP, bytes(6), NS_IP)
    return b"\xff" * 6 + MAC + b"\x08\x06" + arp


def icmp_echo(dst_mac, ident, payload):
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, 1) + payload
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), ident, 0, 64, 1, 0,
                     GUEST_IP, NS_IP)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dst_mac + MAC + b"\x08\x00" + ip + icmp


class Nic:
    def __init__(self, g, features):
        self.g = g
        self.dev = VirtioPci(g, 1)
        self.features = self.dev.init(features, 2)
        assert self.features is not None
        self.rx, self.tx = self.dev.queues[0], self.dev.queues[1]
        self.big = self.features & (1 << NET_F_GUEST_TSO4)
        self.bufsize = 65562 if self.big else 2048
        self.bufs = {}
        for _ in range(16):
            self.post_rx()
        self.dev.kick(0)
        self.g.sync()

    def post_rx(self):
        b = self.g.alloc(self.bufsize, 4096)
        self.bufs[self.rx.add([(b, self.bufsize, True)])] = b

    def send(self, frame, hdr=bytes(HDR)):
        b = self.g.alloc(HDR + len(frame), 16)
        self.g.write(b, hdr + frame)
        self.tx.add([(b, HDR + len(frame), False)])
        self.dev.kick(1)
        self.g.sync()
        self.tx.get_used()

    def recv(self, want, timeout=5):
        """Returns the first received frame for which want(frame) is true."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.g.poll_msis(0.05)
            for head, ln in self.rx.get_used():
                frame = self.g.read(self.bufs[head] + HDR, ln - HDR)
                assert self.g.r("H", self.bufs[head] + 10) == 1   # num_buffers
                self.post_rx()
                self.dev.kick(0)
                if want(frame):
                    return frame
        raise AssertionError("no matching frame received")


BASE = (1 << F_VERSION_1) | (1 << NET_F_MAC) | (1 << NET_F_STATUS)


def test_arp_and_ping(tmp_path, netns):
    tap = f"dmt{os.getpid() % 100000}"
    with device_model(tmp_path, "--nic", f"tap={tap},mac=52:54:00:12:a0:01") as (p, sock):
        g = Guest(sock)
        ns_mac = tap_into(netns, tap)
        nic = Nic(g, BASE)
        assert bytes(nic.dev.cfg(i, 1) for i in range(6)) == MAC
        assert nic.dev.cfg(6, 2) & 1                      # link up
        nic.send(arp_request())
        reply = nic.recv(lambda f: f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x02")
        assert reply[:6] == MAC and reply[22:28] == ns_mac and reply[28:32] == NS_IP
        payload = os.urandom(56)
        nic.send(icmp_echo(ns_mac, 0x4242, payload))
        echo = nic.recv(lambda f: f[12:14] == b"\x08\x00" and f[23] == 1 and f[34] == 0)
        assert echo[26:30] == NS_IP and echo[30:34] == GUEST_IP
        assert echo[38:40] == b"\x42\x42" and echo[42:] == payload
        assert csum(echo[34:]) == 0
        assert g.msis, "receive raised no MSI"
        g.close()


def ethtool_k(ns, tap):
    out = subprocess.run(["ip", "netns", "exec", ns, "ethtool", "-k", tap],
                         capture_output=True, text=True, check=True).stdout
    return {l.split(":")[0].strip(): l.split(":")[1].split()[0] for l in out.splitlines()
            if ":" in l and l.split(":")[1].strip()}


def test_offloads_follow_guest_acks(tmp_path, netns):
    tap = f"dmo{os.getpid() % 100000}"
    with device_model(tmp_path, "--nic", f"tap={tap},mac=52:54:00:12:a0:01") as (p, sock):
        g = Guest(sock)
        tap_into(netns, tap)
        off = BASE | (1 << NET_F_CSUM) | (1 << NET_F_GUEST_CSUM) | \
            (1 << NET_F_GUEST_TSO4) | (1 << NET_F_GUEST_TSO6)
        nic = Nic(g, off)
        k = ethtool_k(netns, tap)
        assert k["tx-checksumming"] == "on"
        assert k["tx-tcp-segmentation"] == "on"
        assert k["tx-tcp6-segmentation"] == "on"
        # reset and renegotiate without offloads: the tap loses them
        nic2 = Nic(g, BASE)
        assert nic2.features == BASE
        k = ethtool_k(netns, tap)
        assert k["tx-checksumming"] == "off"
        assert k["tx-tcp-segmentation"] == "off"
        g.close()
    log = dm_log(tmp_path)
    assert "tap offloads 0x7" in log and "tap offloads 0x0" in log


def tcp_frame(dst_mac, seq, ack, flags, payload=b"", opts=b""):
    """An Ethernet/IPv4/TCP frame from the guest to NS_IP:5001 with a correct checksum."""
    thl = 20 + len(opts)
    tcp = struct.pack("!HHIIBBHHH", 40000, 5001, seq, ack, (thl // 4) << 4, flags, 65535, 0, 0)
    tcp += opts + payload
    pseudo = GUEST_IP + NS_IP + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0,
                     GUEST_IP, NS_IP)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dst_mac + MAC + b"\x08\x00" + ip + tcp


SERVER = r"""
import hashlib, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.1", 5001)); s.listen(1); print("listening", flush=True)
c, _ = s.accept(); got = b""
while len(got) < 20000:
    d = c.recv(65536)
    if not d: break
    got += d
print(len(got), hashlib.sha256(got).hexdigest(), flush=True)
c.sendall(b"R" * 60000); sys.stdin.read()
"""


def test_tso_both_ways(tmp_path, netns):
    """With CSUM/TSO negotiated, one 20000-byte TCP frame from the guest (GSO
    TCPV4, partial checksum) reaches a socket in the namespace intact, and the
    namespace's kernel hands the guest frames larger than the MTU (GSO)."""
    import hashlib
    tap = f"dms{os.getpid() % 100000}"
    with device_model(tmp_path, "--nic", f"tap={tap},mac=52:54:00:12:a0:01") as (p, sock):
        g = Guest(sock, mem_size=64 << 20)
        ns_mac = tap_into(netns, tap)
        sh("ip", "-n", netns, "neigh", "add", "10.77.0.2", "lladdr", "52:54:00:12:a0:01",
           "dev", tap)
        srv = subprocess.Popen(["ip", "netns", "exec", netns, "python3", "-c", SERVER],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert srv.stdout.readline().strip() == "listening"
            nic = Nic(g, BASE | (1 << NET_F_CSUM) | (1 << NET_F_GUEST_CSUM) |
                      (1 << NET_F_GUEST_TSO4) | (1 << 11))
            mss = struct.pack("!BBH", 2, 4, 1460)
            nic.send(tcp_frame(ns_mac, 1000, 0, 0x02, opts=mss))              # SYN
            synack = nic.recv(lambda f: f[23] == 6 and f[47] & 0x12 == 0x12)
            srv_seq = struct.unpack("!I", synack[38:42])[0]
            nic.send(tcp_frame(ns_mac, 1001, srv_seq + 1, 0x10))              # ACK
            data = os.urandom(20000)
            frame = tcp_frame(ns_mac, 1001, srv_seq + 1, 0x18, data)
            # vnet header: NEEDS_CSUM, GSO_TCPV4, hdr_len 54, gso_size 1448,
            # csum_start 34, csum_offset 16 (the full checksum is already right)
            hdr = struct.pack("<BBHHHHH", 1, 1, 54, 1448, 34, 16, 0)
            nic.send(frame, hdr=hdr)
            n, digest = srv.stdout.readline().split()
            assert int(n) == 20000 and digest == hashlib.sha256(data).hexdigest()
            big = nic.recv(lambda f: f[23] == 6 and len(f) > 1514 and f[54:55] == b"R",
                           timeout=10)
            assert len(big) > 1514
        finally:
            srv.kill()
            srv.wait()
        g.close()


NET_F_MRG_RXBUF = 15


def test_mergeable_rx_buffers(tmp_path, netns):
    """With MRG_RXBUF a frame larger than one posted buffer spans several
    (num_buffers in the first); when too few are posted it waits for more
    instead of being dropped or truncated."""
    tap = f"dmm{os.getpid() % 100000}"
    with device_model(tmp_path, "--nic", f"tap={tap},mac=52:54:00:12:a0:01") as (p, sock):
        g = Guest(sock)
        ns_mac = tap_into(netns, tap)
        subprocess.run(["ip", "netns", "exec", netns, "sysctl", "-qw",
                        f"net.ipv6.conf.{tap}.disable_ipv6=1"], check=False)
        sh("ip", "-n", netns, "neigh", "add", "10.77.0.2", "lladdr", "52:54:00:12:a0:01",
           "dev", tap)
        dev = VirtioPci(g, 1)
        assert dev.init(BASE | (1 << NET_F_MRG_RXBUF), 2) == BASE | (1 << NET_F_MRG_RXBUF)
        rx, tx = dev.queues[0], dev.queues[1]
        bufs = {}

        def post(k):
            for _ in range(k):
                b = g.alloc(256, 256)
                bufs[rx.add([(b, 256, True)])] = b
            dev.kick(0)
            g.sync()

        def send(frame):
            b = g.alloc(HDR + len(frame))
            g.write(b, bytes(HDR) + frame)
            tx.add([(b, HDR + len(frame), False)])
            dev.kick(1)
            g.sync()

        post(3)
        payload = os.urandom(1000)               # 1054 bytes with headers: 5 buffers
        send(icmp_echo(ns_mac, 0x77, payload))
        g.poll_msis(0.5)
        assert rx.get_used() == [], "a frame was split over too few buffers or dropped"
        post(4)
        entries, deadline = [], time.time() + 5
        while time.time() < deadline:
            g.poll_msis(0.05)
            entries += rx.get_used()
            if entries and len(entries) >= g.r("H", bufs[entries[0][0]] + 10):
                break
        nbuf = g.r("H", bufs[entries[0][0]] + 10)
        assert nbuf == 5, entries
        data = b"".join(g.read(bufs[h], ln) for h, ln in entries[:nbuf])
        frame = data[HDR:]
        assert frame[12:14] == b"\x08\x00" and frame[34] == 0        # echo reply
        assert frame[42:] == payload
        g.close()
