/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sr.c — the library's entry points: copy in, validate, lock, dispatch to the
 * SR type's driver, check the refusals XenAPI defines.
 *
 * Design: every public function checks its arguments (uuids, sizes, names)
 * before anything else, then takes the SR lock, looks the VDI up on the
 * storage (UUID_INVALID if it is not there), applies the generic refusals
 * (VDI_IN_USE from the attach records, VDI_TOO_SMALL, VDI_READONLY, SR_FULL
 * from the driver's accounting) and only then calls the driver. Drivers are
 * found by type in a table; an unknown type fails with SR_UNKNOWN_DRIVER and a
 * missing op with SR_OPERATION_NOT_SUPPORTED.
 *
 * Locking: sr_lock() (flock on <state>/sr/<uuid>/lock) is held for the whole
 * of each operation, reads included, so a scan never sees a half-made VDI of
 * another process. sr_vdi_copy() locks the source, then the destination.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "srint.h"

static const struct sr_driver *const drivers[] = {
	&sr_lvm_driver,
	&sr_file_driver,
	&sr_nfs_driver,
};

static const struct sr_driver *find_driver(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (strcmp(drivers[i]->type, type) == 0)
			return drivers[i];
	return NULL;
}

const char *sr_kvs_get(const struct sr_kvs *kvs, const char *key)
{
	int i;

	if (!kvs)
		return NULL;
	for (i = 0; i < kvs->n && i < SR_KV_MAX; i++)
		if (strcmp(kvs->kv[i].key, key) == 0)
			return kvs->kv[i].value;
	return NULL;
}

int sr_kvs_set(struct sr_kvs *kvs, const char *key, const char *value)
{
	int i;

	for (i = 0; i < kvs->n; i++)
		if (strcmp(kvs->kv[i].key, key) == 0)
			return sr_copy_str(kvs->kv[i].value, SR_NAME_MAX, value);
	if (kvs->n >= SR_KV_MAX)
		return -1;
	if (sr_copy_str(kvs->kv[kvs->n].key, sizeof(kvs->kv[0].key), key) < 0 ||
	    sr_copy_str(kvs->kv[kvs->n].value, SR_NAME_MAX, value) < 0)
		return -1;
	kvs->n++;
	return 0;
}

static int set_default(char *dst, size_t len, const char *v, const char *def)
{
	return sr_copy_str(dst, len, v && *v ? v : def);
}

int sr_ctx_new(const struct sr_config *cfg, struct sr_ctx **out, struct sr_error *err)
{
	struct sr_ctx *ctx = calloc(1, sizeof(*ctx));

	*out = NULL;
	if (!ctx)
		return sr_fail_errno(err, ENOMEM, "%s", __func__);
	if (!cfg->state_dir || cfg->state_dir[0] != '/' ||
	    set_default(ctx->state_dir, sizeof(ctx->state_dir), cfg->state_dir, "") < 0) {
		free(ctx);
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "state_dir",
			       cfg->state_dir ? cfg->state_dir : "");
	}
	if (set_default(ctx->lvm, sizeof(ctx->lvm), cfg->lvm, "lvm") < 0 ||
	    set_default(ctx->qemu_img, sizeof(ctx->qemu_img), cfg->qemu_img, "qemu-img") < 0 ||
	    set_default(ctx->mount, sizeof(ctx->mount), cfg->mount, "mount") < 0 ||
	    set_default(ctx->umount, sizeof(ctx->umount), cfg->umount, "umount") < 0) {
		free(ctx);
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "tool path", "too long");
	}
	ctx->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 60000;
	ctx->full_percent = cfg->full_percent > 0 && cfg->full_percent <= 100 ? cfg->full_percent
									      : 90;
	if (sr_mkdirs(ctx->state_dir, err) < 0) {
		free(ctx);
		return -1;
	}
	*out = ctx;
	return 0;
}

void sr_ctx_free(struct sr_ctx *ctx)
{
	free(ctx);
}

/* Allocates the handle and its state directory; no storage access. */
static int sr_new(struct sr_ctx *ctx, const char *type, const char *uuid,
		  const struct sr_kvs *dc, struct sr **out, struct sr_error *err)
{
	const struct sr_driver *drv;
	struct sr *sr;

	*out = NULL;
	if (!sr_uuid_valid(uuid))
		return sr_fail(err, SR_E_UUID_INVALID, 2, "SR", uuid ? uuid : "");
	drv = find_driver(type ? type : "");
	if (!drv)
		return sr_fail(err, SR_E_UNKNOWN_DRIVER, 1, type ? type : "");
	sr = calloc(1, sizeof(*sr));
	if (!sr)
		return sr_fail_errno(err, ENOMEM, "%s", __func__);
	sr->ctx = ctx;
	sr->drv = drv;
	sr->lock_fd = -1;
	sr_copy_str(sr->uuid, sizeof(sr->uuid), uuid);
	sr_copy_str(sr->type, sizeof(sr->type), drv->type);
	if (dc)
		sr->dc = *dc;
	if (sr_fmt(sr->dir, sizeof(sr->dir), "%s/sr/%s", ctx->state_dir, uuid) < 0 ||
	    sr_mkdirs(sr->dir, err) < 0) {
		free(sr);
		return err->code ? -1 : sr_fail(err, SR_E_INVALID_VALUE, 2, "state_dir", "");
	}
	*out = sr;
	return 0;
}

/* Replays a leftover journal record. Called with the lock held. */
static int recover(struct sr *sr, struct sr_error *err)
{
	char op[64], args[SR_JOURNAL_ARGS][SR_PATH_MAX];
	const char *argv[SR_JOURNAL_ARGS];
	int nargs, i, rc;

	rc = sr_journal_read(sr->dir, op, sizeof(op), args, &nargs, err);
	if (rc <= 0)
		return rc;
	SR_LOG("SR %s: recovering interrupted %s", sr->uuid, op);
	for (i = 0; i < nargs; i++)
		argv[i] = args[i];
	if (!sr->drv->recover)
		return sr_fail(err, SR_E_OPERATION_NOT_SUPPORTED, 1, sr->uuid);
	if (sr->drv->recover(sr, op, argv, nargs, err) < 0)
		return -1;
	return sr_journal_end(sr->dir, err);
}

static int do_stat(struct sr *sr, struct sr_record *rec, struct sr_error *err);

/* Recovery needs what open finds (the directory, the VG name) even when open
 * itself fails because of the interrupted operation, so open runs first and
 * its failure is ignored here; the caller opens again afterwards. */
static int open_recover(struct sr *sr, struct sr_error *err)
{
	struct sr_error ignore;

	sr->drv->open(sr, &ignore);
	return recover(sr, err);
}

int sr_open(struct sr_ctx *ctx, const char *type, const char *uuid,
	    const struct sr_kvs *device_config, struct sr **out, struct sr_error *err)
{
	struct sr *sr;

	if (sr_new(ctx, type, uuid, device_config, &sr, err) < 0)
		return -1;
	if (sr_lock(sr, err) < 0 || open_recover(sr, err) < 0 || sr->drv->open(sr, err) < 0) {
		sr_close(sr);
		return -1;
	}
	sr_unlock(sr);
	*out = sr;
	return 0;
}

void sr_close(struct sr *sr)
{
	if (!sr)
		return;
	sr_unlock(sr);
	free(sr);
}

int sr_probe(struct sr_ctx *ctx, const char *type, const struct sr_kvs *device_config,
	     struct sr_probe_entry *out, int max, int *n, struct sr_error *err)
{
	const struct sr_driver *drv = find_driver(type ? type : "");

	*n = 0;
	if (!drv)
		return sr_fail(err, SR_E_UNKNOWN_DRIVER, 1, type ? type : "");
	if (!drv->probe)
		return sr_fail(err, SR_E_OPERATION_NOT_SUPPORTED, 1, type);
	return drv->probe(ctx, device_config, out, max, n, err);
}

int sr_create(struct sr_ctx *ctx, const char *type, const char *uuid, const char *name_label,
	      const struct sr_kvs *device_config, struct sr_record *rec, struct sr_error *err)
{
	struct sr *sr;
	int rc = -1;

	if (!name_label || strlen(name_label) >= SR_NAME_MAX)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "name_label", "");
	if (sr_new(ctx, type, uuid, device_config, &sr, err) < 0)
		return -1;
	if (sr_lock(sr, err) < 0 || open_recover(sr, err) < 0)
		goto out;
	if (sr->drv->create(sr, name_label, err) < 0 || sr->drv->open(sr, err) < 0)
		goto out;
	rc = do_stat(sr, rec, err);
	SR_LOG("SR %s (%s) created", sr->uuid, sr->type);
out:
	sr_close(sr);
	return rc;
}

#define LOCKED(sr, err, expr)                                                   \
	({                                                                      \
		int rc_ = -1;                                                   \
		if (sr_lock((sr), (err)) == 0 && recover((sr), (err)) == 0)     \
			rc_ = (expr);                                           \
		sr_unlock(sr);                                                  \
		rc_;                                                            \
	})

static int do_plug(struct sr *sr, struct sr_error *err)
{
	return sr->drv->plug ? sr->drv->plug(sr, err) : 0;
}

static int do_unplug(struct sr *sr, struct sr_error *err)
{
	return sr->drv->unplug ? sr->drv->unplug(sr, err) : 0;
}

int sr_plug(struct sr *sr, struct sr_error *err)
{
	return LOCKED(sr, err, do_plug(sr, err));
}

int sr_unplug(struct sr *sr, struct sr_error *err)
{
	return LOCKED(sr, err, do_unplug(sr, err));
}

static int do_stat(struct sr *sr, struct sr_record *rec, struct sr_error *err)
{
	memset(rec, 0, sizeof(*rec));
	if (sr->drv->stat(sr, rec, err) < 0)
		return -1;
	sr_copy_str(rec->uuid, sizeof(rec->uuid), sr->uuid);
	sr_copy_str(rec->type, sizeof(rec->type), sr->type);
	sr_copy_str(rec->content_type, sizeof(rec->content_type), "user");
	sr_kvs_set(&rec->sm_config, "full", rec->full ? "true" : "false");
	return 0;
}

int sr_stat(struct sr *sr, struct sr_record *rec, struct sr_error *err)
{
	return LOCKED(sr, err, do_stat(sr, rec, err));
}

static int do_scan(struct sr *sr, struct sr_vdi_record **out, int *n, struct sr_error *err)
{
	int i;

	if (sr->drv->scan(sr, out, n, err) < 0)
		return -1;
	for (i = 0; i < *n; i++)
		sr_copy_str((*out)[i].sr, sizeof((*out)[i].sr), sr->uuid);
	return 0;
}

int sr_scan(struct sr *sr, struct sr_vdi_record **out, int *n, struct sr_error *err)
{
	*out = NULL;
	*n = 0;
	return LOCKED(sr, err, do_scan(sr, out, n, err));
}

static int do_destroy(struct sr *sr, struct sr_error *err)
{
	struct sr_vdi_record *v = NULL;
	int n = 0;

	if (do_scan(sr, &v, &n, err) < 0)
		return -1;
	free(v);
	if (n > 0)
		return sr_fail(err, SR_E_NOT_EMPTY, 0);
	if (!sr->drv->destroy)
		return sr_fail(err, SR_E_OPERATION_NOT_SUPPORTED, 1, sr->uuid);
	return sr->drv->destroy(sr, err);
}

int sr_destroy(struct sr *sr, struct sr_error *err)
{
	return LOCKED(sr, err, do_destroy(sr, err));
}

/* Drops the library's state for the SR; the storage is untouched. */
int sr_forget(struct sr *sr, struct sr_error *err)
{
	char path[SR_PATH_MAX + 32];

	if (sr_lock(sr, err) < 0)
		return -1;
	if (recover(sr, err) < 0) {
		sr_unlock(sr);
		return -1;
	}
	sr_fmt(path, sizeof(path), "%s/attached", sr->dir);
	rmdir(path);
	sr_fmt(path, sizeof(path), "%s/lock", sr->dir);
	unlink(path);
	sr_unlock(sr);
	rmdir(sr->dir);
	return 0;
}

/* Looks VDI up on the storage: UUID_INVALID [VDI, uuid] if it is not there. */
static int get_vdi(struct sr *sr, const char *vdi, struct sr_vdi_record *rec,
		   struct sr_error *err)
{
	if (!sr_uuid_valid(vdi))
		return sr_fail(err, SR_E_UUID_INVALID, 2, "VDI", vdi ? vdi : "");
	memset(rec, 0, sizeof(*rec));
	if (sr->drv->vdi_get(sr, vdi, rec, err) < 0)
		return -1;
	sr_copy_str(rec->sr, sizeof(rec->sr), sr->uuid);
	return 0;
}

/* SR_FULL [requested, maximum] when the driver says the SR is full. */
static int check_space(struct sr *sr, int64_t requested, struct sr_error *err)
{
	struct sr_record rec;
	char req[32], max[32];
	bool full;
	int64_t avail;

	if (sr->drv->space) {
		if (sr->drv->space(sr, &full, &avail, err) < 0)
			return -1;
	} else {
		if (do_stat(sr, &rec, err) < 0)
			return -1;
		full = rec.full;
		avail = rec.physical_size - rec.physical_utilisation;
	}
	if (!full)
		return 0;
	snprintf(req, sizeof(req), "%lld", (long long)requested);
	snprintf(max, sizeof(max), "%lld", (long long)avail);
	SR_LOG("SR %s is full: %s bytes requested, %s left", sr->uuid, req, max);
	return sr_fail(err, SR_E_SR_FULL, 2, req, max);
}

static int in_use(struct sr *sr, const char *vdi, const char *op, struct sr_error *err)
{
	if (!sr_attach_record_get(sr, vdi))
		return 0;
	return sr_fail(err, SR_E_VDI_IN_USE, 2, vdi, op);
}

static int do_vdi_create(struct sr *sr, const char *name, int64_t size, const struct sr_kvs *smc,
			 struct sr_vdi_record *rec, struct sr_error *err)
{
	char uuid[SR_UUID_LEN + 1];

	if (check_space(sr, size, err) < 0)
		return -1;
	sr_uuid_new(uuid);
	if (sr->drv->vdi_create(sr, uuid, name, size, smc, rec, err) < 0)
		return -1;
	SR_LOG("SR %s: VDI %s created (%lld bytes)", sr->uuid, uuid, (long long)size);
	return get_vdi(sr, uuid, rec, err);
}

int sr_vdi_create(struct sr *sr, const char *name_label, int64_t virtual_size,
		  const struct sr_kvs *sm_config, struct sr_vdi_record *rec, struct sr_error *err)
{
	char sz[32];

	snprintf(sz, sizeof(sz), "%lld", (long long)virtual_size);
	if (!name_label || strlen(name_label) >= SR_NAME_MAX)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "name_label", "");
	if (virtual_size <= 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "virtual_size", sz);
	return LOCKED(sr, err, do_vdi_create(sr, name_label, virtual_size, sm_config, rec, err));
}

int sr_vdi_get(struct sr *sr, const char *vdi, struct sr_vdi_record *rec, struct sr_error *err)
{
	return LOCKED(sr, err, get_vdi(sr, vdi, rec, err));
}

static int do_vdi_destroy(struct sr *sr, const char *vdi, struct sr_error *err)
{
	struct sr_vdi_record rec;

	if (get_vdi(sr, vdi, &rec, err) < 0 || in_use(sr, vdi, "destroy", err) < 0)
		return -1;
	if (sr->drv->vdi_destroy(sr, &rec, err) < 0)
		return -1;
	SR_LOG("SR %s: VDI %s destroyed", sr->uuid, vdi);
	return 0;
}

int sr_vdi_destroy(struct sr *sr, const char *vdi, struct sr_error *err)
{
	return LOCKED(sr, err, do_vdi_destroy(sr, vdi, err));
}

static int do_vdi_resize(struct sr *sr, const char *vdi, int64_t size, struct sr_vdi_record *rec,
			 struct sr_error *err)
{
	char cur[32];

	if (get_vdi(sr, vdi, rec, err) < 0)
		return -1;
	snprintf(cur, sizeof(cur), "%lld", (long long)rec->virtual_size);
	if (size < rec->virtual_size)
		return sr_fail(err, SR_E_VDI_TOO_SMALL, 2, vdi, cur);
	if (rec->read_only)
		return sr_fail(err, SR_E_VDI_READONLY, 1, vdi);
	if (size == rec->virtual_size)
		return 0;
	if (check_space(sr, size - rec->virtual_size, err) < 0 ||
	    sr->drv->vdi_resize(sr, rec, size, err) < 0)
		return -1;
	return get_vdi(sr, vdi, rec, err);
}

int sr_vdi_resize(struct sr *sr, const char *vdi, int64_t new_size, struct sr_vdi_record *rec,
		  struct sr_error *err)
{
	return LOCKED(sr, err, do_vdi_resize(sr, vdi, new_size, rec, err));
}

static int do_vdi_snapshot(struct sr *sr, const char *vdi, bool clone, struct sr_vdi_record *rec,
			   struct sr_error *err)
{
	char uuid[SR_UUID_LEN + 1];
	struct sr_vdi_record parent;

	if (get_vdi(sr, vdi, &parent, err) < 0 || check_space(sr, 0, err) < 0)
		return -1;
	sr_uuid_new(uuid);
	if (sr->drv->vdi_snapshot(sr, &parent, uuid, clone, err) < 0)
		return -1;
	SR_LOG("SR %s: VDI %s %s as %s", sr->uuid, vdi, clone ? "cloned" : "snapshotted", uuid);
	return get_vdi(sr, uuid, rec, err);
}

int sr_vdi_snapshot(struct sr *sr, const char *vdi, struct sr_vdi_record *rec,
		    struct sr_error *err)
{
	return LOCKED(sr, err, do_vdi_snapshot(sr, vdi, false, rec, err));
}

int sr_vdi_clone(struct sr *sr, const char *vdi, struct sr_vdi_record *rec, struct sr_error *err)
{
	return LOCKED(sr, err, do_vdi_snapshot(sr, vdi, true, rec, err));
}

static int do_vdi_attach(struct sr *sr, const char *vdi, bool writable,
			 struct sr_attach_info *info, struct sr_error *err)
{
	struct sr_vdi_record rec;

	memset(info, 0, sizeof(*info));
	if (get_vdi(sr, vdi, &rec, err) < 0)
		return -1;
	if (writable && rec.read_only)
		return sr_fail(err, SR_E_VDI_READONLY, 1, vdi);
	if (sr->drv->vdi_attach(sr, &rec, writable, info, err) < 0)
		return -1;
	info->read_only = !writable;
	return sr_attach_record_set(sr, vdi, true, err);
}

int sr_vdi_attach(struct sr *sr, const char *vdi, bool writable, struct sr_attach_info *info,
		  struct sr_error *err)
{
	return LOCKED(sr, err, do_vdi_attach(sr, vdi, writable, info, err));
}

static int do_vdi_detach(struct sr *sr, const char *vdi, struct sr_error *err)
{
	struct sr_vdi_record rec;

	if (get_vdi(sr, vdi, &rec, err) < 0)
		return -1;
	if (sr->drv->vdi_detach && sr->drv->vdi_detach(sr, &rec, err) < 0)
		return -1;
	return sr_attach_record_set(sr, vdi, false, err);
}

int sr_vdi_detach(struct sr *sr, const char *vdi, struct sr_error *err)
{
	return LOCKED(sr, err, do_vdi_detach(sr, vdi, err));
}

static int do_set_name(struct sr *sr, const char *vdi, const char *name, struct sr_error *err)
{
	struct sr_vdi_record rec;

	if (get_vdi(sr, vdi, &rec, err) < 0)
		return -1;
	return sr->drv->vdi_set_name(sr, &rec, name, err);
}

int sr_vdi_set_name_label(struct sr *sr, const char *vdi, const char *name_label,
			  struct sr_error *err)
{
	if (!name_label || strlen(name_label) >= SR_NAME_MAX)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "name_label", "");
	return LOCKED(sr, err, do_set_name(sr, vdi, name_label, err));
}

/* Copies the contents with qemu-img convert; the fresh target reads as zeros,
 * so zero blocks of the source are not written (thin targets stay thin). The
 * timeout grows with the size: the command timeout plus 1 s per 4 MiB. */
static int copy_data(struct sr *src, const struct sr_attach_info *from,
		     const struct sr_attach_info *to, int64_t size, struct sr_error *err)
{
	const char *argv[] = {src->ctx->qemu_img, "convert", "-n", "--target-is-zero", "-f",
			      from->format, "-O", to->format, from->path, to->path, NULL};
	int64_t ms = src->ctx->timeout_ms + size / (4 << 20) * 1000;
	struct sr_run r;

	if (sr_run_checked_ms(argv, ms > 0x7fffffff ? 0x7fffffff : (int)ms, &r, err) < 0)
		return -1;
	sr_run_free(&r);
	return 0;
}

/* Under both locks: makes the copy, journalled on DST so an interrupted copy
 * is removed by DST's recovery ("copy" is handled here, generically). */
static int do_vdi_copy(struct sr *sr, const char *vdi, struct sr *dst, struct sr_vdi_record *rec,
		       struct sr_error *err)
{
	struct sr_vdi_record src;
	struct sr_attach_info from, to;
	char uuid[SR_UUID_LEN + 1];
	const char *args[1] = {uuid};
	struct sr_kvs smc = {0};
	int rc = -1;

	if (get_vdi(sr, vdi, &src, err) < 0 || check_space(dst, src.virtual_size, err) < 0)
		return -1;
	sr_uuid_new(uuid);
	if (sr_journal_begin(dst->dir, "copy", args, 1, err) < 0)
		return -1;
	if (dst->drv->vdi_create(dst, uuid, src.name_label, src.virtual_size, &smc, rec, err) < 0)
		goto undo;
	sr_fault_point("copy", 1);
	if (sr->drv->vdi_attach(sr, &src, false, &from, err) < 0)
		goto undo;
	if (dst->drv->vdi_get(dst, uuid, rec, err) < 0 ||
	    dst->drv->vdi_attach(dst, rec, true, &to, err) < 0)
		goto detach_src;
	rc = copy_data(sr, &from, &to, src.virtual_size, err);
	if (dst->drv->vdi_detach)
		dst->drv->vdi_detach(dst, rec, NULL);
detach_src:
	if (!sr_attach_record_get(sr, vdi) && sr->drv->vdi_detach)
		sr->drv->vdi_detach(sr, &src, NULL);
	if (rc == 0) {
		sr_journal_end(dst->dir, NULL);
		return get_vdi(dst, uuid, rec, err);
	}
undo:
	if (rec->uuid[0] || dst->drv->vdi_get(dst, uuid, rec, NULL) == 0)
		dst->drv->vdi_destroy(dst, rec, NULL);
	sr_journal_end(dst->dir, NULL);
	return -1;
}

int sr_vdi_copy(struct sr *sr, const char *vdi, struct sr *dst, struct sr_vdi_record *rec,
		struct sr_error *err)
{
	int rc = -1;

	memset(rec, 0, sizeof(*rec));
	if (sr_lock(sr, err) == 0 && recover(sr, err) == 0) {
		if (dst == sr || strcmp(dst->uuid, sr->uuid) == 0)
			rc = do_vdi_copy(sr, vdi, sr, rec, err);
		else if (sr_lock(dst, err) == 0 && recover(dst, err) == 0)
			rc = do_vdi_copy(sr, vdi, dst, rec, err);
		sr_unlock(dst);
	}
	sr_unlock(sr);
	return rc;
}

/* The generic part of recovery: an interrupted copy leaves a VDI to remove. */
int sr_recover_copy(struct sr *sr, const char *uuid, struct sr_error *err)
{
	struct sr_vdi_record rec;
	struct sr_error ignore;

	if (sr->drv->vdi_get(sr, uuid, &rec, &ignore) < 0)
		return 0; /* never made */
	SR_LOG("SR %s: removing VDI %s of an interrupted copy", sr->uuid, uuid);
	return sr->drv->vdi_destroy(sr, &rec, err);
}
