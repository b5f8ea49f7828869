/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: XenAPI's VM power-state rules. */
#include <string.h>

#include "unit.h"
#include "vm.h"

TEST(vmrules_start_needs_halted)
{
	const char *exp = NULL;

	CHECK_EQ(vm_rule_check("start", VM_HALTED, &exp), 0);
	CHECK_EQ(vm_rule_check("start", VM_RUNNING, &exp), -1);
	CHECK_STR(exp, "halted");
	CHECK_EQ(vm_rule_target("start", VM_HALTED, false), VM_RUNNING);
	CHECK_EQ(vm_rule_target("start", VM_HALTED, true), VM_PAUSED);
}

TEST(vmrules_shutdowns)
{
	const char *exp = NULL;

	CHECK_EQ(vm_rule_check("clean_shutdown", VM_PAUSED, &exp), -1);
	CHECK_STR(exp, "running");
	CHECK_EQ(vm_rule_check("hard_shutdown", VM_PAUSED, &exp), 0);
	CHECK_EQ(vm_rule_check("hard_shutdown", VM_SUSPENDED, &exp), 0);
	CHECK_EQ(vm_rule_check("hard_shutdown", VM_HALTED, &exp), -1);
	CHECK_EQ(vm_rule_target("hard_shutdown", VM_SUSPENDED, false), VM_HALTED);
}

TEST(vmrules_pause_suspend_resume)
{
	const char *exp = NULL;

	CHECK_EQ(vm_rule_check("unpause", VM_RUNNING, &exp), -1);
	CHECK_STR(exp, "paused");
	CHECK_EQ(vm_rule_check("resume", VM_HALTED, &exp), -1);
	CHECK_STR(exp, "suspended");
	CHECK_EQ(vm_rule_target("suspend", VM_RUNNING, false), VM_SUSPENDED);
	CHECK_EQ(vm_rule_target("resume", VM_SUSPENDED, true), VM_PAUSED);
	CHECK_EQ(vm_rule_target("clean_reboot", VM_RUNNING, false), VM_RUNNING);
}

TEST(vmrules_copies_and_destroy)
{
	const char *exp = NULL;

	CHECK_EQ(vm_rule_check("clone", VM_RUNNING, &exp), -1);
	CHECK_EQ(vm_rule_check("snapshot", VM_RUNNING, &exp), 0);
	CHECK_EQ(vm_rule_target("snapshot", VM_RUNNING, false), VM_RUNNING);
	CHECK_EQ(vm_rule_check("destroy", VM_RUNNING, &exp), -1);
	CHECK_EQ(vm_rule_check("frobnicate", VM_HALTED, &exp), -2);
}

static bool has(json_t *a, const char *op)
{
	json_t *e;
	size_t i;

	json_array_foreach(a, i, e)
		if (!strcmp(json_string_value(e), op))
			return true;
	return false;
}

TEST(vmrules_allowed_operations)
{
	json_t *h = vm_allowed_ops(VM_HALTED, false, false);
	json_t *r = vm_allowed_ops(VM_RUNNING, false, false);
	json_t *t = vm_allowed_ops(VM_HALTED, true, false);
	json_t *b = vm_allowed_ops(VM_RUNNING, false, true);

	CHECK(has(h, "start") && !has(h, "clean_shutdown"));
	CHECK(has(r, "clean_shutdown") && has(r, "pause") && !has(r, "start"));
	CHECK(!has(t, "start") && has(t, "clone"));
	CHECK_EQ(json_array_size(b), 0);
	/* every op the rules allow from a state is advertised in that state */
	for (int p = VM_HALTED; p < VM_POWER_BAD; p++) {
		static const char *const ops[] = {"start", "clean_shutdown", "hard_shutdown",
			"pause", "unpause", "suspend", "resume", "clean_reboot", "hard_reboot"};
		json_t *a = vm_allowed_ops((enum vm_power)p, false, false);
		const char *exp;

		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			if (vm_rule_check(ops[i], (enum vm_power)p, &exp) == 0 && !has(a, ops[i]))
				unit_fail(__FILE__, __LINE__, "%s allowed in %s but not advertised",
					  ops[i], vm_power_name((enum vm_power)p));
		json_decref(a);
	}
	json_decref(h);
	json_decref(r);
	json_decref(t);
	json_decref(b);
}
