"""The start-up floor: the least a Python program using the design card's libraries does before its first request.

It imports httpx and pydantic-settings, reads three inputs from the environment as the action
does (validated by a settings model), builds a client and sends one start request, then ends.
No event file, no validation of its own, no output. `vs_cli --floor` runs it as the action is
run (`-I -u -B`, from bytecode) to put a number on what the libraries alone cost against
Aikido's CLI; the action can only be slower than this.
"""

import os

import httpx
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings


class Inputs(BaseSettings):
    secret_key: SecretStr = Field(validation_alias="INPUT_SECRET-KEY")
    api_base_url: str = Field(validation_alias="INPUT_API-BASE-URL")
    repository_id: str = Field(validation_alias="INPUT_REPOSITORY-ID")


def main() -> None:
    inputs = Inputs()  # read from the environment
    headers = {"X-AIK-API-SECRET": inputs.secret_key.get_secret_value()}
    with httpx.Client(base_url=inputs.api_base_url, headers=headers) as client:
        body = {"repository_id": inputs.repository_id, "start_commit_id": "a" * 40, "end_commit_id": "b" * 40}
        client.post("/api/integrations/continuous_integration/scan/repository", json=body)
    os._exit(0)


if __name__ == "__main__":
    main()
