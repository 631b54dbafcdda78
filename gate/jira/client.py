"""The `IssueTracker` port over Jira's REST API v2 (Cloud and Data Center), over httpx.

httpx rather than the `jira` package: that one brings requests, OAuth and its own retries, while
this adapter shares with the others the one deadline, the retrier with its per-request safety (a
create or a transition is never sent twice after a lost answer), the answer's size cap, and the TLS
and proxy handling (gate.net). Seven endpoints are all it needs:
- GET /rest/api/2/myself: who the token is (Cloud's accountId, Data Center's key);
- the JQL search, by project, the rule's label and `reporter = currentUser()`: on Cloud
  /rest/api/2/search/jql (Atlassian removed /search there in 2025), on Data Center /rest/api/2/search.
  A URL on *.atlassian.net is Cloud; any other is tried as Data Center first, and a 404 or 410 from
  the one search switches to the other once (Cloud on a custom domain);
- POST /rest/api/2/issue, PUT /rest/api/2/issue/{id}, GET and POST …/transitions, POST …/comment;
- PUT …/properties/aikido-gate: after each create and edit, the digest of the summary and description sent,
  which Cloud's search returns (`properties`) so a repeat run can tell that nothing changed: Cloud stores a
  description as its own document format and reads it back re-rendered, never as the wiki markup sent.
Only issues the token's own account reported and that carry the rule's label count: a person's issue
never does, whatever its summary or labels. Jira's answers are hostile text: read with a bounded
size, checked for their shape (anything else is a JiraRefused with one line), and quoted only cleaned.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from gate import USER_AGENT
from gate.core.answers import excerpt
from gate.core.errors import JiraRefused
from gate.core.jira import JIRA_ISSUES, written_digest
from gate.core.sanitize import clean
from gate.core.wording import a_few
from gate.flow.ports import TrackedIssue
from gate.net.faults import AnswerTooLarge, GaveUp, Stop
from gate.net.http import Retrier, Safety, host_and_port
from gate.net.proxy import plain_loopback
from gate.net.tls import Tls

API = "/rest/api/2"
_KEY = re.compile(r"[A-Z][A-Z0-9_]*-[1-9][0-9]{0,17}")
_ID = re.compile(r"[1-9][0-9]{0,17}")
# What one search reads: far more issues than one rule and key ever has.
MAX_RESULTS = 50
MAX_SUMMARY_CHARS = 255
MAX_LABELS = 20
MAX_COMMENT_CHARS = 30_000
FIELDS = "summary,description,status,reporter,labels"
# The issue property that records what the gate last wrote, and the version of its shape.
# https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-properties/
PROPERTY = "aikido-gate"
PROPERTY_VERSION = 1
_DIGEST = re.compile(r"[0-9a-f]{64}")


def authorization(user: str | None, token: str) -> str:
    """The Authorization header: basic user:token for Jira Cloud's API token, bearer for a personal access token.

    A secret in its own right (the token in base64): the wiring masks it with the token.
    """
    if user:
        return "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode("ascii")
    return f"Bearer {token}"


def is_cloud(url: str) -> bool:
    """Jira Cloud's own domain: its sites are <name>.atlassian.net."""
    host = urlsplit(url).hostname or ""
    return host.endswith(".atlassian.net")


@dataclass(frozen=True)
class Site:
    """One Jira instance of the policy file: where, which project and issue type, the closing transition, and where
    its token comes from (for messages that say what to fix)."""

    url: str
    project: str
    issue_type: str
    done_transition: str
    instance: str
    variable: str
    user: str | None = None


class JiraIssues:
    """Finds, opens, edits, comments on and moves the tracking issues of one Jira project."""

    # Jira takes wiki markup through REST v2, and the marker is a label (gate.core.jira).
    text_format = JIRA_ISSUES.name

    def __init__(self, site: Site, authorization: str, retrier: Retrier, tls: Tls) -> None:
        self._site = site
        self._base = site.url.rstrip("/")
        self._where = host_and_port(site.url) or "no host"
        self._retrier = retrier
        self._search = f"{API}/search/jql" if is_cloud(site.url) else f"{API}/search"
        self._me: str | None = None
        self._created: list[str] = []
        self._http = httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", "Authorization": authorization},
            follow_redirects=False,
            trust_env=not plain_loopback(site.url),
            verify=tls.for_url(site.url),
        )

    def close_client(self) -> None:
        self._http.close()

    def identity(self) -> str:
        """The token's account: Cloud's accountId, Data Center's key (or name)."""
        if self._me is None:
            myself = self._json("GET", "/myself", doing="reading who the token is")
            found = _field(myself, "accountId") or _field(myself, "key") or _field(myself, "name")
            if not found:
                raise self._strange("reading who the token is", "no accountId, key or name")
            self._me = found
        return self._me

    def tracked(self, marker: str, author: str) -> list[TrackedIssue]:
        doing = "searching for the tracking issue"
        jql = f'project = "{self._site.project}" AND labels = "{marker}" AND reporter = currentUser()'
        # Data Center's search has no `properties` (JRASERVER-62898) and ignores it; Cloud's returns the record.
        params: dict[str, Any] = {"jql": jql, "fields": FIELDS, "properties": PROPERTY, "maxResults": MAX_RESULTS}
        if self._search.endswith("/jql") and self._created:
            # The search is eventually consistent: an issue just created is only found when named.
            params["reconcileIssues"] = ",".join(self._created)
        answer = self._search_answer(params, doing)
        issues = answer.get("issues") if isinstance(answer, dict) else None
        if not isinstance(issues, list):
            raise self._strange(doing, "no list of issues")
        read = [self._issue(item, doing) for item in issues[:MAX_RESULTS]]
        return [issue for issue, labels in read if issue.author == author and marker in labels]

    def create(self, title: str, body: str, labels: tuple[str, ...], assignees: tuple[str, ...]) -> TrackedIssue:
        """Open an issue (Jira assigns by account, not by GitHub login: `assignees` are not sent)."""
        summary = title[:MAX_SUMMARY_CHARS]
        fields = {
            "project": {"key": self._site.project},
            "issuetype": {"name": self._site.issue_type},
            "summary": summary,
            "description": body,
            "labels": list(labels[:MAX_LABELS]),
        }
        doing = f"creating an issue of type {self._site.issue_type} in project {self._site.project}"
        created = self._json("POST", "/issue", doing=doing, json={"fields": fields}, safety=Safety.CREATES)
        number, key = _field(created, "id"), _field(created, "key")
        if not _ID.fullmatch(number) or not _KEY.fullmatch(key):
            raise self._strange(doing, "no issue id and key")
        self._created.append(number)
        digest = self._record(int(number), summary, body)
        return TrackedIssue(int(number), True, self.identity(), title, body, key, f"{self._base}/browse/{key}", digest)

    def unchanged(self, issue: TrackedIssue, title: str, body: str) -> bool:
        """The record of what was last written says these texts; with none, Data Center's texts as read do."""
        summary = title[:MAX_SUMMARY_CHARS]
        if issue.digest:
            return issue.digest == written_digest(summary, body)
        # No record: an issue from before the gate kept one, or whose record failed. Data Center reads back the
        # wiki markup as it was sent, so its texts compare; Cloud's never do: edited (and recorded) once more.
        if self._search.endswith("/jql"):
            return False
        return issue.title.strip() == summary.strip() and issue.body.strip() == body.strip()

    def update(self, number: int, title: str, body: str, *, reopen: bool) -> bool:
        transition = None
        if reopen:
            transition = self._reopening(number)
            if transition is None:
                return False
        fields = {"summary": title[:MAX_SUMMARY_CHARS], "description": body}
        self._json("PUT", f"/issue/{number}", doing="updating the tracking issue", json={"fields": fields})
        self._record(number, fields["summary"], body)
        if transition is not None:
            self._move(number, transition, "reopening the tracking issue")
        return True

    def close(self, number: int, comment: str) -> None:
        """Comment, then move the issue through doneTransition (found first: no comment when it cannot close)."""
        wanted = self._site.done_transition
        transitions = self._transitions(number)
        chosen = next((t for t in transitions if t.name.casefold() == wanted.casefold()), None)
        if chosen is None:
            names = a_few([repr(clean(t.name)[:60]) for t in transitions]) or "none"
            raise JiraRefused(
                f"Jira at {self._where} offers no transition named {wanted!r} for the tracking issue (it offers "
                f"{names}): set doneTransition of instance {self._site.instance} to the one that closes an issue"
            )
        body = {"body": comment[:MAX_COMMENT_CHARS]}
        self._json("POST", f"/issue/{number}/comment", doing="commenting", json=body, safety=Safety.CREATES)
        self._move(number, chosen.id, "closing the tracking issue")

    def _record(self, number: int, summary: str, description: str) -> str:
        """Store the digest of the texts just written as the issue's property; the digest, or "" when Jira refused.

        The same body sent again does no harm, so the retrier treats it as a GET. Its failure loses nothing but
        the record, so it is no warning: the next run, finding none, edits the issue once more and records it then.
        """
        digest = written_digest(summary, description)
        value = {"digest": digest, "version": PROPERTY_VERSION}
        doing = "recording what was written"
        try:
            self._json(
                "PUT", f"/issue/{number}/properties/{PROPERTY}", doing=doing, json=value, safety=Safety.IDEMPOTENT
            )
        except JiraRefused:
            return ""
        return digest

    def _reopening(self, number: int) -> str | None:
        """The transition that takes the issue out of done (to a new status first, else one in progress), or None."""
        out = [t for t in self._transitions(number) if t.category != "done"]
        out.sort(key=lambda t: t.category != "new")
        return out[0].id if out else None

    def _transitions(self, number: int) -> list[Transition]:
        doing = "reading the tracking issue's transitions"
        answer = self._json("GET", f"/issue/{number}/transitions", doing=doing)
        listed = answer.get("transitions") if isinstance(answer, dict) else None
        if not isinstance(listed, list):
            raise self._strange(doing, "no list of transitions")
        found = []
        for item in listed[:100]:
            to = item.get("to") if isinstance(item, dict) else None
            category = to.get("statusCategory") if isinstance(to, dict) else None
            found.append(Transition(_field(item, "id"), _field(item, "name"), _field(category, "key")))
        if any(not re.fullmatch(r"[0-9]{1,18}", t.id) for t in found):
            raise self._strange(doing, "a transition without an id")
        return found

    def _move(self, number: int, transition: str, doing: str) -> None:
        body = {"transition": {"id": transition}}
        self._json("POST", f"/issue/{number}/transitions", doing=doing, json=body, safety=Safety.CREATES)

    def _issue(self, item: Any, doing: str) -> tuple[TrackedIssue, list[str]]:
        """One issue of a search, with its labels; anything not shaped as Jira's issue is refused."""
        fields = item.get("fields") if isinstance(item, dict) else None
        number, key = _field(item, "id"), _field(item, "key")
        if not isinstance(fields, dict) or not _ID.fullmatch(number) or not _KEY.fullmatch(key):
            raise self._strange(doing, "an issue without its id, key and fields")
        status = fields.get("status")
        category = _field(status.get("statusCategory") if isinstance(status, dict) else None, "key")
        reporter = fields.get("reporter")
        author = _field(reporter, "accountId") or _field(reporter, "key") or _field(reporter, "name")
        labels = fields.get("labels")
        labels = [label for label in labels if isinstance(label, str)] if isinstance(labels, list) else []
        properties = item.get("properties")
        record = properties.get(PROPERTY) if isinstance(properties, dict) else None
        version = record.get("version") if isinstance(record, dict) else None
        digest = _field(record, "digest") if type(version) is int and version == PROPERTY_VERSION else ""
        issue = TrackedIssue(
            int(number),
            category != "done",
            author,
            _field(fields, "summary"),
            (_field(fields, "description")).replace("\r\n", "\n"),
            key,
            f"{self._base}/browse/{key}",
            digest if _DIGEST.fullmatch(digest) else "",
        )
        return issue, labels

    def _search_answer(self, params: dict[str, Any], doing: str) -> Any:
        """The search's answer; a 404 or 410 from one search endpoint tries the other once, and keeps to it."""
        response = self._send("GET", self._search.removeprefix(API), doing=doing, params=params)
        if response.status_code in (404, 410):
            self._search = f"{API}/search" if self._search.endswith("/jql") else f"{API}/search/jql"
            params.pop("reconcileIssues", None)
            response = self._send("GET", self._search.removeprefix(API), doing=doing, params=params)
        return self._read(response, doing)

    def _json(
        self,
        method: str,
        path: str,
        *,
        doing: str,
        params: dict[str, Any] | None = None,
        json: Any = None,
        safety: Safety = Safety.IDEMPOTENT,
    ) -> Any:
        """Send one request and read its JSON answer, or refuse."""
        return self._read(self._send(method, path, doing=doing, params=params, json=json, safety=safety), doing)

    def _send(
        self,
        method: str,
        path: str,
        *,
        doing: str,
        params: dict[str, Any] | None = None,
        json: Any = None,
        safety: Safety = Safety.IDEMPOTENT,
    ) -> httpx.Response:
        """Send one request, retried as `safety` allows within the deadline; its answer read whole (capped)."""
        request = self._http.build_request(method, self._base + API + path, params=params, json=json)
        try:
            return self._retrier.send(self._http, request, safety)
        except GaveUp as gave_up:
            refused = self._gave_up(gave_up, doing)
            raise JiraRefused(clean(str(refused)), refused.status) from None
        except AnswerTooLarge:
            raise JiraRefused(
                clean(f"Jira at {self._where} answered far too much while {doing}: check the url")
            ) from None

    def _read(self, response: httpx.Response, doing: str) -> Any:
        """A 2xx answer's JSON ({} when empty), or a refusal saying what to fix."""
        status = response.status_code
        if not 200 <= status < 300:
            raise JiraRefused(clean(self._refused(status, response, doing)), status)
        if status == 204 or not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise self._strange(doing, "not JSON") from None

    def _strange(self, doing: str, what: str) -> JiraRefused:
        return JiraRefused(
            clean(
                f"Jira at {self._where} answered what Jira never answers while {doing} ({what}): check that url of "
                f"instance {self._site.instance} is Jira's address"
            )
        )

    def _gave_up(self, gave_up: GaveUp, doing: str) -> JiraRefused:
        """Why the retries ended, truthfully: Jira kept failing or limiting us, asked for too long a wait, or nothing
        answered."""
        where, instance = self._where, self._site.instance
        if gave_up.response is not None:
            status = gave_up.response.status_code
            busy = "is rate-limiting us" if status == 429 else "is failing"
            return JiraRefused(
                f"Jira at {where} {busy} ({gave_up.history()}) while {doing}: instance {instance} needs no change; "
                "the next run writes again",
                status,
            )
        if gave_up.stop in (Stop.CANNOT_CONNECT, Stop.UNTRUSTED):
            return JiraRefused(
                f"could not connect to Jira at {where} ({gave_up.history()}): check url of instance {instance} and "
                "the network to it"
            )
        return JiraRefused(
            f"no answer from Jira at {where} while {doing} ({gave_up.history()}): check url of instance {instance} "
            "and the network to it"
        )

    def _refused(self, status: int, response: httpx.Response, doing: str) -> str:
        """What a final answer other than 2xx means, and what to fix."""
        site, where = self._site, self._where
        said = _said(response)
        if status == 401:
            how = f"an API token of {site.user}" if site.user else "a personal access token (user left out)"
            return (
                f"Jira at {where} refused the token (HTTP 401) while {doing}: set {site.variable} to {how}, or check "
                f"user of instance {site.instance}"
            )
        if status == 403:
            return (
                f"Jira at {where} forbade {doing} (HTTP 403{said}): give the token's account the permissions to "
                f"browse, create, edit, comment on and transition issues in project {site.project}"
            )
        if status == 404:
            return (
                f"Jira at {where} answered HTTP 404{said} while {doing}: check url (Jira's address, with its context "
                f"path) and project {site.project} of instance {site.instance}"
            )
        if 300 <= status < 400:
            return (
                f"Jira at {where} answered with a redirect (HTTP {status}), not followed: set url of instance "
                f"{site.instance} to Jira's own address"
            )
        return (
            f"Jira at {where} refused {doing} (HTTP {status}{said}): check project, issueType and doneTransition of "
            f"instance {site.instance}, and the fields the project requires"
        )


@dataclass(frozen=True)
class Transition:
    """One transition Jira offers an issue: its id, name, and the category of the status it leads to."""

    id: str
    name: str
    category: str


def _field(value: Any, key: str) -> str:
    """A text field of a JSON object, or "" (a number given as a number counts, as Jira's ids sometimes are)."""
    found = value.get(key) if isinstance(value, dict) else None
    if isinstance(found, bool):
        return ""
    return str(found) if isinstance(found, str | int) else ""


def _said(response: httpx.Response) -> str:
    """`: ` and what Jira said (its errorMessages and errors), cleaned and short; "" when it said nothing useful."""
    try:
        answer = response.json()
    except ValueError:
        return ""
    if not isinstance(answer, dict):
        return ""
    messages = answer.get("errorMessages")
    errors = answer.get("errors")
    parts = [text for text in messages if isinstance(text, str)] if isinstance(messages, list) else []
    if isinstance(errors, dict):
        parts += [f"{name}: {text}" for name, text in errors.items() if isinstance(text, str)]
    return f": {excerpt('; '.join(parts))}" if parts else ""
