/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flows.c: OpenFlow rules that enforce a VIF's locking mode.
 *
 * Design: the bridge keeps its default "priority=0 actions=NORMAL" flow; a VIF
 * adds rules matching in_port=<its OpenFlow port>, all tagged with a cookie
 * derived from the VIF (domid, device) so they are removed together.
 *   unlocked  no rules: NORMAL switching.
 *   disabled  drop everything the VIF sends.
 *   locked    pass only frames with the VIF's MAC as source and, for IPv4, ARP
 *             whose sender is MAC/allowed IP and IP with an allowed source; for
 *             IPv6, packets with an allowed source, neighbour advertisements
 *             only for allowed targets, and duplicate address detection
 *             (source ::); drop everything else. No allowed address: drop all.
 * Fake bridges share their parent's flow table, so rules go to the real bridge.
 * A VIF's rules are replaced in one OpenFlow bundle (delete old, add new).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "netint.h"

#define PRIO_ND_ALLOW 1110
#define PRIO_ND_DROP  1105
#define PRIO_ALLOW    1100
#define PRIO_DROP     1000

struct fbuf {
	char *p;
	size_t size, len;
	int overflow;
};

static void fb_add(struct fbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fb_add(struct fbuf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	r = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= b->size - b->len) {
		b->overflow = 1;
		return;
	}
	b->len += (size_t)r;
}

uint64_t net_vif_cookie(const struct net_vif *vif)
{
	unsigned long dev = strtoul(vif->device, NULL, 10);

	return 0xca1e000000000000ULL | ((uint64_t)(vif->domid & 0xffffffff) << 16) |
	       (dev & 0xffff);
}

static void lower_mac(const char *in, char *out)
{
	for (int i = 0; i < NET_MAC_SIZE; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
}

static void locked_v4(struct fbuf *b, const struct net_vif *vif, const char *mac, int port,
		      uint64_t c)
{
	for (size_t i = 0; i < vif->n_ipv4_allowed; i++) {
		const char *ip = vif->ipv4_allowed[i];
		fb_add(b, "cookie=%#llx,priority=%d,arp,in_port=%d,dl_src=%s,arp_sha=%s,"
			  "arp_spa=%s,actions=NORMAL\n",
		       (unsigned long long)c, PRIO_ALLOW, port, mac, mac, ip);
		fb_add(b, "cookie=%#llx,priority=%d,ip,in_port=%d,dl_src=%s,nw_src=%s,"
			  "actions=NORMAL\n",
		       (unsigned long long)c, PRIO_ALLOW, port, mac, ip);
	}
}

static void locked_v6(struct fbuf *b, const struct net_vif *vif, const char *mac, int port,
		      uint64_t c)
{
	unsigned long long ck = (unsigned long long)c;

	if (vif->n_ipv6_allowed == 0)
		return;
	for (size_t i = 0; i < vif->n_ipv6_allowed; i++) {
		const char *ip = vif->ipv6_allowed[i];
		fb_add(b, "cookie=%#llx,priority=%d,icmp6,in_port=%d,dl_src=%s,icmp_type=136,"
			  "nd_target=%s,actions=NORMAL\n", ck, PRIO_ND_ALLOW, port, mac, ip);
		fb_add(b, "cookie=%#llx,priority=%d,ipv6,in_port=%d,dl_src=%s,ipv6_src=%s,"
			  "actions=NORMAL\n", ck, PRIO_ALLOW, port, mac, ip);
	}
	fb_add(b, "cookie=%#llx,priority=%d,icmp6,in_port=%d,icmp_type=136,actions=drop\n", ck,
	       PRIO_ND_DROP, port);
	fb_add(b, "cookie=%#llx,priority=%d,icmp6,in_port=%d,dl_src=%s,ipv6_src=::,"
		  "icmp_type=135,actions=NORMAL\n", ck, PRIO_ALLOW, port, mac);
}

static bool addrs_valid(const struct net_vif *vif)
{
	if (vif->n_ipv4_allowed > NET_ADDRS_MAX || vif->n_ipv6_allowed > NET_ADDRS_MAX ||
	    !net_valid_mac(vif->MAC))
		return false;
	for (size_t i = 0; i < vif->n_ipv4_allowed; i++)
		if (!net_valid_ipv4(vif->ipv4_allowed[i]))
			return false;
	for (size_t i = 0; i < vif->n_ipv6_allowed; i++)
		if (!net_valid_ipv6(vif->ipv6_allowed[i]))
			return false;
	return true;
}

int net_vif_flows(const struct net_vif *vif, enum net_locking mode, int ofport,
		  uint64_t cookie, char *buf, size_t size)
{
	struct fbuf b = {buf, size, 0, 0};
	char mac[NET_MAC_SIZE];

	if (!size || ofport <= 0 || !addrs_valid(vif))
		return -1;
	buf[0] = '\0';
	lower_mac(vif->MAC, mac);
	switch (mode) {
	case NET_LOCK_UNLOCKED:
		break;
	case NET_LOCK_LOCKED:
		locked_v4(&b, vif, mac, ofport, cookie);
		locked_v6(&b, vif, mac, ofport, cookie);
		__attribute__((fallthrough)); /* what is not allowed above is dropped */
	case NET_LOCK_DISABLED:
		fb_add(&b, "cookie=%#llx,priority=%d,in_port=%d,actions=drop\n",
		       (unsigned long long)cookie, PRIO_DROP, ofport);
		break;
	default:	/* network_default must be resolved by the caller */
		return -1;
	}
	return b.overflow ? -1 : (int)b.len;
}

enum net_locking net_vif_effective_locking(const struct net_state *st,
					   const struct net_vif *vif)
{
	const struct net_network *nw;

	if (vif->locking_mode != NET_LOCK_NETWORK_DEFAULT)
		return vif->locking_mode;
	nw = net_state_network(st, vif->network);
	if (nw && nw->default_locking_mode == NET_LOCK_DISABLED)
		return NET_LOCK_DISABLED;
	return NET_LOCK_UNLOCKED;
}

static int vif_ofport(struct net *n, const char *port, int *ofport, struct net_err *err)
{
	struct argv a;
	char *out = NULL;
	int rc;

	argv_init(&a);
	argv_add(&a, "get");
	argv_add(&a, "Interface");
	argv_add(&a, "%s", port);
	argv_add(&a, "ofport");
	rc = net_vsctl(n, &a, &out, err);
	argv_free(&a);
	if (rc)
		return -1;
	*ofport = atoi(out);
	free(out);
	if (*ofport <= 0) {
		net_err_internal(err, "port %s has no OpenFlow port number", port);
		return -1;
	}
	return 0;
}

int net_flows_remove(struct net *n, const struct net_state *st, const struct net_vif *vif,
		     struct net_err *err)
{
	const char *br = net_state_real_bridge(st, vif->network);
	char match[64];

	if (!br) {
		net_err_set(err, NET_E_HANDLE_INVALID, 2, "network", vif->network);
		return -1;
	}
	snprintf(match, sizeof(match), "cookie=%#llx/-1",
		 (unsigned long long)net_vif_cookie(vif));
	return net_ofctl(n, false, "del-flows", br, match, NULL, NULL, err);
}

/* "delete" of the VIF's old rules and "add" of its new ones in one OpenFlow
 * bundle: the port is never without rules while they change. */
static int bundle_text(const char *flows, uint64_t cookie, char *out, size_t size)
{
	size_t len = 0;
	int r = snprintf(out, size, "delete cookie=%#llx/-1\n", (unsigned long long)cookie);

	if (r < 0 || (size_t)r >= size)
		return -1;
	len = (size_t)r;
	for (const char *line = flows; *line;) {
		const char *nl = strchr(line, '\n');
		size_t l = nl ? (size_t)(nl - line) + 1 : strlen(line);
		if (len + 4 + l + 1 > size)
			return -1;
		memcpy(out + len, "add ", 4);
		memcpy(out + len + 4, line, l);
		len += 4 + l;
		line += l;
	}
	out[len] = '\0';
	return 0;
}

int net_flows_install(struct net *n, const struct net_state *st, const struct net_vif *vif,
		      struct net_err *err)
{
	const char *br = net_state_real_bridge(st, vif->network);
	enum net_locking mode = net_vif_effective_locking(st, vif);
	uint64_t cookie = net_vif_cookie(vif);
	char port[NET_IFNAME_SIZE], flows[8192], bundle[9216];
	int ofport = 0;

	if (!br) {
		net_err_set(err, NET_E_HANDLE_INVALID, 2, "network", vif->network);
		return -1;
	}
	if (mode == NET_LOCK_UNLOCKED)
		return net_flows_remove(n, st, vif, err);
	net_vif_port_name(vif, port, sizeof(port));
	if (vif_ofport(n, port, &ofport, err))
		return -1;
	if (net_vif_flows(vif, mode, ofport, cookie, flows, sizeof(flows)) < 0 ||
	    bundle_text(flows, cookie, bundle, sizeof(bundle))) {
		net_err_set(err, NET_E_INVALID_VALUE, 2, "VIF", vif->uuid);
		return -1;
	}
	return net_ofctl(n, true, "add-flows", br, "-", bundle, NULL, err);
}
