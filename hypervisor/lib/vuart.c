/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vuart.c — the 16550A register file, FIFOs and interrupt identification.
 *
 * Design: the rings use free-running 32-bit head/tail counters masked by the
 * power-of-two size, so full and empty are never confused. The interrupt
 * identification is computed from the state on every IIR read or line query,
 * never cached, except for the THR-empty latch, whose read-to-clear behaviour
 * is architectural. Port accesses dispatch on (offset, DLAB) through switch
 * statements whose default refuses the access.
 */
#include "vuart.h"

#define memset __builtin_memset

void vuart_init(struct vuart *u)
{
	memset(u, 0, sizeof(*u));
	u->dll = 0x0c; /* 9600 baud, as after a PC BIOS */
	u->msr = VUART_MSR_CTS | VUART_MSR_DSR | VUART_MSR_DCD;
}

static uint32_t rx_count(const struct vuart *u)
{
	return u->rx_head - u->rx_tail;
}

static void rx_put(struct vuart *u, uint8_t b)
{
	if (rx_count(u) == VUART_RX_SIZE) {
		u->lsr_errors |= VUART_LSR_OE;
		return;
	}
	u->rx[u->rx_head++ & (VUART_RX_SIZE - 1)] = b;
}

static void tx_put(struct vuart *u, uint8_t b)
{
	if (u->tx_head - u->tx_tail == VUART_TX_SIZE) {
		u->tx_tail++; /* keep the newest output */
		u->tx_lost++;
	}
	u->tx[u->tx_head++ & (VUART_TX_SIZE - 1)] = b;
}

static uint8_t lsr(const struct vuart *u)
{
	return (rx_count(u) ? VUART_LSR_DR : 0) | u->lsr_errors | VUART_LSR_THRE |
	       VUART_LSR_TEMT;
}

uint8_t vuart_iir(const struct vuart *u)
{
	uint8_t fifo = (u->fcr & 1) ? VUART_IIR_FIFO : 0;

	if ((u->ier & VUART_IER_RLSI) && u->lsr_errors)
		return fifo | VUART_IIR_RLSI;
	if ((u->ier & VUART_IER_RDI) && rx_count(u))
		return fifo | VUART_IIR_RDI;
	if ((u->ier & VUART_IER_THRI) && u->thr_ipending)
		return fifo | VUART_IIR_THRI;
	if ((u->ier & VUART_IER_MSI) && (u->msr & 0x0f))
		return fifo | VUART_IIR_MSI;
	return fifo | VUART_IIR_NO_INT;
}

bool vuart_irq_pending(const struct vuart *u)
{
	return !(vuart_iir(u) & VUART_IIR_NO_INT) && (u->mcr & VUART_MCR_OUT2);
}

static uint8_t read_rbr(struct vuart *u)
{
	if (!rx_count(u))
		return 0;
	return u->rx[u->rx_tail++ & (VUART_RX_SIZE - 1)];
}

static uint8_t read_iir(struct vuart *u)
{
	uint8_t iir = vuart_iir(u);

	if ((iir & 0x0f) == VUART_IIR_THRI)
		u->thr_ipending = false;
	return iir;
}

static uint8_t read_lsr(struct vuart *u)
{
	uint8_t v = lsr(u);

	u->lsr_errors = 0;
	return v;
}

static uint8_t read_msr(struct vuart *u)
{
	uint8_t v = u->msr;

	u->msr &= 0xf0; /* reading clears the delta bits */
	return v;
}

int vuart_io_read(struct vuart *u, unsigned offset, uint8_t *val)
{
	bool dlab = u->lcr & VUART_LCR_DLAB;

	switch (offset) {
	case VUART_RBR: *val = dlab ? u->dll : read_rbr(u); return 0;
	case VUART_IER: *val = dlab ? u->dlm : u->ier; return 0;
	case VUART_IIR: *val = read_iir(u); return 0;
	case VUART_LCR: *val = u->lcr; return 0;
	case VUART_MCR: *val = u->mcr; return 0;
	case VUART_LSR: *val = read_lsr(u); return 0;
	case VUART_MSR: *val = read_msr(u); return 0;
	case VUART_SCR: *val = u->scr; return 0;
	default:
		*val = 0xff;
		return -VUART_EINVAL;
	}
}

static void write_thr(struct vuart *u, uint8_t val)
{
	if (u->mcr & VUART_MCR_LOOP)
		rx_put(u, val);
	else
		tx_put(u, val);
	u->thr_ipending = true; /* sent at once: THR is empty again */
}

static void write_ier(struct vuart *u, uint8_t val)
{
	uint8_t old = u->ier;

	u->ier = val & 0x0f;
	/* Enabling the THR-empty interrupt while THR is empty raises it. */
	if ((u->ier & VUART_IER_THRI) && !(old & VUART_IER_THRI))
		u->thr_ipending = true;
}

static void write_fcr(struct vuart *u, uint8_t val)
{
	if (val & 0x02)
		u->rx_tail = u->rx_head;
	u->fcr = val & 0xc9; /* enable, DMA mode, trigger level */
}

/* In loopback, MSR's CTS/DSR/RI/DCD follow RTS/DTR/OUT1/OUT2, with delta bits. */
static void update_msr(struct vuart *u)
{
	uint8_t now, delta;

	if (!(u->mcr & VUART_MCR_LOOP)) {
		now = VUART_MSR_CTS | VUART_MSR_DSR | VUART_MSR_DCD;
	} else {
		now = (u->mcr & VUART_MCR_RTS ? VUART_MSR_CTS : 0) |
		      (u->mcr & VUART_MCR_DTR ? VUART_MSR_DSR : 0) |
		      (u->mcr & VUART_MCR_OUT1 ? VUART_MSR_RI : 0) |
		      (u->mcr & VUART_MCR_OUT2 ? VUART_MSR_DCD : 0);
	}
	delta = (uint8_t)((now ^ u->msr) >> 4);
	/* Bit 2 (TERI) is set only on a trailing edge of RI. */
	if (!((u->msr & VUART_MSR_RI) && !(now & VUART_MSR_RI)))
		delta &= (uint8_t)~0x04;
	u->msr = now | (u->msr & 0x0f) | delta;
}

int vuart_io_write(struct vuart *u, unsigned offset, uint8_t val)
{
	bool dlab = u->lcr & VUART_LCR_DLAB;

	switch (offset) {
	case VUART_THR:
		if (dlab)
			u->dll = val;
		else
			write_thr(u, val);
		return 0;
	case VUART_IER:
		if (dlab)
			u->dlm = val;
		else
			write_ier(u, val);
		return 0;
	case VUART_FCR: write_fcr(u, val); return 0;
	case VUART_LCR: u->lcr = val; return 0;
	case VUART_MCR: u->mcr = val & 0x1f; update_msr(u); return 0;
	case VUART_LSR: return 0; /* read-only; writes are ignored, as on the chip */
	case VUART_MSR: return 0;
	case VUART_SCR: u->scr = val; return 0;
	default:
		return -VUART_EINVAL;
	}
}

size_t vuart_tx_drain(struct vuart *u, uint8_t *buf, size_t len)
{
	size_t n = 0;

	while (n < len && u->tx_tail != u->tx_head)
		buf[n++] = u->tx[u->tx_tail++ & (VUART_TX_SIZE - 1)];
	return n;
}

size_t vuart_rx_push(struct vuart *u, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	while (n < len && rx_count(u) < VUART_RX_SIZE)
		rx_put(u, buf[n++]);
	return n;
}
