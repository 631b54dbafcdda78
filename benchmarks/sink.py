"""A sink for Aikido's CI API on loopback: reads each request to its end and answers at once.

Unlike the emulator it parses nothing, so what a benchmark measures is the client's own
cost. It answers a start with a scan id, a poll with a final passed status, an upload with
`{"success": 1}`, and records when each request began and ended and when its answer left
(and, when asked, the body it carried).
Given a TLS context it speaks https (emulator.tls makes a certificate for 127.0.0.1), so a
start-up is measured with the TLS work a run against Aikido does.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass

FINAL = {
    "all_scans_completed": True,
    "dependency_scan_completed": True,
    "sast_scan_completed": True,
    "iac_scan_completed": True,
    "secrets_scan_completed": True,
    "gate_passed": True,
    "new_issues_found": 0,
    "diff_url": "https://app.aikido.dev/featurebranch/scan/1",
}


@dataclass
class Seen:
    """One request, on time.monotonic(): its first byte, its last byte, and when its answer was sent."""

    method: str
    path: str
    size: int
    first_byte: float
    last_byte: float
    answered: float
    body: bytes = b""


class Sink:
    """Serves on 127.0.0.1 in daemon threads; `seen` lists every request in arrival order."""

    def __init__(self, tls: ssl.SSLContext | None = None, *, keep_bodies: bool = False) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._tls = tls
        self._keep_bodies = keep_bodies
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self._server.getsockname()[1]}"
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def clear(self) -> None:
        with self._lock:
            self.seen.clear()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        if self._tls is not None:
            try:
                connection = self._tls.wrap_socket(connection, server_side=True)
            except OSError:
                connection.close()
                return
        with connection, connection.makefile("rb") as stream:
            while line := stream.readline():
                first = time.monotonic()
                method, target, _ = line.decode("latin-1").split(" ", 2)
                length = 0
                while (header := stream.readline()) not in (b"\r\n", b""):
                    name, _, value = header.decode("latin-1").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                left, kept = length, bytearray()
                while left:
                    chunk = stream.read(min(left, 1 << 20))
                    if not chunk:
                        return
                    left -= len(chunk)
                    if self._keep_bodies:
                        kept += chunk
                last = time.monotonic()
                connection.sendall(self._answer(method, target))
                seen = Seen(method, target.split("?")[0], length, first, last, time.monotonic(), bytes(kept))
                with self._lock:
                    self.seen.append(seen)

    @staticmethod
    def _answer(method: str, target: str) -> bytes:
        if target.endswith("/custom"):
            body: object = {"success": 1}
        elif method == "POST":
            body = {"scan_id": 1}
        else:
            body = FINAL
        data = json.dumps(body).encode()
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        return head.encode() + data

    def close(self) -> None:
        self._server.close()
