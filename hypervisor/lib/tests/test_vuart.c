/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: the emulated 16550A (registers, rings, interrupt identification). */
#include "vuart.h"
#include "unit.h"

static uint8_t rd(struct vuart *u, unsigned off)
{
	uint8_t v = 0;

	REQUIRE(vuart_io_read(u, off, &v) == 0);
	return v;
}

static void wr(struct vuart *u, unsigned off, uint8_t v)
{
	REQUIRE(vuart_io_write(u, off, v) == 0);
}

TEST(reset_state_and_scratch)
{
	struct vuart u;

	vuart_init(&u);
	CHECK_EQ_HEX(rd(&u, VUART_IIR), VUART_IIR_NO_INT);
	CHECK_EQ_HEX(rd(&u, VUART_LSR), VUART_LSR_THRE | VUART_LSR_TEMT);
	CHECK_EQ_HEX(rd(&u, VUART_MSR), 0xb0);
	CHECK_EQ(rd(&u, VUART_IER), 0);
	wr(&u, VUART_SCR, 0x5a);
	CHECK_EQ_HEX(rd(&u, VUART_SCR), 0x5a);
	CHECK(!vuart_irq_pending(&u));
	uint8_t v;
	CHECK_EQ(vuart_io_read(&u, 8, &v), -VUART_EINVAL);
	CHECK_EQ(vuart_io_write(&u, 8, 0), -VUART_EINVAL);
}

TEST(dlab_selects_the_divisor_latch)
{
	struct vuart u;
	uint8_t out[8];

	vuart_init(&u);
	wr(&u, VUART_LCR, 0x83);       /* DLAB, 8N1 */
	wr(&u, VUART_DLL, 0x01);       /* 115200 */
	wr(&u, VUART_DLM, 0x00);
	CHECK_EQ(rd(&u, VUART_DLL), 1);
	CHECK_EQ(rd(&u, VUART_DLM), 0);
	CHECK_EQ(vuart_tx_drain(&u, out, sizeof(out)), 0); /* nothing transmitted */
	CHECK_EQ(rd(&u, VUART_IER), 0);                    /* IER untouched */
	wr(&u, VUART_LCR, 0x03);
	CHECK_EQ(rd(&u, VUART_LCR), 0x03);
	wr(&u, VUART_IER, 0xff);
	CHECK_EQ(rd(&u, VUART_IER), 0x0f);
	wr(&u, VUART_LCR, 0x83);
	CHECK_EQ(rd(&u, VUART_DLL), 1);
}

TEST(transmit_goes_to_the_tx_ring)
{
	struct vuart u;
	uint8_t out[16];
	const char *msg = "hello\n";

	vuart_init(&u);
	for (const char *p = msg; *p; p++) {
		CHECK(rd(&u, VUART_LSR) & VUART_LSR_THRE);
		wr(&u, VUART_THR, (uint8_t)*p);
	}
	CHECK_EQ(vuart_tx_drain(&u, out, 3), 3);
	CHECK_MEM(out, "hel", 3);
	CHECK_EQ(vuart_tx_drain(&u, out, sizeof(out)), 3);
	CHECK_MEM(out, "lo\n", 3);
	CHECK_EQ(vuart_tx_drain(&u, out, sizeof(out)), 0);
}

TEST(tx_ring_overflow_keeps_the_newest_bytes)
{
	static struct vuart u;
	static uint8_t out[VUART_TX_SIZE];
	unsigned i;

	vuart_init(&u);
	for (i = 0; i < VUART_TX_SIZE + 10; i++)
		wr(&u, VUART_THR, (uint8_t)i);
	CHECK_EQ(u.tx_lost, 10);
	CHECK_EQ(vuart_tx_drain(&u, out, sizeof(out)), VUART_TX_SIZE);
	CHECK_EQ(out[0], 10);
	CHECK_EQ(out[VUART_TX_SIZE - 1], (uint8_t)(VUART_TX_SIZE + 9));
}

TEST(receive_from_dom0)
{
	struct vuart u;

	vuart_init(&u);
	CHECK_EQ(vuart_rx_push(&u, (const uint8_t *)"ls\n", 3), 3);
	CHECK(rd(&u, VUART_LSR) & VUART_LSR_DR);
	CHECK_EQ(rd(&u, VUART_RBR), 'l');
	CHECK_EQ(rd(&u, VUART_RBR), 's');
	CHECK_EQ(rd(&u, VUART_RBR), '\n');
	CHECK(!(rd(&u, VUART_LSR) & VUART_LSR_DR));
	CHECK_EQ(rd(&u, VUART_RBR), 0); /* empty reads 0 */
}

TEST(rx_fifo_is_bounded_and_fcr_clears_it)
{
	struct vuart u;
	uint8_t in[VUART_RX_SIZE + 5] = { 0 };

	vuart_init(&u);
	CHECK_EQ(vuart_rx_push(&u, in, sizeof(in)), VUART_RX_SIZE);
	CHECK_EQ(vuart_rx_push(&u, in, 1), 0);
	wr(&u, VUART_FCR, 0x07);                 /* enable, clear both */
	CHECK(!(rd(&u, VUART_LSR) & VUART_LSR_DR));
	CHECK_EQ_HEX(rd(&u, VUART_IIR) & 0xc0, 0xc0); /* FIFOs enabled */
}

TEST(interrupt_identification_and_priorities)
{
	struct vuart u;

	vuart_init(&u);
	wr(&u, VUART_MCR, VUART_MCR_OUT2 | VUART_MCR_DTR | VUART_MCR_RTS);
	/* Enabling THRI with THR empty raises it; reading IIR clears it. */
	wr(&u, VUART_IER, VUART_IER_THRI);
	CHECK(vuart_irq_pending(&u));
	CHECK_EQ_HEX(rd(&u, VUART_IIR), VUART_IIR_THRI);
	CHECK(!vuart_irq_pending(&u));
	CHECK_EQ_HEX(rd(&u, VUART_IIR), VUART_IIR_NO_INT);
	/* A write empties THR at once: raised again. */
	wr(&u, VUART_THR, 'x');
	CHECK(vuart_irq_pending(&u));
	/* Received data outranks THR empty and is cleared by reading RBR, not IIR. */
	wr(&u, VUART_IER, VUART_IER_THRI | VUART_IER_RDI);
	vuart_rx_push(&u, (const uint8_t *)"a", 1);
	CHECK_EQ_HEX(rd(&u, VUART_IIR), VUART_IIR_RDI);
	CHECK_EQ_HEX(rd(&u, VUART_IIR), VUART_IIR_RDI);
	CHECK_EQ(rd(&u, VUART_RBR), 'a');
	CHECK_EQ_HEX(rd(&u, VUART_IIR), VUART_IIR_THRI);
	CHECK_EQ_HEX(rd(&u, VUART_IIR), VUART_IIR_NO_INT);
	/* Overrun: line status outranks data; reading LSR clears it. */
	wr(&u, VUART_IER, VUART_IER_RDI | VUART_IER_RLSI);
	static uint8_t lots[VUART_RX_SIZE];
	vuart_rx_push(&u, lots, sizeof(lots));
	wr(&u, VUART_MCR, VUART_MCR_OUT2 | VUART_MCR_LOOP);
	wr(&u, VUART_THR, 'z');                   /* loopback into a full FIFO */
	CHECK_EQ_HEX(rd(&u, VUART_IIR), VUART_IIR_RLSI);
	CHECK(rd(&u, VUART_LSR) & VUART_LSR_OE);
	CHECK_EQ_HEX(rd(&u, VUART_IIR), VUART_IIR_RDI);
	/* Without OUT2 the line stays low (PC wiring). */
	wr(&u, VUART_MCR, 0);
	CHECK(!vuart_irq_pending(&u));
}

TEST(loopback_and_modem_status)
{
	struct vuart u;
	uint8_t out[4];

	vuart_init(&u);
	wr(&u, VUART_MCR, VUART_MCR_LOOP);
	wr(&u, VUART_THR, 0xa5);
	CHECK_EQ(vuart_tx_drain(&u, out, sizeof(out)), 0); /* not sent out */
	CHECK_EQ(rd(&u, VUART_RBR), 0xa5);
	/* Loopback, no outputs: CTS/DSR/DCD dropped, with delta bits. */
	CHECK_EQ_HEX(rd(&u, VUART_MSR), 0x0b);
	CHECK_EQ_HEX(rd(&u, VUART_MSR), 0x00);    /* deltas cleared by the read */
	wr(&u, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_RTS | VUART_MCR_OUT1);
	CHECK_EQ_HEX(rd(&u, VUART_MSR), 0x51);    /* CTS, RI, DCTS */
	wr(&u, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_RTS);
	CHECK_EQ_HEX(rd(&u, VUART_MSR), 0x14);    /* RI trailing edge: TERI */
	/* Modem status interrupt. */
	wr(&u, VUART_IER, VUART_IER_MSI);
	wr(&u, VUART_MCR, VUART_MCR_LOOP | VUART_MCR_OUT2);
	CHECK_EQ_HEX(rd(&u, VUART_IIR), VUART_IIR_MSI);
	rd(&u, VUART_MSR);
	CHECK_EQ_HEX(rd(&u, VUART_IIR), VUART_IIR_NO_INT);
}
