/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * inst.h — Cairn installer: the one interface between its parts.
 *
 * An installation is described by a struct inst_config, filled either by the
 * answerfile parser (af_parse) or by the text UI (tui_ask). inst_check() then
 * validates it completely (syntax here; the disk's existence and size in
 * inst_check_host()) before inst_run() touches any disk.
 */
#ifndef CAIRN_INST_H
#define CAIRN_INST_H

#include <stddef.h>
#include <stdint.h>

enum inst_mode { INST_FRESH, INST_UPGRADE };
enum inst_proto { INST_DHCP, INST_STATIC };

#define INST_ERR_MAX 256

struct inst_config {
	enum inst_mode mode;
	char disk[32];		/* kernel block device name: "vda", "sda", "nvme0n1" */
	int local_sr;		/* 1: make the local SR partition an LVM SR on first boot */
	int pw_is_hash;		/* root_pw is a crypt(3) hash, else plain text */
	char root_pw[256];
	char nic[16];		/* management interface, e.g. "eth0", "enp0s3" */
	enum inst_proto proto;
	char ipaddr[16];	/* dotted quad, static only */
	int prefix;		/* netmask as prefix length, static only */
	char gateway[16];	/* optional */
	char dns[16];		/* optional */
	char hostname[64];
	char timezone[64];
	char keymap[32];
	char ssh_key[1024];	/* optional root authorized key (Cairn extension) */
};

/* Minimum disk size: ESP, two roots, logs and a usable local SR. */
#define INST_MIN_DISK_BYTES (10ULL << 30)

/* answerfile.c */
void inst_defaults(struct inst_config *cfg);
int af_parse(const char *buf, size_t len, struct inst_config *cfg, char *err, size_t errlen);

/* check.c: pure validation, no I/O. 0 or -1 with a message in err. */
int inst_check(const struct inst_config *cfg, char *err, size_t errlen);
int inst_valid_hostname(const char *s);
int inst_valid_timezone_name(const char *s);
int inst_valid_ifname(const char *s);
int inst_valid_diskname(const char *s);
int inst_parse_netmask(const char *s);	/* "255.255.255.0" or "24" -> 24, -1 if bad */
int inst_valid_ipv4(const char *s);
int inst_valid_crypt_hash(const char *s);

/* host.c: checks against the running system (disk exists, big enough, zone known). */
int inst_check_host(const struct inst_config *cfg, char *err, size_t errlen);
int inst_disk_bytes(const char *disk, uint64_t *bytes);

/* fetch.c: answerfile=file:///p | label:LABEL/p | http://h[:port]/p */
int inst_fetch(const char *url, char **buf, size_t *len, char *err, size_t errlen);

/* install.c: partitions, formats, unpacks, installs GRUB, configures. */
struct inst_paths {
	const char *image;	/* dom0 image, tar.zst */
	const char *log;	/* progress log, or NULL */
};
int inst_run(const struct inst_config *cfg, const struct inst_paths *paths);

/* tui.c: newt dialogs; 0 when the user confirmed, -1 when cancelled. */
int tui_ask(struct inst_config *cfg);

#endif
