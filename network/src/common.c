/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * common.c: the handle, XenAPI error names, enum names, validation, lookups.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "netint.h"

/* Indexed by enum net_errcode: the exact XenAPI error names. */
static const char *const errnames[NET_E_COUNT] = {
	[NET_OK] = "SUCCESS",
	[NET_E_INTERNAL_ERROR] = "INTERNAL_ERROR",
	[NET_E_HANDLE_INVALID] = "HANDLE_INVALID",
	[NET_E_UUID_INVALID] = "UUID_INVALID",
	[NET_E_INVALID_VALUE] = "INVALID_VALUE",
	[NET_E_MAC_INVALID] = "MAC_INVALID",
	[NET_E_VLAN_TAG_INVALID] = "VLAN_TAG_INVALID",
	[NET_E_PIF_IS_VLAN] = "PIF_IS_VLAN",
	[NET_E_PIF_VLAN_EXISTS] = "PIF_VLAN_EXISTS",
	[NET_E_PIF_ALREADY_BONDED] = "PIF_ALREADY_BONDED",
	[NET_E_PIF_BOND_NEEDS_MORE_MEMBERS] = "PIF_BOND_NEEDS_MORE_MEMBERS",
	[NET_E_PIF_IS_NOT_PHYSICAL] = "PIF_IS_NOT_PHYSICAL",
	[NET_E_PIF_DEVICE_NOT_FOUND] = "PIF_DEVICE_NOT_FOUND",
	[NET_E_DUPLICATE_PIF_DEVICE_NAME] = "DUPLICATE_PIF_DEVICE_NAME",
	[NET_E_CANNOT_ADD_VLAN_TO_BOND_SLAVE] = "CANNOT_ADD_VLAN_TO_BOND_SLAVE",
	[NET_E_CANNOT_PLUG_BOND_SLAVE] = "CANNOT_PLUG_BOND_SLAVE",
	[NET_E_NETWORK_ALREADY_CONNECTED] = "NETWORK_ALREADY_CONNECTED",
	[NET_E_NETWORK_CONTAINS_PIF] = "NETWORK_CONTAINS_PIF",
	[NET_E_NETWORK_CONTAINS_VIF] = "NETWORK_CONTAINS_VIF",
	[NET_E_BRIDGE_NAME_EXISTS] = "BRIDGE_NAME_EXISTS",
	[NET_E_DEVICE_ALREADY_ATTACHED] = "DEVICE_ALREADY_ATTACHED",
	[NET_E_DEVICE_ALREADY_DETACHED] = "DEVICE_ALREADY_DETACHED",
	[NET_E_PIF_CONFIGURATION_ERROR] = "PIF_CONFIGURATION_ERROR",
	[NET_E_TRANSPORT_PIF_NOT_CONFIGURED] = "TRANSPORT_PIF_NOT_CONFIGURED",
	[NET_E_OPENVSWITCH_NOT_ACTIVE] = "OPENVSWITCH_NOT_ACTIVE",
	[NET_E_PIF_HAS_NO_NETWORK_CONFIGURATION] = "PIF_HAS_NO_NETWORK_CONFIGURATION",
};

const char *net_errcode_name(enum net_errcode code)
{
	if ((unsigned)code >= NET_E_COUNT || !errnames[code])
		return "INTERNAL_ERROR";
	return errnames[code];
}

void net_err_set(struct net_err *err, enum net_errcode code, int nparams, ...)
{
	va_list ap;

	if (!err)
		return;
	memset(err, 0, sizeof(*err));
	err->code = code;
	if (nparams > NET_ERR_PARAMS)
		nparams = NET_ERR_PARAMS;
	va_start(ap, nparams);
	for (int i = 0; i < nparams; i++) {
		const char *p = va_arg(ap, const char *);
		snprintf(err->params[i], sizeof(err->params[i]), "%s", p ? p : "");
	}
	va_end(ap);
	err->nparams = nparams;
}

void net_err_internal(struct net_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	memset(err, 0, sizeof(*err));
	err->code = NET_E_INTERNAL_ERROR;
	err->nparams = 1;
	va_start(ap, fmt);
	vsnprintf(err->params[0], sizeof(err->params[0]), fmt, ap);
	va_end(ap);
}

static const char *const lock_names[] = {
	[NET_LOCK_NETWORK_DEFAULT] = "network_default",
	[NET_LOCK_UNLOCKED] = "unlocked",
	[NET_LOCK_LOCKED] = "locked",
	[NET_LOCK_DISABLED] = "disabled",
};
static const char *const ipmode_names[] = {
	[NET_IP_NONE] = "None",
	[NET_IP_DHCP] = "DHCP",
	[NET_IP_STATIC] = "Static",
};
static const char *const bond_names[] = {
	[NET_BOND_BALANCE_SLB] = "balance-slb",
	[NET_BOND_ACTIVE_BACKUP] = "active-backup",
	[NET_BOND_LACP] = "lacp",
};

static int name_parse(const char *const *names, size_t n, const char *s, int *out)
{
	for (size_t i = 0; s && i < n; i++) {
		if (strcmp(names[i], s) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return -1;
}

#define NAME_OF(tbl, v) ((unsigned)(v) < sizeof(tbl) / sizeof(tbl[0]) ? tbl[v] : "?")
#define PARSE(tbl, s, out)                                                         \
	({                                                                         \
		int v_, r_ = name_parse(tbl, sizeof(tbl) / sizeof(tbl[0]), s, &v_); \
		if (!r_)                                                           \
			*(out) = v_;                                               \
		r_;                                                                \
	})

const char *net_locking_name(enum net_locking m) { return NAME_OF(lock_names, m); }
const char *net_ip_mode_name(enum net_ip_mode m) { return NAME_OF(ipmode_names, m); }
const char *net_bond_mode_name(enum net_bond_mode m) { return NAME_OF(bond_names, m); }
int net_locking_parse(const char *s, enum net_locking *out) { return PARSE(lock_names, s, out); }
int net_ip_mode_parse(const char *s, enum net_ip_mode *out) { return PARSE(ipmode_names, s, out); }
int net_bond_mode_parse(const char *s, enum net_bond_mode *out) { return PARSE(bond_names, s, out); }

bool net_valid_uuid(const char *s)
{
	static const int dash[] = {8, 13, 18, 23};
	size_t d = 0;

	if (!s || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (d < 4 && i == dash[d]) {
			if (s[i] != '-')
				return false;
			d++;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

bool net_valid_mac(const char *s)
{
	if (!s || strlen(s) != 17)
		return false;
	for (int i = 0; i < 17; i++) {
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* Interface and bridge names: 1..15 of [A-Za-z0-9._-], not "." or "..". */
bool net_valid_ifname(const char *s)
{
	size_t l = s ? strlen(s) : 0;

	if (l == 0 || l >= NET_IFNAME_SIZE || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (size_t i = 0; i < l; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return false;
	}
	return true;
}

bool net_valid_vlan_tag(long tag)
{
	return tag >= 0 && tag <= 4094;
}

bool net_valid_ipv4(const char *s)
{
	struct in_addr a;

	return s && inet_pton(AF_INET, s, &a) == 1;
}

bool net_valid_ipv6(const char *s)
{
	struct in6_addr a;

	return s && inet_pton(AF_INET6, s, &a) == 1;
}

void net_uuid_generate(char *out)
{
	unsigned char b[16];

	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		memset(b, 0x5a, sizeof(b));	/* never expected: getrandom blocks until seeded */
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, NET_UUID_SIZE,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
		 b[12], b[13], b[14], b[15]);
}

static char *dup_or(const char *s, const char *dflt)
{
	return strdup(s ? s : dflt);
}

void net_close(struct net *n)
{
	if (!n)
		return;
	free(n->db);
	free(n->rundir);
	free(n->dp_type);
	free(n->sysfs);
	free(n->vsctl);
	free(n->ofctl);
	free(n->ip);
	free(n);
}

int net_open(const struct net_config *cfg, struct net **out, struct net_err *err)
{
	struct net *n = calloc(1, sizeof(*n));

	if (!n)
		goto oom;
	n->db = cfg->db ? strdup(cfg->db) : NULL;
	n->rundir = cfg->rundir ? strdup(cfg->rundir) : NULL;
	n->dp_type = dup_or(cfg->datapath_type, "system");
	n->sysfs = dup_or(cfg->sysfs_net, "/sys/class/net");
	n->vsctl = dup_or(cfg->vsctl, "ovs-vsctl");
	n->ofctl = dup_or(cfg->ofctl, "ovs-ofctl");
	n->ip = dup_or(cfg->ip, "ip");
	n->timeout = cfg->timeout > 0 ? cfg->timeout : 10;
	n->verbose = cfg->verbose;
	if ((cfg->db && !n->db) || (cfg->rundir && !n->rundir) || !n->dp_type || !n->sysfs ||
	    !n->vsctl || !n->ofctl || !n->ip)
		goto oom;
	if (strcmp(n->dp_type, "system") && strcmp(n->dp_type, "netdev")) {
		net_err_set(err, NET_E_INVALID_VALUE, 2, "datapath_type", n->dp_type);
		net_close(n);
		return -1;
	}
	*out = n;
	return 0;
oom:
	net_close(n);
	net_err_internal(err, "out of memory");
	return -1;
}

#define LOOKUP(fn, type, arr, cnt)                                         \
	const type *fn(const struct net_state *st, const char *uuid)       \
	{                                                                  \
		for (size_t i = 0; uuid && i < st->cnt; i++)                \
			if (!strcmp(st->arr[i].uuid, uuid))                 \
				return &st->arr[i];                         \
		return NULL;                                               \
	}
LOOKUP(net_state_network, struct net_network, networks, n_networks)
LOOKUP(net_state_pif, struct net_pif, pifs, n_pifs)
LOOKUP(net_state_vif, struct net_vif, vifs, n_vifs)
LOOKUP(net_state_bond, struct net_bond, bonds, n_bonds)

const char *net_state_bridge(const struct net_state *st, const char *network)
{
	const struct net_network *nw = net_state_network(st, network);

	return nw && nw->bridge[0] ? nw->bridge : NULL;
}

const struct net_pif *net_state_vlan_pif_of_network(const struct net_state *st,
						    const char *network)
{
	for (size_t i = 0; i < st->n_pifs; i++)
		if (st->pifs[i].VLAN >= 0 && !strcmp(st->pifs[i].network, network))
			return &st->pifs[i];
	return NULL;
}

/* The PIF a VLAN PIF rides on: the tagged PIF of its VLAN record. */
static const struct net_pif *vlan_tagged_pif(const struct net_state *st,
					     const struct net_pif *vpif)
{
	for (size_t i = 0; i < st->n_vlans; i++)
		if (!strcmp(st->vlans[i].untagged_PIF, vpif->uuid))
			return net_state_pif(st, st->vlans[i].tagged_PIF);
	return NULL;
}

const char *net_state_real_bridge(const struct net_state *st, const char *network)
{
	const struct net_pif *vpif = net_state_vlan_pif_of_network(st, network);
	const struct net_pif *tagged;

	if (!vpif)
		return net_state_bridge(st, network);
	tagged = vlan_tagged_pif(st, vpif);
	return tagged ? net_state_bridge(st, tagged->network) : NULL;
}

void net_vif_port_name(const struct net_vif *vif, char *out, size_t size)
{
	snprintf(out, size, "vif%ld.%s", vif->domid, vif->device);
}
