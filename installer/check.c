/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * check.c — validation of an installation's configuration, without I/O.
 *
 * Everything the installer will write (disk name, hostname, network, time
 * zone, password) is checked here, whether it came from an answerfile or the
 * text UI, so that a bad value stops the install before any disk is touched.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inst.h"

static int all_chars(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return 0;
	return 1;
}

/* A kernel block device name: letters and digits, starting with a letter. */
int inst_valid_diskname(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 32 && isalpha((unsigned char)s[0]) && all_chars(s, "");
}

/* A network interface name as the kernel allows it (IFNAMSIZ - 1). */
int inst_valid_ifname(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < 16 && all_chars(s, "._-") && strcmp(s, ".") && strcmp(s, "..");
}

/* RFC 1123 host name: dot-separated labels of letters, digits and inner dashes. */
int inst_valid_hostname(const char *s)
{
	size_t n = strlen(s), label = 0;

	if (n == 0 || n > 63)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)c) && c != '-')
			return 0;
		if (c == '-' && label == 0)
			return 0;
		label++;
	}
	return label > 0 && s[n - 1] != '-';
}

/* A tz database name such as "UTC" or "America/Argentina/Buenos_Aires". */
int inst_valid_timezone_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 64 || s[0] == '/' || s[n - 1] == '/' || strstr(s, ".."))
		return 0;
	return all_chars(s, "/_+-");
}

int inst_valid_ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

/* "24" or "255.255.255.0" -> 24; a mask with holes or out of range -> -1. */
int inst_parse_netmask(const char *s)
{
	struct in_addr a;
	unsigned long v;
	uint32_t m;
	char *end;
	int bits;

	if (*s && strlen(s) <= 2 && isdigit((unsigned char)s[0])) {
		v = strtoul(s, &end, 10);
		return (*end == '\0' && v >= 1 && v <= 32) ? (int)v : -1;
	}
	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	m = ntohl(a.s_addr);
	for (bits = 0; bits < 32 && (m & (0x80000000u >> bits)); bits++)
		;
	if (bits == 0 || (bits < 32 && (m << bits) != 0))
		return -1;
	return bits;
}

/* A crypt(3) hash we can hand to /etc/shadow: $id$salt$hash, crypt's alphabet. */
int inst_valid_crypt_hash(const char *s)
{
	static const char *const ids[] = { "$6$", "$5$", "$y$", "$2b$" };
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (strncmp(s, ids[i], strlen(ids[i])) == 0)
			break;
	if (i == sizeof(ids) / sizeof(ids[0]) || strlen(s) < 20)
		return 0;
	return all_chars(s, "$./=");
}

static int check_password(const struct inst_config *cfg, char *err, size_t errlen)
{
	if (cfg->mode == INST_UPGRADE && !cfg->root_pw[0])
		return 0;	/* an upgrade keeps the old password */
	if (cfg->pw_is_hash && !inst_valid_crypt_hash(cfg->root_pw)) {
		snprintf(err, errlen, "root-password: not a crypt(3) hash ($6$..., $y$...)");
		return -1;
	}
	if (!cfg->pw_is_hash && (strlen(cfg->root_pw) < 4 || strchr(cfg->root_pw, ':'))) {
		snprintf(err, errlen, "root-password: at least 4 characters and no ':'");
		return -1;
	}
	return 0;
}

static int check_network(const struct inst_config *cfg, char *err, size_t errlen)
{
	if (cfg->nic[0] && !inst_valid_ifname(cfg->nic)) {
		snprintf(err, errlen, "admin-interface: bad interface name \"%s\"", cfg->nic);
		return -1;
	}
	if (cfg->proto == INST_STATIC) {
		if (!cfg->nic[0] || !inst_valid_ipv4(cfg->ipaddr) || cfg->prefix < 1) {
			snprintf(err, errlen, "admin-interface: proto=\"static\" needs name=, a valid <ipaddr> and <subnet>");
			return -1;
		}
		if (cfg->gateway[0] && !inst_valid_ipv4(cfg->gateway)) {
			snprintf(err, errlen, "admin-interface: gateway \"%s\" is not an IPv4 address", cfg->gateway);
			return -1;
		}
	} else if (cfg->ipaddr[0] || cfg->gateway[0] || cfg->prefix > 0) {
		snprintf(err, errlen, "admin-interface: <ipaddr>, <subnet> and <gateway> need proto=\"static\"");
		return -1;
	}
	if (cfg->dns[0] && !inst_valid_ipv4(cfg->dns)) {
		snprintf(err, errlen, "name-server: \"%s\" is not an IPv4 address", cfg->dns);
		return -1;
	}
	return 0;
}

static int check_ssh_key(const char *key, char *err, size_t errlen)
{
	if (!key[0])
		return 0;
	if (strncmp(key, "ssh-", 4) && strncmp(key, "ecdsa-", 6) && strncmp(key, "sk-", 3)) {
		snprintf(err, errlen, "ssh-key: not an OpenSSH public key (ssh-ed25519 AAAA...)");
		return -1;
	}
	return 0;
}

/*
 * Validates CFG completely. Returns 0, or -1 with a message naming the field.
 * Assumes nothing about where CFG came from.
 */
int inst_check(const struct inst_config *cfg, char *err, size_t errlen)
{
	if (!inst_valid_diskname(cfg->disk)) {
		snprintf(err, errlen, "primary-disk: \"%s\" is not a disk name such as sda or nvme0n1",
			 cfg->disk);
		return -1;
	}
	if (check_password(cfg, err, errlen) < 0 || check_network(cfg, err, errlen) < 0)
		return -1;
	if (!inst_valid_hostname(cfg->hostname)) {
		snprintf(err, errlen, "hostname: \"%s\" is not a valid host name", cfg->hostname);
		return -1;
	}
	if (!inst_valid_timezone_name(cfg->timezone)) {
		snprintf(err, errlen, "timezone: \"%s\" is not a time zone name", cfg->timezone);
		return -1;
	}
	if (!cfg->keymap[0] || !all_chars(cfg->keymap, "_-")) {
		snprintf(err, errlen, "keymap: \"%s\" is not a keymap name", cfg->keymap);
		return -1;
	}
	return check_ssh_key(cfg->ssh_key, err, errlen);
}
