/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm.c — the datamodel tables. One line per field: name, type, qualifier,
 * default. Field names, types and enumerations follow XenAPI's datamodel
 * (xapi's ocaml/idl/datamodel*.ml); a class carries the fields real clients
 * (Xen Orchestra, xe, XenCenter) read, each with XenAPI's exact type.
 *
 * Adding a field is one line here: the schema migration (db_), marshalling,
 * the generic getters/setters and events follow from it.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "dm.h"

#define ENUM(var, nm, ...)                                                     \
	static const char *const var##_v[] = {__VA_ARGS__, NULL};             \
	const struct dm_enum var = {nm, var##_v}

ENUM(dm_en_vm_power_state, "vm_power_state", "Halted", "Paused", "Running", "Suspended");
ENUM(dm_en_vm_operations, "vm_operations", "snapshot", "clone", "copy", "create_template",
     "revert", "checkpoint", "snapshot_with_quiesce", "provision", "start", "start_on",
     "pause", "unpause", "clean_shutdown", "clean_reboot", "hard_shutdown",
     "power_state_reset", "hard_reboot", "suspend", "csvm", "resume", "resume_on",
     "pool_migrate", "migrate_send", "get_boot_record", "send_sysrq", "send_trigger",
     "query_services", "shutdown", "call_plugin", "changing_memory_live",
     "awaiting_memory_live", "changing_dynamic_range", "changing_static_range",
     "changing_memory_limits", "changing_shadow_memory", "changing_shadow_memory_live",
     "changing_VCPUs", "changing_VCPUs_live", "changing_NVRAM", "assert_operation_valid",
     "data_source_op", "update_allowed_operations", "make_into_template", "import",
     "export", "metadata_export", "reverting", "destroy", "create_vtpm");
ENUM(dm_en_task_status, "task_status_type", "pending", "success", "failure", "cancelling",
     "cancelled");
ENUM(en_task_ops, "task_allowed_operations", "cancel", "destroy");
ENUM(en_on_normal_exit, "on_normal_exit", "destroy", "restart");
ENUM(en_on_crash, "on_crash_behaviour", "destroy", "coredump_and_destroy", "restart",
     "coredump_and_restart", "preserve", "rename_restart");
ENUM(en_domain_type, "domain_type", "hvm", "pv", "pv_in_pvh", "pvh", "unspecified");
ENUM(en_vbd_mode, "vbd_mode", "RO", "RW");
ENUM(en_vbd_type, "vbd_type", "CD", "Disk", "Floppy");
ENUM(en_vbd_ops, "vbd_operations", "attach", "eject", "insert", "plug", "unplug",
     "unplug_force", "pause", "unpause");
ENUM(en_vdi_type, "vdi_type", "system", "user", "ephemeral", "suspend", "crashdump",
     "ha_statefile", "metadata", "redo_log", "rrd", "pvs_cache", "cbt_metadata");
ENUM(en_on_boot, "on_boot", "reset", "persist");
ENUM(en_vdi_ops, "vdi_operations", "clone", "copy", "resize", "resize_online", "snapshot",
     "mirror", "destroy", "forget", "update", "force_unlock", "generate_config",
     "enable_cbt", "disable_cbt", "data_destroy", "list_changed_blocks", "set_on_boot",
     "blocked");
ENUM(en_sr_ops, "storage_operations", "scan", "destroy", "forget", "plug", "unplug",
     "update", "vdi_create", "vdi_introduce", "vdi_destroy", "vdi_resize", "vdi_clone",
     "vdi_snapshot", "vdi_mirror", "vdi_enable_cbt", "vdi_disable_cbt",
     "vdi_data_destroy", "vdi_list_changed_blocks", "vdi_set_on_boot", "pbd_create",
     "pbd_destroy");
ENUM(en_vif_ops, "vif_operations", "attach", "plug", "unplug");
ENUM(en_vif_locking, "vif_locking_mode", "network_default", "locked", "unlocked", "disabled");
ENUM(en_vif_ipv4_mode, "vif_ipv4_configuration_mode", "None", "Static");
ENUM(en_vif_ipv6_mode, "vif_ipv6_configuration_mode", "None", "Static");
ENUM(en_net_ops, "network_operations", "attaching");
ENUM(en_net_locking, "network_default_locking_mode", "unlocked", "disabled");
ENUM(en_net_purpose, "network_purpose", "nbd", "insecure_nbd");
ENUM(en_ip_mode, "ip_configuration_mode", "None", "DHCP", "Static");
ENUM(en_ipv6_mode, "ipv6_configuration_mode", "None", "DHCP", "Static", "Autoconf");
ENUM(en_addr_type, "primary_address_type", "IPv4", "IPv6");
ENUM(en_host_ops, "host_allowed_operations", "provision", "evacuate", "shutdown", "reboot",
     "power_on", "vm_start", "vm_resume", "vm_migrate", "apply_updates", "enable");
ENUM(en_host_display, "host_display", "enabled", "enable_on_reboot", "disabled",
     "disable_on_reboot");
ENUM(en_pool_ops, "pool_allowed_operations", "ha_enable", "ha_disable", "cluster_create",
     "designate_new_master", "configure_repositories", "sync_updates", "get_updates",
     "apply_updates", "tls_verification_enable", "cert_refresh", "exchange_certificates_on_join",
     "exchange_ca_certificates_on_join", "copy_primary_host_certs");
ENUM(en_console_proto, "console_protocol", "vt100", "rfb", "rdp");
ENUM(en_msg_cls, "cls", "VM", "Host", "SR", "Pool", "VMPP", "VMSS", "PVS_proxy", "VDI",
     "Certificate");

/* Field constructors: one line per field. q is RW, SRO or DRO. */
#define STR(n, q)        {.name = n, .kind = DM_STRING, .qual = DM_##q}
#define STRD(n, q, d)    {.name = n, .kind = DM_STRING, .qual = DM_##q, .def = "\"" d "\""}
#define INT(n, q)        {.name = n, .kind = DM_INT, .qual = DM_##q}
#define INTD(n, q, d)    {.name = n, .kind = DM_INT, .qual = DM_##q, .def = #d}
#define FLT(n, q)        {.name = n, .kind = DM_FLOAT, .qual = DM_##q}
#define BOOL(n, q)       {.name = n, .kind = DM_BOOL, .qual = DM_##q}
#define BOOLT(n, q)      {.name = n, .kind = DM_BOOL, .qual = DM_##q, .def = "true"}
#define DT(n, q)         {.name = n, .kind = DM_DATETIME, .qual = DM_##q}
#define REF(n, q, c)     {.name = n, .kind = DM_REF, .qual = DM_##q, .ref_class = c}
#define REFI(n, q, c, i) {.name = n, .kind = DM_REF, .qual = DM_##q, .ref_class = c, .inverse = i}
#define EN(n, q, e, d)   {.name = n, .kind = DM_ENUM, .qual = DM_##q, .en = &e, .def = "\"" d "\""}
#define SSTR(n, q)       {.name = n, .kind = DM_SET, .elem = DM_STRING, .qual = DM_##q}
#define SINT(n, q)       {.name = n, .kind = DM_SET, .elem = DM_INT, .qual = DM_##q}
#define SREF(n, q, c)    {.name = n, .kind = DM_SET, .elem = DM_REF, .qual = DM_##q, .ref_class = c}
#define SEN(n, q, e)     {.name = n, .kind = DM_SET, .elem = DM_ENUM, .qual = DM_##q, .en = &e}
#define MSTR(n, q)       {.name = n, .kind = DM_MAP, .elem = DM_STRING, .qual = DM_##q}
#define MINT(n, q)       {.name = n, .kind = DM_MAP, .elem = DM_INT, .qual = DM_##q}
#define MFLT(n, q)       {.name = n, .kind = DM_MAP, .elem = DM_FLOAT, .qual = DM_##q}
#define MREF(n, q, c)    {.name = n, .kind = DM_MAP, .elem = DM_REF, .qual = DM_##q, .ref_class = c}
#define MEN(n, q, e)     {.name = n, .kind = DM_MAP, .elem = DM_ENUM, .qual = DM_##q, .en = &e}
#define OPS(e)           SEN("allowed_operations", DRO, e), MEN("current_operations", DRO, e)
#define NAME             STR("name_label", RW), STR("name_description", RW)

/* Message parameters. */
#define P_STR(n)     {.name = n, .kind = DM_STRING}
#define P_INT(n)     {.name = n, .kind = DM_INT}
#define P_FLT(n)     {.name = n, .kind = DM_FLOAT}
#define P_BOOL(n)    {.name = n, .kind = DM_BOOL}
#define P_REF(n, c)  {.name = n, .kind = DM_REF, .ref_class = c}
#define P_EN(n, e)   {.name = n, .kind = DM_ENUM, .en = &e}
#define P_SSTR(n)    {.name = n, .kind = DM_SET, .elem = DM_STRING}
#define MSG(n, np, fl, ...) {.name = n, .nparams = np, .nrequired = np, .flags = fl, .params = {__VA_ARGS__}}
#define MSGV(n, np, nreq, fl, ...) \
	{.name = n, .nparams = np, .nrequired = nreq, .flags = fl | DM_MSG_VARARGS, .params = {__VA_ARGS__}}

#define CLASS(n, f, m, fl) {n, f, sizeof(f) / sizeof(f[0]), m, sizeof(m) / sizeof(m[0]), fl}
#define CLASS0(n, f, fl)   {n, f, sizeof(f) / sizeof(f[0]), NULL, 0, fl}

static const struct dm_field f_session[] = {
	STR("uuid", DRO),
	REF("this_host", DRO, "host"),
	STRD("this_user", DRO, "OpaqueRef:NULL"),
	DT("last_active", DRO),
	BOOL("pool", DRO),
	MSTR("other_config", RW),
	BOOL("is_local_superuser", DRO),
	STRD("subject", DRO, "OpaqueRef:NULL"),
	DT("validation_time", DRO),
	STR("auth_user_sid", DRO),
	STR("auth_user_name", DRO),
	SSTR("rbac_permissions", DRO),
	SREF("tasks", DRO, "task"),
	REF("parent", DRO, "session"),
	STR("originator", DRO),
	BOOL("client_certificate", DRO),
};
static const struct dm_message m_session[] = {
	MSGV("login_with_password", 4, 2, DM_MSG_NO_SESSION | DM_MSG_NO_ASYNC,
	    P_STR("uname"), P_STR("pwd"), P_STR("version"), P_STR("originator")),
	MSG("logout", 0, DM_MSG_NO_ASYNC),
	MSG("local_logout", 0, DM_MSG_NO_ASYNC),
};

static const struct dm_field f_pool[] = {
	STR("uuid", DRO), NAME,
	REF("master", DRO, "host"),
	REF("default_SR", RW, "SR"),
	REF("suspend_image_SR", RW, "SR"),
	REF("crash_dump_SR", RW, "SR"),
	MSTR("other_config", RW),
	BOOL("ha_enabled", DRO),
	MSTR("ha_configuration", DRO),
	SSTR("ha_statefiles", DRO),
	INT("ha_host_failures_to_tolerate", DRO),
	INT("ha_plan_exists_for", DRO),
	BOOL("ha_allow_overcommit", RW),
	BOOL("ha_overcommitted", DRO),
	MREF("blobs", DRO, "blob"),
	SSTR("tags", RW),
	MSTR("gui_config", RW),
	MSTR("health_check_config", RW),
	STR("wlb_url", DRO),
	STR("wlb_username", DRO),
	BOOL("wlb_enabled", RW),
	BOOL("wlb_verify_cert", RW),
	BOOL("redo_log_enabled", DRO),
	REF("redo_log_vdi", DRO, "VDI"),
	STR("vswitch_controller", DRO),
	MSTR("restrictions", DRO),
	SREF("metadata_VDIs", DRO, "VDI"),
	STRD("ha_cluster_stack", DRO, "xhad"),
	OPS(en_pool_ops),
	MSTR("guest_agent_config", DRO),
	MSTR("cpu_info", DRO),
	BOOL("policy_no_vendor_device", RW),
	BOOL("live_patching_disabled", RW),
	BOOL("igmp_snooping_enabled", DRO),
	STR("uefi_certificates", DRO),
	BOOL("is_psr_pending", DRO),
	BOOL("tls_verification_enabled", DRO),
	SSTR("repositories", DRO),
	BOOL("client_certificate_auth_enabled", DRO),
	STR("client_certificate_auth_name", DRO),
	STR("repository_proxy_url", DRO),
	STR("repository_proxy_username", DRO),
	REF("repository_proxy_password", DRO, "secret"),
	BOOL("migration_compression", RW),
	BOOLT("coordinator_bias", RW),
};

static const struct dm_field f_host[] = {
	STR("uuid", DRO), NAME,
	INT("memory_overhead", DRO),
	OPS(en_host_ops),
	INTD("API_version_major", DRO, 2),
	INTD("API_version_minor", DRO, 21),
	STRD("API_version_vendor", DRO, "Cairn"),
	MSTR("API_version_vendor_implementation", DRO),
	BOOLT("enabled", DRO),
	MSTR("software_version", DRO),
	MSTR("other_config", RW),
	SSTR("capabilities", DRO),
	MSTR("cpu_configuration", DRO),
	STRD("sched_policy", DRO, "credit"),
	SSTR("supported_bootloaders", DRO),
	SREF("resident_VMs", DRO, "VM"),
	MSTR("logging", RW),
	SREF("PIFs", DRO, "PIF"),
	REF("suspend_image_sr", RW, "SR"),
	REF("crash_dump_sr", RW, "SR"),
	SREF("crashdumps", DRO, "host_crashdump"),
	SREF("patches", DRO, "host_patch"),
	SREF("updates", DRO, "pool_update"),
	SREF("PBDs", DRO, "PBD"),
	SREF("host_CPUs", DRO, "host_cpu"),
	MSTR("cpu_info", DRO),
	STR("hostname", RW),
	STR("address", RW),
	REF("metrics", DRO, "host_metrics"),
	MSTR("license_params", DRO),
	SSTR("ha_statefiles", DRO),
	SSTR("ha_network_peers", DRO),
	MREF("blobs", DRO, "blob"),
	SSTR("tags", RW),
	STR("external_auth_type", DRO),
	STR("external_auth_service_name", DRO),
	MSTR("external_auth_configuration", DRO),
	STRD("edition", DRO, "free"),
	MSTR("license_server", RW),
	MSTR("bios_strings", DRO),
	STR("power_on_mode", DRO),
	MSTR("power_on_config", DRO),
	REF("local_cache_sr", DRO, "SR"),
	MSTR("chipset_info", DRO),
	SREF("PCIs", DRO, "PCI"),
	SREF("PGPUs", DRO, "PGPU"),
	SREF("PUSBs", DRO, "PUSB"),
	BOOL("ssl_legacy", DRO),
	MSTR("guest_VCPUs_params", RW),
	EN("display", RW, en_host_display, "enabled"),
	SINT("virtual_hardware_platform_versions", DRO),
	REF("control_domain", DRO, "VM"),
	SREF("updates_requiring_reboot", DRO, "pool_update"),
	SREF("features", DRO, "Feature"),
	STR("iscsi_iqn", DRO),
	BOOL("multipathing", DRO),
	STR("uefi_certificates", DRO),
	SREF("certificates", DRO, "Certificate"),
	SSTR("editions", DRO),
	SSTR("pending_guidances", DRO),
	BOOL("tls_verification_enabled", DRO),
	DT("last_software_update", DRO),
	BOOL("https_only", DRO),
	STR("latest_synced_updates_applied", DRO),
};
static const struct dm_message m_host[] = {
	MSG("get_servertime", 1, 0, P_REF("host", "host")),
};

static const struct dm_field f_host_cpu[] = {
	STR("uuid", DRO),
	REFI("host", DRO, "host", "host_CPUs"),
	INT("number", DRO),
	STR("vendor", DRO),
	INT("speed", DRO),
	STR("modelname", DRO),
	INT("family", DRO),
	INT("model", DRO),
	STR("stepping", DRO),
	STR("flags", DRO),
	STR("features", DRO),
	FLT("utilisation", DRO),
	MSTR("other_config", RW),
};

static const struct dm_field f_host_metrics[] = {
	STR("uuid", DRO),
	INT("memory_total", DRO),
	INT("memory_free", DRO),
	BOOLT("live", DRO),
	DT("last_updated", DRO),
	MSTR("other_config", RW),
};

static const struct dm_field f_vm[] = {
	STR("uuid", DRO),
	OPS(dm_en_vm_operations),
	NAME,
	EN("power_state", DRO, dm_en_vm_power_state, "Halted"),
	INT("user_version", RW),
	BOOL("is_a_template", RW),
	BOOL("is_default_template", DRO),
	REF("suspend_VDI", DRO, "VDI"),
	REFI("resident_on", DRO, "host", "resident_VMs"),
	REF("scheduled_to_be_resident_on", DRO, "host"),
	REF("affinity", RW, "host"),
	INT("memory_overhead", DRO),
	INT("memory_target", DRO),
	INT("memory_static_max", RW),
	INT("memory_dynamic_max", RW),
	INT("memory_dynamic_min", RW),
	INT("memory_static_min", RW),
	MSTR("VCPUs_params", RW),
	INTD("VCPUs_max", RW, 1),
	INTD("VCPUs_at_startup", RW, 1),
	EN("actions_after_shutdown", RW, en_on_normal_exit, "destroy"),
	EN("actions_after_reboot", RW, en_on_normal_exit, "restart"),
	EN("actions_after_crash", RW, en_on_crash, "restart"),
	SREF("consoles", DRO, "console"),
	SREF("VIFs", DRO, "VIF"),
	SREF("VBDs", DRO, "VBD"),
	SREF("VUSBs", DRO, "VUSB"),
	SREF("crash_dumps", DRO, "crashdump"),
	SREF("VTPMs", DRO, "VTPM"),
	STR("PV_bootloader", RW),
	STR("PV_kernel", RW),
	STR("PV_ramdisk", RW),
	STR("PV_args", RW),
	STR("PV_bootloader_args", RW),
	STR("PV_legacy_args", RW),
	STR("HVM_boot_policy", RW),
	MSTR("HVM_boot_params", RW),
	{.name = "HVM_shadow_multiplier", .kind = DM_FLOAT, .qual = DM_RW, .def = "1.0"},
	MSTR("platform", RW),
	STR("PCI_bus", RW),
	MSTR("other_config", RW),
	INTD("domid", DRO, -1),
	STR("domarch", DRO),
	MSTR("last_boot_CPU_flags", DRO),
	BOOL("is_control_domain", DRO),
	REF("metrics", DRO, "VM_metrics"),
	REF("guest_metrics", DRO, "VM_guest_metrics"),
	STR("last_booted_record", DRO),
	STR("recommendations", RW),
	MSTR("xenstore_data", RW),
	BOOL("ha_always_run", DRO),
	STR("ha_restart_priority", DRO),
	BOOL("is_a_snapshot", DRO),
	REFI("snapshot_of", DRO, "VM", "snapshots"),
	SREF("snapshots", DRO, "VM"),
	DT("snapshot_time", DRO),
	STR("transportable_snapshot_id", DRO),
	MREF("blobs", DRO, "blob"),
	SSTR("tags", RW),
	MSTR("blocked_operations", RW),
	MSTR("snapshot_info", DRO),
	STR("snapshot_metadata", DRO),
	REFI("parent", DRO, "VM", "children"),
	SREF("children", DRO, "VM"),
	MSTR("bios_strings", DRO),
	REF("protection_policy", DRO, "VMPP"),
	BOOL("is_snapshot_from_vmpp", DRO),
	REF("snapshot_schedule", DRO, "VMSS"),
	BOOL("is_vmss_snapshot", DRO),
	REF("appliance", RW, "VM_appliance"),
	INT("start_delay", DRO),
	INT("shutdown_delay", DRO),
	INT("order", DRO),
	SREF("VGPUs", DRO, "VGPU"),
	SREF("attached_PCIs", DRO, "PCI"),
	REF("suspend_SR", RW, "SR"),
	INT("version", DRO),
	STRD("generation_id", DRO, "0:0"),
	INT("hardware_platform_version", RW),
	BOOL("has_vendor_device", RW),
	BOOL("requires_reboot", DRO),
	STR("reference_label", DRO),
	EN("domain_type", RW, en_domain_type, "hvm"),
	MSTR("NVRAM", RW),
	SSTR("pending_guidances", DRO),
};
static const struct dm_message m_vm[] = {
	MSG("start", 3, 0, P_REF("vm", "VM"), P_BOOL("start_paused"), P_BOOL("force")),
	MSG("start_on", 4, 0, P_REF("vm", "VM"), P_REF("host", "host"),
	    P_BOOL("start_paused"), P_BOOL("force")),
	MSG("clean_shutdown", 1, 0, P_REF("vm", "VM")),
	MSG("hard_shutdown", 1, 0, P_REF("vm", "VM")),
	MSG("shutdown", 1, 0, P_REF("vm", "VM")),
	MSG("clean_reboot", 1, 0, P_REF("vm", "VM")),
	MSG("hard_reboot", 1, 0, P_REF("vm", "VM")),
	MSG("pause", 1, 0, P_REF("vm", "VM")),
	MSG("unpause", 1, 0, P_REF("vm", "VM")),
	MSG("suspend", 1, 0, P_REF("vm", "VM")),
	MSG("resume", 3, 0, P_REF("vm", "VM"), P_BOOL("start_paused"), P_BOOL("force")),
	MSG("clone", 2, 0, P_REF("vm", "VM"), P_STR("new_name")),
	MSG("copy", 3, 0, P_REF("vm", "VM"), P_STR("new_name"), P_REF("sr", "SR")),
	MSGV("snapshot", 3, 2, 0, P_REF("vm", "VM"), P_STR("new_name"), P_SSTR("ignore_vdis")),
	MSG("get_console_output", 1, DM_MSG_NO_ASYNC, P_REF("vm", "VM")),
};

static const struct dm_field f_vm_metrics[] = {
	STR("uuid", DRO),
	INT("memory_actual", DRO),
	INT("VCPUs_number", DRO),
	MFLT("VCPUs_utilisation", DRO),
	MINT("VCPUs_CPU", DRO),
	MSTR("VCPUs_params", DRO),
	SSTR("state", DRO),
	DT("start_time", DRO),
	DT("install_time", DRO),
	DT("last_updated", DRO),
	MSTR("other_config", RW),
	BOOL("hvm", DRO),
	BOOL("nested_virt", DRO),
	BOOL("nomigrate", DRO),
	EN("current_domain_type", DRO, en_domain_type, "unspecified"),
};

static const struct dm_field f_vm_guest_metrics[] = {
	STR("uuid", DRO),
	MSTR("os_version", DRO),
	MSTR("PV_drivers_version", DRO),
	BOOL("PV_drivers_up_to_date", DRO),
	MSTR("memory", DRO),
	MSTR("disks", DRO),
	MSTR("networks", DRO),
	MSTR("other", DRO),
	DT("last_updated", DRO),
	MSTR("other_config", RW),
	BOOL("live", DRO),
	STRD("can_use_hotplug_vbd", DRO, "unspecified"),
	STRD("can_use_hotplug_vif", DRO, "unspecified"),
	BOOL("PV_drivers_detected", DRO),
};

static const struct dm_field f_vbd[] = {
	STR("uuid", DRO),
	OPS(en_vbd_ops),
	REFI("VM", SRO, "VM", "VBDs"),
	REFI("VDI", SRO, "VDI", "VBDs"),
	STR("device", DRO),
	STR("userdevice", RW),
	BOOL("bootable", RW),
	EN("mode", RW, en_vbd_mode, "RW"),
	EN("type", RW, en_vbd_type, "Disk"),
	BOOLT("unpluggable", RW),
	BOOL("storage_lock", DRO),
	BOOL("empty", SRO),
	MSTR("other_config", RW),
	BOOL("currently_attached", DRO),
	INT("status_code", DRO),
	STR("status_detail", DRO),
	MSTR("runtime_properties", DRO),
	STR("qos_algorithm_type", RW),
	MSTR("qos_algorithm_params", RW),
	SSTR("qos_supported_algorithms", DRO),
	REF("metrics", DRO, "VBD_metrics"),
};

static const struct dm_field f_vdi[] = {
	STR("uuid", DRO), NAME,
	OPS(en_vdi_ops),
	REFI("SR", SRO, "SR", "VDIs"),
	SREF("VBDs", DRO, "VBD"),
	SREF("crash_dumps", DRO, "crashdump"),
	INT("virtual_size", SRO),
	INT("physical_utilisation", DRO),
	EN("type", SRO, en_vdi_type, "user"),
	BOOL("sharable", SRO),
	BOOL("read_only", SRO),
	MSTR("other_config", RW),
	BOOL("storage_lock", DRO),
	STR("location", DRO),
	BOOLT("managed", DRO),
	BOOL("missing", DRO),
	REF("parent", DRO, "VDI"),
	MSTR("xenstore_data", RW),
	MSTR("sm_config", RW),
	BOOL("is_a_snapshot", DRO),
	REFI("snapshot_of", DRO, "VDI", "snapshots"),
	SREF("snapshots", DRO, "VDI"),
	DT("snapshot_time", DRO),
	SSTR("tags", RW),
	BOOL("allow_caching", DRO),
	EN("on_boot", DRO, en_on_boot, "persist"),
	REF("metadata_of_pool", DRO, "pool"),
	BOOL("metadata_latest", DRO),
	BOOL("is_tools_iso", DRO),
	BOOL("cbt_enabled", DRO),
};

static const struct dm_field f_sr[] = {
	STR("uuid", DRO), NAME,
	OPS(en_sr_ops),
	SREF("VDIs", DRO, "VDI"),
	SREF("PBDs", DRO, "PBD"),
	INT("virtual_allocation", DRO),
	INT("physical_utilisation", DRO),
	INT("physical_size", DRO),
	STR("type", SRO),
	STR("content_type", SRO),
	BOOL("shared", RW),
	MSTR("other_config", RW),
	SSTR("tags", RW),
	MSTR("sm_config", SRO),
	MREF("blobs", DRO, "blob"),
	BOOL("local_cache_enabled", DRO),
	REF("introduced_by", DRO, "DR_task"),
	BOOL("clustered", DRO),
	BOOL("is_tools_sr", DRO),
};

static const struct dm_field f_pbd[] = {
	STR("uuid", DRO),
	REFI("host", SRO, "host", "PBDs"),
	REFI("SR", SRO, "SR", "PBDs"),
	MSTR("device_config", SRO),
	BOOL("currently_attached", DRO),
	MSTR("other_config", RW),
};

static const struct dm_field f_vif[] = {
	STR("uuid", DRO),
	OPS(en_vif_ops),
	STR("device", SRO),
	REFI("network", SRO, "network", "VIFs"),
	REFI("VM", SRO, "VM", "VIFs"),
	STR("MAC", SRO),
	INTD("MTU", SRO, 1500),
	MSTR("other_config", RW),
	BOOL("currently_attached", DRO),
	INT("status_code", DRO),
	STR("status_detail", DRO),
	MSTR("runtime_properties", DRO),
	STR("qos_algorithm_type", RW),
	MSTR("qos_algorithm_params", RW),
	SSTR("qos_supported_algorithms", DRO),
	REF("metrics", DRO, "VIF_metrics"),
	BOOL("MAC_autogenerated", DRO),
	EN("locking_mode", RW, en_vif_locking, "network_default"),
	SSTR("ipv4_allowed", RW),
	SSTR("ipv6_allowed", RW),
	EN("ipv4_configuration_mode", DRO, en_vif_ipv4_mode, "None"),
	SSTR("ipv4_addresses", DRO),
	STR("ipv4_gateway", DRO),
	EN("ipv6_configuration_mode", DRO, en_vif_ipv6_mode, "None"),
	SSTR("ipv6_addresses", DRO),
	STR("ipv6_gateway", DRO),
};

static const struct dm_field f_network[] = {
	STR("uuid", DRO), NAME,
	OPS(en_net_ops),
	SREF("VIFs", DRO, "VIF"),
	SREF("PIFs", DRO, "PIF"),
	INTD("MTU", RW, 1500),
	MSTR("other_config", RW),
	STR("bridge", SRO),
	BOOLT("managed", SRO),
	MREF("blobs", DRO, "blob"),
	SSTR("tags", RW),
	EN("default_locking_mode", DRO, en_net_locking, "unlocked"),
	MSTR("assigned_ips", DRO),
	SEN("purpose", DRO, en_net_purpose),
};

static const struct dm_field f_pif[] = {
	STR("uuid", DRO),
	STR("device", DRO),
	REFI("network", DRO, "network", "PIFs"),
	REFI("host", DRO, "host", "PIFs"),
	STR("MAC", DRO),
	INTD("MTU", DRO, 1500),
	INTD("VLAN", DRO, -1),
	REF("metrics", DRO, "PIF_metrics"),
	BOOL("physical", DRO),
	BOOL("currently_attached", DRO),
	EN("ip_configuration_mode", DRO, en_ip_mode, "None"),
	STR("IP", DRO),
	STR("netmask", DRO),
	STR("gateway", DRO),
	STR("DNS", DRO),
	REF("bond_slave_of", DRO, "Bond"),
	SREF("bond_master_of", DRO, "Bond"),
	REF("VLAN_master_of", DRO, "VLAN"),
	SREF("VLAN_slave_of", DRO, "VLAN"),
	BOOL("management", DRO),
	MSTR("other_config", RW),
	BOOL("disallow_unplug", RW),
	SREF("tunnel_access_PIF_of", DRO, "tunnel"),
	SREF("tunnel_transport_PIF_of", DRO, "tunnel"),
	EN("ipv6_configuration_mode", DRO, en_ipv6_mode, "None"),
	SSTR("IPv6", DRO),
	STR("ipv6_gateway", DRO),
	EN("primary_address_type", DRO, en_addr_type, "IPv4"),
	BOOLT("managed", DRO),
	MSTR("properties", DRO),
	SSTR("capabilities", DRO),
	STRD("igmp_snooping_status", DRO, "unknown"),
	SREF("sriov_physical_PIF_of", DRO, "network_sriov"),
	SREF("sriov_logical_PIF_of", DRO, "network_sriov"),
	REF("PCI", DRO, "PCI"),
};

static const struct dm_field f_task[] = {
	STR("uuid", DRO), NAME,
	OPS(en_task_ops),
	DT("created", DRO),
	DT("finished", DRO),
	EN("status", DRO, dm_en_task_status, "pending"),
	REF("resident_on", DRO, "host"),
	FLT("progress", DRO),
	STR("type", DRO),
	STR("result", DRO),
	SSTR("error_info", DRO),
	MSTR("other_config", RW),
	REFI("subtask_of", DRO, "task", "subtasks"),
	SREF("subtasks", DRO, "task"),
	STR("backtrace", DRO),
};
static const struct dm_message m_task[] = {
	MSG("create", 2, DM_MSG_NO_ASYNC, P_STR("label"), P_STR("description")),
	MSG("cancel", 1, 0, P_REF("task", "task")),
	MSG("destroy", 1, DM_MSG_NO_ASYNC, P_REF("self", "task")),
};

static const struct dm_field f_message[] = {
	STR("uuid", DRO),
	STR("name", DRO),
	INT("priority", DRO),
	EN("cls", DRO, en_msg_cls, "VM"),
	STR("obj_uuid", DRO),
	DT("timestamp", DRO),
	STR("body", DRO),
};
static const struct dm_message m_message[] = {
	MSG("create", 5, 0, P_STR("name"), P_INT("priority"), P_EN("cls", en_msg_cls),
	    P_STR("obj_uuid"), P_STR("body")),
	MSG("destroy", 1, 0, P_REF("self", "message")),
};

static const struct dm_field f_console[] = {
	STR("uuid", DRO),
	EN("protocol", DRO, en_console_proto, "vt100"),
	STR("location", DRO),
	REFI("VM", DRO, "VM", "consoles"),
	MSTR("other_config", RW),
};

static const struct dm_field f_event[] = {
	INT("id", DRO),
	STR("timestamp", DRO),
	STR("class", DRO),
	STR("operation", DRO),
	STR("ref", DRO),
	STR("obj_uuid", DRO),
};
static const struct dm_message m_event[] = {
	MSG("from", 3, DM_MSG_NO_ASYNC, P_SSTR("classes"), P_STR("token"), P_FLT("timeout")),
	MSG("inject", 2, DM_MSG_NO_ASYNC, P_STR("class"), P_STR("ref")),
	MSG("get_current_id", 0, DM_MSG_NO_ASYNC),
};

const struct dm_class dm_classes[] = {
	CLASS("session", f_session, m_session, DM_CLASS_NO_LIST),
	CLASS0("pool", f_pool, DM_CLASS_NAMED),
	CLASS("host", f_host, m_host, DM_CLASS_NAMED),
	CLASS0("host_cpu", f_host_cpu, 0),
	CLASS0("host_metrics", f_host_metrics, 0),
	CLASS("VM", f_vm, m_vm, DM_CLASS_NAMED | DM_CLASS_CREATE),
	CLASS0("VM_metrics", f_vm_metrics, 0),
	CLASS0("VM_guest_metrics", f_vm_guest_metrics, 0),
	CLASS0("VBD", f_vbd, DM_CLASS_CREATE),
	CLASS0("VDI", f_vdi, DM_CLASS_NAMED | DM_CLASS_CREATE),
	CLASS0("SR", f_sr, DM_CLASS_NAMED),
	CLASS0("PBD", f_pbd, DM_CLASS_CREATE),
	CLASS0("VIF", f_vif, DM_CLASS_CREATE),
	CLASS0("network", f_network, DM_CLASS_NAMED | DM_CLASS_CREATE),
	CLASS0("PIF", f_pif, 0),
	CLASS("task", f_task, m_task, DM_CLASS_NAMED),
	CLASS("message", f_message, m_message, 0),
	CLASS0("console", f_console, DM_CLASS_CREATE),
	CLASS("event", f_event, m_event, DM_CLASS_NO_STORE),
};
const size_t dm_nclasses = sizeof(dm_classes) / sizeof(dm_classes[0]);

const struct dm_class *dm_class_find(const char *name)
{
	for (size_t i = 0; i < dm_nclasses; i++)
		if (strcmp(dm_classes[i].name, name) == 0)
			return &dm_classes[i];
	return NULL;
}

const struct dm_class *dm_class_find_ci(const char *name)
{
	for (size_t i = 0; i < dm_nclasses; i++)
		if (strcasecmp(dm_classes[i].name, name) == 0)
			return &dm_classes[i];
	return NULL;
}

const struct dm_field *dm_field_find(const struct dm_class *c, const char *name)
{
	for (size_t i = 0; i < c->nfields; i++)
		if (strcmp(c->fields[i].name, name) == 0)
			return &c->fields[i];
	return NULL;
}

const struct dm_message *dm_message_find(const struct dm_class *c, const char *name)
{
	for (size_t i = 0; i < c->nmessages; i++)
		if (strcmp(c->messages[i].name, name) == 0)
			return &c->messages[i];
	return NULL;
}

bool dm_enum_valid(const struct dm_enum *en, const char *value)
{
	for (const char *const *v = en->values; *v; v++)
		if (strcmp(*v, value) == 0)
			return true;
	return false;
}

const char *dm_lower(const char *name, char *buf)
{
	size_t i;

	for (i = 0; name[i] && i < 63; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	buf[i] = '\0';
	return buf;
}

static int check_field(const struct dm_class *c, const struct dm_field *f, char *err,
		       size_t errlen)
{
	bool is_enum = f->kind == DM_ENUM ||
		       ((f->kind == DM_SET || f->kind == DM_MAP) && f->elem == DM_ENUM);
	const struct dm_class *t;
	const struct dm_field *inv;
	json_t *d;
	int bad;

	if (is_enum && !f->en) {
		snprintf(err, errlen, "%s.%s: enum without values", c->name, f->name);
		return -1;
	}
	if (f->def) {
		d = json_loads(f->def, JSON_DECODE_ANY, NULL);
		bad = !d || (f->kind == DM_ENUM &&
			     (!json_is_string(d) || !dm_enum_valid(f->en, json_string_value(d))));
		json_decref(d);
		if (bad) {
			snprintf(err, errlen, "%s.%s: bad default %s", c->name, f->name, f->def);
			return -1;
		}
	}
	if ((f->kind == DM_REF || f->elem == DM_REF) && !f->ref_class) {
		snprintf(err, errlen, "%s.%s: ref without class", c->name, f->name);
		return -1;
	}
	if (!f->inverse)
		return 0;
	t = dm_class_find(f->ref_class);
	inv = t ? dm_field_find(t, f->inverse) : NULL;
	if (!inv || inv->kind != DM_SET || inv->elem != DM_REF || strcmp(inv->ref_class, c->name) != 0) {
		snprintf(err, errlen, "%s.%s: inverse %s.%s is not a set of %s refs", c->name,
			 f->name, f->ref_class, f->inverse, c->name);
		return -1;
	}
	return 0;
}

int dm_check(char *err, size_t errlen)
{
	for (size_t i = 0; i < dm_nclasses; i++) {
		const struct dm_class *c = &dm_classes[i];

		if (!(c->flags & DM_CLASS_NO_STORE) &&
		    (!dm_field_find(c, "uuid") || c->fields[0].kind != DM_STRING)) {
			snprintf(err, errlen, "%s: no uuid field first", c->name);
			return -1;
		}
		if ((c->flags & DM_CLASS_NAMED) && !dm_field_find(c, "name_label")) {
			snprintf(err, errlen, "%s: named class without name_label", c->name);
			return -1;
		}
		for (size_t j = 0; j < c->nfields; j++) {
			if (check_field(c, &c->fields[j], err, errlen))
				return -1;
			for (size_t k = 0; k < j; k++)
				if (strcmp(c->fields[j].name, c->fields[k].name) == 0) {
					snprintf(err, errlen, "%s.%s: duplicate", c->name, c->fields[j].name);
					return -1;
				}
		}
	}
	return 0;
}

json_t *dm_default(const struct dm_field *f)
{
	if (f->def)
		return json_loads(f->def, JSON_DECODE_ANY, NULL);
	switch (f->kind) {
	case DM_INT: return json_integer(0);
	case DM_FLOAT: return json_real(0.0);
	case DM_BOOL: return json_false();
	case DM_DATETIME: return json_pack("{ss}", "\x01" "datetime", "19700101T00:00:00Z");
	case DM_REF: return json_string("OpaqueRef:NULL");
	case DM_SET: return json_array();
	case DM_MAP: return json_object();
	case DM_STRING:
	case DM_ENUM:
	default: return json_string("");
	}
}
