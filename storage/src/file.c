/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * file.c — the file SR (type "file": a directory) and the NFS SR (type "nfs":
 * an export mounted under the state directory, then the same thing).
 *
 * Design: the SR is the directory <location>/<sr-uuid>/ holding
 *   .cairn-sr          marker: {"uuid", "name_label"}
 *   <vdi>.raw|.qcow2   the image, made and resized with qemu-img
 *   <vdi>.meta         sidecar: {"name_label", "format", "is_a_snapshot",
 *                      "snapshot_of", "read_only", "hidden", "parent"}
 * The sidecars are the SR's own metadata: sr_scan() rebuilds every VDI
 * record from them and the images alone.
 *
 * Chain rules. Images form trees through qcow2 backing files (relative
 * names, so the SR can be mounted anywhere). Only leaves are written. An
 * inner node is either a snapshot (a visible, read-only VDI) or a hidden
 * base (no VDI record). A raw image can only be a root.
 *  - snapshot(A): A's image is renamed to S's (S becomes the read-only
 *    parent, is_a_snapshot, snapshot_of=A) and A becomes a new qcow2 overlay
 *    on S, so A keeps its uuid and location format qcow2; A's data is not
 *    copied. Of a read-only A: S is a read-only overlay on A.
 *  - clone(A), A writable: the same push-down makes a hidden base B, and A
 *    and the clone C are two overlays on B. Of a read-only A: C is an
 *    overlay on A.
 *  - destroy(X): a leaf is deleted; an inner node is only hidden. Then every
 *    hidden node left without children is deleted, up the chain.
 *  - snapshot, clone and resize of an attached writable VDI are refused
 *    (VDI_IN_USE): the process that has the image open would keep writing to
 *    the renamed file. (LVM SRs have no such limit.)
 * Crash consistency: each multi-step operation writes an intent record
 * first (journal.c). Recovery undoes a half-done push-down (renames the
 * parent back) or completes one whose overlay exists, then garbage-collects:
 * images without a sidecar, sidecars without an image, *.tmp files and hidden
 * nodes without children. Every step's order is chosen so that this is right
 * at any interruption point (see the fault points and tests/storage).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "srint.h"

struct fmeta {
	char name_label[SR_NAME_MAX];
	char format[16];
	bool is_a_snapshot;
	char snapshot_of[SR_UUID_LEN + 1];
	bool read_only;
	bool hidden;
	char parent[SR_UUID_LEN + 1];
};

static int img_path(struct sr *sr, const char *uuid, const char *fmt, char *out, size_t len)
{
	return sr_fmt(out, len, "%s/%s.%s", sr->root, uuid, fmt);
}

static int meta_path(struct sr *sr, const char *uuid, char *out, size_t len)
{
	return sr_fmt(out, len, "%s/%s.meta", sr->root, uuid);
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static int jstr(json_t *o, const char *k, char *dst, size_t len)
{
	json_t *v = json_object_get(o, k);

	dst[0] = '\0';
	if (!v)
		return 0;
	if (!json_is_string(v))
		return -1;
	return sr_copy_str(dst, len, json_string_value(v));
}

/* Reads UUID's sidecar: 0, or -1 with ERR (UUID_INVALID if there is none). */
static int meta_read(struct sr *sr, const char *uuid, struct fmeta *m, struct sr_error *err)
{
	char path[SR_PATH_MAX + 64];
	json_error_t jerr;
	json_t *o;
	int bad;

	memset(m, 0, sizeof(*m));
	if (meta_path(sr, uuid, path, sizeof(path)) < 0)
		return sr_fail(err, SR_E_UUID_INVALID, 2, "VDI", uuid);
	o = json_load_file(path, 0, &jerr);
	if (!o) {
		if (!exists(path))
			return sr_fail(err, SR_E_UUID_INVALID, 2, "VDI", uuid);
		return sr_fail(err, SR_E_BACKEND_FAILURE, 3, "EUCLEAN", "", jerr.text);
	}
	bad = jstr(o, "name_label", m->name_label, sizeof(m->name_label)) |
	      jstr(o, "format", m->format, sizeof(m->format)) |
	      jstr(o, "snapshot_of", m->snapshot_of, sizeof(m->snapshot_of)) |
	      jstr(o, "parent", m->parent, sizeof(m->parent));
	m->is_a_snapshot = json_is_true(json_object_get(o, "is_a_snapshot"));
	m->read_only = json_is_true(json_object_get(o, "read_only"));
	m->hidden = json_is_true(json_object_get(o, "hidden"));
	json_decref(o);
	if (bad || (strcmp(m->format, "raw") != 0 && strcmp(m->format, "qcow2") != 0))
		return sr_fail(err, SR_E_BACKEND_FAILURE, 3, "EUCLEAN", "", "bad sidecar");
	return 0;
}

static int meta_write(struct sr *sr, const char *uuid, const struct fmeta *m,
		      struct sr_error *err)
{
	char path[SR_PATH_MAX + 64];
	json_t *o;
	char *text;
	int rc;

	if (meta_path(sr, uuid, path, sizeof(path)) < 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "vdi", uuid);
	o = json_pack("{s:s, s:s, s:s, s:b, s:s, s:b, s:b, s:s}", "uuid", uuid, "name_label",
		      m->name_label, "format", m->format, "is_a_snapshot", m->is_a_snapshot,
		      "snapshot_of", m->snapshot_of, "read_only", m->read_only, "hidden",
		      m->hidden, "parent", m->parent);
	text = o ? json_dumps(o, JSON_SORT_KEYS) : NULL;
	json_decref(o);
	if (!text)
		return sr_fail_errno(err, ENOMEM, "sidecar for %s", uuid);
	rc = sr_write_file_atomic(path, text, strlen(text), err);
	free(text);
	return rc;
}

static int run_img(struct sr *sr, const char *const *argv, struct sr_error *err)
{
	struct sr_run r;

	if (sr_run_checked(sr->ctx, argv, &r, err) < 0)
		return -1;
	sr_run_free(&r);
	return 0;
}

static int img_info(struct sr *sr, const char *path, const char *fmt, struct sr_img_info *info,
		    struct sr_error *err)
{
	const char *argv[] = {sr->ctx->qemu_img, "info", "-U", "--output=json", "-f", fmt, path,
			      NULL};
	struct sr_run r;
	int rc;

	if (sr_run_checked(sr->ctx, argv, &r, err) < 0)
		return -1;
	rc = sr_parse_img_info(r.out, r.out_len, info, err);
	sr_run_free(&r);
	return rc;
}

/* Calls FN for every "<uuid>.meta" in the SR directory. */
static int each_meta(struct sr *sr, int (*fn)(struct sr *, const char *, void *), void *arg,
		     struct sr_error *err)
{
	DIR *d = opendir(sr->root);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return sr_fail_errno(err, errno, "opendir %s", sr->root);
	while (rc == 0 && (e = readdir(d)) != NULL) {
		char uuid[SR_UUID_LEN + 1];
		size_t n = strlen(e->d_name);
		if (n != SR_UUID_LEN + 5 || strcmp(e->d_name + SR_UUID_LEN, ".meta") != 0)
			continue;
		memcpy(uuid, e->d_name, SR_UUID_LEN);
		uuid[SR_UUID_LEN] = '\0';
		if (sr_uuid_valid(uuid))
			rc = fn(sr, uuid, arg);
	}
	closedir(d);
	return rc;
}

struct child_q {
	const char *parent;
	int n;
};

static int count_child(struct sr *sr, const char *uuid, void *arg)
{
	struct child_q *q = arg;
	struct fmeta m;
	struct sr_error e;

	if (meta_read(sr, uuid, &m, &e) == 0 && strcmp(m.parent, q->parent) == 0)
		q->n++;
	return 0;
}

static int children(struct sr *sr, const char *uuid, struct sr_error *err)
{
	struct child_q q = {uuid, 0};

	if (each_meta(sr, count_child, &q, err) < 0)
		return -1;
	return q.n;
}

/* Fills REC from UUID's sidecar and image. */
static int fill_record(struct sr *sr, const char *uuid, const struct fmeta *m,
		       struct sr_vdi_record *rec, struct sr_error *err)
{
	char path[SR_PATH_MAX + 64];
	struct sr_img_info info;
	struct stat st;

	memset(rec, 0, sizeof(*rec));
	if (img_path(sr, uuid, m->format, path, sizeof(path)) < 0 || stat(path, &st) < 0)
		return sr_fail(err, SR_E_UUID_INVALID, 2, "VDI", uuid);
	if (strcmp(m->format, "raw") == 0) {
		rec->virtual_size = st.st_size;
	} else {
		if (img_info(sr, path, m->format, &info, err) < 0)
			return -1;
		rec->virtual_size = info.virtual_size;
	}
	rec->physical_utilisation = (int64_t)st.st_blocks * 512;
	sr_copy_str(rec->uuid, sizeof(rec->uuid), uuid);
	sr_copy_str(rec->name_label, sizeof(rec->name_label), m->name_label);
	sr_copy_str(rec->type, sizeof(rec->type), "user");
	rec->is_a_snapshot = m->is_a_snapshot;
	sr_copy_str(rec->snapshot_of, sizeof(rec->snapshot_of), m->snapshot_of);
	rec->read_only = m->read_only;
	rec->managed = true;
	sr_fmt(rec->location, sizeof(rec->location), "%s.%s", uuid, m->format);
	sr_kvs_set(&rec->sm_config, "format", m->format);
	sr_kvs_set(&rec->sm_config, "vdi_type", "file");
	if (m->parent[0])
		sr_kvs_set(&rec->sm_config, "parent", m->parent);
	return 0;
}

static int file_vdi_get(struct sr *sr, const char *uuid, struct sr_vdi_record *rec,
			struct sr_error *err)
{
	struct fmeta m;

	if (meta_read(sr, uuid, &m, err) < 0)
		return -1;
	if (m.hidden)
		return sr_fail(err, SR_E_UUID_INVALID, 2, "VDI", uuid);
	return fill_record(sr, uuid, &m, rec, err);
}

struct scan_acc {
	struct sr_vdi_record *v;
	int n, cap;
	struct sr_error *err;
};

static int scan_one(struct sr *sr, const char *uuid, void *arg)
{
	struct scan_acc *a = arg;
	struct fmeta m;

	if (meta_read(sr, uuid, &m, a->err) < 0)
		return -1;
	if (m.hidden)
		return 0;
	if (a->n == a->cap) {
		int cap = a->cap ? a->cap * 2 : 16;
		struct sr_vdi_record *v = realloc(a->v, (size_t)cap * sizeof(*v));
		if (!v)
			return sr_fail_errno(a->err, ENOMEM, "%s", __func__);
		a->v = v;
		a->cap = cap;
	}
	if (fill_record(sr, uuid, &m, &a->v[a->n], a->err) < 0)
		return -1;
	a->n++;
	return 0;
}

static int file_scan(struct sr *sr, struct sr_vdi_record **out, int *n, struct sr_error *err)
{
	struct scan_acc a = {NULL, 0, 0, err};

	if (each_meta(sr, scan_one, &a, err) < 0) {
		free(a.v);
		return -1;
	}
	*out = a.v;
	*n = a.n;
	return 0;
}

static int unlink_img(struct sr *sr, const char *uuid, const char *fmt)
{
	char path[SR_PATH_MAX + 64];

	if (img_path(sr, uuid, fmt, path, sizeof(path)) < 0)
		return -1;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

static int unlink_meta(struct sr *sr, const char *uuid)
{
	char path[SR_PATH_MAX + 64];

	if (meta_path(sr, uuid, path, sizeof(path)) < 0)
		return -1;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

/* ---- garbage collection (recovery, and after destroy) ---------------------- */

/* Deletes UUID if it is hidden and childless, then its parent the same way. */
static int gc_chain(struct sr *sr, const char *start, struct sr_error *err)
{
	char uuid[SR_UUID_LEN + 1];
	struct fmeta m;
	struct sr_error ignore;

	sr_copy_str(uuid, sizeof(uuid), start);
	while (uuid[0] && meta_read(sr, uuid, &m, &ignore) == 0 && m.hidden) {
		int kids = children(sr, uuid, err);
		if (kids != 0)
			return kids < 0 ? -1 : 0;
		SR_LOG("SR %s: deleting hidden base %s", sr->uuid, uuid);
		if (unlink_img(sr, uuid, m.format) < 0 || unlink_meta(sr, uuid) < 0)
			return sr_fail_errno(err, errno, "unlink %s", uuid);
		sr_copy_str(uuid, sizeof(uuid), m.parent);
	}
	sr_fsync_dir(sr->root);
	return 0;
}

/* True if NAME is "<uuid>.<ext>" for one of our extensions; copies the uuid. */
static bool our_file(const char *name, const char *ext, char *uuid)
{
	size_t n = strlen(name), e = strlen(ext);

	if (n != SR_UUID_LEN + 1 + e || name[SR_UUID_LEN] != '.' ||
	    strcmp(name + SR_UUID_LEN + 1, ext) != 0)
		return false;
	memcpy(uuid, name, SR_UUID_LEN);
	uuid[SR_UUID_LEN] = '\0';
	return sr_uuid_valid(uuid);
}

/* Removes one orphan: an image without a sidecar (or of another format), a
 * sidecar without its image, a temporary file. Returns 1 if it removed one. */
static int gc_entry(struct sr *sr, const char *name)
{
	static const char *const exts[] = {"raw", "qcow2", "qcow2.tmp", "meta", "meta.tmp"};
	char uuid[SR_UUID_LEN + 1], path[SR_PATH_MAX + 64], img[SR_PATH_MAX + 64];
	struct fmeta m;
	struct sr_error ignore;
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		if (!our_file(name, exts[i], uuid))
			continue;
		bool has_meta = meta_read(sr, uuid, &m, &ignore) == 0;
		bool orphan;
		if (strstr(exts[i], "tmp"))
			orphan = true;
		else if (strcmp(exts[i], "meta") == 0)
			orphan = has_meta && (img_path(sr, uuid, m.format, img, sizeof(img)) < 0 ||
					      !exists(img));
		else
			orphan = !has_meta || strcmp(m.format, exts[i]) != 0;
		if (!orphan || sr_fmt(path, sizeof(path), "%s/%s", sr->root, name) < 0)
			return 0;
		SR_LOG("SR %s: removing leftover %s", sr->uuid, name);
		unlink(path);
		return 1;
	}
	return 0;
}

static int gc_hidden(struct sr *sr, const char *uuid, void *arg)
{
	struct fmeta m;
	struct sr_error ignore;

	if (meta_read(sr, uuid, &m, &ignore) == 0 && m.hidden && children(sr, uuid, &ignore) == 0)
		return gc_chain(sr, uuid, arg);
	return 0;
}

static int gc_all(struct sr *sr, struct sr_error *err)
{
	int removed;

	do {
		DIR *d = opendir(sr->root);
		struct dirent *e;

		if (!d)
			return sr_fail_errno(err, errno, "opendir %s", sr->root);
		removed = 0;
		while ((e = readdir(d)) != NULL)
			removed += gc_entry(sr, e->d_name);
		closedir(d);
	} while (removed);
	if (each_meta(sr, gc_hidden, err, err) < 0)
		return -1;
	sr_fsync_dir(sr->root);
	return 0;
}

/* ---- VDI operations ----------------------------------------------------- */

static int check_format(const struct sr_kvs *smc, const char **fmt, struct sr_error *err)
{
	const char *f = sr_kvs_get(smc, "format");

	*fmt = f ? f : "qcow2";
	if (strcmp(*fmt, "raw") != 0 && strcmp(*fmt, "qcow2") != 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "sm_config:format", *fmt);
	return 0;
}

static int file_vdi_create(struct sr *sr, const char *uuid, const char *name, int64_t size,
			   const struct sr_kvs *smc, struct sr_vdi_record *rec,
			   struct sr_error *err)
{
	char path[SR_PATH_MAX + 64], sz[32];
	const char *args[1] = {uuid};
	const char *fmt;
	struct fmeta m = {0};

	if (check_format(smc, &fmt, err) < 0)
		return -1;
	if (img_path(sr, uuid, fmt, path, sizeof(path)) < 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "location", sr->root);
	snprintf(sz, sizeof(sz), "%lld", (long long)size);
	const char *argv[] = {sr->ctx->qemu_img, "create", "-q", "-f", fmt, path, sz, NULL};
	if (sr_journal_begin(sr->dir, "create", args, 1, err) < 0)
		return -1;
	if (run_img(sr, argv, err) < 0)
		goto undo;
	sr_fault_point("create", 1);
	sr_copy_str(m.name_label, sizeof(m.name_label), name);
	sr_copy_str(m.format, sizeof(m.format), fmt);
	if (meta_write(sr, uuid, &m, err) < 0)
		goto undo;
	return sr_journal_end(sr->dir, err);
undo:
	unlink(path);
	sr_journal_end(sr->dir, NULL);
	return -1;
}

static int file_vdi_destroy(struct sr *sr, const struct sr_vdi_record *rec, struct sr_error *err)
{
	const char *args[1] = {rec->uuid};
	struct fmeta m;
	int kids;

	if (meta_read(sr, rec->uuid, &m, err) < 0)
		return -1;
	kids = children(sr, rec->uuid, err);
	if (kids < 0 || sr_journal_begin(sr->dir, "destroy", args, 1, err) < 0)
		return -1;
	if (kids > 0) {
		m.hidden = true; /* still a parent: keep the data, drop the VDI */
		if (meta_write(sr, rec->uuid, &m, err) < 0)
			return -1;
	} else {
		if (unlink_img(sr, rec->uuid, m.format) < 0)
			return sr_fail_errno(err, errno, "unlink image of %s", rec->uuid);
		sr_fault_point("destroy", 1);
		if (unlink_meta(sr, rec->uuid) < 0)
			return sr_fail_errno(err, errno, "unlink sidecar of %s", rec->uuid);
		if (m.parent[0] && gc_chain(sr, m.parent, err) < 0)
			return -1;
	}
	return sr_journal_end(sr->dir, err);
}

static int file_vdi_resize(struct sr *sr, const struct sr_vdi_record *rec, int64_t size,
			   struct sr_error *err)
{
	char path[SR_PATH_MAX + 64], sz[32];
	struct fmeta m;

	if (sr_attach_record_get(sr, rec->uuid))
		return sr_fail(err, SR_E_VDI_IN_USE, 2, rec->uuid, "resize");
	if (meta_read(sr, rec->uuid, &m, err) < 0 ||
	    img_path(sr, rec->uuid, m.format, path, sizeof(path)) < 0)
		return -1;
	snprintf(sz, sizeof(sz), "%lld", (long long)size);
	const char *argv[] = {sr->ctx->qemu_img, "resize", "-q", "-f", m.format, path, sz, NULL};
	return run_img(sr, argv, err);
}

/* A new qcow2 overlay UUID on PARENT (made as .tmp, then renamed). */
static int make_overlay(struct sr *sr, const char *uuid, const char *parent, const char *pfmt,
			struct sr_error *err)
{
	char path[SR_PATH_MAX + 64], tmp[SR_PATH_MAX + 64], backing[SR_UUID_LEN + 16];

	if (img_path(sr, uuid, "qcow2", path, sizeof(path)) < 0 ||
	    img_path(sr, uuid, "qcow2.tmp", tmp, sizeof(tmp)) < 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "location", sr->root);
	snprintf(backing, sizeof(backing), "%s.%s", parent, pfmt);
	const char *argv[] = {sr->ctx->qemu_img, "create", "-q", "-f", "qcow2", "-b", backing,
			      "-F", pfmt, tmp, NULL};
	if (run_img(sr, argv, err) < 0) {
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return sr_fail_errno(err, e, "rename %s", tmp);
	}
	sr_fsync_dir(sr->root);
	return 0;
}

/* Moves A's data into the new node P (read-only snapshot, or hidden base) and
 * makes A a qcow2 overlay on P. Steps, in this order for recovery:
 * 1 P's sidecar, 2 rename A's image to P's, 3 A's overlay, 4 A's sidecar. */
static int push_down(struct sr *sr, const char *a, const char *p, bool hidden,
		     struct sr_error *err)
{
	char from[SR_PATH_MAX + 64], to[SR_PATH_MAX + 64];
	struct fmeta am, pm;

	if (meta_read(sr, a, &am, err) < 0)
		return -1;
	pm = am;
	pm.read_only = true;
	pm.hidden = hidden;
	pm.is_a_snapshot = !hidden;
	sr_copy_str(pm.snapshot_of, sizeof(pm.snapshot_of), hidden ? "" : a);
	if (meta_write(sr, p, &pm, err) < 0)
		return -1;
	sr_fault_point("snapshot", 1);
	if (img_path(sr, a, am.format, from, sizeof(from)) < 0 ||
	    img_path(sr, p, am.format, to, sizeof(to)) < 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "location", sr->root);
	if (rename(from, to) < 0)
		return sr_fail_errno(err, errno, "rename %s", from);
	sr_fsync_dir(sr->root);
	sr_fault_point("snapshot", 2);
	if (make_overlay(sr, a, p, am.format, err) < 0)
		return -1;
	sr_fault_point("snapshot", 3);
	sr_copy_str(am.format, sizeof(am.format), "qcow2");
	sr_copy_str(am.parent, sizeof(am.parent), p);
	return meta_write(sr, a, &am, err);
}

/* A new overlay C on PARENT, with its sidecar M (written last). */
static int leaf_on(struct sr *sr, const char *c, const char *parent, struct fmeta *m,
		   struct sr_error *err)
{
	struct fmeta pm;

	if (meta_read(sr, parent, &pm, err) < 0 || make_overlay(sr, c, parent, pm.format, err) < 0)
		return -1;
	sr_fault_point("clone", 1);
	sr_copy_str(m->format, sizeof(m->format), "qcow2");
	sr_copy_str(m->parent, sizeof(m->parent), parent);
	return meta_write(sr, c, m, err);
}

static int snapshot_steps(struct sr *sr, const struct sr_vdi_record *a, const char *base,
			  const char *n, bool clone, struct sr_error *err)
{
	struct fmeta m = {0};

	sr_copy_str(m.name_label, sizeof(m.name_label), a->name_label);
	if (a->read_only || clone) {
		if (!a->read_only && push_down(sr, a->uuid, base, true, err) < 0)
			return -1;
		m.read_only = !clone;
		m.is_a_snapshot = !clone;
		sr_copy_str(m.snapshot_of, sizeof(m.snapshot_of), clone ? "" : a->uuid);
		return leaf_on(sr, n, a->read_only ? a->uuid : base, &m, err);
	}
	return push_down(sr, a->uuid, n, false, err);
}

static int file_vdi_snapshot(struct sr *sr, const struct sr_vdi_record *a, const char *n,
			     bool clone, struct sr_error *err)
{
	char base[SR_UUID_LEN + 1];
	const char *args[3] = {a->uuid, base, n};

	if (!a->read_only && sr_attach_record_get(sr, a->uuid))
		return sr_fail(err, SR_E_VDI_IN_USE, 2, a->uuid, clone ? "clone" : "snapshot");
	sr_uuid_new(base);
	if (sr_journal_begin(sr->dir, clone ? "clone" : "snapshot", args, 3, err) < 0)
		return -1;
	if (snapshot_steps(sr, a, base, n, clone, err) < 0) {
		struct sr_error ignore;
		if (sr->drv->recover(sr, clone ? "clone" : "snapshot", args, 3, &ignore) == 0)
			sr_journal_end(sr->dir, NULL);
		return -1;
	}
	return sr_journal_end(sr->dir, err);
}

/* Undoes or completes a push_down of A into P (see push_down's steps). */
static int recover_push_down(struct sr *sr, const char *a, const char *p, struct sr_error *err)
{
	char pimg[SR_PATH_MAX + 64], aimg[SR_PATH_MAX + 64], over[SR_PATH_MAX + 64];
	char want[SR_UUID_LEN + 16];
	struct fmeta am, pm;
	struct sr_img_info info;
	struct sr_error ignore;

	if (meta_read(sr, a, &am, &ignore) < 0 || meta_read(sr, p, &pm, &ignore) < 0)
		return 0; /* nothing was pushed down (gc removes a lone sidecar) */
	if (strcmp(am.parent, p) == 0)
		return 0; /* complete */
	img_path(sr, p, pm.format, pimg, sizeof(pimg));
	img_path(sr, a, am.format, aimg, sizeof(aimg));
	img_path(sr, a, "qcow2", over, sizeof(over));
	snprintf(want, sizeof(want), "%s.%s", p, pm.format);
	if (exists(pimg) && exists(over) && img_info(sr, over, "qcow2", &info, &ignore) == 0 &&
	    strcmp(info.backing, want) == 0) {
		SR_LOG("SR %s: completing snapshot of %s", sr->uuid, a);
		sr_copy_str(am.format, sizeof(am.format), "qcow2");
		sr_copy_str(am.parent, sizeof(am.parent), p);
		return meta_write(sr, a, &am, err);
	}
	if (exists(pimg) && !exists(aimg)) {
		SR_LOG("SR %s: undoing snapshot of %s", sr->uuid, a);
		if (rename(pimg, aimg) < 0)
			return sr_fail_errno(err, errno, "rename %s", pimg);
	}
	unlink_meta(sr, p);
	return 0;
}

static int file_recover(struct sr *sr, const char *op, const char *const *args, int nargs,
			struct sr_error *err)
{
	if ((strcmp(op, "snapshot") == 0 || strcmp(op, "clone") == 0) && nargs == 3) {
		/* snapshot: A into S=args[2]; clone: A into base args[1] */
		const char *p = strcmp(op, "snapshot") == 0 ? args[2] : args[1];
		if (recover_push_down(sr, args[0], p, err) < 0)
			return -1;
	} else if (strcmp(op, "copy") == 0 && nargs == 1) {
		if (gc_all(sr, err) < 0 || sr_recover_copy(sr, args[0], err) < 0)
			return -1;
	} else if (strcmp(op, "create") != 0 && strcmp(op, "destroy") != 0) {
		SR_LOG("SR %s: unknown journal op %s", sr->uuid, op);
		return sr_fail(err, SR_E_BACKEND_FAILURE, 3, "EUCLEAN", "", "unknown journal op");
	}
	return gc_all(sr, err);
}

static int file_vdi_attach(struct sr *sr, const struct sr_vdi_record *rec, bool writable,
			   struct sr_attach_info *info, struct sr_error *err)
{
	const char *fmt = sr_kvs_get(&rec->sm_config, "format");

	if (sr_fmt(info->path, sizeof(info->path), "%s/%s", sr->root, rec->location) < 0 ||
	    sr_copy_str(info->format, sizeof(info->format), fmt ? fmt : "raw") < 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "location", rec->location);
	return exists(info->path) ? 0 : sr_fail(err, SR_E_UUID_INVALID, 2, "VDI", rec->uuid);
}

static int file_vdi_set_name(struct sr *sr, const struct sr_vdi_record *rec, const char *name,
			     struct sr_error *err)
{
	struct fmeta m;

	if (meta_read(sr, rec->uuid, &m, err) < 0)
		return -1;
	sr_copy_str(m.name_label, sizeof(m.name_label), name);
	return meta_write(sr, rec->uuid, &m, err);
}

/* ---- the SR itself ------------------------------------------------------- */

struct stat_acc {
	int64_t used, virt;
	struct sr_error *err;
};

static int stat_one(struct sr *sr, const char *uuid, void *arg)
{
	struct stat_acc *a = arg;
	struct sr_vdi_record rec;
	struct sr_error ignore;

	if (file_vdi_get(sr, uuid, &rec, &ignore) == 0)
		a->virt += rec.virtual_size;
	return 0;
}

static int file_stat(struct sr *sr, struct sr_record *rec, struct sr_error *err)
{
	struct stat_acc a = {0, 0, err};
	struct statvfs vfs;
	struct dirent *e;
	DIR *d;

	if (statvfs(sr->root, &vfs) < 0 || !(d = opendir(sr->root)))
		return sr_fail_errno(err, errno, "statvfs %s", sr->root);
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			a.used += (int64_t)st.st_blocks * 512;
	}
	closedir(d);
	if (each_meta(sr, stat_one, &a, err) < 0)
		return -1;
	rec->physical_size = (int64_t)vfs.f_blocks * (int64_t)vfs.f_frsize;
	rec->physical_utilisation = a.used;
	rec->virtual_allocation = a.virt;
	rec->full = vfs.f_blocks &&
		    (vfs.f_blocks - vfs.f_bavail) * 100 >= (uint64_t)sr->ctx->full_percent * vfs.f_blocks;
	char marker[SR_PATH_MAX + 16];
	json_t *o;
	sr_fmt(marker, sizeof(marker), "%s/.cairn-sr", sr->root);
	o = json_load_file(marker, 0, NULL);
	if (o)
		jstr(o, "name_label", rec->name_label, sizeof(rec->name_label));
	json_decref(o);
	return 0;
}

static int set_root(struct sr *sr, const char *location, struct sr_error *err)
{
	if (!location || location[0] != '/')
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "device_config:location",
			       location ? location : "");
	if (sr_fmt(sr->root, sizeof(sr->root), "%s/%s", location, sr->uuid) < 0)
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "device_config:location", location);
	return 0;
}

static int open_at(struct sr *sr, const char *location, struct sr_error *err)
{
	char marker[SR_PATH_MAX + 16];

	if (set_root(sr, location, err) < 0)
		return -1;
	sr_fmt(marker, sizeof(marker), "%s/.cairn-sr", sr->root);
	if (!exists(marker))
		return sr_fail(err, SR_E_UUID_INVALID, 2, "SR", sr->uuid);
	return 0;
}

static int create_at(struct sr *sr, const char *location, const char *name,
		     struct sr_error *err)
{
	char marker[SR_PATH_MAX + 16];
	json_t *o;
	char *text;
	int rc;

	if (set_root(sr, location, err) < 0)
		return -1;
	if (mkdir(location, 0755) < 0 && errno != EEXIST)
		return sr_fail_errno(err, errno, "mkdir %s", location);
	if (mkdir(sr->root, 0755) < 0 && errno != EEXIST)
		return sr_fail_errno(err, errno, "mkdir %s", sr->root);
	sr_fmt(marker, sizeof(marker), "%s/.cairn-sr", sr->root);
	o = json_pack("{s:s, s:s}", "uuid", sr->uuid, "name_label", name);
	text = o ? json_dumps(o, JSON_SORT_KEYS) : NULL;
	json_decref(o);
	if (!text)
		return sr_fail_errno(err, ENOMEM, "%s", __func__);
	rc = sr_write_file_atomic(marker, text, strlen(text), err);
	free(text);
	return rc;
}

static int destroy_at(struct sr *sr, struct sr_error *err)
{
	char marker[SR_PATH_MAX + 16];

	if (gc_all(sr, err) < 0)
		return -1;
	sr_fmt(marker, sizeof(marker), "%s/.cairn-sr", sr->root);
	if (unlink(marker) < 0 && errno != ENOENT)
		return sr_fail_errno(err, errno, "unlink %s", marker);
	if (rmdir(sr->root) < 0)
		return sr_fail_errno(err, errno, "rmdir %s", sr->root);
	return 0;
}

static int probe_at(const char *location, struct sr_probe_entry *out, int max, int *n,
		    struct sr_error *err)
{
	DIR *d = opendir(location);
	struct dirent *e;

	if (!d)
		return sr_fail_errno(err, errno, "opendir %s", location);
	while ((e = readdir(d)) != NULL && *n < max) {
		char marker[SR_PATH_MAX + 64];
		json_t *o;
		if (!sr_uuid_valid(e->d_name) ||
		    sr_fmt(marker, sizeof(marker), "%s/%s/.cairn-sr", location, e->d_name) < 0)
			continue;
		o = json_load_file(marker, 0, NULL);
		if (!o)
			continue;
		memset(&out[*n], 0, sizeof(out[*n]));
		sr_copy_str(out[*n].uuid, sizeof(out[*n].uuid), e->d_name);
		jstr(o, "name_label", out[*n].name_label, sizeof(out[*n].name_label));
		json_decref(o);
		(*n)++;
	}
	closedir(d);
	return 0;
}

static int file_probe(struct sr_ctx *ctx, const struct sr_kvs *dc, struct sr_probe_entry *out,
		      int max, int *n, struct sr_error *err)
{
	const char *loc = sr_kvs_get(dc, "location");

	if (!loc || loc[0] != '/')
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "device_config:location", loc ? loc : "");
	return probe_at(loc, out, max, n, err);
}

static int file_create(struct sr *sr, const char *name, struct sr_error *err)
{
	return create_at(sr, sr_kvs_get(&sr->dc, "location"), name, err);
}

static int file_open(struct sr *sr, struct sr_error *err)
{
	return open_at(sr, sr_kvs_get(&sr->dc, "location"), err);
}

const struct sr_driver sr_file_driver = {
	.type = "file",
	.probe = file_probe,
	.create = file_create,
	.open = file_open,
	.recover = file_recover,
	.destroy = destroy_at,
	.stat = file_stat,
	.scan = file_scan,
	.vdi_create = file_vdi_create,
	.vdi_get = file_vdi_get,
	.vdi_destroy = file_vdi_destroy,
	.vdi_resize = file_vdi_resize,
	.vdi_snapshot = file_vdi_snapshot,
	.vdi_attach = file_vdi_attach,
	.vdi_set_name = file_vdi_set_name,
};

/* ---- nfs: mount server:serverpath on <state>/mnt/<sr-uuid>, then as file ---- */

static int nfs_mountpoint(struct sr *sr, char *out, size_t len)
{
	return sr_fmt(out, len, "%s/mnt/%s", sr->ctx->state_dir, sr->uuid);
}

static bool is_mounted(const char *dir)
{
	char parent[SR_PATH_MAX + 4];
	struct stat a, b;

	if (sr_fmt(parent, sizeof(parent), "%s/..", dir) < 0 || stat(dir, &a) < 0 ||
	    stat(parent, &b) < 0)
		return false;
	return a.st_dev != b.st_dev;
}

static int nfs_mount(struct sr *sr, char *mnt, size_t len, struct sr_error *err)
{
	const char *server = sr_kvs_get(&sr->dc, "server");
	const char *path = sr_kvs_get(&sr->dc, "serverpath");
	char src[SR_PATH_MAX * 2];
	struct sr_run r;

	if (!server || !path || path[0] != '/')
		return sr_fail(err, SR_E_INVALID_VALUE, 2, "device_config:server/serverpath",
			       server ? server : "");
	if (nfs_mountpoint(sr, mnt, len) < 0 || sr_mkdirs(mnt, err) < 0)
		return -1;
	if (is_mounted(mnt))
		return 0;
	snprintf(src, sizeof(src), "%s:%s", server, path);
	const char *argv[] = {sr->ctx->mount, "-t", "nfs", "-o", "soft,timeo=600,retrans=2", src,
			      mnt, NULL};
	if (sr_run_checked(sr->ctx, argv, &r, err) < 0)
		return -1;
	sr_run_free(&r);
	return 0;
}

static int nfs_create(struct sr *sr, const char *name, struct sr_error *err)
{
	char mnt[SR_PATH_MAX];

	if (nfs_mount(sr, mnt, sizeof(mnt), err) < 0)
		return -1;
	return create_at(sr, mnt, name, err);
}

static int nfs_open(struct sr *sr, struct sr_error *err)
{
	char mnt[SR_PATH_MAX];

	if (nfs_mount(sr, mnt, sizeof(mnt), err) < 0)
		return -1;
	return open_at(sr, mnt, err);
}

static int nfs_unplug(struct sr *sr, struct sr_error *err)
{
	char mnt[SR_PATH_MAX];
	struct sr_run r;

	if (nfs_mountpoint(sr, mnt, sizeof(mnt)) < 0 || !is_mounted(mnt))
		return 0;
	const char *argv[] = {sr->ctx->umount, mnt, NULL};
	if (sr_run_checked(sr->ctx, argv, &r, err) < 0)
		return -1;
	sr_run_free(&r);
	return 0;
}

static int nfs_plug(struct sr *sr, struct sr_error *err)
{
	char mnt[SR_PATH_MAX];

	return nfs_mount(sr, mnt, sizeof(mnt), err);
}

const struct sr_driver sr_nfs_driver = {
	.type = "nfs",
	.create = nfs_create,
	.open = nfs_open,
	.recover = file_recover,
	.plug = nfs_plug,
	.unplug = nfs_unplug,
	.destroy = destroy_at,
	.stat = file_stat,
	.scan = file_scan,
	.vdi_create = file_vdi_create,
	.vdi_get = file_vdi_get,
	.vdi_destroy = file_vdi_destroy,
	.vdi_resize = file_vdi_resize,
	.vdi_snapshot = file_vdi_snapshot,
	.vdi_attach = file_vdi_attach,
	.vdi_set_name = file_vdi_set_name,
};
