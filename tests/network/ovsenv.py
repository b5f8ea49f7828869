# SPDX-License-Identifier: GPL-2.0-only
"""Helpers for the network tests: a private Open vSwitch and network namespaces.

`ovs` starts ovsdb-server and ovs-vswitchd (userspace datapath) with their own
database, sockets and logs in a temporary directory; the system's Open vSwitch,
if any, is never touched. Namespaces and veth pairs stand in for VMs and for a
physical uplink. Everything is removed at the end of the test: the two daemons
by the pids in their pidfiles, and the namespaces and veths we created.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from cairntest import BUILD

SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
NET_TOOL = os.path.join(BUILD, "network", "net-tool")
TAG = "c%d" % (os.getpid() % 100000)


def run(*args, check=True, timeout=20, **kw):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise AssertionError("%s failed (%d): %s%s" % (" ".join(map(str, args)),
                                                       r.returncode, r.stdout, r.stderr))
    return r


def _alive(pid):
    """True while pid runs (a zombie nobody has reaped yet counts as gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class XenAPIError(Exception):
    def __init__(self, code, params):
        super().__init__(code, params)
        self.code, self.params = code, params


class VM:
    """A namespace with one NIC, eth0, whose root-side peer is vif<domid>.<devid>."""

    def __init__(self, env, name, domid, mac, ip, devid=0, prefix=24):
        self.env, self.domid, self.devid, self.mac, self.ip = env, domid, devid, mac, ip
        self.ns = env.netns(name)
        self.port = "vif%d.%d" % (domid, devid)
        env.veth(self.port, "eth0", self.ns)
        self.exec("ip", "link", "set", "eth0", "address", mac)
        self.exec("ip", "addr", "add", "%s/%d" % (ip, prefix), "dev", "eth0")
        self.exec("ip", "link", "set", "eth0", "up")

    def exec(self, *args, check=True, timeout=20):
        return run("ip", "netns", "exec", self.ns, *args, check=check, timeout=timeout)

    def ping(self, ip, count=3, wait=1):
        r = self.exec("ping", "-c", count, "-i", "0.2", "-W", wait, ip, check=False,
                      timeout=count * (wait + 1) + 5)
        return r.returncode == 0


class OvsEnv:
    def __init__(self, logdir):
        self.dir = tempfile.mkdtemp(prefix="cairn-ovs-")
        self.logdir = logdir
        self.db = "unix:%s/db.sock" % self.dir
        self.state = os.path.join(self.dir, "state.json")
        self.pidfiles = []
        self.namespaces = []
        self.links = []
        self.env = dict(os.environ, OVS_RUNDIR=self.dir, OVS_LOGDIR=self.dir,
                        OVS_DBDIR=self.dir)

    # --- daemons ---
    def start(self):
        d = self.dir
        run("ovsdb-tool", "create", d + "/conf.db", SCHEMA)
        self.pidfiles.append(d + "/ovsdb-server.pid")
        run("ovsdb-server", d + "/conf.db", "--remote=punix:%s/db.sock" % d,
            "--pidfile=%s/ovsdb-server.pid" % d, "--unixctl=%s/ovsdb-server.ctl" % d,
            "--log-file=%s/ovsdb-server.log" % d, "--detach", "--no-chdir", env=self.env)
        run("ovs-vsctl", "--db=" + self.db, "--no-wait", "init")
        self.pidfiles.append(d + "/ovs-vswitchd.pid")
        run("ovs-vswitchd", self.db, "--pidfile=%s/ovs-vswitchd.pid" % d,
            "--unixctl=%s/ovs-vswitchd.ctl" % d, "--log-file=%s/ovs-vswitchd.log" % d,
            "--detach", "--no-chdir", env=self.env)
        return self

    def restart_vswitchd(self):
        """Kill our ovs-vswitchd and start it again (OpenFlow rules are lost)."""
        pf = self.dir + "/ovs-vswitchd.pid"
        pid = int(open(pf).read().strip())
        os.kill(pid, signal.SIGKILL)
        while _alive(pid):
            time.sleep(0.05)
        run("ovs-vswitchd", self.db, "--pidfile=" + pf, "--unixctl=%s/ovs-vswitchd.ctl" % self.dir,
            "--log-file=%s/ovs-vswitchd.log" % self.dir, "--detach", "--no-chdir", env=self.env)

    def stop(self):
        # Bridges of the userspace datapath are persistent tap devices: remove
        # them through OVS first, and any left behind afterwards.
        bridges = []
        if len(self.pidfiles) == 2:
            r = run("ovs-vsctl", "--timeout=5", "--db=" + self.db, "list-br", check=False)
            bridges = r.stdout.split()
            for br in bridges:
                run("ovs-vsctl", "--timeout=5", "--db=" + self.db, "--if-exists", "del-br",
                    br, check=False)
        for pf in reversed(self.pidfiles):
            try:
                pid = int(open(pf).read().strip())
            except (OSError, ValueError):
                continue
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            for _ in range(50):
                if not _alive(pid):
                    break
                time.sleep(0.1)
            else:
                os.kill(pid, signal.SIGKILL)
        for ns in self.namespaces:
            run("ip", "netns", "del", ns, check=False)
        for link in self.links + bridges:
            if os.path.exists("/sys/class/net/" + link):
                run("ip", "link", "del", link, check=False)
        for f in ("ovs-vswitchd.log", "ovsdb-server.log", "state.json"):
            if os.path.exists(os.path.join(self.dir, f)):
                shutil.copy(os.path.join(self.dir, f), self.logdir)
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- commands ---
    def tool(self, *args):
        """net-tool COMMAND ARGS with this OVS and state file; returns its JSON
        output, raises XenAPIError for {"error": [...]}."""
        r = run(NET_TOOL, "--db", self.db, "--rundir", self.dir, "--datapath", "netdev",
                "--state", self.state, *args, check=False, timeout=60)
        if r.returncode == 2:
            err = json.loads(r.stdout)["error"]
            raise XenAPIError(err[0], err[1:])
        assert r.returncode == 0, "net-tool %s: %d %s%s" % (args, r.returncode, r.stdout,
                                                             r.stderr)
        return json.loads(r.stdout) if r.stdout.strip().startswith("{") else r.stdout

    def xenapi_error(self, *args):
        with pytest.raises(XenAPIError) as e:
            self.tool(*args)
        return e.value

    def vsctl(self, *args):
        return run("ovs-vsctl", "--timeout=10", "--db=" + self.db, *args).stdout

    def ofctl(self, cmd, bridge, *args):
        return run("ovs-ofctl", cmd, "unix:%s/%s.mgmt" % (self.dir, bridge), *args).stdout

    def appctl(self, *args):
        return run("ovs-appctl", "-t", self.dir + "/ovs-vswitchd.ctl", *args).stdout

    def snapshot(self):
        """Everything OVS holds that a rejected request must not change."""
        return (self.vsctl("show"),
                self.vsctl("--columns=name,tag,external_ids,other_config,bond_mode",
                           "list", "Port"),
                self.vsctl("--columns=name,external_ids", "list", "Bridge"))

    def records(self):
        with open(self.state) as f:
            return json.load(f)

    def save_records(self, recs):
        with open(self.state, "w") as f:
            json.dump(recs, f)

    # --- namespaces and links ---
    def netns(self, name):
        ns = "%s-%s" % (TAG, name)
        run("ip", "netns", "add", ns)
        self.namespaces.append(ns)
        run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
        return ns

    def veth(self, root_name, peer_name, ns):
        """A veth pair: root_name stays here (an OVS port), peer_name goes to ns."""
        tmp = "%sp%d" % (TAG, len(self.links))
        run("ip", "link", "add", root_name, "type", "veth", "peer", "name", tmp)
        self.links.append(root_name)
        run("ip", "link", "set", tmp, "netns", ns)
        run("ip", "-n", ns, "link", "set", tmp, "name", peer_name)
        run("ip", "-n", ns, "link", "set", peer_name, "up")
        run("ip", "link", "set", root_name, "up")

    def vm(self, name, domid, mac, ip, **kw):
        return VM(self, name, domid, mac, ip, **kw)

    def link_name(self, suffix):
        return "%s%s" % (TAG, suffix)
