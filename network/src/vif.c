/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vif.c: VIF.plug/unplug with locking rules, and VXLAN private networks.
 *
 * Design: the port vif<domid>.<device> is replaced atomically in one
 * transaction (--if-exists del-port ... -- add-port ...) with all its
 * external_ids; the locking rules follow through ovs-ofctl. If the rules cannot
 * be installed the port is removed again, so a VIF is never on the bridge
 * without the rules its mode requires.
 */
#include <stdlib.h>
#include <string.h>

#include "netint.h"

#define FAIL(...)                                  \
	do {                                       \
		net_err_set(err, __VA_ARGS__);     \
		return -1;                         \
	} while (0)

static int vif_checks(const struct net_state *st, const struct net_vif *vif,
		      struct net_err *err)
{
	char domid[32];

	snprintf(domid, sizeof(domid), "%ld", vif->domid);
	if (!net_valid_mac(vif->MAC))
		FAIL(NET_E_MAC_INVALID, 1, vif->MAC);
	if (vif->domid < 0 || vif->domid > 0x7fff)
		FAIL(NET_E_INVALID_VALUE, 2, "domid", domid);
	if (!vif->device[0] || strspn(vif->device, "0123456789") != strlen(vif->device) ||
	    strlen(vif->device) > 4)
		FAIL(NET_E_INVALID_VALUE, 2, "device", vif->device);
	if (!net_state_bridge(st, vif->network))
		FAIL(NET_E_HANDLE_INVALID, 2, "network", vif->network);
	for (size_t i = 0; i < vif->n_ipv4_allowed && i < NET_ADDRS_MAX; i++)
		if (!net_valid_ipv4(vif->ipv4_allowed[i]))
			FAIL(NET_E_INVALID_VALUE, 2, "ipv4_allowed", vif->ipv4_allowed[i]);
	for (size_t i = 0; i < vif->n_ipv6_allowed && i < NET_ADDRS_MAX; i++)
		if (!net_valid_ipv6(vif->ipv6_allowed[i]))
			FAIL(NET_E_INVALID_VALUE, 2, "ipv6_allowed", vif->ipv6_allowed[i]);
	return 0;
}

static int del_port(struct net *n, const struct net_vif *vif, struct net_err *err)
{
	char port[NET_IFNAME_SIZE];
	struct argv a;
	int rc;

	net_vif_port_name(vif, port, sizeof(port));
	argv_init(&a);
	argv_cmd(&a);
	argv_add(&a, "--if-exists");
	argv_add(&a, "del-port");
	argv_add(&a, "%s", port);
	rc = net_vsctl(n, &a, NULL, err);
	argv_free(&a);
	return rc;
}

int net_vif_plug(struct net *n, const struct net_state *st, const char *uuid,
		 struct net_err *err)
{
	const struct net_vif *vif = net_state_vif(st, uuid);
	struct net_err ignored;
	struct argv a;
	int rc;

	if (!vif)
		FAIL(NET_E_HANDLE_INVALID, 2, "VIF", uuid);
	if (vif->currently_attached)
		FAIL(NET_E_DEVICE_ALREADY_ATTACHED, 1, uuid);
	if (vif_checks(st, vif, err))
		return -1;
	argv_init(&a);
	net_tx_vif(n, &a, st, vif);
	rc = net_vsctl(n, &a, NULL, err);
	argv_free(&a);
	if (rc)
		return -1;
	if (net_flows_install(n, st, vif, err) == 0)
		return 0;
	NET_LOG("VIF %s: locking rules failed, removing its port", uuid);
	del_port(n, vif, &ignored);
	return -1;
}

int net_vif_unplug(struct net *n, const struct net_state *st, const char *uuid,
		   struct net_err *err)
{
	const struct net_vif *vif = net_state_vif(st, uuid);
	struct net_err ignored;

	if (!vif)
		FAIL(NET_E_HANDLE_INVALID, 2, "VIF", uuid);
	if (!vif->currently_attached)
		FAIL(NET_E_DEVICE_ALREADY_DETACHED, 1, uuid);
	/* The rules go first; a vanished bridge took them with it. */
	if (net_flows_remove(n, st, vif, &ignored))
		NET_LOG("VIF %s: no rules removed: %s", uuid, ignored.params[0]);
	return del_port(n, vif, err);
}

int net_vif_apply_locking(struct net *n, const struct net_state *st, const char *uuid,
			  struct net_err *err)
{
	const struct net_vif *vif = net_state_vif(st, uuid);

	if (!vif)
		FAIL(NET_E_HANDLE_INVALID, 2, "VIF", uuid);
	if (vif_checks(st, vif, err))
		return -1;
	if (!vif->currently_attached)
		return 0;	/* applied at plug time */
	return net_flows_install(n, st, vif, err);
}

int net_tunnel_create(struct net *n, const struct net_state *st, struct net_tunnel *t,
		      struct net_err *err)
{
	char key[16];
	struct argv a;
	int rc;

	snprintf(key, sizeof(key), "%u", t->key);
	if (!t->uuid[0])
		net_uuid_generate(t->uuid);
	if (!net_state_bridge(st, t->network))
		FAIL(NET_E_HANDLE_INVALID, 2, "network", t->network);
	if (t->key < 1 || t->key > 16777215)
		FAIL(NET_E_INVALID_VALUE, 2, "key", key);
	for (size_t i = 0; i < st->n_tunnels; i++)
		if (st->tunnels[i].key == t->key && strcmp(st->tunnels[i].uuid, t->uuid))
			FAIL(NET_E_INVALID_VALUE, 2, "key", key);
	if (t->n_remotes > NET_REMOTES_MAX)
		FAIL(NET_E_INVALID_VALUE, 2, "remote_ips", "too many");
	for (size_t i = 0; i < t->n_remotes; i++)
		if (!net_valid_ipv4(t->remote_ips[i]))
			FAIL(NET_E_INVALID_VALUE, 2, "remote_ip", t->remote_ips[i]);
	if (t->local_ip[0] && !net_valid_ipv4(t->local_ip))
		FAIL(NET_E_TRANSPORT_PIF_NOT_CONFIGURED, 1, t->local_ip);
	argv_init(&a);
	net_tx_tunnel(&a, st, t);
	rc = net_vsctl(n, &a, NULL, err);
	argv_free(&a);
	return rc;
}
