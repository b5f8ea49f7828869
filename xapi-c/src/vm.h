/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vm.h — VM lifecycle: XenAPI's power-state rules and the backend that runs
 * domains. The simulator backend (vm_sim.c) keeps domains in the daemon; the
 * hypervisor backend (over libhv) will implement the same ops table.
 */
#ifndef XAPI_VM_H
#define XAPI_VM_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* What a backend operation gets; the backend must not keep pointers. */
struct vm_backend_req {
	const char *uuid;
	const json_t *record;		/* the VM record at the start of the operation */
	long long domid;		/* current domain, -1 when none */
	bool paused;			/* start/resume: leave the domain paused */
	bool (*cancelled)(void *arg);	/* polled while waiting */
	void *arg;
	char err[256];			/* reason on failure */
};

#define VM_ECANCELED 125	/* returned (negated) when cancelled; distinct from -1 */

struct vm_backend_ops {
	const char *name;
	/* Each returns 0, -VM_ECANCELED, or -1 with req->err set. */
	int (*start)(struct vm_backend_req *req, long long *domid);
	int (*shutdown)(struct vm_backend_req *req, bool hard);
	int (*reboot)(struct vm_backend_req *req, bool hard, long long *domid);
	int (*pause)(struct vm_backend_req *req);
	int (*unpause)(struct vm_backend_req *req);
	int (*suspend)(struct vm_backend_req *req);
	int (*resume)(struct vm_backend_req *req, long long *domid);
	/* Re-attaches to a domain that outlived a daemon restart; 0 if it runs. */
	int (*adopt)(const char *uuid, long long domid, bool paused);
	/* The domain's console text so far (malloc'ed), or NULL. */
	char *(*console)(long long domid);
};

extern const struct vm_backend_ops vm_sim_backend;
const struct vm_backend_ops *vm_backend_find(const char *name);

/* Power-state rules (pure; unit-tested). */
enum vm_power { VM_HALTED, VM_PAUSED, VM_RUNNING, VM_SUSPENDED, VM_POWER_BAD };
enum vm_power vm_power_parse(const char *s);
const char *vm_power_name(enum vm_power p);
/*
 * 0 if op may run from power state p; otherwise -1 with *expected set to the
 * lowercase power state the op needs (VM_BAD_POWER_STATE's second parameter).
 * Unknown ops return -2.
 */
int vm_rule_check(const char *op, enum vm_power p, const char **expected);
/* The power state op leaves a VM in (paused: start/resume's start_paused). */
enum vm_power vm_rule_target(const char *op, enum vm_power from, bool paused);
/* allowed_operations for a VM in state p, template or not, busy or not. */
json_t *vm_allowed_ops(enum vm_power p, bool is_template, bool busy);

#endif
