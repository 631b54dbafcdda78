"""gate.core.answers: answers deciphered with plain values, as gidgethub's sansio: no socket, no I/O library."""

from __future__ import annotations

import pytest

from gate.core.answers import Answer, decipher_aikido, decipher_lookup, excerpt
from gate.core.errors import (
    AikidoUnreachable,
    AuthenticationFailed,
    GitHubLookupFailed,
    RequestRejected,
    UnexpectedAnswer,
)
from gate.core.sanitize import add_secrets


class TestDecipherAikido:
    """decipher_aikido: an answer to a value or an exception, without a socket."""

    @pytest.mark.parametrize(
        ("status", "headers", "content", "error", "says"),
        [
            (401, {}, b"", AuthenticationFailed, "refused the secret-key (HTTP 401)"),
            (407, {}, b"", AikidoUnreachable, "the proxy in HTTPS_PROXY refused the request"),
            (302, {"Location": "https://evil.example/x"}, b"", UnexpectedAnswer, "redirecting to evil.example"),
            (404, {}, b"nope", RequestRejected, "(HTTP 404: nope): NOT CONNECTED"),
            (422, {}, b"bad", RequestRejected, "(HTTP 422: bad)"),
            (502, {}, b"", AikidoUnreachable, "failed while doing it (HTTP 502): empty answer"),
            (200, {"Content-Type": "text/html"}, b"<html>", UnexpectedAnswer, "an HTML page instead of Aikido's JSON"),
            (200, {}, b"[" * 100_000, UnexpectedAnswer, "is not JSON"),
        ],
    )
    def test_failures_carry_the_service_and_the_status(
        self, status: int, headers: dict[str, str], content: bytes, error: type[Exception], says: str
    ) -> None:
        with pytest.raises(error) as caught:
            decipher_aikido(
                Answer(status, headers, content), doing="doing it", not_found="NOT CONNECTED", proxy="HTTPS_PROXY"
            )
        assert says in str(caught.value)
        assert (caught.value.service, caught.value.status) == ("Aikido", status)  # type: ignore[attr-defined]  # each error is a ServiceError

    def test_json_is_read(self) -> None:
        assert decipher_aikido(Answer(200, {}, b'{"scan_id": 3}'), doing="x") == {"scan_id": 3}


class TestDecipherLookup:
    """decipher_lookup: a look-up's answer without a socket."""

    @pytest.mark.parametrize(
        ("status", "content", "says"),
        [
            (404, b'{"message": "Not Found"}', 'refused to tell the parent (HTTP 404: {"message": "Not Found"})'),
            (200, b"[1, 2]", "answer for the parent is not a JSON object"),
            (200, b"{", "answer for the parent is not a JSON object"),
        ],
    )
    def test_refusals_name_the_input_that_avoids_the_look_up(self, status: int, content: bytes, says: str) -> None:
        with pytest.raises(GitHubLookupFailed) as caught:
            decipher_lookup(Answer(status, {}, content), what="the parent", override="base-commit")
        assert says in str(caught.value)
        assert str(caught.value).endswith(
            "set the base-commit input, or give the job a token that can read the repository"
        )
        assert (caught.value.service, caught.value.status) == ("GitHub", status)

    def test_an_object_is_read(self) -> None:
        assert decipher_lookup(Answer(200, {}, b'{"sha": "a"}'), what="x", override="y") == {"sha": "a"}


class TestExcerpt:
    """excerpt"""

    def test_redacts_and_folds(self) -> None:
        add_secrets(["AIK_CI_x"])
        assert excerpt("<html>\n  key AIK_CI_x\n</html>") == "<html> key *** </html>"

    def test_cuts_long_text(self) -> None:
        assert excerpt("a" * 500, limit=10) == "a" * 9 + "…"
