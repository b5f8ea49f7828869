/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vm_rules.c — XenAPI's VM power-state rules as a table: for each operation,
 * the power states it may start from and the state it leaves the VM in.
 */
#include <string.h>

#include "vm.h"

#define H (1u << VM_HALTED)
#define P (1u << VM_PAUSED)
#define R (1u << VM_RUNNING)
#define S (1u << VM_SUSPENDED)
#define SAME VM_POWER_BAD	/* the op keeps the power state */

struct vm_rule {
	const char *op;
	unsigned from;			/* mask of allowed source states, first = "expected" */
	enum vm_power expect;		/* reported in VM_BAD_POWER_STATE */
	enum vm_power to;
};

static const struct vm_rule rules[] = {
	{"start",          H,         VM_HALTED,  VM_RUNNING},
	{"start_on",       H,         VM_HALTED,  VM_RUNNING},
	{"clean_shutdown", R,         VM_RUNNING, VM_HALTED},
	{"shutdown",       R | P,     VM_RUNNING, VM_HALTED},
	{"hard_shutdown",  R | P | S, VM_RUNNING, VM_HALTED},
	{"clean_reboot",   R,         VM_RUNNING, VM_RUNNING},
	{"hard_reboot",    R | P,     VM_RUNNING, VM_RUNNING},
	{"pause",          R,         VM_RUNNING, VM_PAUSED},
	{"unpause",        P,         VM_PAUSED,  VM_RUNNING},
	{"suspend",        R,         VM_RUNNING, VM_SUSPENDED},
	{"resume",         S,         VM_SUSPENDED, VM_RUNNING},
	{"clone",          H,         VM_HALTED,  SAME},
	{"copy",           H,         VM_HALTED,  SAME},
	{"snapshot",       H | R | P | S, VM_HALTED, SAME},
	{"destroy",        H | S,     VM_HALTED,  SAME},
};

static const char *const power_names[] = {"Halted", "Paused", "Running", "Suspended"};
static const char *const power_lower[] = {"halted", "paused", "running", "suspended"};

enum vm_power vm_power_parse(const char *s)
{
	for (int i = 0; i < VM_POWER_BAD; i++)
		if (s && !strcmp(s, power_names[i]))
			return (enum vm_power)i;
	return VM_POWER_BAD;
}

const char *vm_power_name(enum vm_power p)
{
	return p < VM_POWER_BAD ? power_names[p] : "Halted";
}

static const struct vm_rule *rule(const char *op)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (!strcmp(rules[i].op, op))
			return &rules[i];
	return NULL;
}

int vm_rule_check(const char *op, enum vm_power p, const char **expected)
{
	const struct vm_rule *r = rule(op);

	if (!r)
		return -2;
	if (p < VM_POWER_BAD && (r->from & (1u << p)))
		return 0;
	*expected = power_lower[r->expect];
	return -1;
}

enum vm_power vm_rule_target(const char *op, enum vm_power from, bool paused)
{
	const struct vm_rule *r = rule(op);

	if (!r || r->to == SAME)
		return from;
	if (r->to == VM_RUNNING && paused)
		return VM_PAUSED;
	return r->to;
}

json_t *vm_allowed_ops(enum vm_power p, bool is_template, bool busy)
{
	static const char *const halted[] = {"start", "start_on", "clone", "copy", "snapshot",
		"destroy", "export", "make_into_template", "changing_VCPUs",
		"changing_memory_limits", "changing_static_range", "changing_dynamic_range", NULL};
	static const char *const running[] = {"clean_shutdown", "hard_shutdown", "shutdown",
		"clean_reboot", "hard_reboot", "pause", "suspend", "snapshot",
		"changing_VCPUs_live", "changing_dynamic_range", NULL};
	static const char *const paused[] = {"unpause", "hard_shutdown", "shutdown", "hard_reboot",
		"snapshot", NULL};
	static const char *const suspended[] = {"resume", "hard_shutdown", "clone", "copy",
		"snapshot", "destroy", NULL};
	static const char *const tmpl[] = {"clone", "copy", "destroy", "export", "provision", NULL};
	static const char *const *const by_state[] = {halted, paused, running, suspended};
	const char *const *ops;
	json_t *a = json_array();

	if (busy || p >= VM_POWER_BAD)
		return a;
	ops = is_template ? tmpl : by_state[p];
	for (; *ops; ops++)
		json_array_append_new(a, json_string(*ops));
	return a;
}
