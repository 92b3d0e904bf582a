"""CloudWatch Logs: the KMS key of an existing log group can be associated and removed."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

KEY = "arn:aws:kms:us-east-2:123456789012:key/11111111-2222-3333-4444-555555555555"


def test_associate_then_disassociate_kms_key(patched) -> None:
    """AWS: DescribeLogGroups reports the associated key, and no key once disassociated."""
    with mock_aws():
        logs = boto3.client("logs")
        logs.create_log_group(logGroupName="/test/group")

        logs.associate_kms_key(logGroupName="/test/group", kmsKeyId=KEY)
        assert logs.describe_log_groups(logGroupNamePrefix="/test/group")["logGroups"][0]["kmsKeyId"] == KEY

        logs.disassociate_kms_key(logGroupName="/test/group")
        assert "kmsKeyId" not in logs.describe_log_groups(logGroupNamePrefix="/test/group")["logGroups"][0]


def test_associate_kms_key_on_an_unknown_group_is_not_found(patched) -> None:
    """AWS: ResourceNotFoundException for a group that does not exist."""
    with mock_aws():
        with pytest.raises(ClientError) as error:
            boto3.client("logs").associate_kms_key(logGroupName="/missing", kmsKeyId=KEY)
        assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
