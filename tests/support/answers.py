"""Completed poll answers in both of the API's shapes, as the tests share them."""

from __future__ import annotations

from typing import Any

FEATURE_DONE: dict[str, Any] = {
    "all_scans_completed": True,
    "dependency_scan_completed": True,
    "sast_scan_completed": True,
    "iac_scan_completed": True,
    "secrets_scan_completed": True,
    "new_issues_found": 1,
    "new_dependency_issues_found": 1,
    "new_sast_issues_found": 0,
    "new_iac_issues_found": 0,
    "new_leaked_secret_issues_found": 0,
    "diff_url": "https://app.aikido.dev/featurebranch/scan/1?groupId=1",
    "gate_passed": False,
}
DEFAULT_DONE: dict[str, Any] = {
    "all_scans_completed": False,
    "dependency_scan_completed": True,
    "sast_scan_completed": False,
    "iac_scan_completed": False,
    "secrets_scan_completed": False,
    "open_issues_found": 2,
    "issue_links": ["https://app.aikido.dev/queue?sidebarIssue=1", "https://app.aikido.dev/queue?sidebarIssue=2"],
    "gate_passed": False,
}
