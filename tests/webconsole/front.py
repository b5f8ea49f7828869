# SPDX-License-Identifier: GPL-2.0-only
"""A test-side HTTP front for the web console, used until xapi-c serves the
app itself: GET/HEAD serve the built files, POST is forwarded to the
daemon's HTTPS port as it is, and GET /console (a websocket) is passed
through to the daemon byte for byte, so whatever the daemon answers there is
what the browser sees.

    front = Front(static_dir, daemon_port).start(); front.url; front.stop()
"""
import http.client
import http.server
import mimetypes
import os
import select
import socket
import ssl
import threading
import urllib.parse

TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


def _insecure():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        self.server.log.write(("front: " + fmt % args + "\n").encode())

    def _static(self, body):
        path = urllib.parse.urlsplit(self.path).path
        rel = os.path.normpath(path.lstrip("/") or "index.html")
        full = os.path.join(self.server.static, rel)
        if rel.startswith("..") or not os.path.isfile(full):
            self.send_error(404)
            return
        with open(full, "rb") as f:
            data = f.read()
        ext = os.path.splitext(full)[1]
        self.send_response(200)
        self.send_header("Content-Type", TYPES.get(ext) or mimetypes.guess_type(full)[0]
                         or "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def do_HEAD(self):
        self._static(False)

    def do_GET(self):
        if urllib.parse.urlsplit(self.path).path == "/console":
            self._tunnel()
        else:
            self._static(True)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        conn = http.client.HTTPSConnection("127.0.0.1", self.server.daemon_port,
                                           context=_insecure(), timeout=120)
        try:
            conn.request("POST", self.path, body=body,
                         headers={"Content-Type": self.headers.get("Content-Type", "")})
            r = conn.getresponse()
            data = r.read()
            self.send_response(r.status)
            self.send_header("Content-Type", r.getheader("Content-Type") or "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        finally:
            conn.close()

    def _tunnel(self):
        """Replays the request to the daemon, then copies bytes both ways."""
        up = _insecure().wrap_socket(
            socket.create_connection(("127.0.0.1", self.server.daemon_port), timeout=10))
        head = f"{self.command} {self.path} HTTP/1.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in self.headers.items()) + "\r\n"
        up.sendall(head.encode())
        down = self.connection
        up.settimeout(None)
        down.settimeout(None)
        try:
            while True:
                ready = [up] if up.pending() else select.select([up, down], [], [], 60)[0]
                if not ready:
                    continue
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (down if s is up else up).sendall(data)
        except OSError:
            pass
        finally:
            up.close()
            self.close_connection = True


class Front:
    def __init__(self, static_dir, daemon_port, log):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.static = static_dir
        self.httpd.daemon_port = daemon_port
        self.httpd.log = log
        self.thread = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
