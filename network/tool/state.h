/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * state.h: the records of net-tool, kept in a JSON file (the daemon's database
 * stands in for it in production). Keys are the XenAPI field names.
 */
#ifndef CAIRN_NET_TOOL_STATE_H
#define CAIRN_NET_TOOL_STATE_H

#include "net.h"

int state_load(const char *path, struct net_state *st, char *why, size_t whylen);
int state_save(const char *path, const struct net_state *st);
void state_free(struct net_state *st);
/* Appends a copy of rec; returns the stored record or NULL. */
struct net_network *state_add_network(struct net_state *st, const struct net_network *rec);
struct net_pif *state_add_pif(struct net_state *st, const struct net_pif *rec);
struct net_bond *state_add_bond(struct net_state *st, const struct net_bond *rec);
struct net_vlan *state_add_vlan(struct net_state *st, const struct net_vlan *rec);
struct net_vif *state_add_vif(struct net_state *st, const struct net_vif *rec);
struct net_tunnel *state_add_tunnel(struct net_state *st, const struct net_tunnel *rec);

#endif
