"""A chat webhook on loopback (Slack's incoming-webhook shape): records each posted body and answers ok."""

from __future__ import annotations

from typing import Any

from emulator.server import Answer, LoopbackServer, Request


class ChatWebhook:
    """Answers the statuses it is given first (to show retries, with `headers`: a Retry-After), then 200 "ok"."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.headers: dict[str, str] = {}
        self.bodies: list[Any] = []
        self._server = LoopbackServer(self._handle)

    def _handle(self, request: Request) -> Answer:
        self.bodies.append(request.body)
        status = self.statuses.pop(0) if self.statuses else 200
        return (status, "ok", {}) if status == 200 else (status, {"error": "busy"}, dict(self.headers))

    @property
    def url(self) -> str:
        return self._server.url + "/services/T000/B000/demo"

    def __enter__(self) -> ChatWebhook:
        self._server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.__exit__(*exc)
