"""An HTTP proxy on loopback that refuses everyone with 407, and records what it was asked."""

from __future__ import annotations

import socket
import threading

REFUSAL = (
    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
    b'Proxy-Authenticate: Basic realm="corp"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'
)


class RefusingProxy:
    """Answers every request (a CONNECT tunnel or a forwarded plain-http request) with 407."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self.heads: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            with connection:
                head = b""
                while b"\r\n\r\n" not in head and (chunk := connection.recv(65536)):
                    head += chunk
                self.heads.append(head.decode("latin-1"))
                connection.sendall(REFUSAL)

    @property
    def request_lines(self) -> list[str]:
        return [head.partition("\r\n")[0] for head in self.heads]

    def __enter__(self) -> RefusingProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.close()
