"""Reading Aikido's answers: liberal where the meaning is clear, strict where it is not."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from gate.core.errors import UnexpectedAnswer
from gate.core.models import ScanTarget, parse_scan_id, parse_scan_status, start_body
from gate.core.precedence import DEFAULTS, Settings
from tests.support.answers import DEFAULT_DONE, FEATURE_DONE

# The page's examples, made valid JSON.
IN_PROGRESS = {
    "all_scans_completed": False,
    "dependency_scan_completed": True,
    "sast_scan_completed": False,
    "iac_scan_completed": False,
    "secrets_scan_completed": False,
    "sbom_scan_completed": False,
}


class TestParseScanStatus:
    """parse_scan_status"""

    def test_in_progress(self) -> None:
        status = parse_scan_status(IN_PROGRESS)
        assert not status.final
        assert status.progress() == "dependencies ✓, SAST …, IaC …, secrets …, SBOM …"

    def test_feature_branch_completed(self) -> None:
        status = parse_scan_status(FEATURE_DONE)
        assert (status.final, status.gate_passed) == (True, False)
        assert status.counts["new_dependency_issues_found"] == 1
        assert status.counts["open_issues_found"] is None
        assert status.diff_url == FEATURE_DONE["diff_url"]

    def test_default_branch_is_final_with_gate_passed_although_not_all_completed(self) -> None:
        status = parse_scan_status(DEFAULT_DONE)
        assert (status.final, status.gate_passed) == (True, False)
        assert status.issue_links == tuple(DEFAULT_DONE["issue_links"])
        assert status.counts["open_issues_found"] == 2

    def test_counts_as_numeric_strings_and_missing_counts(self) -> None:
        answer: dict[str, Any] = FEATURE_DONE | {"new_sast_issues_found": "3", "new_iac_issues_found": "many"}
        del answer["new_leaked_secret_issues_found"]
        counts = parse_scan_status(answer).counts
        assert counts["new_sast_issues_found"] == 3
        assert counts["new_iac_issues_found"] is None
        assert counts["new_leaked_secret_issues_found"] is None

    def test_unknown_fields_ignored_and_message_kept(self) -> None:
        answer = FEATURE_DONE | {"brand_new": [1], "outcome": {"human_readable_message": "**1 new issue**"}}
        assert parse_scan_status(answer).message == "**1 new issue**"

    def test_non_url_links_are_dropped(self) -> None:
        answer = DEFAULT_DONE | {"issue_links": ["javascript:alert(1)", 7, "https://app.aikido.dev/q?i=3"]}
        assert parse_scan_status(answer).issue_links == ("https://app.aikido.dev/q?i=3",)
        assert parse_scan_status(FEATURE_DONE | {"diff_url": "javascript:x"}).diff_url is None

    def test_links_to_other_hosts_are_kept_only_as_host_names(self) -> None:
        answer = FEATURE_DONE | {
            "diff_url": "https://evil.example/featurebranch/scan/1",
            "issue_links": ["http://app.aikido.dev/q?i=1", "https://app.us.aikido.dev/q?i=2", "data:text/html,x"],
        }
        status = parse_scan_status(answer)
        assert (status.diff_url, status.issue_links) == (None, ("https://app.us.aikido.dev/q?i=2",))
        assert status.foreign_hosts == ("evil.example", "app.aikido.dev", "no host")

    def test_the_api_base_host_is_trusted_when_given(self) -> None:
        answer = FEATURE_DONE | {"diff_url": "https://aikido.internal.example/scan/1"}
        hosts = frozenset({"aikido.internal.example"})
        assert parse_scan_status(answer, hosts=hosts).diff_url == "https://aikido.internal.example/scan/1"

    def test_unicode_digits_are_unknown_counts_not_errors(self) -> None:
        status = parse_scan_status(FEATURE_DONE | {"new_issues_found": "²", "new_sast_issues_found": "١"})
        assert (status.counts["new_issues_found"], status.counts["new_sast_issues_found"]) == (None, None)

    @pytest.mark.parametrize(
        ("answer", "message"),
        [
            ({"all_scans_completed": True}, "the scan is complete but the answer has no gate_passed"),
            (FEATURE_DONE | {"gate_passed": "true"}, "gate_passed is not a boolean"),
            (FEATURE_DONE | {"gate_passed": None}, "the scan is complete but the answer has no gate_passed"),
            ({"all_scans_completed": "yes"}, "all_scans_completed is not a boolean"),
            ([1, 2], "the scan status is not a JSON object"),
        ],
    )
    def test_unclear_answers_are_errors_never_passes(self, answer: Any, message: str) -> None:
        with pytest.raises(UnexpectedAnswer, match=message):
            parse_scan_status(answer)


class TestParseScanId:
    """parse_scan_id"""

    @pytest.mark.parametrize(("answer", "scan_id"), [({"scan_id": 22}, 22), ({"scan_id": "23"}, 23)])
    def test_reads_the_id(self, answer: Any, scan_id: int) -> None:
        assert parse_scan_id(answer) == scan_id

    @pytest.mark.parametrize("answer", [{}, {"scan_id": None}, {"scan_id": True}, {"scan_id": -1}, "22", None])
    def test_missing_or_odd_id(self, answer: Any) -> None:
        with pytest.raises(UnexpectedAnswer, match="no scan_id"):
            parse_scan_id(answer)


def options(severity: str, dependency: bool, sast: bool, iac: bool, secrets: bool) -> Settings:
    """The settings a start body carries: the minimum severity and the four fail-on-* flags."""
    return replace(
        DEFAULTS,
        minimum_severity=severity,
        fail_on_dependency_scan=dependency,
        fail_on_sast_scan=sast,
        fail_on_iac_scan=iac,
        fail_on_secrets_scan=secrets,
    )


class TestStartBody:
    """start_body"""

    def test_a_release_gate_sends_what_aikidos_cli_sends(self) -> None:
        target = ScanTarget("R_1", None, "b" * 40, "main", "https://github.com/o/r/pull/1", "Title", True, "main")
        body = start_body(
            target,
            options("HIGH", True, True, False, False),
        )
        assert body == {
            "version": "1.0.5",
            "repository_id": "R_1",
            "is_release_gating": True,
            "head_commit_id": "b" * 40,
            "base_branch": "main",
            "minimum_severity": "HIGH",
            "fail_on_dependency_scan": True,
            "fail_on_sast_scan": True,
            "fail_on_iac_scan": False,
            "fail_on_secrets_scan": False,
        }
        no_branch = ScanTarget("R_1", None, "b" * 40, None, release_gating=True)
        assert "base_branch" not in start_body(
            no_branch,
            options("HIGH", True, True, False, False),
        )

    def test_page_fields_with_json_booleans(self) -> None:
        target = ScanTarget("R_1", "a" * 40, "b" * 40, "feature", "https://github.com/o/r/pull/1", "Title")
        body = start_body(
            target,
            options("HIGH", True, False, True, False),
        )
        assert body == {
            "version": "1.0.5",
            "branch_name": "feature",
            "repository_id": "R_1",
            "base_commit_id": "a" * 40,
            "head_commit_id": "b" * 40,
            "minimum_severity": "HIGH",
            "fail_on_dependency_scan": True,
            "fail_on_sast_scan": False,
            "fail_on_iac_scan": True,
            "fail_on_secrets_scan": False,
            "pull_request_metadata": {"url": "https://github.com/o/r/pull/1", "title": "Title"},
        }

    def test_no_pull_request_metadata_outside_pull_requests(self) -> None:
        body = start_body(
            ScanTarget("R_1", "a" * 40, "b" * 40, "main"),
            options("LOW", True, True, True, True),
        )
        assert "pull_request_metadata" not in body
