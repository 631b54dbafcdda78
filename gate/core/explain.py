"""What `policy check` and `policy explain` print: a policy file checked, and what it does to one run, for people.

Pure, from plain values: the validated `Policy` (or its `PolicyError`) and the run asked about.
Every decision is the run's own code: the profile from `gate.core.policy.select`, the settings from
`gate.core.precedence.effective`, the rules in scope from `gate.core.automations.applies`, the
actions of each event from `actions_on`, the input or instance each writes through from `need_of`.
Only the words are this module's; gate.boot.cli cleans each line (`gate.core.sanitize.clean`) as
the action's sinks do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gate.core.actions import KINDS
from gate.core.automations import Where, actions_on, applies, need_of, ref_kind, targets
from gate.core.errors import PolicyError
from gate.core.event import PULL_REQUEST_EVENTS
from gate.core.policy import AUTOMATION_EVENTS, EVENTS, Action, Automation, Instance, Policy, RunFacts, select
from gate.core.precedence import INPUT_NAMES, Effective, effective
from gate.core.wording import a_few

# The events whose run may be about a tag (a pushed tag, a release's tag, a dispatch on a tag); the others are about
# a branch (a pull request's or merge group's base branch, a schedule's default branch), as gate.core.event reads
# them; a release is never about a branch.
TAGGED = ("push", "release", "workflow_dispatch")
UNTAGGED = tuple(event for event in EVENTS if event not in TAGGED)
USAGE_CHECK = "policy check FILE"
USAGE_EXPLAIN = "policy explain FILE --event EVENT [--branch NAME | --tag NAME] [--profile NAME]"


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def holds(policy: Policy) -> str:
    """What the file holds: `2 profiles, 1 rule, 0 instances`."""
    return ", ".join(
        (
            _count(len(policy.profiles), "profile"),
            _count(len(policy.automations), "rule"),
            _count(len(policy.instances), "instance"),
        )
    )


def checked(policy: Policy) -> str:
    """`policy check`'s one line for a file the action would accept."""
    return f"OK: {policy.source}: {holds(policy)}"


def problem_lines(wrong: PolicyError) -> list[str]:
    """`policy check`'s lines for a file the action refuses: its message as the action's error says it, or, for
    several problems, the head of that message and then each problem on a line of its own (as the job summary lists
    them, every one of them: the message names the first 20)."""
    message = str(wrong)
    if len(wrong.problems) < 2:
        return [message]
    head, found, _ = message.partition(f": {wrong.problems[0]}")
    return [f"{head if found else message}:", *(f"  {problem}" for problem in wrong.problems)]


def where_problem(event: str, branch: str | None, tag: str | None) -> str | None:
    """Why `--branch`/`--tag` cannot go with `--event`, in one line; None when they can."""
    if event not in EVENTS:
        return f"--event: {event!r} is not a policy event: give one of {', '.join(EVENTS)}"
    if branch is not None and tag is not None:
        return "--branch and --tag: give one of them: a run is about a branch or a tag"
    for option, name in (("--branch", branch), ("--tag", tag)):
        if name is not None and not name.strip():
            return f"{option}: give a name"
    if tag is not None and event in UNTAGGED:
        base = "base branch" if event in (*PULL_REQUEST_EVENTS, "merge_group") else "branch"
        return f"--tag: a {event} run is about its {base}, not a tag; give --branch"
    if branch is not None and event == "release":
        return "--branch: a release is of a tag; give --tag"
    return None


@dataclass(frozen=True)
class Asked:
    """The run `policy explain` is asked about: its event, the branch or tag it is about (a pull request's or merge
    group's base branch, as a run matches `when.branches`), and the profile --profile names as policy-profile would."""

    event: str
    branch: str | None = None
    tag: str | None = None
    profile: str | None = None

    @property
    def run(self) -> RunFacts:
        return RunFacts(self.event, self.branch, self.tag)

    @property
    def where(self) -> Where:
        """The run as the rules' scope sees it (a pull request event is a numbered pull request's run)."""
        kind = ref_kind(self.event, numbered=True, tag=self.tag)
        return Where("", kind, self.branch or self.tag or "", "", "", "", "", "")


def explain(policy: Policy, asked: Asked) -> list[str]:
    """`policy explain`'s lines: the profile and why, every setting and its source, the rules in scope, and what each
    automation event would do; PolicyError when --profile names no profile of the file (the action's message)."""
    choice = select(policy, asked.profile, asked.run)
    profile = choice.profile.name if choice.profile else None
    chosen = effective({}, choice.profile.settings if choice.profile else None)
    lines = [f"{policy.source}: {holds(policy)}; a run of {asked.run.describe()}", ""]
    lines += [f"Profile: {profile if profile else 'none'}", f"  {choice.why}", ""]
    lines += settings_lines(chosen)
    if policy.automations:
        lines += ["", *rules_lines(policy, profile, asked)]
    return lines


def _shown(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def settings_lines(chosen: Effective) -> list[str]:
    """Every setting as the inputs name it, its value and where it came from (the profile, or the default)."""
    rows = [(INPUT_NAMES[name], _shown(value), chosen.sources[name]) for name, value in chosen.settings.items()]
    width = max(len(name) for name, _, _ in rows)
    values = max(len(value) for _, value, _ in rows)
    return [
        "Settings (from the profile, else the built-in default; an input the workflow gives wins over both):",
        *(f"  {name:<{width}}  {value:<{values}}  {source}" for name, value, source in rows),
    ]


def rules_lines(policy: Policy, profile: str | None, asked: Asked) -> list[str]:
    """Each rule in or out of this run's scope and why, then what each automation event would do."""
    where = asked.where
    scoped = [rule for rule in policy.automations if applies(rule, profile, where)]
    lines = ["Automation rules:"]
    lines += [f"  {rule.name}: {_scope(rule, rule in scoped, profile, where)}" for rule in policy.automations]
    if where.ref_kind == "pull request":
        lines.append("  (a pull request from a fork sets no rule off, on any event)")
    instances = {instance.id: instance for instance in policy.instances}
    lines += ["", "On each event:"]
    for event in AUTOMATION_EVENTS:
        acting = [(rule.name, action) for rule in scoped for action in actions_on(rule, {event})[1].values()]
        lines.append(f"  {event}:" if acting else f"  {event}: nothing")
        lines += [f"    {rule}: {action.type} through {_through(action, instances)}" for rule, action in acting]
    always = [
        f"  {rule.name}: {action.type} still acts ({KINDS[action.type].does})"
        for rule in scoped
        for action in targets(rule).values()
        if KINDS[action.type].on_every_run
    ]
    if always:
        lines += ["", "On a verdict where none of a rule's events fire:", *always]
    return lines


def _scope(rule: Automation, scoped: bool, profile: str | None, where: Where) -> str:
    """In or out of this run's scope (as `applies` decided), in words that say why."""
    if not rule.enabled:
        return "off (enabled: false)"
    covers = "scope all" if rule.profiles is None else f"scope profiles {a_few(list(rule.profiles))}"
    if scoped:
        return f"in scope ({covers})"
    if rule.profiles is None:
        return (
            f"not in scope ({covers}: a pull request's run is in a rule's scope only when the rule names the profile "
            "it followed)"
        )
    return f"not in scope ({covers}; this run follows {f'profile {profile}' if profile else 'no profile'})"


def _through(action: Action, instances: Mapping[str, Instance]) -> str:
    """What an action writes through: the instance it names (its instanceId and pluginId, and the variables holding
    its secrets, never a value), or the input it needs."""
    named = action.options.get("instanceId")
    instance = instances.get(named) if isinstance(named, str) else None
    need = need_of(action, instances)
    if instance is None:
        return f"the input {need}"
    variables = "".join(f", {key} {name}" for key, name in instance.variables.items())
    through = f"instance {instance.id} (pluginId {instance.plugin}{variables})"
    return through if need.startswith("instance ") else f"{through} with the input {need}"
