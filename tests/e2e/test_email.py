"""send_email end to end: the action mails through an email instance to a real SMTP relay on loopback (aiosmtpd).

STARTTLS required and AUTH checked, the relay's certificate signed by the test's own CA, which the
step trusts through SSL_CERT_FILE as a runner with a private CA does; the password comes from the
step's env: as a secret would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.aikido import AikidoEmulator
from emulator.github import REPO, FakeGitHub
from emulator.runner import ActionRun
from emulator.smtp import SmtpRelay, free_port
from emulator.tls import Certificate
from tests.conftest import KEY, sample
from tests.support.action import act, annotations_of
from tests.support.leak import as_read

PATH = ".github/aikido-gate.yml"
PUSH = sample("push")
PASSWORD = "smtp-Pa55word-0123456789"
POLICY = """\
version: 1
instances:
  - instanceId: security-mail
    pluginId: email
    email:
      host: 127.0.0.1
      port: {port}
      security: starttls
      from: aikido-gate@acme.test
      to: [appsec@acme.test, lead@acme.test]
      user: aikido-gate
      passwordEnv: SMTP_PASSWORD
automations:
  - name: Mail the team
    events:
      - eventType: {event}
        actions:
          - actionType: send_email
            sendEmailOptions: {{instanceId: security-mail}}
"""
LINK = "https://app.aikido.dev/featurebranch/scan/1?groupId=1"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return Certificate.make(tmp_path_factory.mktemp("smtp-ca"))


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        yield fake


@pytest.fixture
def relay(certificate: Certificate) -> Iterator[SmtpRelay]:
    with SmtpRelay(certificate, user="aikido-gate", password=PASSWORD) as started:
        yield started


def run(
    tmp_path: Path,
    github: FakeGitHub,
    certificate: Certificate,
    port: int,
    *,
    event: str = "vulnerability_found",
    scenario: str = "fail",
    password: str | None = PASSWORD,
    inputs: dict[str, str] | None = None,
) -> ActionRun:
    """A push to main judged in `scenario`, the policy file mailing through the relay at `port` on `event`."""
    github.files[(REPO, PATH, PUSH["after"])] = POLICY.format(port=port, event=event)
    env = {"GITHUB_API_URL": github.api_url, "GITHUB_REPOSITORY": REPO, "SSL_CERT_FILE": str(certificate.ca)}
    if password is not None:
        env["SMTP_PASSWORD"] = password
    with AikidoEmulator(scenario) as emulator:
        return act(tmp_path, emulator, event="push", env=env, inputs={"policy-file": PATH, **(inputs or {})})


def assert_password_hidden(done: ActionRun, relay: SmtpRelay | None = None) -> None:
    """The password masked for the runner, then in no line, output, summary or mail, in any form."""
    lines = done.stdout.splitlines()
    assert f"::add-mask::{PASSWORD}" in lines
    shown = [line for line in lines if line != f"::add-mask::{PASSWORD}"]
    secret = as_read(PASSWORD)
    assert [line for line in shown if secret in as_read(line)] == []
    assert secret not in as_read(done.summary + json.dumps(done.outputs, ensure_ascii=False))
    for received in relay.received if relay else []:
        text = as_read(received.data.decode("utf-8", "replace"))
        assert secret not in text
        assert as_read(KEY) not in text


class TestSendEmail:
    """A failing run's mail, the report attached on report_created, and every failure a warning"""

    def test_a_failing_run_s_mail_arrives(
        self, tmp_path: Path, github: FakeGitHub, certificate: Certificate, relay: SmtpRelay
    ) -> None:
        done = run(tmp_path, github, certificate, relay.port)
        assert (done.returncode, done.outputs["outcome"]) == (10, "FAILED")
        assert annotations_of(done, "warning") == []
        assert "Mail the team: e-mail to security-mail sent (2 recipients)" in done.stdout.splitlines()
        assert "e-mail to security-mail sent (2 recipients)" in done.summary
        [received] = relay.received
        assert received.sender == "aikido-gate@acme.test"
        assert received.recipients == ("appsec@acme.test", "lead@acme.test")
        assert received.login == "aikido-gate"
        message = received.message
        assert message["Subject"] == (
            "Aikido gate FAILED: octo-org/octo-repo, branch main (4 new issues (2 dependency, 2 SAST, 0 IaC, "
            "0 leaked secrets))"
        )
        assert message["To"] == "appsec@acme.test, lead@acme.test"
        body = message.get_content().replace("\r\n", "\n")
        assert "Aikido security gate failed: the scan found issues that block this change" in body
        assert f"The scan in Aikido: {LINK}" in body
        assert "Counts: 4 new issues" in body
        assert list(message.iter_attachments()) == []
        assert_password_hidden(done, relay)

    def test_report_created_attaches_the_summary_and_the_sarif_file(
        self, tmp_path: Path, github: FakeGitHub, certificate: Certificate, relay: SmtpRelay
    ) -> None:
        done = run(
            tmp_path,
            github,
            certificate,
            relay.port,
            event="report_created",
            scenario="sast-odd",
            inputs={"sarif-file": "build/aikido.sarif", "fail-on-sast-scan": "true"},
        )
        assert done.outputs["sarif-file"] == "build/aikido.sarif"
        [received] = relay.received
        files = {part.get_filename(): part for part in received.message.iter_attachments()}
        assert list(files) == ["aikido-gate-summary.md", "aikido.sarif"]
        summary = files["aikido-gate-summary.md"].get_content().replace("\r\n", "\n")
        assert summary.startswith("## ❌ Aikido security gate failed")
        assert summary in done.summary  # the summary as the run wrote it
        sarif = files["aikido.sarif"]
        assert sarif.get_content_type() == "application/sarif+json"
        assert sarif.get_content() == (tmp_path / "workspace" / "build" / "aikido.sarif").read_bytes()
        assert_password_hidden(done, relay)

    def test_a_missing_password_is_one_warning_and_the_verdict_stands(
        self, tmp_path: Path, github: FakeGitHub, certificate: Certificate, relay: SmtpRelay
    ) -> None:
        done = run(tmp_path, github, certificate, relay.port, password=None)
        assert (done.returncode, done.outputs["outcome"]) == (10, "FAILED")
        [warning] = annotations_of(done, "warning")
        assert warning.endswith(
            "automation 'Mail the team' cannot use instance 'security-mail': the variable SMTP_PASSWORD is empty or "
            "not set; set it in the step's env: from a secret, e.g. SMTP_PASSWORD: ${{ secrets.SMTP_PASSWORD }}"
        )
        assert relay.received == []

    def test_a_relay_that_is_down_is_a_warning_and_the_verdict_stands(
        self, tmp_path: Path, github: FakeGitHub, certificate: Certificate
    ) -> None:
        port = free_port()
        done = run(tmp_path, github, certificate, port)
        assert (done.returncode, done.outputs["outcome"]) == (10, "FAILED")
        [warning] = annotations_of(done, "warning")
        assert warning.endswith(
            f"Mail the team: e-mail to security-mail not sent (could not connect to the relay at 127.0.0.1:{port} "
            "(Connection refused): check host and port, and the network to it)"
        )
        assert_password_hidden(done)

    def test_a_wrong_password_names_the_variable_never_the_password(
        self, tmp_path: Path, github: FakeGitHub, certificate: Certificate, relay: SmtpRelay
    ) -> None:
        done = run(tmp_path, github, certificate, relay.port, password="not-" + PASSWORD)
        [warning] = annotations_of(done, "warning")
        assert warning.endswith(
            f"e-mail to security-mail not sent (the relay at 127.0.0.1:{relay.port} refused the login of user "
            "aikido-gate (reply 535): check user and the password in the variable SMTP_PASSWORD)"
        )
        assert "not-smtp" not in done.stdout.replace("::add-mask::not-" + PASSWORD, "")
        assert relay.received == []

    def test_plain_smtp_to_another_machine_is_refused_before_any_scan(
        self, tmp_path: Path, github: FakeGitHub, certificate: Certificate
    ) -> None:
        github.files[(REPO, PATH, PUSH["after"])] = (
            POLICY.format(port=25, event="scan_done")
            .replace("host: 127.0.0.1", "host: smtp.acme.test")
            .replace("security: starttls", "security: plain")
        )
        with AikidoEmulator("fail") as emulator:
            done = act(
                tmp_path,
                emulator,
                event="push",
                env={"GITHUB_API_URL": github.api_url, "GITHUB_REPOSITORY": REPO},
                inputs={"policy-file": PATH},
            )
            assert emulator.requests == []
        assert (done.returncode, done.outputs["outcome"]) == (1, "ERROR")
        [error] = annotations_of(done, "error")
        assert "line 8: instances[0].email.security: plain sends the mail (and the password) in the clear" in error
