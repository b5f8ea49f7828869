/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * srint.h — the storage library's private interface: driver ops, the command
 * runner, report parsing, the journal, locks and small helpers.
 */
#ifndef CAIRN_SRINT_H
#define CAIRN_SRINT_H

#include <stdarg.h>
#include <sys/types.h>

#include "sr.h"

#define SR_LOG(fmt, ...) sr_log(__func__, fmt, ##__VA_ARGS__)

struct sr_ctx {
	char state_dir[SR_PATH_MAX];
	char lvm[SR_PATH_MAX];
	char qemu_img[SR_PATH_MAX];
	char mount[SR_PATH_MAX];
	char umount[SR_PATH_MAX];
	int timeout_ms;
	int full_percent;
};

struct sr_driver;

struct sr {
	struct sr_ctx *ctx;
	const struct sr_driver *drv;
	char uuid[SR_UUID_LEN + 1];
	char type[16];
	struct sr_kvs dc;              /* device_config */
	char dir[SR_PATH_MAX];         /* state: <state>/sr/<uuid> */
	char root[SR_PATH_MAX];        /* file/nfs: the image directory */
	char vg[128];                  /* lvm: the volume group */
	int lock_fd;                   /* held while an operation runs, else -1 */
};

/* One SR type. Every op is called with the SR lock held (except probe and
 * create, which lock by uuid themselves). NULL means "not supported". */
struct sr_driver {
	const char *type;
	int (*probe)(struct sr_ctx *, const struct sr_kvs *, struct sr_probe_entry *, int, int *,
		     struct sr_error *);
	int (*create)(struct sr *, const char *name_label, struct sr_error *);
	int (*open)(struct sr *, struct sr_error *);
	int (*recover)(struct sr *, const char *op, const char *const *args, int nargs,
		       struct sr_error *);
	int (*plug)(struct sr *, struct sr_error *);
	int (*unplug)(struct sr *, struct sr_error *);
	int (*destroy)(struct sr *, struct sr_error *);
	int (*stat)(struct sr *, struct sr_record *, struct sr_error *);
	/* Cheaper than stat for the full check before an operation (optional). */
	int (*space)(struct sr *, bool *full, int64_t *avail, struct sr_error *);
	int (*scan)(struct sr *, struct sr_vdi_record **, int *, struct sr_error *);
	int (*vdi_create)(struct sr *, const char *uuid, const char *name, int64_t size,
			  const struct sr_kvs *, struct sr_vdi_record *, struct sr_error *);
	int (*vdi_get)(struct sr *, const char *uuid, struct sr_vdi_record *, struct sr_error *);
	int (*vdi_destroy)(struct sr *, const struct sr_vdi_record *, struct sr_error *);
	int (*vdi_resize)(struct sr *, const struct sr_vdi_record *, int64_t, struct sr_error *);
	int (*vdi_snapshot)(struct sr *, const struct sr_vdi_record *, const char *new_uuid,
			    bool clone, struct sr_error *);
	int (*vdi_attach)(struct sr *, const struct sr_vdi_record *, bool writable,
			  struct sr_attach_info *, struct sr_error *);
	int (*vdi_detach)(struct sr *, const struct sr_vdi_record *, struct sr_error *);
	int (*vdi_set_name)(struct sr *, const struct sr_vdi_record *, const char *,
			    struct sr_error *);
};

extern const struct sr_driver sr_lvm_driver;
extern const struct sr_driver sr_file_driver;
extern const struct sr_driver sr_nfs_driver;

/* error.c */
int sr_fail(struct sr_error *err, enum sr_code code, int nparams, ...);
int sr_fail_errno(struct sr_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sr_log(const char *func, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* run.c: the command runner. */
struct sr_run {
	int status;        /* exit status, or -1 */
	int signal;        /* terminating signal, or 0 */
	bool timed_out;    /* killed at the timeout */
	char *out;         /* NUL-terminated, at most out_max bytes kept */
	size_t out_len;
	char *errs;
	size_t errs_len;
	bool out_truncated, errs_truncated;
};
#define SR_RUN_OUT_MAX  (8u << 20)
#define SR_RUN_ERR_MAX  (64u << 10)
/* Runs ARGV[0] (searched in PATH) with ARGV, stdin from /dev/null, in its own
 * process group; kills the group at TIMEOUT_MS. Returns 0 when the child was
 * reaped (whatever its status), -1 if it could not be started. */
int sr_run_argv(const char *const *argv, int timeout_ms, struct sr_run *r);
void sr_run_free(struct sr_run *r);
/* Runs and turns anything but exit status 0 into SR_BACKEND_FAILURE. */
int sr_run_checked(struct sr_ctx *ctx, const char *const *argv, struct sr_run *r,
		   struct sr_error *err);
/* The same with its own timeout (data copies scale with the data). */
int sr_run_checked_ms(const char *const *argv, int timeout_ms, struct sr_run *r,
		      struct sr_error *err);
int sr_run_fail(const char *const *argv, const struct sr_run *r, struct sr_error *err);

/* report.c: parsing of lvm JSON reports and qemu-img info. */
struct sr_lv {
	char name[128];
	char vg[128];
	int64_t size;
	int data_bp;        /* data_percent in hundredths of a percent, -1 if empty */
	int meta_bp;
	char attr[16];
	char origin[128];
	char pool[128];
	char tags[1024];
};
struct sr_vg {
	char name[128];
	int64_t size, free, extent_size, extent_count, free_count;
	char tags[1024];
};
struct sr_pv {
	char name[SR_PATH_MAX];
	char vg[128];
	int64_t size, free;
};
struct sr_img_info {
	char format[16];
	int64_t virtual_size;
	int64_t actual_size;
	char backing[SR_PATH_MAX];      /* backing-filename as written, "" if none */
	char backing_format[16];
};
int sr_parse_lvs(const char *json, size_t len, struct sr_lv **out, int *n, struct sr_error *err);
int sr_parse_vgs(const char *json, size_t len, struct sr_vg **out, int *n, struct sr_error *err);
int sr_parse_pvs(const char *json, size_t len, struct sr_pv **out, int *n, struct sr_error *err);
int sr_parse_img_info(const char *json, size_t len, struct sr_img_info *out, struct sr_error *err);
/* Parses "12.34" into 1234; "" gives -1. Returns -1 on malformed input. */
int sr_parse_percent_bp(const char *s, int *bp);
/* tags: "a,b,c"; finds the value of "KEY=..." (unescaped) or presence of KEY. */
bool sr_tag_has(const char *tags, const char *key);
bool sr_tag_get(const char *tags, const char *key, char *val, size_t len);
/* Escapes S into an LVM tag value (A-Za-z0-9_.- kept, others &xx). */
int sr_tag_escape(const char *s, char *out, size_t len);
int sr_tag_unescape(const char *s, size_t n, char *out, size_t len);

/* journal.c: one intent record per SR, written and fsync'd before the change. */
#define SR_JOURNAL_ARGS 6
int sr_journal_begin(const char *dir, const char *op, const char *const *args, int nargs,
		     struct sr_error *err);
int sr_journal_end(const char *dir, struct sr_error *err);
/* Reads a leftover record: returns 1 and fills OP/ARGS if one exists, 0 if
 * none, -1 on a corrupt record. */
int sr_journal_read(const char *dir, char *op, size_t oplen, char args[][SR_PATH_MAX],
		    int *nargs, struct sr_error *err);

/* state.c */
int sr_mkdirs(const char *path, struct sr_error *err);
int sr_lock(struct sr *sr, struct sr_error *err);
void sr_unlock(struct sr *sr);
int sr_attach_record_set(struct sr *sr, const char *vdi, bool on, struct sr_error *err);
bool sr_attach_record_get(struct sr *sr, const char *vdi);
int sr_write_file_atomic(const char *path, const char *data, size_t len, struct sr_error *err);
int sr_fsync_dir(const char *dir);
/* Fault injection: if CAIRN_SR_FAULT is "OP:STEP" with these values, _exit(99). */
void sr_fault_point(const char *op, int step);

/* sr.c: recovery of an interrupted VDI.copy, shared by every driver. */
int sr_recover_copy(struct sr *sr, const char *uuid, struct sr_error *err);

/* util.c */
void sr_uuid_new(char out[SR_UUID_LEN + 1]);
bool sr_uuid_valid(const char *s);
int sr_copy_str(char *dst, size_t len, const char *src);
int sr_fmt(char *dst, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
