/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: the datamodel tables are consistent and cover what clients read. */
#include <string.h>

#include "dm.h"
#include "unit.h"

TEST(dm_check_passes)
{
	char err[256] = "";

	CHECK_EQ(dm_check(err, sizeof(err)), 0);
	if (err[0])
		unit_fail(__FILE__, __LINE__, "%s", err);
}

TEST(dm_issue_classes_exist)
{
	static const char *const want[] = {"session", "pool", "host", "host_cpu", "host_metrics",
		"VM", "VM_metrics", "VM_guest_metrics", "VBD", "VDI", "SR", "PBD", "VIF", "network",
		"PIF", "task", "message", "console", "event"};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!dm_class_find(want[i]))
			unit_fail(__FILE__, __LINE__, "class %s missing", want[i]);
	CHECK(dm_class_find_ci("vm") == dm_class_find("VM"));
	CHECK(dm_class_find("vm") == NULL);
}

struct want_field {
	const char *cls, *field;
	enum dm_kind kind;
};

TEST(dm_fields_clients_read)
{
	static const struct want_field want[] = {
		{"pool", "restrictions", DM_MAP}, {"pool", "cpu_info", DM_MAP},
		{"pool", "master", DM_REF}, {"host", "software_version", DM_MAP},
		{"host", "license_params", DM_MAP}, {"host", "capabilities", DM_SET},
		{"host", "chipset_info", DM_MAP}, {"host_metrics", "memory_total", DM_INT},
		{"host_metrics", "memory_free", DM_INT}, {"VM", "current_operations", DM_MAP},
		{"VM", "power_state", DM_ENUM}, {"VM", "memory_static_max", DM_INT},
		{"VM", "VCPUs_max", DM_INT}, {"VM", "VBDs", DM_SET}, {"task", "progress", DM_FLOAT},
		{"task", "created", DM_DATETIME}, {"VM", "HVM_shadow_multiplier", DM_FLOAT},
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct dm_class *c = dm_class_find(want[i].cls);
		const struct dm_field *f = c ? dm_field_find(c, want[i].field) : NULL;

		if (!f)
			unit_fail(__FILE__, __LINE__, "%s.%s missing", want[i].cls, want[i].field);
		else
			CHECK_EQ(f->kind, want[i].kind);
	}
}

TEST(dm_defaults_typed)
{
	for (size_t i = 0; i < dm_nclasses; i++)
		for (size_t j = 0; j < dm_classes[i].nfields; j++) {
			const struct dm_field *f = &dm_classes[i].fields[j];
			json_t *d = dm_default(f);
			bool ok = d != NULL;

			switch (f->kind) {
			case DM_INT: ok = ok && json_is_integer(d); break;
			case DM_FLOAT: ok = ok && json_is_real(d); break;
			case DM_BOOL: ok = ok && json_is_boolean(d); break;
			case DM_SET: ok = ok && json_is_array(d); break;
			case DM_MAP: case DM_DATETIME: ok = ok && json_is_object(d); break;
			case DM_REF: ok = ok && !strcmp(json_string_value(d), "OpaqueRef:NULL"); break;
			default: ok = ok && json_is_string(d); break;
			}
			if (!ok)
				unit_fail(__FILE__, __LINE__, "%s.%s: bad default", dm_classes[i].name, f->name);
			json_decref(d);
		}
}

TEST(dm_enum_membership)
{
	CHECK(dm_enum_valid(&dm_en_vm_power_state, "Running"));
	CHECK(!dm_enum_valid(&dm_en_vm_power_state, "running"));
	CHECK(dm_enum_valid(&dm_en_task_status, "cancelled"));
	CHECK(dm_enum_valid(&dm_en_vm_operations, "clean_shutdown"));
}

TEST(dm_messages_well_formed)
{
	for (size_t i = 0; i < dm_nclasses; i++)
		for (size_t j = 0; j < dm_classes[i].nmessages; j++) {
			const struct dm_message *m = &dm_classes[i].messages[j];

			CHECK(m->nparams <= DM_MAX_PARAMS);
			CHECK(m->nrequired <= m->nparams);
			for (int k = 0; k < m->nparams; k++)
				if (!m->params[k].name)
					unit_fail(__FILE__, __LINE__, "%s.%s: unnamed param %d",
						  dm_classes[i].name, m->name, k);
		}
}
