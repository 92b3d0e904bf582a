"""freelancer.platform.dynamodb_table against moto in-process: check, apply, idempotency, update, delete, bad input."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import dynamodb_table

NAME = "test-messages"


@pytest.fixture
def kms_key(mocked_aws):
    return boto3.client("kms", region_name="us-east-2").create_key()["KeyMetadata"]["Arn"]


@pytest.fixture
def ddb(mocked_aws):
    return boto3.client("dynamodb", region_name="us-east-2")


def args(kms_key, **extra):
    base = {
        "name": NAME,
        "hash_key_name": "conversationId",
        "range_key_name": "timestamp",
        "billing_mode": "PAY_PER_REQUEST",
        "global_indexes": [
            {
                "name": "sender-index",
                "hash_key_name": "userId",
                "range_key_name": "timestamp",
                "projection": "INCLUDE",
                "non_key_attributes": ["receiverId", "messageId"],
            },
            {
                "name": "inbox-index",
                "hash_key_name": "receiverId",
                "range_key_name": "timestamp",
                "projection": "KEYS_ONLY",
            },
        ],
        "sse_type": "KMS",
        "kms_key_id": kms_key,
        "point_in_time_recovery": True,
        "deletion_protection": False,
        "tags": {"Environment": "test"},
        "region": "us-east-2",
        "wait_timeout": 30,
    }
    base.update(extra)
    return base


def tables(ddb):
    return ddb.list_tables()["TableNames"]


def test_check_mode_on_nothing_reports_a_change_and_creates_nothing(run_module, ddb, kms_key):
    result, failed = run_module(dynamodb_table, args(kms_key), check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["sse_type"] == "KMS"
    assert [i["name"] for i in result["table"]["global_indexes"]] == ["inbox-index", "sender-index"]
    assert tables(ddb) == []


def test_create_then_idempotent_then_check_reports_nothing(run_module, ddb, kms_key):
    result, failed = run_module(dynamodb_table, args(kms_key))
    assert not failed, result
    assert result["changed"] is True
    table = result["table"]
    assert table["hash_key_name"] == "conversationId" and table["range_key_name"] == "timestamp"
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["kms_key_id"] == kms_key
    assert table["point_in_time_recovery"] is True
    assert table["tags"] == {"Environment": "test"}
    sender = next(i for i in table["global_indexes"] if i["name"] == "sender-index")
    assert sender["projection"] == "INCLUDE" and sender["non_key_attributes"] == ["messageId", "receiverId"]

    raw = ddb.describe_table(TableName=NAME)["Table"]
    assert raw["SSEDescription"]["KMSMasterKeyArn"] == kms_key
    backups = ddb.describe_continuous_backups(TableName=NAME)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"

    again, _ = run_module(dynamodb_table, args(kms_key))
    assert again["changed"] is False
    preview, _ = run_module(dynamodb_table, args(kms_key), check_mode=True, diff=True)
    assert preview["changed"] is False
    assert preview["diff"]["before"] == preview["diff"]["after"]


def test_settings_left_out_are_left_alone(run_module, ddb, kms_key):
    run_module(dynamodb_table, args(kms_key))
    minimal = {"name": NAME, "hash_key_name": "conversationId", "range_key_name": "timestamp", "region": "us-east-2"}
    result, failed = run_module(dynamodb_table, minimal)
    assert not failed and result["changed"] is False
    assert result["table"]["point_in_time_recovery"] is True
    assert len(result["table"]["global_indexes"]) == 2


def test_update_protection_pitr_tags_in_place(run_module, ddb, kms_key):
    first, _ = run_module(dynamodb_table, args(kms_key))
    changed, _ = run_module(
        dynamodb_table,
        args(
            kms_key,
            deletion_protection=True,
            point_in_time_recovery=False,
            tags={"Environment": "test", "Owner": "team"},
        ),
        diff=True,
    )
    assert changed["changed"] is True
    assert changed["table"]["table_id"] == first["table"]["table_id"]
    assert changed["table"]["deletion_protection"] is True
    assert changed["table"]["point_in_time_recovery"] is False
    assert changed["table"]["tags"] == {"Environment": "test", "Owner": "team"}
    assert changed["diff"]["before"]["deletion_protection"] is False
    assert ddb.describe_table(TableName=NAME)["Table"]["DeletionProtectionEnabled"] is True


def test_index_projection_change_replaces_only_that_index(run_module, ddb, kms_key):
    run_module(dynamodb_table, args(kms_key))
    indexes = args(kms_key)["global_indexes"]
    indexes[1] = dict(indexes[1], projection="ALL")
    indexes.append({"name": "thread-index", "hash_key_name": "threadId", "projection": "KEYS_ONLY"})
    result, failed = run_module(dynamodb_table, args(kms_key, global_indexes=indexes))
    assert not failed, result
    by_name = {i["name"]: i for i in result["table"]["global_indexes"]}
    assert set(by_name) == {"sender-index", "inbox-index", "thread-index"}
    assert by_name["inbox-index"]["projection"] == "ALL"
    assert by_name["thread-index"]["hash_key_name"] == "threadId"
    again, _ = run_module(dynamodb_table, args(kms_key, global_indexes=indexes))
    assert again["changed"] is False

    result, _ = run_module(dynamodb_table, args(kms_key, global_indexes=indexes[:1]))
    assert [i["name"] for i in result["table"]["global_indexes"]] == ["sender-index"]


def test_switch_to_provisioned_and_ignore_capacity_drift(run_module, ddb, kms_key):
    run_module(dynamodb_table, args(kms_key))
    provisioned = args(
        kms_key, billing_mode="PROVISIONED", read_capacity=5, write_capacity=4, ignore_capacity_drift=True
    )
    result, failed = run_module(dynamodb_table, provisioned)
    assert not failed, result
    assert result["table"]["billing_mode"] == "PROVISIONED"
    assert (result["table"]["read_capacity"], result["table"]["write_capacity"]) == (5, 4)
    assert all(i["read_capacity"] == 5 for i in result["table"]["global_indexes"])

    # Application Auto Scaling raised the capacity: the module leaves it alone
    ddb.update_table(TableName=NAME, ProvisionedThroughput={"ReadCapacityUnits": 20, "WriteCapacityUnits": 4})
    again, _ = run_module(dynamodb_table, provisioned)
    assert again["changed"] is False
    assert again["table"]["read_capacity"] == 20

    # without ignore_capacity_drift the declared capacity is restored
    strict, _ = run_module(dynamodb_table, dict(provisioned, ignore_capacity_drift=False))
    assert strict["changed"] is True and strict["table"]["read_capacity"] == 5


def test_key_schema_change_fails_and_changes_nothing(run_module, ddb, kms_key):
    run_module(dynamodb_table, args(kms_key))
    result, failed = run_module(dynamodb_table, args(kms_key, range_key_name="sentAt"))
    assert failed
    assert "key schema" in result["msg"] and "range_key_name" in result["msg"]
    assert ddb.describe_table(TableName=NAME)["Table"]["KeySchema"][1]["AttributeName"] == "timestamp"


def test_absent_refuses_a_protected_table_unless_protection_is_turned_off(run_module, ddb, kms_key):
    run_module(dynamodb_table, args(kms_key, deletion_protection=True))
    refused, failed = run_module(dynamodb_table, {"name": NAME, "state": "absent", "region": "us-east-2"})
    assert failed and "deletion protection" in refused["msg"]
    assert tables(ddb) == [NAME]

    preview, _ = run_module(
        dynamodb_table,
        {"name": NAME, "state": "absent", "deletion_protection": False, "region": "us-east-2"},
        check_mode=True,
    )
    assert preview["changed"] is True and tables(ddb) == [NAME]
    result, failed = run_module(
        dynamodb_table, {"name": NAME, "state": "absent", "deletion_protection": False, "region": "us-east-2"}
    )
    assert not failed and result["changed"] is True
    assert tables(ddb) == []
    again, _ = run_module(dynamodb_table, {"name": NAME, "state": "absent", "region": "us-east-2"})
    assert again["changed"] is False


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"hash_key_name": None}, "hash_key_name is required"),
        ({"billing_mode": "PROVISIONED"}, "read_capacity must be a positive number"),
        ({"read_capacity": 5}, "read_capacity applies only to billing_mode PROVISIONED"),
        ({"kms_key_id": "alias/mine"}, "kms_key_id must be a KMS key ARN"),
        ({"sse_type": "AWS_OWNED"}, "kms_key_id applies only to sse_type KMS"),
        (
            {"global_indexes": [{"name": "x", "hash_key_name": "userId", "projection": "INCLUDE"}]},
            "non_key_attributes is required with projection INCLUDE",
        ),
        (
            {"global_indexes": [{"name": "x", "hash_key_name": "timestamp", "hash_key_type": "N"}]},
            "attribute timestamp is used with two types",
        ),
    ],
)
def test_bad_input_fails_before_any_call(run_module, ddb, kms_key, extra, message):
    result, failed = run_module(dynamodb_table, args(kms_key, **extra))
    assert failed
    assert message in result["msg"]
    assert tables(ddb) == []
