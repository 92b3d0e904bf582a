"""The credentials rotation Lambda, driven by moto's own RotateSecret, against the real local MariaDB.

moto orchestrates RotateSecret (a pending version, then the four steps, then the
current stage) and invokes the function through its Lambda backend; here that
invocation calls the handler in-process, so its Secrets Manager calls hit the same
mocked account and its SQL the real MariaDB.
"""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import uuid
import zipfile
from pathlib import Path

import boto3
import pymysql
import pytest
from lambda_support import admin

ROOT = Path(__file__).resolve().parents[3]
FUNCTION_DIR = ROOT / "lambdas" / "db_migrations"
if str(ROOT / "lambdas" / "common") not in sys.path:
    sys.path.insert(0, str(ROOT / "lambdas" / "common"))

SECRET = "test/aurora/credentials"


def load_rotation():
    spec = importlib.util.spec_from_file_location("db_rotation_handler", FUNCTION_DIR / "rotation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rotation = load_rotation()


def can_login(user, password):
    try:
        pymysql.connect(
            host="127.0.0.1", port=3306, user=user, password=password, database=user, connect_timeout=5
        ).close()
    except pymysql.err.OperationalError:
        return False
    return True


@pytest.fixture
def db_user():
    """A throwaway MariaDB user and database; the user has no privilege beyond its database."""
    user, password = f"zz_rot_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    root = admin()
    with root.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{user}`")
        cursor.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'")
        cursor.execute(f"GRANT ALL PRIVILEGES ON `{user}`.* TO '{user}'@'%'")
    yield user, password
    with root.cursor() as cursor:
        cursor.execute(f"DROP USER IF EXISTS '{user}'@'%'")
        cursor.execute(f"DROP DATABASE IF EXISTS `{user}`")
    root.close()


@pytest.fixture
def secretsmanager(mocked_aws, db_user, monkeypatch):
    monkeypatch.setenv("DB_TLS", "disabled")
    user, password = db_user
    client = boto3.client("secretsmanager")
    value = {
        "engine": "mysql",
        "host": "127.0.0.1",
        "port": 3306,
        "username": user,
        "password": password,
        "dbname": user,
    }
    client.create_secret(Name=SECRET, SecretString=json.dumps(value, sort_keys=True))
    return client


@pytest.fixture
def rotation_function(secretsmanager, monkeypatch):
    """A Lambda function in moto whose invocations run the rotation handler in-process."""
    iam = boto3.client("iam")
    role = iam.create_role(
        RoleName="rotation", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})
    )
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("rotation.py", "")
    arn = boto3.client("lambda").create_function(
        FunctionName="db-rotation",
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="rotation.handler",
        Code={"ZipFile": code.getvalue()},
    )["FunctionArn"]
    from moto.awslambda.models import LambdaBackend

    calls = []

    def invoke(self, function_name, qualifier, body, headers, response_headers):
        event = json.loads(body)
        calls.append(event["Step"])
        rotation.handler(event, None)
        return b"null"

    monkeypatch.setattr(LambdaBackend, "invoke", invoke)
    return arn, calls


def current(client):
    return json.loads(client.get_secret_value(SecretId=SECRET)["SecretString"])


def test_a_rotation_changes_the_password_in_the_database_and_the_secret(secretsmanager, rotation_function, db_user):
    arn, calls = rotation_function
    user, old_password = db_user
    before = current(secretsmanager)
    secretsmanager.rotate_secret(SecretId=SECRET, RotationLambdaARN=arn, RotationRules={"AutomaticallyAfterDays": 30})
    assert calls == ["createSecret", "setSecret", "testSecret", "finishSecret"]
    after = current(secretsmanager)
    assert after["password"] != before["password"]
    assert {k: v for k, v in after.items() if k != "password"} == {k: v for k, v in before.items() if k != "password"}
    assert can_login(user, after["password"])
    assert not can_login(user, old_password)
    assert not any(c in after["password"] for c in rotation.EXCLUDED_CHARACTERS)
    description = secretsmanager.describe_secret(SecretId=SECRET)
    assert description["RotationEnabled"] is True and description["RotationLambdaARN"] == arn


def test_a_second_rotation_works_from_the_rotated_password(secretsmanager, rotation_function, db_user):
    arn, _ = rotation_function
    user, _ = db_user
    secretsmanager.rotate_secret(SecretId=SECRET, RotationLambdaARN=arn, RotationRules={"AutomaticallyAfterDays": 30})
    first = current(secretsmanager)["password"]
    # AWS would reuse the configured function; moto 5.2.5 needs it named again.
    secretsmanager.rotate_secret(SecretId=SECRET, RotationLambdaARN=arn)
    second = current(secretsmanager)["password"]
    assert second != first and can_login(user, second) and not can_login(user, first)


def test_steps_are_safe_to_retry(secretsmanager, rotation_function, db_user):
    arn, _ = rotation_function
    user, _ = db_user
    secretsmanager.rotate_secret(SecretId=SECRET, RotationLambdaARN=arn, RotationRules={"AutomaticallyAfterDays": 30})
    rotated = current(secretsmanager)
    token = next(
        v for v, s in secretsmanager.describe_secret(SecretId=SECRET)["VersionIdsToStages"].items() if "AWSCURRENT" in s
    )
    for step in rotation.STEPS:  # Secrets Manager retrying a finished rotation
        rotation.handler({"Step": step, "SecretId": SECRET, "ClientRequestToken": token}, None)
    assert current(secretsmanager) == rotated and can_login(user, rotated["password"])


def test_a_secret_without_rotation_is_refused(secretsmanager):
    token = next(iter(secretsmanager.describe_secret(SecretId=SECRET)["VersionIdsToStages"]))
    with pytest.raises(rotation.RotationError, match="not enabled"):
        rotation.handler({"Step": "createSecret", "SecretId": SECRET, "ClientRequestToken": token}, None)


def test_an_unknown_step_is_refused():
    with pytest.raises(ValueError, match="unknown rotation step"):
        rotation.handler({"Step": "dropSecret", "SecretId": SECRET, "ClientRequestToken": "x"}, None)


def test_a_wrong_current_password_stops_the_rotation_and_keeps_the_secret(secretsmanager, rotation_function, db_user):
    arn, _ = rotation_function
    user, _ = db_user
    with admin().cursor() as cursor:  # someone changed the password behind the secret's back
        cursor.execute(f"SET PASSWORD FOR '{user}'@'%' = PASSWORD('changed-by-hand')")
    before = current(secretsmanager)
    with pytest.raises(rotation.RotationError, match="cannot log in"):
        secretsmanager.rotate_secret(
            SecretId=SECRET, RotationLambdaARN=arn, RotationRules={"AutomaticallyAfterDays": 30}
        )
    assert current(secretsmanager) == before
    assert can_login(user, "changed-by-hand")


@pytest.mark.parametrize(
    ("version", "statement"),
    [
        ("10.11.19-MariaDB-0+deb12u1", "SET PASSWORD = PASSWORD(%s)"),
        ("8.0.mysql_aurora.3.08.2", "ALTER USER CURRENT_USER() IDENTIFIED BY %s"),
        ("8.0.39", "ALTER USER CURRENT_USER() IDENTIFIED BY %s"),
    ],
)
def test_the_password_statement_fits_the_server(version, statement):
    assert rotation.change_own_password_statement(version) == statement
