"""freelancer.platform.s3_bucket against moto in-process: check, apply, idempotency, update, delete, bad input."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import s3_bucket

NAME = "test-portfolio-123456789012"
LOG_DELIVERY = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"


@pytest.fixture
def kms_key(mocked_aws):
    return boto3.client("kms", region_name="us-east-2").create_key()["KeyMetadata"]["Arn"]


@pytest.fixture
def s3(mocked_aws):
    return boto3.client("s3", region_name="us-east-2")


def policy(bucket=NAME):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def args(kms_key, **extra):
    base = {
        "name": NAME,
        "object_ownership": "BucketOwnerEnforced",
        "versioning": True,
        "encryption": {"sse_algorithm": "aws:kms", "kms_key_id": kms_key, "bucket_key_enabled": True},
        "public_access_block": {},
        "policy": json.dumps(policy()),
        "lifecycle_rules": [
            {
                "ID": "portfolio",
                "Status": "Enabled",
                "Filter": {"Prefix": ""},
                "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}],
                "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
            }
        ],
        "cors_rules": [
            {
                "AllowedOrigins": ["https://app.example.com"],
                "AllowedMethods": ["PUT", "POST"],
                "AllowedHeaders": ["*"],
                "ExposeHeaders": ["ETag"],
                "MaxAgeSeconds": 3000,
            }
        ],
        "tags": {"Environment": "test"},
        "region": "us-east-2",
    }
    base.update(extra)
    return base


def buckets(s3):
    return [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_check_mode_on_nothing_reports_a_change_and_creates_nothing(run_module, s3, kms_key):
    result, failed = run_module(s3_bucket, args(kms_key), check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["bucket"]["versioning"] == "Enabled"
    assert "policy" in result["changed_sections"]
    assert buckets(s3) == []


def test_create_then_idempotent_then_check_reports_nothing(run_module, s3, kms_key):
    result, failed = run_module(s3_bucket, args(kms_key))
    assert not failed, result
    assert result["changed"] is True
    assert s3.get_bucket_versioning(Bucket=NAME)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=NAME)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": kms_key}
    assert rule["BucketKeyEnabled"] is True
    assert all(s3.get_public_access_block(Bucket=NAME)["PublicAccessBlockConfiguration"].values())
    ownership = s3.get_bucket_ownership_controls(Bucket=NAME)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert json.loads(s3.get_bucket_policy(Bucket=NAME)["Policy"]) == policy()
    assert s3.get_bucket_lifecycle_configuration(Bucket=NAME)["Rules"][0]["ID"] == "portfolio"
    assert s3.get_bucket_cors(Bucket=NAME)["CORSRules"][0]["AllowedOrigins"] == ["https://app.example.com"]
    assert result["bucket"]["regional_domain_name"] == f"{NAME}.s3.us-east-2.amazonaws.com"

    again, _ = run_module(s3_bucket, args(kms_key))
    assert again["changed"] is False, again["changed_sections"]
    preview, _ = run_module(s3_bucket, args(kms_key), check_mode=True, diff=True)
    assert preview["changed"] is False
    assert preview["diff"]["before"] == preview["diff"]["after"]


def test_a_changed_rule_is_reported_and_applied(run_module, s3, kms_key):
    run_module(s3_bucket, args(kms_key))
    rules = args(kms_key)["lifecycle_rules"]
    rules[0] = dict(rules[0], NoncurrentVersionExpiration={"NoncurrentDays": 30})
    preview, _ = run_module(s3_bucket, args(kms_key, lifecycle_rules=rules), check_mode=True, diff=True)
    assert preview["changed"] is True and preview["changed_sections"] == ["lifecycle_rules"]
    current = s3.get_bucket_lifecycle_configuration(Bucket=NAME)["Rules"][0]
    assert current["NoncurrentVersionExpiration"]["NoncurrentDays"] == 90

    result, _ = run_module(s3_bucket, args(kms_key, lifecycle_rules=rules))
    assert result["changed_sections"] == ["lifecycle_rules"]
    current = s3.get_bucket_lifecycle_configuration(Bucket=NAME)["Rules"][0]
    assert current["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30


def test_policy_compared_as_a_policy_not_as_text(run_module, s3, kms_key):
    run_module(s3_bucket, args(kms_key))
    reordered = policy()
    reordered["Statement"][0]["Resource"].reverse()
    result, _ = run_module(s3_bucket, args(kms_key, policy=json.dumps(reordered)))
    assert result["changed"] is False
    removed, _ = run_module(s3_bucket, args(kms_key, policy=""))
    assert removed["changed_sections"] == ["policy"]
    with pytest.raises(s3.exceptions.ClientError):
        s3.get_bucket_policy(Bucket=NAME)


def test_settings_left_out_are_left_alone(run_module, s3, kms_key):
    run_module(s3_bucket, args(kms_key))
    result, failed = run_module(s3_bucket, {"name": NAME, "region": "us-east-2"})
    assert not failed and result["changed"] is False
    assert result["bucket"]["versioning"] == "Enabled"


def test_log_bucket_acl_grant_for_log_delivery(run_module, s3):
    log_args = {
        "name": "test-logs-123456789012",
        "object_ownership": "BucketOwnerPreferred",
        "encryption": {"sse_algorithm": "AES256"},
        "acl_grants": [{"grantee_id": LOG_DELIVERY, "permission": "FULL_CONTROL"}],
        "region": "us-east-2",
    }
    result, failed = run_module(s3_bucket, log_args)
    assert not failed, result
    grants = s3.get_bucket_acl(Bucket="test-logs-123456789012")["Grants"]
    assert {"ID": LOG_DELIVERY, "Type": "CanonicalUser"}.items() <= grants[-1]["Grantee"].items()
    assert result["bucket"]["acl_grants"] == [{"grantee_id": LOG_DELIVERY, "permission": "FULL_CONTROL"}]
    again, _ = run_module(s3_bucket, log_args)
    assert again["changed"] is False


def test_absent_with_force_removes_every_version_then_is_idempotent(run_module, s3, kms_key):
    run_module(s3_bucket, args(kms_key, policy=None))
    for body in (b"one", b"two"):
        s3.put_object(Bucket=NAME, Key="users/u1/a.jpg", Body=body)
    s3.delete_object(Bucket=NAME, Key="users/u1/a.jpg")
    assert len(s3.list_object_versions(Bucket=NAME)["Versions"]) == 2

    refused, failed = run_module(s3_bucket, {"name": NAME, "state": "absent", "region": "us-east-2"})
    assert failed and "force" in refused["msg"]
    preview, _ = run_module(
        s3_bucket, {"name": NAME, "state": "absent", "force": True, "region": "us-east-2"}, check_mode=True
    )
    assert preview["changed"] is True and NAME in buckets(s3)
    result, failed = run_module(s3_bucket, {"name": NAME, "state": "absent", "force": True, "region": "us-east-2"})
    assert not failed and result["changed"] is True
    assert NAME not in buckets(s3)
    again, _ = run_module(s3_bucket, {"name": NAME, "state": "absent", "force": True, "region": "us-east-2"})
    assert again["changed"] is False


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"name": "Not_A_Bucket"}, "not a valid bucket name"),
        ({"encryption": {"sse_algorithm": "AES256", "kms_key_id": "arn:aws:kms:x"}}, "kms_key_id applies only"),
        ({"acl_grants": [{"grantee_id": LOG_DELIVERY, "permission": "READ"}]}, "BucketOwnerEnforced"),
        ({"lifecycle_rules": [{"Status": "Enabled"}]}, "each rule needs a unique ID"),
        ({"cors_rules": [{"AllowedMethods": ["GET"]}]}, "AllowedOrigins"),
        ({"policy": "{not json"}, "policy is not a JSON document"),
    ],
)
def test_bad_input_fails_before_any_call(run_module, s3, kms_key, extra, message):
    result, failed = run_module(s3_bucket, args(kms_key, **extra))
    assert failed
    assert message in result["msg"]
    assert buckets(s3) == []
