"""freelancer.platform.stepfunctions_state_machine against moto in-process: check, apply,
idempotency, definition/logging/tracing/tag changes, versions and rollback, delete, bad input."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import stepfunctions_state_machine as module

REGION = "us-east-2"
NAME = "unit-lifecycle"
LOG_GROUP = "arn:aws:logs:us-east-2:123456789012:log-group:/aws/states/unit-lifecycle"


def definition(result="done"):
    return {
        "StartAt": "Only",
        "States": {"Only": {"Type": "Pass", "Result": result, "End": True}},
    }


@pytest.fixture
def role(mocked_aws):
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    return boto3.client("iam", region_name=REGION).create_role(
        RoleName="unit-lifecycle", AssumeRolePolicyDocument=json.dumps(trust)
    )["Role"]["Arn"]


@pytest.fixture
def sfn(mocked_aws):
    return boto3.client("stepfunctions", region_name=REGION)


def args(role, **extra):
    base = {
        "name": NAME,
        "definition": definition(),
        "role_arn": role,
        "logging": {"level": "ALL", "include_execution_data": True, "log_group_arn": LOG_GROUP},
        "tracing_enabled": True,
        "tags": {"Environment": "unit", "Name": NAME},
        "region": REGION,
    }
    base.update(extra)
    return base


def machines(sfn):
    return [m for m in sfn.list_state_machines()["stateMachines"] if m["name"] == NAME]


def test_check_mode_creates_nothing(run_module, sfn, role):
    result, failed = run_module(module, args(role), check_mode=True, diff=True)
    assert not failed and result["changed"] is True
    assert result["state_machine_arn"] == "" and result["version_arn"] == ""
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["definition"] == definition()
    assert machines(sfn) == []


def test_create_with_logging_tracing_tags_and_a_first_version(run_module, sfn, role):
    result, failed = run_module(module, args(role, version_description="release 1"))
    assert not failed and result["changed"] is True
    arn = result["state_machine_arn"]
    assert arn.endswith(f":stateMachine:{NAME}")
    assert result["version_arn"] == f"{arn}:1"
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert json.loads(described["definition"]) == definition()
    assert described["type"] == "STANDARD"
    assert described["loggingConfiguration"] == {
        "level": "ALL",
        "includeExecutionData": True,
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": f"{LOG_GROUP}:*"}}],
    }
    assert described["tracingConfiguration"] == {"enabled": True}
    tags = {t["key"]: t["value"] for t in sfn.list_tags_for_resource(resourceArn=arn)["tags"]}
    assert tags == {"Environment": "unit", "Name": NAME}
    version = sfn.describe_state_machine(stateMachineArn=f"{arn}:1")
    assert version["description"].startswith("release 1 (definition sha256:")
    assert result["state_machine"]["tags"] == tags


def test_idempotent_even_when_the_definition_is_reformatted(run_module, sfn, role):
    run_module(module, args(role))
    reformatted = json.dumps(definition(), indent=4, sort_keys=True)
    again, failed = run_module(module, args(role, definition=reformatted))
    assert not failed and again["changed"] is False and again["version_arn"] == ""
    preview, _ = run_module(module, args(role), check_mode=True, diff=True)
    assert preview["changed"] is False
    assert preview["diff"]["before"] == preview["diff"]["after"]


def test_a_definition_change_is_published_as_a_new_version(run_module, sfn, role):
    first, _ = run_module(module, args(role))
    preview, _ = run_module(module, args(role, definition=definition("changed")), check_mode=True, diff=True)
    assert preview["changed"] is True
    assert preview["diff"]["before"]["definition"] == definition()
    assert preview["diff"]["after"]["definition"] == definition("changed")
    assert (
        json.loads(sfn.describe_state_machine(stateMachineArn=first["state_machine_arn"])["definition"]) == definition()
    )
    result, failed = run_module(module, args(role, definition=definition("changed")))
    assert not failed and result["changed"] is True
    assert result["version_arn"] == f"{first['state_machine_arn']}:2"
    assert result["state_machine"]["definition"] == definition("changed")


def test_logging_and_tracing_changes_do_not_publish(run_module, sfn, role):
    first, _ = run_module(module, args(role))
    result, failed = run_module(
        module,
        args(
            role,
            logging={"level": "ERROR", "include_execution_data": False, "log_group_arn": f"{LOG_GROUP}:*"},
            tracing_enabled=False,
        ),
    )
    assert not failed and result["changed"] is True and result["version_arn"] == ""
    described = sfn.describe_state_machine(stateMachineArn=first["state_machine_arn"])
    assert described["loggingConfiguration"]["level"] == "ERROR"
    assert described["loggingConfiguration"]["includeExecutionData"] is False
    assert described["tracingConfiguration"] == {"enabled": False}
    same, _ = run_module(
        module,
        args(
            role,
            logging={"level": "ERROR", "include_execution_data": False, "log_group_arn": LOG_GROUP},
            tracing_enabled=False,
        ),
    )
    assert same["changed"] is False


def test_tags_are_converged(run_module, sfn, role):
    first, _ = run_module(module, args(role))
    result, _ = run_module(module, args(role, tags={"Environment": "unit", "Owner": "platform"}))
    assert result["changed"] is True
    tags = {t["key"]: t["value"] for t in sfn.list_tags_for_resource(resourceArn=first["state_machine_arn"])["tags"]}
    assert tags == {"Environment": "unit", "Owner": "platform"}


def test_rollback_to_a_published_version(run_module, sfn, role):
    first, _ = run_module(module, args(role))
    run_module(module, args(role, definition=definition("v2")))
    rollback = args(role, definition=None, definition_from_version=1, version_description="rollback to 1")
    result, failed = run_module(module, rollback)
    assert not failed and result["changed"] is True
    assert result["version_arn"] == f"{first['state_machine_arn']}:3"
    assert (
        json.loads(sfn.describe_state_machine(stateMachineArn=first["state_machine_arn"])["definition"]) == definition()
    )
    again, _ = run_module(module, rollback)
    assert again["changed"] is False


def test_rollback_to_a_missing_version_fails(run_module, sfn, role):
    run_module(module, args(role))
    result, failed = run_module(module, args(role, definition=None, definition_from_version=7))
    assert failed and "no such published version" in result["msg"]


def test_the_type_cannot_change(run_module, sfn, role):
    run_module(module, args(role))
    result, failed = run_module(module, args(role, type="EXPRESS"))
    assert failed and "cannot change it to EXPRESS" in result["msg"]


def test_delete_then_delete_again(run_module, sfn, role):
    run_module(module, args(role))
    preview, _ = run_module(module, {"name": NAME, "state": "absent", "region": REGION}, check_mode=True)
    assert preview["changed"] is True and len(machines(sfn)) == 1
    result, failed = run_module(module, {"name": NAME, "state": "absent", "region": REGION}, diff=True)
    assert not failed and result["changed"] is True and result["diff"]["after"] == {}
    assert machines(sfn) == []
    again, _ = run_module(module, {"name": NAME, "state": "absent", "region": REGION})
    assert again["changed"] is False


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"name": "has spaces"}, "name must be 1 to 80 letters"),
        ({"role_arn": None}, "role_arn is required"),
        ({"role_arn": "unit-lifecycle"}, "role_arn must be an IAM role ARN"),
        ({"definition": None}, "definition (or definition_from_version) is required"),
        ({"definition_from_version": 1}, "mutually exclusive"),
        ({"definition": "{not json"}, "definition is not valid JSON"),
        ({"logging": {"level": "ALL"}}, "logging.log_group_arn is required with logging level ALL"),
        ({"logging": {"level": "ERROR", "log_group_arn": "/aws/states/x"}}, "must be a log group ARN"),
    ],
)
def test_bad_input_fails_before_any_call(run_module, monkeypatch, aws_env, extra, message):
    def no_client(*_args, **_kwargs):
        raise AssertionError("an AWS client was created")

    monkeypatch.setattr(module.AnsibleAWSModule, "client", no_client)
    params = args("arn:aws:iam::123456789012:role/unit-lifecycle", **extra)
    result, failed = run_module(module, {k: v for k, v in params.items() if v is not None})
    assert failed and message in result["msg"]
