/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hcprobe — issues deliberately bad hypercalls for the system tests.
 *
 * Design: each probe is a row of a table (name, function); `hcprobe NAME...`
 * runs the named probes, `hcprobe all` runs every one. Each prints one line
 *   <name>: ioctl=<0 or -errno> result=<hypervisor's RAX as a signed number>
 * (result is "-" when the ioctl failed, so no call was made), or for cpl3
 *   cpl3: result=<RAX> | cpl3: signal=<SIGILL|SIGSEGV>
 * and the tests judge the numbers. `nonroot` drops root first and prints
 *   nonroot: open=<0 or -errno>
 * An unknown probe name exits 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dom0_ioctl.h"
#include "libhv.h"

struct probe {
	const char *name;
	void (*run)(hv_handle *h);
};

static void report(const char *name, int rc, int64_t result)
{
	if (rc)
		printf("%s: ioctl=%d result=-\n", name, rc);
	else
		printf("%s: ioctl=0 result=%lld\n", name, (long long)result);
	fflush(stdout);
}

static void call(hv_handle *h, const char *name, uint64_t op, uint64_t a0, uint64_t a1)
{
	uint64_t args[5] = {a0, a1, 0, 0, 0};
	int64_t result = 0;
	int rc = hv_hypercall_raw(h, op, args, &result);

	report(name, rc, result);
}

/* A page-aligned address with nothing mapped behind it. */
static uint64_t unmapped_address(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 0x1000;
	munmap(p, 4096);
	return (uintptr_t)p;
}

static void probe_version(hv_handle *h)
{
	call(h, "version", CAIRN_HC_VERSION, 0, 0);
}

static void probe_badop(hv_handle *h)
{
	call(h, "badop", 0x7777, 0, 0);
}

static void probe_maxop(hv_handle *h)
{
	call(h, "maxop", CAIRN_HC_MAX, 0, 0);
}

/* host_info into an unmapped user page: the hypervisor must answer -EFAULT. */
static void probe_badptr(hv_handle *h)
{
	call(h, "badptr", CAIRN_HC_HOST_INFO, unmapped_address(), 0);
}

/* console_write from an unmapped user page. */
static void probe_badbuf(hv_handle *h)
{
	call(h, "badbuf", CAIRN_HC_CONSOLE_WRITE, unmapped_address(), 16);
}

/* host_info into the kernel's direct map: the driver refuses it. */
static void probe_kernptr(hv_handle *h)
{
	call(h, "kernptr", CAIRN_HC_HOST_INFO, 0xffff888000100000ull, 0);
}

/* host_info into a non-canonical address. */
static void probe_noncanon(hv_handle *h)
{
	call(h, "noncanon", CAIRN_HC_HOST_INFO, 0x0000900000000000ull, 0);
}

/* console_write of one byte more than allowed, from a valid buffer. */
static void probe_biglen(hv_handle *h)
{
	static char buf[2 * CAIRN_CONSOLE_WRITE_MAX];

	memset(buf, 'x', sizeof(buf));
	mlock(buf, sizeof(buf));
	call(h, "biglen", CAIRN_HC_CONSOLE_WRITE, (uintptr_t)buf, CAIRN_CONSOLE_WRITE_MAX + 1);
}

/* host_info with a wrong magic in the structure. */
static void probe_badinfo(hv_handle *h)
{
	static struct cairn_host_info info;

	memset(&info, 0, sizeof(info));
	info.magic = 0xdeadbeef;
	info.version = CAIRN_HOST_INFO_VERSION;
	info.size = sizeof(info);
	mlock(&info, sizeof(info));
	call(h, "badinfo", CAIRN_HC_HOST_INFO, (uintptr_t)&info, 0);
}

/* An ioctl request with a wrong magic: the driver refuses it (-EINVAL). */
static void probe_badmagic(hv_handle *h)
{
	const char *dev = HV_DEVICE;
	struct cairn_ioctl_hypercall hc;
	int fd, rc;

	memset(&hc, 0, sizeof(hc));
	hc.magic = 0x12345678;
	hc.version = CAIRN_IOCTL_VERSION;
	fd = open(dev, 0);
	rc = fd < 0 ? -errno : (ioctl(fd, CAIRN_IOCTL_HYPERCALL, &hc) ? -errno : 0);
	if (fd >= 0)
		close(fd);
	report("badmagic", rc, (int64_t)hc.result);
}

/* A console write through libhv; the tests look for the text on COM1. */
static void probe_console(hv_handle *h)
{
	static const char msg[] = "hcprobe: hello from dom0 user space via hypercall\n";

	report("console", 0, hv_console_write(h, msg, sizeof(msg) - 1));
}

/*
 * Opens /dev/cairn after dropping to uid/gid 65534: refused by the node's mode
 * (-EACCES), or by the driver's CAP_SYS_ADMIN check (-EPERM) when the mode lets
 * everyone in. Irreversible, so it runs last (and `all` leaves it out).
 */
static void probe_nonroot(hv_handle *h)
{
	int fd;

	if (setgid(65534) != 0 || setuid(65534) != 0) {
		printf("nonroot: setuid failed: %s\n", strerror(errno));
		return;
	}
	fd = open(HV_DEVICE, O_RDWR);
	printf("nonroot: open=%d\n", fd < 0 ? -errno : 0);
	fflush(stdout);
	if (fd >= 0)
		close(fd);
}

static sigjmp_buf cpl3_jmp;

static void cpl3_signal(int sig)
{
	siglongjmp(cpl3_jmp, sig);
}

/* True on Intel (VMCALL); AMD and everything else get VMMCALL. */
static int cpu_is_intel(void)
{
	unsigned int a = 0, b, c, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	return b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e; /* GenuineIntel */
}

/* The hypercall instruction straight from user mode: must be refused. */
static void probe_cpl3(hv_handle *h)
{
	volatile uint64_t rax = CAIRN_HC_VERSION;
	int sig;

	signal(SIGILL, cpl3_signal);
	signal(SIGSEGV, cpl3_signal);
	sig = sigsetjmp(cpl3_jmp, 1);
	if (sig) {
		printf("cpl3: signal=%s\n", sig == SIGILL ? "SIGILL" : "SIGSEGV");
		fflush(stdout);
		return;
	}
	if (cpu_is_intel()) {
		uint64_t v = rax;

		__asm__ volatile("vmcall" : "+a"(v) : : "memory");
		rax = v;
	} else {
		uint64_t v = rax;

		__asm__ volatile("vmmcall" : "+a"(v) : : "memory");
		rax = v;
	}
	printf("cpl3: result=%lld\n", (long long)(int64_t)rax);
	fflush(stdout);
}

static const struct probe probes[] = {
	{ "version", probe_version },   { "badop", probe_badop },
	{ "maxop", probe_maxop },       { "badptr", probe_badptr },
	{ "badbuf", probe_badbuf },     { "kernptr", probe_kernptr },
	{ "noncanon", probe_noncanon }, { "biglen", probe_biglen },
	{ "badinfo", probe_badinfo },   { "badmagic", probe_badmagic },
	{ "console", probe_console },   { "cpl3", probe_cpl3 },
	{ "nonroot", probe_nonroot },   /* keep last: `all` stops before it */
};

#define NR_PROBES (sizeof(probes) / sizeof(probes[0]))

static const struct probe *find_probe(const char *name)
{
	size_t i;

	for (i = 0; i < NR_PROBES; i++)
		if (strcmp(probes[i].name, name) == 0)
			return &probes[i];
	return NULL;
}

static void usage(void)
{
	size_t i;

	fprintf(stderr, "usage: hcprobe all | PROBE...\nprobes:");
	for (i = 0; i < NR_PROBES; i++)
		fprintf(stderr, " %s", probes[i].name);
	fprintf(stderr, "\n");
}

int main(int argc, char **argv)
{
	hv_handle *h = NULL;
	int i;

	if (argc < 2) {
		usage();
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "all") != 0 && !find_probe(argv[i])) {
			fprintf(stderr, "hcprobe: unknown probe '%s'\n", argv[i]);
			usage();
			return 2;
		}
	/* cpl3 and nonroot alone need no handle; everything else does. */
	if (!(argc == 2 && (strcmp(argv[1], "cpl3") == 0 || strcmp(argv[1], "nonroot") == 0))) {
		h = hv_open();
		if (!h) {
			fprintf(stderr, "hcprobe: cannot open %s: %s\n", HV_DEVICE, strerror(errno));
			return 1;
		}
	}
	for (i = 1; i < argc; i++) {
		size_t j;

		if (strcmp(argv[i], "all") != 0) {
			find_probe(argv[i])->run(h);
			continue;
		}
		for (j = 0; j + 1 < NR_PROBES; j++)
			probes[j].run(h);
	}
	hv_close(h);
	return 0;
}
