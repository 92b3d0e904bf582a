"""Lambda invoke without Docker, through boto3 against a launched emulator.

The handler is a real zip: it reads its environment, calls the emulator with boto3 (through
AWS_ENDPOINT_URL), prints to stdout and stderr, raises on request and sleeps past its timeout
on request.
"""

from __future__ import annotations

import base64
import io
import json
import time
import zipfile

import pytest

HANDLER = """
import json
import os
import sys
import time

import boto3

import helper


def handler(event, context):
    action = event.get("action")
    print("handler got", json.dumps(event))
    print("a line on stderr", file=sys.stderr)
    if action == "raise":
        helper.fail(event.get("message", "boom"))
    if action == "sleep":
        time.sleep(event["seconds"])
    if action == "queue":
        sqs = boto3.client("sqs")
        url = sqs.get_queue_url(QueueName=event["queue"])["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event["body"]))
        return {"sent": True}
    if action == "exit":
        sys.exit(3)
    if action == "unserialisable":
        return {"when": object()}
    return {
        "echo": event,
        "greeting": os.environ.get("GREETING"),
        "function_name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        "region": os.environ.get("AWS_REGION"),
        "default_region": os.environ.get("AWS_DEFAULT_REGION"),
        "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
        "context_name": context.function_name,
        "request_id": context.aws_request_id,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "queues": boto3.client("sqs").list_queues().get("QueueUrls", []),
    }
"""

HELPER = """
def fail(message):
    raise ValueError(message)
"""


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
        archive.writestr("helper.py", HELPER)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def function(emulator):
    iam = emulator.client("iam")
    role = iam.create_role(RoleName="runner-test", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    client = emulator.client("lambda")
    arn = client.create_function(
        FunctionName="runner-test",
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": _zip()},
        Timeout=2,
        Environment={"Variables": {"GREETING": "hello"}},
    )["FunctionArn"]
    emulator.client("sqs").create_queue(QueueName="runner-visible")
    return client, arn


def _invoke(client, payload: dict, **kwargs) -> tuple[dict, dict]:
    response = client.invoke(FunctionName="runner-test", Payload=json.dumps(payload).encode(), **kwargs)
    return response, json.loads(response["Payload"].read())


def test_invoke_returns_the_handler_result_with_env_and_endpoint(function, emulator) -> None:
    """AWS: RequestResponse returns the handler's result; the handler sees its Environment variables, the runtime's
    variables and (here) reaches the emulator through AWS_ENDPOINT_URL."""
    client, _ = function
    response, result = _invoke(client, {"action": "echo", "n": 1})
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert result["echo"] == {"action": "echo", "n": 1}
    assert result["greeting"] == "hello"
    assert result["function_name"] == result["context_name"] == "runner-test"
    assert result["region"] == result["default_region"] == "us-east-2"
    assert result["endpoint"] == emulator.endpoint
    assert 0 < result["remaining_ms"] <= 2000
    assert any(url.endswith("/runner-visible") for url in result["queues"])


def test_log_tail_holds_the_handler_prints(function) -> None:
    """AWS: LogType=Tail returns the end of the invocation log (START/END/REPORT and the handler's output)."""
    client, _ = function
    response, _ = _invoke(client, {"action": "echo"}, LogType="Tail")
    log = base64.b64decode(response["LogResult"]).decode()
    assert "START RequestId:" in log and "END RequestId:" in log and "REPORT RequestId:" in log
    assert "handler got" in log
    assert "a line on stderr" in log


def test_log_lands_in_the_function_log_group(function, emulator) -> None:
    """AWS: each invocation's log goes to the /aws/lambda/<name> log group."""
    client, _ = function
    _invoke(client, {"action": "echo", "marker": "find-me-in-logs"})
    logs = emulator.client("logs")
    events = logs.filter_log_events(logGroupName="/aws/lambda/runner-test", filterPattern="find-me-in-logs")
    assert events["events"], "the handler's print reached CloudWatch Logs"


def test_exception_is_a_function_error_with_the_standard_payload(function) -> None:
    """AWS: an unhandled exception comes back with FunctionError=Unhandled and {errorMessage, errorType, stackTrace}."""
    client, _ = function
    response, error = _invoke(client, {"action": "raise", "message": "card declined"}, LogType="Tail")
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "card declined"
    assert any("helper.py" in line and "in fail" in line for line in error["stackTrace"])
    assert any("app.py" in line for line in error["stackTrace"])
    assert not any("lambda_runner" in line for line in error["stackTrace"])
    assert "[ERROR] ValueError: card declined" in base64.b64decode(response["LogResult"]).decode()


def test_timeout_kills_the_handler(function) -> None:
    """AWS: a handler that runs past Timeout is stopped: FunctionError with 'Task timed out after N seconds'."""
    client, _ = function
    started = time.monotonic()
    response, error = _invoke(client, {"action": "sleep", "seconds": 30})
    elapsed = time.monotonic() - started
    assert response["FunctionError"] == "Unhandled"
    assert "Task timed out after 2.00 seconds" in error["errorMessage"]
    assert error["errorType"] == "Sandbox.Timedout"
    assert elapsed < 10, f"the handler was not stopped at its timeout ({elapsed:.1f} s)"


def test_exit_and_unserialisable_results_are_function_errors(function) -> None:
    """AWS: sys.exit in a handler is Runtime.ExitError; a result that is not JSON is Runtime.MarshalError."""
    client, _ = function
    response, error = _invoke(client, {"action": "exit"})
    assert response["FunctionError"] == "Unhandled" and error["errorType"] == "Runtime.ExitError"
    response, error = _invoke(client, {"action": "unserialisable"})
    assert response["FunctionError"] == "Unhandled" and error["errorType"] == "Runtime.MarshalError"


def test_event_invocation_answers_202_and_runs_in_the_background(function, emulator) -> None:
    """AWS: InvocationType=Event answers 202 at once and runs the handler asynchronously."""
    client, _ = function
    sqs = emulator.client("sqs")
    url = sqs.create_queue(QueueName="runner-async")["QueueUrl"]
    response = client.invoke(
        FunctionName="runner-test",
        InvocationType="Event",
        Payload=json.dumps({"action": "queue", "queue": "runner-async", "body": {"job": 7}}).encode(),
    )
    assert response["StatusCode"] == 202
    deadline = time.monotonic() + 20
    messages: list = []
    while not messages and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
    assert [json.loads(m["Body"]) for m in messages] == [{"job": 7}]


def test_dry_run_does_not_run_the_handler(function) -> None:
    """AWS: InvocationType=DryRun validates and answers 204 without running the function."""
    client, _ = function
    response = client.invoke(FunctionName="runner-test", InvocationType="DryRun", Payload=b"{}")
    assert response["StatusCode"] == 204


def _run_state_machine(emulator, name: str, definition: dict, payload: dict) -> dict:
    sfn = emulator.client("stepfunctions")
    role = "arn:aws:iam::123456789012:role/sfn"
    machine = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=role)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps(payload))["executionArn"]
    deadline = time.monotonic() + 30
    while True:
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.2)


def test_step_functions_task_invokes_the_handler(function, emulator) -> None:
    """AWS: a Task state with lambda:invoke (Payload in $.Payload) and one with the function ARN as Resource both
    run the function and pass its result on."""
    _, arn = function
    definition = {
        "StartAt": "Integration",
        "States": {
            "Integration": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": arn, "Payload": {"action": "echo", "step": "one"}},
                "ResultSelector": {"greeting.$": "$.Payload.greeting"},
                "ResultPath": "$.first",
                "Next": "Direct",
            },
            "Direct": {"Type": "Task", "Resource": arn, "ResultPath": "$.second", "End": True},
        },
    }
    described = _run_state_machine(emulator, "runner-sfn", definition, {"action": "echo", "step": "two"})
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert output["first"] == {"greeting": "hello"}
    # The direct Task gets the whole state, which by then holds the first result.
    assert output["second"]["echo"] == {"action": "echo", "step": "two", "first": {"greeting": "hello"}}


def test_step_functions_catches_a_function_error(function, emulator) -> None:
    """AWS: a function error surfaces as the handler's errorType and can be caught by a Catch clause."""
    _, arn = function
    definition = {
        "StartAt": "Charge",
        "States": {
            "Charge": {
                "Type": "Task",
                "Resource": arn,
                "Catch": [{"ErrorEquals": ["ValueError"], "ResultPath": "$.error", "Next": "Declined"}],
                "End": True,
            },
            "Declined": {"Type": "Pass", "End": True},
        },
    }
    described = _run_state_machine(emulator, "runner-sfn-catch", definition, {"action": "raise", "message": "no"})
    assert described["status"] == "SUCCEEDED", described
    error = json.loads(described["output"])["error"]
    assert error["Error"] == "ValueError"
    assert json.loads(error["Cause"])["errorMessage"] == "no"
