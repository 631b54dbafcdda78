"""gate.mail.smtp: SmtpMailer against a real SMTP relay on loopback (aiosmtpd), over STARTTLS, TLS and plain SMTP.

The relay's certificate is the test's own CA (emulator/tls.py), trusted as a runner trusts a
private CA: through SSL_CERT_FILE, which the run's one TLS context reads.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.smtp import SmtpRelay, free_port
from emulator.tls import Certificate
from gate.core.clock import Deadline
from gate.core.errors import MailRefused
from gate.core.mail import Attachment
from gate.core.sanitize import add_secrets
from gate.flow.ports import Mail
from gate.mail.smtp import SmtpMailer, compose
from gate.net.tls import Tls

PASSWORD = "smtp-Pa55word-0123456789"
MAIL = Mail(
    "aikido-gate@acme.test",
    ("appsec@acme.test", "lead@acme.test"),
    "Aikido gate FAILED: octo-org/octo-repo, branch main",
    "Aikido security gate failed.\n",
)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return Certificate.make(tmp_path_factory.mktemp("smtp-ca"))


@pytest.fixture
def trusted(certificate: Certificate, monkeypatch: pytest.MonkeyPatch) -> Tls:
    """The run's TLS context, trusting the relay's CA as a runner with a private CA does."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.ca))
    return Tls(os.environ)


def mailer(relay_port: int, tls: Tls, *, security: str = "starttls", seconds: float = 10, **more: object) -> SmtpMailer:
    options: dict[str, object] = {
        "host": "127.0.0.1",
        "port": relay_port,
        "security": security,
        "sender": MAIL.sender,
        "recipients": MAIL.to,
        "tls": tls,
        "deadline": Deadline.after(seconds),
        "user": "aikido-gate",
        "password": PASSWORD,
        "variable": "SMTP_PASSWORD",
        "sleep": lambda _: None,
    } | more
    return SmtpMailer(**options)  # type: ignore[arg-type]  # options of several types, as the wiring passes them


@pytest.fixture
def relay(certificate: Certificate) -> Iterator[SmtpRelay]:
    with SmtpRelay(certificate, user="aikido-gate", password=PASSWORD) as started:
        yield started


class TestSend:
    """SmtpMailer.send: STARTTLS required, TLS, plain to loopback; AUTH; the message as sent"""

    def test_starttls_and_login(self, relay: SmtpRelay, trusted: Tls) -> None:
        assert mailer(relay.port, trusted).send(MAIL) == []
        [received] = relay.received
        assert (received.sender, received.recipients, received.login) == (MAIL.sender, MAIL.to, "aikido-gate")
        message = received.message
        assert message["Subject"] == MAIL.subject
        assert message["To"] == "appsec@acme.test, lead@acme.test"
        assert message["Auto-Submitted"] == "auto-generated"
        assert message.get_content().replace("\r\n", "\n") == MAIL.body
        assert PASSWORD not in received.data.decode()

    def test_tls_from_the_first_byte(self, certificate: Certificate, trusted: Tls) -> None:
        with SmtpRelay(certificate, mode="tls") as relay:
            assert mailer(relay.port, trusted, security="tls", user=None).send(MAIL) == []
        assert [received.login for received in relay.received] == [None]

    def test_plain_to_this_machine_loads_no_ca(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Plain SMTP never speaks TLS: a CA bundle that cannot load is never read."""
        broken = tmp_path / "not-a-ca.pem"
        broken.write_text("nothing\n")
        monkeypatch.setenv("SSL_CERT_FILE", str(broken))
        with SmtpRelay(mode="plain", user="aikido-gate", password=PASSWORD) as relay:
            assert mailer(relay.port, Tls(os.environ), security="plain").send(MAIL) == []
        assert [received.login for received in relay.received] == ["aikido-gate"]

    def test_attachments_ride_along(self, relay: SmtpRelay, trusted: Tls) -> None:
        files = (
            Attachment("aikido-gate-summary.md", "text/markdown", "## ❌ failed\n"),
            Attachment("results.sarif", "application/sarif+json", '{"runs": []}\n'),
        )
        mailer(relay.port, trusted).send(Mail(MAIL.sender, MAIL.to, MAIL.subject, MAIL.body, files))
        parts = list(relay.received[0].message.iter_attachments())
        assert [(part.get_filename(), part.get_content_type()) for part in parts] == [
            ("aikido-gate-summary.md", "text/markdown"),
            ("results.sarif", "application/sarif+json"),
        ]
        assert parts[0].get_content().replace("\r\n", "\n") == "## ❌ failed\n"
        assert parts[1].get_content() == b'{"runs": []}\n'


class TestRefused:
    """SmtpMailer.send: each failure a MailRefused naming what to fix, never the password"""

    def test_a_wrong_password(self, certificate: Certificate, trusted: Tls) -> None:
        add_secrets([PASSWORD])
        relay = SmtpRelay(certificate, user="aikido-gate", password="another")
        with relay, pytest.raises(MailRefused) as refused:
            mailer(relay.port, trusted).send(MAIL)
        assert str(refused.value) == (
            f"the relay at 127.0.0.1:{relay.port} refused the login of user aikido-gate (reply 535): check user and "
            "the password in the variable SMTP_PASSWORD"
        )
        assert relay.received == []

    def test_no_starttls_offered_sends_nothing_not_even_the_login(self, certificate: Certificate, trusted: Tls) -> None:
        with SmtpRelay(certificate, offer_starttls=False) as relay, pytest.raises(MailRefused) as refused:
            mailer(relay.port, trusted).send(MAIL)
        assert str(refused.value) == (
            f"the relay at 127.0.0.1:{relay.port} does not offer STARTTLS, so nothing was sent (not even the login): "
            "set security: tls (port 465) if it speaks TLS from the start, or use a relay that offers STARTTLS"
        )

    def test_some_recipients_refused_are_named(self, certificate: Certificate, trusted: Tls) -> None:
        with SmtpRelay(certificate, refuse=("lead@acme.test",)) as relay:
            refused = mailer(relay.port, trusted, user=None).send(MAIL)
        assert refused == ["lead@acme.test (550 5.1.1 <lead@acme.test>: no such user here)"]
        assert [received.recipients for received in relay.received] == [("appsec@acme.test",)]

    def test_every_recipient_refused(self, certificate: Certificate, trusted: Tls) -> None:
        with SmtpRelay(certificate, refuse=MAIL.to) as relay, pytest.raises(MailRefused) as refused:
            mailer(relay.port, trusted, user=None).send(MAIL)
        assert str(refused.value) == (
            f"the relay at 127.0.0.1:{relay.port} refused every recipient: appsec@acme.test (550 5.1.1 "
            "<appsec@acme.test>: no such user here), lead@acme.test (550 5.1.1 <lead@acme.test>: no such user here); "
            "check the addresses in to"
        )

    def test_an_untrusted_certificate(self, certificate: Certificate, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        with SmtpRelay(certificate, mode="tls") as relay, pytest.raises(MailRefused) as refused:
            mailer(relay.port, Tls(os.environ), security="tls").send(MAIL)
        assert str(refused.value).startswith(
            f"the relay at 127.0.0.1:{relay.port} has a certificate this run does not trust ("
        )
        assert str(refused.value).endswith("point SSL_CERT_FILE at that CA's PEM file in the step's env:")

    def test_tls_to_a_relay_that_waits_for_starttls(self, relay: SmtpRelay, trusted: Tls) -> None:
        with pytest.raises(MailRefused, match=r"^TLS with the relay at 127\.0\.0\.1:\d+ failed \(.*\): check security"):
            mailer(relay.port, trusted, security="tls", seconds=3).send(MAIL)

    def test_a_login_to_a_relay_that_offers_none(self, certificate: Certificate, trusted: Tls) -> None:
        relay = SmtpRelay(certificate)
        with relay, pytest.raises(MailRefused) as refused:
            mailer(relay.port, trusted).send(MAIL)
        assert str(refused.value) == (
            f"the relay at 127.0.0.1:{relay.port} offers no login (AUTH): leave out user and passwordEnv, or check "
            "host and security"
        )

    def test_ca_certificates_that_cannot_load(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        broken = tmp_path / "not-a-ca.pem"
        broken.write_text("nothing\n")
        monkeypatch.setenv("SSL_CERT_FILE", str(broken))
        with pytest.raises(MailRefused, match=r"^SSL_CERT_FILE is '.*not-a-ca\.pem', which gives no CA certificates"):
            mailer(free_port(), Tls(os.environ)).send(MAIL)

    def test_nothing_listening(self, trusted: Tls) -> None:
        port = free_port()
        with pytest.raises(MailRefused) as refused:
            mailer(port, trusted).send(MAIL)
        assert str(refused.value) == (
            f"could not connect to the relay at 127.0.0.1:{port} (Connection refused): check host and port, and the "
            "network to it"
        )


class TestRetry:
    """SmtpMailer.send: a 4xx reply is tried once more, within the deadline"""

    @pytest.mark.parametrize("reply", ["451 4.3.0 try again later", "421 4.3.2 shutting down"])
    def test_once_more_after_a_transient_reply(self, certificate: Certificate, trusted: Tls, reply: str) -> None:
        slept: list[float] = []
        with SmtpRelay(certificate, busy=(reply,)) as relay:
            assert mailer(relay.port, trusted, user=None, sleep=slept.append).send(MAIL) == []
        assert len(relay.received) == 1
        assert slept == [1.0]

    def test_only_once(self, certificate: Certificate, trusted: Tls) -> None:
        busy = ("451 4.3.0 try again later", "451 4.3.0 still busy", "250 never reached")
        with SmtpRelay(certificate, busy=busy) as relay, pytest.raises(MailRefused) as refused:
            mailer(relay.port, trusted, user=None).send(MAIL)
        assert str(refused.value) == (
            f"the relay at 127.0.0.1:{relay.port} kept failing (451 4.3.0 try again later), also when tried again"
        )
        assert relay.received == []

    def test_a_permanent_refusal_on_the_second_try_is_named(self, certificate: Certificate, trusted: Tls) -> None:
        relay = SmtpRelay(certificate, busy=("451 4.3.0 try again later", "553 5.7.1 sender not allowed"))
        with relay, pytest.raises(MailRefused, match=r"refused the sender aikido-gate@acme\.test \(553 5\.7\.1"):
            mailer(relay.port, trusted, user=None).send(MAIL)

    def test_no_time_left_no_try(self, relay: SmtpRelay, trusted: Tls) -> None:
        with pytest.raises(MailRefused, match=r"^no answer from the relay at 127\.0\.0\.1:\d+ within the time budget"):
            mailer(relay.port, trusted, seconds=-1).send(MAIL)
        assert relay.received == []

    def test_a_permanent_refusal_is_not_tried_again(self, certificate: Certificate, trusted: Tls) -> None:
        relay = SmtpRelay(certificate, busy=("553 5.7.1 sender not allowed",))
        with relay, pytest.raises(MailRefused) as refused:
            mailer(relay.port, trusted, user=None).send(MAIL)
        assert str(refused.value) == (
            f"the relay at 127.0.0.1:{relay.port} refused the sender aikido-gate@acme.test (553 5.7.1 sender not "
            "allowed): check from (a relay often takes only its own domain, or the user's address)"
        )


class Dripping:
    """A relay that greets one byte at a time, slower than any deadline: only the deadline ends the wait."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        connection, _ = self._listener.accept()
        with connection:
            for byte in b"220 slow.example ESMTP" * 100:
                if self._stop.wait(0.2):
                    return
                try:
                    connection.send(bytes([byte]))
                except OSError:
                    return

    def close(self) -> None:
        self._stop.set()
        self._listener.close()


def test_a_dripping_relay_cannot_stretch_the_deadline(trusted: Tls) -> None:
    dripping = Dripping()
    started = time.monotonic()
    try:
        with pytest.raises(MailRefused) as refused:
            mailer(dripping.port, trusted, seconds=1.5).send(MAIL)
    finally:
        dripping.close()
    assert time.monotonic() - started < 2.5
    assert str(refused.value) == (
        f"no answer from the relay at 127.0.0.1:{dripping.port} within the time budget: check host, port and security"
    )


class TestCompose:
    """compose: email.policy.SMTP's message; a header with a line break in it is refused"""

    def test_crlf_lines_and_utf8(self) -> None:
        data = compose(Mail(MAIL.sender, MAIL.to, "Aikido gate FAILED: ünïcode", "Body ✓\n"))
        assert b"\r\n" in data
        assert b"\n" not in data.replace(b"\r\n", b"")
        [subject] = [line for line in data.split(b"\r\n") if line.startswith(b"Subject: ")]
        assert subject.startswith(b"Subject: Aikido gate FAILED: =?utf-8?")

    @pytest.mark.parametrize("subject", ["a\r\nBcc: evil@example.com", "a\nBcc: evil@example.com"])
    def test_no_header_injection(self, subject: str) -> None:
        with pytest.raises(MailRefused, match="the message's headers are not one line each; nothing was sent"):
            compose(Mail(MAIL.sender, MAIL.to, subject, "b"))
