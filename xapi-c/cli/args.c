/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xe: the command line.
 *
 * Design: xe's grammar is `xe [global options] COMMAND [key=value]... [--flag]...`
 * and global options may come anywhere. Options are described by one table
 * (name, whether it takes a value, where it goes); anything starting with '-'
 * that the table does not know is an error, so a typo never becomes a silent
 * no-op. Words with '=' are command parameters; the first other word is the
 * command, and a second one is an error.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xe.h"

enum opt_kind { O_STR, O_FLAG };

struct opt {
	const char *name;
	enum opt_kind kind;
	size_t off;             /* offsetof the char * or int in struct xe_args */
};

#define STR(n, f) {n, O_STR, offsetof(struct xe_args, f)}
#define FLAG(n, f) {n, O_FLAG, offsetof(struct xe_args, f)}

static const struct opt opts[] = {
	STR("-s", server),
	STR("-u", user),
	STR("-pw", password),
	STR("-pwf", password_file),
	STR("--unix", unix_path),
	STR("--fingerprint", fingerprint),
	STR("--known-hosts", known_hosts),
	FLAG("--no-verify", no_verify),
	FLAG("--nossl", nossl),
	FLAG("-debug", debug),
	FLAG("--debug", debug),
	FLAG("--minimal", minimal),
	FLAG("--force", force),
	FLAG("--multiple", multiple),
};

static int errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_port(const char *s, int *port)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

static const struct opt *find_opt(const char *word)
{
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strcmp(opts[i].name, word) == 0)
			return &opts[i];
	return NULL;
}

/* One option at argv[*i]; consumes its value if it has one. */
static int take_option(struct xe_args *a, int argc, char *const *argv, int *i,
		       char *err, size_t errlen)
{
	const char *word = argv[*i];
	const struct opt *o = find_opt(word);
	char **slot;

	if (strcmp(word, "-p") == 0) {
		if (*i + 1 >= argc || parse_port(argv[*i + 1], &a->port))
			return errf(err, errlen, "-p needs a port number (1-65535)");
		(*i)++;
		return 0;
	}
	if (!o)
		return errf(err, errlen, "Unknown option: %s", word);
	if (o->kind == O_FLAG) {
		*(int *)((char *)a + o->off) = 1;
		return 0;
	}
	if (*i + 1 >= argc)
		return errf(err, errlen, "%s needs a value", word);
	slot = (char **)((char *)a + o->off);
	free(*slot);
	*slot = strdup(argv[++(*i)]);
	return *slot ? 0 : errf(err, errlen, "out of memory");
}

static int take_param(struct xe_args *a, const char *word, char *err, size_t errlen)
{
	const char *eq = strchr(word, '=');
	struct xe_param *p;

	if (eq == word)
		return errf(err, errlen, "Parameter without a name: %s", word);
	for (size_t i = 0; i < a->nparams; i++)
		if (strncmp(a->params[i].key, word, (size_t)(eq - word)) == 0 &&
		    a->params[i].key[eq - word] == '\0')
			return errf(err, errlen, "Parameter given twice: %.*s",
				    (int)(eq - word), word);
	if (a->nparams == XE_MAX_PARAMS)
		return errf(err, errlen, "Too many parameters (at most %d)", XE_MAX_PARAMS);
	p = &a->params[a->nparams];
	p->key = strndup(word, (size_t)(eq - word));
	p->value = strdup(eq + 1);
	if (!p->key || !p->value) {
		free(p->key);
		free(p->value);
		return errf(err, errlen, "out of memory");
	}
	a->nparams++;
	return 0;
}

int xe_args_parse(struct xe_args *a, int argc, char *const *argv, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		const char *word = argv[i];
		int rc;

		if (word[0] == '-')
			rc = take_option(a, argc, argv, &i, err, errlen);
		else if (strchr(word, '='))
			rc = take_param(a, word, err, errlen);
		else if (a->command)
			rc = errf(err, errlen, "Unexpected word '%s' (parameters are key=value)", word);
		else
			rc = (a->command = strdup(word)) ? 0 : errf(err, errlen, "out of memory");
		if (rc) {
			xe_args_free(a);
			return -1;
		}
	}
	if (!a->command) {
		xe_args_free(a);
		return errf(err, errlen, "No command given. For usage run: 'xe help'");
	}
	return 0;
}

void xe_args_free(struct xe_args *a)
{
	free(a->server);
	free(a->user);
	if (a->password)
		explicit_bzero(a->password, strlen(a->password));
	free(a->password);
	free(a->password_file);
	free(a->unix_path);
	free(a->fingerprint);
	free(a->known_hosts);
	free(a->command);
	for (size_t i = 0; i < a->nparams; i++) {
		free(a->params[i].key);
		free(a->params[i].value);
	}
	memset(a, 0, sizeof(*a));
}

const char *xe_args_get(const struct xe_args *a, const char *key)
{
	for (size_t i = 0; i < a->nparams; i++)
		if (strcmp(a->params[i].key, key) == 0)
			return a->params[i].value;
	return NULL;
}

/* Maps FROM to TO in the field name; a map key after ':' is copied as is. */
static void map_chars(const char *in, char *out, size_t outlen, char from, char to)
{
	int in_key = 0;
	size_t i;

	if (!outlen)
		return;
	for (i = 0; in[i] && i + 1 < outlen; i++) {
		in_key |= in[i] == ':';
		out[i] = in[i] == from && !in_key ? to : in[i];
	}
	out[i] = '\0';
}

void xe_field_to_api(const char *xe, char *out, size_t outlen)
{
	map_chars(xe, out, outlen, '-', '_');
}

void xe_field_to_xe(const char *api, char *out, size_t outlen)
{
	map_chars(api, out, outlen, '_', '-');
}
