"""The `IssueTracker` port over PyGithub: a repository's tracking issues, found by marker among the token's own."""

from __future__ import annotations

from github.Issue import Issue
from github.PaginatedList import PaginatedList

from gate.core.automations import MARKDOWN_ISSUES
from gate.flow.ports import TrackedIssue
from gate.github.session import PyGithubSession, login_of


def as_written(body: str | None) -> str:
    """The body with the line endings we wrote: GitHub may give it back with CRLF."""
    return (body or "").replace("\r\n", "\n")


def is_ours(issue: Issue, marker: str, author: str) -> bool:
    """An issue, not a pull request, that `author` opened and whose body begins with the marker line we write.

    GitHub's issues listing holds pull requests too, and every workflow's GITHUB_TOKEN writes as the
    same bot: a release PR quoting a commit subject that holds the marker (computable from public
    data) must not be taken. The listing's JSON is read as it came (`_rawData`): `issue.pull_request`
    and `issue.raw_data` make PyGithub fetch every issue without the key again.
    """
    if "pull_request" in issue._rawData or login_of(issue.user).lower() != author.lower():
        return False
    body = as_written(issue.body)
    return body == marker or body.startswith(marker + "\n")


def as_tracked(issue: Issue) -> TrackedIssue:
    """The issue as the flow reads it, from what its JSON carries (any other attribute makes PyGithub fetch it)."""
    url = issue._rawData.get("html_url")
    return TrackedIssue(
        issue.number,
        issue.state == "open",
        login_of(issue.user),
        issue.title,
        as_written(issue.body),
        f"#{issue.number}",
        url if isinstance(url, str) else "",
    )


class PyGithubIssues(PyGithubSession):
    """Lists, opens, edits and closes the issues the automations keep."""

    # GitHub renders Markdown, and the marker is a hidden line that begins the body (gate.core.automations).
    text_format = MARKDOWN_ISSUES.name
    _issues: dict[int, Issue]

    def tracked(self, marker: str, author: str) -> list[TrackedIssue]:
        # Listed, not searched (search is eventually consistent: a race would miss a fresh issue).
        # GitHub's `creator` filter narrows the listing to the author; the author is checked here too,
        # as a marker planted in someone else's issue must not count.
        # Repository.get_issues wants the creator as a NamedUser, which PyGithub fetches first; the
        # listing itself takes the login as it is.
        params = {"state": "all", "creator": author}
        listing = PaginatedList(Issue, self._github.requester, f"{self._repo.url}/issues", params)
        issues = self._call(lambda: list(listing))
        # Only attributes the listing carries are read: any other makes PyGithub fetch each issue again.
        ours = [issue for issue in issues if is_ours(issue, marker, author)]
        self._issues = {issue.number: issue for issue in ours}
        return [as_tracked(issue) for issue in ours]

    def create(self, title: str, body: str, labels: tuple[str, ...], assignees: tuple[str, ...]) -> TrackedIssue:
        issue = self._call(
            lambda: self._repo.create_issue(title=title, body=body, labels=list(labels), assignees=list(assignees))
        )
        return as_tracked(issue)

    def unchanged(self, issue: TrackedIssue, title: str, body: str) -> bool:
        # GitHub gives back the Markdown it was sent (line endings aside: `as_written`).
        return issue.title == title and issue.body.strip() == body.strip()

    def update(self, number: int, title: str, body: str, *, reopen: bool) -> bool:
        issue = self._issues[number]
        if reopen:
            self._call(lambda: issue.edit(title=title, body=body, state="open"))
        else:
            self._call(lambda: issue.edit(title=title, body=body))
        return True  # a GitHub issue can always be reopened

    def close(self, number: int, comment: str) -> None:
        issue = self._issues[number]
        self._call(lambda: issue.create_comment(comment))
        self._call(lambda: issue.edit(state="closed", state_reason="completed"))
