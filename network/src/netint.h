/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netint.h: internals shared by the network library's files (not installed).
 */
#ifndef CAIRN_NETINT_H
#define CAIRN_NETINT_H

#include <stdio.h>
#include <jansson.h>

#include "net.h"

#define NET_LOG(fmt, ...) fprintf(stderr, "net: %s: " fmt "\n", __func__, ##__VA_ARGS__)

struct net {
	char *db;
	char *rundir;
	char *dp_type;
	char *sysfs;
	char *vsctl;
	char *ofctl;
	char *ip;
	int timeout;
	int verbose;
};

/* A growable argument vector; the strings are owned. */
struct argv {
	char **v;
	size_t n, cap;
	int oom;
};

void argv_init(struct argv *a);
void argv_free(struct argv *a);
void argv_add(struct argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Starts the next ovs-vsctl command of a transaction ("--"). */
void argv_cmd(struct argv *a);

/* Runs argv[0] (PATH lookup, no shell) with `input` on stdin; collects stdout and
 * stderr (caller frees). Kills the child when `timeout` seconds pass.
 * Returns the exit status, or -1 when it could not run or timed out. */
int net_run(const char *const *argv, const char *input, int timeout, int verbose,
	    char **out, char **errout);

/* ovs-vsctl with the handle's --db and --timeout, then the commands in `cmds`. */
int net_vsctl(struct net *n, const struct argv *cmds, char **out, struct net_err *err);
/* ovs-ofctl [--bundle] <verb> <bridge's management socket> [arg] with optional
 * stdin; --bundle makes a flow file one atomic OpenFlow transaction. */
int net_ofctl(struct net *n, bool bundle, const char *verb, const char *bridge,
	      const char *arg, const char *input, char **out, struct net_err *err);

void net_err_set(struct net_err *err, enum net_errcode code, int nparams, ...);
void net_err_internal(struct net_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* OVSDB tables read back with `ovs-vsctl --format=json list <table>`. Each table
 * is a JSON array of row objects keyed by column, with OVSDB's wire values made
 * plain: maps become objects, sets arrays, ["uuid", u] the string u. */
json_t *ovsj_parse_table(const char *text, size_t len, size_t *used);
json_t *ovsj_convert(json_t *v);

struct ovsdb_view {
	json_t *bridges;
	json_t *ports;
	json_t *ifaces;
};

int ovsdb_read(struct net *n, struct ovsdb_view *v, struct net_err *err);
int ovsdb_view_parse(const char *text, struct ovsdb_view *v);
void ovsdb_view_free(struct ovsdb_view *v);
json_t *ovsdb_row(json_t *table, const char *column, const char *value);
/* "" when absent. */
const char *ovsdb_str(json_t *row, const char *column);
const char *ovsdb_ext(json_t *row, const char *key);
long ovsdb_int(json_t *row, const char *column, long dflt);
/* The bridge (real) holding port `port_uuid`, or NULL. */
json_t *ovsdb_port_bridge(struct ovsdb_view *v, const char *port_uuid);
/* Does a bridge (real or fake) of this name exist? Which network owns it ("" none)? */
bool ovsdb_bridge_exists(struct ovsdb_view *v, const char *name);
const char *ovsdb_bridge_network(struct ovsdb_view *v, const char *name);

/* Names. */
void net_vif_port_name(const struct net_vif *vif, char *out, size_t size);

/* The bridge of a network record in st (NULL if unknown or unset). */
const char *net_state_bridge(const struct net_state *st, const char *network);
/* The real bridge under a network (for a VLAN network, its parent). */
const char *net_state_real_bridge(const struct net_state *st, const char *network);
/* The VLAN PIF whose network this is (NULL if the network is not a VLAN). */
const struct net_pif *net_state_vlan_pif_of_network(const struct net_state *st,
						    const char *network);

/* Transaction pieces, appended to a vsctl argument vector. */
void net_tx_bridge(struct net *n, struct argv *a, const struct net_state *st,
		   const struct net_network *nw);
int net_tx_pif(struct net *n, struct argv *a, const struct net_state *st,
	       const struct net_pif *pif, struct net_err *err);
void net_tx_vif(struct net *n, struct argv *a, const struct net_state *st,
		const struct net_vif *vif);
void net_tx_tunnel(struct argv *a, const struct net_state *st, const struct net_tunnel *t);
void net_tx_fake_bridge(struct argv *a, const struct net_network *nw, const char *parent,
			long tag);
void net_tx_bond(struct argv *a, const struct net_state *st, const char *bridge,
		 const struct net_pif *master, const struct net_bond *b);
void net_tx_bond_settings(struct argv *a, const struct net_state *st,
			  const struct net_bond *b);

/* Installs (replacing) the locking flows of a plugged VIF port. */
int net_flows_install(struct net *n, const struct net_state *st, const struct net_vif *vif,
		      struct net_err *err);
int net_flows_remove(struct net *n, const struct net_state *st, const struct net_vif *vif,
		     struct net_err *err);

#endif
