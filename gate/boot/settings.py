"""The only place that reads `INPUT_*` and `GITHUB_*` variables.

A Docker action gets each input as `INPUT_<NAME>`: upper-cased with hyphens KEPT
(`INPUT_SECRET-KEY`). An `env_prefix` alone would look for `INPUT_SECRET_KEY`, so each
field lists both spellings as aliases. The runner passes every declared input, with an
empty string for one the workflow left unset (also `vars.X` that does not exist), so
empty values fall back to the default.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

# A pydantic plugin would see every validated input, the key included: none is wanted, ever. Set
# before the models below are built, as pydantic looks for plugins when it builds a model.
os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from gate import DOCS
from gate.boot.errors import InputsWrong
from gate.core.comment import CommentMode
from gate.core.errors import ConfigError
from gate.core.event import Overrides
from gate.core.models import UploadKind
from gate.core.numbers import whole_number
from gate.core.plan import Job, Location, RunPlan, parse_location
from gate.core.plugins import reserved, url_problem
from gate.core.precedence import DEFAULTS, Given, effective
from gate.core.sanitize import redact
from gate.net.proxy import PROXY_VARIABLES, clear_text_proxy, unusable_proxy

SECRET_INPUTS = ("secret-key", "github-token", "policy-token", "communicator-webhook-url")
INPUTS_HELP = f" (see {DOCS}#inputs)"
SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
# The limits action.yml and the README state (tests/boot/test_settings.py checks they agree).
MAX_TIMEOUT_SECONDS = 6 * 3600
MAX_POLL_INTERVAL_SECONDS = 3600
_SHA = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")
_REPOSITORY_ID = re.compile(r"[A-Za-z0-9_=+/.-]{1,200}")
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}

REGION_URLS = {
    "AIK_CI_US_": "https://app.us.aikido.dev",
    "AIK_CI_ME_": "https://app.me.aikido.dev",
}
DEFAULT_API_URL = "https://app.aikido.dev"


def _env_names(name: str) -> tuple[str, ...]:
    upper = name.upper().replace(" ", "_")
    return (f"INPUT_{upper}", f"INPUT_{upper.replace('-', '_')}")


def _input(name: str, default: Any) -> Any:
    """A field read from the action input `name` (both spellings)."""
    return Field(default, validation_alias=AliasChoices(*_env_names(name)), description=name)


def raw_secrets(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The secrets as given (secret inputs, proxy credentials), to mask them before anything is validated or printed."""
    values = []
    for name in SECRET_INPUTS:
        for env in _env_names(name):
            if value := environ.get(env, ""):
                values.append(value)
                values.append(value.strip())
    for name in PROXY_VARIABLES:
        for env in (name, name.lower()):
            values += _proxy_credentials(environ.get(env, ""))
    # Refused with an error, but never echoed: a password in api-base-url is masked from the start.
    for env in _env_names("api-base-url"):
        values += _proxy_credentials(environ.get(env, ""))
    return [value for value in dict.fromkeys(values) if value]


def instance_variables(names: Iterable[str], environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The values of the variables the policy file's instances name (urlEnv), stripped; unset or empty ones left out.

    Never one of the runner's or the action's own (the policy file refuses those names too): a file
    from another repository must not be able to send GITHUB_TOKEN to a webhook of its choosing.
    """
    values = {name: environ.get(name, "").strip() for name in names if not reserved(name)}
    return {name: value for name, value in values.items() if value}


def _proxy_credentials(url: str) -> list[str]:
    """The password (and user:password) of a proxy URL such as http://user:pass@proxy:3128."""
    userinfo, at, _ = url.partition("://")[2].rpartition("@")
    if not at or ":" not in userinfo:
        return []
    password = userinfo.partition(":")[2]
    return [userinfo, password, unquote(password)] if password else []


def _parse_switch(value: Any) -> Any:
    """on/off, with true/false accepted as Aikido's action takes them (github.com/AikidoSec/github-actions-workflow)."""
    if isinstance(value, str):
        text = {"true": "on", "false": "off"}.get(value.strip().lower(), value.strip().lower())
        if text in ("on", "off"):
            return text
        raise ValueError("must be on or off")
    return value


def _parse_bool(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "false"):
            return text == "true"
        raise ValueError("must be true or false")
    return value


def _parse_positive_int(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        # Too many digits to be a count is still a number: "at most …" says what to give.
        number = whole_number(text) if len(text) <= 15 or not text.isdigit() or not text.isascii() else 10**15
        if number is None or number <= 0:
            raise ValueError("must be a positive whole number of seconds")
        return number
    return value


def _parse_sha(value: Any) -> Any:
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if not _SHA.fullmatch(text):
            raise ValueError("must be a full commit SHA (40 or 64 hexadecimal characters)")
        return text.lower()
    return None


class _FromEnvironment:
    """Settings read from the environment the runner gives the step, and from nothing else.

    pydantic-settings also reads dotenv files and a secrets directory when configured to; neither
    is, and leaving their sources out says so (a pull request's workspace may hold a `.env`) and
    spares the run their work on every field. A mixin, not a model: one model less to build.
    """

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings


class Inputs(_FromEnvironment, BaseSettings):
    """The action's inputs, validated; field names are the input names in snake case."""

    model_config = SettingsConfigDict(env_ignore_empty=True, extra="ignore", frozen=True)

    secret_key: SecretStr = _input("secret-key", SecretStr(""))
    # The policy settings are None when the workflow does not give them (action.yml's defaults are
    # empty for that): then the chosen profile decides, else gate.core.policy.DEFAULTS.
    minimum_severity: str | None = _input("minimum-severity", None)
    fail_on_dependency_scan: bool | None = _input("fail-on-dependency-scan", None)
    fail_on_sast_scan: bool | None = _input("fail-on-sast-scan", None)
    fail_on_iac_scan: bool | None = _input("fail-on-iac-scan", None)
    fail_on_secrets_scan: bool | None = _input("fail-on-secrets-scan", None)
    fail_on_timeout: bool | None = _input("fail-on-timeout", None)
    timeout_seconds: int | None = _input("timeout-seconds", None)
    poll_interval_seconds: int = _input("poll-interval-seconds", 5)
    report_only: bool | None = _input("report-only", None)
    api_base_url: str = _input("api-base-url", "")
    repository_id: str | None = _input("repository-id", None)
    base_commit: str | None = _input("base-commit", None)
    head_commit: str | None = _input("head-commit", None)
    branch_name: str | None = _input("branch-name", None)
    github_token: SecretStr = _input("github-token", SecretStr(""))
    sbom_files: str = _input("sbom-files", "")
    checkov_sarif_files: str = _input("checkov-sarif-files", "")
    upload_only: bool = _input("upload-only", False)
    release_gating: bool | None = _input("release-gating", None)
    sarif_file: str = _input("sarif-file", "")
    base_branch: str | None = _input("base-branch", None)
    post_scan_status_comment: CommentMode = _input("post-scan-status-comment", CommentMode.OFF)
    post_sast_review_comments: bool = _input("post-sast-review-comments", False)
    # Tells matrix legs apart (a Docker action sees the matrix only through an input).
    comment_key: str = _input("comment-key", "")
    policy_file: str | None = _input("policy-file", None)
    policy_profile: str | None = _input("policy-profile", None)
    policy_token: SecretStr = _input("policy-token", SecretStr(""))
    # A chat webhook's URL is a credential: a secret, never echoed.
    communicator_webhook_url: SecretStr = _input("communicator-webhook-url", SecretStr(""))

    _bools = field_validator(
        "fail_on_dependency_scan",
        "fail_on_sast_scan",
        "fail_on_iac_scan",
        "fail_on_secrets_scan",
        "fail_on_timeout",
        "report_only",
        "upload_only",
        "release_gating",
        mode="before",
    )(_parse_bool)
    _ints = field_validator("timeout_seconds", "poll_interval_seconds", mode="before")(_parse_positive_int)
    _shas = field_validator("base_commit", "head_commit", mode="before")(_parse_sha)

    @field_validator("policy_file", mode="before")
    @classmethod
    def _policy_file(cls, value: Any) -> Any:
        if not (isinstance(value, str) and value.strip()):
            return None
        parse_location(value)  # a ValueError names what is wrong
        return value.strip()

    @field_validator("communicator_webhook_url", mode="before")
    @classmethod
    def _webhook(cls, value: Any) -> Any:
        text = str(value or "").strip()
        if not text:
            return ""
        # Never echoed: the URL is the credential.
        if problem := url_problem(text):
            raise ValueError(problem)
        return text

    @field_validator("secret_key", "github_token", "policy_token", mode="before")
    @classmethod
    def _strip_secret(cls, value: Any) -> Any:
        # A key pasted with a trailing newline is common; inner blanks can never be valid.
        if isinstance(value, str):
            value = value.strip()
            # It travels in an HTTP header: printable ASCII only, and never echoed back.
            if not (value.isascii() and value.isprintable()) or " " in value:
                raise ValueError("contains whitespace or characters a key cannot have; paste the key again")
        return value

    @field_validator("post_scan_status_comment", mode="before")
    @classmethod
    def _comment_mode(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip().lower().replace("-", "_")
            text = {"true": "on", "false": "off"}.get(text, text)
            if text not in set(CommentMode):
                raise ValueError("must be on, off or only_if_new_findings")
            return CommentMode(text)
        return value

    @field_validator("post_sast_review_comments", mode="before")
    @classmethod
    def _sast_switch(cls, value: Any) -> Any:
        return _parse_switch(value) == "on" if isinstance(value, str) else value

    @field_validator("minimum_severity", mode="before")
    @classmethod
    def _severity(cls, value: Any) -> Any:
        if value is None:
            return None
        text = str(value).strip().upper()
        if text not in SEVERITIES:
            raise ValueError(f"must be one of {', '.join(SEVERITIES)} (any case)")
        return text

    @field_validator("timeout_seconds")
    @classmethod
    def _timeout_cap(cls, value: int | None) -> int | None:
        if value is not None and value > MAX_TIMEOUT_SECONDS:
            raise ValueError(f"must be at most {MAX_TIMEOUT_SECONDS} (6 hours, the longest a job may run)")
        return value

    @field_validator("poll_interval_seconds")
    @classmethod
    def _interval_cap(cls, value: int) -> int:
        if value > MAX_POLL_INTERVAL_SECONDS:
            raise ValueError(f"must be at most {MAX_POLL_INTERVAL_SECONDS}")
        return value

    @field_validator("api_base_url", mode="before")
    @classmethod
    def _base_url(cls, value: Any) -> Any:
        text = str(value).strip().rstrip("/")
        if not text:
            return ""
        parts = urlsplit(text)
        if "@" in parts.netloc:
            raise ValueError("must not carry credentials (user:password@): the Aikido key is the only credential")
        if parts.query or parts.fragment:
            raise ValueError("must not have a query (?…) or fragment (#…): give the host only")
        # The key travels in a header: plain http only to this machine (the emulator).
        secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK)
        if not secure or not parts.hostname:
            raise ValueError("must be an https:// URL such as https://app.aikido.dev (plain http only to localhost)")
        if parts.path:
            # The API paths (/api/integrations/…) are the action's to add: a base with a path only gets 404s.
            raise ValueError(
                f"must be the host only, such as {parts.scheme}://{parts.netloc}, without {parts.path} or any path"
            )
        return text

    @field_validator("sarif_file", mode="before")
    @classmethod
    def _sarif_file(cls, value: Any) -> Any:
        text = str(value or "").strip()
        parts = text.replace("\\", "/").split("/")
        if re.search(r"[\x00-\x1f\x7f]", text) or len(text) > 1024 or text.startswith("/") or ".." in parts:
            raise ValueError("must be a path inside the workspace, relative to it, such as results/aikido.sarif")
        return text

    @field_validator("repository_id", "branch_name", "base_branch", "policy_profile", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if value is None:  # BaseSettings validates defaults too
            return None
        text = str(value).strip()
        if re.search(r"[\x00-\x1f\x7f]", text) or len(text) > 255:
            raise ValueError("must be one line of at most 255 characters")
        return text or None

    @field_validator("repository_id")
    @classmethod
    def _repository_id(cls, value: str | None) -> str | None:
        if value is not None and not _REPOSITORY_ID.fullmatch(value):
            raise ValueError("must be the repository's node id, such as R_kgDOJf6H8g")
        return value

    @property
    def aikido_url(self) -> str:
        """The API base: the input, else the region the key's prefix names."""
        if self.api_base_url:
            return self.api_base_url
        key = self.secret_key.get_secret_value()
        return next((url for prefix, url in REGION_URLS.items() if key.startswith(prefix)), DEFAULT_API_URL)


class Runner(_FromEnvironment, BaseSettings):
    """What the runner tells every step through `GITHUB_*` and `RUNNER_*` variables."""

    model_config = SettingsConfigDict(env_prefix="GITHUB_", env_ignore_empty=True, extra="ignore", frozen=True)

    event_name: str = ""
    event_path: Path | None = None
    output: Path | None = None
    step_summary: Path | None = None
    workspace: Path | None = None
    repository: str = ""
    sha: str = ""
    ref: str = ""
    actor: str = ""
    workflow: str = ""
    job: str = ""
    api_url: str = "https://api.github.com"
    server_url: str = "https://github.com"
    run_id: str = ""
    runner_debug: bool = Field(False, validation_alias="RUNNER_DEBUG")

    @field_validator("runner_debug", mode="before")
    @classmethod
    def _debug(cls, value: Any) -> Any:
        return str(value).strip() == "1"


def _name(loc: tuple[int | str, ...]) -> str:
    """The input or variable a validation error is about, spelled as the user knows it."""
    key = str(loc[0]) if loc else "?"
    if key.upper().startswith("INPUT_"):
        return key[len("INPUT_") :].lower().replace("_", "-")
    if field := Inputs.model_fields.get(key):
        return field.description or key
    return key.upper() if key.upper().startswith("RUNNER_") else f"GITHUB_{key.upper()}"


_USERINFO = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s@]*@")


def hide_userinfo(text: str) -> str:
    """A URL's user:password@ shown as ***@, wherever a value is echoed."""
    return _USERINFO.sub(r"\1***@", text)


def _problems(error: ValidationError, *, what: str) -> list[str]:
    """Every bad value, each naming the input, what was given (never a secret's) and what is accepted."""
    problems = []
    for item in error.errors(include_url=False):
        name = _name(item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        given = item.get("input")
        shown = (
            # JSON-quoted and ASCII: a newline, an escape or a bidi control shows as what it is.
            f" is {json.dumps(redact(hide_userinfo(given))[:60])}:"
            if what == "input" and name not in SECRET_INPUTS and isinstance(given, str)
            else ":"
        )
        problems.append(f"{what} {name}{shown} {message}")
    return problems


def _explain(error: ValidationError, *, what: str) -> ConfigError:
    """Every bad value at once, in one line."""
    problems = _problems(error, what=what)
    if len(problems) == 1:
        return ConfigError(problems[0] + INPUTS_HELP)
    return ConfigError(f"{len(problems)} {what}s are wrong: " + "; ".join(problems) + INPUTS_HELP)


# What reading the policy file needs: when one of these is wrong, it is not read.
POLICY_READING = ("policy_file", "secret_key", "github_token", "policy_token")


def load_inputs() -> Inputs:
    """Read and validate the inputs; bad ones raise InputsWrong naming each."""
    try:
        return Inputs()
    except ValidationError as error:
        problems = tuple(_problems(error, what="input"))
        raise InputsWrong(str(_explain(error, what="input")), problems, _the_rest(error)) from None


def _the_rest(error: ValidationError) -> Inputs | None:
    """The inputs read again with the wrong ones at their defaults; None when one that reads the policy is wrong."""
    fields = {
        alias: name
        for name, field in Inputs.model_fields.items()
        if isinstance(field.validation_alias, AliasChoices)
        for alias in field.validation_alias.choices
    }
    wrong = {fields.get(str(item["loc"][0]) if item["loc"] else "", "") for item in error.errors()}
    if "" in wrong or wrong & set(POLICY_READING):
        return None
    # Given by field alias, a default wins over the environment's wrong value.
    defaults = {
        _env_names(Inputs.model_fields[name].description or name)[0]: Inputs.model_fields[name].default
        for name in wrong
    }
    try:
        return Inputs(**defaults)
    except ValidationError:
        return None


def load_runner() -> Runner:
    """Read the runner's variables; raises ConfigError naming a malformed one (or a proxy we cannot use)."""
    try:
        runner = Runner()
    except ValidationError as error:
        raise _explain(error, what="runner variable") from None
    if problem := unusable_proxy(os.environ) or clear_text_proxy("GITHUB_API_URL", runner.api_url, os.environ):
        raise ConfigError(problem)
    return runner


def _location(policy_file: str | None) -> Location | None:
    if policy_file is None:
        return None
    return parse_location(policy_file)


def _idle_inputs(inputs: Inputs) -> tuple[str, ...]:
    """The inputs given that only a policy file uses, when there is none: they would do nothing, silently."""
    if inputs.policy_file is not None:
        return ()
    given = {
        "policy-profile": inputs.policy_profile,
        "policy-token": inputs.policy_token.get_secret_value(),
        "communicator-webhook-url": inputs.communicator_webhook_url.get_secret_value(),
    }
    return tuple(name for name, value in given.items() if value)


def given_settings(inputs: Inputs) -> Given:
    """The policy settings the workflow gave (those it left empty are not given)."""
    names = (name for name, _ in DEFAULTS.items())
    return {name: value for name in names if (value := getattr(inputs, name)) is not None}


def run_plan(inputs: Inputs, runner: Runner) -> RunPlan:
    """The frozen plan the flow follows: plain values of the inputs and the runner, the secrets left out.

    Its policy settings are the inputs' over the built-in defaults; a policy file's profile,
    read later (gate.flow.policy), comes between the two.
    """
    given = given_settings(inputs)
    return RunPlan(
        overrides=Overrides(inputs.repository_id, inputs.base_commit, inputs.head_commit, inputs.branch_name),
        secret_given=bool(inputs.secret_key.get_secret_value()),
        github_token_given=bool(inputs.github_token.get_secret_value()),
        uploads=((UploadKind.SBOM, inputs.sbom_files), (UploadKind.CHECKOV, inputs.checkov_sarif_files)),
        upload_only=inputs.upload_only,
        base_branch=inputs.base_branch,
        poll_interval_seconds=inputs.poll_interval_seconds,
        sarif_file=inputs.sarif_file,
        comment_mode=inputs.post_scan_status_comment,
        review_comments=inputs.post_sast_review_comments,
        comment_key=inputs.comment_key,
        job=Job(
            event_name=runner.event_name,
            sha=runner.sha,
            ref=runner.ref,
            actor=runner.actor,
            workflow=runner.workflow,
            job=runner.job,
            workspace=runner.workspace or Path.cwd(),
            server_url=runner.server_url,
            run_id=runner.run_id,
        ),
        communicator_given=bool(inputs.communicator_webhook_url.get_secret_value()),
        settings=effective(given, None),
        given=given,
        policy_file=_location(inputs.policy_file),
        policy_profile=inputs.policy_profile,
        repository=runner.repository,
        idle_inputs=_idle_inputs(inputs),
    )
