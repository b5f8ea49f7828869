/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xe.h — the interface of Cairn's `xe` command-line client.
 *
 * Design: xe is a thin XenAPI client. Layers, each with the prefix shown:
 *   xe_val_*   a tree of XML-RPC values (strings, ints, bools, doubles,
 *              datetimes, arrays, structs) owned by its root;
 *   xe_xml_*   XML-RPC marshalling: a methodCall is written from values, a
 *              methodResponse is parsed with expat into values (never by hand);
 *   xe_args_*  the command line: global options, the command, key=value
 *              parameters and --flags, with xe's conventions;
 *   xe_out_*   how records, --minimal lists and XenAPI errors are printed;
 *   xe_conn_*  the transport (libcurl: HTTPS, or HTTP over the local Unix
 *              socket) and the session around it;
 *   xe_cmd_*   the table of commands.
 * Everything but xe_conn_* is pure and covered by the unit tests.
 */
#ifndef CAIRN_XE_H
#define CAIRN_XE_H

#include <stddef.h>
#include <stdio.h>

/* ---- values ------------------------------------------------------------ */

enum xe_vtype {
	XE_V_STRING,
	XE_V_INT,
	XE_V_BOOL,
	XE_V_DOUBLE,
	XE_V_DATETIME,
	XE_V_ARRAY,
	XE_V_STRUCT,
	XE_V_NIL,
};

struct xe_val {
	enum xe_vtype type;
	char *s;                /* STRING, DATETIME */
	long long i;            /* INT, BOOL */
	double d;               /* DOUBLE */
	size_t n, cap;          /* ARRAY, STRUCT: items (and keys for STRUCT) */
	struct xe_val **items;
	char **keys;
};

struct xe_val *xe_val_str(const char *s);
struct xe_val *xe_val_strn(const char *s, size_t len);
struct xe_val *xe_val_int(long long i);
struct xe_val *xe_val_bool(int b);
struct xe_val *xe_val_double(double d);
struct xe_val *xe_val_array(void);
struct xe_val *xe_val_struct(void);
/* Append (array) or set (struct: the key is copied). Take ownership of v;
 * return 0, or -1 (v freed) when out of memory or the container is wrong. */
int xe_val_push(struct xe_val *array, struct xe_val *v);
int xe_val_set(struct xe_val *st, const char *key, struct xe_val *v);
/* Struct member by key, or NULL. */
const struct xe_val *xe_val_get(const struct xe_val *st, const char *key);
/* The string of a STRING value, or NULL for anything else. */
const char *xe_val_cstr(const struct xe_val *v);
void xe_val_free(struct xe_val *v);

/* ---- growable text buffer ------------------------------------------------ */

struct xe_buf {
	char *p;
	size_t len, cap;
	int oom;                /* sticky: an append failed */
};

void xe_buf_add(struct xe_buf *b, const char *s, size_t n);
void xe_buf_puts(struct xe_buf *b, const char *s);
void xe_buf_printf(struct xe_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void xe_buf_free(struct xe_buf *b);

/* ---- XML-RPC ------------------------------------------------------------- */

/* Largest response xe accepts, and deepest nesting of values. */
#define XE_XML_MAX_BODY  (256u << 20)
#define XE_XML_MAX_DEPTH 64

/* Writes <methodCall> for METHOD with NPARAMS values into OUT. 0 or -1. */
int xe_xml_call(struct xe_buf *out, const char *method,
		struct xe_val *const *params, size_t nparams);

/* The outcome of one call, XenAPI style. */
struct xe_result {
	int ok;                 /* Status == "Success" */
	struct xe_val *value;   /* Value when ok */
	struct xe_val *error;   /* ErrorDescription (array of strings) when !ok */
	char *transport_error;  /* malformed response, HTTP error, fault... */
};

/* Parses a methodResponse body into R (which the caller clears with
 * xe_result_clear). Always fills exactly one of value/error/transport_error. */
void xe_xml_parse_response(const char *body, size_t len, struct xe_result *r);
void xe_result_clear(struct xe_result *r);

/* ---- command line -------------------------------------------------------- */

#define XE_MAX_PARAMS 64

struct xe_param {
	char *key;              /* "name-label", "other-config:foo", "params" */
	char *value;
};

struct xe_args {
	/* connection */
	char *server;           /* -s; NULL: the local Unix socket */
	int port;               /* -p; 0: 443 */
	char *user;             /* -u */
	char *password;         /* -pw, or read from -pwf */
	char *password_file;    /* -pwf */
	char *unix_path;        /* --unix, $XE_UNIX_SOCKET, or the default */
	char *fingerprint;      /* --fingerprint sha256//BASE64 of the server key */
	char *known_hosts;      /* --known-hosts FILE */
	int no_verify;          /* --no-verify: accept any certificate */
	int nossl;              /* --nossl: plain HTTP to -s (tests, tunnels) */
	int debug;              /* -debug: print the wire traffic on stderr */
	/* the command */
	char *command;
	struct xe_param params[XE_MAX_PARAMS];
	size_t nparams;
	int minimal;            /* --minimal */
	int force;              /* --force */
	int multiple;           /* --multiple */
};

/* Parses ARGV (argv[0] excluded) into A. On error returns -1 with a message
 * in ERR (size ERRLEN). The strings in A are copies: free with xe_args_free. */
int xe_args_parse(struct xe_args *a, int argc, char *const *argv,
		  char *err, size_t errlen);
void xe_args_free(struct xe_args *a);
/* Value of parameter KEY, or NULL. */
const char *xe_args_get(const struct xe_args *a, const char *key);

/* xe spells fields with dashes, XenAPI with underscores: name-label <->
 * name_label. The result is written into OUT (size OUTLEN). */
void xe_field_to_api(const char *xe, char *out, size_t outlen);
void xe_field_to_xe(const char *api, char *out, size_t outlen);

/* ---- output -------------------------------------------------------------- */

/* One field of a record as xe prints it: enums lower-case, maps as
 * "k: v; k2: v2", sets as "a; b", booleans true/false. */
void xe_out_value(struct xe_buf *out, const char *api_field, const struct xe_val *v);

/* Which fields of RECORD to print: the NULL-terminated DEFAULTS, or the
 * comma-separated PARAMS list, or every field when PARAMS is "all". */
struct xe_fieldlist {
	char *names[256];       /* xe spelling */
	size_t n;
};
void xe_out_select(struct xe_fieldlist *fl, const struct xe_val *record,
		   const char *params, const char *const *defaults);
void xe_out_fieldlist_free(struct xe_fieldlist *fl);

/* Prints one record as xe does ("name-label ( RW): value" lines, aligned).
 * RW(field) says whether a field is writable; NULL prints every field RO. */
typedef int (*xe_rw_fn)(const char *api_field, void *ctx);
void xe_out_record(struct xe_buf *out, const struct xe_val *record,
		   const struct xe_fieldlist *fl, xe_rw_fn rw, void *ctx);

/* --minimal: the values of the first selected field, comma-separated. */
void xe_out_minimal(struct xe_buf *out, const struct xe_val *const *records,
		    size_t n, const char *xe_field);

/* A XenAPI error (array of strings) as readable text ending in
 * "error code: CODE"; unknown codes print the parameters raw. */
void xe_out_error(struct xe_buf *out, const struct xe_val *error_description);

/* ---- connection ---------------------------------------------------------- */

struct xe_conn;

/* Connects and logs in as A says. On failure prints why and returns NULL. */
struct xe_conn *xe_conn_open(const struct xe_args *a);
/* Calls METHOD(session, params...) (SESSION 1) or METHOD(params...) (0). */
int xe_conn_call(struct xe_conn *c, int session, const char *method,
		 struct xe_val *const *params, size_t n, struct xe_result *r);
/* The system.listMethods answer (cached), for RO/RW annotations. */
const struct xe_val *xe_conn_methods(struct xe_conn *c);
void xe_conn_close(struct xe_conn *c);

/* ---- commands ------------------------------------------------------------ */

/* Runs the command in A; returns the process exit status. */
int xe_cmd_run(const struct xe_args *a, FILE *out, FILE *err);
/* Is NAME a command xe knows (used by the unit tests and `xe help`)? */
int xe_cmd_known(const char *name);

#endif
