# SPDX-License-Identifier: GPL-2.0-only
"""network/: Open vSwitch networks, VLANs, bonds, VIF locking and reconciliation,
driven through net-tool against a private OVS (userspace datapath) with network
namespaces standing in for VMs and for the physical network."""
import os
import json
import subprocess
import sys
import time

import pytest

from ovsenv import NET_TOOL, run

HERE = os.path.dirname(os.path.abspath(__file__))
SUBNET = "10.%d.%d" % (200 + os.getpid() % 50, os.getpid() % 250)


def ip(n):
    return "%s.%d" % (SUBNET, n)


def uplink(ovs, far_name="far"):
    """A 'physical' NIC: a veth whose far end is in its own namespace; introduced
    as a PIF and plugged. Returns (PIF uuid, its network, bridge, far ns)."""
    far = ovs.netns(far_name)
    dev = ovs.link_name("up")
    ovs.veth(dev, "wire", far)
    r = ovs.tool("pif-introduce", dev)
    ovs.tool("pif-plug", r["PIF"])
    return r["PIF"], r["network"], r["bridge"], far


def plug_vm(ovs, network, domid, mac, addr, locking=None, ipv4=()):
    vm = ovs.vm("vm%d" % domid, domid, mac, addr)
    args = ["vif-create", "--network", network, "--mac", mac]
    if locking:
        args += ["--locking", locking]
    for a in ipv4:
        args += ["--ipv4", a]
    vif = ovs.tool(*args)["VIF"]
    ovs.tool("vif-plug", vif, str(domid))
    return vm, vif


def test_two_vms_on_one_network_ping(ovs, domids):
    net = ovs.tool("network-create", "--name", "private", "--mtu", "1400")
    a, va = plug_vm(ovs, net["network"], domids[0], "02:00:0a:00:00:01", ip(1))
    b, _ = plug_vm(ovs, net["network"], domids[1], "02:00:0a:00:00:02", ip(2))
    assert a.ping(ip(2)), "VMs on one network cannot reach each other"
    assert b.ping(ip(1))
    # The port carries the XenAPI identity and the network's MTU.
    ext = ovs.vsctl("get", "Interface", a.port, "external_ids")
    assert 'xs-vif-uuid="%s"' % va in ext and 'attached-mac="02:00:0a:00:00:01"' in ext
    assert 'xs-network-uuid="%s"' % net["network"] in ext and "xs-vm-uuid" in ext
    assert ovs.vsctl("br-get-external-id", net["bridge"], "xs-network-uuids").strip() == \
        net["network"]
    assert ovs.vsctl("port-to-br", a.port).strip() == net["bridge"]
    assert open("/sys/class/net/%s/mtu" % a.port).read().strip() == "1400"
    # Unplug removes the port; the VMs are then cut off.
    ovs.tool("vif-unplug", va)
    assert a.port not in ovs.vsctl("list-ports", net["bridge"]).split()
    assert not a.ping(ip(2), count=1)


def capture(ns, iface, seconds):
    return subprocess.Popen(["ip", "netns", "exec", ns, "timeout", str(seconds), "tcpdump",
                             "-e", "-n", "-l", "-U", "-i", iface],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_vlans_isolate_and_tag_on_the_uplink(ovs, domids):
    pif, _, bridge, far = uplink(ovs)
    nets, brs = {}, {}
    for tag in (10, 20):
        r = ovs.tool("network-create", "--name", "vlan%d" % tag)
        ovs.tool("vlan-create", pif, str(tag), r["network"])
        nets[tag], brs[tag] = r["network"], r["bridge"]
    # Fake bridges on the uplink's bridge, tagged.
    for tag, br in brs.items():
        assert ovs.vsctl("br-to-parent", br).strip() == bridge
        assert ovs.vsctl("br-to-vlan", br).strip() == str(tag)
    a, _ = plug_vm(ovs, nets[10], domids[0], "02:00:0a:00:10:01", ip(1))
    b, _ = plug_vm(ovs, nets[20], domids[1], "02:00:0a:00:20:02", ip(2))
    # A locked VIF on a VLAN network: its rules go to the real (parent) bridge.
    c, _ = plug_vm(ovs, nets[10], domids[2], "02:00:0a:00:10:03", ip(3), locking="locked",
                   ipv4=[ip(3)])
    assert "nw_src=%s" % ip(3) in ovs.ofctl("dump-flows", bridge)
    tcpdump = capture(far, "wire", 12)
    for _ in range(5):  # tcpdump says "listening on" once the capture is open
        if "listening on" in tcpdump.stderr.readline():
            break
    else:
        raise AssertionError("tcpdump did not start")
    assert not a.ping(ip(2), count=2), "VLAN 10 reached VLAN 20"
    assert not b.ping(ip(1), count=2), "VLAN 20 reached VLAN 10"
    assert a.ping(ip(3)), "two VMs on the same VLAN cannot reach each other"
    time.sleep(0.5)
    tcpdump.send_signal(2)
    out, _ = tcpdump.communicate(timeout=15)
    lines = out.splitlines()
    # The ARP requests each VM broadcast left on the uplink with its VLAN's tag.
    tagged_a = [l for l in lines if "02:00:0a:00:10:01" in l.split(">")[0] and "vlan 10" in l]
    tagged_b = [l for l in lines if "02:00:0a:00:20:02" in l.split(">")[0] and "vlan 20" in l]
    wrong = [l for l in lines if ("02:00:0a:00:10:01" in l.split(">")[0] and "vlan 10" not in l)
             or ("02:00:0a:00:20:02" in l.split(">")[0] and "vlan 20" not in l)]
    assert tagged_a and tagged_b, "no tagged frames on the uplink:\n" + out
    assert not wrong, "frames with a wrong or no tag on the uplink:\n" + "\n".join(wrong)


def spoof_round(ovs, a, b, marker_prefix, expect_end=True):
    """A sends a real frame, one with another source MAC, one with another source
    IP, then a real 'end' frame; returns the markers B received. The receiver
    stops at 'end' (or after a timeout, when A's traffic is not expected to pass)."""
    frames = os.path.join(HERE, "frames.py")
    end = marker_prefix + "end"
    rx = subprocess.Popen(["ip", "netns", "exec", b.ns, sys.executable, frames, "recv",
                           "eth0", "15" if expect_end else "2", end],
                          stdout=subprocess.PIPE, text=True)
    assert rx.stdout.readline().strip() == "ready"
    specs = ["%s,%s,%s,%s,%s%s" % (src_mac, b.mac, src_ip, b.ip, marker_prefix, what)
             for src_mac, src_ip, what in ((a.mac, a.ip, "good"),
                                           ("02:00:0a:66:66:66", a.ip, "badmac"),
                                           (a.mac, ip(99), "badip"), (a.mac, a.ip, "end"))]
    a.exec(sys.executable, frames, "send", "eth0", *specs)
    out, _ = rx.communicate(timeout=30)
    seen = set(out.split())
    if expect_end:
        assert end in seen, "the closing real frame never arrived: %s" % seen
    return seen


def test_locked_vif_ipv6(ovs, domids):
    """Locked with an allowed IPv6 address: neighbour discovery and traffic from
    that address work, another source address does not; unlocked it does."""
    net = ovs.tool("network-create", "--name", "v6")
    a, va = plug_vm(ovs, net["network"], domids[0], "02:00:0a:00:00:71", ip(71))
    b, _ = plug_vm(ovs, net["network"], domids[1], "02:00:0a:00:00:72", ip(72))
    a.exec("ip", "-6", "addr", "add", "fd00:77::a/64", "dev", "eth0", "nodad")
    a.exec("ip", "-6", "addr", "add", "fd00:77::99/64", "dev", "eth0", "nodad")
    b.exec("ip", "-6", "addr", "add", "fd00:77::b/64", "dev", "eth0", "nodad")
    ovs.tool("vif-set-locking", va, "locked", "--ipv6", "fd00:77::a")

    def ping6(src):
        return a.exec("ping", "-6", "-c", "2", "-i", "0.2", "-W", "1", "-I", src,
                      "fd00:77::b", check=False).returncode == 0

    assert ping6("fd00:77::a"), "allowed IPv6 address cannot reach its neighbour"
    b.exec("ip", "-6", "neigh", "flush", "dev", "eth0")
    assert not ping6("fd00:77::99"), "spoofed IPv6 source passed"
    assert not a.ping(ip(72), count=1), "IPv4 passed with only IPv6 allowed"
    ovs.tool("vif-set-locking", va, "unlocked")
    assert ping6("fd00:77::99")


def test_locked_vif_drops_spoofed_frames(ovs, domids):
    net = ovs.tool("network-create", "--name", "locked")
    bridge, n = net["bridge"], net["network"]
    a, va = plug_vm(ovs, n, domids[0], "02:00:0a:00:00:11", ip(11), locking="locked",
                    ipv4=[ip(11)])
    b, _ = plug_vm(ovs, n, domids[1], "02:00:0a:00:00:12", ip(12))
    flows = ovs.ofctl("dump-flows", bridge)
    assert "nw_src=%s" % ip(11) in flows and "actions=drop" in flows
    assert a.ping(ip(12)), "a locked VIF's real traffic was dropped"
    seen = spoof_round(ovs, a, b, "L-")
    assert "L-good" in seen
    assert "L-badmac" not in seen, "frame with a spoofed source MAC passed"
    assert "L-badip" not in seen, "frame with a spoofed source IP passed"
    # Unlocked, the same frames pass: the rules are what stopped them.
    ovs.tool("vif-set-locking", va, "unlocked")
    seen = spoof_round(ovs, a, b, "U-")
    assert {"U-good", "U-badmac", "U-badip"} <= seen
    # Disabled: nothing passes.
    ovs.tool("vif-set-locking", va, "disabled")
    assert not a.ping(ip(12), count=1)
    assert "D-good" not in spoof_round(ovs, a, b, "D-", expect_end=False)
    # Unplug takes the rules away with the port.
    ovs.tool("vif-unplug", va)
    assert "in_port" not in ovs.ofctl("dump-flows", bridge)


@pytest.mark.parametrize("mode", ["active-backup", "balance-slb"])
def test_bond_survives_member_link_down(ovs, domids, mode):
    far = ovs.netns("sw")
    run("ip", "-n", far, "link", "add", "br0", "type", "bridge")
    members = []
    for i in range(2):
        dev = ovs.link_name("m%d" % i)
        ovs.veth(dev, "p%d" % i, far)
        run("ip", "-n", far, "link", "set", "p%d" % i, "master", "br0")
        members.append((dev, ovs.tool("pif-introduce", dev)["PIF"]))
    run("ip", "-n", far, "addr", "add", ip(254) + "/24", "dev", "br0")
    run("ip", "-n", far, "link", "set", "br0", "up")
    bnet = ovs.tool("network-create", "--name", "bond")["network"]
    r = ovs.tool("bond-create", bnet, mode, members[0][1], members[1][1],
                 "--primary", members[0][1])
    bond_dev = r["device"]
    assert ovs.vsctl("get", "Port", bond_dev, "bond_mode").strip() == mode
    vm, _ = plug_vm(ovs, bnet, domids[0], "02:00:0a:00:00:21", ip(21))
    assert vm.ping(ip(254)), "no connectivity over the bond"
    if mode == "active-backup":
        assert "active member" in bond_member_section(ovs, bond_dev, members[0][0])
    # Take each member down in turn (so the one carrying the VM's traffic goes
    # down at some point): the other takes over, then the member comes back.
    for down, other in ((members[0][0], members[1][0]), (members[1][0], members[0][0])):
        run("ip", "link", "set", down, "down")
        deadline = time.time() + 10
        while time.time() < deadline and bond_member_state(ovs, bond_dev, down) != "disabled":
            time.sleep(0.2)
        show = ovs.appctl("bond/show", bond_dev)
        assert bond_member_state(ovs, bond_dev, down) == "disabled", show
        assert bond_member_state(ovs, bond_dev, other) == "enabled", show
        assert vm.ping(ip(254), count=3), "bond lost connectivity with %s down" % down
        run("ip", "link", "set", down, "up")
        deadline = time.time() + 10
        while time.time() < deadline and bond_member_state(ovs, bond_dev, down) != "enabled":
            time.sleep(0.2)
    assert vm.ping(ip(254), count=2)


def test_lacp_bond_negotiates_and_fails_over(ovs, domids):
    """An LACP bond against a partner switch (a second, plain OVS bridge with an
    LACP bond, standing in for a physical switch) negotiates, carries traffic,
    and survives a member link going down."""
    far = ovs.netns("lacpfar")
    members = []
    for i in range(2):
        dev, sw = ovs.link_name("l%d" % i), ovs.link_name("s%d" % i)
        run("ip", "link", "add", dev, "type", "veth", "peer", "name", sw)
        ovs.links.append(dev)
        run("ip", "link", "set", dev, "up")
        run("ip", "link", "set", sw, "up")
        members.append((dev, sw, ovs.tool("pif-introduce", dev)["PIF"]))
    swbr, host = ovs.link_name("sw"), ovs.link_name("h")
    ovs.vsctl("add-br", swbr, "--", "set", "Bridge", swbr, "datapath_type=netdev")
    ovs.vsctl("add-bond", swbr, "swbond", members[0][1], members[1][1], "lacp=active",
              "bond_mode=balance-tcp", "other_config:lacp-time=fast")
    ovs.veth(host, "eth0", far)
    ovs.vsctl("add-port", swbr, host)
    run("ip", "-n", far, "addr", "add", ip(250) + "/24", "dev", "eth0")
    bnet = ovs.tool("network-create", "--name", "lacp")["network"]
    bond_dev = ovs.tool("bond-create", bnet, "lacp", members[0][2], members[1][2],
                        "--lacp-time", "fast")["device"]
    assert ovs.vsctl("get", "Port", bond_dev, "lacp").strip() == "active"
    deadline = time.time() + 15
    while time.time() < deadline and "lacp_status: negotiated" not in \
            ovs.appctl("bond/show", bond_dev):
        time.sleep(0.3)
    assert "lacp_status: negotiated" in ovs.appctl("bond/show", bond_dev)
    vm, _ = plug_vm(ovs, bnet, domids[0], "02:00:0a:00:00:41", ip(41))
    assert vm.ping(ip(250)), "no connectivity over the LACP bond"
    for down, other in ((members[0][0], members[1][0]), (members[1][0], members[0][0])):
        run("ip", "link", "set", down, "down")
        deadline = time.time() + 10
        while time.time() < deadline and bond_member_state(ovs, bond_dev, down) != "disabled":
            time.sleep(0.2)
        assert bond_member_state(ovs, bond_dev, other) == "enabled"
        assert vm.ping(ip(250), count=3), "LACP bond lost connectivity with %s down" % down
        run("ip", "link", "set", down, "up")
        deadline = time.time() + 10
        while time.time() < deadline and bond_member_state(ovs, bond_dev, down) != "enabled":
            time.sleep(0.2)


def bond_member_section(ovs, bond, member):
    return ovs.appctl("bond/show", bond).split("member %s:" % member)[1].split("\n\n")[0]


def bond_member_state(ovs, bond, member):
    """'enabled' or 'disabled', from ovs-appctl bond/show."""
    for line in ovs.appctl("bond/show", bond).splitlines():
        if line.startswith("member %s:" % member):
            return line.split(":", 1)[1].strip()
    return None


def test_reconcile_restores_ovs(ovs, domids):
    pif, pnet, bridge, far = uplink(ovs)
    n = ovs.tool("network-create", "--name", "priv")
    v = ovs.tool("network-create", "--name", "v30")
    vnet, vbr = v["network"], v["bridge"]
    ovs.tool("vlan-create", pif, "30", vnet)
    a, va = plug_vm(ovs, n["network"], domids[0], "02:00:0a:00:00:31", ip(31),
                    locking="locked", ipv4=[ip(31)])
    b, vb = plug_vm(ovs, n["network"], domids[1], "02:00:0a:00:00:32", ip(32))
    c, vc = plug_vm(ovs, vnet, domids[2], "02:00:0a:00:00:33", ip(33))
    assert a.ping(ip(32))
    assert ovs.tool("reconcile")["changes"] == 0, "reconcile changed a correct OVS"
    before = ovs.vsctl("show")
    # Behind our back: a VIF port goes, the private network's bridge goes (with
    # its ports and rules), the VLAN's fake bridge goes, an external_id is wrong.
    ovs.vsctl("del-port", c.port)
    ovs.vsctl("del-br", n["bridge"])
    ovs.vsctl("del-br", vbr)
    ovs.vsctl("br-set-external-id", bridge, "xs-network-uuids", "junk")
    assert not a.ping(ip(32), count=1)
    r = ovs.tool("reconcile")
    assert r["changes"] >= 4
    # Same bridges, ports, tags and interfaces as before (the listing order may differ).
    assert sorted(before.split()) == sorted(ovs.vsctl("show").split())
    assert ovs.vsctl("br-get-external-id", bridge, "xs-network-uuids").strip() == pnet
    assert ovs.vsctl("br-to-vlan", vbr).strip() == "30"
    assert a.ping(ip(32)), "connectivity not restored"
    assert "nw_src=%s" % ip(31) in ovs.ofctl("dump-flows", n["bridge"]), "rules not restored"
    assert ovs.tool("reconcile")["changes"] == 0
    # network.set_MTU in the records: reconcile applies it to the bridge and VIFs.
    recs = ovs.records()
    for nw in recs["networks"]:
        if nw["uuid"] == n["network"]:
            nw["MTU"] = 1400
    ovs.save_records(recs)
    assert ovs.tool("reconcile")["changes"] >= 3
    for dev in (n["bridge"], a.port, b.port):
        assert open("/sys/class/net/%s/mtu" % dev).read().strip() == "1400", dev
    assert a.ping(ip(32))
    # A halted VM: its VIF is no longer attached, so reconcile removes the port.
    recs = ovs.records()
    for v in recs["VIFs"]:
        if v["uuid"] == vb:
            v["currently_attached"], v["domid"] = False, -1
    ovs.save_records(recs)
    ovs.tool("reconcile")
    assert b.port not in ovs.vsctl("list-ports", n["bridge"]).split()
    assert a.port in ovs.vsctl("list-ports", n["bridge"]).split()


def test_reconcile_after_vswitchd_restart_restores_locking(ovs, domids):
    net = ovs.tool("network-create", "--name", "restart")
    a, _ = plug_vm(ovs, net["network"], domids[0], "02:00:0a:00:00:51", ip(51),
                   locking="locked", ipv4=[ip(51)])
    b, _ = plug_vm(ovs, net["network"], domids[1], "02:00:0a:00:00:52", ip(52))
    ovs.restart_vswitchd()
    deadline = time.time() + 10
    while time.time() < deadline:
        r = run("ovs-ofctl", "dump-flows", "unix:%s/%s.mgmt" % (ovs.dir, net["bridge"]),
                check=False)
        if r.returncode == 0 and "in_port" not in r.stdout:
            break
        time.sleep(0.2)
    assert "nw_src" not in ovs.ofctl("dump-flows", net["bridge"]), "rules survived a restart?"
    assert "R1-badip" in spoof_round(ovs, a, b, "R1-"), "spoofing blocked without rules?"
    assert ovs.tool("reconcile")["changes"] == 0  # OVSDB itself was intact
    assert "nw_src=%s" % ip(51) in ovs.ofctl("dump-flows", net["bridge"])
    seen = spoof_round(ovs, a, b, "R2-")
    assert "R2-good" in seen and "R2-badip" not in seen and "R2-badmac" not in seen


def test_bad_input_gives_xenapi_error_and_changes_nothing(ovs, domids):
    pif, pnet, bridge, far = uplink(ovs)
    v = ovs.tool("network-create", "--name", "v10")
    vnet, vbr = v["network"], v["bridge"]
    vpif = ovs.tool("vlan-create", pif, "10", vnet)["untagged_PIF"]
    other = ovs.tool("network-create", "--name", "spare")["network"]
    before, recs = ovs.snapshot(), ovs.records()
    unknown = "00000000-0000-4000-8000-000000000000"
    cases = [
        (("vlan-create", unknown, "11", other), "HANDLE_INVALID", ["PIF", unknown]),
        (("vlan-create", pif, "4095", other), "VLAN_TAG_INVALID", ["4095"]),
        (("vlan-create", pif, "-1", other), "VLAN_TAG_INVALID", ["-1"]),
        (("vlan-create", pif, "10", other), "PIF_VLAN_EXISTS", [pif]),
        (("vlan-create", vpif, "12", other), "PIF_IS_VLAN", [vpif]),
        (("vlan-create", pif, "13", vnet), "NETWORK_ALREADY_CONNECTED", [vnet, vpif]),
        (("network-create", "--bridge", bridge), "BRIDGE_NAME_EXISTS", [bridge]),
        (("network-create", "--bridge", vbr), "BRIDGE_NAME_EXISTS", [vbr]),
        (("network-create", "--bridge", "lo"), "BRIDGE_NAME_EXISTS", ["lo"]),
        (("network-create", "--bridge", "bad name!"), "INVALID_VALUE", ["bridge", "bad name!"]),
        (("network-create", "--mtu", "20"), "INVALID_VALUE", ["MTU", "20"]),
        (("bond-create", other, "active-backup", pif), "PIF_BOND_NEEDS_MORE_MEMBERS", []),
        (("bond-create", other, "lacp", pif, unknown), "HANDLE_INVALID", ["PIF", unknown]),
        (("pif-plug", unknown), "HANDLE_INVALID", ["PIF", unknown]),
        (("pif-introduce", ovs.link_name("up")), "DUPLICATE_PIF_DEVICE_NAME",
         [ovs.link_name("up")]),
        (("pif-introduce", "nosuchnic0"), "PIF_DEVICE_NOT_FOUND", ["nosuchnic0"]),
        (("vif-create", "--network", other, "--mac", "02:00:zz:00:00:01"), "MAC_INVALID",
         ["02:00:zz:00:00:01"]),
        (("vif-plug", unknown, "5"), "HANDLE_INVALID", ["VIF", unknown]),
        (("network-destroy", pnet), "NETWORK_CONTAINS_PIF", [pif]),
        (("tunnel-create", other, "0", "192.0.2.1"), "INVALID_VALUE", ["key", "0"]),
    ]
    for args, code, params in cases:
        e = ovs.xenapi_error(*args)
        assert (e.code, e.params) == (code, params), args
        assert ovs.snapshot() == before, "%s changed OVS" % (args,)
        assert ovs.records() == recs, "%s changed the records" % (args,)


def test_pif_scan_finds_physical_nics(ovs, tmp_path):
    """PIF.scan introduces NICs that sysfs links to a device, and only those."""
    sysfs = tmp_path / "net"
    for name, mac, physical in (("eth0", "52:54:00:12:34:56", True),
                                ("eth1", "52:54:00:12:34:57", True),
                                ("veth7", "02:00:00:00:00:07", False)):
        d = sysfs / name
        d.mkdir(parents=True)
        (d / "address").write_text(mac + "\n")
        (d / "mtu").write_text("9000\n")
        if physical:
            (d / "device").symlink_to(tmp_path)
    out = run(NET_TOOL, "--db", ovs.db, "--sysfs", str(sysfs), "--state", ovs.state,
              "pif-scan").stdout
    found = {p["device"]: p["bridge"] for p in json.loads(out)["PIFs"]}
    assert found == {"eth0": "xenbr0", "eth1": "xenbr1"}
    pifs = {p["device"]: p for p in ovs.records()["PIFs"]}
    assert pifs["eth0"]["MAC"] == "52:54:00:12:34:56" and pifs["eth0"]["MTU"] == 9000
    assert pifs["eth0"]["physical"] and pifs["eth0"]["VLAN"] == -1
    # A second scan finds nothing new.
    out = run(NET_TOOL, "--db", ovs.db, "--sysfs", str(sysfs), "--state", ovs.state,
              "pif-scan").stdout
    assert json.loads(out)["PIFs"] == []


def test_management_ip_and_vxlan_config(ovs, domids):
    pif, pnet, bridge, far = uplink(ovs)
    dev2 = ovs.link_name("up2")
    ovs.veth(dev2, "wire2", far)
    r2 = ovs.tool("pif-introduce", dev2)
    pif2, bridge2 = r2["PIF"], r2["bridge"]
    ovs.tool("pif-plug", pif2)
    # The far side joins both wires in one segment, like a physical switch.
    run("ip", "-n", far, "link", "add", "sw", "type", "bridge")
    for w in ("wire", "wire2"):
        run("ip", "-n", far, "link", "set", w, "master", "sw")
    run("ip", "-n", far, "link", "set", "sw", "up")
    run("ip", "-n", far, "addr", "add", "198.18.%d.2/24" % (os.getpid() % 250), "dev", "sw")
    mgmt = "198.18.%d.1" % (os.getpid() % 250)
    ovs.tool("pif-reconfigure-ip", pif, "Static", mgmt, "255.255.255.0")
    assert mgmt in run("ip", "-4", "addr", "show", "dev", bridge).stdout
    r = run("ip", "netns", "exec", far, "ping", "-c", "2", "-i", "0.2", "-W", "1", mgmt,
            check=False)
    assert r.returncode == 0, "management address not reachable from the uplink"
    e = ovs.xenapi_error("pif-reconfigure-ip", pif, "Static", mgmt, "255.0.255.0")
    assert (e.code, e.params) == ("INVALID_VALUE", ["netmask", "255.0.255.0"])
    # host.management_reconfigure: management moves to a second NIC's bridge.
    e = ovs.xenapi_error("management-reconfigure", pif2)
    assert (e.code, e.params) == ("PIF_HAS_NO_NETWORK_CONFIGURATION", [pif2])
    ovs.tool("management-reconfigure", pif)
    mgmt2 = "198.18.%d.3" % (os.getpid() % 250)
    recs = ovs.records()
    for p in recs["PIFs"]:
        if p["uuid"] == pif2:
            p.update(ip_configuration_mode="Static", IP=mgmt2, netmask="255.255.255.0")
    ovs.save_records(recs)
    ovs.tool("management-reconfigure", pif2)
    assert mgmt not in run("ip", "-4", "addr", "show", "dev", bridge).stdout
    assert mgmt2 in run("ip", "-4", "addr", "show", "dev", bridge2).stdout
    assert [p["uuid"] for p in ovs.records()["PIFs"] if p["management"]] == [pif2]
    r = run("ip", "netns", "exec", far, "ping", "-c", "2", "-i", "0.2", "-W", "1", mgmt2,
            check=False)
    assert r.returncode == 0, "new management address not reachable"
    ovs.tool("pif-reconfigure-ip", pif2, "None")
    assert mgmt2 not in run("ip", "-4", "addr", "show", "dev", bridge2).stdout
    # A private network across hosts: one VXLAN port per peer, keyed by the VNI.
    n = ovs.tool("network-create", "--name", "cross-host")
    ovs.tool("tunnel-create", n["network"], "5001", "192.0.2.10", "192.0.2.11")
    for i, peer in enumerate(("192.0.2.10", "192.0.2.11")):
        port = "vx5001.%d" % i
        assert ovs.vsctl("port-to-br", port).strip() == n["bridge"]
        assert ovs.vsctl("get", "Interface", port, "type").strip() == "vxlan"
        opts = ovs.vsctl("get", "Interface", port, "options")
        assert 'key="5001"' in opts and 'remote_ip="%s"' % peer in opts
    e = ovs.xenapi_error("tunnel-create", n["network"], "5001", "192.0.2.12")
    assert (e.code, e.params) == ("INVALID_VALUE", ["key", "5001"])
    ovs.vsctl("del-port", "vx5001.1")
    assert ovs.tool("reconcile")["changes"] >= 1
    assert ovs.vsctl("port-to-br", "vx5001.1").strip() == n["bridge"]


def test_private_network_over_vxlan(ovs, domids):
    """A private network reaches a VM on another host through a VXLAN tunnel with
    the network's VNI; a network with another VNI does not. The other host is a
    namespace with a kernel VXLAN device, on the far side of our uplink."""
    pif, pnet, bridge, hostb = uplink(ovs, "hostb")
    under = "198.18.%d" % (os.getpid() % 250)
    ovs.tool("pif-reconfigure-ip", pif, "Static", under + ".1", "255.255.255.0")
    run("ip", "-n", hostb, "addr", "add", under + ".2/24", "dev", "wire")
    # veth checksum offload would leave the outer UDP checksum unfinished for the
    # userspace datapath, which then drops the packets.
    run("ip", "netns", "exec", hostb, "ethtool", "-K", "wire", "tx", "off")
    run("ip", "-n", hostb, "link", "add", "vx0", "type", "vxlan", "id", "5001", "remote",
        under + ".1", "local", under + ".2", "dstport", "4789", "dev", "wire")
    run("ip", "-n", hostb, "addr", "add", ip(60) + "/24", "dev", "vx0")
    run("ip", "-n", hostb, "link", "set", "vx0", "up")
    nets = {}
    for vni in (5001, 5002):
        n = ovs.tool("network-create", "--name", "vni%d" % vni)["network"]
        ovs.tool("tunnel-create", n, str(vni), under + ".2")
        nets[vni] = n
    a, _ = plug_vm(ovs, nets[5001], domids[0], "02:00:0a:00:00:61", ip(61))
    c, _ = plug_vm(ovs, nets[5002], domids[1], "02:00:0a:00:00:62", ip(62))
    deadline = time.time() + 10
    while time.time() < deadline and not a.ping(ip(60), count=1):
        time.sleep(0.3)
    assert a.ping(ip(60)), "no connectivity to the other host over VXLAN 5001"
    assert not c.ping(ip(60), count=2), "VNI 5002 reached a host on VNI 5001"
    assert "tnl_pop" in ovs.appctl("dpctl/dump-flows")


def test_dead_openvswitch_is_reported(tmp_path):
    """No OVS behind the socket: the XenAPI error OPENVSWITCH_NOT_ACTIVE."""
    r = run(NET_TOOL, "--db", "unix:%s/none.sock" % tmp_path, "--timeout", "2", "--state",
            str(tmp_path / "st.json"), "network-create", check=False)
    assert r.returncode == 2, r.stdout + r.stderr
    assert json.loads(r.stdout)["error"] == ["OPENVSWITCH_NOT_ACTIVE"]
    assert not (tmp_path / "st.json").exists(), "a failed create was recorded"
