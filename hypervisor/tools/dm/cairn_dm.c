/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cairn_dm.c — cairn-dm, the device model of one domU.
 *
 *   cairn-dm --domid N [--disk PATH[,ro][,sync]]... [--nic tap=NAME,mac=MAC]...
 *            [--console stdio] [--user USER] [--no-seccomp]
 *            --transport test:SOCKET
 *
 * Design: the process opens everything it will ever need first (backing
 * files, taps, the transport's socket, the epoll instance), then drops every
 * privilege it can: supplementary groups, gid and uid become USER's, no new
 * privileges may be gained, and every file descriptor not on the keep list is
 * closed. From then on it only serves the guest from its event loop. The
 * hypervisor's ioreq transport (include/public/ioreq.h) does not exist yet;
 * the only transport today is "test" (transport_test.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "dm.h"

#define DM_MAX_DISKS 4
#define DM_MAX_NICS  4
#define DM_MAX_KEEP  32

struct dm_opts {
	long domid;
	const char *user;
	const char *transport;
	bool console;
	bool no_seccomp;       /* --no-seccomp: for debugging with strace/gdb */
	unsigned nr_disks, nr_nics;
	struct dm_blk_conf disk[DM_MAX_DISKS];
	struct dm_net_conf nic[DM_MAX_NICS];
};

static struct dm_machine machine;

static void usage(void)
{
	fprintf(stderr, "usage: cairn-dm --domid N [--disk PATH[,ro][,sync]]... "
		"[--nic tap=NAME,mac=MAC]... [--console stdio] [--user USER] "
		"[--no-seccomp] --transport test:SOCKET\n");
	exit(2);
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned b[6], i;
	char end;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -EINVAL;
		mac[i] = b[i];
	}
	return (mac[0] & 1) ? -EINVAL : 0;     /* no multicast MACs */
}

/* PATH[,ro][,sync]: sync runs reads and writes synchronously instead of through io_uring. */
static int parse_disk(struct dm_opts *o, char *arg)
{
	struct dm_blk_conf *d = &o->disk[o->nr_disks];
	char *save, *tok;

	if (o->nr_disks == DM_MAX_DISKS)
		return -ENOSPC;
	d->path = strtok_r(arg, ",", &save);
	if (!d->path)
		return -EINVAL;
	d->ro = d->sync = false;
	while ((tok = strtok_r(NULL, ",", &save))) {
		if (!strcmp(tok, "ro"))
			d->ro = true;
		else if (!strcmp(tok, "sync"))
			d->sync = true;
		else
			return -EINVAL;
	}
	o->nr_disks++;
	return 0;
}

static int parse_nic(struct dm_opts *o, char *arg)
{
	struct dm_net_conf *n = &o->nic[o->nr_nics];
	bool have_mac = false;
	char *tok, *save;

	if (o->nr_nics == DM_MAX_NICS)
		return -ENOSPC;
	n->tap = NULL;
	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strncmp(tok, "tap=", 4))
			n->tap = tok + 4;
		else if (!strncmp(tok, "mac=", 4) && !parse_mac(tok + 4, n->mac))
			have_mac = true;
		else
			return -EINVAL;
	}
	if (!n->tap || !have_mac || strlen(n->tap) >= 16)
		return -EINVAL;
	o->nr_nics++;
	return 0;
}

static void parse_args(struct dm_opts *o, int argc, char **argv)
{
	int i, rc = 0;

	o->domid = -1;
	for (i = 1; i < argc && !rc; i++) {
		const char *a = argv[i];
		char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--no-seccomp")) {
			o->no_seccomp = true;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--domid"))
			o->domid = strtol(v, NULL, 0);
		else if (!strcmp(a, "--disk"))
			rc = parse_disk(o, v);
		else if (!strcmp(a, "--nic"))
			rc = parse_nic(o, v);
		else if (!strcmp(a, "--console") && !strcmp(v, "stdio"))
			o->console = true;
		else if (!strcmp(a, "--user"))
			o->user = v;
		else if (!strcmp(a, "--transport"))
			o->transport = v;
		else
			rc = -EINVAL;
		if (rc)
			fprintf(stderr, "cairn-dm: bad %s %s\n", a, v);
	}
	if (rc || o->domid < 0 || !o->transport)
		usage();
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Closes every descriptor not in keep[] (which it sorts). */
static void close_others(int *keep, unsigned n)
{
	unsigned i;
	int from = 0;

	qsort(keep, n, sizeof(*keep), cmp_int);
	for (i = 0; i < n; i++) {
		if (keep[i] > from)
			close_range(from, keep[i] - 1, 0);
		from = keep[i] + 1;
	}
	close_range(from, ~0u, 0);
}

static int drop_user(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (!pw) {
		DM_LOG("no user %s", user);
		return -ENOENT;
	}
	if (pw->pw_uid == 0) {
		DM_LOG("refusing to run the device model as root (%s)", user);
		return -EPERM;
	}
	if (setgroups(0, NULL) || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid)) {
		DM_LOG("switch to %s: %s", user, strerror(errno));
		return -errno;
	}
	if (setuid(0) == 0) {
		DM_LOG("still able to become root after dropping to %s", user);
		return -EPERM;
	}
	return 0;
}

/*
 * Rights kept after the drop, one by one:
 *  - stderr: the log;
 *  - stdin/stdout, only with --console stdio: the console's bytes;
 *  - the epoll instance: the event loop;
 *  - each disk's descriptors (buffered and O_DIRECT), opened read-only for ",ro";
 *  - each tap's descriptor: frames to and from the guest's NIC;
 *  - the transport's socket: guest I/O requests and interrupts.
 * PR_SET_NO_NEW_PRIVS stops set-uid binaries from helping, the process is not
 * dumpable (no ptrace by the same user), and the seccomp allow list
 * (seccomp.c) refuses open, socket, exec, fork and every ioctl but two.
 */
static int drop_privileges(const struct dm_opts *o, int *keep, unsigned nkeep)
{
	int rc = 0;

	if (o->user)
		rc = drop_user(o->user);
	else
		DM_LOG("no --user given: keeping uid %d (tests only)", (int)getuid());
	if (rc)
		return rc;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		return -errno;
	close_others(keep, nkeep);
	return o->no_seccomp ? 0 : dm_seccomp_install();
}

static void machine_msi(void *arg, uint64_t addr, uint32_t data)
{
	struct dm_machine *m = arg;

	m->tr->msi(m, addr, data);
}

static int open_transport(struct dm_machine *m, const char *spec)
{
	if (!strncmp(spec, "test:", 5)) {
		m->tr = &dm_transport_test;
		return m->tr->open(m, spec + 5);
	}
	DM_LOG("transport %s: only test:SOCKET exists until the hypervisor's ioreq path lands",
	       spec);
	return -ENOSYS;
}

int main(int argc, char **argv)
{
	static struct dm_opts o;
	struct dm_blk *disk[DM_MAX_DISKS];
	struct dm_net *nic[DM_MAX_NICS];
	struct dm_con *con = NULL;
	int keep[DM_MAX_KEEP];
	unsigned nkeep = 0, i;
	int rc;

	parse_args(&o, argc, argv);
	signal(SIGPIPE, SIG_IGN);
	if (dm_loop_init())
		return 1;
	dm_pci_bus_init(&machine.bus, machine_msi, &machine);
	keep[nkeep++] = 2;
	keep[nkeep++] = dm_loop_fd();
	for (i = 0; i < o.nr_disks; i++) {
		disk[i] = dm_blk_open(&o.disk[i]);
		if (!disk[i] || dm_blk_attach(disk[i], &machine.bus, &machine.gm))
			return 1;
		dm_blk_fds(disk[i], keep, &nkeep);
	}
	for (i = 0; i < o.nr_nics; i++) {
		nic[i] = dm_net_open(&o.nic[i]);
		if (!nic[i] || dm_net_attach(nic[i], &machine.bus, &machine.gm))
			return 1;
		dm_net_fds(nic[i], keep, &nkeep);
	}
	if (o.console) {
		struct dm_con_conf cc = {.in_fd = 0, .out_fd = 1};

		con = dm_con_open(&cc);
		if (!con || dm_con_attach(con, &machine.bus, &machine.gm))
			return 1;
		dm_con_fds(con, keep, &nkeep);
	}
	if (open_transport(&machine, o.transport))
		return 1;
	machine.tr->fds(&machine, keep, &nkeep);
	rc = drop_privileges(&o, keep, nkeep);
	if (rc) {
		DM_LOG("dropping privileges failed: %s", strerror(-rc));
		return 1;
	}
	if (machine.tr->start(&machine))
		return 1;
	DM_LOG("domain %ld: %u disk(s), %u nic(s), console %s, serving", o.domid, o.nr_disks,
	       o.nr_nics, con ? "yes" : "no");
	rc = dm_loop_run();
	DM_LOG("domain %ld: exiting (%d)", o.domid, rc);
	return rc ? 1 : 0;
}
