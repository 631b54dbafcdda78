"""JSON over HTTP on loopback, served from a background thread: the emulator's and the test fakes' transport."""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Drip:
    """A JSON body sent one byte every `every` seconds after the headers: a server that never quite answers."""

    body: Any
    every: float = 0.5


# Status, body (JSON, a str sent as HTML, bytes sent as they are, or a Drip), extra headers.
Answer = tuple[int, Any, dict[str, str]]


@dataclass
class Request:
    """One request as the server received it; `at` is on time.monotonic()."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    at: float


class LoopbackServer:
    """Calls `handle` for each request on 127.0.0.1; a context manager runs it."""

    def __init__(
        self, handle: Callable[[Request], Answer], *, port: int = 0, tls: ssl.SSLContext | None = None
    ) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(handle))
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._scheme = "https" if tls else "http"
        # A short poll interval, so leaving the context is quick.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"{self._scheme}://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(handle: Callable[[Request], Answer]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: callers record what they need."""

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PATCH(self) -> None:
            self._serve("PATCH")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

        def _serve(self, method: str) -> None:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                self._answer((411, {"error": "send a Content-Length"}, {}))
                return
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            url = urlsplit(self.path)
            request = Request(method, url.path, parse_qs(url.query), dict(self.headers.items()), body, time.monotonic())
            self._answer(handle(request))

        def _answer(self, answer: Answer) -> None:
            status, body, headers = answer
            drip = body if isinstance(body, Drip) else None
            body = drip.body if drip else body
            is_text = isinstance(body, str)
            raw = isinstance(body, bytes)
            # 204 No Content carries no body at all.
            data = b"" if status == 204 else body if raw else body.encode() if is_text else json.dumps(body).encode()
            kind = "application/octet-stream" if raw else "text/html; charset=utf-8" if is_text else "application/json"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if drip is None:
                self.wfile.write(data)
                return
            for byte in data:
                self.wfile.flush()
                time.sleep(drip.every)
                try:
                    self.wfile.write(bytes([byte]))
                except OSError:  # the client gave up: that is the point
                    return

    return Handler
