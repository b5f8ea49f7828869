/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * console.c — the hypervisor console: COM1 (polled), log levels, timestamps.
 *
 * Design: printk formats into a per-call buffer and writes the whole line under
 * one lock, so lines from several CPUs never interleave. Output goes to COM1
 * unless the command line says console=none. `loglvl=` (err, warn, info, debug
 * or 0..3) drops messages above the chosen level. Timestamps are microseconds
 * since boot from the TSC, calibrated once against the PIT.
 *
 * Locking: console_lock, taken with interrupts off; never held across anything
 * that could take another lock.
 */
#include "cmdline.h"
#include "cpu.h"
#include "fmt.h"
#include "hv.h"

#define COM1 0x3f8

static spinlock_t console_lock = SPINLOCK_INIT;
static enum loglvl console_level = LOG_INFO;
static bool serial_on = true;
static u64 tsc_boot;
u64 tsc_khz;

void console_init(void)
{
	outb(COM1 + 1, 0x00); /* no interrupts */
	outb(COM1 + 3, 0x80); /* DLAB */
	outb(COM1 + 0, 0x01); /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 2, 0xc7); /* FIFO on, cleared */
	outb(COM1 + 4, 0x03); /* DTR | RTS */
	tsc_boot = rdtsc();
}

void console_setup(const char *cmdline)
{
	static const char *const names[] = { "err", "warn", "info", "debug" };
	char v[16];
	u64 n;

	if (cmdline_get(cmdline, "loglvl", v, sizeof(v))) {
		for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
			if (!strcmp(v, names[i]))
				console_level = (enum loglvl)i;
		if (cmdline_parse_u64(v, &n) && n <= LOG_DEBUG)
			console_level = (enum loglvl)n;
	}
	if (cmdline_get(cmdline, "console", v, sizeof(v)))
		serial_on = strcmp(v, "none") != 0;
}

static void serial_putc(char c)
{
	for (unsigned spin = 0; spin < 100000 && !(inb(COM1 + 5) & 0x20); spin++)
		cpu_relax();
	outb(COM1, (u8)c);
}

static void write_locked(const char *s, size_t len)
{
	if (!serial_on)
		return;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

void console_write(const char *s, size_t len)
{
	u64 f = spin_lock_irqsave(&console_lock);

	write_locked(s, len);
	spin_unlock_irqrestore(&console_lock, f);
}

u64 time_us(void)
{
	if (!tsc_khz)
		return 0;
	return (rdtsc() - tsc_boot) * 1000 / tsc_khz;
}

void udelay(u64 us)
{
	u64 end = rdtsc() + us * (tsc_khz ? tsc_khz : 2000000) / 1000;

	while (rdtsc() < end)
		cpu_relax();
}

/* TSC ticks during 10 ms of PIT channel 2 (gate on, speaker off, mode 0). */
void time_calibrate(void)
{
	const u16 count = 11932; /* 1193182 Hz * 10 ms */
	u64 t0, t1;
	u8 v = inb(0x61);

	outb(0x61, (u8)((v & ~0x02) | 0x01));
	outb(0x43, 0xb0);
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20))
		cpu_relax();
	t1 = rdtsc();
	outb(0x61, v);
	tsc_khz = (t1 - t0) / 10;
	if (!tsc_khz)
		tsc_khz = 1;
}

static const char *const level_tag[] = { "ERR", "WRN", "INF", "DBG" };

static void vprintk(enum loglvl lvl, const char *fmt, fmt_va_list ap)
{
	char line[512];
	u64 t = time_us();
	int n, m;
	u64 f;

	if (lvl > console_level)
		return;
	n = fmt_snprintf(line, sizeof(line), "(HV) [%5llu.%06llu] %s ",
			 (unsigned long long)(t / 1000000), (unsigned long long)(t % 1000000),
			 level_tag[lvl]);
	m = fmt_vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	n = MIN(n + m, (int)sizeof(line) - 2);
	line[n++] = '\n';
	f = spin_lock_irqsave(&console_lock);
	write_locked(line, (size_t)n);
	spin_unlock_irqrestore(&console_lock, f);
}

void printk(enum loglvl lvl, const char *fmt, ...)
{
	fmt_va_list ap;

	fmt_va_start(ap, fmt);
	vprintk(lvl, fmt, ap);
	fmt_va_end(ap);
}

void cpu_stop_all(void);

void panic(const char *fmt, ...)
{
	fmt_va_list ap;

	irq_disable();
	fmt_va_start(ap, fmt);
	vprintk(LOG_ERR, fmt, ap);
	fmt_va_end(ap);
	printk(LOG_ERR, "panic: the hypervisor has stopped");
	cpu_stop_all();
	for (;;)
		halt();
}
