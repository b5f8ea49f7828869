/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * net-tool: the network library from the command line, for tests and debugging.
 *
 * Design: records live in a JSON state file (--state) standing in for the
 * daemon's database; each command loads it, calls one library operation, and
 * on success saves the updated records. Commands are dispatched from a table;
 * an unknown command fails loudly. Results go to stdout as JSON; a XenAPI
 * error is printed as {"error": [CODE, params...]} with exit status 2.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "net.h"
#include "state.h"

#define EXIT_XENAPI 2
#define EXIT_USAGE  64
#define OPTS_MAX    32

struct opts {
	const char *pos[OPTS_MAX];
	int npos;
	const char *key[OPTS_MAX], *val[OPTS_MAX];
	int nkv;
};

struct ctx {
	struct net *n;
	struct net_state st;
	const char *state_path;
	struct opts o;
	struct net_err err;
};

static const char *opt(const struct opts *o, const char *key)
{
	for (int i = 0; i < o->nkv; i++)
		if (!strcmp(o->key[i], key))
			return o->val[i];
	return NULL;
}

/* Collects every value of a repeated option into a string array. */
static int opt_all(const struct opts *o, const char *key, char (*dst)[NET_IP_SIZE],
		   size_t max, size_t *n)
{
	*n = 0;
	for (int i = 0; i < o->nkv; i++) {
		if (strcmp(o->key[i], key))
			continue;
		if (*n >= max || strlen(o->val[i]) >= NET_IP_SIZE)
			return -1;
		strcpy(dst[(*n)++], o->val[i]);
	}
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2)) {
			if (o->npos >= OPTS_MAX)
				return -1;
			o->pos[o->npos++] = argv[i];
			continue;
		}
		if (i + 1 >= argc || o->nkv >= OPTS_MAX)
			return -1;
		o->key[o->nkv] = argv[i] + 2;
		o->val[o->nkv++] = argv[++i];
	}
	return 0;
}

static int fail(struct ctx *c)
{
	json_t *e = json_array();

	json_array_append_new(e, json_string(net_errcode_name(c->err.code)));
	for (int i = 0; i < c->err.nparams; i++)
		json_array_append_new(e, json_string(c->err.params[i]));
	json_t *root = json_pack("{s:o}", "error", e);
	json_dumpf(root, stdout, JSON_COMPACT);
	printf("\n");
	json_decref(root);
	return EXIT_XENAPI;
}

static void net_err_set_tool(struct net_err *e, enum net_errcode code, const char *p0,
			     const char *p1)
{
	memset(e, 0, sizeof(*e));
	e->code = code;
	e->nparams = p1 ? 2 : 1;
	snprintf(e->params[0], NET_ERR_PARAM_SIZE, "%s", p0);
	if (p1)
		snprintf(e->params[1], NET_ERR_PARAM_SIZE, "%s", p1);
}

static int usage_err(const char *cmd, const char *why)
{
	fprintf(stderr, "net-tool: %s: %s\n", cmd, why);
	return EXIT_USAGE;
}

static int save_ok(struct ctx *c, const char *what, const char *uuid)
{
	if (state_save(c->state_path, &c->st)) {
		fprintf(stderr, "net-tool: %s: cannot write %s\n", __func__, c->state_path);
		return 1;
	}
	printf("{\"%s\": \"%s\"}\n", what, uuid ? uuid : "");
	return 0;
}

/* ---- commands ---- */

static int cmd_reconcile(struct ctx *c)
{
	int changes = 0;

	if (net_reconcile(c->n, &c->st, &changes, &c->err))
		return fail(c);
	printf("{\"changes\": %d}\n", changes);
	return 0;
}

static int cmd_show(struct ctx *c)
{
	char *s;

	if (net_show(c->n, &s, &c->err))
		return fail(c);
	printf("%s\n", s);
	free(s);
	return 0;
}

static int cmd_network_create(struct ctx *c)
{
	struct net_network nw = {.default_locking_mode = NET_LOCK_UNLOCKED};
	const char *v;

	snprintf(nw.uuid, sizeof(nw.uuid), "%s", opt(&c->o, "uuid") ? opt(&c->o, "uuid") : "");
	if (!nw.uuid[0])
		net_uuid_generate(nw.uuid);
	if ((v = opt(&c->o, "bridge")) && strlen(v) >= sizeof(nw.bridge)) {
		net_err_set_tool(&c->err, NET_E_INVALID_VALUE, "bridge", v);
		return fail(c);
	}
	if (v)
		strcpy(nw.bridge, v);
	if ((v = opt(&c->o, "name")))
		snprintf(nw.name_label, sizeof(nw.name_label), "%s", v);
	if ((v = opt(&c->o, "mtu")))
		nw.MTU = (unsigned)strtoul(v, NULL, 10);
	if ((v = opt(&c->o, "default-locking")) &&
	    net_locking_parse(v, &nw.default_locking_mode))
		return usage_err("network-create", "bad --default-locking");
	if (net_network_create(c->n, &c->st, &nw, &c->err))
		return fail(c);
	if (!state_add_network(&c->st, &nw))
		return 1;
	printf("{\"network\": \"%s\", \"bridge\": \"%s\"}\n", nw.uuid, nw.bridge);
	return state_save(c->state_path, &c->st) ? 1 : 0;
}

#define REMOVE(arr, n, idx)                                                          \
	do {                                                                         \
		memmove(&(arr)[idx], &(arr)[(idx) + 1], ((n) - (idx) - 1) * sizeof(*(arr))); \
		(n)--;                                                               \
	} while (0)

static int cmd_network_destroy(struct ctx *c)
{
	if (c->o.npos != 1)
		return usage_err("network-destroy", "NETWORK");
	if (net_network_destroy(c->n, &c->st, c->o.pos[0], &c->err))
		return fail(c);
	for (size_t i = 0; i < c->st.n_networks; i++)
		if (!strcmp(c->st.networks[i].uuid, c->o.pos[0])) {
			REMOVE(c->st.networks, c->st.n_networks, i);
			break;
		}
	return save_ok(c, "network", c->o.pos[0]);
}

static int cmd_pif_scan(struct ctx *c)
{
	struct net_pif pifs[32];
	struct net_network nets[32];
	size_t n = 0;

	if (net_pif_scan(c->n, &c->st, pifs, nets, 32, &n, &c->err))
		return fail(c);
	printf("{\"PIFs\": [");
	for (size_t i = 0; i < n; i++) {
		if (!state_add_network(&c->st, &nets[i]) || !state_add_pif(&c->st, &pifs[i]))
			return 1;
		printf("%s{\"PIF\": \"%s\", \"device\": \"%s\", \"network\": \"%s\", "
		       "\"bridge\": \"%s\"}", i ? ", " : "", pifs[i].uuid, pifs[i].device,
		       nets[i].uuid, nets[i].bridge);
	}
	printf("]}\n");
	return state_save(c->state_path, &c->st) ? 1 : 0;
}

static int cmd_pif_introduce(struct ctx *c)
{
	struct net_pif pif;
	struct net_network nw;

	if (c->o.npos != 1)
		return usage_err("pif-introduce", "DEVICE");
	if (net_pif_introduce(c->n, &c->st, c->o.pos[0], &pif, &nw, &c->err))
		return fail(c);
	if (!state_add_network(&c->st, &nw) || !state_add_pif(&c->st, &pif))
		return 1;
	printf("{\"PIF\": \"%s\", \"network\": \"%s\", \"bridge\": \"%s\"}\n", pif.uuid,
	       nw.uuid, nw.bridge);
	return state_save(c->state_path, &c->st) ? 1 : 0;
}

static struct net_pif *find_pif(struct ctx *c, const char *uuid)
{
	return (struct net_pif *)net_state_pif(&c->st, uuid);
}

static int cmd_pif_plug(struct ctx *c)
{
	struct net_pif *p;

	if (c->o.npos != 1)
		return usage_err("pif-plug", "PIF");
	if (net_pif_plug(c->n, &c->st, c->o.pos[0], &c->err))
		return fail(c);
	p = find_pif(c, c->o.pos[0]);
	p->currently_attached = true;
	return save_ok(c, "PIF", p->uuid);
}

static int cmd_pif_unplug(struct ctx *c)
{
	struct net_pif *p;

	if (c->o.npos != 1)
		return usage_err("pif-unplug", "PIF");
	if (net_pif_unplug(c->n, &c->st, c->o.pos[0], &c->err))
		return fail(c);
	p = find_pif(c, c->o.pos[0]);
	p->currently_attached = false;
	return save_ok(c, "PIF", p->uuid);
}

static int cmd_pif_reconfigure_ip(struct ctx *c)
{
	enum net_ip_mode mode;
	const char *ip = c->o.npos > 2 ? c->o.pos[2] : "";
	const char *mask = c->o.npos > 3 ? c->o.pos[3] : "";
	const char *gw = c->o.npos > 4 ? c->o.pos[4] : "";
	struct net_pif *p;

	if (c->o.npos < 2 || net_ip_mode_parse(c->o.pos[1], &mode))
		return usage_err("pif-reconfigure-ip", "PIF None|DHCP|Static [IP NETMASK [GW]]");
	if (net_pif_reconfigure_ip(c->n, &c->st, c->o.pos[0], mode, ip, mask, gw, &c->err))
		return fail(c);
	p = find_pif(c, c->o.pos[0]);
	p->ip_configuration_mode = mode;
	snprintf(p->IP, sizeof(p->IP), "%s", ip);
	snprintf(p->netmask, sizeof(p->netmask), "%s", mask);
	snprintf(p->gateway, sizeof(p->gateway), "%s", gw);
	return save_ok(c, "PIF", p->uuid);
}

static int cmd_management_reconfigure(struct ctx *c)
{
	if (c->o.npos != 1)
		return usage_err("management-reconfigure", "PIF");
	if (net_management_reconfigure(c->n, &c->st, c->o.pos[0], &c->err))
		return fail(c);
	for (size_t i = 0; i < c->st.n_pifs; i++)
		c->st.pifs[i].management = !strcmp(c->st.pifs[i].uuid, c->o.pos[0]);
	find_pif(c, c->o.pos[0])->currently_attached = true;
	return save_ok(c, "PIF", c->o.pos[0]);
}

static int cmd_vlan_create(struct ctx *c)
{
	struct net_vlan vl;
	struct net_pif up;
	char *end;
	long tag;

	if (c->o.npos != 3)
		return usage_err("vlan-create", "PIF TAG NETWORK");
	tag = strtol(c->o.pos[1], &end, 10);
	if (*end || !c->o.pos[1][0])
		tag = -1;	/* not a number: VLAN_TAG_INVALID below */
	if (net_vlan_create(c->n, &c->st, c->o.pos[0], tag, c->o.pos[2], &vl, &up, &c->err)) {
		if (c->err.code == NET_E_VLAN_TAG_INVALID)
			snprintf(c->err.params[0], NET_ERR_PARAM_SIZE, "%s", c->o.pos[1]);
		return fail(c);
	}
	if (!state_add_vlan(&c->st, &vl) || !state_add_pif(&c->st, &up))
		return 1;
	printf("{\"VLAN\": \"%s\", \"untagged_PIF\": \"%s\"}\n", vl.uuid, up.uuid);
	return state_save(c->state_path, &c->st) ? 1 : 0;
}

static int cmd_vlan_destroy(struct ctx *c)
{
	if (c->o.npos != 1)
		return usage_err("vlan-destroy", "VLAN");
	if (net_vlan_destroy(c->n, &c->st, c->o.pos[0], &c->err))
		return fail(c);
	for (size_t i = 0; i < c->st.n_vlans; i++) {
		if (strcmp(c->st.vlans[i].uuid, c->o.pos[0]))
			continue;
		for (size_t j = 0; j < c->st.n_pifs; j++)
			if (!strcmp(c->st.pifs[j].uuid, c->st.vlans[i].untagged_PIF)) {
				REMOVE(c->st.pifs, c->st.n_pifs, j);
				break;
			}
		REMOVE(c->st.vlans, c->st.n_vlans, i);
		break;
	}
	return save_ok(c, "VLAN", c->o.pos[0]);
}

static int cmd_bond_create(struct ctx *c)
{
	enum net_bond_mode mode;
	struct net_bond b;
	struct net_pif m;
	const char *lacp = opt(&c->o, "lacp-time");

	if (c->o.npos < 2 || net_bond_mode_parse(c->o.pos[1], &mode))
		return usage_err("bond-create",
				 "NETWORK active-backup|balance-slb|lacp PIF... [--primary PIF]");
	if (net_bond_create(c->n, &c->st, c->o.pos[0], c->o.pos + 2, (size_t)c->o.npos - 2,
			    mode, opt(&c->o, "primary"), &b, &m, &c->err))
		return fail(c);
	b.lacp_fast = lacp && !strcmp(lacp, "fast");
	for (size_t i = 0; i < b.n_slaves; i++)
		snprintf(find_pif(c, b.slaves[i])->bond_slave_of, NET_UUID_SIZE, "%s", b.uuid);
	if (!state_add_bond(&c->st, &b) || !state_add_pif(&c->st, &m))
		return 1;
	if (b.lacp_fast && net_bond_set_mode(c->n, &c->st, b.uuid, mode, &c->err))
		return fail(c);
	printf("{\"Bond\": \"%s\", \"master\": \"%s\", \"device\": \"%s\"}\n", b.uuid, m.uuid,
	       m.device);
	return state_save(c->state_path, &c->st) ? 1 : 0;
}

static int cmd_bond_set_mode(struct ctx *c)
{
	enum net_bond_mode mode;

	if (c->o.npos != 2 || net_bond_mode_parse(c->o.pos[1], &mode))
		return usage_err("bond-set-mode", "BOND MODE");
	if (net_bond_set_mode(c->n, &c->st, c->o.pos[0], mode, &c->err))
		return fail(c);
	((struct net_bond *)net_state_bond(&c->st, c->o.pos[0]))->mode = mode;
	return save_ok(c, "Bond", c->o.pos[0]);
}

static int cmd_bond_destroy(struct ctx *c)
{
	const struct net_bond *b;

	if (c->o.npos != 1)
		return usage_err("bond-destroy", "BOND");
	if (net_bond_destroy(c->n, &c->st, c->o.pos[0], &c->err))
		return fail(c);
	b = net_state_bond(&c->st, c->o.pos[0]);
	for (size_t i = 0; i < b->n_slaves; i++)
		find_pif(c, b->slaves[i])->bond_slave_of[0] = '\0';
	for (size_t j = 0; j < c->st.n_pifs; j++)
		if (!strcmp(c->st.pifs[j].uuid, b->master)) {
			REMOVE(c->st.pifs, c->st.n_pifs, j);
			break;
		}
	REMOVE(c->st.bonds, c->st.n_bonds, (size_t)(b - c->st.bonds));
	return save_ok(c, "Bond", c->o.pos[0]);
}

static int vif_addrs(struct ctx *c, struct net_vif *v)
{
	if (opt_all(&c->o, "ipv4", v->ipv4_allowed, NET_ADDRS_MAX, &v->n_ipv4_allowed) ||
	    opt_all(&c->o, "ipv6", v->ipv6_allowed, NET_ADDRS_MAX, &v->n_ipv6_allowed))
		return -1;
	return 0;
}

static int cmd_vif_create(struct ctx *c)
{
	struct net_vif v = {.domid = -1};
	const char *net = opt(&c->o, "network"), *mac = opt(&c->o, "mac");
	const char *lock = opt(&c->o, "locking");

	if (!net || !mac || vif_addrs(c, &v) ||
	    (lock && net_locking_parse(lock, &v.locking_mode)))
		return usage_err("vif-create", "--network N --mac M [--vm U] [--device D] "
			"[--locking MODE] [--ipv4 A]... [--ipv6 A]...");
	net_uuid_generate(v.uuid);
	snprintf(v.network, sizeof(v.network), "%s", net);
	snprintf(v.MAC, sizeof(v.MAC), "%s", mac);
	snprintf(v.device, sizeof(v.device), "%s", opt(&c->o, "device") ? opt(&c->o, "device") : "0");
	if (opt(&c->o, "vm"))
		snprintf(v.VM, sizeof(v.VM), "%s", opt(&c->o, "vm"));
	else
		net_uuid_generate(v.VM);
	if (!net_state_network(&c->st, net)) {
		net_err_set_tool(&c->err, NET_E_HANDLE_INVALID, "network", net);
		return fail(c);
	}
	if (!net_valid_mac(mac)) {
		net_err_set_tool(&c->err, NET_E_MAC_INVALID, mac, NULL);
		return fail(c);
	}
	if (!state_add_vif(&c->st, &v))
		return 1;
	return save_ok(c, "VIF", v.uuid);
}

static struct net_vif *find_vif(struct ctx *c, const char *uuid)
{
	return (struct net_vif *)net_state_vif(&c->st, uuid);
}

static int cmd_vif_plug(struct ctx *c)
{
	struct net_vif *v;
	long old;

	if (c->o.npos != 2)
		return usage_err("vif-plug", "VIF DOMID");
	v = find_vif(c, c->o.pos[0]);
	if (!v) {
		net_vif_plug(c->n, &c->st, c->o.pos[0], &c->err);
		return fail(c);
	}
	old = v->domid;
	v->domid = strtol(c->o.pos[1], NULL, 10);
	if (net_vif_plug(c->n, &c->st, v->uuid, &c->err)) {
		v->domid = old;
		return fail(c);
	}
	v->currently_attached = true;
	return save_ok(c, "VIF", v->uuid);
}

static int cmd_vif_unplug(struct ctx *c)
{
	if (c->o.npos != 1)
		return usage_err("vif-unplug", "VIF");
	if (net_vif_unplug(c->n, &c->st, c->o.pos[0], &c->err))
		return fail(c);
	find_vif(c, c->o.pos[0])->currently_attached = false;
	return save_ok(c, "VIF", c->o.pos[0]);
}

static int cmd_vif_set_locking(struct ctx *c)
{
	struct net_vif *v, saved;

	if (c->o.npos != 2)
		return usage_err("vif-set-locking", "VIF MODE [--ipv4 A]... [--ipv6 A]...");
	v = find_vif(c, c->o.pos[0]);
	if (!v) {
		net_vif_apply_locking(c->n, &c->st, c->o.pos[0], &c->err);
		return fail(c);
	}
	saved = *v;
	if (net_locking_parse(c->o.pos[1], &v->locking_mode) || vif_addrs(c, v))
		return usage_err("vif-set-locking", "bad mode or addresses");
	if (net_vif_apply_locking(c->n, &c->st, v->uuid, &c->err)) {
		*v = saved;
		return fail(c);
	}
	return save_ok(c, "VIF", v->uuid);
}

static int cmd_tunnel_create(struct ctx *c)
{
	struct net_tunnel t;

	memset(&t, 0, sizeof(t));
	if (c->o.npos < 3)
		return usage_err("tunnel-create", "NETWORK KEY REMOTE_IP... [--local IP]");
	snprintf(t.network, sizeof(t.network), "%s", c->o.pos[0]);
	t.key = (uint32_t)strtoul(c->o.pos[1], NULL, 10);
	snprintf(t.local_ip, sizeof(t.local_ip), "%s", opt(&c->o, "local") ? opt(&c->o, "local") : "");
	for (int i = 2; i < c->o.npos && t.n_remotes < NET_REMOTES_MAX; i++)
		snprintf(t.remote_ips[t.n_remotes++], NET_IP_SIZE, "%s", c->o.pos[i]);
	if (net_tunnel_create(c->n, &c->st, &t, &c->err))
		return fail(c);
	if (!state_add_tunnel(&c->st, &t))
		return 1;
	return save_ok(c, "tunnel", t.uuid);
}

/* Pure: prints the rules a VIF would get, for checking by hand. */
static int cmd_flows(struct ctx *c)
{
	struct net_vif v = {.domid = 0};
	enum net_locking mode = NET_LOCK_LOCKED;
	const char *mac = opt(&c->o, "mac"), *port = opt(&c->o, "ofport");
	char buf[8192];

	if (!mac || !port || vif_addrs(c, &v) ||
	    (opt(&c->o, "mode") && net_locking_parse(opt(&c->o, "mode"), &mode)))
		return usage_err("flows", "--mac M --ofport N [--mode M] [--ipv4 A] [--ipv6 A]");
	snprintf(v.MAC, sizeof(v.MAC), "%s", mac);
	snprintf(v.device, sizeof(v.device), "0");
	if (net_vif_flows(&v, mode, atoi(port), net_vif_cookie(&v), buf, sizeof(buf)) < 0)
		return usage_err("flows", "invalid address, MAC or port");
	fputs(buf, stdout);
	return 0;
}

struct command {
	const char *name;
	int (*fn)(struct ctx *c);
	bool needs_state;
};

static const struct command commands[] = {
	{"reconcile", cmd_reconcile, true},
	{"show", cmd_show, true},
	{"network-create", cmd_network_create, true},
	{"network-destroy", cmd_network_destroy, true},
	{"pif-scan", cmd_pif_scan, true},
	{"pif-introduce", cmd_pif_introduce, true},
	{"pif-plug", cmd_pif_plug, true},
	{"pif-unplug", cmd_pif_unplug, true},
	{"pif-reconfigure-ip", cmd_pif_reconfigure_ip, true},
	{"management-reconfigure", cmd_management_reconfigure, true},
	{"vlan-create", cmd_vlan_create, true},
	{"vlan-destroy", cmd_vlan_destroy, true},
	{"bond-create", cmd_bond_create, true},
	{"bond-set-mode", cmd_bond_set_mode, true},
	{"bond-destroy", cmd_bond_destroy, true},
	{"vif-create", cmd_vif_create, true},
	{"vif-plug", cmd_vif_plug, true},
	{"vif-unplug", cmd_vif_unplug, true},
	{"vif-set-locking", cmd_vif_set_locking, true},
	{"tunnel-create", cmd_tunnel_create, true},
	{"flows", cmd_flows, false},
};

static void usage(void)
{
	fprintf(stderr, "usage: net-tool [--db REMOTE] [--rundir DIR] [--datapath system|netdev]\n"
			"                [--sysfs DIR] [--timeout S] [-v] --state FILE COMMAND ...\n"
			"commands:");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, " %s", commands[i].name);
	fprintf(stderr, "\n");
}

static int run(struct ctx *c, const struct command *cmd, struct net_config *cfg)
{
	char why[256] = "";
	FILE *f;
	int rc;

	if (c->state_path && (f = fopen(c->state_path, "r"))) {
		fclose(f);
		if (state_load(c->state_path, &c->st, why, sizeof(why)))
			return usage_err(cmd->name, why);
	} else if (c->state_path) {
		memset(&c->st, 0, sizeof(c->st));
	}
	if (net_open(cfg, &c->n, &c->err))
		return fail(c);
	rc = cmd->fn(c);
	net_close(c->n);
	state_free(&c->st);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"db", required_argument, NULL, 'd'}, {"rundir", required_argument, NULL, 'r'},
		{"datapath", required_argument, NULL, 'p'}, {"sysfs", required_argument, NULL, 's'},
		{"timeout", required_argument, NULL, 't'}, {"state", required_argument, NULL, 'S'},
		{"verbose", no_argument, NULL, 'v'}, {NULL, 0, NULL, 0}};
	struct net_config cfg = {0};
	struct ctx c;
	int ch;

	memset(&c, 0, sizeof(c));
	while ((ch = getopt_long(argc, argv, "+v", lopts, NULL)) != -1) {
		switch (ch) {
		case 'd': cfg.db = optarg; break;
		case 'r': cfg.rundir = optarg; break;
		case 'p': cfg.datapath_type = optarg; break;
		case 's': cfg.sysfs_net = optarg; break;
		case 't': cfg.timeout = atoi(optarg); break;
		case 'S': c.state_path = optarg; break;
		case 'v': cfg.verbose = 1; break;
		default: usage(); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage();
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *cmd = &commands[i];
		if (strcmp(cmd->name, argv[optind]))
			continue;
		if (parse_opts(argc - optind - 1, argv + optind + 1, &c.o))
			return usage_err(cmd->name, "bad arguments");
		if (!c.state_path && cmd->needs_state)
			return usage_err(cmd->name, "--state FILE is required");
		return run(&c, cmd, &cfg);
	}
	fprintf(stderr, "net-tool: %s: unknown command \"%s\"\n", __func__, argv[optind]);
	usage();
	return EXIT_USAGE;
}
