"""An emulator of Aikido's CI API, faithful to its public page (../shared/aikido/ci-api.txt).

The three endpoints, the `X-AIK-API-SECRET` header, both completed answer shapes, and named
scenarios: pass, fail, slow, flaky, timeout, default-branch, html-login, hostile, hostile-link, drip, release-fail,
sast-odd (any scenario answers a release gate, `is_release_gating`, in the default-branch shape). Unlike the
page's examples, it speaks valid JSON. Every request is recorded for the tests to read.
"""

from __future__ import annotations

import dataclasses
import json
import re
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from emulator.server import Answer, Drip, LoopbackServer, Request

SCAN_PATH = "/api/integrations/continuous_integration/scan/repository"
CUSTOM_PATH = "/api/integrations/continuous_integration/scan/custom"
SAST_PREFIX = "/api/integrations/continuous_integration/scan"
REQUIRED_START_FIELDS = ("repository_id", "base_commit_id", "head_commit_id", "branch_name")
RELEASE_START_FIELDS = ("repository_id", "head_commit_id")
FAIL_FLAGS = ("fail_on_dependency_scan", "fail_on_sast_scan", "fail_on_iac_scan", "fail_on_secrets_scan")
# The category each flag blocks on, and the page's default for the flag.
CATEGORY_FLAGS = {
    "dependency": ("fail_on_dependency_scan", True),
    "sast": ("fail_on_sast_scan", False),
    "iac": ("fail_on_iac_scan", False),
    "leaked_secret": ("fail_on_secrets_scan", False),
}
SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
EMULATOR_KEY = "AIK_CI_emulator"  # the emulator's own key, accepted nowhere else
SMALL_PAYLOAD = 10 * 1024 * 1024
SUB_SCANS = ("dependency_scan_completed", "sast_scan_completed", "iac_scan_completed", "secrets_scan_completed")


@dataclass(frozen=True)
class Scenario:
    """How the emulated scans behave."""

    name: str
    # In-progress answers before the scan completes; None: it never completes.
    polls_until_complete: int | None = 1
    # Or complete this many seconds after the start (wins when set).
    seconds_until_complete: float | None = None
    # Sub-scans finish one a poll (dependencies, SAST, IaC, then secrets), so each poll's progress line differs;
    # otherwise only dependencies finish before the answer.
    staggered: bool = False
    default_branch_shape: bool = False
    # New issues per category (dependency, sast, iac, leaked_secret), all of one severity. Like
    # Aikido, the answer counts those at or above the start's minimum_severity, and the gate
    # fails when a category whose fail_on_* flag is set has any.
    new_issues: dict[str, int] = field(default_factory=dict)
    severity: str = "CRITICAL"
    # Statuses answered to the first requests of each kind before the real answer.
    start_faults: tuple[int, ...] = ()
    poll_faults: tuple[int, ...] = ()
    html_login: bool = False
    # What GET …/scan/<id>/introducedSastIssues answers, and outcome.human_readable_message.
    sast_issues: tuple[dict[str, Any], ...] = ()
    message: str | None = None
    # Echo the key it was sent, in several spellings, with terminal escapes and bidi controls,
    # into every text of its answers, and link to another host: what a compromised server would do.
    hostile: bool = False
    # With `hostile`: the diff_url on Aikido's own host, its query holding the key and chat markup
    # (a channel ping, a mention, a disguised link), as a trusted host does not make a path safe.
    hostile_link: bool = False
    # Answer each poll one byte every half second: only a wall-clock deadline ends the wait on time.
    drip: bool = False
    # Open issues (dependency issues, with their links) in a default-branch or release-gate answer;
    # None: as many as the new issues.
    open_issues: int | None = None


FAIL_SAST_ISSUES = (
    {
        "file": "src/app.py",
        "start_line": 10,
        "end_line": 12,
        "snippet_hash": "5f2c",
        "title": "SQL injection",
        "description": "User input reaches a SQL query unescaped.",
        "remediation": "Use query parameters.",
    },
    {
        "file": "src/util.py",
        "start_line": 3,
        "end_line": 3,
        "snippet_hash": "9a1b",
        "title": "Hard-coded secret",
        "description": "A password is written in the code.",
        "remediation": "Read it from the environment.",
    },
)

# What a real answer may hold and SARIF must survive: paths that leave the repository, spaces and
# non-ASCII in paths, columns, and texts far longer than a screen.
ODD_SAST_ISSUES = (
    {**FAIL_SAST_ISSUES[0], "start_column": 9, "end_column": 41},
    {
        "file": "src/with space/données.py",
        "start_line": 4,
        "end_line": 6,
        "start_column": 1,
        "snippet_hash": "c3d4",
        "title": "Path traversal",
        "description": "A path built from user input. " * 400,
        "remediation": "Resolve the path and check it stays in the base directory.",
    },
    {**FAIL_SAST_ISSUES[1], "file": "../outside/escape.py", "snippet_hash": "0000"},
    {**FAIL_SAST_ISSUES[1], "file": "/etc/passwd", "snippet_hash": "0001"},
)

SCENARIOS = {
    scenario.name: scenario
    for scenario in (
        Scenario("pass"),
        Scenario(
            "fail",
            new_issues={"dependency": 2, "sast": 2},
            sast_issues=FAIL_SAST_ISSUES,
            message="**4 new issues** found: 2 dependency, 2 SAST.",
        ),
        Scenario("slow", polls_until_complete=3, staggered=True),
        Scenario("flaky", polls_until_complete=2, start_faults=(503,), poll_faults=(502, 500)),
        Scenario("timeout", polls_until_complete=None),
        Scenario("default-branch", default_branch_shape=True, open_issues=2),
        Scenario("html-login", html_login=True),
        Scenario("hostile", new_issues={"sast": 1}, hostile=True),
        Scenario("hostile-link", new_issues={"sast": 1}, hostile=True, hostile_link=True),
        Scenario("drip", drip=True),
        Scenario("release-fail", default_branch_shape=True, open_issues=3),
        Scenario("sast-odd", new_issues={"sast": 4}, sast_issues=ODD_SAST_ISSUES),
    )
}


def hostile_texts(key: str) -> dict[str, str]:
    """Texts a compromised server answers with: the key in several spellings, escapes, bidi and bell."""
    encoded = "".join(f"%{byte:02x}" for byte in key.encode())
    # Rendered, these read as the key: zero-width spaces between its letters, fullwidth letters.
    invisible = "\u200b".join(key)
    fullwidth = "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in key)
    return {
        "message": f"**Bad news** \x1b[31m{key}\x1b[0m \x1b]8;;https://evil.example\x07click\x1b]8;;\x07 "
        f"{key.lower()} \u202eexe.txt\x07\nsecond line {encoded}\nthird line {invisible} {fullwidth} "
        "re-authorise at https://aikido-login.evil.example/sso",
        "diff_url": f"https://app.aikido.dev/featurebranch/scan/1?key={key}",
        "foreign_url": f"https://evil.example/collect?k={encoded}",
        "markup_url": f"https://app.aikido.dev/featurebranch/scan/1?k={key}&n=<!channel>&u=<@U123>"
        "&l=<https://evil.example|Open_the_scan>",
        "title": f"Leaked {key.upper()} \x1b[2J\u202e",
    }


def gated_counts(body: dict[str, Any], issues: dict[str, int], severity: str) -> dict[str, int]:
    """Each category's issues that count: all of them when `severity` is at or above the start's minimum."""
    minimum = body.get("minimum_severity", "CRITICAL")
    counted = SEVERITIES.index(severity) >= SEVERITIES.index(minimum)
    return {kind: issues.get(kind, 0) if counted else 0 for kind in CATEGORY_FLAGS}


def gate_passes(body: dict[str, Any], counts: dict[str, int]) -> bool:
    """Aikido's decision: no counted issue in a category whose fail_on_* flag is set."""
    return not any(counts[kind] and body.get(flag, default) for kind, (flag, default) in CATEGORY_FLAGS.items())


@dataclass
class Upload:
    """One upload the emulator accepted."""

    payload_type: str
    container_image_name: str | None
    payload_size: int
    payload: Any  # the parsed file for small payloads; None for large ones (not held twice in memory)
    scan_id: int | None
    repository_id: str | None


@dataclass
class Scan:
    scan_id: int
    body: dict[str, Any]
    started_at: float
    polls: int = 0
    completed_at: float | None = None
    uploads: list[Upload] = field(default_factory=list)

    def waits_for_uploads(self) -> bool:
        """True while a self-managed scanner the start named has not sent what it must."""
        scanners = self.body.get("self_managed_scanners") or []
        sboms = sum(1 for upload in self.uploads if upload.payload_type == "json-sbom")
        checkovs = sum(1 for upload in self.uploads if upload.payload_type == "checkov")
        expected = self.body.get("expected_amount_json_sboms") or (1 if "json-sbom" in scanners else 0)
        return sboms < expected or ("checkov" in scanners and checkovs == 0)


class AikidoEmulator:
    """Serves the emulated API on loopback in a background thread."""

    def __init__(
        self,
        scenario: str | Scenario = "pass",
        *,
        secret: str = EMULATOR_KEY,
        port: int = 0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.scenario = SCENARIOS[scenario] if isinstance(scenario, str) else scenario
        self.secret = secret
        self.requests: list[Request] = []
        self.scans: dict[int, Scan] = {}
        self.live_feed: list[Upload] = []
        self._faults = {"start": list(self.scenario.start_faults), "poll": list(self.scenario.poll_faults)}
        self._lock = threading.Lock()
        self._server = LoopbackServer(self._handle, port=port, tls=tls)

    @property
    def url(self) -> str:
        return self._server.url

    def __enter__(self) -> AikidoEmulator:
        self._server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.__exit__(*exc)

    def _handle(self, request: Request) -> Answer:
        body = request.body
        # An upload's payload may be hundreds of MB: record its size, not a second copy.
        if isinstance(body, dict) and isinstance(body.get("payload"), str):
            body = body | {"payload": f"<{len(body['payload'])} characters>"}
        self.requests.append(dataclasses.replace(request, body=body))
        status, answer = self._route(request)
        # Transient faults ask for no wait, so the tests stay fast.
        headers = {"Retry-After": "0"} if status in (429, 500, 502, 503) else {}
        return status, answer, headers

    def _route(self, request: Request) -> tuple[int, Any]:
        method, path, body = request.method, request.path, request.body
        if request.headers.get("X-AIK-API-SECRET") != self.secret:
            return 401, {"error": "invalid API secret"}
        if (method, path) == ("POST", SCAN_PATH):
            return self.start(body)
        if (method, path) == ("GET", SCAN_PATH):
            return self.poll(request.query)
        if (method, path) == ("POST", CUSTOM_PATH):
            return self.upload(body)
        if method == "GET" and path.startswith(SAST_PREFIX + "/"):
            return self.sast_issues(path)
        return 404, {"error": "not found"}

    # The API itself: each returns (status, JSON body or raw text, extra headers).
    def start(self, body: Any) -> tuple[int, Any]:
        if fault := self._next_fault("start"):
            return fault, {"error": "service unavailable"}
        if not isinstance(body, dict):
            return 400, {"error": "body must be a JSON object"}
        # A release gate (Aikido's CLI `scan-release`) names one commit: no base, no branch.
        releasing = body.get("is_release_gating") is True
        required = RELEASE_START_FIELDS if releasing else REQUIRED_START_FIELDS
        problems = [name for name in required if not isinstance(body.get(name), str) or not body[name]]
        if "is_release_gating" in body and not isinstance(body["is_release_gating"], bool):
            problems.append("is_release_gating")
        if "base_branch" in body and (not releasing or not isinstance(body["base_branch"], str)):
            problems.append("base_branch")
        problems += [name for name in FAIL_FLAGS if name in body and not isinstance(body[name], bool)]
        if body.get("minimum_severity", "CRITICAL") not in SEVERITIES:
            problems.append("minimum_severity")
        if problems:
            return 400, {"error": f"invalid fields: {', '.join(problems)}"}
        if self.scenario.html_login:
            return 200, "<!DOCTYPE html><html><head><title>Log in | Aikido</title></head><body>Log in</body></html>"
        with self._lock:
            scan_id = len(self.scans) + 1
            self.scans[scan_id] = Scan(scan_id, body, time.monotonic())
        return 200, {"scan_id": scan_id}

    def upload(self, body: Any) -> tuple[int, Any]:
        """`POST …/scan/custom`: check the fields as the page states them, attach to the scan or the live feed."""
        if problem := self._upload_problem(body):
            return problem
        kind, payload, scan_id = body["payload_type"], body["payload"], body.get("scan_id")
        image = body.get("container_image_name")
        scan = self.scans.get(scan_id) if isinstance(scan_id, int) else None
        parsed = None
        if len(payload) <= SMALL_PAYLOAD:
            try:
                parsed = json.loads(payload)
            except ValueError:
                return 400, {"error": "payload is not JSON"}
        upload = Upload(kind, image, len(payload), parsed, scan_id, body.get("repository_id"))
        with self._lock:
            (scan.uploads if scan else self.live_feed).append(upload)
        return 200, {"success": 1}

    def _upload_problem(self, body: Any) -> tuple[int, Any] | None:
        if not isinstance(body, dict):
            return 400, {"error": "body must be a JSON object"}
        kind, scan_id, image = body.get("payload_type"), body.get("scan_id"), body.get("container_image_name")
        problem = None
        if kind not in ("checkov", "json-sbom"):
            problem = "payload_type must be checkov or json-sbom"
        elif not isinstance(body.get("payload"), str):
            problem = "payload must be a string holding the file's text"
        elif kind == "json-sbom" and (not isinstance(image, str) or not image or ":" in image.rpartition("/")[2]):
            problem = "container_image_name is required for json-sbom, without a tag"
        elif scan_id is None and not body.get("repository_id"):
            problem = "repository_id is required without scan_id"
        elif scan_id is not None and self.scans.get(scan_id) is None:
            return 404, {"error": "scan not found"}
        return (400, {"error": problem}) if problem else None

    def poll(self, query: dict[str, list[str]]) -> tuple[int, Any]:
        if fault := self._next_fault("poll"):
            return fault, {"error": "bad gateway"}
        raw = (query.get("scan_id") or [""])[0]
        scan = self.scans.get(int(raw)) if raw.isdigit() else None
        if scan is None:
            return 404, {"error": "scan not found"}
        with self._lock:
            scan.polls += 1
            done = self._is_complete(scan)
            if done and scan.completed_at is None:
                scan.completed_at = time.monotonic()
        status = self._status(scan, done)
        return 200, Drip(status) if self.scenario.drip else status

    def sast_issues(self, path: str) -> tuple[int, Any]:
        match = re.fullmatch(rf"{SAST_PREFIX}/(\d+)/introducedSastIssues", path)
        scan = self.scans.get(int(match.group(1))) if match else None
        if scan is None:
            return 404, {"error": "scan not found"}
        body = scan.body
        return 200, {
            "group_id": 1,
            # A release gate names one commit: no base (Aikido's CLI scan-release).
            "start_commit_id": body.get("base_commit_id"),
            "end_commit_id": body["head_commit_id"],
            "introduced_sast_issues": list(self.scenario.sast_issues) or self._hostile_issues(),
        }

    def _hostile_issues(self) -> list[dict[str, Any]]:
        if not self.scenario.hostile:
            return []
        texts = hostile_texts(self.secret)
        return [
            {
                "file": "src/app.py",
                "start_line": 12,
                "end_line": 12,
                "snippet_hash": "beef",
                "title": texts["title"],
                "description": texts["message"],
                "remediation": f"Rotate {self.secret}.",
            }
        ]

    def _next_fault(self, kind: str) -> int | None:
        with self._lock:
            return self._faults[kind].pop(0) if self._faults[kind] else None

    def _is_complete(self, scan: Scan) -> bool:
        scenario = self.scenario
        if scan.waits_for_uploads():
            return False
        if scenario.seconds_until_complete is not None:
            return time.monotonic() - scan.started_at >= scenario.seconds_until_complete
        return scenario.polls_until_complete is not None and scan.polls > scenario.polls_until_complete

    def _status(self, scan: Scan, done: bool) -> dict[str, Any]:
        scenario = self.scenario
        finished = scan.polls if scenario.staggered else 1
        progress = {name: done or index < finished for index, name in enumerate(SUB_SCANS)}
        if "json-sbom" in (scan.body.get("self_managed_scanners") or []):
            progress["sbom_scan_completed"] = done
        if not done:
            return {"all_scans_completed": False, **progress}
        if scenario.default_branch_shape or scan.body.get("is_release_gating"):
            opened = scenario.open_issues if scenario.open_issues is not None else sum(scenario.new_issues.values())
            counts = gated_counts(scan.body, {"dependency": opened}, scenario.severity)
            links = [f"https://app.aikido.dev/queue?sidebarIssue={n}" for n in range(1, counts["dependency"] + 1)]
            return {
                "all_scans_completed": False,
                **{name: name == "dependency_scan_completed" for name in SUB_SCANS},
                "open_issues_found": len(links),
                "issue_links": links,
                "gate_passed": gate_passes(scan.body, counts),
            }
        counts = gated_counts(scan.body, scenario.new_issues, scenario.severity)
        outcome = {"outcome": {"human_readable_message": scenario.message}} if scenario.message else {}
        if scenario.hostile:
            texts = hostile_texts(self.secret)
            return {
                "all_scans_completed": True,
                **progress,
                "outcome": {"human_readable_message": texts["message"]},
                "new_issues_found": 1,
                "new_sast_issues_found": 1,
                "diff_url": texts["markup_url" if scenario.hostile_link else "foreign_url"],
                "issue_links": [texts["diff_url"], texts["foreign_url"]],
                "gate_passed": False,
            }
        return {
            "all_scans_completed": True,
            **progress,
            **outcome,
            "new_issues_found": sum(counts.values()),
            **{f"new_{kind}_issues_found": count for kind, count in counts.items()},
            "diff_url": f"https://app.aikido.dev/featurebranch/scan/{scan.scan_id}?groupId=1",
            "gate_passed": gate_passes(scan.body, counts),
        }
