/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vm_sim.c — the simulator backend: domains that exist only in the daemon,
 * like xapi's simulator. Each has a domid, a run state and a fake console
 * that records boot and shutdown lines. An operation takes
 * other_config["cairn-sim:delay_ms"] milliseconds (default 0), polling for
 * cancellation meanwhile, so tests can watch current_operations and cancel
 * tasks. other_config["cairn-sim:fail"] = "<op>" makes that op fail.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sb.h"
#include "vm.h"

#define SIM_MAX 16384

struct sim_dom {
	long long domid;	/* 0: free slot */
	char uuid[40];
	bool paused;
	struct sb console;
};

static struct sim_dom doms[SIM_MAX];
static long long next_domid = 1;
static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;

static struct sim_dom *dom_find(long long domid)
{
	for (int i = 0; i < SIM_MAX; i++)
		if (doms[i].domid == domid && domid > 0)
			return &doms[i];
	return NULL;
}

static const char *oc(const struct vm_backend_req *req, const char *key)
{
	return json_string_value(json_object_get(json_object_get(req->record, "other_config"), key));
}

/* Waits the configured delay; -VM_ECANCELED if cancelled, -1 if told to fail. */
static int sim_wait(struct vm_backend_req *req, const char *op)
{
	const char *d = oc(req, "cairn-sim:delay_ms"), *fail = oc(req, "cairn-sim:fail");
	long ms = d ? strtol(d, NULL, 10) : 0;
	struct timespec step = {0, 10 * 1000000L};

	for (; ms > 0; ms -= 10) {
		if (req->cancelled && req->cancelled(req->arg))
			return -VM_ECANCELED;
		nanosleep(&step, NULL);
	}
	if (req->cancelled && req->cancelled(req->arg))
		return -VM_ECANCELED;
	if (fail && !strcmp(fail, op)) {
		snprintf(req->err, sizeof(req->err), "simulated failure of %s", op);
		return -1;
	}
	return 0;
}

static void say(struct sim_dom *d, const char *line)
{
	sb_addf(&d->console, "[%lld] %s\n", (long long)time(NULL), line);
}

static int new_dom(const char *uuid, bool paused, long long *domid, const char *name)
{
	pthread_mutex_lock(&sim_lock);
	for (int i = 0; i < SIM_MAX; i++) {
		if (doms[i].domid)
			continue;
		doms[i].domid = next_domid++;
		snprintf(doms[i].uuid, sizeof(doms[i].uuid), "%s", uuid);
		doms[i].paused = paused;
		sb_free(&doms[i].console);
		say(&doms[i], "Cairn simulated domain booting");
		sb_addf(&doms[i].console, "Welcome to %s\nlogin: \n", name ? name : "a simulated VM");
		*domid = doms[i].domid;
		pthread_mutex_unlock(&sim_lock);
		return 0;
	}
	pthread_mutex_unlock(&sim_lock);
	return -1;
}

static int sim_start(struct vm_backend_req *req, long long *domid)
{
	int rc = sim_wait(req, "start");
	const char *name = json_string_value(json_object_get(req->record, "name_label"));

	if (rc)
		return rc;
	if (new_dom(req->uuid, req->paused, domid, name)) {
		snprintf(req->err, sizeof(req->err), "no free simulated domain slots");
		return -1;
	}
	log_info("VM %s started as domain %lld", req->uuid, *domid);
	return 0;
}

static int with_dom(struct vm_backend_req *req, const char *op, int (*fn)(struct sim_dom *))
{
	struct sim_dom *d;
	int rc = sim_wait(req, op);

	if (rc)
		return rc;
	pthread_mutex_lock(&sim_lock);
	d = dom_find(req->domid);
	rc = d ? fn(d) : -1;
	if (!d)
		snprintf(req->err, sizeof(req->err), "domain %lld does not exist", req->domid);
	pthread_mutex_unlock(&sim_lock);
	return rc;
}

static int do_destroy(struct sim_dom *d)
{
	say(d, "domain destroyed");
	sb_free(&d->console);
	d->domid = 0;
	return 0;
}

static int do_pause(struct sim_dom *d)
{
	d->paused = true;
	return 0;
}

static int do_unpause(struct sim_dom *d)
{
	d->paused = false;
	return 0;
}

static int sim_shutdown(struct vm_backend_req *req, bool hard)
{
	return with_dom(req, hard ? "hard_shutdown" : "clean_shutdown", do_destroy);
}

static int sim_reboot(struct vm_backend_req *req, bool hard, long long *domid)
{
	int rc = with_dom(req, hard ? "hard_reboot" : "clean_reboot", do_destroy);

	if (rc)
		return rc;
	return new_dom(req->uuid, false, domid,
		       json_string_value(json_object_get(req->record, "name_label")));
}

static int sim_pause(struct vm_backend_req *req)
{
	return with_dom(req, "pause", do_pause);
}

static int sim_unpause(struct vm_backend_req *req)
{
	return with_dom(req, "unpause", do_unpause);
}

static int sim_suspend(struct vm_backend_req *req)
{
	return with_dom(req, "suspend", do_destroy);
}

static int sim_resume(struct vm_backend_req *req, long long *domid)
{
	int rc = sim_wait(req, "resume");

	if (rc)
		return rc;
	return new_dom(req->uuid, req->paused, domid,
		       json_string_value(json_object_get(req->record, "name_label")));
}

static int sim_adopt(const char *uuid, long long domid, bool paused)
{
	int rc = -1;

	pthread_mutex_lock(&sim_lock);
	for (int i = 0; i < SIM_MAX && domid > 0; i++) {
		if (doms[i].domid)
			continue;
		doms[i].domid = domid;
		snprintf(doms[i].uuid, sizeof(doms[i].uuid), "%s", uuid);
		doms[i].paused = paused;
		say(&doms[i], "domain re-attached after a daemon restart");
		if (domid >= next_domid)
			next_domid = domid + 1;
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&sim_lock);
	return rc;
}

static char *sim_console(long long domid)
{
	struct sim_dom *d;
	char *text = NULL;

	pthread_mutex_lock(&sim_lock);
	d = dom_find(domid);
	if (d)
		text = strdup(d->console.p ? d->console.p : "");
	pthread_mutex_unlock(&sim_lock);
	return text;
}

const struct vm_backend_ops vm_sim_backend = {
	.name = "sim",
	.start = sim_start,
	.shutdown = sim_shutdown,
	.reboot = sim_reboot,
	.pause = sim_pause,
	.unpause = sim_unpause,
	.suspend = sim_suspend,
	.resume = sim_resume,
	.adopt = sim_adopt,
	.console = sim_console,
};

const struct vm_backend_ops *vm_backend_find(const char *name)
{
	if (!strcmp(name, "sim"))
		return &vm_sim_backend;
	return NULL;
}
