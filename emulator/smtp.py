"""An SMTP relay on loopback (aiosmtpd), for the tests and the demo: records every message it takes.

As a real submission relay: STARTTLS offered and required before anything else (mode "starttls"),
TLS from the first byte ("tls", as on port 465) or plain SMTP ("plain"); AUTH PLAIN and LOGIN
checked against one user and password when `user` is given. To show failures it can refuse
recipients (`refuse`), answer MAIL FROM with queued replies first (`busy`, e.g. "451 4.3.0 try
again") and leave STARTTLS out (`offer_starttls=False`).
"""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from emulator.tls import Certificate


class _Session(Session):
    # aiosmtpd 1.4 sets this deprecated alias of auth_data after each AUTH, with a DeprecationWarning the
    # tests' filter would raise in the relay's thread: a plain attribute here.
    login_data: Any = None


class _Smtp(SMTP):
    def _create_session(self) -> Session:
        return _Session(self.loop)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _Smtp(self.handler, **self.SMTP_kwargs)


@dataclass(frozen=True)
class Received:
    """One message the relay took: who sent it to whom, as the envelope says, and the message itself."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes
    login: str | None

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class _Handler:
    refuse: frozenset[str]
    busy: list[str]
    received: list[Received] = field(default_factory=list)

    async def handle_MAIL(  # noqa: N802 -- aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.busy:
            return self.busy.pop(0)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802 -- aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 <" + address + ">: no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 -- as above
        data = envelope.original_content or b""
        login = session.auth_data.decode() if isinstance(session.auth_data, bytes) else None
        self.received.append(Received(envelope.mail_from or "", tuple(envelope.rcpt_tos), data, login))
        return "250 2.0.0 queued"


def free_port() -> int:
    """A port nothing listens on right now (for a relay to start on, or to show a relay that is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class SmtpRelay:
    """A relay on 127.0.0.1; `received` holds what it took. Use it as a context manager."""

    def __init__(
        self,
        certificate: Certificate | None = None,
        *,
        mode: str = "starttls",
        user: str | None = None,
        password: str = "",
        refuse: tuple[str, ...] = (),
        busy: tuple[str, ...] = (),
        offer_starttls: bool = True,
    ) -> None:
        self.host, self.port = "127.0.0.1", free_port()
        self._handler = _Handler(frozenset(refuse), list(busy))
        self._user, self._password = user, password
        tls = certificate.server() if certificate is not None else None
        parameters: dict[str, Any] = {
            # Plain SMTP offers AUTH but cannot require it (aiosmtpd warns of AUTH in the clear).
            "auth_required": user is not None and mode != "plain",
            "auth_require_tls": mode != "plain",
            "authenticator": self._authenticate,
        }
        if user is None:  # no AUTH offered at all
            parameters["auth_exclude_mechanism"] = ["LOGIN", "PLAIN"]
        if mode == "starttls" and offer_starttls:
            parameters |= {"tls_context": tls, "require_starttls": True}
        self._controller = _Controller(
            self._handler,
            hostname=self.host,
            port=self.port,
            ssl_context=tls if mode == "tls" else None,
            **parameters,
        )

    @property
    def received(self) -> list[Received]:
        return self._handler.received

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        good = data.login.decode() == self._user and data.password.decode() == self._password
        if not good:
            return AuthResult(success=False, handled=False)  # aiosmtpd answers 535
        return AuthResult(success=True, auth_data=data.login)

    def __enter__(self) -> SmtpRelay:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()
