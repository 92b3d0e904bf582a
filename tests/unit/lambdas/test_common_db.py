"""lambdas/common: the credentials secret, TLS settings and the connection helper."""

from __future__ import annotations

import json
import ssl
import sys
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT / "lambdas" / "common") not in sys.path:
    sys.path.insert(0, str(ROOT / "lambdas" / "common"))

from freelancer_common import db
from freelancer_common import secrets

GOOD = {
    "engine": "aurora-mysql",
    "host": "db.example",
    "port": "3306",
    "username": "app",
    "password": "pw",
    "dbname": "d",
}


def test_settings_from_a_complete_secret():
    settings = db.settings_from_secret(GOOD)
    assert (settings.host, settings.port, settings.username, settings.dbname) == ("db.example", 3306, "app", "d")
    assert "pw" not in repr(settings)


@pytest.mark.parametrize("missing", ["host", "port", "username", "password", "dbname"])
def test_a_secret_without_a_key_is_refused(missing):
    broken = {k: v for k, v in GOOD.items() if k != missing}
    with pytest.raises(db.ConfigurationError, match=missing):
        db.settings_from_secret(broken)


@pytest.mark.parametrize(("key", "value"), [("engine", "postgres"), ("port", "abc"), ("port", 70000)])
def test_a_secret_with_a_bad_value_is_refused(key, value):
    with pytest.raises(db.ConfigurationError):
        db.settings_from_secret({**GOOD, key: value})


def test_tls_is_required_and_verified_by_default(monkeypatch):
    monkeypatch.delenv("DB_TLS", raising=False)
    monkeypatch.delenv("DB_TLS_CA_FILE", raising=False)
    context = db.tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname is True
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2


def test_tls_can_be_disabled_for_a_local_server():
    assert db.tls_context("disabled") is None


def test_tls_mode_and_ca_file_are_checked(monkeypatch, tmp_path):
    with pytest.raises(db.ConfigurationError, match="DB_TLS"):
        db.tls_context("maybe")
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    with pytest.raises(db.ConfigurationError, match="does not exist"):
        db.tls_context("required", "rds-ca-bundle.pem")


def test_the_ca_file_is_found_in_the_function_directory(monkeypatch, tmp_path):
    bundle = tmp_path / "bundle.pem"
    bundle.write_text("")
    # An empty bundle is not a valid CA file: ssl refuses it, proving the file is the one read.
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    with pytest.raises(ssl.SSLError):
        db.tls_context("required", "bundle.pem")


def test_the_secret_is_read_from_the_endpoint_in_aws_endpoint_url(mocked_aws):
    arn = boto3.client("secretsmanager").create_secret(Name="x/aurora/credentials", SecretString=json.dumps(GOOD))[
        "ARN"
    ]
    assert secrets.get_json_secret(arn) == GOOD


def test_secret_errors_do_not_show_the_value(mocked_aws):
    client = boto3.client("secretsmanager")
    client.create_secret(Name="not-json", SecretString="hunter2-not-json")
    with pytest.raises(secrets.SecretError) as caught:
        secrets.get_json_secret("not-json")
    assert "hunter2" not in str(caught.value)
    with pytest.raises(secrets.SecretError, match="could not read"):
        secrets.get_json_secret("absent")


def test_connect_from_secret_needs_a_secret_id(monkeypatch):
    monkeypatch.delenv("DB_SECRET_ARN", raising=False)
    with pytest.raises(db.ConfigurationError, match="DB_SECRET_ARN"):
        db.connect_from_secret()
