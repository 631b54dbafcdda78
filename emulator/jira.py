"""A fake Jira (REST API v2) on loopback, as Jira Cloud or Data Center answers: issues with keys, a workflow whose
transitions lead to statuses of a category (new, indeterminate, done), comments, and a JQL search by project, label
and reporter; plus the refusals and hostile answers a real server may give.

Cloud (`cloud=True`) takes basic auth (the account's e-mail and an API token), names people by accountId and
searches at /rest/api/2/search/jql; Data Center takes a personal access token as a bearer token, names people by
key and name and searches at /rest/api/2/search. Each answers the other's search with 404, as they do.

Both keep issue properties (PUT …/issue/{id}/properties/{key}); only Cloud's search returns those its
`properties` parameter names (Data Center's search has none: JRASERVER-62898). Cloud stores a description as its
own document format (ADF) and reads it back as wiki markup again, not as it was sent: its search gives
`cloud_rendering` of what was stored. Data Center gives the text as stored.
"""

from __future__ import annotations

import base64
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from emulator.server import Answer, LoopbackServer, Request

TOKEN = "jira-api-token-0123456789abcdef"  # noqa: S105 -- the fake's own token, for tests and the demo
BOT_EMAIL = "gate-bot@acme.example"
BOT_CLOUD = {"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "Aikido gate", "emailAddress": BOT_EMAIL}
BOT_SERVER = {"key": "JIRAUSER10100", "name": "gate-bot", "displayName": "Aikido gate"}
PERSON_CLOUD = {"accountId": "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077", "displayName": "Mallory"}
PERSON_SERVER = {"key": "JIRAUSER10200", "name": "mallory", "displayName": "Mallory"}
STATUSES = {"To Do": "new", "In Progress": "indeterminate", "Done": "done"}
# Jira's simplified workflow: every status reachable from every other, each transition named for its status.
WORKFLOW = {"11": "To Do", "21": "In Progress", "31": "Done"}
# What a hostile or broken server may answer to every request: its body, status 200.
HOSTILE = {
    "huge": b"[" + b"0," * (5 * 1024 * 1024) + b"0]",
    "html": "<html><body>Log in to Jira</body></html>",
    "malformed": {
        "issues": [{"id": "x", "key": "[~accountid:1]", "fields": "no"}],
        "accountId": None,
        "transitions": [{"id": "1; drop", "name": 7}],
    },
}


@dataclass
class Mode:
    """Answers to give instead of the real ones: `status` (with its body) to the next `times` requests whose path
    matches, or a hostile body."""

    status: int = 200
    body: Any = None
    path: str = ""
    times: int = 1_000_000
    headers: dict[str, str] = field(default_factory=dict)


class FakeJira:
    """One Jira site with project SEC (issue types Bug and Task), the gate's account and a person's."""

    def __init__(self, *, cloud: bool = True, workflow: dict[str, str] | None = None) -> None:
        self.cloud = cloud
        self.bot = BOT_CLOUD if cloud else BOT_SERVER
        self.person = PERSON_CLOUD if cloud else PERSON_SERVER
        self.workflow = dict(WORKFLOW if workflow is None else workflow)
        self.projects = {"SEC": ("Bug", "Task")}
        self.issues: list[dict[str, Any]] = []
        self.requests: list[Request] = []
        self.modes: list[Mode] = []
        self._lock = threading.Lock()
        self._server = LoopbackServer(self._handle)

    @property
    def url(self) -> str:
        return self._server.url

    def __enter__(self) -> FakeJira:
        self._server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.__exit__(*exc)

    def answer_with(
        self,
        status: int,
        body: Any = None,
        *,
        path: str = "",
        times: int = 1_000_000,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer `status` and `body` to the next `times` requests whose path matches `path` (a regex)."""
        default = {"errorMessages": [f"HTTP {status}"], "errors": {}}
        self.modes.append(Mode(status, default if body is None else body, path, times, headers or {}))

    def hostile(self, kind: str) -> None:
        """Answer every request with a hostile body (HOSTILE: huge, html, malformed), status 200."""
        self.answer_with(200, HOSTILE[kind])

    def add_issue(
        self, summary: str, description: str, *, labels: tuple[str, ...] = (), by: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """An issue someone opened (the person, unless `by` says who)."""
        return self._create("SEC", "Bug", summary, description, list(labels), by=by or self.person)

    def writes(self) -> list[Request]:
        return [request for request in self.requests if request.method != "GET"]

    def comments(self, key: str) -> list[str]:
        return [comment["body"] for comment in self._by(key)["comments"]]

    def status(self, key: str) -> str:
        return str(self._by(key)["fields"]["status"]["name"])

    def _by(self, id_or_key: str) -> dict[str, Any]:
        found = [issue for issue in self.issues if id_or_key in (issue["id"], issue["key"])]
        return found[0] if found else {}

    def _create(
        self, project: str, kind: str, summary: str, description: str, labels: list[str], *, by: dict[str, Any]
    ) -> dict[str, Any]:
        with self._lock:
            number = len(self.issues) + 1
            issue = {
                "id": str(10_000 + number),
                "key": f"{project}-{number}",
                "fields": {
                    "project": {"key": project},
                    "issuetype": {"name": kind},
                    "summary": summary,
                    "description": description or None,
                    "labels": labels,
                    "reporter": dict(by),
                    "status": _status("To Do"),
                },
                "comments": [],
                "properties": {},
            }
            self.issues.append(issue)
        return issue

    def _who(self, request: Request) -> dict[str, Any] | None:
        """The account the request's credentials belong to: the gate's, or None."""
        given = request.headers.get("Authorization", "")
        if self.cloud:
            expected = "Basic " + base64.b64encode(f"{BOT_EMAIL}:{TOKEN}".encode()).decode()
        else:
            expected = f"Bearer {TOKEN}"
        return self.bot if given == expected else None

    def _mode(self, path: str) -> Mode | None:
        with self._lock:
            for mode in self.modes:
                if mode.times > 0 and re.search(mode.path, path):
                    mode.times -= 1
                    return mode
        return None

    def _handle(self, request: Request) -> Answer:
        self.requests.append(request)
        if (mode := self._mode(request.path)) is not None:
            return mode.status, mode.body, mode.headers
        if self._who(request) is None:
            # Jira answers a wrong token as anonymous: 401 with a short message.
            return (
                401,
                {"errorMessages": ["You are not authenticated. Authentication required to perform this operation."]},
                {},
            )
        return self._route(request)

    def _route(self, request: Request) -> Answer:  # noqa: PLR0911 -- one answer per route, as Jira's router has them
        method, path = request.method, request.path
        search = "/rest/api/2/search/jql" if self.cloud else "/rest/api/2/search"
        if (method, path) == ("GET", "/rest/api/2/myself"):
            return 200, self.bot, {}
        if method == "GET" and path == search:
            return self._search(request.query)
        if (method, path) == ("POST", "/rest/api/2/issue"):
            return self._new(request.body)
        found = re.fullmatch(r"/rest/api/2/issue/([^/]+)(/transitions|/comment|/properties/[^/]+)?", path)
        issue = self._by(found.group(1)) if found else {}
        if not issue:
            return 404, {"errorMessages": ["Issue does not exist or you do not have permission to see it."]}, {}
        tail = found.group(2) if found else None
        if tail is not None and tail.startswith("/properties/"):
            return self._property(issue, method, tail.removeprefix("/properties/"), request.body)
        if method == "PUT" and tail is None:
            fields = (request.body or {}).get("fields", {})
            issue["fields"].update({key: fields[key] for key in ("summary", "description") if key in fields})
            return 204, None, {}
        if method == "GET" and tail == "/transitions":
            return 200, {"transitions": [_transition(id_, name) for id_, name in self.workflow.items()]}, {}
        if method == "POST" and tail == "/transitions":
            chosen = str(((request.body or {}).get("transition") or {}).get("id"))
            if chosen not in self.workflow:
                return 400, {"errorMessages": [f"Transition id '{chosen}' is not valid for this issue."]}, {}
            issue["fields"]["status"] = _status(self.workflow[chosen])
            return 204, None, {}
        if method == "POST" and tail == "/comment":
            issue["comments"].append({"id": str(len(issue["comments"]) + 1), "body": (request.body or {}).get("body")})
            return 201, {"id": str(len(issue["comments"])), "body": (request.body or {}).get("body")}, {}
        return 405, {"errorMessages": ["Method not allowed"]}, {}

    def _property(self, issue: dict[str, Any], method: str, key: str, value: Any) -> Answer:
        """An issue's entity property, set by PUT (201 when new, 200 when replaced): all the gate does with one."""
        if method != "PUT" or value is None:
            return 400, {"errorMessages": ["The property value must be valid JSON."]}, {}
        new = key not in issue["properties"]
        issue["properties"][key] = value
        return (201 if new else 200), None, {}

    def _new(self, body: Any) -> Answer:
        fields = (body or {}).get("fields", {})
        project = (fields.get("project") or {}).get("key")
        if project not in self.projects:
            return 400, {"errorMessages": [], "errors": {"project": "valid project is required"}}, {}
        kind = (fields.get("issuetype") or {}).get("name")
        if kind not in self.projects[project]:
            return 400, {"errorMessages": [], "errors": {"issuetype": "Specify a valid issue type"}}, {}
        issue = self._create(
            project,
            kind,
            fields.get("summary", ""),
            fields.get("description", ""),
            fields.get("labels", []),
            by=self.bot,
        )
        return 201, {"id": issue["id"], "key": issue["key"], "self": f"{self.url}/rest/api/2/issue/{issue['id']}"}, {}

    def _search(self, query: dict[str, list[str]]) -> Answer:
        """The JQL the gate sends: project = "X" AND labels = "L" AND reporter = currentUser()."""
        jql = query.get("jql", [""])[0]
        project = re.search(r'project = "([^"]+)"', jql)
        label = re.search(r'labels = "([^"]+)"', jql)
        if project is None or label is None or project.group(1) not in self.projects:
            return 400, {"errorMessages": [f"Error in the JQL Query: {jql}"]}, {}
        mine = "reporter = currentUser()" in jql
        wanted = {name.strip() for name in query.get("fields", [""])[0].split(",")}
        named = {name.strip() for name in query.get("properties", [""])[0].split(",")} if self.cloud else set()
        found = [
            {
                "id": issue["id"],
                "key": issue["key"],
                "fields": {k: self._as_read(k, v) for k, v in issue["fields"].items() if k in wanted},
            }
            | ({"properties": {k: v for k, v in issue["properties"].items() if k in named}} if named else {})
            for issue in self.issues
            if issue["fields"]["project"]["key"] == project.group(1)
            and label.group(1) in issue["fields"]["labels"]
            and (not mine or issue["fields"]["reporter"] == self.bot)
        ]
        if self.cloud:
            return 200, {"issues": found, "isLast": True}, {}
        return 200, {"startAt": 0, "maxResults": 50, "total": len(found), "issues": found}, {}

    def _as_read(self, name: str, value: Any) -> Any:
        """A field as Jira gives it back: Cloud's description re-rendered from its document format."""
        return cloud_rendering(value) if self.cloud and name == "description" and isinstance(value, str) else value


# Cloud's emoticons come back as emoji shortcodes (a stand-in for the round trip's changes, deterministic).
_SHORTCODES = {"(x)": ":cross_mark:", "(/)": ":check_mark:", "(!)": ":warning:", "(i)": ":info:"}


def cloud_rendering(text: str) -> str:
    """Wiki markup as Jira Cloud reads it back after storing it as ADF: lossy, as the real round trip is.

    Trailing spaces and blank lines go, a table's header row `||a||b||` becomes cells in bold, emoticons become
    shortcodes and `\\-` loses its backslash: always the same for the same text, and for the gate's descriptions
    never the text that was sent.
    """
    lines = (_rendered(line.rstrip()) for line in text.replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _rendered(line: str) -> str:
    if line.startswith("||") and line.endswith("||"):
        line = "|" + "|".join(f"*{cell}*" for cell in line[2:-2].split("||")) + "|"
    for emoticon, shortcode in _SHORTCODES.items():
        line = line.replace(emoticon, shortcode)
    return line.replace("\\-", "-")


def _status(name: str) -> dict[str, Any]:
    return {"name": name, "statusCategory": {"key": STATUSES.get(name, "indeterminate")}}


def _transition(id_: str, name: str) -> dict[str, Any]:
    return {"id": id_, "name": name, "to": _status(name)}
