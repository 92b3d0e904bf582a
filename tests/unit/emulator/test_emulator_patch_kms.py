"""KMS: key deletion, enabling and disabling work by key ARN as well as by key id."""

from __future__ import annotations

import boto3
from moto import mock_aws


def test_schedule_and_cancel_key_deletion_by_arn(patched) -> None:
    """AWS: ScheduleKeyDeletion and CancelKeyDeletion take "the key ID or key ARN"."""
    with mock_aws():
        kms = boto3.client("kms")
        arn = kms.create_key(Description="test")["KeyMetadata"]["Arn"]

        kms.schedule_key_deletion(KeyId=arn, PendingWindowInDays=7)
        assert kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "PendingDeletion"

        kms.cancel_key_deletion(KeyId=arn)
        assert kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "Disabled"


def test_enable_and_disable_key_by_arn(patched) -> None:
    """AWS: EnableKey and DisableKey take "the key ID or key ARN"; a cancelled deletion leaves the key Disabled."""
    with mock_aws():
        kms = boto3.client("kms")
        arn = kms.create_key(Description="test")["KeyMetadata"]["Arn"]
        kms.schedule_key_deletion(KeyId=arn, PendingWindowInDays=7)
        kms.cancel_key_deletion(KeyId=arn)

        kms.enable_key(KeyId=arn)
        assert kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "Enabled"

        kms.disable_key(KeyId=arn)
        assert kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "Disabled"
