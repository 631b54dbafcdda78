"""End to end over https, as against Aikido: the emulator behind a certificate of our own, trusted or not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.aikido import AikidoEmulator
from emulator.github import FakeGitHub
from emulator.tls import Certificate
from tests.conftest import KEY
from tests.support.action import act, annotations_of


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return Certificate.make(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def secure(certificate: Certificate) -> Iterator[AikidoEmulator]:
    with AikidoEmulator("pass", tls=certificate.server()) as running:
        yield running


def test_a_gate_over_https_passes(tmp_path: Path, secure: AikidoEmulator, certificate: Certificate) -> None:
    """The TLS context is built aside during the imports and shared; the key travels only inside TLS."""
    assert secure.url.startswith("https://")
    run = act(tmp_path, secure, env={"SSL_CERT_FILE": str(certificate.ca)})
    assert run.returncode == 0, run.stdout
    assert run.outputs["outcome"] == "SUCCEEDED"
    assert [request.path for request in secure.requests][:1] == [
        "/api/integrations/continuous_integration/scan/repository"
    ]
    assert secure.requests[0].headers["X-AIK-API-SECRET"] == KEY


def test_an_untrusted_certificate_is_named_and_not_retried(tmp_path: Path, secure: AikidoEmulator) -> None:
    run = act(tmp_path, secure)
    assert run.returncode == 1
    [error] = annotations_of(run, "error")
    assert "its TLS certificate could not be verified: self-signed certificate" in error
    assert "a proxy or firewall that inspects TLS" in error
    assert "SSL_CERT_FILE" in error
    assert "transient fault" not in run.stdout  # a certificate does not change between attempts
    assert secure.requests == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [(None, "No such file or directory"), ("not a certificate\n", "X509: NO_CERTIFICATE_OR_CRL_FOUND")],
)
def test_an_unusable_ca_file_is_named(tmp_path: Path, secure: AikidoEmulator, content: str | None, reason: str) -> None:
    """Was `internal error (FileNotFoundError)`: the runner's environment is wrong, not the action."""
    ca = tmp_path / "corporate-ca.pem"
    if content is not None:
        ca.write_text(content)
    run = act(tmp_path, secure, env={"SSL_CERT_FILE": str(ca)})
    assert run.returncode == 1
    [error] = annotations_of(run, "error")
    assert f"SSL_CERT_FILE is '{ca}', which gives no CA certificates ({reason})" in error
    assert "#troubleshooting" in error
    assert secure.requests == []


def test_the_pr_comment_trusts_what_the_aikido_client_trusts(tmp_path: Path, certificate: Certificate) -> None:
    """A runner set up with SSL_CERT_FILE (say, for a TLS-inspecting proxy) comments too: requests is told of it."""
    with (
        AikidoEmulator("pass", tls=certificate.server()) as aikido,
        FakeGitHub(tls=certificate.server()) as github,
    ):
        env = {"SSL_CERT_FILE": str(certificate.ca), "GITHUB_API_URL": github.api_url}
        run = act(tmp_path, aikido, env=env, post_scan_status_comment="on")
    assert run.returncode == 0
    assert annotations_of(run, "warning") == []
    [status] = github.issue_comments
    assert "### ✅ Aikido security gate passed" in status["body"]
