/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ops.c: the XenAPI-facing operations on networks, PIFs, VLANs, bonds, VIFs and
 * tunnels.
 *
 * Design: every operation first validates its arguments against the records
 * (st) and the state read back from OVSDB, failing with the XenAPI error before
 * anything changes; then it builds one ovs-vsctl transaction (tx.c) and runs
 * it. Only VIF locking rules need a second step (ovs-ofctl), undone by removing
 * the port again if it fails.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netint.h"

#define FAIL(...)                                  \
	do {                                       \
		net_err_set(err, __VA_ARGS__);     \
		return -1;                         \
	} while (0)

static int run_tx(struct net *n, struct argv *a, struct net_err *err)
{
	int rc = net_vsctl(n, a, NULL, err);

	argv_free(a);
	return rc;
}

/* Is name taken: by a record, an OVS bridge, or any other kernel interface? */
static bool bridge_taken(struct net *n, const struct net_state *st, struct ovsdb_view *v,
			 const char *name, const char *except_network)
{
	char path[512];
	struct stat sb;
	const char *owner;

	for (size_t i = 0; i < st->n_networks; i++)
		if (!strcmp(st->networks[i].bridge, name) &&
		    strcmp(st->networks[i].uuid, except_network))
			return true;
	if (ovsdb_bridge_exists(v, name)) {
		owner = ovsdb_bridge_network(v, name);
		return strcmp(owner, except_network) != 0;
	}
	if (ovsdb_row(v->ports, "name", name))
		return true;
	snprintf(path, sizeof(path), "%s/%s", n->sysfs, name);
	return stat(path, &sb) == 0;
}

static int pick_bridge(struct net *n, const struct net_state *st, struct ovsdb_view *v,
		       const char *prefix, int start, const char *network, char *out)
{
	char name[64];

	for (int i = start; i < 10000; i++) {
		snprintf(name, sizeof(name), "%s%d", prefix, i);
		if (strlen(name) >= NET_IFNAME_SIZE)
			break;
		if (!bridge_taken(n, st, v, name, network)) {
			memcpy(out, name, strlen(name) + 1);
			return 0;
		}
	}
	return -1;
}

static int check_network_fields(const struct net_network *nw, struct net_err *err)
{
	char mtu[16];

	if (!net_valid_uuid(nw->uuid))
		FAIL(NET_E_UUID_INVALID, 2, "network", nw->uuid);
	if (nw->bridge[0] && !net_valid_ifname(nw->bridge))
		FAIL(NET_E_INVALID_VALUE, 2, "bridge", nw->bridge);
	snprintf(mtu, sizeof(mtu), "%u", nw->MTU);
	if (nw->MTU && (nw->MTU < 68 || nw->MTU > 9216))
		FAIL(NET_E_INVALID_VALUE, 2, "MTU", mtu);
	if (nw->default_locking_mode != NET_LOCK_UNLOCKED &&
	    nw->default_locking_mode != NET_LOCK_DISABLED)
		FAIL(NET_E_INVALID_VALUE, 2, "default_locking_mode",
		     net_locking_name(nw->default_locking_mode));
	return 0;
}

int net_network_create(struct net *n, const struct net_state *st, struct net_network *nw,
		       struct net_err *err)
{
	struct ovsdb_view v;
	struct argv a;
	int rc = -1;

	if (check_network_fields(nw, err))
		return -1;
	if (net_state_network(st, nw->uuid))
		FAIL(NET_E_INVALID_VALUE, 2, "uuid", nw->uuid);
	if (ovsdb_read(n, &v, err))
		return -1;
	if (!nw->bridge[0] && pick_bridge(n, st, &v, "xapi", 0, nw->uuid, nw->bridge)) {
		net_err_internal(err, "no free bridge name");
		goto out;
	}
	if (bridge_taken(n, st, &v, nw->bridge, nw->uuid)) {
		net_err_set(err, NET_E_BRIDGE_NAME_EXISTS, 1, nw->bridge);
		goto out;
	}
	if (!nw->MTU)
		nw->MTU = 1500;
	argv_init(&a);
	net_tx_bridge(n, &a, st, nw);
	rc = run_tx(n, &a, err);
out:
	ovsdb_view_free(&v);
	return rc;
}

int net_network_destroy(struct net *n, const struct net_state *st, const char *network,
			struct net_err *err)
{
	const struct net_network *nw = net_state_network(st, network);
	struct argv a;

	if (!nw)
		FAIL(NET_E_HANDLE_INVALID, 2, "network", network);
	for (size_t i = 0; i < st->n_pifs; i++)
		if (!strcmp(st->pifs[i].network, network))
			FAIL(NET_E_NETWORK_CONTAINS_PIF, 1, st->pifs[i].uuid);
	for (size_t i = 0; i < st->n_vifs; i++)
		if (!strcmp(st->vifs[i].network, network) && st->vifs[i].currently_attached)
			FAIL(NET_E_NETWORK_CONTAINS_VIF, 1, st->vifs[i].uuid);
	argv_init(&a);
	argv_cmd(&a);
	argv_add(&a, "--if-exists");
	argv_add(&a, "del-br");
	argv_add(&a, "%s", nw->bridge);
	return run_tx(n, &a, err);
}

/* ---- PIFs ---- */

static int read_sysfs(struct net *n, const char *dev, const char *attr, char *buf, size_t size)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", n->sysfs, dev, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static bool pif_device_known(const struct net_state *st, const char *dev)
{
	for (size_t i = 0; i < st->n_pifs; i++)
		if (st->pifs[i].VLAN < 0 && !strcmp(st->pifs[i].device, dev))
			return true;
	return false;
}

/* eth3 -> 3: the xenbr number follows the NIC's number when it has one. */
static int device_index(const char *dev)
{
	size_t l = strlen(dev), i = l;

	while (i > 0 && dev[i - 1] >= '0' && dev[i - 1] <= '9')
		i--;
	return i < l ? atoi(dev + i) : 0;
}

static int make_pif(struct net *n, const struct net_state *st, struct ovsdb_view *v,
		    const char *dev, struct net_pif *pif, struct net_network *nw,
		    struct net_err *err)
{
	char mtu[16] = "";

	memset(pif, 0, sizeof(*pif));
	memset(nw, 0, sizeof(*nw));
	if (read_sysfs(n, dev, "address", pif->MAC, sizeof(pif->MAC)) ||
	    !net_valid_mac(pif->MAC))
		FAIL(NET_E_PIF_DEVICE_NOT_FOUND, 1, dev);
	read_sysfs(n, dev, "mtu", mtu, sizeof(mtu));
	net_uuid_generate(pif->uuid);
	net_uuid_generate(nw->uuid);
	snprintf(pif->device, sizeof(pif->device), "%s", dev);
	snprintf(pif->network, sizeof(pif->network), "%s", nw->uuid);
	pif->MTU = mtu[0] ? (unsigned)atoi(mtu) : 1500;
	pif->VLAN = -1;
	pif->physical = true;
	nw->MTU = pif->MTU;
	nw->default_locking_mode = NET_LOCK_UNLOCKED;
	snprintf(nw->name_label, sizeof(nw->name_label), "Network on %s", dev);
	if (pick_bridge(n, st, v, "xenbr", device_index(dev), nw->uuid, nw->bridge)) {
		net_err_internal(err, "no free bridge name for %s", dev);
		return -1;
	}
	return 0;
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* A NIC is physical when sysfs links it to a device (veth, tap, bridges are not). */
static bool is_physical(struct net *n, const char *dev)
{
	char path[512];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s/device", n->sysfs, dev);
	return stat(path, &sb) == 0;
}

int net_pif_scan(struct net *n, const struct net_state *st, struct net_pif *pifs,
		 struct net_network *nets, size_t max, size_t *count, struct net_err *err)
{
	struct dirent **ents = NULL;
	struct ovsdb_view v;
	struct net_state grown = *st;
	int nents, rc = 0;

	*count = 0;
	if (ovsdb_read(n, &v, err))
		return -1;
	nents = scandir(n->sysfs, &ents, NULL, name_cmp);
	if (nents < 0) {
		ovsdb_view_free(&v);
		net_err_internal(err, "cannot list %s", n->sysfs);
		return -1;
	}
	for (int i = 0; i < nents && rc == 0; i++) {
		const char *dev = ents[i]->d_name;
		if (dev[0] == '.' || !is_physical(n, dev) || pif_device_known(st, dev))
			continue;
		if (*count >= max)
			continue;
		/* Later picks must see the bridges named so far. */
		grown.networks = nets;
		grown.n_networks = *count;
		if (make_pif(n, &grown, &v, dev, &pifs[*count], &nets[*count], err) == 0)
			(*count)++;
		else
			rc = -1;
	}
	for (int i = 0; i < nents; i++)
		free(ents[i]);
	free(ents);
	ovsdb_view_free(&v);
	return rc;
}

int net_pif_introduce(struct net *n, const struct net_state *st, const char *device,
		      struct net_pif *pif, struct net_network *nw, struct net_err *err)
{
	struct ovsdb_view v;
	int rc;

	if (!net_valid_ifname(device))
		FAIL(NET_E_INVALID_VALUE, 2, "device", device ? device : "");
	if (pif_device_known(st, device))
		FAIL(NET_E_DUPLICATE_PIF_DEVICE_NAME, 1, device);
	if (ovsdb_read(n, &v, err))
		return -1;
	rc = make_pif(n, st, &v, device, pif, nw, err);
	ovsdb_view_free(&v);
	return rc;
}

/* NETWORK_ALREADY_CONNECTED: another PIF of this host is attached to network. */
static const struct net_pif *other_attached_pif(const struct net_state *st,
						 const char *network, const char *self)
{
	for (size_t i = 0; i < st->n_pifs; i++) {
		const struct net_pif *p = &st->pifs[i];
		if (!strcmp(p->network, network) && strcmp(p->uuid, self) &&
		    p->currently_attached)
			return p;
	}
	return NULL;
}

int net_pif_plug(struct net *n, const struct net_state *st, const char *uuid,
		 struct net_err *err)
{
	const struct net_pif *pif = net_state_pif(st, uuid), *other;
	struct argv a;

	if (!pif)
		FAIL(NET_E_HANDLE_INVALID, 2, "PIF", uuid);
	other = other_attached_pif(st, pif->network, pif->uuid);
	if (other)
		FAIL(NET_E_NETWORK_ALREADY_CONNECTED, 2, pif->network, other->uuid);
	argv_init(&a);
	if (net_tx_pif(n, &a, st, pif, err)) {
		argv_free(&a);
		return -1;
	}
	return run_tx(n, &a, err);
}

int net_pif_unplug(struct net *n, const struct net_state *st, const char *uuid,
		   struct net_err *err)
{
	const struct net_pif *pif = net_state_pif(st, uuid);
	const char *br;
	struct argv a;

	if (!pif)
		FAIL(NET_E_HANDLE_INVALID, 2, "PIF", uuid);
	argv_init(&a);
	argv_cmd(&a);
	argv_add(&a, "--if-exists");
	if (pif->VLAN >= 0 && (br = net_state_bridge(st, pif->network))) {
		argv_add(&a, "del-br");
		argv_add(&a, "%s", br);
	} else {
		argv_add(&a, "del-port");
		argv_add(&a, "%s", pif->device);
	}
	return run_tx(n, &a, err);
}

static int netmask_prefix(const char *mask)
{
	unsigned a, b, c, d, m, p = 0;

	if (!net_valid_ipv4(mask) || sscanf(mask, "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
		return -1;
	m = a << 24 | b << 16 | c << 8 | d;
	while (p < 32 && (m & (0x80000000u >> p)))
		p++;
	return (p == 32 || (m << p) == 0) ? (int)p : -1;
}

static int run_ip(struct net *n, const char *const *args, struct net_err *err,
		  const char *pif)
{
	const char *argv[16] = {n->ip};
	char *e = NULL;
	int rc, i;

	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	rc = net_run(argv, NULL, n->timeout, n->verbose, NULL, &e);
	if (rc) {
		e[strcspn(e, "\n")] = '\0';
		net_err_set(err, NET_E_PIF_CONFIGURATION_ERROR, 2, pif, e);
	}
	free(e);
	return rc ? -1 : 0;
}

int net_pif_reconfigure_ip(struct net *n, const struct net_state *st, const char *uuid,
			   enum net_ip_mode mode, const char *ip, const char *netmask,
			   const char *gateway, struct net_err *err)
{
	const struct net_pif *pif = net_state_pif(st, uuid);
	const char *br;
	char cidr[64];
	int prefix = -1;

	if (!pif)
		FAIL(NET_E_HANDLE_INVALID, 2, "PIF", uuid);
	br = net_state_bridge(st, pif->network);
	if (!br)
		FAIL(NET_E_HANDLE_INVALID, 2, "network", pif->network);
	if (mode == NET_IP_STATIC) {
		if (!net_valid_ipv4(ip))
			FAIL(NET_E_INVALID_VALUE, 2, "IP", ip ? ip : "");
		if ((prefix = netmask_prefix(netmask)) < 0)
			FAIL(NET_E_INVALID_VALUE, 2, "netmask", netmask ? netmask : "");
		if (gateway && gateway[0] && !net_valid_ipv4(gateway))
			FAIL(NET_E_INVALID_VALUE, 2, "gateway", gateway);
	} else if (mode != NET_IP_NONE && mode != NET_IP_DHCP) {
		FAIL(NET_E_INVALID_VALUE, 2, "mode", net_ip_mode_name(mode));
	}
	if (run_ip(n, (const char *[]){"addr", "flush", "dev", br, NULL}, err, uuid))
		return -1;
	if (mode == NET_IP_NONE)
		return 0;
	if (run_ip(n, (const char *[]){"link", "set", br, "up", NULL}, err, uuid))
		return -1;
	if (mode == NET_IP_DHCP) {
		const char *argv[] = {"dhclient", "-1", "-nw", br, NULL};
		if (net_run(argv, NULL, n->timeout, n->verbose, NULL, NULL) != 0)
			FAIL(NET_E_PIF_CONFIGURATION_ERROR, 2, uuid, "dhclient failed");
		return 0;
	}
	snprintf(cidr, sizeof(cidr), "%s/%d", ip, prefix);
	if (run_ip(n, (const char *[]){"addr", "add", cidr, "dev", br, NULL}, err, uuid))
		return -1;
	if (gateway && gateway[0])
		return run_ip(n, (const char *[]){"route", "replace", "default", "via", gateway,
						  "dev", br, NULL}, err, uuid);
	return 0;
}

int net_management_reconfigure(struct net *n, const struct net_state *st, const char *uuid,
			       struct net_err *err)
{
	const struct net_pif *pif = net_state_pif(st, uuid);

	if (!pif)
		FAIL(NET_E_HANDLE_INVALID, 2, "PIF", uuid);
	if (pif->ip_configuration_mode == NET_IP_NONE)
		FAIL(NET_E_PIF_HAS_NO_NETWORK_CONFIGURATION, 1, uuid);
	if (!pif->currently_attached && net_pif_plug(n, st, uuid, err))
		return -1;
	if (net_pif_reconfigure_ip(n, st, uuid, pif->ip_configuration_mode, pif->IP,
				   pif->netmask, pif->gateway, err))
		return -1;
	for (size_t i = 0; i < st->n_pifs; i++) {
		const struct net_pif *old = &st->pifs[i];
		if (!old->management || old == pif || !old->currently_attached)
			continue;
		NET_LOG("management moves from PIF %s to PIF %s", old->uuid, uuid);
		if (net_pif_reconfigure_ip(n, st, old->uuid, NET_IP_NONE, NULL, NULL, NULL, err))
			return -1;
	}
	return 0;
}
