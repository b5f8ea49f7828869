/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lvm.c — the LVM SR (type "lvm"): one volume group per SR on a block device,
 * one thin pool in it, one thin LV per VDI.
 *
 * Design: names. The VG is "cairn-sr-<sr-uuid>" (tags: cairn_sr,
 * cairn_name=<escaped name_label>), the pool "thinpool", a VDI's LV is named
 * by the VDI's uuid and carries the tags that rebuild its record:
 *   cairn_vdi                  marks our LVs
 *   cairn_name=<escaped>       name_label (sr_tag_escape: &xx for other bytes)
 *   cairn_snap=<uuid>          is_a_snapshot, snapshot_of
 *   cairn_ro                   read_only
 * Snapshots and clones are thin snapshots (instant, no chain to coalesce);
 * a snapshot is created read-only (-pr) and with the activation-skip flag,
 * so attach activates with -K. Every VDI operation is one lvm command with
 * its tags in it, which LVM commits atomically: an interrupted create,
 * snapshot, clone, resize or destroy either happened or did not. SR.create
 * takes three commands (pvcreate, vgcreate, lvcreate of the pool) and is
 * journalled; recovery rolls it back unless the pool exists.
 *
 * Space. The pool gets the VG's extents minus room for its metadata (1/500
 * of the data, at least 8 MiB, at most 16 GiB) and the same again for
 * LVM's spare metadata LV. It is set to --errorwhenfull y, so writes
 * to a full pool fail instead of queueing. Before every operation that will
 * need space (create, snapshot, clone, resize, copy) the pool's data and
 * metadata usage are read; at full_percent the pool is first extended with
 * the VG's free extents (if any) and otherwise the SR reports full and the
 * operation is refused with SR_FULL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "srint.h"

#define POOL "thinpool"
#define LV_FIELDS "lv_name,vg_name,lv_size,data_percent,metadata_percent,lv_attr,origin,pool_lv,lv_tags"
#define VG_FIELDS "vg_name,vg_size,vg_free,vg_extent_size,vg_extent_count,vg_free_count,vg_tags"

/* Runs `lvm ARGS...`; on success R holds the output (caller frees). */
static int lvm_run(struct sr *sr, const char *const *args, struct sr_run *r,
		   struct sr_error *err)
{
	const char *argv[32];
	int i;

	argv[0] = sr->ctx->lvm;
	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	return sr_run_checked(sr->ctx, argv, r, err);
}

static int lvm_do(struct sr *sr, const char *const *args, struct sr_error *err)
{
	struct sr_run r;

	if (lvm_run(sr, args, &r, err) < 0)
		return -1;
	sr_run_free(&r);
	return 0;
}

static int lv_ref(struct sr *sr, const char *lv, char *out, size_t len)
{
	return sr_fmt(out, len, "%s/%s", sr->vg, lv);
}

/* lvs of the whole VG (SEL NULL) or of one LV. */
static int lvs(struct sr *sr, const char *sel, struct sr_lv **out, int *n, struct sr_error *err)
{
	const char *args[] = {"lvs", "--reportformat", "json", "--units", "b", "--nosuffix", "-o",
			      LV_FIELDS, sel ? sel : sr->vg, NULL};
	struct sr_run r;
	int rc;

	if (lvm_run(sr, args, &r, err) < 0)
		return -1;
	rc = sr_parse_lvs(r.out, r.out_len, out, n, err);
	sr_run_free(&r);
	return rc;
}

static int vgs(struct sr *sr, struct sr_vg *vg, struct sr_error *err)
{
	const char *args[] = {"vgs", "--reportformat", "json", "--units", "b", "--nosuffix", "-o",
			      VG_FIELDS, sr->vg, NULL};
	struct sr_vg *rows = NULL;
	struct sr_run r;
	int n = 0, rc;

	if (lvm_run(sr, args, &r, err) < 0)
		return -1;
	rc = sr_parse_vgs(r.out, r.out_len, &rows, &n, err);
	sr_run_free(&r);
	if (rc == 0 && n != 1)
		rc = sr_fail(err, SR_E_UUID_INVALID, 2, "SR", sr->uuid);
	if (rc == 0)
		*vg = rows[0];
	free(rows);
	return rc;
}

static bool vg_exists(struct sr *sr)
{
	struct sr_vg vg;
	struct sr_error ignore;

	return vgs(sr, &vg, &ignore) == 0;
}

static void lv_to_record(const struct sr_lv *lv, struct sr_vdi_record *rec)
{
	char snap[SR_UUID_LEN + 8];

	memset(rec, 0, sizeof(*rec));
	sr_copy_str(rec->uuid, sizeof(rec->uuid), lv->name);
	if (!sr_tag_get(lv->tags, "cairn_name", rec->name_label, sizeof(rec->name_label)))
		rec->name_label[0] = '\0';
	sr_copy_str(rec->type, sizeof(rec->type), "user");
	rec->virtual_size = lv->size;
	rec->physical_utilisation = lv->data_bp > 0 ? lv->size / 10000 * lv->data_bp : 0;
	if (sr_tag_get(lv->tags, "cairn_snap", snap, sizeof(snap)) && sr_uuid_valid(snap)) {
		rec->is_a_snapshot = true;
		sr_copy_str(rec->snapshot_of, sizeof(rec->snapshot_of), snap);
	}
	rec->read_only = sr_tag_has(lv->tags, "cairn_ro");
	rec->managed = true;
	sr_copy_str(rec->location, sizeof(rec->location), lv->name);
	sr_kvs_set(&rec->sm_config, "format", "raw");
	sr_kvs_set(&rec->sm_config, "vdi_type", "thin");
	if (lv->origin[0])
		sr_kvs_set(&rec->sm_config, "origin", lv->origin);
}

static bool is_vdi_lv(const struct sr_lv *lv)
{
	return sr_uuid_valid(lv->name) && sr_tag_has(lv->tags, "cairn_vdi");
}

static int lvm_scan(struct sr *sr, struct sr_vdi_record **out, int *n, struct sr_error *err)
{
	struct sr_lv *rows = NULL;
	struct sr_vdi_record *v;
	int nrows = 0, i;

	if (lvs(sr, NULL, &rows, &nrows, err) < 0)
		return -1;
	v = calloc(nrows ? (size_t)nrows : 1, sizeof(*v));
	if (!v) {
		free(rows);
		return sr_fail_errno(err, ENOMEM, "%s", __func__);
	}
	*n = 0;
	for (i = 0; i < nrows; i++)
		if (is_vdi_lv(&rows[i]))
			lv_to_record(&rows[i], &v[(*n)++]);
	free(rows);
	*out = v;
	return 0;
}

/* The LV row of VDI UUID (UUID_INVALID if there is none). */
static int find_lv(struct sr *sr, const char *uuid, struct sr_lv *lv, struct sr_error *err)
{
	struct sr_lv *rows = NULL;
	int n = 0, i, rc;

	if (lvs(sr, NULL, &rows, &n, err) < 0)
		return -1;
	rc = sr_fail(err, SR_E_UUID_INVALID, 2, "VDI", uuid);
	for (i = 0; i < n; i++) {
		if (strcmp(rows[i].name, uuid) == 0 && is_vdi_lv(&rows[i])) {
			*lv = rows[i];
			if (err)
				memset(err, 0, sizeof(*err));
			rc = 0;
		}
	}
	free(rows);
	return rc;
}

static int lvm_vdi_get(struct sr *sr, const char *uuid, struct sr_vdi_record *rec,
		       struct sr_error *err)
{
	struct sr_lv lv;

	if (find_lv(sr, uuid, &lv, err) < 0)
		return -1;
	lv_to_record(&lv, rec);
	return 0;
}

static int name_tag(const char *name, char *out, size_t len, struct sr_error *err)
{
	char esc[900];

	if (sr_tag_escape(name, esc, sizeof(esc)) < 0 ||
	    sr_fmt(out, len, "cairn_name=%s", esc) < 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "name_label", name);
	return 0;
}

static int lvm_vdi_create(struct sr *sr, const char *uuid, const char *name, int64_t size,
			  const struct sr_kvs *smc, struct sr_vdi_record *rec,
			  struct sr_error *err)
{
	char tag[1024], pool[256], sz[32];
	const char *fmt = sr_kvs_get(smc, "format");

	if (fmt && strcmp(fmt, "raw") != 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "sm_config:format", fmt);
	if (name_tag(name, tag, sizeof(tag), err) < 0)
		return -1;
	lv_ref(sr, POOL, pool, sizeof(pool));
	snprintf(sz, sizeof(sz), "%lldb", (long long)size);
	const char *args[] = {"lvcreate", "-q", "-y", "-n", uuid, "-V", sz, "-T", pool,
			      "--addtag", "cairn_vdi", "--addtag", tag, NULL};
	return lvm_do(sr, args, err);
}

static int lvm_vdi_destroy(struct sr *sr, const struct sr_vdi_record *rec, struct sr_error *err)
{
	char ref[256];
	struct sr_lv lv;

	if (find_lv(sr, rec->uuid, &lv, err) < 0)
		return -1;
	if (lv.attr[5] == 'o')
		return sr_fail(err, SR_E_VDI_IN_USE, 2, rec->uuid, "destroy");
	lv_ref(sr, rec->uuid, ref, sizeof(ref));
	const char *args[] = {"lvremove", "-q", "-y", ref, NULL};
	return lvm_do(sr, args, err);
}

static int lvm_vdi_resize(struct sr *sr, const struct sr_vdi_record *rec, int64_t size,
			  struct sr_error *err)
{
	char ref[256], sz[32];

	lv_ref(sr, rec->uuid, ref, sizeof(ref));
	snprintf(sz, sizeof(sz), "%lldb", (long long)size);
	const char *args[] = {"lvextend", "-q", "-L", sz, ref, NULL};
	return lvm_do(sr, args, err);
}

static int lvm_vdi_snapshot(struct sr *sr, const struct sr_vdi_record *a, const char *n,
			    bool clone, struct sr_error *err)
{
	char ref[256], name[1024], snap[SR_UUID_LEN + 16];

	if (name_tag(a->name_label, name, sizeof(name), err) < 0)
		return -1;
	lv_ref(sr, a->uuid, ref, sizeof(ref));
	snprintf(snap, sizeof(snap), "cairn_snap=%s", a->uuid);
	const char *snap_args[] = {"lvcreate", "-q", "-y", "-s", "-pr", "-n", n, "--addtag",
				   "cairn_vdi", "--addtag", name, "--addtag", snap, "--addtag",
				   "cairn_ro", ref, NULL};
	const char *clone_args[] = {"lvcreate", "-q", "-y", "-s", "-n", n,
				    "--setactivationskip", "n", "--addtag", "cairn_vdi",
				    "--addtag", name, ref, NULL};
	return lvm_do(sr, clone ? clone_args : snap_args, err);
}

static int lvm_vdi_attach(struct sr *sr, const struct sr_vdi_record *rec, bool writable,
			  struct sr_attach_info *info, struct sr_error *err)
{
	char ref[256];
	struct stat st;

	lv_ref(sr, rec->uuid, ref, sizeof(ref));
	const char *args[] = {"lvchange", "-q", "-ay", "-K", ref, NULL};
	if (lvm_do(sr, args, err) < 0)
		return -1;
	if (sr_fmt(info->path, sizeof(info->path), "/dev/%s/%s", sr->vg, rec->uuid) < 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "vg", sr->vg);
	if (stat(info->path, &st) < 0 || !S_ISBLK(st.st_mode))
		return sr_fail_errno(err, errno ? errno : ENOTBLK, "activated %s", info->path);
	sr_copy_str(info->format, sizeof(info->format), "raw");
	return 0;
}

static int lvm_vdi_detach(struct sr *sr, const struct sr_vdi_record *rec, struct sr_error *err)
{
	char ref[256];

	lv_ref(sr, rec->uuid, ref, sizeof(ref));
	const char *args[] = {"lvchange", "-q", "-an", ref, NULL};
	return lvm_do(sr, args, err);
}

static int lvm_vdi_set_name(struct sr *sr, const struct sr_vdi_record *rec, const char *name,
			    struct sr_error *err)
{
	char ref[256], old[1024], tag[1024];

	if (name_tag(rec->name_label, old, sizeof(old), err) < 0 ||
	    name_tag(name, tag, sizeof(tag), err) < 0)
		return -1;
	lv_ref(sr, rec->uuid, ref, sizeof(ref));
	const char *args[] = {"lvchange", "-q", "--deltag", old, "--addtag", tag, ref, NULL};
	return lvm_do(sr, args, err);
}

/* ---- accounting and the full watch ---------------------------------------- */

static int pool_row(struct sr *sr, struct sr_lv *pool, struct sr_error *err)
{
	char ref[256];
	struct sr_lv *rows = NULL;
	int n = 0;

	lv_ref(sr, POOL, ref, sizeof(ref));
	if (lvs(sr, ref, &rows, &n, err) < 0)
		return -1;
	if (n != 1) {
		free(rows);
		return sr_fail(err, SR_E_BACKEND_FAILURE, 3, "ENOENT", "", "thin pool missing");
	}
	*pool = rows[0];
	free(rows);
	return 0;
}

/* Grows the pool's data (and metadata, if that is what runs out) by the VG's
 * free extents. Returns 1 if it grew, 0 if there was nothing to grow by. */
static int extend_pool(struct sr *sr, const struct sr_lv *pool, struct sr_error *err)
{
	char ref[256], meta[32], data[32];
	struct sr_vg vg;
	int64_t free_b;

	if (vgs(sr, &vg, err) < 0)
		return -1;
	free_b = vg.free_count * vg.extent_size;
	if (free_b < vg.extent_size * 2)
		return 0;
	lv_ref(sr, POOL, ref, sizeof(ref));
	if (pool->meta_bp >= sr->ctx->full_percent * 100) {
		snprintf(meta, sizeof(meta), "+%lldb", (long long)(vg.extent_size * 2));
		const char *args[] = {"lvextend", "-q", "--poolmetadatasize", meta, ref, NULL};
		if (lvm_do(sr, args, err) < 0)
			return -1;
		free_b -= vg.extent_size * 2;
	}
	if (free_b >= vg.extent_size) {
		snprintf(data, sizeof(data), "+%lldb", (long long)free_b);
		const char *args[] = {"lvextend", "-q", "-L", data, ref, NULL};
		if (lvm_do(sr, args, err) < 0)
			return -1;
	}
	SR_LOG("SR %s: thin pool extended by %lld bytes", sr->uuid, (long long)free_b);
	return 1;
}

static bool pool_full(const struct sr *sr, const struct sr_lv *pool)
{
	int limit = sr->ctx->full_percent * 100;

	return pool->data_bp >= limit || pool->meta_bp >= limit;
}

/* The pool's row, after extending it if it had reached full_percent. */
static int watched_pool(struct sr *sr, struct sr_lv *pool, struct sr_error *err)
{
	int grew;

	if (pool_row(sr, pool, err) < 0)
		return -1;
	if (!pool_full(sr, pool))
		return 0;
	grew = extend_pool(sr, pool, err);
	if (grew < 0 || (grew && pool_row(sr, pool, err) < 0))
		return -1;
	return 0;
}

static int lvm_space(struct sr *sr, bool *full, int64_t *avail, struct sr_error *err)
{
	struct sr_lv pool;

	if (watched_pool(sr, &pool, err) < 0)
		return -1;
	*full = pool_full(sr, &pool);
	*avail = pool.size - (pool.data_bp > 0 ? pool.size / 10000 * pool.data_bp : 0);
	return 0;
}

static int lvm_stat(struct sr *sr, struct sr_record *rec, struct sr_error *err)
{
	struct sr_vdi_record *v = NULL;
	struct sr_lv pool;
	struct sr_vg vg;
	int n = 0, i;

	if (watched_pool(sr, &pool, err) < 0)
		return -1;
	if (lvm_scan(sr, &v, &n, err) < 0)
		return -1;
	rec->physical_size = pool.size;
	rec->physical_utilisation = pool.data_bp > 0 ? pool.size / 10000 * pool.data_bp : 0;
	for (i = 0; i < n; i++)
		rec->virtual_allocation += v[i].virtual_size;
	free(v);
	rec->full = pool_full(sr, &pool);
	sr_kvs_set(&rec->sm_config, "data_percent", "");
	snprintf(rec->sm_config.kv[rec->sm_config.n - 1].value, SR_NAME_MAX, "%d.%02d",
		 pool.data_bp / 100, pool.data_bp % 100);
	sr_kvs_set(&rec->sm_config, "metadata_percent", "");
	snprintf(rec->sm_config.kv[rec->sm_config.n - 1].value, SR_NAME_MAX, "%d.%02d",
		 pool.meta_bp / 100, pool.meta_bp % 100);
	if (vgs(sr, &vg, err) < 0)
		return -1;
	sr_tag_get(vg.tags, "cairn_name", rec->name_label, sizeof(rec->name_label));
	return 0;
}

/* ---- the SR ----------------------------------------------------------------- */

static int set_vg(struct sr *sr, struct sr_error *err)
{
	if (sr_fmt(sr->vg, sizeof(sr->vg), "cairn-sr-%s", sr->uuid) < 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "uuid", sr->uuid);
	return 0;
}

static int check_device(const char *dev, struct sr_error *err)
{
	struct stat st;
	char msg[SR_PATH_MAX + 64];

	if (!dev || dev[0] != '/')
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "device_config:device", dev ? dev : "");
	if (stat(dev, &st) < 0 || !S_ISBLK(st.st_mode)) {
		snprintf(msg, sizeof(msg), "device %s: %s", dev,
			 errno == ENOENT || !S_ISBLK(st.st_mode) ? "no such block device"
								 : strerror(errno));
		SR_LOG("%s", msg);
		return sr_fail(err, SR_E_BACKEND_FAILURE, 3, "ENODEV", "", msg);
	}
	return 0;
}

/* Pool data size for a VG of FREE extents of EXT bytes; META gets the
 * metadata size (and LVM makes a spare of the same size). */
static int64_t pool_extents(int64_t free, int64_t ext, int64_t *meta_ext)
{
	int64_t data = free, meta_b;

	meta_b = data * ext / 500;
	if (meta_b < (8 << 20))
		meta_b = 8 << 20;
	if (meta_b > (16LL << 30))
		meta_b = 16LL << 30;
	*meta_ext = (meta_b + ext - 1) / ext;
	return free - 2 * *meta_ext - 1;
}

static int make_pool(struct sr *sr, const char *size_b, struct sr_error *err)
{
	char data[32], meta[32];
	struct sr_vg vg;
	int64_t meta_ext, data_ext;

	if (vgs(sr, &vg, err) < 0)
		return -1;
	data_ext = pool_extents(vg.free_count, vg.extent_size, &meta_ext);
	if (size_b) {
		int64_t want = strtoll(size_b, NULL, 10) / vg.extent_size;
		if (want > 0 && want < data_ext)
			data_ext = want;
	}
	if (data_ext < 2)
		return sr_fail(err, SR_E_SR_FULL, 2, "0", "0");
	snprintf(data, sizeof(data), "%lld", (long long)data_ext);
	snprintf(meta, sizeof(meta), "%lldb", (long long)(meta_ext * vg.extent_size));
	const char *args[] = {"lvcreate", "-q", "-y", "--type", "thin-pool", "-l", data,
			      "--poolmetadatasize", meta, "-n", POOL, sr->vg, NULL};
	char ref[256];

	if (lvm_do(sr, args, err) < 0)
		return -1;
	lv_ref(sr, POOL, ref, sizeof(ref));
	const char *ewf[] = {"lvchange", "-q", "--errorwhenfull", "y", ref, NULL};
	return lvm_do(sr, ewf, err);
}

/* Removes whatever an interrupted SR.create left: the VG, then the PV. */
static int rollback_create(struct sr *sr, const char *dev, struct sr_error *err)
{
	if (vg_exists(sr)) {
		const char *args[] = {"vgremove", "-q", "-f", sr->vg, NULL};
		if (lvm_do(sr, args, err) < 0)
			return -1;
	}
	const char *pvs[] = {"pvs", dev, NULL};
	struct sr_run r;
	struct sr_error ignore;
	if (lvm_run(sr, pvs, &r, &ignore) == 0) {
		sr_run_free(&r);
		const char *args[] = {"pvremove", "-q", "-y", dev, NULL};
		return lvm_do(sr, args, err);
	}
	return 0;
}

static int create_steps(struct sr *sr, const char *dev, const char *name, struct sr_error *err)
{
	char tag[1024];

	if (name_tag(name, tag, sizeof(tag), err) < 0)
		return -1;
	const char *pv[] = {"pvcreate", "-q", "-y", dev, NULL};
	const char *vg[] = {"vgcreate", "-q", "-y", "--addtag", "cairn_sr", "--addtag", tag,
			    sr->vg, dev, NULL};
	if (lvm_do(sr, pv, err) < 0)
		return -1;
	sr_fault_point("create", 1);
	if (lvm_do(sr, vg, err) < 0)
		return -1;
	sr_fault_point("create", 2);
	return make_pool(sr, sr_kvs_get(&sr->dc, "pool_size"), err);
}

static int lvm_create(struct sr *sr, const char *name, struct sr_error *err)
{
	const char *dev = sr_kvs_get(&sr->dc, "device");
	const char *args[1] = {dev};
	struct sr_error ignore;

	if (set_vg(sr, err) < 0 || check_device(dev, err) < 0)
		return -1;
	if (vg_exists(sr))
		return sr_fail(err, SR_E_SR_DEVICE_IN_USE, 0);
	if (sr_journal_begin(sr->dir, "create", args, 1, err) < 0)
		return -1;
	if (create_steps(sr, dev, name, err) < 0) {
		if (rollback_create(sr, dev, &ignore) == 0)
			sr_journal_end(sr->dir, NULL);
		return -1;
	}
	return sr_journal_end(sr->dir, err);
}

static int lvm_recover(struct sr *sr, const char *op, const char *const *args, int nargs,
		       struct sr_error *err)
{
	struct sr_lv pool;
	struct sr_error ignore;

	if (set_vg(sr, err) < 0)
		return -1;
	if (strcmp(op, "create") == 0 && nargs == 1) {
		if (vg_exists(sr) && pool_row(sr, &pool, &ignore) == 0)
			return 0; /* all three steps were done */
		SR_LOG("SR %s: rolling back an interrupted create on %s", sr->uuid, args[0]);
		return rollback_create(sr, args[0], err);
	}
	if (strcmp(op, "copy") == 0 && nargs == 1)
		return sr_recover_copy(sr, args[0], err);
	SR_LOG("SR %s: unknown journal op %s", sr->uuid, op);
	return sr_fail(err, SR_E_BACKEND_FAILURE, 3, "EUCLEAN", "", "unknown journal op");
}

static int lvm_open(struct sr *sr, struct sr_error *err)
{
	struct sr_vg vg;

	if (set_vg(sr, err) < 0)
		return -1;
	if (vgs(sr, &vg, err) < 0) {
		if (err->code == SR_E_BACKEND_FAILURE && strstr(err->params[2], "not found"))
			return sr_fail(err, SR_E_UUID_INVALID, 2, "SR", sr->uuid);
		return -1;
	}
	if (!sr_tag_has(vg.tags, "cairn_sr"))
		return sr_fail(err, SR_E_UUID_INVALID, 2, "SR", sr->uuid);
	return 0;
}

static int lvm_plug(struct sr *sr, struct sr_error *err)
{
	char ref[256];

	lv_ref(sr, POOL, ref, sizeof(ref));
	const char *args[] = {"lvchange", "-q", "-ay", ref, NULL};
	return lvm_do(sr, args, err);
}

static int lvm_unplug(struct sr *sr, struct sr_error *err)
{
	const char *args[] = {"vgchange", "-q", "-an", sr->vg, NULL};

	if (lvm_do(sr, args, err) < 0) {
		if (err->code == SR_E_BACKEND_FAILURE && strstr(err->params[2], "in use"))
			return sr_fail(err, SR_E_SR_DEVICE_IN_USE, 0);
		return -1;
	}
	return 0;
}

static int lvm_destroy(struct sr *sr, struct sr_error *err)
{
	struct sr_pv *pvs = NULL;
	struct sr_run r;
	int n = 0, i, rc;
	const char *pargs[] = {"pvs", "--reportformat", "json", "--units", "b", "--nosuffix",
			       "-o", "pv_name,vg_name,pv_size,pv_free", NULL};

	if (lvm_run(sr, pargs, &r, err) < 0)
		return -1;
	rc = sr_parse_pvs(r.out, r.out_len, &pvs, &n, err);
	sr_run_free(&r);
	if (rc < 0)
		return -1;
	const char *vargs[] = {"vgremove", "-q", "-f", sr->vg, NULL};
	rc = lvm_do(sr, vargs, err);
	for (i = 0; rc == 0 && i < n; i++) {
		if (strcmp(pvs[i].vg, sr->vg) != 0)
			continue;
		const char *args[] = {"pvremove", "-q", "-y", pvs[i].name, NULL};
		rc = lvm_do(sr, args, err);
	}
	free(pvs);
	return rc;
}

/* SR.probe: the Cairn VGs on device_config:device (or on every PV). */
static int lvm_probe(struct sr_ctx *ctx, const struct sr_kvs *dc, struct sr_probe_entry *out,
		     int max, int *n, struct sr_error *err)
{
	struct sr fake = {.ctx = ctx, .lock_fd = -1};
	const char *dev = sr_kvs_get(dc, "device");
	const char *args[] = {"vgs", "--reportformat", "json", "--units", "b", "--nosuffix", "-o",
			      VG_FIELDS, NULL};
	struct sr_vg *rows = NULL;
	struct sr_run r;
	int nrows = 0, i, rc;

	if (dev && check_device(dev, err) < 0)
		return -1;
	if (lvm_run(&fake, args, &r, err) < 0)
		return -1;
	rc = sr_parse_vgs(r.out, r.out_len, &rows, &nrows, err);
	sr_run_free(&r);
	for (i = 0; rc == 0 && i < nrows && *n < max; i++) {
		if (strncmp(rows[i].name, "cairn-sr-", 9) != 0 ||
		    !sr_uuid_valid(rows[i].name + 9) || !sr_tag_has(rows[i].tags, "cairn_sr"))
			continue;
		memset(&out[*n], 0, sizeof(out[*n]));
		sr_copy_str(out[*n].uuid, sizeof(out[*n].uuid), rows[i].name + 9);
		sr_tag_get(rows[i].tags, "cairn_name", out[*n].name_label,
			   sizeof(out[*n].name_label));
		out[*n].physical_size = rows[i].size;
		(*n)++;
	}
	free(rows);
	return rc;
}

const struct sr_driver sr_lvm_driver = {
	.type = "lvm",
	.probe = lvm_probe,
	.create = lvm_create,
	.open = lvm_open,
	.recover = lvm_recover,
	.plug = lvm_plug,
	.unplug = lvm_unplug,
	.destroy = lvm_destroy,
	.stat = lvm_stat,
	.space = lvm_space,
	.scan = lvm_scan,
	.vdi_create = lvm_vdi_create,
	.vdi_get = lvm_vdi_get,
	.vdi_destroy = lvm_vdi_destroy,
	.vdi_resize = lvm_vdi_resize,
	.vdi_snapshot = lvm_vdi_snapshot,
	.vdi_attach = lvm_vdi_attach,
	.vdi_detach = lvm_vdi_detach,
	.vdi_set_name = lvm_vdi_set_name,
};
