# SPDX-License-Identifier: GPL-2.0-only
"""Raw Ethernet frames for the locking tests, run inside a namespace:

    frames.py send IFACE SRC_MAC,DST_MAC,SRC_IP,DST_IP,MARKER ...
    frames.py recv IFACE SECONDS [STOP]   prints the markers it saw, one per line;
                                          returns early once it has seen STOP

A frame is IPv4/UDP to port 9999 whose payload is "CAIRN-<marker>".
"""
import socket
import struct
import sys
import time


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src_mac, dst_mac, src_ip, dst_ip, marker):
    payload = b"CAIRN-" + marker.encode()
    udp = struct.pack("!HHHH", 40000, 9999, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return mac(dst_mac) + mac(src_mac) + b"\x08\x00" + ip + udp


def send(iface, *specs):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for spec in specs:
        for _ in range(3):
            s.send(frame(*spec.split(",")))
            time.sleep(0.02)


def recv(iface, seconds, stop=None):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0003))
    s.bind((iface, 0))
    s.settimeout(0.2)
    print("ready", flush=True)
    seen = set()
    end = time.time() + seconds
    while time.time() < end:
        try:
            data = s.recv(2048)
        except socket.timeout:
            continue
        i = data.find(b"CAIRN-")
        if i >= 0:
            seen.add(data[i + 6:].decode(errors="replace"))
            if stop in seen:
                break
    for m in sorted(seen):
        print(m)


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], *sys.argv[3:])
    else:
        recv(sys.argv[2], float(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else None)
