"""The sandbox on loopback: a standard-library ThreadingHTTPServer around the same app.

It binds 127.0.0.1 only. A dropped-connection fault closes the socket without an answer.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

import httpx

from reconciler.sandbox.app import SandboxApp

__all__ = ["SandboxServer"]

_HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "keep-alive"}


class SandboxServer:
    """`with SandboxServer(app, port=0) as server:` then `server.url`; `serve_forever()` blocks."""

    def __init__(self, app: SandboxApp, port: int = 0) -> None:
        handler = type("SandboxHandler", (_Handler,), {"app": app})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
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
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
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
        content = response.content
        self.send_response(response.status_code)
        for name, value in response.headers.items():
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = do_HEAD = do_OPTIONS = _dispatch

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the app keeps its own request log."""
