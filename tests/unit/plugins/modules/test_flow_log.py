"""freelancer.platform.flow_log against moto in-process: check, apply, idempotency, replace, delete."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import flow_log

ROLE = "arn:aws:iam::123456789012:role/flow-logs"


@pytest.fixture
def vpc_id(mocked_aws):
    return boto3.client("ec2", region_name="us-east-2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]


def args(vpc_id, **extra):
    base = {
        "resource_id": vpc_id,
        "log_group_name": "/aws/vpc/test",
        "deliver_logs_permission_arn": ROLE,
        "tags": {"Environment": "test"},
        "region": "us-east-2",
    }
    base.update(extra)
    return base


def flow_logs(vpc_id):
    ec2 = boto3.client("ec2", region_name="us-east-2")
    return ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]


def test_check_mode_on_nothing_reports_a_change_and_creates_nothing(run_module, vpc_id):
    result, failed = run_module(flow_log, args(vpc_id), check_mode=True, diff=True)
    assert not failed
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["flow_log"]["log_group_name"] == "/aws/vpc/test"
    assert flow_logs(vpc_id) == []


def test_create_then_idempotent_then_check_reports_nothing(run_module, vpc_id):
    result, failed = run_module(flow_log, args(vpc_id))
    assert not failed and result["changed"] is True
    assert result["flow_log"]["flow_log_status"] == "ACTIVE"
    assert result["flow_log"]["tags"] == {"Environment": "test"}
    assert len(flow_logs(vpc_id)) == 1

    again, _ = run_module(flow_log, args(vpc_id))
    assert again["changed"] is False
    assert again["flow_log"]["flow_log_id"] == result["flow_log"]["flow_log_id"]

    preview, _ = run_module(flow_log, args(vpc_id), check_mode=True, diff=True)
    assert preview["changed"] is False
    assert preview["diff"]["before"] == preview["diff"]["after"]


def test_tag_change_is_applied_in_place(run_module, vpc_id):
    first, _ = run_module(flow_log, args(vpc_id))
    result, _ = run_module(flow_log, args(vpc_id, tags={"Environment": "test", "Owner": "team"}), diff=True)
    assert result["changed"] is True and result["replaced"] is False
    assert result["flow_log"]["flow_log_id"] == first["flow_log"]["flow_log_id"]
    assert result["flow_log"]["tags"] == {"Environment": "test", "Owner": "team"}


def test_immutable_change_replaces_the_flow_log(run_module, vpc_id):
    first, _ = run_module(flow_log, args(vpc_id))
    result, _ = run_module(flow_log, args(vpc_id, max_aggregation_interval=60), diff=True)
    assert result["changed"] is True and result["replaced"] is True
    assert result["flow_log"]["max_aggregation_interval"] == 60
    assert result["flow_log"]["flow_log_id"] != first["flow_log"]["flow_log_id"]
    assert len(flow_logs(vpc_id)) == 1


def test_absent_deletes_then_is_idempotent(run_module, vpc_id):
    run_module(flow_log, args(vpc_id))
    preview, _ = run_module(flow_log, args(vpc_id, state="absent"), check_mode=True)
    assert preview["changed"] is True and len(flow_logs(vpc_id)) == 1
    result, _ = run_module(flow_log, args(vpc_id, state="absent"))
    assert result["changed"] is True and flow_logs(vpc_id) == []
    again, _ = run_module(flow_log, args(vpc_id, state="absent"))
    assert again["changed"] is False


def test_missing_destination_fails_before_any_call(run_module, vpc_id):
    result, failed = run_module(flow_log, {"resource_id": vpc_id, "region": "us-east-2"})
    assert failed
    assert "log_group_name" in result["msg"] and "deliver_logs_permission_arn" in result["msg"]
    assert flow_logs(vpc_id) == []


def test_s3_destination_must_be_an_arn(run_module, vpc_id):
    result, failed = run_module(
        flow_log,
        {"resource_id": vpc_id, "log_destination_type": "s3", "log_destination": "bucket", "region": "us-east-2"},
    )
    assert failed and "log_destination" in result["msg"]
