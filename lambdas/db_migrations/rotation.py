"""Rotation of the database credentials secret (single user), called by Secrets Manager.

Secrets Manager rotates ``<prefix>/aurora/credentials`` by invoking this handler
four times with ``{"Step", "SecretId", "ClientRequestToken"}``:

``createSecret``
    store a copy of the current secret with a new random password as version
    ``ClientRequestToken``, stage ``AWSPENDING`` (nothing when it exists already);
``setSecret``
    log in with the current password and change it to the pending one
    (``ALTER USER CURRENT_USER()``, ``SET PASSWORD`` on MariaDB); nothing when the pending one
    already works;
``testSecret``
    log in with the pending password;
``finishSecret``
    move ``AWSCURRENT`` to the pending version and take ``AWSPENDING`` off it.

Each step can be retried: it checks what is already done first. The user changes
its own password, so the function needs no other database privilege; the
connection is made like every other Lambda's (``freelancer_common.db``, TLS per
``DB_TLS``).
"""

from __future__ import annotations

import json
import os
from typing import Any

from freelancer_common import db
from freelancer_common import secrets

STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
# Characters RDS refuses in a master password, plus the quotes and backslash.
EXCLUDED_CHARACTERS = "/@\"'\\ `"


class RotationError(RuntimeError):
    """The rotation cannot go on; Secrets Manager keeps AWSCURRENT and retries later."""


def _value(client: Any, secret_id: str, stage: str, token: str | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {"SecretId": secret_id, "VersionStage": stage}
    if token:
        request["VersionId"] = token
    return json.loads(client.get_secret_value(**request)["SecretString"])


def _connects(value: dict[str, Any]) -> bool:
    try:
        connection = db.connect(db.settings_from_secret(value), tls=db.tls_context(), connect_timeout=5)
    except Exception:  # any login or network failure means "not with these credentials"
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchall()
        return True
    finally:
        connection.close()


def create_secret(client: Any, secret_id: str, token: str) -> None:
    current = _value(client, secret_id, "AWSCURRENT")
    try:
        _value(client, secret_id, "AWSPENDING", token)
        return  # created by an earlier attempt
    except client.exceptions.ResourceNotFoundException:
        pass
    length = int(os.environ.get("PASSWORD_LENGTH", "32"))
    password = client.get_random_password(PasswordLength=length, ExcludeCharacters=EXCLUDED_CHARACTERS)[
        "RandomPassword"
    ]
    pending = {**current, "password": password}
    client.put_secret_value(
        SecretId=secret_id,
        ClientRequestToken=token,
        SecretString=json.dumps(pending, sort_keys=True),
        VersionStages=["AWSPENDING"],
    )


def set_secret(client: Any, secret_id: str, token: str) -> None:
    pending = _value(client, secret_id, "AWSPENDING", token)
    if _connects(pending):
        return  # set by an earlier attempt
    current = _value(client, secret_id, "AWSCURRENT")
    if current["username"] != pending["username"] or current["host"] != pending["host"]:
        raise RotationError("the pending secret names another user or host than the current one")
    settings = db.settings_from_secret(current)
    try:
        connection = db.connect(settings, tls=db.tls_context(), connect_timeout=10)
    except Exception as exc:
        raise RotationError(
            f"cannot log in to {settings.host} as {settings.username} with the current password"
        ) from exc
    try:
        with connection.cursor() as cursor:
            cursor.execute(change_own_password_statement(connection.get_server_info()), (pending["password"],))
        connection.commit()
    finally:
        connection.close()


def change_own_password_statement(server_version: str) -> str:
    """The statement with which a user changes its own password, without any privilege.

    MySQL 8 (Aurora MySQL 3) lets an account ALTER its own password; MariaDB (the
    local stand-in) requires CREATE USER for that, but lets anyone SET PASSWORD for
    themselves.
    """
    if "mariadb" in server_version.lower():
        return "SET PASSWORD = PASSWORD(%s)"
    return "ALTER USER CURRENT_USER() IDENTIFIED BY %s"


def test_secret(client: Any, secret_id: str, token: str) -> None:
    pending = _value(client, secret_id, "AWSPENDING", token)
    if not _connects(pending):
        raise RotationError(f"cannot log in as {pending.get('username')} with the pending password")


def finish_secret(client: Any, secret_id: str, token: str) -> None:
    versions = client.describe_secret(SecretId=secret_id)["VersionIdsToStages"]
    current = next((version for version, stages in versions.items() if "AWSCURRENT" in stages), None)
    if current != token:
        client.update_secret_version_stage(
            SecretId=secret_id, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
        )
    # End with AWSPENDING on no version, one of the two end states a rotation may leave.
    if "AWSPENDING" in versions.get(token, []):
        client.update_secret_version_stage(SecretId=secret_id, VersionStage="AWSPENDING", RemoveFromVersionId=token)


def handler(event: dict[str, Any], context: Any, client: Any = None) -> None:
    step, secret_id, token = event.get("Step"), event.get("SecretId"), event.get("ClientRequestToken")
    if step not in STEPS:
        raise ValueError(f"unknown rotation step {step!r}")
    client = client or secrets.secretsmanager_client()
    metadata = client.describe_secret(SecretId=secret_id)
    if not metadata.get("RotationEnabled", False):
        raise RotationError(f"rotation is not enabled on {secret_id}")
    stages = metadata.get("VersionIdsToStages", {})
    if token not in stages:
        raise RotationError(f"version {token} of {secret_id} does not exist")
    if step != "finishSecret" and "AWSCURRENT" in stages[token]:
        return  # this version is already current: nothing to do
    if step != "finishSecret" and "AWSPENDING" not in stages[token]:
        raise RotationError(f"version {token} of {secret_id} is not pending rotation")
    {"createSecret": create_secret, "setSecret": set_secret, "testSecret": test_secret, "finishSecret": finish_secret}[
        step
    ](client, secret_id, token)
    print(json.dumps({"event": "secret_rotation", "step": step, "secret": secret_id, "version": token}))
