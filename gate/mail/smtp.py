"""The `Mailer` port over smtplib: one message to an email instance's relay, within the after-verdict deadline.

- `starttls` (the submission port, 587): STARTTLS is required; a relay that does not offer it gets
  nothing, not even the login. `tls` (465): TLS from the first byte. `plain`: only to this machine
  (gate.core.plugins checks the host before any scan).
- The relay's certificate is verified with the run's one TLS context (gate.net.tls): the public CAs,
  or the private CA SSL_CERT_FILE names, as for every other client of the run.
- One deadline no slow relay can stretch: each socket operation gets the time left, and a watchdog
  cuts the connection when it runs out, however slowly a reply drips.
- A transient failure (a 4xx reply, a connection reset) is tried once more within the deadline.
- A failure is a `MailRefused` naming what to fix, in words: the host and port, never the password
  (nor what a relay echoes after AUTH), never a traceback.
"""

from __future__ import annotations

import contextlib
import email.policy
import email.utils
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable
from email.message import EmailMessage
from typing import TYPE_CHECKING

from gate.core.clock import Deadline
from gate.core.errors import GateError, MailRefused
from gate.core.sanitize import clean
from gate.flow.ports import Mail
from gate.net.tls import Tls

if TYPE_CHECKING:
    from typing_extensions import Buffer  # collections.abc's from Python 3.12

# What EHLO says of this machine: smtplib would ask DNS (socket.getfqdn), which no deadline bounds.
EHLO_NAME = "localhost"
# A retry needs at least this long left to be worth starting.
RETRY_FLOOR_SECONDS = 1.0
SERVER_TEXT_CHARS = 120

NO_STARTTLS = (
    "the relay at {where} does not offer STARTTLS, so nothing was sent (not even the login): set security: tls "
    "(port 465) if it speaks TLS from the start, or use a relay that offers STARTTLS"
)
CANNOT_CONNECT = "could not connect to the relay at {where} ({reason}): check host and port, and the network to it"
NO_ANSWER = "no answer from the relay at {where} within the time budget: check host, port and security"
UNTRUSTED = (
    "the relay at {where} has a certificate this run does not trust ({reason}): if a private CA signs it, point "
    "SSL_CERT_FILE at that CA's PEM file in the step's env:"
)
NOT_TLS = "TLS with the relay at {where} failed ({reason}): check security (tls is for port 465, starttls for 587)"
AUTH_FAILED = (
    "the relay at {where} refused the login of user {user} (reply {code}): check user and the password in the "
    "variable {variable}"
)
NO_AUTH = "the relay at {where} offers no login (AUTH): leave out user and passwordEnv, or check host and security"
SENDER_REFUSED = (
    "the relay at {where} refused the sender {sender} ({reply}): check from (a relay often takes only its own "
    "domain, or the user's address)"
)
ALL_REFUSED = "the relay at {where} refused every recipient: {refused}; check the addresses in to"
DATA_REFUSED = "the relay at {where} refused the message ({reply})"
GAVE_UP = "the relay at {where} kept failing ({reason}), also when tried again"
DISCONNECTED = "the relay at {where} closed the connection ({reason})"


class SmtpMailer:
    """Sends through one email instance's relay: `security` is starttls, tls or plain; `user` (with `password`,
    from the variable `variable`) logs in when given."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: str,
        sender: str,
        recipients: tuple[str, ...],
        tls: Tls,
        deadline: Deadline,
        user: str | None = None,
        password: str = "",
        variable: str = "",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.sender = sender
        self.recipients = recipients
        self._host, self._port, self._security = host, port, security
        self._user, self._password, self._variable = user, password, variable
        self._tls, self._deadline, self._sleep = tls, deadline, sleep
        self._where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    def send(self, mail: Mail) -> list[str]:
        """Send `mail`; the recipients the relay refused (`addr (reply)`) when it took the others."""
        message = compose(mail)
        try:
            return self._deliver(mail, message)
        except (smtplib.SMTPException, OSError) as failure:
            if not _transient(failure) or self._deadline.remaining() < 2 * RETRY_FLOOR_SECONDS:
                raise self._refusal(failure) from None
            first = self._reason(failure)
        self._sleep(min(RETRY_FLOOR_SECONDS, self._deadline.remaining() / 4))
        try:
            return self._deliver(mail, message)
        except (smtplib.SMTPException, OSError) as failure:
            if not _transient(failure):
                raise self._refusal(failure) from None
            raise MailRefused(GAVE_UP.format(where=self._where, reason=first), _code(failure)) from None

    def _deliver(self, mail: Mail, message: bytes) -> list[str]:
        """One attempt: connect, secure, log in, send; the watchdog cuts the connection at the deadline."""
        left = self._deadline.remaining()
        if left <= 0:
            raise TimeoutError("the time budget ran out")
        try:
            context = self._tls.context() if self._security != "plain" else None
        except GateError as unusable:  # SSL_CERT_FILE holds no certificate: say so, as after the verdict
            raise MailRefused(str(unusable)) from None
        smtp = _connection(self._security, context, self._deadline)
        watchdog = threading.Timer(left, _cut, args=(smtp,))
        watchdog.daemon = True
        watchdog.start()
        try:
            smtp.aim(self._host)
            smtp.bound()
            smtp.connect(self._host, self._port)
            self._secure(smtp, context)
            if self._user is not None:
                self._login(smtp, self._user)
            refused = smtp.sendmail(self.sender, list(mail.to), message)
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.quit()  # sent: a QUIT the relay does not answer changes nothing
        finally:
            watchdog.cancel()
            smtp.close()
        return [f"{clean(address)} ({_reply(code, text)})" for address, (code, text) in refused.items()]

    def _secure(self, smtp: smtplib.SMTP, context: ssl.SSLContext | None) -> None:
        smtp.ehlo()
        if self._security != "starttls":
            return
        if not smtp.has_extn("starttls"):
            raise MailRefused(NO_STARTTLS.format(where=self._where))
        smtp.starttls(context=context)
        smtp.ehlo()

    def _login(self, smtp: smtplib.SMTP, user: str) -> None:
        """AUTH, by a mechanism the relay offers (smtplib picks CRAM-MD5, PLAIN or LOGIN)."""
        if not smtp.esmtp_features.get("auth", "").split():
            raise MailRefused(NO_AUTH.format(where=self._where))
        smtp.login(user, self._password)

    def _refusal(self, failure: BaseException) -> MailRefused:
        """What went wrong, in words that say what to fix."""
        if isinstance(failure, smtplib.SMTPException):
            return self._refused_by_relay(failure)
        return MailRefused(self._reason_sentence(failure))

    def _refused_by_relay(self, failure: smtplib.SMTPException) -> MailRefused:
        """The relay answered, and not as hoped: which command it refused, and what to fix."""
        where = self._where
        if isinstance(failure, smtplib.SMTPAuthenticationError):
            # The relay's text is not quoted: after AUTH it may echo what was sent (the password, encoded).
            user = clean(self._user or "")
            return MailRefused(
                AUTH_FAILED.format(where=where, user=user, code=failure.smtp_code, variable=self._variable),
                failure.smtp_code,
            )
        if isinstance(failure, smtplib.SMTPRecipientsRefused):
            refused = ", ".join(f"{clean(str(a))} ({_reply(*reply)})" for a, reply in failure.recipients.items())
            return MailRefused(ALL_REFUSED.format(where=where, refused=refused), _code(failure))
        if isinstance(failure, smtplib.SMTPSenderRefused):
            reply = _reply(failure.smtp_code, failure.smtp_error)
            return MailRefused(SENDER_REFUSED.format(where=where, sender=clean(self.sender), reply=reply))
        if isinstance(failure, smtplib.SMTPResponseException):
            return MailRefused(DATA_REFUSED.format(where=where, reply=_reply(failure.smtp_code, failure.smtp_error)))
        return MailRefused(self._reason_sentence(failure))  # disconnected: no reply to quote

    def _reason_sentence(self, failure: BaseException) -> str:
        where, reason = self._where, self._reason(failure)
        if self._deadline.remaining() <= 0 or isinstance(failure, TimeoutError):
            return NO_ANSWER.format(where=where)
        if isinstance(failure, ssl.SSLCertVerificationError):
            return UNTRUSTED.format(where=where, reason=reason)
        if isinstance(failure, ssl.SSLError):
            return NOT_TLS.format(where=where, reason=reason)
        if isinstance(failure, smtplib.SMTPServerDisconnected | ConnectionResetError | BrokenPipeError):
            return DISCONNECTED.format(where=where, reason=reason)
        return CANNOT_CONNECT.format(where=where, reason=reason)

    def _reason(self, failure: BaseException) -> str:
        if isinstance(failure, smtplib.SMTPResponseException):
            return _reply(failure.smtp_code, failure.smtp_error)
        if isinstance(failure, ssl.SSLCertVerificationError):
            return clean(failure.verify_message or "not verified")[:SERVER_TEXT_CHARS]
        if isinstance(failure, OSError) and failure.strerror:
            return clean(failure.strerror)[:SERVER_TEXT_CHARS]
        return clean(str(failure) or type(failure).__name__)[:SERVER_TEXT_CHARS]


def compose(mail: Mail) -> bytes:
    """The message as the relay gets it: `email.policy.SMTP` (CRLF lines; a header with a line break in it is
    refused, so no header can be injected), a plain-text body, each attachment a file."""
    message = EmailMessage(policy=email.policy.SMTP)
    try:
        message["From"] = mail.sender
        message["To"] = ", ".join(mail.to)
        message["Subject"] = mail.subject
    except ValueError:
        raise MailRefused("the message's headers are not one line each; nothing was sent") from None
    message["Date"] = email.utils.formatdate(usegmt=True)
    message["Message-ID"] = email.utils.make_msgid("aikido-gate", domain=mail.sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to it
    message.set_content(mail.body)
    for file in mail.attachments:
        kind, _, subtype = file.content_type.partition("/")
        if kind == "text":
            message.add_attachment(file.text, subtype=subtype, filename=file.filename)
        else:
            message.add_attachment(file.text.encode(), maintype=kind, subtype=subtype, filename=file.filename)
    return message.as_bytes()


class _Bounded(smtplib.SMTP):
    """smtplib's client with each socket operation given the time left of one deadline."""

    deadline: Deadline

    def aim(self, host: str) -> None:
        """Name the host TLS verifies the certificate for: smtplib takes it only from its constructor, which would
        connect before the deadline and the watchdog are in place."""
        self._host = host

    def bound(self) -> None:
        """Give the next operation (connecting included) the time left."""
        self._left()

    def _left(self) -> float:
        left = self.deadline.remaining()
        if left <= 0:
            raise TimeoutError("the time budget ran out")
        self.timeout = left
        if self.sock is not None:
            self.sock.settimeout(left)
        return left

    def send(self, s: Buffer | str) -> None:
        self._left()
        super().send(s)

    def getreply(self) -> tuple[int, bytes]:
        self._left()
        return super().getreply()


class _BoundedTls(_Bounded, smtplib.SMTP_SSL):
    """The same, over TLS from the first byte."""


def _connection(security: str, context: ssl.SSLContext | None, deadline: Deadline) -> _Bounded:
    smtp: _Bounded
    if security == "tls":
        smtp = _BoundedTls(local_hostname=EHLO_NAME, context=context)
    else:
        smtp = _Bounded(local_hostname=EHLO_NAME)
    smtp.deadline = deadline
    return smtp


def _cut(smtp: smtplib.SMTP) -> None:
    """The deadline passed: shut the connection, so a reply that drips byte by byte ends now."""
    sock = smtp.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _code(failure: BaseException) -> int:
    if isinstance(failure, smtplib.SMTPResponseException):
        return failure.smtp_code
    if isinstance(failure, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in failure.recipients.values()]
        return max(codes, default=0)
    return 0


def _transient(failure: BaseException) -> bool:
    """Worth one more try: a 4xx reply (every recipient's, when all were refused), or a connection reset."""
    if isinstance(failure, smtplib.SMTPRecipientsRefused):
        return bool(failure.recipients) and all(400 <= code < 500 for code, _ in failure.recipients.values())
    if isinstance(failure, smtplib.SMTPResponseException):
        return 400 <= failure.smtp_code < 500 and not isinstance(failure, smtplib.SMTPAuthenticationError)
    return isinstance(failure, ConnectionResetError | smtplib.SMTPServerDisconnected)


def _reply(code: int, text: bytes | str) -> str:
    """A relay's reply as a message quotes it: its code and the start of its text, cleaned (hostile text)."""
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {clean(' '.join(said.split()))[:SERVER_TEXT_CHARS]}".strip()
