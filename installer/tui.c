/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tui.c — the interactive installer: newt dialogs that fill an inst_config.
 *
 * One dialog per question, in the order an administrator thinks of them:
 * disk, local SR, root password (twice), management NIC, DHCP or static
 * (then address, netmask, gateway, DNS), host name, time zone, and a final
 * confirmation naming the disk that will be erased. Each answer is checked
 * with the same functions as the answerfile's, and asked again when wrong.
 */
#include <dirent.h>
#include <newt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inst.h"

#define TUI_MAX_ITEMS 32

struct tui_list {
	int n;
	char names[TUI_MAX_ITEMS][32];
	char labels[TUI_MAX_ITEMS][80];
};

static int skip_disk(const char *n)
{
	return !strncmp(n, "loop", 4) || !strncmp(n, "ram", 3) || !strncmp(n, "sr", 2) ||
	       !strncmp(n, "zram", 4) || !strncmp(n, "dm-", 3) || n[0] == '.';
}

static void list_dir(const char *dir, struct tui_list *l, int disks)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	uint64_t bytes;

	l->n = 0;
	if (!d)
		return;
	while ((e = readdir(d)) && l->n < TUI_MAX_ITEMS) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(l->names[0]))
			continue;
		if (disks && (skip_disk(e->d_name) || inst_disk_bytes(e->d_name, &bytes) < 0))
			continue;
		if (!disks && !strcmp(e->d_name, "lo"))
			continue;
		snprintf(l->names[l->n], sizeof(l->names[0]), "%s", e->d_name);
		if (disks)
			snprintf(l->labels[l->n], sizeof(l->labels[0]), "%-10s %8llu MiB", e->d_name,
				 (unsigned long long)(bytes >> 20));
		else
			snprintf(l->labels[l->n], sizeof(l->labels[0]), "%s", e->d_name);
		l->n++;
	}
	closedir(d);
}

/* A list choice; returns the index or -1 when cancelled. */
static int choose(const char *title, const char *text, struct tui_list *l)
{
	char *items[TUI_MAX_ITEMS + 1];
	int sel = 0, rc;

	if (l->n == 0) {
		newtWinMessage((char *)title, "OK", "Nothing to choose from.");
		return -1;
	}
	for (int i = 0; i < l->n; i++)
		items[i] = l->labels[i];
	items[l->n] = NULL;
	rc = newtWinMenu((char *)title, (char *)text, 50, 5, 5, 8, items, &sel, "OK", "Cancel", NULL);
	return rc == 2 ? -1 : sel;
}

/* One text entry; returns 0, or -1 when cancelled. HIDDEN hides the input. */
static int ask(const char *title, const char *label, char *out, size_t size, int hidden)
{
	newtComponent form, entry, ok, cancel, lbl, hit;
	const char *val = NULL;
	int rc = -1;

	newtCenteredWindow(60, 8, title);
	lbl = newtLabel(2, 1, label);
	entry = newtEntry(2, 3, hidden ? "" : out, 54, &val,
			  NEWT_FLAG_SCROLL | (hidden ? NEWT_FLAG_HIDDEN : 0));
	ok = newtButton(14, 5, "OK");
	cancel = newtButton(34, 5, "Cancel");
	form = newtForm(NULL, NULL, 0);
	newtFormAddComponents(form, lbl, entry, ok, cancel, NULL);
	hit = newtRunForm(form);
	if (hit != cancel && val) {
		snprintf(out, size, "%s", val);
		rc = 0;
	}
	newtFormDestroy(form);
	newtPopWindow();
	return rc;
}

static int ask_disk(struct inst_config *cfg)
{
	struct tui_list l;
	int i;

	list_dir("/sys/block", &l, 1);
	i = choose("Target disk", "Install Cairn on which disk? It will be erased.", &l);
	if (i < 0)
		return -1;
	snprintf(cfg->disk, sizeof(cfg->disk), "%s", l.names[i]);
	cfg->local_sr = newtWinChoice("Local storage", "Yes", "No",
				      "Use the rest of the disk as a local storage repository (SR)?") != 2;
	return 0;
}

static int ask_password(struct inst_config *cfg)
{
	char again[sizeof(cfg->root_pw)];

	for (;;) {
		again[0] = cfg->root_pw[0] = '\0';
		if (ask("Root password", "Password for root:", cfg->root_pw, sizeof(cfg->root_pw), 1) < 0 ||
		    ask("Root password", "Again:", again, sizeof(again), 1) < 0)
			return -1;
		cfg->pw_is_hash = 0;
		if (strcmp(again, cfg->root_pw) == 0 && strlen(again) >= 4 && !strchr(again, ':'))
			return 0;
		newtWinMessage("Root password", "OK",
			       "The passwords differ, are shorter than 4 characters or contain ':'.");
	}
}

static int ask_static(struct inst_config *cfg)
{
	char mask[20] = "24";

	for (;;) {
		if (ask("Static address", "IPv4 address:", cfg->ipaddr, sizeof(cfg->ipaddr), 0) < 0 ||
		    ask("Static address", "Netmask or prefix length:", mask, sizeof(mask), 0) < 0 ||
		    ask("Static address", "Gateway (may be empty):", cfg->gateway, sizeof(cfg->gateway), 0) < 0 ||
		    ask("Static address", "DNS server (may be empty):", cfg->dns, sizeof(cfg->dns), 0) < 0)
			return -1;
		cfg->prefix = inst_parse_netmask(mask);
		if (inst_valid_ipv4(cfg->ipaddr) && cfg->prefix > 0 &&
		    (!cfg->gateway[0] || inst_valid_ipv4(cfg->gateway)) &&
		    (!cfg->dns[0] || inst_valid_ipv4(cfg->dns)))
			return 0;
		newtWinMessage("Static address", "OK", "An address, netmask, gateway or DNS server is not valid.");
	}
}

static int ask_network(struct inst_config *cfg)
{
	struct tui_list l;
	int i;

	list_dir("/sys/class/net", &l, 0);
	i = choose("Management interface", "Which NIC carries the management network?", &l);
	if (i < 0)
		return -1;
	snprintf(cfg->nic, sizeof(cfg->nic), "%s", l.names[i]);
	if (newtWinChoice("Management address", "DHCP", "Static", "How does %s get its address?",
			  cfg->nic) != 2) {
		cfg->proto = INST_DHCP;
		return 0;
	}
	cfg->proto = INST_STATIC;
	return ask_static(cfg);
}

static int ask_names(struct inst_config *cfg)
{
	char err[INST_ERR_MAX];

	for (;;) {
		if (ask("Host name", "Host name:", cfg->hostname, sizeof(cfg->hostname), 0) < 0 ||
		    ask("Time zone", "Time zone (e.g. UTC, Europe/Paris):", cfg->timezone,
			sizeof(cfg->timezone), 0) < 0)
			return -1;
		if (inst_check(cfg, err, sizeof(err)) == 0 && inst_check_host(cfg, err, sizeof(err)) == 0)
			return 0;
		newtWinMessage("Check", "OK", "%s", err);
	}
}

/*
 * Asks every question; CFG starts from inst_defaults(). Returns 0 when the
 * user confirmed the erase of the disk, -1 when cancelled at any point.
 */
int tui_ask(struct inst_config *cfg)
{
	int rc = -1;

	newtInit();
	newtCls();
	newtDrawRootText(1, 0, "Cairn installer");
	newtPushHelpLine("<Tab> moves, <Space> selects, <Enter> confirms");
	if (ask_disk(cfg) < 0 || ask_password(cfg) < 0 || ask_network(cfg) < 0 || ask_names(cfg) < 0)
		goto out;
	if (newtWinChoice("Confirm", "Install", "Cancel",
			  "All data on /dev/%s will be erased. Install Cairn now?", cfg->disk) != 2)
		rc = 0;
out:
	newtFinished();
	return rc;
}
