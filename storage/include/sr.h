/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sr.h — Cairn's storage library: storage repositories (SR), virtual disks (VDI)
 * and their plugging (PBD), as xapi-c's SR, VDI and PBD classes call them.
 *
 * Design: one context (struct sr_ctx) holds the configuration: the state
 * directory, the paths of the external tools and the command timeout. An SR is
 * opened with its uuid, type and device_config (the PBD's) into an opaque
 * struct sr; every VDI operation names its VDI by uuid. SR types are drivers
 * behind one ops table ("lvm", "file", "nfs"); an unknown type is refused with
 * SR_UNKNOWN_DRIVER.
 *
 * Records are plain structs with XenAPI's field names. The storage itself is
 * the source of truth for VDI records: LVM tags (lvm) or a sidecar file per
 * image (file, nfs) carry name_label, is_a_snapshot, snapshot_of and
 * read_only, so sr_scan() rebuilds every VDI record from the storage alone.
 *
 * Errors: every function returns 0 or -1; on -1 the struct sr_error names a
 * XenAPI error code and its parameters exactly as XenAPI defines them, e.g.
 *   SR_BACKEND_FAILURE  [exit status, stdout, stderr]  (a tool failed; status
 *                       is the decimal exit code, "TIMEOUT" when the tool was
 *                       killed at the timeout, "SIGNAL <n>" when it died of a
 *                       signal, or an errno name for a system call failure)
 *   VDI_IN_USE          [vdi, operation]
 *   VDI_TOO_SMALL       [vdi, minimum size]     (resize would shrink)
 *   SR_FULL             [requested, maximum]
 *   UUID_INVALID        [class, uuid]           (no such VDI / SR)
 * The caller (xapi-c) forwards code and params unchanged.
 *
 * In-use status: the library keeps an attach record per attached VDI in its
 * state directory (sr_vdi_attach() writes it, sr_vdi_detach() removes it);
 * destroy and resize of an attached VDI fail with VDI_IN_USE. LVM also refuses
 * to remove an LV that is open, which is reported the same way.
 *
 * Crash consistency: operations that take more than one step on the storage
 * write an intent record to a per-SR journal (fsync'd) first; sr_open()
 * replays or rolls back a leftover record. Single-command LVM operations carry
 * their tags in the same command and are atomic. See storage/README.md.
 *
 * Locking: every operation that changes an SR holds an exclusive flock on the
 * SR's lock file in the state directory, so writes to one VG are serialized
 * across threads and processes. Handles are not shared between threads.
 */
#ifndef CAIRN_SR_H
#define CAIRN_SR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SR_UUID_LEN     36
#define SR_NAME_MAX     256
#define SR_PATH_MAX     512
#define SR_KV_MAX       8
#define SR_ERR_PARAMS   4
#define SR_ERR_PARAM_MAX 2048

/* XenAPI error codes; sr_code_name() gives the wire name. */
enum sr_code {
	SR_OK = 0,
	SR_E_BACKEND_FAILURE,        /* SR_BACKEND_FAILURE [status, stdout, stderr] */
	SR_E_VDI_IN_USE,             /* VDI_IN_USE [vdi, operation] */
	SR_E_VDI_TOO_SMALL,          /* VDI_TOO_SMALL [vdi, minimum size] */
	SR_E_SR_FULL,                /* SR_FULL [requested, maximum] */
	SR_E_UUID_INVALID,           /* UUID_INVALID [class, uuid] */
	SR_E_UNKNOWN_DRIVER,         /* SR_UNKNOWN_DRIVER [driver] */
	SR_E_OPERATION_NOT_SUPPORTED,/* SR_OPERATION_NOT_SUPPORTED [sr] */
	SR_E_NOT_EMPTY,              /* SR_NOT_EMPTY [] */
	SR_E_VDI_READONLY,           /* VDI_READONLY [vdi] */
	SR_E_INVALID_VALUE,          /* INVALID_VALUE [field, value] */
	SR_E_SR_DEVICE_IN_USE,       /* SR_DEVICE_IN_USE [] */
	SR_E__COUNT
};

struct sr_error {
	enum sr_code code;
	int nparams;
	char params[SR_ERR_PARAMS][SR_ERR_PARAM_MAX];
};

/* A key/value pair of a XenAPI map field (sm_config, device_config). */
struct sr_kv {
	char key[64];
	char value[SR_NAME_MAX];
};

struct sr_kvs {
	int n;
	struct sr_kv kv[SR_KV_MAX];
};

/* The SR fields the storage layer knows (XenAPI names). */
struct sr_record {
	char uuid[SR_UUID_LEN + 1];
	char name_label[SR_NAME_MAX];
	char type[16];
	char content_type[16];
	int64_t physical_size;        /* bytes the SR can hold */
	int64_t physical_utilisation; /* bytes in use on the storage */
	int64_t virtual_allocation;   /* sum of the VDIs' virtual sizes */
	bool full;                    /* sm_config full=true: new VDIs refused */
	struct sr_kvs sm_config;
};

/* The VDI fields the storage layer knows (XenAPI names). */
struct sr_vdi_record {
	char uuid[SR_UUID_LEN + 1];
	char name_label[SR_NAME_MAX];
	char sr[SR_UUID_LEN + 1];
	char type[16];                /* "user" */
	int64_t virtual_size;
	int64_t physical_utilisation;
	bool is_a_snapshot;
	char snapshot_of[SR_UUID_LEN + 1]; /* "" unless is_a_snapshot */
	bool read_only;
	bool managed;
	char location[SR_PATH_MAX];   /* LV name or image file name */
	struct sr_kvs sm_config;      /* format=raw|qcow2, vdi_type=thin|file, parent= */
};

/* How to reach an attached VDI. */
struct sr_attach_info {
	char path[SR_PATH_MAX];       /* block device or image file */
	char format[16];              /* "raw" (block device or raw file) or "qcow2" */
	bool read_only;
};

/* A storage repository found by sr_probe(). */
struct sr_probe_entry {
	char uuid[SR_UUID_LEN + 1];
	char name_label[SR_NAME_MAX];
	int64_t physical_size;
};

struct sr_config {
	const char *state_dir;  /* locks, journal, attach records; created if missing */
	const char *lvm;        /* path of lvm(8); default "lvm" (searched in PATH) */
	const char *qemu_img;   /* default "qemu-img" */
	const char *mount;      /* default "mount" (nfs) */
	const char *umount;     /* default "umount" (nfs) */
	int timeout_ms;         /* per command; default 60000 */
	int full_percent;       /* pool usage (data or metadata) at which an SR is full; default 90 */
};

struct sr_ctx;
struct sr;

const char *sr_code_name(enum sr_code code);
/* Renders ERR as "CODE [p1, p2, ...]" into BUF. */
const char *sr_error_str(const struct sr_error *err, char *buf, size_t len);

int sr_ctx_new(const struct sr_config *cfg, struct sr_ctx **out, struct sr_error *err);
void sr_ctx_free(struct sr_ctx *ctx);

/* device_config lookup helper; returns NULL if KEY is absent. */
const char *sr_kvs_get(const struct sr_kvs *kvs, const char *key);
int sr_kvs_set(struct sr_kvs *kvs, const char *key, const char *value);

/* SR.probe: the SRs of TYPE found on DEVICE_CONFIG's storage. */
int sr_probe(struct sr_ctx *ctx, const char *type, const struct sr_kvs *device_config,
	     struct sr_probe_entry *out, int max, int *n, struct sr_error *err);
/* SR.create: makes the SR on the storage (and leaves it plugged). */
int sr_create(struct sr_ctx *ctx, const char *type, const char *uuid, const char *name_label,
	      const struct sr_kvs *device_config, struct sr_record *rec, struct sr_error *err);

/* Opens an existing SR (SR.introduce checks it exists; recovery of an
 * interrupted operation happens here). */
int sr_open(struct sr_ctx *ctx, const char *type, const char *uuid,
	    const struct sr_kvs *device_config, struct sr **out, struct sr_error *err);
void sr_close(struct sr *sr);

int sr_plug(struct sr *sr, struct sr_error *err);    /* PBD.plug */
int sr_unplug(struct sr *sr, struct sr_error *err);  /* PBD.unplug */
int sr_destroy(struct sr *sr, struct sr_error *err); /* SR.destroy: must be empty */
int sr_forget(struct sr *sr, struct sr_error *err);  /* SR.forget: drops local state only */
int sr_stat(struct sr *sr, struct sr_record *rec, struct sr_error *err);
/* SR.scan: every VDI on the storage; *OUT is malloc'd, free() it. */
int sr_scan(struct sr *sr, struct sr_vdi_record **out, int *n, struct sr_error *err);

int sr_vdi_create(struct sr *sr, const char *name_label, int64_t virtual_size,
		  const struct sr_kvs *sm_config, struct sr_vdi_record *rec, struct sr_error *err);
int sr_vdi_get(struct sr *sr, const char *vdi, struct sr_vdi_record *rec, struct sr_error *err);
int sr_vdi_destroy(struct sr *sr, const char *vdi, struct sr_error *err);
int sr_vdi_resize(struct sr *sr, const char *vdi, int64_t new_size, struct sr_vdi_record *rec,
		  struct sr_error *err);
int sr_vdi_snapshot(struct sr *sr, const char *vdi, struct sr_vdi_record *rec,
		    struct sr_error *err);
int sr_vdi_clone(struct sr *sr, const char *vdi, struct sr_vdi_record *rec, struct sr_error *err);
/* VDI.copy into another (open) SR: a new VDI there with the same contents. */
int sr_vdi_copy(struct sr *sr, const char *vdi, struct sr *dst, struct sr_vdi_record *rec,
		struct sr_error *err);
int sr_vdi_attach(struct sr *sr, const char *vdi, bool writable, struct sr_attach_info *info,
		  struct sr_error *err);
int sr_vdi_detach(struct sr *sr, const char *vdi, struct sr_error *err);
int sr_vdi_set_name_label(struct sr *sr, const char *vdi, const char *name_label,
			  struct sr_error *err);

#endif
