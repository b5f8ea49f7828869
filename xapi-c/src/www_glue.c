/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * www_glue.c — VM consoles for the web console's /console websocket.
 *
 * Design: a console is named by its VM ref. check_session() accepts a valid
 * session and a VM that has a domain (Running or Paused); www.c calls it
 * before open() and again every WWW_RECHECK_MS, so a logout or a halt ends
 * an open console. The backend gives the domain's console text so far
 * (vm_backend_ops.console); read() sends what is new since the last call
 * and starts over when the text got shorter (a new domain after a reboot).
 * The backend takes no keyboard input yet: write() accepts and drops it.
 * There is no pollfd: www.c polls read() every WWW_POLL_MS.
 *
 * Locking: check_session() runs on an MHD connection thread, the others on
 * the console's own thread. The VM record is read under api.lock;
 * session_check() and the backend's console() take their own locks. A
 * struct glue_con belongs to one console thread and needs no lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "log.h"
#include "vm.h"
#include "www_glue.h"

#define GLUE_NO_VM	(-2)	/* vm_domid(): no such VM */
#define GLUE_NO_DOMAIN	(-1)	/* vm_domid(): the VM has no domain now */

struct glue_con {
	char vm[64];		/* VM ref */
	size_t sent;		/* bytes of the console text already sent */
};

/* The VM's domain id, GLUE_NO_DOMAIN when halted or suspended, GLUE_NO_VM when unknown. */
static long long vm_domid(const char *vm_ref)
{
	const char *ps;
	json_t *rec;
	long long domid = GLUE_NO_DOMAIN;

	pthread_mutex_lock(&api.lock);
	rec = db_read(api.db, dm_class_find("VM"), vm_ref);
	pthread_mutex_unlock(&api.lock);
	if (!rec)
		return GLUE_NO_VM;
	ps = json_string_value(json_object_get(rec, "power_state"));
	if (ps && (!strcmp(ps, "Running") || !strcmp(ps, "Paused")) &&
	    json_is_integer(json_object_get(rec, "domid")))
		domid = json_integer_value(json_object_get(rec, "domid"));
	json_decref(rec);
	return domid < 0 ? GLUE_NO_DOMAIN : domid;
}

static int glue_check(void *ctx, const char *session_ref, const char *vm_ref)
{
	long long d;

	if (!session_check(session_ref))
		return -EACCES;
	d = vm_domid(vm_ref);
	if (d == GLUE_NO_VM)
		return -ENOENT;
	return d < 0 ? -EAGAIN : 0;
}

static int glue_open(void *ctx, const char *vm_ref, void **handle)
{
	struct glue_con *g;

	if (strlen(vm_ref) >= sizeof(g->vm))
		return -ENOENT;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	memcpy(g->vm, vm_ref, strlen(vm_ref) + 1);
	*handle = g;
	log_info("console of %s opened", g->vm);
	return 0;
}

static ssize_t glue_read(void *handle, void *buf, size_t len)
{
	struct glue_con *g = handle;
	long long d = vm_domid(g->vm);
	char *text;
	size_t n;

	if (d < 0)
		return -EPIPE;
	text = api.conf.backend->console ? api.conf.backend->console(d) : NULL;
	if (!text)
		return -EPIPE;
	n = strlen(text);
	if (n < g->sent)
		g->sent = 0;
	n -= g->sent;
	if (n > len)
		n = len;
	memcpy(buf, text + g->sent, n);
	g->sent += n;
	free(text);
	return (ssize_t)n;
}

static ssize_t glue_write(void *handle, const void *buf, size_t len)
{
	return (ssize_t)len;
}

static void glue_close(void *handle)
{
	struct glue_con *g = handle;

	log_info("console of %s closed", g->vm);
	free(g);
}

const struct www_console_ops www_glue_ops = {
	.check_session = glue_check,
	.open = glue_open,
	.read = glue_read,
	.write = glue_write,
	.close = glue_close,
};
