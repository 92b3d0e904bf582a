"""Lambda: DeadLetterConfig and TracingConfig round-trip through create, get and update."""

from __future__ import annotations

import io
import zipfile

import boto3
import pytest
from moto import mock_aws


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


@pytest.fixture
def aws(patched):
    with mock_aws():
        role = boto3.client("iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        sqs = boto3.client("sqs")
        queue = sqs.create_queue(QueueName="fn-dlq")["QueueUrl"]
        dlq = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        yield boto3.client("lambda"), role, dlq


def test_dead_letter_config_is_returned_after_create(aws) -> None:
    """AWS: GetFunction and GetFunctionConfiguration report the DeadLetterConfig the function was created with."""
    client, role, dlq = aws
    client.create_function(
        FunctionName="notify",
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": _zip()},
        DeadLetterConfig={"TargetArn": dlq},
    )
    assert client.get_function_configuration(FunctionName="notify")["DeadLetterConfig"] == {"TargetArn": dlq}
    assert client.get_function(FunctionName="notify")["Configuration"]["DeadLetterConfig"] == {"TargetArn": dlq}


def test_update_function_configuration_applies_dead_letter_and_tracing(aws) -> None:
    """AWS: UpdateFunctionConfiguration sets DeadLetterConfig and TracingConfig; an empty TargetArn removes the DLQ."""
    client, role, dlq = aws
    client.create_function(
        FunctionName="worker", Runtime="python3.11", Role=role, Handler="app.handler", Code={"ZipFile": _zip()}
    )
    before = client.get_function_configuration(FunctionName="worker")
    assert "DeadLetterConfig" not in before
    assert before["TracingConfig"] == {"Mode": "PassThrough"}

    updated = client.update_function_configuration(
        FunctionName="worker", DeadLetterConfig={"TargetArn": dlq}, TracingConfig={"Mode": "Active"}
    )
    assert updated["DeadLetterConfig"] == {"TargetArn": dlq}
    after = client.get_function_configuration(FunctionName="worker")
    assert after["DeadLetterConfig"] == {"TargetArn": dlq}
    assert after["TracingConfig"] == {"Mode": "Active"}

    client.update_function_configuration(FunctionName="worker", DeadLetterConfig={"TargetArn": ""})
    assert "DeadLetterConfig" not in client.get_function_configuration(FunctionName="worker")
