/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * answerfile.c — parses an unattended-install answerfile into inst_config.
 *
 * Design: the answerfile uses XCP-ng's element names where they fit:
 *
 *   <installation mode="fresh|upgrade">
 *     <primary-disk guest-storage="yes|no">sda</primary-disk>
 *     <root-password type="hash|plaintext">...</root-password>
 *     <admin-interface name="eth0" proto="dhcp|static">
 *       <ipaddr>..</ipaddr> <subnet>..</subnet> <gateway>..</gateway>
 *     </admin-interface>
 *     <name-server>..</name-server> <hostname>..</hostname>
 *     <timezone>Europe/Paris</timezone> <keymap>us</keymap>
 *     <ssh-key>ssh-ed25519 ...</ssh-key>          (Cairn extension)
 *   </installation>
 *
 * (<existing-installation> is accepted as XCP-ng's name for the disk of an
 * upgrade.) Elements are described by one table: name, allowed parent,
 * allowed attributes, and where their text goes. Anything not in the table —
 * an unknown element, an element under the wrong parent, an unknown attribute,
 * a repeated element, a DOCTYPE (no entities at all) — stops the parse with a
 * message naming the line. Text is copied into a bounded buffer and checked
 * before it is stored; inst_check() then validates the whole configuration.
 */
#include <expat.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "inst.h"

#define AF_TEXT_MAX 2048
#define AF_DEPTH_MAX 4

enum af_elem {
	E_NONE = -1,
	E_INSTALLATION,
	E_PRIMARY_DISK,
	E_EXISTING,
	E_ROOT_PASSWORD,
	E_ADMIN_IF,
	E_IPADDR,
	E_SUBNET,
	E_GATEWAY,
	E_NAME_SERVER,
	E_HOSTNAME,
	E_TIMEZONE,
	E_KEYMAP,
	E_SSH_KEY,
	E_COUNT
};

struct af_state;
typedef int (*af_attr_fn)(struct af_state *st, const char *name, const char *value);
typedef int (*af_text_fn)(struct af_state *st, const char *text);

struct af_elem_desc {
	const char *name;
	enum af_elem parent;
	af_attr_fn attr;	/* NULL: no attributes allowed */
	af_text_fn text;	/* NULL: no text allowed */
};

struct af_state {
	XML_Parser parser;
	struct inst_config *cfg;
	char *err;
	size_t errlen;
	int failed;
	int depth;
	enum af_elem stack[AF_DEPTH_MAX];
	unsigned seen;		/* bit per af_elem */
	char text[AF_TEXT_MAX];
	size_t textlen;
	int saw_root;
};

static void af_fail(struct af_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void af_fail(struct af_state *st, const char *fmt, ...)
{
	char msg[INST_ERR_MAX];
	va_list ap;

	if (st->failed)
		return;
	st->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(st->err, st->errlen, "answerfile line %lu: %s",
		 (unsigned long)XML_GetCurrentLineNumber(st->parser), msg);
	XML_StopParser(st->parser, XML_FALSE);
}

static int af_copy(struct af_state *st, char *dst, size_t size, const char *src,
		   const char *what)
{
	size_t n = strlen(src);

	if (n == 0) {
		af_fail(st, "<%s> is empty", what);
		return -1;
	}
	if (n >= size) {
		af_fail(st, "<%s> is too long (%zu bytes, at most %zu)", what, n, size - 1);
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

/* -- attributes ------------------------------------------------------------- */

static int attr_installation(struct af_state *st, const char *name, const char *value)
{
	if (strcmp(name, "mode") != 0)
		return 1;
	if (strcmp(value, "fresh") == 0)
		st->cfg->mode = INST_FRESH;
	else if (strcmp(value, "upgrade") == 0)
		st->cfg->mode = INST_UPGRADE;
	else
		af_fail(st, "installation mode \"%s\" is not fresh or upgrade", value);
	return 0;
}

static int attr_primary_disk(struct af_state *st, const char *name, const char *value)
{
	if (strcmp(name, "guest-storage") != 0)
		return 1;
	if (strcmp(value, "yes") == 0)
		st->cfg->local_sr = 1;
	else if (strcmp(value, "no") == 0)
		st->cfg->local_sr = 0;
	else
		af_fail(st, "guest-storage \"%s\" is not yes or no", value);
	return 0;
}

static int attr_root_password(struct af_state *st, const char *name, const char *value)
{
	if (strcmp(name, "type") != 0)
		return 1;
	if (strcmp(value, "hash") == 0)
		st->cfg->pw_is_hash = 1;
	else if (strcmp(value, "plaintext") == 0)
		st->cfg->pw_is_hash = 0;
	else
		af_fail(st, "root-password type \"%s\" is not hash or plaintext", value);
	return 0;
}

static int attr_admin_if(struct af_state *st, const char *name, const char *value)
{
	if (strcmp(name, "name") == 0) {
		af_copy(st, st->cfg->nic, sizeof(st->cfg->nic), value, "admin-interface name");
		return 0;
	}
	if (strcmp(name, "proto") != 0)
		return 1;
	if (strcmp(value, "dhcp") == 0)
		st->cfg->proto = INST_DHCP;
	else if (strcmp(value, "static") == 0)
		st->cfg->proto = INST_STATIC;
	else
		af_fail(st, "admin-interface proto \"%s\" is not dhcp or static", value);
	return 0;
}

/* -- text ------------------------------------------------------------------- */

static int text_disk(struct af_state *st, const char *t)
{
	if (strncmp(t, "/dev/", 5) == 0)
		t += 5;
	return af_copy(st, st->cfg->disk, sizeof(st->cfg->disk), t, "primary-disk");
}

static int text_password(struct af_state *st, const char *t)
{
	return af_copy(st, st->cfg->root_pw, sizeof(st->cfg->root_pw), t, "root-password");
}

static int text_ipaddr(struct af_state *st, const char *t)
{
	return af_copy(st, st->cfg->ipaddr, sizeof(st->cfg->ipaddr), t, "ipaddr");
}

static int text_subnet(struct af_state *st, const char *t)
{
	st->cfg->prefix = inst_parse_netmask(t);
	if (st->cfg->prefix < 0)
		af_fail(st, "subnet \"%s\" is not a netmask or prefix length", t);
	return 0;
}

static int text_gateway(struct af_state *st, const char *t)
{
	return af_copy(st, st->cfg->gateway, sizeof(st->cfg->gateway), t, "gateway");
}

static int text_dns(struct af_state *st, const char *t)
{
	return af_copy(st, st->cfg->dns, sizeof(st->cfg->dns), t, "name-server");
}

static int text_hostname(struct af_state *st, const char *t)
{
	return af_copy(st, st->cfg->hostname, sizeof(st->cfg->hostname), t, "hostname");
}

static int text_timezone(struct af_state *st, const char *t)
{
	return af_copy(st, st->cfg->timezone, sizeof(st->cfg->timezone), t, "timezone");
}

static int text_keymap(struct af_state *st, const char *t)
{
	return af_copy(st, st->cfg->keymap, sizeof(st->cfg->keymap), t, "keymap");
}

static int text_ssh_key(struct af_state *st, const char *t)
{
	return af_copy(st, st->cfg->ssh_key, sizeof(st->cfg->ssh_key), t, "ssh-key");
}

static const struct af_elem_desc af_elems[E_COUNT] = {
	[E_INSTALLATION]  = { "installation", E_NONE, attr_installation, NULL },
	[E_PRIMARY_DISK]  = { "primary-disk", E_INSTALLATION, attr_primary_disk, text_disk },
	[E_EXISTING]      = { "existing-installation", E_INSTALLATION, NULL, text_disk },
	[E_ROOT_PASSWORD] = { "root-password", E_INSTALLATION, attr_root_password, text_password },
	[E_ADMIN_IF]      = { "admin-interface", E_INSTALLATION, attr_admin_if, NULL },
	[E_IPADDR]        = { "ipaddr", E_ADMIN_IF, NULL, text_ipaddr },
	[E_SUBNET]        = { "subnet", E_ADMIN_IF, NULL, text_subnet },
	[E_GATEWAY]       = { "gateway", E_ADMIN_IF, NULL, text_gateway },
	[E_NAME_SERVER]   = { "name-server", E_INSTALLATION, NULL, text_dns },
	[E_HOSTNAME]      = { "hostname", E_INSTALLATION, NULL, text_hostname },
	[E_TIMEZONE]      = { "timezone", E_INSTALLATION, NULL, text_timezone },
	[E_KEYMAP]        = { "keymap", E_INSTALLATION, NULL, text_keymap },
	[E_SSH_KEY]       = { "ssh-key", E_INSTALLATION, NULL, text_ssh_key },
};

static enum af_elem af_lookup(const char *name)
{
	for (int i = 0; i < E_COUNT; i++)
		if (strcmp(af_elems[i].name, name) == 0)
			return (enum af_elem)i;
	return E_NONE;
}

static void af_attrs(struct af_state *st, enum af_elem e, const XML_Char **attrs)
{
	const struct af_elem_desc *d = &af_elems[e];

	for (int i = 0; attrs[i] && !st->failed; i += 2) {
		if (!d->attr || d->attr(st, attrs[i], attrs[i + 1]) > 0)
			af_fail(st, "<%s> has unknown attribute \"%s\"", d->name, attrs[i]);
	}
}

static void XMLCALL af_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct af_state *st = ud;
	enum af_elem parent = st->depth ? st->stack[st->depth - 1] : E_NONE;
	enum af_elem e = af_lookup(name);

	if (st->failed)
		return;
	if (e == E_NONE) {
		af_fail(st, "unknown element <%s>", name);
		return;
	}
	if (af_elems[e].parent != parent) {
		af_fail(st, "element <%s> is not allowed %s%s%s", name,
			parent == E_NONE ? "at the top" : "inside <",
			parent == E_NONE ? "" : af_elems[parent].name,
			parent == E_NONE ? "" : ">");
		return;
	}
	if (st->seen & (1u << e)) {
		af_fail(st, "element <%s> appears twice", name);
		return;
	}
	if (st->depth >= AF_DEPTH_MAX) {
		af_fail(st, "elements nested too deeply");
		return;
	}
	st->seen |= 1u << e;
	st->stack[st->depth++] = e;
	st->textlen = 0;
	if (e == E_INSTALLATION)
		st->saw_root = 1;
	af_attrs(st, e, attrs);
}

static int af_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

static void XMLCALL af_chars(void *ud, const XML_Char *s, int len)
{
	struct af_state *st = ud;

	if (st->failed || len <= 0)
		return;
	if (st->depth == 0 || (!af_elems[st->stack[st->depth - 1]].text)) {
		if (!af_blank(s, (size_t)len))
			af_fail(st, "unexpected text inside <%s>",
				st->depth ? af_elems[st->stack[st->depth - 1]].name : "document");
		return;
	}
	if ((size_t)len >= sizeof(st->text) - st->textlen) {
		af_fail(st, "text of <%s> is too long", af_elems[st->stack[st->depth - 1]].name);
		return;
	}
	memcpy(st->text + st->textlen, s, (size_t)len);
	st->textlen += (size_t)len;
}

/* Trims blanks at both ends in place; rejects control characters inside. */
static char *af_trim(struct af_state *st, const char *what)
{
	char *s = st->text, *end;

	st->text[st->textlen] = '\0';
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			af_fail(st, "<%s> contains a control character", what);
			return NULL;
		}
	}
	return s;
}

static void XMLCALL af_end(void *ud, const XML_Char *name)
{
	struct af_state *st = ud;
	enum af_elem e;
	char *t;

	if (st->failed || st->depth == 0)
		return;
	e = st->stack[--st->depth];
	if (!af_elems[e].text)
		return;
	t = af_trim(st, name);
	if (t)
		af_elems[e].text(st, t);
	st->textlen = 0;
}

#define UNUSED __attribute__((unused))

static void XMLCALL af_doctype(void *ud, const XML_Char *name UNUSED, const XML_Char *sysid UNUSED,
			       const XML_Char *pubid UNUSED, int has_internal_subset UNUSED)
{
	af_fail(ud, "DOCTYPE declarations are not allowed");
}

static void XMLCALL af_entity(void *ud, const XML_Char *name UNUSED, int is_param UNUSED,
			      const XML_Char *value UNUSED, int value_len UNUSED,
			      const XML_Char *base UNUSED, const XML_Char *sysid UNUSED,
			      const XML_Char *pubid UNUSED, const XML_Char *notation UNUSED)
{
	af_fail(ud, "entity declarations are not allowed");
}

/* The defaults every answerfile starts from: fresh install, local SR, DHCP. */
void inst_defaults(struct inst_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = INST_FRESH;
	cfg->local_sr = 1;
	cfg->pw_is_hash = 0;
	cfg->proto = INST_DHCP;
	cfg->prefix = -1;
	strcpy(cfg->hostname, "cairn");
	strcpy(cfg->timezone, "UTC");
	strcpy(cfg->keymap, "us");
}

static int af_required(struct af_state *st)
{
	if (!st->saw_root) {
		snprintf(st->err, st->errlen, "answerfile: no <installation> element");
		return -1;
	}
	if (!(st->seen & ((1u << E_PRIMARY_DISK) | (1u << E_EXISTING)))) {
		snprintf(st->err, st->errlen, "answerfile: no <primary-disk>: which disk to install on?");
		return -1;
	}
	if (!(st->seen & (1u << E_ROOT_PASSWORD)) && st->cfg->mode == INST_FRESH) {
		snprintf(st->err, st->errlen, "answerfile: no <root-password>");
		return -1;
	}
	return 0;
}

/*
 * Parses BUF (LEN bytes, need not be NUL-terminated) into CFG, which starts
 * from inst_defaults(). Returns 0, or -1 with a one-line message in ERR; on
 * error CFG holds partial data and must not be used. Does no I/O.
 */
int af_parse(const char *buf, size_t len, struct inst_config *cfg, char *err, size_t errlen)
{
	struct af_state st;
	enum XML_Status rs;
	int rc = -1;

	memset(&st, 0, sizeof(st));
	inst_defaults(cfg);
	st.cfg = cfg;
	st.err = err;
	st.errlen = errlen;
	err[0] = '\0';
	if (len > (1u << 20)) {
		snprintf(err, errlen, "answerfile: larger than 1 MiB");
		return -1;
	}
	st.parser = XML_ParserCreate("UTF-8");
	if (!st.parser) {
		snprintf(err, errlen, "answerfile: out of memory");
		return -1;
	}
	XML_SetUserData(st.parser, &st);
	XML_SetElementHandler(st.parser, af_start, af_end);
	XML_SetCharacterDataHandler(st.parser, af_chars);
	XML_SetStartDoctypeDeclHandler(st.parser, af_doctype);
	XML_SetEntityDeclHandler(st.parser, af_entity);
	rs = XML_Parse(st.parser, buf, (int)len, XML_TRUE);
	if (st.failed)
		goto out;
	if (rs != XML_STATUS_OK) {
		snprintf(err, errlen, "answerfile line %lu: malformed XML: %s",
			 (unsigned long)XML_GetCurrentLineNumber(st.parser),
			 XML_ErrorString(XML_GetErrorCode(st.parser)));
		goto out;
	}
	if (af_required(&st) < 0)
		goto out;
	rc = inst_check(cfg, err, errlen);
out:
	XML_ParserFree(st.parser);
	return rc;
}
