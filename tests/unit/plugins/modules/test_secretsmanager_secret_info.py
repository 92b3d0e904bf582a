"""freelancer.platform.secretsmanager_secret_info against moto in-process: ARNs by name, never values."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import secretsmanager_secret_info

VALUE = "s3cr3t-value-that-must-never-leave"


@pytest.fixture
def secrets(mocked_aws):
    kms = boto3.client("kms", region_name="us-east-2")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    client = boto3.client("secretsmanager", region_name="us-east-2")
    created = client.create_secret(
        Name="test/aurora/credentials",
        SecretString=json.dumps({"password": VALUE}),
        KmsKeyId=key,
        Tags=[{"Key": "Environment", "Value": "test"}],
    )
    return {"client": client, "arn": created["ARN"], "key": key}


def test_finds_by_name_with_arn_key_and_tags_and_reports_missing(run_module, secrets):
    result, failed = run_module(
        secretsmanager_secret_info,
        {"names": ["test/aurora/credentials", "test/redis/auth-token"], "region": "us-east-2"},
    )
    assert not failed and result["changed"] is False
    found = result["secrets"]["test/aurora/credentials"]
    assert found["arn"] == secrets["arn"]
    assert found["kms_key_id"] == secrets["key"]
    assert found["tags"] == {"Environment": "test"}
    assert result["missing"] == ["test/redis/auth-token"]


def test_never_returns_the_secret_value(run_module, secrets):
    result, _ = run_module(secretsmanager_secret_info, {"names": ["test/aurora/credentials"], "region": "us-east-2"})
    assert VALUE not in json.dumps(result)
    assert "secret_string" not in json.dumps(result)


def test_a_secret_scheduled_for_deletion_counts_as_missing(run_module, secrets):
    secrets["client"].delete_secret(SecretId="test/aurora/credentials", RecoveryWindowInDays=7)
    result, _ = run_module(secretsmanager_secret_info, {"names": ["test/aurora/credentials"], "region": "us-east-2"})
    assert result["secrets"] == {} and result["missing"] == ["test/aurora/credentials"]


def test_works_in_check_mode(run_module, secrets):
    result, failed = run_module(
        secretsmanager_secret_info, {"names": ["test/aurora/credentials"], "region": "us-east-2"}, check_mode=True
    )
    assert not failed and result["secrets"]["test/aurora/credentials"]["arn"] == secrets["arn"]


def test_an_empty_name_fails(run_module, secrets):
    result, failed = run_module(secretsmanager_secret_info, {"names": [" "], "region": "us-east-2"})
    assert failed and "empty" in result["msg"]
