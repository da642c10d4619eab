"""The sandbox on loopback: a standard-library ThreadingHTTPServer around the same app.

It binds 127.0.0.1 only. A dropped-connection fault closes the socket without an answer. A
request it cannot read (a bad or missing length, a chunked or oversized body) gets a 400 and
the connection is closed; nothing a client sends prints a traceback or holds a thread.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

import httpx

from reconciler.sandbox import errors
from reconciler.sandbox.app import SandboxApp

__all__ = ["SandboxServer"]

_HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "keep-alive"}
MAX_REQUEST_BYTES = 1024 * 1024  # Apple's request bodies are a few hundred bytes


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog of 5 resets connections when a parallel client opens a
    # few dozen at once; Apple's front end does not.
    request_queue_size = 128
    daemon_threads = True


class SandboxServer:
    """`with SandboxServer(app, port=0) as server:` then `server.url`; `serve_forever()` blocks."""

    def __init__(self, app: SandboxApp, port: int = 0) -> None:
        handler = type("SandboxHandler", (_Handler,), {"app": app})
        self.httpd = _Server(("127.0.0.1", port), handler)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.1)

    def start(self) -> None:
        """Serve from a background thread (tests); `close()` stops it."""
        self._thread = threading.Thread(target=self.serve_forever, name="sandbox-server")
        self._thread.start()

    def close(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join()
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class _Handler(BaseHTTPRequestHandler):
    app: SandboxApp
    protocol_version = "HTTP/1.1"  # keep-alive, so clients reuse connections as with Apple

    def _dispatch(self) -> None:
        body = self._read_body()
        if body is None:
            return
        port = self.server.server_port  # type: ignore[attr-defined]  # an HTTPServer
        request = httpx.Request(
            self.command,
            f"http://127.0.0.1:{port}{self.path}",
            headers=[(k, v) for k, v in self.headers.items() if k.lower() != "host"],
            content=body,
        )
        try:
            response = self.app(request)
        except httpx.TransportError:
            # The injected drop: no status line, no body, the socket just closes.
            self.close_connection = True
            return
        except Exception as error:  # a sandbox bug: answer 500, keep serving, say it briefly
            sys.stderr.write(f"sandbox: {self.command} {self.path}: {error!r}\n")
            self._refuse(errors.unexpected_error())
            return
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _HOP_BY_HOP]
        self._send(response.status_code, headers, response.content)

    def _read_body(self) -> bytes | None:
        """The request body, or None after answering 400 to one that cannot be read safely."""
        if self.headers.get("Transfer-Encoding"):
            self._refuse(errors.bad_request("Chunked request bodies are not accepted."))
            return None
        text = self.headers.get("Content-Length") or "0"
        if not (text.isascii() and text.isdigit()):
            self._refuse(errors.bad_request(f"Content-Length {text[:20]!r} is not a length."))
            return None
        if int(text) > MAX_REQUEST_BYTES:
            self._refuse(errors.bad_request("The request body is too large."))
            return None
        return self.rfile.read(int(text)) if int(text) else b""

    def _refuse(self, problem: errors.ApiProblem) -> None:
        self.close_connection = True
        content = json.dumps(problem.body()).encode()
        self._send(problem.status, [("Content-Type", "application/json")], content)

    def _send(self, status: int, headers: list[tuple[str, str]], content: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = do_HEAD = do_OPTIONS = _dispatch

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the app keeps its own request log."""
