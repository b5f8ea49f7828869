/* SPDX-License-Identifier: GPL-2.0-only */
/* spinlock.c — ticket spinlocks (fair, FIFO). */
#include "cpu.h"
#include "hv.h"

void spin_lock(spinlock_t *l)
{
	u32 me = __atomic_fetch_add(&l->next, 1, __ATOMIC_ACQUIRE);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		cpu_relax();
}

void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

u64 spin_lock_irqsave(spinlock_t *l)
{
	u64 f = irq_save();

	spin_lock(l);
	return f;
}

void spin_unlock_irqrestore(spinlock_t *l, u64 flags)
{
	spin_unlock(l);
	irq_restore(flags);
}
