"""Read JSON secrets from AWS Secrets Manager.

The client honours ``AWS_ENDPOINT_URL`` (the emulator sets it for the handlers it
runs), so the same code reads the secret from AWS or from the local emulator.
"""

from __future__ import annotations

import json
import os
from typing import Any


class SecretError(RuntimeError):
    """The secret cannot be read or is not the JSON object expected."""


def secretsmanager_client():
    import boto3  # the Lambda runtime provides boto3

    endpoint_url = os.environ.get("AWS_ENDPOINT_URL") or None
    return boto3.client("secretsmanager", endpoint_url=endpoint_url)


def get_json_secret(secret_id: str, client: Any = None) -> dict[str, Any]:
    """The secret ``secret_id`` (name or ARN) parsed as a JSON object."""
    if not secret_id:
        raise SecretError("no secret id given")
    client = client or secretsmanager_client()
    try:
        answer = client.get_secret_value(SecretId=secret_id)
    except Exception as exc:  # botocore errors; the message never contains the value
        raise SecretError(f"could not read secret {secret_id}: {exc}") from exc
    text = answer.get("SecretString")
    if text is None:
        raise SecretError(f"secret {secret_id} has no string value")
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise SecretError(f"secret {secret_id} is not JSON") from exc
    if not isinstance(value, dict):
        raise SecretError(f"secret {secret_id} is not a JSON object")
    return value
