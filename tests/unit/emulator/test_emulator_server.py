"""What `serve` sets up before moto answers: loopback only, AWS managed policies, Step Functions execution."""

from __future__ import annotations

import json
import socket
import time


def test_listens_on_127_0_0_1_only(emulator) -> None:
    """The emulator accepts no connection on another address, not even another loopback one."""
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=2):
        pass
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.settimeout(2)
    try:
        assert probe.connect_ex(("127.0.0.2", emulator.port)) != 0
    finally:
        probe.close()


def test_aws_managed_policies_exist(emulator) -> None:
    """AWS: managed policies such as AWSLambdaBasicExecutionRole exist and can be attached to a role."""
    iam = emulator.client("iam")
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PolicyName"] == "AWSLambdaBasicExecutionRole"
    iam.create_role(RoleName="managed-policy-test", AssumeRolePolicyDocument="{}")
    iam.attach_role_policy(RoleName="managed-policy-test", PolicyArn=arn)
    attached = iam.list_attached_role_policies(RoleName="managed-policy-test")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [arn]


def test_step_functions_executions_run(emulator) -> None:
    """AWS: an execution runs its states (moto's default only records it); machines created first are kept."""
    sfn = emulator.client("stepfunctions")
    definition = {
        "StartAt": "Decide",
        "States": {
            "Decide": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.amount", "NumericGreaterThan": 100, "Next": "Review"}],
                "Default": "Approve",
            },
            "Review": {"Type": "Pass", "Result": "review", "ResultPath": "$.decision", "End": True},
            "Approve": {"Type": "Pass", "Result": "approved", "ResultPath": "$.decision", "End": True},
        },
    }
    machine = sfn.create_state_machine(
        name="server-choice", definition=json.dumps(definition), roleArn="arn:aws:iam::123456789012:role/sfn"
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"amount": 250}))["executionArn"]
    deadline = time.monotonic() + 20
    while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"amount": 250, "decision": "review"}
    assert machine in [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]]
