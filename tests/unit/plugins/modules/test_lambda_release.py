"""freelancer.platform.lambda_release and lambda_event_invoke_config against moto in-process:
check, apply, idempotency, change, rollback, delete, bad input."""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import lambda_event_invoke_config
from ansible_collections.freelancer.platform.plugins.modules import lambda_release

REGION = "us-east-2"
NAME = "unit-release"


def code(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", f"def handler(event, context):\n    return {text!r}\n")
    return buffer.getvalue()


@pytest.fixture
def function(mocked_aws):
    iam = boto3.client("iam", region_name=REGION)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName="unit-release", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    client = boto3.client("lambda", region_name=REGION)
    client.create_function(
        FunctionName=NAME, Runtime="python3.12", Role=role, Handler="handler.handler", Code={"ZipFile": code("v1")}
    )
    return client


def args(**extra):
    return {"function_name": NAME, "alias": "live", "region": REGION, **extra}


def test_check_mode_creates_nothing(run_module, function):
    result, failed = run_module(lambda_release, args(), check_mode=True, diff=True)
    assert not failed and result["changed"] is True
    assert result["diff"]["before"] == {}
    assert function.list_aliases(FunctionName=NAME)["Aliases"] == []
    assert [v["Version"] for v in function.list_versions_by_function(FunctionName=NAME)["Versions"]] == ["$LATEST"]


def test_check_mode_on_a_missing_function_does_not_fail(run_module, mocked_aws):
    result, failed = run_module(lambda_release, args(), check_mode=True)
    assert not failed and result["changed"] is True and result["version"] == "new"


def test_release_then_idempotent(run_module, function):
    first, failed = run_module(lambda_release, args())
    assert not failed and first["changed"] is True and first["published"] is True
    assert first["alias"]["function_version"] == first["version"] == "1"
    assert first["alias"]["alias_arn"].endswith(f":function:{NAME}:live")
    again, _ = run_module(lambda_release, args())
    assert again["changed"] is False and again["published"] is False and again["version"] == "1"
    preview, _ = run_module(lambda_release, args(), check_mode=True, diff=True)
    assert preview["changed"] is False
    assert preview["diff"]["before"] == preview["diff"]["after"]


def test_a_configuration_change_is_released_as_a_new_version(run_module, function):
    run_module(lambda_release, args())
    function.update_function_configuration(FunctionName=NAME, Environment={"Variables": {"A": "2"}})
    preview, _ = run_module(lambda_release, args(), check_mode=True)
    assert preview["changed"] is True and preview["published"] is True
    assert function.get_alias(FunctionName=NAME, Name="live")["FunctionVersion"] == "1"
    result, _ = run_module(lambda_release, args())
    assert result["changed"] is True and result["version"] == "2"
    assert function.get_alias(FunctionName=NAME, Name="live")["FunctionVersion"] == "2"
    assert function.get_function_configuration(FunctionName=NAME, Qualifier="2")["Environment"]["Variables"] == {
        "A": "2"
    }


def test_a_code_change_is_released(run_module, function):
    run_module(lambda_release, args())
    function.update_function_code(FunctionName=NAME, ZipFile=code("v2"))
    result, _ = run_module(lambda_release, args())
    assert result["published"] is True and result["alias"]["function_version"] == "2"


def test_rollback_to_a_pinned_version_and_forward_again(run_module, function):
    run_module(lambda_release, args())
    function.update_function_code(FunctionName=NAME, ZipFile=code("v2"))
    run_module(lambda_release, args())
    back, _ = run_module(lambda_release, args(version="1"), diff=True)
    assert back["changed"] is True and back["published"] is False
    assert back["diff"]["before"]["function_version"] == "2" and back["diff"]["after"]["function_version"] == "1"
    assert function.get_alias(FunctionName=NAME, Name="live")["FunctionVersion"] == "1"
    pinned_again, _ = run_module(lambda_release, args(version="1"))
    assert pinned_again["changed"] is False
    forward, _ = run_module(lambda_release, args())
    assert forward["changed"] is True and forward["version"] == "2" and forward["published"] is False


@pytest.mark.parametrize(
    ("extra", "message"),
    [({"version": "9"}, "not published"), ({"version": "x1"}, "version number"), ({"alias": "3"}, "not a version")],
)
def test_bad_input_fails_with_a_message(run_module, function, extra, message):
    result, failed = run_module(lambda_release, args(**extra))
    assert failed and message in result["msg"]


def test_absent_removes_the_alias_only(run_module, function):
    run_module(lambda_release, args())
    result, _ = run_module(lambda_release, args(state="absent"))
    assert result["changed"] is True
    assert function.list_aliases(FunctionName=NAME)["Aliases"] == []
    again, _ = run_module(lambda_release, args(state="absent"))
    assert again["changed"] is False


# ---------------------------------------------------------------- lambda_event_invoke_config


def config_args(**extra):
    return {
        "function_name": NAME,
        "region": REGION,
        "maximum_retry_attempts": 2,
        "maximum_event_age_in_seconds": 3600,
        **extra,
    }


def test_event_invoke_config_check_apply_idempotent(run_module, function):
    preview, failed = run_module(lambda_event_invoke_config, config_args(), check_mode=True, diff=True)
    assert not failed and preview["changed"] is True and preview["diff"]["before"] == {}
    with pytest.raises(function.exceptions.ResourceNotFoundException):
        function.get_function_event_invoke_config(FunctionName=NAME)
    result, _ = run_module(lambda_event_invoke_config, config_args())
    assert result["changed"] is True
    assert result["event_invoke_config"]["maximum_retry_attempts"] == 2
    stored = function.get_function_event_invoke_config(FunctionName=NAME)
    assert (stored["MaximumRetryAttempts"], stored["MaximumEventAgeInSeconds"]) == (2, 3600)
    again, _ = run_module(lambda_event_invoke_config, config_args())
    assert again["changed"] is False
    preview, _ = run_module(lambda_event_invoke_config, config_args(), check_mode=True)
    assert preview["changed"] is False


def test_event_invoke_config_on_failure_destination_and_delete(run_module, function):
    queue = boto3.client("sqs", region_name=REGION).create_queue(QueueName="failures")["QueueUrl"]
    arn = f"arn:aws:sqs:{REGION}:123456789012:failures"
    assert queue
    result, _ = run_module(lambda_event_invoke_config, config_args(on_failure_destination=arn))
    assert result["event_invoke_config"]["on_failure_destination"] == arn
    gone, _ = run_module(lambda_event_invoke_config, config_args(state="absent"))
    assert gone["changed"] is True
    again, _ = run_module(lambda_event_invoke_config, config_args(state="absent"))
    assert again["changed"] is False


@pytest.mark.parametrize(
    ("extra", "name"),
    [
        ({"maximum_retry_attempts": 3}, "maximum_retry_attempts"),
        ({"maximum_event_age_in_seconds": 59}, "maximum_event_age_in_seconds"),
        ({"on_failure_destination": "my-queue"}, "on_failure_destination"),
    ],
)
def test_event_invoke_config_bad_input_names_the_option(run_module, function, extra, name):
    result, failed = run_module(lambda_event_invoke_config, config_args(**extra))
    assert failed and name in result["msg"]
