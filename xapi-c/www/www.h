/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * www.h — the web console's HTTP side inside xapi-c: the built single-page app
 * served as static files, and the VM text console over a websocket.
 *
 *   GET/HEAD /, /index.html, /assets/...   files under the root directory
 *   GET /console?session_id=OpaqueRef:..&vm=OpaqueRef:..   RFC 6455 websocket
 *
 * The daemon owns the MHD daemon (started with MHD_ALLOW_UPGRADE) and its
 * access handler; for a request that www_wants() it returns www_handle().
 * The console itself is reached only through struct www_console_ops, so the
 * simulator's fake console and the real backend's console both fit.
 * See INTEGRATION.md for the exact calls.
 */
#ifndef XAPI_WWW_H
#define XAPI_WWW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <microhttpd.h>

/*
 * The daemon's side of a console. Every function gets the ctx given to
 * www_create() or the handle open() made. check_session() runs on an MHD
 * thread; open/pollfd/read/write/close run on the websocket's own thread,
 * so they must take whatever lock the daemon's data needs.
 */
struct www_console_ops {
	/*
	 * May this session use this VM's console? 0: yes; -EACCES: the session
	 * is invalid or not allowed; -ENOENT: no such VM; -EAGAIN: the VM has
	 * no console now (halted). Called before open() and again every
	 * WWW_RECHECK_MS while the console is open (a logout ends it).
	 */
	int (*check_session)(void *ctx, const char *session_ref, const char *vm_ref);
	/* Opens the console; 0 and *handle set, or a negative errno. */
	int (*open)(void *ctx, const char *vm_ref, void **handle);
	/*
	 * A file descriptor that polls readable when output waits (a pty, a
	 * pipe, an eventfd), or -1: then read() is called every WWW_POLL_MS.
	 * May be NULL (same as -1).
	 */
	int (*pollfd)(void *handle);
	/* Console output: > 0 bytes, 0 nothing now, < 0 the console ended. */
	ssize_t (*read)(void *handle, void *buf, size_t len);
	/* Keyboard input: bytes taken (may be short), < 0 the console ended. */
	ssize_t (*write)(void *handle, const void *buf, size_t len);
	void (*close)(void *handle);
};

#define WWW_POLL_MS	50	/* read() interval when there is no pollfd */
#define WWW_RECHECK_MS	2000	/* check_session() interval on an open console */
#define WWW_WS_MAX_MSG	65536	/* largest frame payload a client may send */

struct www;

/* root: directory holding index.html and assets/; ops may be NULL (no /console). */
struct www *www_create(const char *root, const struct www_console_ops *ops, void *ctx);
/* Ends open consoles, refuses new ones, waits for their threads: call before MHD_stop_daemon(). */
void www_shutdown(struct www *w);
/* Frees everything (calls www_shutdown() if not done): call after MHD_stop_daemon(). */
void www_destroy(struct www *w);

/* True for the requests www_handle() answers: GET and HEAD. */
bool www_wants(const char *method, const char *url);
/* Answers one request (call it from the access handler, on its first call). */
enum MHD_Result www_handle(struct www *w, struct MHD_Connection *conn, const char *method,
			   const char *url);
/* Number of consoles open now (for tests and status). */
unsigned www_console_count(struct www *w);

#endif
