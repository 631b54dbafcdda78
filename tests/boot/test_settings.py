"""Inputs as the runner passes them: INPUT_<NAME> with hyphens kept, empty meaning default."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from gate.boot.settings import (
    DEFAULT_API_URL,
    MAX_POLL_INTERVAL_SECONDS,
    MAX_TIMEOUT_SECONDS,
    given_settings,
    instance_variables,
    load_inputs,
    load_runner,
    raw_secrets,
    run_plan,
)
from gate.core.errors import ConfigError
from gate.core.precedence import DEFAULTS, INPUT_NAMES

ROOT = Path(__file__).resolve().parents[2]

SECRET = "AIK_CI_" + "s3cr3t" * 10


class TestLoadInputs:
    """load_inputs"""

    def test_defaults_match_action_yml(self, action_env: Any) -> None:
        inputs = load_inputs()
        # The policy settings are not given: the profile or the built-in default decides.
        assert given_settings(inputs) == {}
        plan = run_plan(inputs, load_runner())
        assert plan.chosen == DEFAULTS
        assert (plan.chosen.minimum_severity, plan.chosen.fail_on_timeout, plan.chosen.timeout_seconds) == (
            "CRITICAL",
            True,
            300,
        )
        assert dict(plan.settings.sources) == dict.fromkeys(INPUT_NAMES, "default")
        assert inputs.poll_interval_seconds == 5
        assert (inputs.repository_id, inputs.base_commit, inputs.head_commit, inputs.branch_name) == (None,) * 4
        assert inputs.github_token.get_secret_value() == "ghs_fakeJobToken0000"
        assert inputs.aikido_url == DEFAULT_API_URL

    def test_hyphenated_names_are_read(self, action_env: Any) -> None:
        action_env(**{"secret-key": SECRET, "minimum-severity": "high", "fail-on-sast-scan": "TRUE"})
        inputs = load_inputs()
        assert inputs.secret_key.get_secret_value() == SECRET
        assert inputs.minimum_severity == "HIGH"
        assert inputs.fail_on_sast_scan is True

    def test_underscore_spelling_is_read_too(self, action_env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("INPUT_TIMEOUT-SECONDS")
        monkeypatch.setenv("INPUT_TIMEOUT_SECONDS", "42")
        assert load_inputs().timeout_seconds == 42

    def test_empty_value_means_default(self, action_env: Any) -> None:
        action_env(**{"timeout-seconds": "", "minimum-severity": "", "fail-on-timeout": ""})
        plan = run_plan(load_inputs(), load_runner())
        assert (plan.chosen.timeout_seconds, plan.chosen.minimum_severity, plan.chosen.fail_on_timeout) == (
            300,
            "CRITICAL",
            True,
        )

    def test_secret_is_stripped_of_a_pasted_newline(self, action_env: Any) -> None:
        action_env(**{"secret-key": f"  {SECRET}\n"})
        assert load_inputs().secret_key.get_secret_value() == SECRET

    @pytest.mark.parametrize(
        ("name", "value", "message"),
        [
            ("fail-on-sast-scan", "yes", 'input fail-on-sast-scan is "yes": must be true or false'),
            ("report-only", "1", 'input report-only is "1": must be true or false'),
            ("timeout-seconds", "0", 'input timeout-seconds is "0": must be a positive whole number of seconds'),
            ("poll-interval-seconds", "2.5", 'input poll-interval-seconds is "2.5": must be a positive whole number'),
            ("timeout-seconds", "99999", 'input timeout-seconds is "99999": must be at most 21600'),
            (
                "minimum-severity",
                "SEVERE",
                'input minimum-severity is "SEVERE": must be one of LOW, MEDIUM, HIGH, CRITICAL',
            ),
            ("base-commit", "main", 'input base-commit is "main": must be a full commit SHA'),
            (
                "api-base-url",
                "http://app.aikido.dev",
                'input api-base-url is "http://app.aikido.dev": must be an https:// URL',
            ),
            ("api-base-url", "ftp://x", 'input api-base-url is "ftp://x": must be an https:// URL'),
            (
                "api-base-url",
                "https://user:s3cr3t-t0ken@app.aikido.dev",
                'input api-base-url is "https://***@app.aikido.dev": must not carry credentials (user:password@)',
            ),
            (
                "api-base-url",
                "https://app.aikido.dev?x=1",
                'input api-base-url is "https://app.aikido.dev?x=1": must not have a query (?…) or fragment',
            ),
            ("timeout-seconds", "9" * 40, f'input timeout-seconds is "{"9" * 40}": must be at most 21600'),
            ("poll-interval-seconds", "99999", 'input poll-interval-seconds is "99999": must be at most 3600'),
            (
                "api-base-url",
                "https://app.aikido.dev/api",
                'input api-base-url is "https://app.aikido.dev/api": must be the host only, such as '
                "https://app.aikido.dev, without /api or any path",
            ),
            ("repository-id", "R_kg DO", 'input repository-id is "R_kg DO": must be the repository\'s node id'),
            ("branch-name", "a\nb", 'input branch-name is "a\\nb": must be one line'),
        ],
    )
    def test_bad_value_names_the_input(self, action_env: Any, name: str, value: str, message: str) -> None:
        action_env(**{name: value})
        with pytest.raises(ConfigError) as caught:
            load_inputs()
        assert str(caught.value).startswith(message)
        assert str(caught.value).endswith(" (see https://github.com/aikido-gate/aikido-gate#inputs)")

    def test_every_bad_input_at_once(self, action_env: Any) -> None:
        action_env(**{"minimum-severity": "banana", "fail-on-sast-scan": "yes", "secret-key": "AIK_CI_x y"})
        with pytest.raises(ConfigError) as caught:
            load_inputs()
        assert str(caught.value) == (
            "3 inputs are wrong: input secret-key: contains whitespace or characters a key cannot have; paste the key "
            'again; input minimum-severity is "banana": must be one of LOW, MEDIUM, HIGH, CRITICAL (any case); '
            'input fail-on-sast-scan is "yes": must be true or false (see https://github.com/aikido-gate/aikido-gate#inputs)'
        )

    def test_secret_never_appears_in_an_error(self, action_env: Any) -> None:
        action_env(**{"secret-key": "AIK_CI_abc def"})
        with pytest.raises(ConfigError) as caught:
            load_inputs()
        assert "abc" not in str(caught.value)
        assert str(caught.value).startswith("input secret-key: contains whitespace")

    def test_non_ascii_secret_is_refused_without_echo(self, action_env: Any) -> None:
        action_env(**{"secret-key": "AIK_CI_ключ"})
        with pytest.raises(ConfigError) as caught:
            load_inputs()
        assert "ключ" not in str(caught.value)

    @pytest.mark.parametrize(
        ("key", "url"),
        [
            ("AIK_CI_US_abc", "https://app.us.aikido.dev"),
            ("AIK_CI_ME_abc", "https://app.me.aikido.dev"),
            ("AIK_CI_abc", "https://app.aikido.dev"),
        ],
    )
    def test_region_follows_the_key(self, action_env: Any, key: str, url: str) -> None:
        action_env(**{"secret-key": key})
        assert load_inputs().aikido_url == url

    def test_explicit_base_url_wins_and_loopback_http_is_allowed(self, action_env: Any) -> None:
        action_env(**{"secret-key": "AIK_CI_US_abc", "api-base-url": "http://127.0.0.1:8080/"})
        assert load_inputs().aikido_url == "http://127.0.0.1:8080"


class TestRawSecrets:
    """raw_secrets"""

    def test_both_secrets_as_given_and_stripped(self) -> None:
        env = {"INPUT_SECRET-KEY": f"{SECRET}\n", "INPUT_GITHUB-TOKEN": "ghs_x", "INPUT_OTHER": "visible"}
        assert raw_secrets(env) == [f"{SECRET}\n", SECRET, "ghs_x"]

    def test_nothing_when_unset(self) -> None:
        assert raw_secrets({"INPUT_SECRET-KEY": ""}) == []


class TestLoadRunner:
    """load_runner"""

    def test_reads_github_variables(self, action_env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("GITHUB_REPOSITORY", "octo-org/octo-repo")
        monkeypatch.setenv("RUNNER_DEBUG", "1")
        runner = load_runner()
        assert runner.event_name == "pull_request"
        assert runner.repository == "octo-org/octo-repo"
        assert runner.api_url == "https://api.github.com"
        assert runner.runner_debug is True


class TestCommentInputs:
    """post-scan-status-comment, post-sast-review-comments"""

    @pytest.mark.parametrize(
        ("value", "mode"),
        [("on", "on"), ("TRUE", "on"), ("false", "off"), ("only_if_new_findings", "only_if_new_findings")],
    )
    def test_status_comment_modes(self, action_env: Any, value: str, mode: str) -> None:
        action_env(**{"post-scan-status-comment": value})
        assert load_inputs().post_scan_status_comment == mode

    def test_defaults_are_off(self, action_env: Any) -> None:
        inputs = load_inputs()
        assert (inputs.post_scan_status_comment, inputs.post_sast_review_comments) == ("off", False)

    @pytest.mark.parametrize(
        ("name", "value", "message"),
        [
            (
                "post-scan-status-comment",
                "sometimes",
                'input post-scan-status-comment is "sometimes": must be on, off or',
            ),
            ("post-sast-review-comments", "yes", 'input post-sast-review-comments is "yes": must be on or off'),
        ],
    )
    def test_bad_values(self, action_env: Any, name: str, value: str, message: str) -> None:
        action_env(**{name: value})
        with pytest.raises(ConfigError, match=f"^{message}"):
            load_inputs()

    def test_sast_switch_accepts_true(self, action_env: Any) -> None:
        action_env(**{"post-sast-review-comments": "True"})
        assert load_inputs().post_sast_review_comments is True


class TestPolicyDefaults:
    """The policy settings' defaults: empty in action.yml, stated in its descriptions, kept in code"""

    @pytest.mark.parametrize("name", list(INPUT_NAMES))
    def test_action_yml_states_the_default_it_no_longer_passes(self, name: str) -> None:
        action = (ROOT / "action.yml").read_text(encoding="utf-8")
        default = getattr(DEFAULTS, name)
        shown = str(default).lower() if isinstance(default, bool) else str(default)
        block = re.search(
            rf"^  {INPUT_NAMES[name]}:\n    description: (.*)\n.*\n    default: (.*)$", action, re.MULTILINE
        )
        assert block is not None
        assert block.group(1).endswith(f"Empty means the policy profile's, else {shown}.")
        assert block.group(2) == "''"


class TestStatedLimits:
    """The upper limits, as action.yml and the README state them"""

    @pytest.mark.parametrize(
        ("name", "limit"),
        [("timeout-seconds", MAX_TIMEOUT_SECONDS), ("poll-interval-seconds", MAX_POLL_INTERVAL_SECONDS)],
    )
    def test_action_yml_and_readme_say_the_limit(self, name: str, limit: int) -> None:
        action = (ROOT / "action.yml").read_text(encoding="utf-8")
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        assert re.search(rf"^  {name}:\n    description: .*1 to {limit}\b", action, re.MULTILINE)
        assert re.search(rf"^\| `{name}` \| .*1 to {limit}\b", readme, re.MULTILINE)


class TestInstanceVariables:
    """instance_variables: the variables the policy file's instances name, never the runner's or the action's own"""

    def test_only_the_named_ones_set_and_not_reserved(self) -> None:
        environ = {"SLACK_URL": " https://hooks.slack.com/x \n", "EMPTY": "", "GITHUB_TOKEN": "ghs_x", "OTHER": "y"}
        names = ["SLACK_URL", "EMPTY", "MISSING", "GITHUB_TOKEN", "github_token", "INPUT_SECRET-KEY"]
        assert instance_variables(names, environ) == {"SLACK_URL": "https://hooks.slack.com/x"}
