/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * www_int.h — www.c's pure parts, exposed for its unit tests only.
 */
#ifndef XAPI_WWW_INT_H
#define XAPI_WWW_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Websocket opcodes (RFC 6455 5.2). */
enum {
	WWW_WS_CONT = 0x0,
	WWW_WS_TEXT = 0x1,
	WWW_WS_BINARY = 0x2,
	WWW_WS_CLOSE = 0x8,
	WWW_WS_PING = 0x9,
	WWW_WS_PONG = 0xA,
};

/* Close codes (RFC 6455 7.4.1). */
enum {
	WWW_WS_NORMAL = 1000,
	WWW_WS_GOING_AWAY = 1001,
	WWW_WS_PROTOCOL = 1002,
	WWW_WS_BAD_DATA = 1007,
	WWW_WS_POLICY = 1008,
	WWW_WS_TOO_BIG = 1009,
	WWW_WS_INTERNAL = 1011,
};

#define WWW_WS_MAX_HEADER 14

struct www_ws_frame {
	bool fin;
	uint8_t opcode;
	size_t len;		/* payload bytes, unmasked into the caller's buffer */
};

/*
 * Decodes one client frame from in[0..inlen). Returns the bytes it used
 * (header + payload) with the unmasked payload copied to out (room for
 * max_payload bytes); 0 when more bytes are needed; or minus a close code
 * when the frame breaks the protocol (unmasked, reserved bits or opcodes,
 * a fragmented or long control frame) or is larger than max_payload.
 */
ssize_t www_ws_decode(const uint8_t *in, size_t inlen, size_t max_payload,
		      struct www_ws_frame *f, uint8_t *out);
/* Encodes one unmasked server frame; returns its size, or 0 if outlen is short. */
size_t www_ws_encode(uint8_t opcode, bool fin, const void *payload, size_t len,
		     uint8_t *out, size_t outlen);
/* Sec-WebSocket-Accept for a Sec-WebSocket-Key; 0, or -1 if the key is not 16 bytes in base64. */
int www_ws_accept(const char *key, char out[29]);

/* Incremental UTF-8 validation for text messages split across frames. */
struct www_utf8 {
	unsigned need;		/* continuation bytes still expected */
	uint32_t cp;		/* code point so far */
	uint32_t min;		/* smallest code point this length may encode */
};
/* false as soon as the bytes cannot be UTF-8; true if they may still be. */
bool www_utf8_feed(struct www_utf8 *u, const uint8_t *p, size_t len);
/* true if the message ended on a character boundary. */
bool www_utf8_done(const struct www_utf8 *u);

/*
 * Turns a decoded URL path into a relative file name under the root:
 * "/" and "" become "index.html", "//a/./b" becomes "a/b". Fails (-1) on
 * "..", on segments starting with '.', on backslashes and control bytes,
 * and when out (outlen bytes) is too small.
 */
int www_path_normalize(const char *url, char *out, size_t outlen);
/* Content-Type for a file name, by extension; application/octet-stream if unknown. */
const char *www_content_type(const char *name);
/* true if the value holds the token (comma-separated list, case-insensitive). */
bool www_header_has_token(const char *value, const char *token);

#endif
