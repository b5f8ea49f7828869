/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vuart.h — an emulated 16550A UART (a domU's COM1) as pure logic.
 *
 * The guest's port accesses to COM1 (0x3f8..0x3ff, one byte wide) are fed to
 * vuart_io_read()/vuart_io_write(). Bytes the guest transmits land in a TX ring
 * that the hypervisor drains (vuart_tx_drain()) into the domain's console
 * buffer; bytes dom0 writes to the console are queued for the guest with
 * vuart_rx_push(). Transmission is instantaneous: THR is always empty again
 * right after a write, so LSR always shows THRE and TEMT.
 *
 * Registers: RBR/THR and IER (or DLL/DLM while LCR.DLAB is set), IIR (read) /
 * FCR (write), LCR, MCR (loopback included: output comes back as input), LSR
 * (reading clears the overrun bit), MSR (CTS, DSR and DCD asserted; the delta
 * bits follow MCR in loopback), SCR. The receive FIFO holds VUART_RX_SIZE bytes;
 * bytes pushed beyond that are refused (the caller keeps them).
 *
 * Interrupts, highest priority first: receiver line status (overrun, if
 * IER.ELSI), received data available (IER.ERBFI), THR empty (IER.ETBEI; cleared
 * by reading IIR while it is the reported source, or by writing THR, and raised
 * again when THR empties), modem status (IER.EDSSI and a delta bit set).
 * vuart_irq_pending() is the level of the IRQ line (with MCR.OUT2 set, as on a
 * PC); the caller forwards it to wherever the guest's IRQ 4 goes.
 *
 * State is a plain struct; nothing is global. Compiles freestanding and hosted.
 */
#ifndef CAIRN_VUART_H
#define CAIRN_VUART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VUART_COM1_BASE 0x3f8u
#define VUART_COM1_IRQ  4
#define VUART_NR_PORTS  8

#define VUART_TX_SIZE 4096u /* power of two */
#define VUART_RX_SIZE 64u   /* power of two */

#define VUART_EINVAL 22

/* Register offsets. */
#define VUART_RBR 0 /* read, DLAB=0 */
#define VUART_THR 0 /* write, DLAB=0 */
#define VUART_DLL 0 /* DLAB=1 */
#define VUART_IER 1 /* DLAB=0 */
#define VUART_DLM 1 /* DLAB=1 */
#define VUART_IIR 2 /* read */
#define VUART_FCR 2 /* write */
#define VUART_LCR 3
#define VUART_MCR 4
#define VUART_LSR 5
#define VUART_MSR 6
#define VUART_SCR 7

#define VUART_IER_RDI  0x01
#define VUART_IER_THRI 0x02
#define VUART_IER_RLSI 0x04
#define VUART_IER_MSI  0x08

#define VUART_IIR_NO_INT 0x01
#define VUART_IIR_MSI    0x00
#define VUART_IIR_THRI   0x02
#define VUART_IIR_RDI    0x04
#define VUART_IIR_RLSI   0x06
#define VUART_IIR_FIFO   0xc0

#define VUART_LCR_DLAB 0x80
#define VUART_MCR_DTR  0x01
#define VUART_MCR_RTS  0x02
#define VUART_MCR_OUT1 0x04
#define VUART_MCR_OUT2 0x08
#define VUART_MCR_LOOP 0x10

#define VUART_LSR_DR   0x01
#define VUART_LSR_OE   0x02
#define VUART_LSR_THRE 0x20
#define VUART_LSR_TEMT 0x40

#define VUART_MSR_CTS 0x10
#define VUART_MSR_DSR 0x20
#define VUART_MSR_RI  0x40
#define VUART_MSR_DCD 0x80

struct vuart {
	uint8_t ier, lcr, mcr, lsr_errors, msr, scr, fcr;
	uint8_t dll, dlm;
	bool thr_ipending;         /* THR-empty interrupt latched */
	uint8_t rx[VUART_RX_SIZE];
	uint32_t rx_head, rx_tail; /* free-running; count = head - tail */
	uint8_t tx[VUART_TX_SIZE];
	uint32_t tx_head, tx_tail;
	uint64_t tx_lost;          /* oldest output bytes overwritten before a drain */
};

void vuart_init(struct vuart *u);

/* Port accesses; `offset` is the port minus the base (0..7). 0 or -VUART_EINVAL. */
int vuart_io_read(struct vuart *u, unsigned offset, uint8_t *val);
int vuart_io_write(struct vuart *u, unsigned offset, uint8_t val);

/* Copies up to `len` transmitted bytes out, oldest first; returns how many. */
size_t vuart_tx_drain(struct vuart *u, uint8_t *buf, size_t len);

/* Queues up to `len` bytes for the guest to receive; returns how many fit. */
size_t vuart_rx_push(struct vuart *u, const uint8_t *buf, size_t len);

/* The IIR value the guest would read now (without the read's side effect). */
uint8_t vuart_iir(const struct vuart *u);

/* The level of the UART's interrupt line. */
bool vuart_irq_pending(const struct vuart *u);

#endif /* CAIRN_VUART_H */
