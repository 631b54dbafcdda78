"""The `IssueTracker` port over PyGithub: a repository's tracking issues, found by marker among the token's own."""

from __future__ import annotations

from github.Issue import Issue
from github.PaginatedList import PaginatedList

from gate.flow.automations import TrackedIssue
from gate.github.session import PyGithubSession, login_of


class PyGithubIssues(PyGithubSession):
    """Lists, opens, edits and closes the issues the automations keep."""

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
        self._issues = {issue.number: issue for issue in issues}
        return [
            TrackedIssue(issue.number, issue.state == "open", login_of(issue.user), issue.title, issue.body or "")
            for issue in self._issues.values()
            if marker in (issue.body or "") and login_of(issue.user).lower() == author.lower()
        ]

    def create(self, title: str, body: str, labels: tuple[str, ...], assignees: tuple[str, ...]) -> int:
        issue = self._call(
            lambda: self._repo.create_issue(title=title, body=body, labels=list(labels), assignees=list(assignees))
        )
        return issue.number

    def update(self, number: int, title: str, body: str, *, reopen: bool) -> None:
        issue = self._issues[number]
        if reopen:
            self._call(lambda: issue.edit(title=title, body=body, state="open"))
        else:
            self._call(lambda: issue.edit(title=title, body=body))

    def close(self, number: int, comment: str) -> None:
        issue = self._issues[number]
        self._call(lambda: issue.create_comment(comment))
        self._call(lambda: issue.edit(state="closed", state_reason="completed"))
