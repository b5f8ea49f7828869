/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * install.c — writes a validated configuration to disk.
 *
 * Design: inst_run() is a list of steps run in order; each step is a short
 * function that runs tools (sgdisk, mkfs.*, tar, zstd, grub-install) with an
 * argument vector — never through a shell — and logs what it does. The first
 * failing step stops the install and names itself. Callers must have run
 * inst_check() and inst_check_host() first: nothing here re-validates.
 *
 * Disk layout (GPT), the same for fresh installs and upgrades:
 *   1 BIOS boot  1 MiB     GRUB's core.img for BIOS firmware
 *   2 ESP        256 MiB   FAT32: EFI/BOOT/BOOTX64.EFI, grub/ (both platforms), grub.cfg
 *   3 root       4 GiB     ext4 "cairn-root": the dom0 image
 *   4 backup     4 GiB     ext4 "cairn-backup": the previous root after an upgrade
 *   5 logs       1 GiB     ext4 "cairn-logs", mounted at /var/log
 *   6 local SR   rest      left for first boot (LVM thin pool), see firstboot
 *
 * Upgrade: root is copied to the backup partition (e2image), the backup gets
 * a new UUID and label, root is re-made from the new image, and /var/lib/cairn,
 * the SSH host keys and root's password hash are carried over from the old
 * root. The logs and SR partitions are not touched. GRUB gets an entry for the
 * backup root, so the previous installation stays bootable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <crypt.h>

#include "inst.h"

#define TARGET "/target"
#define ESP TARGET "/boot/efi"
#define OLDROOT "/run/cairn-oldroot"

struct inst_ctx {
	const struct inst_config *cfg;
	const struct inst_paths *paths;
	char dev[48];			/* /dev/vda */
	char part[7][56];		/* [1..6] partition devices */
	char root_uuid[40], backup_uuid[40], esp_uuid[40], logs_uuid[40];
	char old_hash[256];		/* upgrade: root's hash from the old root */
	int have_backup;
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("cairn-install: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	va_end(ap);
}

/* Runs ARGV (NULL-terminated), stdout to OUT_FD if >= 0; returns its exit code. */
static int run_fd(const char *const argv[], int in_fd, int out_fd)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (in_fd >= 0)
			dup2(in_fd, 0);
		if (out_fd >= 0)
			dup2(out_fd, 1);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "cairn-install: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#define RUN(...) run_argv((const char *const[]){ __VA_ARGS__, NULL })

static int run_argv(const char *const argv[])
{
	int rc = run_fd(argv, -1, -1);

	if (rc != 0)
		say("ERROR: %s failed (exit %d)", argv[0], rc);
	return rc == 0 ? 0 : -1;
}

/* Captures the first line of ARGV's output into OUT. */
static int capture(const char *const argv[], char *out, size_t size)
{
	int pfd[2], rc;
	ssize_t n;

	if (pipe(pfd) < 0)
		return -1;
	rc = run_fd(argv, -1, pfd[1]);
	close(pfd[1]);
	n = read(pfd[0], out, size - 1);
	close(pfd[0]);
	if (rc != 0 || n <= 0)
		return -1;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

static int write_file(const char *path, mode_t mode, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int write_file(const char *path, mode_t mode, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	FILE *f;
	int bad;

	snprintf(tmp, sizeof(tmp), "%s.cairn-tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		say("ERROR: cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	bad = fchmod(fileno(f), mode) < 0;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path) < 0) {
		say("ERROR: cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void wait_for_node(const char *dev)
{
	struct stat st;

	for (int i = 0; i < 100 && stat(dev, &st) < 0; i++)
		usleep(100000);
}

static int fs_uuid(const char *dev, char *uuid, size_t size)
{
	return capture((const char *const[]){ "blkid", "-s", "UUID", "-o", "value", dev, NULL },
		       uuid, size);
}

/* -- steps -------------------------------------------------------------------- */

static int step_names(struct inst_ctx *c)
{
	size_t n = strlen(c->cfg->disk);
	int digit = n && c->cfg->disk[n - 1] >= '0' && c->cfg->disk[n - 1] <= '9';

	snprintf(c->dev, sizeof(c->dev), "/dev/%s", c->cfg->disk);
	for (int i = 1; i <= 6; i++)
		snprintf(c->part[i], sizeof(c->part[i]), "%s%s%d", c->dev, digit ? "p" : "", i);
	return 0;
}

static int step_partition(struct inst_ctx *c)
{
	say("partitioning %s (GPT: bios-boot, esp, root, backup, logs, local-sr)", c->dev);
	if (RUN("sgdisk", "--zap-all", c->dev) < 0)
		return -1;
	if (RUN("sgdisk", "-n1:1M:+1M", "-t1:EF02", "-c1:bios-boot",
		"-n2:0:+256M", "-t2:EF00", "-c2:cairn-esp",
		"-n3:0:+4G", "-t3:8300", "-c3:cairn-root",
		"-n4:0:+4G", "-t4:8300", "-c4:cairn-backup",
		"-n5:0:+1G", "-t5:8300", "-c5:cairn-logs",
		"-n6:0:0", "-t6:8E00", "-c6:cairn-sr", c->dev) < 0)
		return -1;
	for (int i = 1; i <= 6; i++)
		wait_for_node(c->part[i]);
	return 0;
}

static int step_mkfs(struct inst_ctx *c)
{
	say("making file systems");
	if (RUN("mkfs.vfat", "-F", "32", "-n", "CAIRN-ESP", c->part[2]) < 0 ||
	    RUN("mkfs.ext4", "-q", "-F", "-L", "cairn-root", c->part[3]) < 0 ||
	    RUN("mkfs.ext4", "-q", "-F", "-L", "cairn-logs", c->part[5]) < 0)
		return -1;
	return 0;
}

static int step_mount(struct inst_ctx *c)
{
	mkdir(TARGET, 0755);
	if (mount(c->part[3], TARGET, "ext4", 0, NULL) < 0) {
		say("ERROR: mount %s: %s", c->part[3], strerror(errno));
		return -1;
	}
	mkdir(TARGET "/var", 0755);
	mkdir(TARGET "/var/log", 0755);
	if (mount(c->part[5], TARGET "/var/log", "ext4", 0, NULL) < 0) {
		say("ERROR: mount %s: %s", c->part[5], strerror(errno));
		return -1;
	}
	return 0;
}

static int step_unpack(struct inst_ctx *c)
{
	int fd = open(c->paths->image, O_RDONLY | O_CLOEXEC), pfd[2], rc;
	const char *const tar[] = { "tar", "-C", TARGET, "-x", "--numeric-owner", "--xattrs",
			      "--xattrs-include=*", "-p", "-f", "-", NULL };
	pid_t pid;

	say("unpacking the dom0 image %s", c->paths->image);
	if (fd < 0 || pipe(pfd) < 0) {
		say("ERROR: cannot open %s: %s", c->paths->image, strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		dup2(fd, 0);
		dup2(pfd[1], 1);
		close(pfd[0]);
		execlp("zstd", "zstd", "-dc", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	close(fd);
	rc = run_fd(tar, pfd[0], -1);
	close(pfd[0]);
	if (pid < 0 || waitpid(pid, &fd, 0) < 0 || !WIFEXITED(fd) || WEXITSTATUS(fd) || rc) {
		say("ERROR: unpacking the image failed (tar exit %d)", rc);
		return -1;
	}
	return 0;
}

static int step_esp(struct inst_ctx *c)
{
	mkdir(TARGET "/boot", 0755);
	mkdir(ESP, 0700);
	if (mount(c->part[2], ESP, "vfat", 0, "umask=0077") < 0) {
		say("ERROR: mount %s: %s", c->part[2], strerror(errno));
		return -1;
	}
	if (fs_uuid(c->part[3], c->root_uuid, sizeof(c->root_uuid)) < 0 ||
	    fs_uuid(c->part[2], c->esp_uuid, sizeof(c->esp_uuid)) < 0 ||
	    fs_uuid(c->part[5], c->logs_uuid, sizeof(c->logs_uuid)) < 0) {
		say("ERROR: cannot read file system UUIDs");
		return -1;
	}
	return 0;
}

static int hash_password(const struct inst_ctx *c, char *out, size_t size)
{
	const char *salt, *h;

	if (c->cfg->pw_is_hash || (c->cfg->mode == INST_UPGRADE && !c->cfg->root_pw[0])) {
		snprintf(out, size, "%s", c->cfg->pw_is_hash ? c->cfg->root_pw : c->old_hash);
		return out[0] ? 0 : -1;
	}
	salt = crypt_gensalt("$6$", 0, NULL, 0);
	h = salt ? crypt(c->cfg->root_pw, salt) : NULL;
	if (!h || h[0] == '*') {
		say("ERROR: cannot hash the root password");
		return -1;
	}
	snprintf(out, size, "%s", h);
	return 0;
}

/* Rewrites root's line in /etc/shadow with HASH; other lines stay as they are. */
static int set_root_hash(const char *hash)
{
	char line[1024], body[65536];
	size_t used = 0;
	FILE *f = fopen(TARGET "/etc/shadow", "r");

	if (!f) {
		say("ERROR: cannot read /etc/shadow: %s", strerror(errno));
		return -1;
	}
	body[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		int n = strncmp(line, "root:", 5) == 0
			? snprintf(body + used, sizeof(body) - used, "root:%s:%ld:0:99999:7:::\n", hash,
				   (long)(time(NULL) / 86400))
			: snprintf(body + used, sizeof(body) - used, "%s", line);
		if (n < 0 || (size_t)n >= sizeof(body) - used) {
			fclose(f);
			say("ERROR: /etc/shadow too large");
			return -1;
		}
		used += (size_t)n;
	}
	fclose(f);
	return write_file(TARGET "/etc/shadow", 0640, "%s", body);
}

static int read_mac(const char *nic, char *mac, size_t size)
{
	char path[96];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", nic);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ok = fgets(mac, (int)size, f) != NULL;
	fclose(f);
	mac[strcspn(mac, "\n")] = '\0';
	return ok ? 0 : -1;
}

/*
 * The management interface is matched by MAC address: the installer's kernel
 * names NICs eth0.., the installed system's udev gives them predictable names.
 */
static int step_network(const struct inst_ctx *c)
{
	const struct inst_config *cfg = c->cfg;
	char match[96], addr[160] = "", mac[32];

	if (cfg->nic[0] && read_mac(cfg->nic, mac, sizeof(mac)) == 0)
		snprintf(match, sizeof(match), "MACAddress=%s", mac);
	else
		snprintf(match, sizeof(match), "Name=en* eth*");
	if (cfg->proto == INST_STATIC)
		snprintf(addr, sizeof(addr), "Address=%s/%d\n%s%s%s%s%s", cfg->ipaddr, cfg->prefix,
			 cfg->gateway[0] ? "Gateway=" : "", cfg->gateway, cfg->gateway[0] ? "\n" : "",
			 cfg->dns[0] ? "DNS=" : "", cfg->dns);
	else
		snprintf(addr, sizeof(addr), "DHCP=ipv4\n%s%s", cfg->dns[0] ? "DNS=" : "", cfg->dns);
	mkdir(TARGET "/etc/systemd/network", 0755);
	return write_file(TARGET "/etc/systemd/network/10-cairn-management.network", 0644,
			  "# Written by cairn-install: the management interface.\n"
			  "[Match]\n%s\n\n[Network]\n%s\n", match, addr);
}

static int step_identity(const struct inst_ctx *c)
{
	const struct inst_config *cfg = c->cfg;
	char link[128];

	if (write_file(TARGET "/etc/hostname", 0644, "%s\n", cfg->hostname) < 0 ||
	    write_file(TARGET "/etc/hosts", 0644,
		       "127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost\n",
		       cfg->hostname) < 0 ||
	    write_file(TARGET "/etc/timezone", 0644, "%s\n", cfg->timezone) < 0)
		return -1;
	snprintf(link, sizeof(link), "/usr/share/zoneinfo/%s", cfg->timezone);
	unlink(TARGET "/etc/localtime");
	if (symlink(link, TARGET "/etc/localtime") < 0) {
		say("ERROR: /etc/localtime: %s", strerror(errno));
		return -1;
	}
	return write_file(TARGET "/etc/fstab", 0644,
			  "# Written by cairn-install.\n"
			  "UUID=%s\t/\text4\terrors=remount-ro\t0 1\n"
			  "UUID=%s\t/boot/efi\tvfat\tumask=0077\t0 2\n"
			  "UUID=%s\t/var/log\text4\tdefaults,nodev,nosuid,noexec\t0 2\n",
			  c->root_uuid, c->esp_uuid, c->logs_uuid);
}

static int step_accounts(const struct inst_ctx *c)
{
	char hash[256];

	if (hash_password(c, hash, sizeof(hash)) < 0 || set_root_hash(hash) < 0)
		return -1;
	if (!c->cfg->ssh_key[0])
		return 0;
	mkdir(TARGET "/root/.ssh", 0700);
	return write_file(TARGET "/root/.ssh/authorized_keys", 0600, "%s\n", c->cfg->ssh_key);
}

/*
 * First boot: cairn-firstboot.service reads this file, creates the local SR
 * and the management network when the daemon offers it, and records what it did.
 */
static int step_firstboot(const struct inst_ctx *c)
{
	const struct inst_config *cfg = c->cfg;
	char mac[32] = "";

	if (cfg->mode == INST_UPGRADE)
		return 0;
	if (cfg->nic[0])
		read_mac(cfg->nic, mac, sizeof(mac));
	mkdir(TARGET "/var/lib/cairn", 0700);
	return write_file(TARGET "/var/lib/cairn/firstboot", 0600,
			  "# Written by cairn-install; consumed by cairn-firstboot.service.\n"
			  "LOCAL_SR=%s\nLOCAL_SR_DEVICE=/dev/disk/by-partlabel/cairn-sr\n"
			  "MANAGEMENT_MAC=%s\nMANAGEMENT_PROTO=%s\nMANAGEMENT_IP=%s\n"
			  "MANAGEMENT_PREFIX=%d\nMANAGEMENT_GATEWAY=%s\nKEYMAP=%s\n",
			  cfg->local_sr ? "yes" : "no", mac,
			  cfg->proto == INST_STATIC ? "static" : "dhcp", cfg->ipaddr,
			  cfg->prefix > 0 ? cfg->prefix : 0, cfg->gateway, cfg->keymap);
}

#define KARGS "ro console=tty0 console=ttyS0,115200n8"

static int step_grub_cfg(const struct inst_ctx *c)
{
	char backup[1024] = "";

	if (c->have_backup)
		snprintf(backup, sizeof(backup),
			 "menuentry \"Cairn: previous installation (backup root)\" --id backup {\n"
			 "\tsearch --no-floppy --fs-uuid --set=root %s\n"
			 "\tif [ -f /boot/cairn.elf ]; then\n"
			 "\t\tmultiboot2 /boot/cairn.elf console=com1\n"
			 "\t\tmodule2 /vmlinuz root=UUID=%s " KARGS "\n"
			 "\t\tmodule2 /initrd.img\n"
			 "\telse\n"
			 "\t\tlinux /vmlinuz root=UUID=%s " KARGS "\n"
			 "\t\tinitrd /initrd.img\n"
			 "\tfi\n}\n", c->backup_uuid, c->backup_uuid, c->backup_uuid);
	return write_file(ESP "/grub/grub.cfg", 0644,
		"# Written by cairn-install.\n"
		"serial --unit=0 --speed=115200\n"
		"terminal_input serial console\nterminal_output serial console\n"
		"set timeout=5\n"
		"search --no-floppy --fs-uuid --set=root %s\n"
		"if [ -f /boot/cairn.elf ]; then set default=hv; else set default=direct; fi\n"
		"menuentry \"Cairn\" --id hv --hotkey=h {\n"
		"\tmultiboot2 /boot/cairn.elf console=com1\n"
		"\tmodule2 /vmlinuz root=UUID=%s " KARGS "\n"
		"\tmodule2 /initrd.img\n}\n"
		"menuentry \"Cairn debug: dom0 kernel without the hypervisor\" --id direct --hotkey=d {\n"
		"\tlinux /vmlinuz root=UUID=%s " KARGS "\n"
		"\tinitrd /initrd.img\n}\n%s",
		c->root_uuid, c->root_uuid, c->root_uuid, backup);
}

static int step_grub(struct inst_ctx *c)
{
	say("installing GRUB for BIOS and UEFI");
	if (RUN("grub-install", "--target=i386-pc", "--boot-directory=" ESP, c->dev) < 0)
		return -1;
	if (RUN("grub-install", "--target=x86_64-efi", "--efi-directory=" ESP,
		"--boot-directory=" ESP, "--removable", "--no-nvram") < 0)
		return -1;
	return step_grub_cfg(c);
}

/* -- upgrade -------------------------------------------------------------------- */

static int copy_from_old(const char *rel)
{
	char src[256], dst[256];

	snprintf(src, sizeof(src), OLDROOT "%s", rel);
	snprintf(dst, sizeof(dst), TARGET "%s", rel);
	if (access(src, F_OK) < 0)
		return 0;
	return RUN("cp", "-a", src, dst);
}

static int read_old_hash(struct inst_ctx *c)
{
	char line[1024];
	FILE *f = fopen(OLDROOT "/etc/shadow", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "root:", 5) == 0)
			snprintf(c->old_hash, sizeof(c->old_hash), "%.*s",
				 (int)strcspn(line + 5, ":"), line + 5);
	fclose(f);
	return 0;
}

static int step_backup_root(struct inst_ctx *c)
{
	char label[64] = "";

	if (capture((const char *const[]){ "blkid", "-s", "LABEL", "-o", "value", c->part[3], NULL },
		    label, sizeof(label)) < 0 || strcmp(label, "cairn-root") != 0) {
		say("ERROR: upgrade: %s holds no Cairn installation (no cairn-root file system)", c->dev);
		return -1;
	}
	say("upgrade: moving the old root %s to the backup partition %s", c->part[3], c->part[4]);
	if (RUN("e2fsck", "-fy", c->part[3]) < 0 ||
	    RUN("e2image", "-ra", "-O", "0", c->part[3], c->part[4]) < 0 ||
	    RUN("tune2fs", "-U", "random", "-L", "cairn-backup", c->part[4]) < 0 ||
	    fs_uuid(c->part[4], c->backup_uuid, sizeof(c->backup_uuid)) < 0)
		return -1;
	c->have_backup = 1;
	mkdir(OLDROOT, 0700);
	if (mount(c->part[4], OLDROOT, "ext4", MS_RDONLY, NULL) < 0) {
		say("ERROR: mount %s: %s", c->part[4], strerror(errno));
		return -1;
	}
	read_old_hash(c);
	return RUN("mkfs.ext4", "-q", "-F", "-L", "cairn-root", c->part[3]);
}

static int step_keep_state(struct inst_ctx *c)
{
	say("upgrade: keeping /var/lib/cairn, SSH host keys and root's password");
	if (RUN("rm", "-rf", TARGET "/var/lib/cairn") < 0 || copy_from_old("/var/lib/cairn") < 0 ||
	    copy_from_old("/root/.ssh") < 0)
		return -1;
	return RUN("sh", "-c", "cp -a " OLDROOT "/etc/ssh/ssh_host_* " TARGET "/etc/ssh/ 2>/dev/null; true");
}

static void unmount_all(void)
{
	umount2(ESP, 0);
	umount2(TARGET "/var/log", 0);
	umount2(TARGET, 0);
	umount2(OLDROOT, MNT_DETACH);
	sync();
}

/*
 * Installs (or upgrades) CFG onto its disk from PATHS->image. Assumes CFG
 * passed inst_check() and inst_check_host(). Returns 0, or -1 after saying
 * which step failed; partitions may then be half-written.
 */
int inst_run(const struct inst_config *cfg, const struct inst_paths *paths)
{
	struct inst_ctx c;
	int up = cfg->mode == INST_UPGRADE, rc = -1;

	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	c.paths = paths;
	step_names(&c);
	if (access(paths->image, R_OK) < 0) {
		say("ERROR: the dom0 image %s is missing", paths->image);
		return -1;
	}
	if (up ? step_backup_root(&c) < 0 : (step_partition(&c) < 0 || step_mkfs(&c) < 0))
		goto out;
	if (step_mount(&c) < 0 || step_unpack(&c) < 0 || step_esp(&c) < 0)
		goto out;
	if (up && step_keep_state(&c) < 0)
		goto out;
	if (step_identity(&c) < 0 || step_accounts(&c) < 0 || step_network(&c) < 0 ||
	    step_firstboot(&c) < 0 || step_grub(&c) < 0)
		goto out;
	rc = 0;
out:
	unmount_all();
	return rc;
}
