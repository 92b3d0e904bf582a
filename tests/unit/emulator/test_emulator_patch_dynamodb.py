"""DynamoDB: table descriptions carry a stable ``TableId``."""

from __future__ import annotations

import uuid

import boto3
from moto import mock_aws


def test_describe_table_returns_a_stable_table_id(patched) -> None:
    """AWS: CreateTable and DescribeTable return the table's TableId, a UUID that does not change."""
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        created = dynamodb.create_table(
            TableName="jobs",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )["TableDescription"]
        first = dynamodb.describe_table(TableName="jobs")["Table"]["TableId"]
        second = dynamodb.describe_table(TableName="jobs")["Table"]["TableId"]

        assert uuid.UUID(first)
        assert created["TableId"] == first == second
