"""A small fake of GitHub's REST API on loopback, below PyGithub and httpx: it serves real HTTP and records it.

Issue comments and review comments of one pull request, with their authors and GraphQL's
`viewer` (who the token belongs to), the pull request's changed files with their `patch` hunks, reviews
that hold inline comments, the repository's issues (pull requests listed among them, as GitHub lists
them), Link-header pagination, deleting one's own comments, files through the contents API, the
repository itself (its `node_id`) and its commits (their `parents`), as the action looks them up on runs
whose event does not carry them, an optional path prefix (GitHub Enterprise Server's `/api/v3`), GitHub's
422s for a review or a review comment on a line its diff does not show (read from those same hunks, on
the side the comment names), and queued refusals (rate limits, 403, 5xx). The tests, `scripts/demo` and
`benchmarks/github_requests.py` use it.
"""

from __future__ import annotations

import re
import ssl
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from emulator.server import Answer, LoopbackServer, Request

REPO = "octo-org/octo-repo"
MAX_BODY = 65_536  # GitHub's limit for a comment body, in characters
BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
OWNER = {"login": "octo-org", "id": 6811672, "node_id": "O_kgDOAGfwGA", "type": "Organization", "site_admin": False}
# GET /repos/{owner}/{repo}, abridged to the fields of tests/samples' payloads (the same repository).
REPOSITORY = {
    "id": 186853002,
    "node_id": "R_kgDOLrq3yg",
    "name": "octo-repo",
    "full_name": REPO,
    "private": False,
    "owner": OWNER,
    "html_url": f"https://github.com/{REPO}",
    "fork": False,
    "default_branch": "main",
    "visibility": "public",
}
DOCS = "https://docs.github.com/rest"
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # git's tree of no files
# GitHub lists at most this many per page, whatever per_page asks, and at most 3,000 files of a pull request.
MAX_PER_PAGE = 100
MAX_PULL_FILES = 3000
# What GitHub says when it refuses a review for a comment its diff does not show (reviews: strings joined as
# Rails' to_sentence joins them; single comments: one object per field), as its API answers them.
THREAD_LINE = "Pull request review thread line must be part of the diff"
THREAD_START = "Pull request review thread start line must be part of the same hunk as the line."
THREAD_HUNK = "Pull request review thread diff hunk can't be blank"
HUNK_HEADER = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass
class Hunk:
    """One hunk of a file's patch: its text, and the line numbers it shows on each side."""

    lines: list[str] = field(default_factory=list)
    left: dict[int, int] = field(default_factory=dict)  # base line -> index in `lines`
    right: dict[int, int] = field(default_factory=dict)  # head line -> index in `lines`

    def text_to(self, side: str, line: int) -> str:
        """The hunk from its header to `line`: a review comment's `diff_hunk`."""
        shown = self.right if side == "RIGHT" else self.left
        return "\n".join(self.lines[: shown[line] + 1])


def hunks_of(patch: str | None) -> list[Hunk]:
    """A patch's hunks, read line by line as git writes them (this fake's own reading, not the action's)."""
    hunks: list[Hunk] = []
    old = new = 0
    for text in (patch or "").split("\n"):
        if header := HUNK_HEADER.match(text):
            hunks.append(Hunk([text]))
            old, new = int(header.group(1)), int(header.group(3))
            continue
        if not hunks or text.startswith("\\"):
            continue
        hunk = hunks[-1]
        hunk.lines.append(text)
        if not text.startswith("+"):
            hunk.left[old] = len(hunk.lines) - 1
            old += 1
        if not text.startswith("-"):
            hunk.right[new] = len(hunk.lines) - 1
            new += 1
    return hunks


def added_patch(lines: Iterable[int]) -> str:
    """A patch that adds `lines` of the head to a file (each run of consecutive lines one hunk, no context)."""
    runs: list[list[int]] = []
    for line in sorted(set(lines)):
        if runs and runs[-1][-1] == line - 1:
            runs[-1].append(line)
        else:
            runs.append([line])
    hunks, added = [], 0
    for run in runs:
        hunks.append(f"@@ -{run[0] - 1 - added},0 +{run[0]},{len(run)} @@")
        hunks += [f"+line {line}" for line in run]
        added += len(run)
    return "\n".join(hunks)


def sentence(parts: list[str]) -> str:
    """Rails' to_sentence, as GitHub joins a review's errors: `a and b`, `a, b, and c`."""
    if len(parts) < 3:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + ", and " + parts[-1]


@dataclass
class Refusal:
    """An answer to give instead of the real one, to the next request that matches."""

    method: str
    path_pattern: str
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    # Query values the request must carry too (a file's ref), none when empty.
    query: dict[str, str] = field(default_factory=dict)


class FakeGitHub:
    """Serves one repository's pull request `number`."""

    def __init__(
        self,
        *,
        number: int = 42,
        prefix: str = "",
        viewer: dict[str, Any] = BOT,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.number = number
        self.prefix = prefix
        # Who the token belongs to: GraphQL's viewer and the author of what it writes.
        self.viewer = viewer
        self.issue_comments: list[dict[str, Any]] = []
        self.review_comments: list[dict[str, Any]] = []
        # The pull request's changed files as GET /pulls/{n}/files lists them (see `change`), and the reviews made.
        self.pull_files: list[dict[str, Any]] = []
        self.reviews: list[dict[str, Any]] = []
        # The diff as it was at an earlier head (commit sha -> files): a review names the commit it comments on,
        # and a push since the run read the files moves the pull request's own.
        self.files_at: dict[str, list[dict[str, Any]]] = {}
        self.requests: list[Request] = []
        self.refusals: list[Refusal] = []
        self._next_id = 1000
        self._lock = threading.Lock()
        # Held up at the first listing of issue comments until this many runs list them: a race.
        self.list_barrier: threading.Barrier | None = None
        # The repository's issues (tracking issues of the automations), each with its comments, and a
        # barrier that holds the first listings of racing runs until all have listed.
        self.issues: list[dict[str, Any]] = []
        self.issues_barrier: threading.Barrier | None = None
        self._issue_listings = 0
        # Where next-page links point: this fake's API unless a test sends them to another server.
        self.links_to: str | None = None
        # Files the contents API serves: (owner/name, path, ref) -> text (bytes: served as they are); others 404.
        self.files: dict[tuple[str, str, str], str | bytes] = {}
        # The repository GET /repos/{REPO} answers with, and its commits: sha -> the shas of its parents.
        self.repository: dict[str, Any] = dict(REPOSITORY)
        self.commits: dict[str, list[str]] = {}
        self._arrived = 0
        self._server = LoopbackServer(self._handle, tls=tls)

    @property
    def origin(self) -> str:
        return self._server.url

    @property
    def api_url(self) -> str:
        return self.origin + self.prefix

    def __enter__(self) -> FakeGitHub:
        self._server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.__exit__(*exc)

    def _handle(self, request: Request) -> Answer:
        self.requests.append(request)
        return self.answer(request.method, request.path, request.query, request.body)

    def add_issue_comment(self, body: str, user: dict[str, Any] | None = None) -> dict[str, Any]:
        with self._lock:
            self._next_id += 1
            comment = {
                "id": self._next_id,
                "node_id": f"IC_{self._next_id}",
                "url": f"{self.api_url}/repos/{REPO}/issues/comments/{self._next_id}",
                "html_url": f"https://github.com/{REPO}/pull/{self.number}#issuecomment-{self._next_id}",
                "body": body,
                "user": user or BOT,
                "created_at": "2026-11-25T10:00:00Z",
                "updated_at": "2026-11-25T10:00:00Z",
            }
            self.issue_comments.append(comment)
        return comment

    def add_review_comment(
        self, path: str, line: int, body: str, user: dict[str, Any] | None = None, **extra: Any
    ) -> dict[str, Any]:
        with self._lock:
            self._next_id += 1
            comment = {
                "id": self._next_id,
                "node_id": f"PRRC_{self._next_id}",
                "url": f"{self.api_url}/repos/{REPO}/pulls/comments/{self._next_id}",
                "html_url": f"https://github.com/{REPO}/pull/{self.number}#discussion_r{self._next_id}",
                "pull_request_url": f"{self.api_url}/repos/{REPO}/pulls/{self.number}",
                "pull_request_review_id": None,
                "path": path,
                # GitHub gives an outdated comment (its line no longer in the diff) no `line`.
                "line": line,
                "original_line": line,
                "side": "RIGHT",
                "start_line": None,
                "original_start_line": None,
                "start_side": None,
                "subject_type": "line",
                "body": body,
                "user": user or BOT,
                "created_at": "2026-11-25T10:00:00Z",
                "updated_at": "2026-11-25T10:00:00Z",
                **extra,
            }
            self.review_comments.append(comment)
        return comment

    def change(
        self, filename: str, patch: str | None, *, status: str = "modified", previous_filename: str | None = None
    ) -> dict[str, Any]:
        """A file of the pull request's diff (replacing one of that name), as GitHub's files listing gives it.

        `patch` None is a file GitHub shows no patch for: a binary file, or a diff too large.
        """
        hunks = hunks_of(patch)
        added = sum(1 for hunk in hunks for text in hunk.lines[1:] if text.startswith("+"))
        deleted = sum(1 for hunk in hunks for text in hunk.lines[1:] if text.startswith("-"))
        blob = "c0ffee" + format(len(filename), "034x")
        file = {
            "sha": blob,
            "filename": filename,
            "status": status,
            "additions": added,
            "deletions": deleted,
            "changes": added + deleted,
            "blob_url": f"https://github.com/{REPO}/blob/{blob}/{filename}",
            "raw_url": f"https://github.com/{REPO}/raw/{blob}/{filename}",
            "contents_url": f"{self.api_url}/repos/{REPO}/contents/{filename}?ref={blob}",
        }
        if patch is not None:
            file["patch"] = patch
        if previous_filename is not None:
            file["previous_filename"] = previous_filename
        with self._lock:
            self.pull_files = [kept for kept in self.pull_files if kept["filename"] != filename] + [file]
        return file

    def add_issue(self, title: str, body: str, user: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        """A repository issue (not the pull request), numbered from 100; issues and pull requests share the numbers."""
        with self._lock:
            number = 100 + len(self.issues)
            issue = {
                "number": number,
                "id": 9000 + number,
                "url": f"{self.api_url}/repos/{REPO}/issues/{number}",
                "html_url": f"https://github.com/{REPO}/issues/{number}",
                "title": title,
                "body": body,
                "state": "open",
                "user": user or BOT,
                "labels": [{"name": name} for name in extra.pop("labels", [])],
                "assignees": [{"login": login} for login in extra.pop("assignees", [])],
                "comments_list": [],
                **extra,
            }
            self.issues.append(issue)
        return issue

    def add_pull_request(self, title: str, body: str, user: dict[str, Any] | None = None) -> dict[str, Any]:
        """A pull request as GitHub's issues listing shows it, with a `pull_request` key: the listing holds both."""
        pull = self.add_issue(title, body, user)
        with self._lock:
            html_url = f"https://github.com/{REPO}/pull/{pull['number']}"
            pull["html_url"] = html_url
            pull["pull_request"] = {
                "url": f"{self.api_url}/repos/{REPO}/pulls/{pull['number']}",
                "html_url": html_url,
                "diff_url": f"{html_url}.diff",
                "patch_url": f"{html_url}.patch",
                "merged_at": None,
            }
        return pull

    def _issues_api(
        self, method: str, route: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any, dict[str, str]] | None:
        """The repository's issues: list (state, creator, pages), create, edit, comment on one."""
        if route == "/issues" and method == "GET":
            creator = (query.get("creator") or [""])[0] or None
            state = (query.get("state") or ["open"])[0]
            shown = [
                issue
                for issue in self.issues
                if (creator is None or issue["user"]["login"] == creator) and state in ("all", issue["state"])
            ]
            page = self._page(shown, f"/repos/{REPO}/issues", query)
            with self._lock:
                barrier = self.issues_barrier
                self._issue_listings += 1
                if barrier is not None and self._issue_listings >= barrier.parties:
                    self.issues_barrier = None  # the last racing run has listed
            if barrier is not None:
                barrier.wait(timeout=10)
            return page
        if route == "/issues" and method == "POST":
            extra = {key: body[key] for key in ("labels", "assignees") if key in body}
            return 201, self.add_issue(body["title"], body.get("body", ""), self.viewer, **extra), {}
        match = re.fullmatch(r"/issues/(\d+)(/comments)?", route)
        issue = next((i for i in self.issues if match and i["number"] == int(match.group(1))), None)
        if issue is None:
            return None
        if match and match.group(2) and method == "POST":
            with self._lock:
                issue["comments_list"].append({"body": body["body"], "user": self.viewer})
            return 201, {"id": 1, "body": body["body"], "user": self.viewer}, {}
        if method == "PATCH":
            with self._lock:
                issue.update({key: body[key] for key in ("title", "body", "state", "state_reason") if key in body})
            return 200, issue, {}
        return 200, issue, {}

    def _repository_api(self, route: str) -> tuple[int, Any, dict[str, str]] | None:
        """GET /repos/{REPO} and GET /repos/{REPO}/commits/{sha}, in GitHub's shapes (abridged)."""
        if route == f"/repos/{REPO}":
            return 200, {**self.repository, "url": f"{self.api_url}/repos/{REPO}"}, {}
        match = re.fullmatch(rf"/repos/{re.escape(REPO)}/commits/([^/]+)", route)
        if match is None:
            return None
        sha = match.group(1)
        if sha not in self.commits:
            # GitHub's answer for a commit the repository does not have.
            message = f"No commit found for SHA: {sha}"
            return 422, {"message": message, "documentation_url": f"{DOCS}/commits/commits#get-a-commit"}, {}
        return 200, self._commit(sha), {}

    def _commit(self, sha: str) -> dict[str, Any]:
        def ref(of: str) -> dict[str, str]:
            return {
                "sha": of,
                "url": f"{self.api_url}/repos/{REPO}/commits/{of}",
                "html_url": f"https://github.com/{REPO}/commit/{of}",
            }

        person = {"name": "Mona Octocat", "email": "mona@example.com", "date": "2026-11-25T09:00:00Z"}
        return {
            **ref(sha),
            "node_id": f"C_{sha[:12]}",
            "commit": {
                "author": person,
                "committer": person,
                "message": "A commit of the fake GitHub",
                "tree": {"sha": EMPTY_TREE, "url": f"{self.api_url}/repos/{REPO}/git/trees/{EMPTY_TREE}"},
                "comment_count": 0,
            },
            "parents": [ref(parent) for parent in self.commits[sha]],
        }

    def writes(self) -> list[Request]:
        """What changed the pull request: a GraphQL query is a POST that reads."""
        return [
            seen
            for seen in self.requests
            if seen.method in ("POST", "PATCH", "DELETE") and not seen.path.endswith("/graphql")
        ]

    def _delete(self, comments: list[dict[str, Any]], comment_id: int) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            comment = next((c for c in comments if c["id"] == comment_id), None)
            if comment is None:
                return 404, {"message": "Not Found"}, {}
            if comment["user"]["login"] != self.viewer["login"]:
                return 403, {"message": "Must have admin rights to Repository."}, {}
            comments.remove(comment)
        return 204, None, {}

    def refuse(
        self,
        method: str,
        path_pattern: str,
        status: int,
        message: str,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
    ) -> None:
        self.refusals.append(
            Refusal(method, path_pattern, status, {"message": message}, headers or {}, times, query or {})
        )

    def _refusal(self, method: str, path: str, query: dict[str, list[str]]) -> Refusal | None:
        with self._lock:
            for refusal in self.refusals:
                asked = all(query.get(name) == [value] for name, value in refusal.query.items())
                if refusal.method == method and re.search(refusal.path_pattern, path) and asked and refusal.times > 0:
                    refusal.times -= 1
                    return refusal
        return None

    def answer(  # noqa: PLR0911, PLR0912 -- one branch and one answer per route, as GitHub's router has them
        self, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        if refusal := self._refusal(method, path, query):
            return refusal.status, refusal.body, refusal.headers
        if method == "POST" and path == self.prefix.removesuffix("/v3") + "/graphql":
            if "viewer" not in str(body.get("query")):
                return 200, {"errors": [{"message": "this fake answers only the viewer query"}]}, {}
            return 200, {"data": {"viewer": {"login": self.viewer["login"]}}}, {}
        if not path.startswith(self.prefix + "/repos/"):
            return 404, {"message": "Not Found"}, {}
        route = path[len(self.prefix) :]
        if (match := re.fullmatch(r"/repos/([^/]+/[^/]+)/contents/(.+)", route)) and method == "GET":
            ref = (query.get("ref") or [""])[0]
            text = self.files.get((match.group(1), unquote(match.group(2)), ref))
            return (200, text, {}) if text is not None else (404, {"message": "Not Found"}, {})
        if method == "GET" and (answer := self._repository_api(route)):
            return answer
        if method in ("POST", "PATCH") and len(str(body.get("body", ""))) > MAX_BODY:
            return 422, {"message": "Validation Failed", "errors": [{"message": "Body is too long"}]}, {}
        base = f"/repos/{REPO}"
        if answer := self._issues_api(method, route[len(base) :], query, body) if route.startswith(base) else None:
            return answer
        if route == f"{base}/issues/{self.number}/comments":
            if method == "GET":
                with self._lock:
                    barrier = self.list_barrier
                    self._arrived += barrier is not None
                    if barrier is not None and self._arrived >= barrier.parties:
                        self.list_barrier = None  # the last of the racing runs: later listings go through
                page = self._page(self.issue_comments, route, query)  # what this run sees, before any creates
                if barrier is not None:
                    barrier.wait(timeout=10)
                return page
            return 201, self.add_issue_comment(body["body"], self.viewer), {}
        if (match := re.fullmatch(rf"{base}/(issues|pulls)/comments/(\d+)", route)) and method == "DELETE":
            kept = self.issue_comments if match.group(1) == "issues" else self.review_comments
            return self._delete(kept, int(match.group(2)))
        if (match := re.fullmatch(rf"{base}/issues/comments/(\d+)", route)) and method == "PATCH":
            comment = next((c for c in self.issue_comments if c["id"] == int(match.group(1))), None)
            if comment is None:
                return 404, {"message": "Not Found"}, {}
            comment["body"] = body["body"]
            return 200, comment, {}
        if route.startswith(f"{base}/pulls/{self.number}/") and (answer := self._pulls_api(method, route, query, body)):
            return answer
        return 404, {"message": "Not Found"}, {}

    def _pulls_api(
        self, method: str, route: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any, dict[str, str]] | None:
        """The pull request's files, its review comments (listed, or one created) and its reviews (one created)."""
        what = route.rsplit("/", 1)[1]
        if (what, method) == ("files", "GET"):
            return self._page(self.pull_files[:MAX_PULL_FILES], route, query)
        if (what, method) == ("comments", "GET"):
            return self._page(self.review_comments, route, query)
        if (what, method) == ("comments", "POST"):
            return self._comment(body)
        if (what, method) == ("reviews", "POST"):
            return self._review(body)
        return None

    def _misplaced(self, comment: dict[str, Any], commit: str | None) -> tuple[list[str], Hunk | None]:
        """What GitHub says of a comment's place in the diff at `commit` (nothing when it is fine), and its hunk."""
        files = self.files_at.get(commit or "", self.pull_files)
        patch = next((file.get("patch") for file in files if file["filename"] == comment.get("path")), None)
        side = comment.get("side") or "RIGHT"
        shown = [
            hunk for hunk in hunks_of(patch) if comment.get("line") in (hunk.right if side == "RIGHT" else hunk.left)
        ]
        start = comment.get("start_line")
        if not shown:
            return [THREAD_LINE, *([THREAD_START] if start is not None else []), THREAD_HUNK], None
        start_side = comment.get("start_side") or side
        if start is not None and start not in (shown[0].right if start_side == "RIGHT" else shown[0].left):
            return [THREAD_START], shown[0]
        return [], shown[0]

    def _thread(self, comment: dict[str, Any], hunk: Hunk, commit: str | None, review: int) -> dict[str, Any]:
        """A review comment as GitHub keeps and lists it."""
        side = comment.get("side") or "RIGHT"
        start = comment.get("start_line")
        place = {
            "commit_id": commit,
            "original_commit_id": commit,
            "pull_request_review_id": review,
            "side": side,
            "start_line": start,
            "original_start_line": start,
            "start_side": (comment.get("start_side") or side) if start is not None else None,
            "diff_hunk": hunk.text_to(side, comment["line"]),
        }
        return self.add_review_comment(comment["path"], comment["line"], comment["body"], self.viewer, **place)

    def _comment(self, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        """POST /pulls/{n}/comments: one review comment, in a review of its own."""
        commit = body.get("commit_id")
        said, hunk = self._misplaced(body, commit)
        if hunk is None or said:
            wrong = "line" if hunk is None else "start_line"
            message = {
                "line": f"pull_request_review_thread.{wrong} must be part of the diff",
                "start_line": f"pull_request_review_thread.{wrong} must be part of the same hunk as the line.",
            }[wrong]
            error = {
                "resource": "PullRequestReviewComment",
                "code": "custom",
                "field": f"pull_request_review_thread.{wrong}",
                "message": message,
            }
            docs = f"{DOCS}/pulls/comments#create-a-review-comment-for-a-pull-request"
            return (
                422,
                {"message": "Validation Failed", "errors": [error], "documentation_url": docs, "status": "422"},
                {},
            )
        review = self._add_review("", "COMMENTED", commit)
        return 201, self._thread(body, hunk, commit, review["id"]), {}

    def _review(self, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        """POST /pulls/{n}/reviews: every comment in the diff, or the whole review refused and nothing made."""
        docs = f"{DOCS}/pulls/reviews#create-a-review-for-a-pull-request"
        event = body.get("event")
        if event in ("COMMENT", "REQUEST_CHANGES") and not body.get("body"):
            # The docs: `body` is required when using REQUEST_CHANGES or COMMENT.
            refused = {"message": "Unprocessable Entity", "errors": ["Body can't be blank"], "documentation_url": docs}
            return 422, {**refused, "status": "422"}, {}
        commit = body.get("commit_id")
        said: list[str] = []
        placed: list[tuple[dict[str, Any], Hunk]] = []
        for comment in body.get("comments") or []:
            errors, hunk = self._misplaced(comment, commit)
            said += [error for error in errors if error not in said]
            if hunk is not None:
                placed.append((comment, hunk))
        if said:
            refused = {"message": "Unprocessable Entity", "errors": [sentence(said)], "documentation_url": docs}
            return 422, {**refused, "status": "422"}, {}
        states = {"COMMENT": "COMMENTED", "APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED"}
        review = self._add_review(body.get("body") or "", states.get(event or "", "PENDING"), commit)
        for comment, hunk in placed:
            self._thread(comment, hunk, commit, review["id"])
        return 200, review, {}

    def _add_review(self, text: str, state: str, commit: str | None) -> dict[str, Any]:
        with self._lock:
            self._next_id += 1
            number = self._next_id
            review = {
                "id": number,
                "node_id": f"PRR_{number}",
                "user": self.viewer,
                "body": text,
                "state": state,
                "html_url": f"https://github.com/{REPO}/pull/{self.number}#pullrequestreview-{number}",
                "pull_request_url": f"{self.api_url}/repos/{REPO}/pulls/{self.number}",
                "commit_id": commit,
                "submitted_at": "2026-11-25T10:00:00Z",
                "author_association": "NONE",
            }
            self.reviews.append(review)
        return review

    def _page(
        self, items: list[dict[str, Any]], route: str, query: dict[str, list[str]]
    ) -> tuple[int, Any, dict[str, str]]:
        per_page = min(int((query.get("per_page") or ["30"])[0]), MAX_PER_PAGE)
        page = int((query.get("page") or ["1"])[0])
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(items):
            base = self.links_to or self.api_url
            headers["Link"] = f'<{base}{route}?per_page={per_page}&page={page + 1}>; rel="next"'
        return 200, chunk, headers
