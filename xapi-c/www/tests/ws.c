/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests of the websocket codec: frames, masking rules, handshake key, UTF-8. */
#include <stdint.h>
#include <string.h>

#include "unit.h"
#include "../www_int.h"

/* A masked client frame, as a browser sends it. */
static size_t client_frame(uint8_t op, int fin, const void *data, size_t len, uint8_t *out)
{
	static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
	size_t h = 2;

	out[0] = (uint8_t)((fin ? 0x80 : 0) | op);
	if (len < 126) {
		out[1] = (uint8_t)(0x80 | len);
	} else if (len <= 0xffff) {
		out[1] = 0x80 | 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		h = 4;
	} else {
		out[1] = 0x80 | 127;
		for (int i = 0; i < 8; i++)
			out[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
		h = 10;
	}
	memcpy(out + h, key, 4);
	for (size_t i = 0; i < len; i++)
		out[h + 4 + i] = ((const uint8_t *)data)[i] ^ key[i & 3];
	return h + 4 + len;
}

TEST(accept_key_rfc6455_example)
{
	char out[29];

	/* RFC 6455 section 1.3. */
	REQUIRE(www_ws_accept("dGhlIHNhbXBsZSBub25jZQ==", out) == 0);
	CHECK_STR(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(accept_key_rejects_bad_keys)
{
	char out[29];

	CHECK(www_ws_accept(NULL, out) == -1);
	CHECK(www_ws_accept("", out) == -1);
	CHECK(www_ws_accept("dGhlIHNhbXBsZSBub25jZQ", out) == -1);	/* no padding */
	CHECK(www_ws_accept("dGhlIHNhbXBsZSBub25jZQ==x", out) == -1);	/* 25 chars */
	CHECK(www_ws_accept("dGhlIHNhbXBsZSBub25j!Q==", out) == -1);	/* not base64 */
	CHECK(www_ws_accept("dGhlIHNhbXBsZSBub25jZXM=", out) == -1);	/* 17 bytes */
}

TEST(decode_rfc_masked_hello)
{
	/* RFC 6455 section 5.7: a single-frame masked text message "Hello". */
	static const uint8_t in[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
	struct www_ws_frame f;
	uint8_t out[16];

	CHECK_EQ(www_ws_decode(in, sizeof(in), sizeof(out), &f, out), sizeof(in));
	CHECK(f.fin);
	CHECK_EQ(f.opcode, WWW_WS_TEXT);
	CHECK_EQ(f.len, 5);
	CHECK_MEM(out, "Hello", 5);
}

TEST(decode_needs_more_bytes)
{
	uint8_t frame[300], out[300];
	struct www_ws_frame f;
	size_t n = client_frame(WWW_WS_BINARY, 1, memset(out, 'x', 200), 200, frame);

	for (size_t i = 0; i < n; i++)
		CHECK_EQ(www_ws_decode(frame, i, sizeof(out), &f, out), 0);
	CHECK_EQ(www_ws_decode(frame, n, sizeof(out), &f, out), n);
	CHECK_EQ(f.len, 200);
}

TEST(decode_rejects_unmasked_client_frame)
{
	static const uint8_t in[] = {0x81, 0x05, 'H', 'e', 'l', 'l', 'o'};	/* RFC 5.7 unmasked */
	struct www_ws_frame f;
	uint8_t out[16];

	CHECK_EQ(www_ws_decode(in, sizeof(in), sizeof(out), &f, out), -WWW_WS_PROTOCOL);
}

TEST(decode_rejects_reserved_bits_and_opcodes)
{
	uint8_t frame[32], out[32];
	struct www_ws_frame f;

	client_frame(WWW_WS_TEXT, 1, "a", 1, frame);
	frame[0] |= 0x40;	/* RSV1 without an extension */
	CHECK_EQ(www_ws_decode(frame, 7, sizeof(out), &f, out), -WWW_WS_PROTOCOL);
	for (uint8_t op = 3; op <= 0xf; op++) {
		if (op >= 8 && op <= 0xa)
			continue;
		client_frame(op, 1, "a", 1, frame);
		CHECK_EQ(www_ws_decode(frame, 7, sizeof(out), &f, out), -WWW_WS_PROTOCOL);
	}
}

TEST(decode_rejects_bad_control_frames)
{
	uint8_t frame[200], out[200], big[126];
	struct www_ws_frame f;
	size_t n;

	n = client_frame(WWW_WS_PING, 0, "a", 1, frame);	/* fragmented control */
	CHECK_EQ(www_ws_decode(frame, n, sizeof(out), &f, out), -WWW_WS_PROTOCOL);
	memset(big, 'p', sizeof(big));
	n = client_frame(WWW_WS_PING, 1, big, sizeof(big), frame);	/* > 125 */
	CHECK_EQ(www_ws_decode(frame, n, sizeof(out), &f, out), -WWW_WS_PROTOCOL);
	n = client_frame(WWW_WS_PING, 1, big, 125, frame);
	CHECK_EQ(www_ws_decode(frame, n, sizeof(out), &f, out), n);
}

TEST(decode_rejects_non_minimal_lengths)
{
	uint8_t frame[] = {0x82, 0x80 | 126, 0x00, 0x05, 1, 2, 3, 4, 'a', 'b', 'c', 'd', 'e'};
	uint8_t frame64[] = {0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 1, 2, 3, 4};
	uint8_t out[300];
	struct www_ws_frame f;

	CHECK_EQ(www_ws_decode(frame, sizeof(frame), sizeof(out), &f, out), -WWW_WS_PROTOCOL);
	CHECK_EQ(www_ws_decode(frame64, sizeof(frame64), sizeof(out), &f, out), -WWW_WS_PROTOCOL);
	frame64[2] = 0x80;	/* most significant bit set */
	CHECK_EQ(www_ws_decode(frame64, sizeof(frame64), sizeof(out), &f, out), -WWW_WS_PROTOCOL);
}

TEST(decode_rejects_too_big_before_payload_arrives)
{
	uint8_t hdr[] = {0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0x10, 0, 0};	/* 1 MiB, no mask yet */
	uint8_t out[16];
	struct www_ws_frame f;

	CHECK_EQ(www_ws_decode(hdr, sizeof(hdr), sizeof(out), &f, out), -WWW_WS_TOO_BIG);
}

TEST(decode_two_frames_back_to_back)
{
	uint8_t buf[64], out[64];
	struct www_ws_frame f;
	size_t a = client_frame(WWW_WS_TEXT, 0, "ab", 2, buf);
	size_t b = client_frame(WWW_WS_CONT, 1, "cd", 2, buf + a);
	ssize_t n = www_ws_decode(buf, a + b, sizeof(out), &f, out);

	CHECK_EQ(n, a);
	CHECK(!f.fin);
	CHECK_MEM(out, "ab", 2);
	n = www_ws_decode(buf + a, b, sizeof(out), &f, out);
	CHECK_EQ(n, b);
	CHECK(f.fin);
	CHECK_EQ(f.opcode, WWW_WS_CONT);
	CHECK_MEM(out, "cd", 2);
}

TEST(encode_lengths)
{
	static uint8_t data[70000], out[70016];
	size_t n;

	n = www_ws_encode(WWW_WS_BINARY, true, data, 5, out, sizeof(out));
	CHECK_EQ(n, 7);
	CHECK_EQ_HEX(out[0], 0x82);
	CHECK_EQ_HEX(out[1], 5);	/* server frames are never masked */
	n = www_ws_encode(WWW_WS_BINARY, true, data, 126, out, sizeof(out));
	CHECK_EQ(n, 130);
	CHECK_EQ(out[1], 126);
	CHECK_EQ(out[2] << 8 | out[3], 126);
	n = www_ws_encode(WWW_WS_TEXT, false, data, 70000, out, sizeof(out));
	CHECK_EQ(n, 70010);
	CHECK_EQ_HEX(out[0], 0x01);
	CHECK_EQ(out[1], 127);
	CHECK_EQ((out[7] << 16) | (out[8] << 8) | out[9], 70000);
	CHECK_EQ(www_ws_encode(WWW_WS_BINARY, true, data, 126, out, 129), 0);	/* no room */
	CHECK_EQ(www_ws_encode(WWW_WS_CLOSE, true, NULL, 0, out, 2), 2);
}

TEST(encode_then_decode_after_masking)
{
	uint8_t enc[300], masked[300], out[300];
	struct www_ws_frame f;
	size_t n = www_ws_encode(WWW_WS_BINARY, true, "console bytes", 13, enc, sizeof(enc));
	size_t m;

	/* A server frame fed back must be refused: it is not masked. */
	CHECK_EQ(www_ws_decode(enc, n, sizeof(out), &f, out), -WWW_WS_PROTOCOL);
	m = client_frame(WWW_WS_BINARY, 1, enc + 2, 13, masked);
	CHECK_EQ(www_ws_decode(masked, m, sizeof(out), &f, out), m);
	CHECK_MEM(out, "console bytes", 13);
}

TEST(utf8_accepts_valid_text_split_anywhere)
{
	static const char text[] = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80";
	size_t len = strlen(text);

	for (size_t cut = 0; cut <= len; cut++) {
		struct www_utf8 u = {0, 0, 0};

		CHECK(www_utf8_feed(&u, (const uint8_t *)text, cut));
		CHECK(www_utf8_feed(&u, (const uint8_t *)text + cut, len - cut));
		CHECK(www_utf8_done(&u));
	}
}

TEST(utf8_rejects_invalid)
{
	static const char *bad[] = {
		"\xc0\xaf",		/* overlong '/' */
		"\xe0\x80\xaf",		/* overlong */
		"\xed\xa0\x80",		/* surrogate */
		"\xf4\x90\x80\x80",	/* above U+10FFFF */
		"\xff",
		"\x80",			/* lone continuation */
		"\xc3\x28",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct www_utf8 u = {0, 0, 0};

		CHECK(!www_utf8_feed(&u, (const uint8_t *)bad[i], strlen(bad[i])));
	}
	struct www_utf8 u = {0, 0, 0};

	CHECK(www_utf8_feed(&u, (const uint8_t *)"\xe2\x82", 2));
	CHECK(!www_utf8_done(&u));	/* message ended mid-character */
}
