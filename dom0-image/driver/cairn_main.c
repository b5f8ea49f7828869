// SPDX-License-Identifier: GPL-2.0-only
/*
 * cairn_main.c — dom0's /dev/cairn driver: hypercalls on behalf of root.
 *
 * Design: the module loads only under the Cairn hypervisor (CPUID leaf
 * 0x40000000 carries its signature) and registers the misc device /dev/cairn,
 * mode 0600; open and ioctl also require CAP_SYS_ADMIN. CAIRN_IOCTL_HYPERCALL
 * copies the request in, checks magic and version, then checks the arguments
 * against a table of the operations the driver knows: a pointer argument must
 * be a user address (access_ok), so no process can make the hypervisor read or
 * write kernel memory on its behalf, and its pages are pinned for the length
 * of the call so that they are present when the hypervisor walks the page
 * tables. A pointer whose pages cannot be pinned (unmapped) is still passed on:
 * the hypervisor is the authority and answers -EFAULT. Operations the driver
 * does not know are forwarded so the hypervisor answers for itself (-ENOSYS),
 * but none of their arguments may be a kernel address. The hypercall runs in
 * the calling process's context (its page tables), and its RAX comes back in
 * `result`; the ioctl itself fails only when the call was not made.
 *
 * Locking: none needed. Every call works on its own copy of the request and
 * its own pinned pages; the hypervisor serialises whatever it shares.
 */
#define pr_fmt(fmt) "cairn: " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <asm/processor.h>

#include "cairn.h"
#include "dom0_ioctl.h"
#include "hypercall.h"

/* How to check and pin the pointer argument of one known operation. */
struct cairn_op_desc {
	const char *name;
	int ptr_arg;       /* index of the pointer argument, or -1 */
	int len_arg;       /* index of its length argument, or -1 for fixed_len */
	size_t fixed_len;
	size_t max_len;    /* at most this much is pinned; the hypervisor checks the rest */
	bool out;          /* the hypervisor writes through the pointer */
};

static const struct cairn_op_desc cairn_ops[] = {
	[CAIRN_HC_VERSION] = { "version", -1, -1, 0, 0, false },
	[CAIRN_HC_CONSOLE_WRITE] = { "console_write", 0, 1, 0, CAIRN_CONSOLE_WRITE_MAX, false },
	[CAIRN_HC_HOST_INFO] = { "host_info", 0, -1, sizeof(struct cairn_host_info),
				 sizeof(struct cairn_host_info), true },
};

/* Pages pinned for one call: max_len <= 4096 spans at most two pages. */
#define CAIRN_PIN_MAX 2

struct cairn_pin {
	struct page *pages[CAIRN_PIN_MAX];
	int nr;
};

static const struct cairn_op_desc *cairn_op_find(u64 op)
{
	if (op >= ARRAY_SIZE(cairn_ops) || !cairn_ops[op].name)
		return NULL;
	return &cairn_ops[op];
}

/* Unknown operations: refuse any argument that is a kernel address. */
static int cairn_check_unknown(const struct cairn_ioctl_hypercall *hc)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(hc->arg); i++)
		if (hc->arg[i] >= TASK_SIZE_MAX) {
			pr_info_ratelimited("%s: op %llu arg %d is a kernel address, refused\n",
					    __func__, hc->op, i);
			return -EFAULT;
		}
	return 0;
}

/*
 * Checks the pointer argument of a known operation and pins what it can of
 * it. Returns 0 (pin->nr pages pinned, possibly fewer than the range needs) or
 * -EFAULT for a range outside user space.
 */
static int cairn_pin_args(const struct cairn_op_desc *d,
			  const struct cairn_ioctl_hypercall *hc, struct cairn_pin *pin)
{
	unsigned long addr, len, first, last;
	int nr;

	pin->nr = 0;
	if (d->ptr_arg < 0)
		return 0;
	addr = hc->arg[d->ptr_arg];
	len = d->len_arg < 0 ? d->fixed_len : hc->arg[d->len_arg];
	if (!len)
		return 0;
	if (!access_ok((void __user *)addr, len)) {
		pr_info_ratelimited("%s: %s: %#lx+%lu is not a user range, refused\n",
				    __func__, d->name, addr, len);
		return -EFAULT;
	}
	len = min_t(unsigned long, len, d->max_len);
	first = addr >> PAGE_SHIFT;
	last = (addr + len - 1) >> PAGE_SHIFT;
	BUILD_BUG_ON(CAIRN_CONSOLE_WRITE_MAX > PAGE_SIZE);
	BUILD_BUG_ON(sizeof(struct cairn_host_info) > PAGE_SIZE);
	nr = pin_user_pages_fast(addr & PAGE_MASK, (int)(last - first + 1),
				 d->out ? FOLL_WRITE : 0, pin->pages);
	pin->nr = nr > 0 ? nr : 0;
	return 0;
}

static void cairn_unpin(struct cairn_pin *pin, bool dirty)
{
	if (pin->nr)
		unpin_user_pages_dirty_lock(pin->pages, pin->nr, dirty);
	pin->nr = 0;
}

static int cairn_do_hypercall(struct cairn_ioctl_hypercall *hc)
{
	const struct cairn_op_desc *d = cairn_op_find(hc->op);
	struct cairn_pin pin = { .nr = 0 };
	int rc;

	rc = d ? cairn_pin_args(d, hc, &pin) : cairn_check_unknown(hc);
	if (rc)
		return rc;
	hc->result = cairn_hc_call(hc->op, hc->arg[0], hc->arg[1], hc->arg[2],
				   hc->arg[3], hc->arg[4]);
	cairn_unpin(&pin, d && d->out);
	return 0;
}

static long cairn_ioctl_hypercall(void __user *uarg)
{
	struct cairn_ioctl_hypercall hc;
	int rc;

	if (copy_from_user(&hc, uarg, sizeof(hc)))
		return -EFAULT;
	if (hc.magic != CAIRN_IOCTL_MAGIC || hc.version != CAIRN_IOCTL_VERSION) {
		pr_info_ratelimited("%s: bad magic %#x or version %u\n", __func__,
				    hc.magic, hc.version);
		return -EINVAL;
	}
	rc = cairn_do_hypercall(&hc);
	if (rc)
		return rc;
	if (copy_to_user(uarg, &hc, sizeof(hc)))
		return -EFAULT;
	return 0;
}

static long cairn_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	switch (cmd) {
	case CAIRN_IOCTL_HYPERCALL:
		return cairn_ioctl_hypercall((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static int cairn_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

static const struct file_operations cairn_fops = {
	.owner = THIS_MODULE,
	.open = cairn_open,
	.unlocked_ioctl = cairn_ioctl,
	.compat_ioctl = compat_ptr_ioctl, /* the request has the same layout for 32-bit callers */
	.llseek = noop_llseek,
};

static struct miscdevice cairn_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "cairn",
	.fops = &cairn_fops,
	.mode = 0600,
};

/* Whether CPUID leaf 0x40000000 carries Cairn's signature. */
static bool cairn_detect(char sig[13])
{
	u32 eax, regs[3];

	cpuid(CAIRN_CPUID_BASE, &eax, &regs[0], &regs[1], &regs[2]);
	memcpy(sig, regs, 12);
	sig[12] = '\0';
	return memcmp(sig, CAIRN_CPUID_SIGNATURE, 12) == 0;
}

static int __init cairn_init(void)
{
	char sig[13];
	u64 version;
	int rc;

	if (!cairn_detect(sig)) {
		pr_err("%s: no Cairn hypervisor (CPUID %#x signature \"%*pE\"), not loading\n",
		       __func__, CAIRN_CPUID_BASE, 12, sig);
		return -ENODEV;
	}
	rc = cairn_hc_init();
	if (rc) {
		pr_err("%s: unknown CPU vendor %u, no hypercall instruction\n", __func__,
		       boot_cpu_data.x86_vendor);
		return rc;
	}
	version = cairn_hc_call(CAIRN_HC_VERSION, 0, 0, 0, 0, 0);
	if ((s64)version < 0) {
		pr_err("%s: version hypercall failed: %lld\n", __func__, (s64)version);
		return -EIO;
	}
	rc = misc_register(&cairn_misc);
	if (rc) {
		pr_err("%s: misc_register failed: %d\n", __func__, rc);
		return rc;
	}
	pr_info("%s: Cairn hypervisor %llu.%llu (ABI %u, %s), /dev/cairn ready\n", __func__,
		version >> 16, version & 0xffff, CAIRN_ABI_VERSION, cairn_hc_insn_name());
	return 0;
}

static void __exit cairn_exit(void)
{
	misc_deregister(&cairn_misc);
	pr_info("%s: /dev/cairn removed\n", __func__);
}

module_init(cairn_init);
module_exit(cairn_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Cairn hypervisor interface for dom0 (/dev/cairn)");
