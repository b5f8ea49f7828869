/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hv.h — what every hypervisor file needs: types, the console, panic, address
 * conversion, spinlocks, the page allocator and the heap.
 */
#ifndef CAIRN_HV_H
#define CAIRN_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "public/cairn.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define HV_VERSION_MAJOR 0
#define HV_VERSION_MINOR 1
#define HV_VERSION_STR   "0.1.0"

#define PAGE_SIZE  4096ull
#define PAGE_SHIFT 12
#define ALIGN_UP(x, a)   (((x) + (a) - 1) & ~((u64)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((u64)(a) - 1))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define GiB (1ull << 30)
#define MiB (1ull << 20)

/* Physical <-> virtual through the direct map. */
static inline void *va(u64 pa)
{
	return (void *)(DIRECTMAP_BASE + pa);
}

static inline u64 pa(const void *p)
{
	u64 v = (u64)p;

	return v >= HV_VIRT_BASE ? v - HV_VIRT_BASE : v - DIRECTMAP_BASE;
}

/* Linker symbols. */
extern char __hv_start_phys[], __hv_end_phys[], __hv_end[];

/* ---- console.c ---- */
enum loglvl { LOG_ERR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };
void console_init(void);
void console_setup(const char *cmdline);
void console_write(const char *s, size_t len);
void printk(enum loglvl lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
u64 time_us(void);
void time_calibrate(void);
void udelay(u64 us);
extern u64 tsc_khz;

#define pr_err(fmt, ...)   printk(LOG_ERR, "%s: " fmt, __func__, ##__VA_ARGS__)
#define pr_warn(fmt, ...)  printk(LOG_WARN, "%s: " fmt, __func__, ##__VA_ARGS__)
#define pr_info(fmt, ...)  printk(LOG_INFO, "%s: " fmt, __func__, ##__VA_ARGS__)
#define pr_debug(fmt, ...) printk(LOG_DEBUG, "%s: " fmt, __func__, ##__VA_ARGS__)

#define BUG_ON(c)                                                           \
	do {                                                                \
		if (c)                                                      \
			panic("BUG at %s:%d (%s): %s", __FILE__, __LINE__, \
			      __func__, #c);                                \
	} while (0)

/* ---- string.c ---- */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *h, const char *n);
size_t strlcpy(char *d, const char *s, size_t n);

/* ---- spinlock.c ---- */
typedef struct {
	volatile u32 next;
	volatile u32 owner;
} spinlock_t;
#define SPINLOCK_INIT { 0, 0 }
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
u64 spin_lock_irqsave(spinlock_t *l);
void spin_unlock_irqrestore(spinlock_t *l, u64 flags);

/* ---- mm.c: pages and heap ---- */
struct mem_range;
void mm_init(const struct mem_range *pool, unsigned n, const struct mem_range *reserved,
	     unsigned n_reserved);
u64 page_alloc(unsigned order);          /* physical address, zeroed; 0 on failure */
void page_free(u64 pa, unsigned order);
void *page_alloc_va(unsigned order);     /* direct-map pointer, zeroed; NULL on failure */
void *kzalloc(size_t size);
void kfree(void *p);
void mm_stats(u64 *total_pages, u64 *free_pages);

#endif /* CAIRN_HV_H */
