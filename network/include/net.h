/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * net.h: Cairn's network layer over Open vSwitch (the only public header).
 *
 * Design: the management daemon owns the records (its database); this library is
 * told the desired state as plain structs named after the XenAPI classes and
 * fields (network, PIF, Bond, VLAN, VIF, tunnel) and makes Open vSwitch match it.
 * Every change is one ovs-vsctl transaction spawned with an argument vector and
 * a timeout, so a rejected request leaves OVS untouched; OpenFlow rules (VIF
 * locking) go through ovs-ofctl. State is read back from OVSDB with
 * `--format=json`, which is how net_reconcile() repairs OVS after a restart.
 *
 * Operations that validate input take the current records (struct net_state,
 * read only) and report failures as XenAPI errors (struct net_err: a code whose
 * name is the XenAPI error name, plus its parameters). Operations that create
 * records fill caller-provided structs; the caller stores them.
 *
 * Every function returns 0 on success or -1 with *err set. The handle is not
 * thread-safe: one caller at a time (the daemon serialises network operations).
 */
#ifndef CAIRN_NET_H
#define CAIRN_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_UUID_SIZE   37	/* 36 characters + NUL */
#define NET_IFNAME_SIZE 16	/* IFNAMSIZ: 15 characters + NUL */
#define NET_MAC_SIZE    18
#define NET_IP_SIZE     46	/* INET6_ADDRSTRLEN */
#define NET_LABEL_SIZE  64
#define NET_ADDRS_MAX   8	/* allowed addresses per family on a VIF */
#define NET_BOND_MAX    4	/* members of a bond */
#define NET_REMOTES_MAX 16	/* VXLAN peers of a private network */
#define NET_ERR_PARAMS  4
#define NET_ERR_PARAM_SIZE 160

/* XenAPI error codes; net_errcode_name() gives the exact XenAPI string. */
enum net_errcode {
	NET_OK = 0,
	NET_E_INTERNAL_ERROR,		/* [message] */
	NET_E_HANDLE_INVALID,		/* [class, uuid] */
	NET_E_UUID_INVALID,		/* [class, uuid] */
	NET_E_INVALID_VALUE,		/* [field, value] */
	NET_E_MAC_INVALID,		/* [mac] */
	NET_E_VLAN_TAG_INVALID,		/* [tag] */
	NET_E_PIF_IS_VLAN,		/* [PIF] */
	NET_E_PIF_VLAN_EXISTS,		/* [PIF] */
	NET_E_PIF_ALREADY_BONDED,	/* [PIF] */
	NET_E_PIF_BOND_NEEDS_MORE_MEMBERS, /* [] */
	NET_E_PIF_IS_NOT_PHYSICAL,	/* [PIF] */
	NET_E_PIF_DEVICE_NOT_FOUND,	/* [device] */
	NET_E_DUPLICATE_PIF_DEVICE_NAME, /* [device] */
	NET_E_CANNOT_ADD_VLAN_TO_BOND_SLAVE, /* [PIF] */
	NET_E_CANNOT_PLUG_BOND_SLAVE,	/* [PIF] */
	NET_E_NETWORK_ALREADY_CONNECTED, /* [network, PIF] */
	NET_E_NETWORK_CONTAINS_PIF,	/* [PIF] */
	NET_E_NETWORK_CONTAINS_VIF,	/* [VIF] */
	NET_E_BRIDGE_NAME_EXISTS,	/* [bridge] */
	NET_E_DEVICE_ALREADY_ATTACHED,	/* [VIF] */
	NET_E_DEVICE_ALREADY_DETACHED,	/* [VIF] */
	NET_E_PIF_CONFIGURATION_ERROR,	/* [PIF, message] */
	NET_E_TRANSPORT_PIF_NOT_CONFIGURED, /* [PIF] */
	NET_E_OPENVSWITCH_NOT_ACTIVE,	/* [] */
	NET_E_PIF_HAS_NO_NETWORK_CONFIGURATION, /* [PIF] */
	NET_E_COUNT
};

struct net_err {
	enum net_errcode code;
	int nparams;
	char params[NET_ERR_PARAMS][NET_ERR_PARAM_SIZE];
};

const char *net_errcode_name(enum net_errcode code);

/* VIF.locking_mode and network.default_locking_mode. */
enum net_locking {
	NET_LOCK_NETWORK_DEFAULT = 0,
	NET_LOCK_UNLOCKED,
	NET_LOCK_LOCKED,
	NET_LOCK_DISABLED,
};

enum net_ip_mode { NET_IP_NONE = 0, NET_IP_DHCP, NET_IP_STATIC };
enum net_bond_mode { NET_BOND_BALANCE_SLB = 0, NET_BOND_ACTIVE_BACKUP, NET_BOND_LACP };

const char *net_locking_name(enum net_locking m);
int net_locking_parse(const char *s, enum net_locking *out);
const char *net_ip_mode_name(enum net_ip_mode m);
int net_ip_mode_parse(const char *s, enum net_ip_mode *out);
const char *net_bond_mode_name(enum net_bond_mode m);
int net_bond_mode_parse(const char *s, enum net_bond_mode *out);

struct net_network {
	char uuid[NET_UUID_SIZE];
	char name_label[NET_LABEL_SIZE];
	char bridge[NET_IFNAME_SIZE];	/* "" on create: the library picks xapi<N> */
	unsigned MTU;			/* 0 on create: 1500 */
	enum net_locking default_locking_mode; /* unlocked or disabled */
};

struct net_pif {
	char uuid[NET_UUID_SIZE];
	char device[NET_IFNAME_SIZE];	/* eth0; for VLAN PIFs the tagged device */
	char network[NET_UUID_SIZE];
	char MAC[NET_MAC_SIZE];
	unsigned MTU;
	long VLAN;			/* -1: not a VLAN PIF */
	bool physical;
	bool currently_attached;
	bool management;
	enum net_ip_mode ip_configuration_mode;
	char IP[NET_IP_SIZE];
	char netmask[NET_IP_SIZE];
	char gateway[NET_IP_SIZE];
	char bond_slave_of[NET_UUID_SIZE];	/* Bond uuid or "" */
	char bond_master_of[NET_UUID_SIZE];	/* Bond uuid or "" */
	char VLAN_master_of[NET_UUID_SIZE];	/* VLAN uuid or "" */
};

struct net_bond {
	char uuid[NET_UUID_SIZE];
	char master[NET_UUID_SIZE];	/* the bond's PIF */
	char slaves[NET_BOND_MAX][NET_UUID_SIZE];
	size_t n_slaves;
	enum net_bond_mode mode;
	char primary_slave[NET_UUID_SIZE];	/* "" = let OVS choose */
	bool lacp_fast;			/* properties:lacp-time=fast */
};

struct net_vlan {
	char uuid[NET_UUID_SIZE];
	char tagged_PIF[NET_UUID_SIZE];
	char untagged_PIF[NET_UUID_SIZE];
	long tag;
};

struct net_vif {
	char uuid[NET_UUID_SIZE];
	char device[8];			/* "0", "1", ... */
	char network[NET_UUID_SIZE];
	char VM[NET_UUID_SIZE];
	char MAC[NET_MAC_SIZE];
	unsigned MTU;			/* 0: the network's */
	long domid;			/* -1: the VM is not running */
	bool currently_attached;
	enum net_locking locking_mode;
	char ipv4_allowed[NET_ADDRS_MAX][NET_IP_SIZE];
	size_t n_ipv4_allowed;
	char ipv6_allowed[NET_ADDRS_MAX][NET_IP_SIZE];
	size_t n_ipv6_allowed;
};

/* A private network across hosts: VXLAN ports on the network's bridge. */
struct net_tunnel {
	char uuid[NET_UUID_SIZE];
	char network[NET_UUID_SIZE];	/* the access network */
	uint32_t key;			/* the VNI, 1..16777215, one per network */
	char local_ip[NET_IP_SIZE];	/* "" = OVS chooses by route */
	char remote_ips[NET_REMOTES_MAX][NET_IP_SIZE];
	size_t n_remotes;
};

/* The desired state: the daemon's records for this host. Read only here. */
struct net_state {
	struct net_network *networks;
	size_t n_networks;
	struct net_pif *pifs;
	size_t n_pifs;
	struct net_bond *bonds;
	size_t n_bonds;
	struct net_vlan *vlans;
	size_t n_vlans;
	struct net_vif *vifs;
	size_t n_vifs;
	struct net_tunnel *tunnels;
	size_t n_tunnels;
};

struct net_config {
	const char *db;			/* OVSDB remote, e.g. "unix:/run/openvswitch/db.sock" */
	const char *rundir;		/* where <bridge>.mgmt sockets live; NULL: OVS default */
	const char *datapath_type;	/* "system" (default) or "netdev" */
	const char *sysfs_net;		/* NULL: /sys/class/net */
	const char *vsctl;		/* NULL: "ovs-vsctl" from PATH */
	const char *ofctl;		/* NULL: "ovs-ofctl" from PATH */
	const char *ip;			/* NULL: "ip" from PATH */
	int timeout;			/* seconds per OVS command; 0: 10 */
	int verbose;			/* log every command to stderr */
};

struct net;	/* opaque handle: the OVS connection settings */

int net_open(const struct net_config *cfg, struct net **out, struct net_err *err);
void net_close(struct net *n);

/* Record lookups in a state (NULL when absent). */
const struct net_network *net_state_network(const struct net_state *st, const char *uuid);
const struct net_pif *net_state_pif(const struct net_state *st, const char *uuid);
const struct net_vif *net_state_vif(const struct net_state *st, const char *uuid);
const struct net_bond *net_state_bond(const struct net_state *st, const char *uuid);

/* Validation (true when valid). */
bool net_valid_uuid(const char *s);
bool net_valid_mac(const char *s);
bool net_valid_ifname(const char *s);
bool net_valid_vlan_tag(long tag);
bool net_valid_ipv4(const char *s);
bool net_valid_ipv6(const char *s);

/* network.create: *nw has uuid (and maybe bridge, MTU); on return the bridge
 * exists in OVS with external_ids:xs-network-uuids=<uuid> and nw->bridge is set. */
int net_network_create(struct net *n, const struct net_state *st, struct net_network *nw,
		       struct net_err *err);
/* network.destroy: the network must have no attached PIF or VIF. */
int net_network_destroy(struct net *n, const struct net_state *st, const char *network,
			struct net_err *err);

/* PIF.scan: physical NICs of this host (a /device link in sysfs) that have no
 * PIF in st. Each gets a PIF record and a network record (bridge xenbr<N>).
 * Writes at most max of each; *count is how many were found. */
int net_pif_scan(struct net *n, const struct net_state *st, struct net_pif *pifs,
		 struct net_network *nets, size_t max, size_t *count, struct net_err *err);
/* PIF.introduce: as scan, for one named device, without the physical check. */
int net_pif_introduce(struct net *n, const struct net_state *st, const char *device,
		      struct net_pif *pif, struct net_network *nw, struct net_err *err);
/* PIF.plug / PIF.unplug: the PIF's port (or bond, or fake bridge) on its bridge. */
int net_pif_plug(struct net *n, const struct net_state *st, const char *pif,
		 struct net_err *err);
int net_pif_unplug(struct net *n, const struct net_state *st, const char *pif,
		   struct net_err *err);
/* PIF.reconfigure_ip: address the PIF's bridge device. Static needs IP and netmask. */
int net_pif_reconfigure_ip(struct net *n, const struct net_state *st, const char *pif,
			   enum net_ip_mode mode, const char *ip, const char *netmask,
			   const char *gateway, struct net_err *err);

/* host.management_reconfigure: the management address moves to `pif`, whose
 * record must hold its IP configuration (DHCP or Static); the bridges of the
 * other PIFs marked management lose their address. The PIF is plugged if it is
 * not. The caller moves the `management` flag in its records. */
int net_management_reconfigure(struct net *n, const struct net_state *st, const char *pif,
			       struct net_err *err);

/* VLAN.create: validates, then makes the fake bridge of `network` on the tagged
 * PIF's bridge. Fills *vlan and the new VLAN PIF *untagged (uuids generated). */
int net_vlan_create(struct net *n, const struct net_state *st, const char *tagged_pif,
		    long tag, const char *network, struct net_vlan *vlan,
		    struct net_pif *untagged, struct net_err *err);
int net_vlan_destroy(struct net *n, const struct net_state *st, const char *vlan,
		     struct net_err *err);

/* Bond.create: members (PIF uuids) become one OVS bond port on `network`'s bridge. */
int net_bond_create(struct net *n, const struct net_state *st, const char *network,
		    const char *const *members, size_t n_members, enum net_bond_mode mode,
		    const char *primary, struct net_bond *bond, struct net_pif *master,
		    struct net_err *err);
int net_bond_set_mode(struct net *n, const struct net_state *st, const char *bond,
		      enum net_bond_mode mode, struct net_err *err);
int net_bond_destroy(struct net *n, const struct net_state *st, const char *bond,
		     struct net_err *err);

/* VIF.plug / VIF.unplug. The VIF's domid names the port vif<domid>.<device>;
 * plug replaces any stale port atomically and installs the locking rules. */
int net_vif_plug(struct net *n, const struct net_state *st, const char *vif,
		 struct net_err *err);
int net_vif_unplug(struct net *n, const struct net_state *st, const char *vif,
		   struct net_err *err);
/* Re-apply the locking rules of a plugged VIF after a locking change. */
int net_vif_apply_locking(struct net *n, const struct net_state *st, const char *vif,
			  struct net_err *err);

/* The locking mode that applies: network_default resolves to the network's. */
enum net_locking net_vif_effective_locking(const struct net_state *st,
					   const struct net_vif *vif);
/* The OpenFlow rules (ovs-ofctl add-flows syntax, one per line) for a VIF on
 * OpenFlow port `ofport`, tagged with `cookie`. Pure; returns bytes written or
 * -1 if buf is too small or an address is invalid. */
int net_vif_flows(const struct net_vif *vif, enum net_locking mode, int ofport,
		  uint64_t cookie, char *buf, size_t size);
uint64_t net_vif_cookie(const struct net_vif *vif);

/* Private network over VXLAN: ports vx<key>.<i> on the network's bridge. */
int net_tunnel_create(struct net *n, const struct net_state *st, struct net_tunnel *t,
		      struct net_err *err);

/* Make OVS match st: create missing bridges, ports, bonds, fake bridges and
 * tunnels, fix external_ids, remove ports of VIFs that are not running and
 * bridges of networks that are gone, re-install VIF locking rules.
 * *changes (if not NULL) counts the OVS commands that were needed. */
int net_reconcile(struct net *n, const struct net_state *st, int *changes,
		  struct net_err *err);

/* The OVS state read back as JSON text (bridges with their ports), for tools.
 * The caller frees *json. */
int net_show(struct net *n, char **json, struct net_err *err);

/* Generates a random (version 4) uuid into out[NET_UUID_SIZE]. */
void net_uuid_generate(char *out);

#endif
