/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hv_create.c — `hv create`: build a domU from a Linux bzImage and start it.
 *
 * Design: three stages, each finished before the next begins. (1) Arguments:
 * options are rows of a table (name, whether a value is required, where it
 * goes); every value is checked, and the whole configuration against the ABI's
 * limits, before any file is opened. (2) Build: the kernel and initrd are read
 * and laid out by the builder (builder.h); a kernel the builder refuses is a
 * usage error too. (3) Hypervisor: CREATE, POPULATE each RAM range, LOAD each
 * region, VCPU_SET_STATE for vCPU 0, UNPAUSE; a failure after CREATE destroys
 * the half-built domain (goto ladder).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builder.h"
#include "hv_cmd.h"

#define FILE_MAX (1ull << 30) /* kernel or initrd: 1 GiB at most */

struct create_args {
	const char *kernel, *initrd, *cmdline, *name;
	const char *memory, *vcpus, *weight, *cap;
	int dry_run, help;
};

struct create_opt {
	const char *name;
	size_t field;       /* offsetof(struct create_args, ...) of a const char * */
	int is_flag;        /* no value; sets the int at `field` */
};

static const struct create_opt create_opts[] = {
	{ "--kernel", offsetof(struct create_args, kernel), 0 },
	{ "--initrd", offsetof(struct create_args, initrd), 0 },
	{ "--cmdline", offsetof(struct create_args, cmdline), 0 },
	{ "--memory", offsetof(struct create_args, memory), 0 },
	{ "--vcpus", offsetof(struct create_args, vcpus), 0 },
	{ "--weight", offsetof(struct create_args, weight), 0 },
	{ "--cap", offsetof(struct create_args, cap), 0 },
	{ "--name", offsetof(struct create_args, name), 0 },
	{ "--dry-run", offsetof(struct create_args, dry_run), 1 },
	{ "--help", offsetof(struct create_args, help), 1 },
};

#define NR_CREATE_OPTS (sizeof(create_opts) / sizeof(create_opts[0]))

static void create_usage(FILE *f)
{
	fprintf(f,
		"usage: hv create --kernel BZIMAGE --memory MIB --vcpus N [--initrd FILE]\n"
		"                 [--cmdline \"ARGS\"] [--weight 1..65535] [--cap PERCENT]\n"
		"                 [--name NAME] [--dry-run]\n"
		"  --memory   %u..%u MiB    --vcpus  1..%u\n"
		"  --weight   CPU share relative to other domains (default %u)\n"
		"  --cap      at most this percent of one CPU (0 = no cap, up to 100 x vcpus)\n"
		"  --dry-run  check everything and print the layout, but create nothing\n",
		CAIRN_DOMCTL_MIN_MEMORY_MB, CAIRN_DOMCTL_MAX_MEMORY_MB, CAIRN_DOMCTL_MAX_VCPUS,
		CAIRN_DOMCTL_WEIGHT_DEFAULT);
}

static const struct create_opt *find_opt(const char *arg)
{
	size_t i;

	for (i = 0; i < NR_CREATE_OPTS; i++)
		if (strcmp(arg, create_opts[i].name) == 0)
			return &create_opts[i];
	return NULL;
}

/* Accepts "--opt value" and "--opt=value". 0 or -1 after a message. */
static int parse_create_args(int argc, char **argv, struct create_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		char name[32];
		const char *eq = strchr(argv[i], '='), *val;
		size_t n = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		const struct create_opt *o;

		if (n >= sizeof(name)) {
			fprintf(stderr, "hv: create: unknown option '%s'\n", argv[i]);
			return -1;
		}
		memcpy(name, argv[i], n);
		name[n] = '\0';
		o = find_opt(name);
		if (!o) {
			fprintf(stderr, "hv: create: unknown option '%s'\n", argv[i]);
			return -1;
		}
		if (o->is_flag) {
			if (eq) {
				fprintf(stderr, "hv: create: %s takes no value\n", name);
				return -1;
			}
			*(int *)((char *)a + o->field) = 1;
			continue;
		}
		val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
		if (!val) {
			fprintf(stderr, "hv: create: %s needs a value\n", name);
			return -1;
		}
		if (*(const char **)((char *)a + o->field)) {
			fprintf(stderr, "hv: create: %s given twice\n", name);
			return -1;
		}
		*(const char **)((char *)a + o->field) = val;
	}
	return 0;
}

static int check_required(const struct create_args *a)
{
	if (!a->kernel || !a->memory || !a->vcpus) {
		fprintf(stderr, "hv: create: --kernel, --memory and --vcpus are required\n");
		return -1;
	}
	return 0;
}

/* Turns the argument strings into a config and checks it against the ABI. */
static int make_config(const struct create_args *a, struct hv_domain_config *cfg)
{
	const char *why;

	memset(cfg, 0, sizeof(*cfg));
	if (check_required(a) ||
	    hv_cli_uint("create: --memory", a->memory, CAIRN_DOMCTL_MIN_MEMORY_MB,
			CAIRN_DOMCTL_MAX_MEMORY_MB, &cfg->memory_mb) ||
	    hv_cli_uint("create: --vcpus", a->vcpus, 1, CAIRN_DOMCTL_MAX_VCPUS, &cfg->nr_vcpus))
		return -1;
	if (a->weight && hv_cli_uint("create: --weight", a->weight, 1, CAIRN_DOMCTL_WEIGHT_MAX,
				     &cfg->weight))
		return -1;
	if (a->cap && hv_cli_uint("create: --cap", a->cap, 0, 100 * cfg->nr_vcpus, &cfg->cap))
		return -1;
	cfg->name = a->name;
	why = hv_domain_config_error(cfg);
	if (why) {
		fprintf(stderr, "hv: create: %s\n", why);
		return -1;
	}
	return 0;
}

/* Reads a whole regular file of at most FILE_MAX bytes. */
static uint8_t *read_file(const char *opt, const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "hv: create: %s %s: %s\n", opt, path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !st.st_size ||
	    (unsigned long long)st.st_size > FILE_MAX) {
		fprintf(stderr, "hv: create: %s %s: not a regular file of 1 byte..1 GiB\n",
			opt, path);
		goto out;
	}
	buf = malloc((size_t)st.st_size);
	while (buf && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0) {
			fprintf(stderr, "hv: create: %s %s: short read\n", opt, path);
			free(buf);
			buf = NULL;
			goto out;
		}
		got += (size_t)n;
	}
	*len = got;
out:
	close(fd);
	return buf;
}

static void print_layout(const struct hvb_image *img)
{
	unsigned i;

	for (i = 0; i < img->nr_ram; i++)
		printf("%-12s 0x%012llx-0x%012llx\n", "ram", (unsigned long long)img->ram[i].gpa,
		       (unsigned long long)(img->ram[i].gpa + img->ram[i].size));
	for (i = 0; i < img->nr_regions; i++)
		printf("%-12s 0x%012llx %zu bytes\n", img->regions[i].what,
		       (unsigned long long)img->regions[i].gpa, img->regions[i].size);
	printf("%-12s 0x%012llx\n", "entry", (unsigned long long)img->regs.rip);
}

/* Everything after CREATE; on failure the caller destroys the domain. */
static int load_domain(hv_handle *h, uint32_t domid, const struct hvb_image *img)
{
	unsigned i;
	int rc;

	for (i = 0; i < img->nr_ram; i++) {
		rc = hv_domain_populate(h, domid, img->ram[i].gpa, img->ram[i].size);
		if (rc)
			return hv_cli_fail("create: populate", rc);
	}
	for (i = 0; i < img->nr_regions; i++) {
		rc = hv_domain_load(h, domid, img->regions[i].gpa, img->regions[i].data,
				    img->regions[i].size);
		if (rc)
			return hv_cli_fail(img->regions[i].what, rc);
	}
	rc = hv_vcpu_set_state(h, domid, 0, &img->regs);
	if (rc)
		return hv_cli_fail("create: vcpu 0 state", rc);
	rc = hv_domain_unpause(h, domid);
	if (rc)
		return hv_cli_fail("create: unpause", rc);
	return 0;
}

static int create_in_hypervisor(const struct hv_domain_config *cfg, const struct hvb_image *img)
{
	uint32_t domid;
	hv_handle *h;
	int rc;

	h = hv_cli_open();
	if (!h)
		return HV_EXIT_FAILED;
	rc = hv_domain_create(h, cfg, &domid);
	if (rc) {
		rc = hv_cli_fail("create", rc);
		goto out_close;
	}
	rc = load_domain(h, domid, img);
	if (rc)
		goto out_destroy;
	printf("%u\n", domid);
	goto out_close;

out_destroy:
	if (hv_domain_destroy(h, domid))
		fprintf(stderr, "hv: create: could not destroy the half-built domain %u\n", domid);
out_close:
	hv_close(h);
	return rc;
}

int cmd_create(int argc, char **argv)
{
	static struct hvb_image img;
	struct hvb_input in = { 0 };
	struct hv_domain_config cfg;
	struct create_args a;
	uint8_t *kernel = NULL, *initrd = NULL;
	char err[256] = "";
	int rc = HV_EXIT_USAGE;

	if (parse_create_args(argc, argv, &a)) {
		create_usage(stderr);
		return HV_EXIT_USAGE;
	}
	if (!a.help && make_config(&a, &cfg)) {
		fprintf(stderr, "hv: create: see 'hv create --help'\n");
		return HV_EXIT_USAGE;
	}
	if (a.help) {
		create_usage(stdout);
		return HV_EXIT_OK;
	}
	kernel = read_file("--kernel", a.kernel, &in.kernel_len);
	if (!kernel)
		goto out;
	if (a.initrd && !(initrd = read_file("--initrd", a.initrd, &in.initrd_len)))
		goto out;
	in.kernel = kernel;
	in.initrd = initrd;
	in.cmdline = a.cmdline ? a.cmdline : "console=ttyS0";
	in.memory_mb = cfg.memory_mb;
	in.nr_vcpus = cfg.nr_vcpus;
	if (hvb_build(&in, &img, err, sizeof(err))) {
		fprintf(stderr, "hv: create: %s\n", err);
		goto out;
	}
	if (a.dry_run) {
		print_layout(&img);
		rc = HV_EXIT_OK;
		goto out;
	}
	rc = create_in_hypervisor(&cfg, &img);
out:
	free(initrd);
	free(kernel);
	return rc;
}
