"""WF-1 to WF-4, asserted on the converged emulator by executing the real state machine.

Each test seeds a project in the platform database (the local MariaDB the Aurora
secret points at), starts an execution of ``<prefix>-project-lifecycle`` and
drives it as the application would: it finds the task token the Lambda task
stored in ``workflow_task_tokens`` and calls ``SendTaskSuccess`` with the human
decision (``lambdas/workflow_tasks/callbacks.py``). The payment wait is resumed by
the real payment webhook Lambda, invoked with a correctly signed
``payment_intent.succeeded``. The tests then assert the states visited, in order
(``GetExecutionHistory``), the rows in the database, the emails the emulator
recorded (``GET /moto-api/data.json``) and the notifications a queue subscribed
to the topics received.

They leave nothing that a converge or the teardown would see: the queue and its
subscriptions are removed, executions have ended (or are stopped), and the seeded
rows are deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import importlib.util
import json
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pymysql
import pytest
from conftest import PROJECT
from inventory_of_resources import endpoint_url

LIFECYCLE = [
    "ProjectCreated",
    "BiddingOpen",
    "FreelancerSelected",
    "MilestonesDefined",
    "WorkInProgress",
    "MilestoneApproval",
    "PaymentProcessed",
    "ProjectCompleted",
]
UNTIL_SELECTION = [
    "ProjectCreated",
    "NotifyProjectPublished",
    "BiddingOpen",
    "BiddingClosed",
    "HasBids",
    "AwaitFreelancerSelection",
    "FreelancerSelected",
    "NotifyFreelancerSelected",
    "MilestonesDefined",
]
APPROVED_AND_PAID = [
    "WorkInProgress",
    "MilestoneApproval",
    "RecordApprovalDecision",
    "IsMilestoneApproved",
    "NotifyMilestoneApproved",
    "EmailMilestoneApproved",
    "AwaitMilestonePayment",
    "PaymentProcessed",
    "EmailPaymentReleased",
    "HasMoreMilestones",
]
SENT_BACK = [
    "WorkInProgress",
    "MilestoneApproval",
    "RecordApprovalDecision",
    "IsMilestoneApproved",
    "NotifyReworkRequested",
]
COMPLETION = ["ProjectCompleted", "NotifyProjectCompleted", "LifecycleComplete"]
NO_BIDS = [
    "ProjectCreated",
    "NotifyProjectPublished",
    "BiddingOpen",
    "BiddingClosed",
    "HasBids",
    "CancelForNoBids",
    "NotifyNoBids",
    "ProjectClosedNoBids",
]
WAIT_SECONDS = 90


def _load_callbacks():
    spec = importlib.util.spec_from_file_location(
        "workflow_callbacks_verify", PROJECT / "lambdas" / "workflow_tasks" / "callbacks.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


callbacks = _load_callbacks()


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def sfn(aws):
    return aws("stepfunctions")


@pytest.fixture(scope="module")
def state_machine_arn(outputs, prefix, aws):
    account = aws("sts").get_caller_identity()["Account"]
    expected = f"arn:aws:states:us-east-2:{account}:stateMachine:{prefix}-project-lifecycle"
    assert outputs["state_machine_arn"] == expected
    return expected


@pytest.fixture(scope="module")
def database(aws, prefix):
    """The application database, connected with the Aurora secret as the Lambdas connect."""
    secret = json.loads(aws("secretsmanager").get_secret_value(SecretId=f"{prefix}/aurora/credentials")["SecretString"])
    connection = pymysql.connect(
        host=secret["host"],
        port=int(secret["port"]),
        user=secret["username"],
        password=secret["password"],
        database=secret["dbname"],
        cursorclass=pymysql.cursors.DictCursor,
        autocommit=True,
    )
    yield connection
    connection.close()


def query(connection, sql: str, *args: Any) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, args or None)
        return list(cursor.fetchall())


@pytest.fixture(scope="module")
def topic_queue(aws, outputs) -> Iterator[dict[str, Any]]:
    """An SQS queue subscribed (raw delivery) to the milestone approvals and payment confirmations topics."""
    sqs, sns = aws("sqs"), aws("sns")
    url = sqs.create_queue(QueueName=f"verify-workflow-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topics = {
        outputs["milestone_approvals_topic_arn"]: "milestone_approvals",
        outputs["payment_confirmations_topic_arn"]: "payment_confirmations",
    }
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": list(topics)}},
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    subscriptions = [
        sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=arn,
            Attributes={"RawMessageDelivery": "true"},
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        for topic in topics
    ]
    received: list[dict[str, Any]] = []
    try:
        yield {"url": url, "sqs": sqs, "topics": topics, "received": received}
    finally:
        for subscription in subscriptions:
            with contextlib.suppress(Exception):
                sns.unsubscribe(SubscriptionArn=subscription)
        sqs.delete_queue(QueueUrl=url)


def notifications_of(queue: dict[str, Any], project_id: int, count: int, timeout: float = 30) -> list[dict[str, Any]]:
    """The messages about ``project_id`` the queue received (waits until there are ``count``)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = queue["sqs"].receive_message(
            QueueUrl=queue["url"], MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        )
        for message in answer.get("Messages", []):
            queue["sqs"].delete_message(QueueUrl=queue["url"], ReceiptHandle=message["ReceiptHandle"])
            attributes = {k: v.get("StringValue") for k, v in message.get("MessageAttributes", {}).items()}
            body = json.loads(message["Body"])
            queue["received"].append({"attributes": attributes, "body": body})
        mine = [m for m in queue["received"] if str(m["body"].get("projectId")) == str(project_id)]
        if len(mine) >= count or time.monotonic() > deadline:
            return mine


def sent_emails() -> list[dict[str, Any]]:
    """Every templated email the emulator sent (its model dump is large: read it once per test)."""
    with urllib.request.urlopen(f"{endpoint_url()}/moto-api/data.json", timeout=120) as answer:  # noqa: S310 - the emulator
        return json.loads(answer.read())["ses"]["TemplateMessage"]


def emails_to(sent: list[dict[str, Any]], address: str) -> list[dict[str, Any]]:
    return [m for m in sent if address in m["destinations"]["ToAddresses"]]


@pytest.fixture
def seed(database) -> Iterator[Any]:
    """``seed(bids=2, milestones=1)`` -> a new project of a new client, its bids and milestones (removed afterwards)."""
    created: list[dict[str, Any]] = []

    def make(bids: int = 2, milestones: int = 1, amount: str = "50.00") -> dict[str, Any]:
        suffix = uuid.uuid4().hex[:10]
        client = {"user_id": f"wf-client-{suffix}", "email": f"wf-client-{suffix}@example.com", "name": "Carla Client"}
        freelancers = [
            {"user_id": f"wf-free-{i}-{suffix}", "email": f"wf-free-{i}-{suffix}@example.com", "name": f"Fred {i}"}
            for i in range(max(bids, 1))
        ]
        query(
            database,
            "INSERT INTO users (user_id, user_type, email, display_name) VALUES (%s, 'client', %s, %s)",
            client["user_id"],
            client["email"],
            client["name"],
        )
        for freelancer in freelancers:
            query(
                database,
                "INSERT INTO users (user_id, user_type, email, display_name) VALUES (%s, 'freelancer', %s, %s)",
                freelancer["user_id"],
                freelancer["email"],
                freelancer["name"],
            )
        query(database, "INSERT INTO projects (user_id, title) VALUES (%s, %s)", client["user_id"], f"Logo {suffix}")
        project_id = int(query(database, "SELECT LAST_INSERT_ID() AS id")[0]["id"])
        bid_ids = []
        for freelancer in freelancers[:bids]:
            query(
                database,
                "INSERT INTO bids (project_id, user_id, amount) VALUES (%s, %s, %s)",
                project_id,
                freelancer["user_id"],
                amount,
            )
            bid_ids.append(int(query(database, "SELECT LAST_INSERT_ID() AS id")[0]["id"]))
        milestone_ids = []
        for sequence in range(1, milestones + 1):
            query(
                database,
                "INSERT INTO milestones (project_id, user_id, sequence_no, title, amount) VALUES (%s, %s, %s, %s, %s)",
                project_id,
                client["user_id"],
                sequence,
                f"Milestone {sequence}",
                amount,
            )
            milestone_ids.append(int(query(database, "SELECT LAST_INSERT_ID() AS id")[0]["id"]))
        project = {
            "project_id": project_id,
            "client": client,
            "freelancers": freelancers,
            "bid_ids": bid_ids,
            "milestone_ids": milestone_ids,
            "amount": amount,
        }
        created.append(project)
        return project

    yield make
    for project in created:
        pid = project["project_id"]
        for table in ("workflow_events", "workflow_task_tokens", "payments", "milestones", "bids"):
            query(database, f"DELETE FROM {table} WHERE project_id = %s", pid)  # noqa: S608 - fixed table names
        query(database, "DELETE FROM projects WHERE project_id = %s", pid)
        for user in [project["client"], *project["freelancers"]]:
            query(database, "DELETE FROM users WHERE user_id = %s", user["user_id"])


class Execution:
    """One execution of the state machine, driven as the application would drive it."""

    def __init__(self, sfn, database, state_machine_arn: str, project: dict[str, Any], **extra: Any):
        self.sfn, self.database, self.project = sfn, database, project
        body = {"projectId": project["project_id"], **extra}
        name = f"verify-{project['project_id']}-{uuid.uuid4().hex[:8]}"
        self.arn = sfn.start_execution(stateMachineArn=state_machine_arn, name=name, input=json.dumps(body))[
            "executionArn"
        ]

    def describe(self) -> dict[str, Any]:
        return self.sfn.describe_execution(executionArn=self.arn)

    def events(self) -> list[dict[str, Any]]:
        pages = self.sfn.get_paginator("get_execution_history").paginate(executionArn=self.arn)
        return [event for page in pages for event in page["events"]]

    def visited(self) -> list[str]:
        return [e["stateEnteredEventDetails"]["name"] for e in self.events() if "stateEnteredEventDetails" in e]

    def waiting_for(self, step: str) -> Any:
        """The token the execution stored for ``step``, once it waits there."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                token = callbacks.waiting(self.database, self.project["project_id"], step)
            except callbacks.NothingWaiting:
                status = self.describe()["status"]
                assert status == "RUNNING", f"the execution ended {status} before waiting for {step}: {self.visited()}"
                time.sleep(0.3)
                continue
            assert token.execution_arn == self.arn
            return token
        raise AssertionError(f"the execution did not wait for {step} within {WAIT_SECONDS} s: {self.visited()}")

    def resume(self, step: str, output: dict[str, Any]) -> Any:
        self.waiting_for(step)
        return callbacks.resume(self.database, self.sfn, self.project["project_id"], step, output)

    def finished(self) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            answer = self.describe()
            if answer["status"] != "RUNNING":
                return answer
            time.sleep(0.3)
        raise AssertionError(f"the execution did not end within {WAIT_SECONDS} s: {self.visited()}")

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            if self.describe()["status"] == "RUNNING":
                self.sfn.stop_execution(executionArn=self.arn, error="VerifyCleanup", cause="test finished")


@pytest.fixture
def execute(sfn, database, state_machine_arn) -> Iterator[Any]:
    started: list[Execution] = []

    def start(project: dict[str, Any], **extra: Any) -> Execution:
        execution = Execution(sfn, database, state_machine_arn, project, **extra)
        started.append(execution)
        return execution

    yield start
    for execution in started:
        execution.stop()


@pytest.fixture(scope="module")
def pay(aws, prefix) -> Any:
    """``pay(project, milestone_id)``: the provider's signed payment_intent.succeeded, through the real webhook Lambda."""
    secret = json.loads(
        aws("secretsmanager").get_secret_value(SecretId=f"{prefix}/webhook/signing-secret")["SecretString"]
    )
    signing_secret = secret["signing_secret"]
    lambda_client = aws("lambda")

    def send(project: dict[str, Any], milestone_id: int) -> dict[str, Any]:
        amount_minor = round(float(project["amount"]) * 100)
        event = {
            "id": f"evt_{uuid.uuid4().hex}",
            "type": "payment_intent.succeeded",
            "livemode": False,
            "data": {
                "object": {
                    "id": f"pi_{uuid.uuid4().hex[:16]}",
                    "amount": amount_minor,
                    "currency": "usd",
                    "metadata": {"milestone_id": str(milestone_id), "project_id": str(project["project_id"])},
                }
            },
        }
        body = json.dumps(event)
        timestamp = int(time.time())
        signature = hmac.new(signing_secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
        request = {
            "headers": {"stripe-signature": f"t={timestamp},v1={signature}"},
            "body": body,
            "isBase64Encoded": False,
        }
        answer = lambda_client.invoke(FunctionName=f"{prefix}-payment-webhook", Payload=json.dumps(request).encode())
        payload = json.loads(answer["Payload"].read())
        assert "FunctionError" not in answer, payload
        assert payload["statusCode"] == 200, payload
        return {"event": event, "answer": json.loads(payload["body"])}

    return send


def approve_and_pay(execution: Execution, pay, project: dict[str, Any], milestone_id: int) -> dict[str, Any]:
    token = execution.resume("milestone_approval", {"decision": "approved", "comment": "looks good"})
    assert token.state_name == "MilestoneApproval"
    waiting = execution.waiting_for("milestone_payment")
    assert waiting.state_name == "AwaitMilestonePayment"
    paid = pay(project, milestone_id)
    assert paid["answer"]["result"] == "recorded"
    assert paid["answer"]["resumedExecutions"] == 1
    return paid


# ---------------------------------------------------------------- the resources


def test_state_machine_is_standard_logged_traced_and_tagged(sfn, state_machine_arn, aws, prefix, expected_tags):
    machine = sfn.describe_state_machine(stateMachineArn=state_machine_arn)
    assert machine["type"] == "STANDARD"
    logging = machine["loggingConfiguration"]
    assert logging["level"] == "ALL"
    assert logging["includeExecutionData"] is True
    group_arn = logging["destinations"][0]["cloudWatchLogsLogGroup"]["logGroupArn"]
    assert group_arn.endswith(f":log-group:/aws/states/{prefix}-project-lifecycle:*")
    assert machine["tracingConfiguration"] == {"enabled": True}
    assert machine["roleArn"].endswith(f":role/{prefix}-workflow")
    tags = {t["key"]: t["value"] for t in sfn.list_tags_for_resource(resourceArn=state_machine_arn)["tags"]}
    assert tags.items() >= {**expected_tags, "Name": f"{prefix}-project-lifecycle"}.items()
    states = json.loads(machine["definition"])["States"]
    assert set(LIFECYCLE) <= set(states)


def test_log_groups_are_encrypted_with_the_logs_key_and_kept(aws, prefix):
    logs = aws("logs")
    logs_key = aws("kms").describe_key(KeyId=f"alias/{prefix}-logs")["KeyMetadata"]["Arn"]
    for name in (f"/aws/states/{prefix}-project-lifecycle", f"/aws/lambda/{prefix}-workflow-tasks"):
        groups = [
            g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name
        ]
        assert len(groups) == 1, name
        assert groups[0]["kmsKeyId"] == logs_key
        assert groups[0]["retentionInDays"] > 0


def test_tasks_lambda_runs_python_in_the_vpc_traced(aws, prefix, outputs):
    config = aws("lambda").get_function_configuration(FunctionName=f"{prefix}-workflow-tasks")
    assert outputs["workflow_tasks_lambda_arn"] == config["FunctionArn"]
    assert config["Runtime"].startswith("python3.1")
    assert config["TracingConfig"]["Mode"] == "Active"
    assert config["VpcConfig"]["SubnetIds"] and config["VpcConfig"]["SecurityGroupIds"]
    sg_names = {
        g["GroupName"]
        for g in aws("ec2").describe_security_groups(GroupIds=config["VpcConfig"]["SecurityGroupIds"])["SecurityGroups"]
    }
    assert sg_names == {f"{prefix}-lambda-sg"}
    environment = config["Environment"]["Variables"]
    assert environment["DB_SECRET_ARN"].split(":secret:")[1].startswith(f"{prefix}/aurora/credentials")
    assert not any("password" in k.lower() for k in environment)
    tags = aws("lambda").list_tags(Resource=config["FunctionArn"])["Tags"]
    assert tags["Name"] == f"{prefix}-workflow-tasks"


def _policy(aws, role: str, name: str) -> list[dict[str, Any]]:
    document = aws("iam").get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    return document["Statement"]


def _as_list(value):
    return value if isinstance(value, list) else [value]


def test_execution_role_is_least_privilege(aws, prefix, outputs, state_machine_arn):
    role = aws("iam").get_role(RoleName=f"{prefix}-workflow")["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": "states.amazonaws.com"}
    assert trust["Statement"][0]["Condition"]["ArnLike"]["aws:SourceArn"] == state_machine_arn
    statements = {s["Sid"]: s for s in _policy(aws, f"{prefix}-workflow", "project-lifecycle-least-privilege")}
    for statement in statements.values():
        assert all("*" not in action for action in _as_list(statement["Action"])), statement
        if statement["Resource"] == "*":
            assert statement["Sid"].endswith("NotScopable"), statement
    assert _as_list(statements["InvokeItsLambdaTasksOnly"]["Resource"]) == [outputs["workflow_tasks_lambda_arn"]]
    assert _as_list(statements["PublishToItsTopicsOnly"]["Resource"]) == [outputs["milestone_approvals_topic_arn"]]
    email = statements["SendTemplatedEmailFromTheVerifiedSenderOnly"]
    assert _as_list(email["Action"]) == ["ses:SendTemplatedEmail"]
    assert email["Condition"] == {"StringEquals": {"ses:FromAddress": outputs["ses_sender_address"]}}
    assert any(r.endswith(f":identity/{outputs['ses_sender_address']}") for r in email["Resource"])
    assert any(r.endswith(f":configuration-set/{outputs['ses_configuration_set_name']}") for r in email["Resource"])
    messaging_key = aws("kms").describe_key(KeyId=f"alias/{prefix}-messaging")["KeyMetadata"]["Arn"]
    assert _as_list(statements["EncryptForItsEncryptedTopics"]["Resource"]) == [messaging_key]
    unscoped = {a for s in statements.values() if s["Resource"] == "*" for a in _as_list(s["Action"])}
    assert unscoped <= {
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
    }


def test_tasks_role_is_least_privilege(aws, prefix, state_machine_arn):
    statements = {s["Sid"]: s for s in _policy(aws, f"{prefix}-workflow-tasks", "workflow-tasks-least-privilege")}
    for statement in statements.values():
        assert all("*" not in action for action in _as_list(statement["Action"])), statement
        if statement["Resource"] == "*":
            assert statement["Sid"].endswith("NotScopable"), statement
    secret = _as_list(statements["ReadTheDatabaseSecret"]["Resource"])
    assert secret == [secret[0]] and secret[0].endswith(f":secret:{prefix}/aurora/credentials-??????")
    assert _as_list(statements["ResumeItsOwnPaymentWaitWhenThePaymentCameFirst"]["Resource"]) == [state_machine_arn]
    assert statements["DecryptTheDatabaseSecret"]["Condition"]["StringEquals"]["kms:ViaService"].startswith(
        "secretsmanager."
    )


# ---------------------------------------------------------------- executions


def test_a_project_goes_through_every_state_to_completion(execute, seed, pay, database, topic_queue, prefix, outputs):
    project = seed(bids=2, milestones=2)
    chosen_bid, chosen = project["bid_ids"][0], project["freelancers"][0]
    execution = execute(project)

    assert execution.resume("bidding_close", {"closedBy": "client"}).state_name == "BiddingOpen"
    assert execution.resume("freelancer_selection", {"bidId": chosen_bid}).state_name == "AwaitFreelancerSelection"
    payments = [approve_and_pay(execution, pay, project, m) for m in project["milestone_ids"]]
    result = execution.finished()

    assert result["status"] == "SUCCEEDED", execution.visited()
    visited = execution.visited()
    assert visited == UNTIL_SELECTION + APPROVED_AND_PAID * 2 + COMPLETION
    positions = [visited.index(state) for state in LIFECYCLE]
    assert positions == sorted(positions)
    output = json.loads(result["output"])
    assert "notificationError" not in output and "error" not in output
    assert output["paymentCheck"]["remainingMilestones"] == 0

    pid = project["project_id"]
    row = query(
        database,
        "SELECT status, selected_freelancer_id, workflow_execution_arn FROM projects WHERE project_id = %s",
        pid,
    )
    assert row == [
        {"status": "completed", "selected_freelancer_id": chosen["user_id"], "workflow_execution_arn": execution.arn}
    ]
    bids = {
        r["bid_id"]: r["status"] for r in query(database, "SELECT bid_id, status FROM bids WHERE project_id = %s", pid)
    }
    assert bids == {chosen_bid: "accepted", project["bid_ids"][1]: "rejected"}
    milestones = query(database, "SELECT status, approved_at, paid_at FROM milestones WHERE project_id = %s", pid)
    assert [m["status"] for m in milestones] == ["paid", "paid"]
    assert all(m["approved_at"] and m["paid_at"] for m in milestones)
    paid_rows = query(
        database,
        "SELECT provider_event_id, milestone_id, status, amount FROM payments WHERE project_id = %s ORDER BY payment_id",
        pid,
    )
    assert [(r["provider_event_id"], r["milestone_id"], r["status"]) for r in paid_rows] == [
        (p["event"]["id"], m, "succeeded") for p, m in zip(payments, project["milestone_ids"], strict=True)
    ]
    tokens = query(
        database,
        "SELECT waiting_for, state_name, status FROM workflow_task_tokens WHERE project_id = %s ORDER BY token_id",
        pid,
    )
    assert [(t["waiting_for"], t["status"]) for t in tokens] == [
        ("bidding_close", "resumed"),
        ("freelancer_selection", "resumed"),
        ("milestone_approval", "resumed"),
        ("milestone_payment", "resumed"),
        ("milestone_approval", "resumed"),
        ("milestone_payment", "resumed"),
    ]
    events = query(database, "SELECT state_name, outcome FROM workflow_events WHERE execution_arn = %s", execution.arn)
    assert events and {e["outcome"] for e in events} == {"succeeded"}

    sent = sent_emails()
    client_mail = emails_to(sent, project["client"]["email"])
    freelancer_mail = emails_to(sent, chosen["email"])
    assert [m["template"] for m in client_mail] == [f"{prefix}-project-update"] * 2
    summaries = [json.loads(m["template_data"])["updateSummary"] for m in client_mail]
    assert summaries[0].startswith("Your project is published") and summaries[1].startswith("Every milestone")
    assert [m["template"] for m in freelancer_mail] == [f"{prefix}-project-update"] + [
        f"{prefix}-milestone-completed"
    ] * 4 + [f"{prefix}-project-update"]
    released = [json.loads(m["template_data"]).get("paymentReleased") for m in freelancer_mail[1:5]]
    assert released == [False, True, False, True]
    for message in client_mail + freelancer_mail:
        assert message["source"] == outputs["ses_sender_address"]
        if "configuration_set_name" in message:
            assert message["configuration_set_name"] == outputs["ses_configuration_set_name"]
    assert emails_to(sent, project["freelancers"][1]["email"]) == []

    notified = notifications_of(topic_queue, pid, count=4)
    kinds = sorted(m["body"]["type"] for m in notified)
    assert kinds == ["milestone.approved", "milestone.approved", "payment.confirmed", "payment.confirmed"]
    approvals = [m for m in notified if m["body"]["type"] == "milestone.approved"]
    assert all(m["attributes"] == {"event_type": "milestone.approved", "project_id": str(pid)} for m in approvals)


def test_a_milestone_sent_back_is_worked_on_again(execute, seed, pay, database, topic_queue):
    project = seed(bids=1, milestones=1)
    execution = execute(project)
    execution.resume("bidding_close", {"closedBy": "deadline"})
    execution.resume("freelancer_selection", {"bidId": project["bid_ids"][0]})
    execution.resume("milestone_approval", {"decision": "rejected", "comment": "the colours are off"})
    pid, milestone = project["project_id"], project["milestone_ids"][0]
    execution.waiting_for("milestone_approval")
    assert query(database, "SELECT status FROM milestones WHERE milestone_id = %s", milestone) == [
        {"status": "in_progress"}
    ]
    approve_and_pay(execution, pay, project, milestone)
    result = execution.finished()

    assert result["status"] == "SUCCEEDED", execution.visited()
    assert execution.visited() == UNTIL_SELECTION + SENT_BACK + APPROVED_AND_PAID + COMPLETION
    decisions = query(
        database,
        "SELECT detail FROM workflow_events WHERE execution_arn = %s AND action = 'record_approval' ORDER BY event_id",
        execution.arn,
    )
    assert [json.loads(d["detail"])["decision"] for d in decisions] == ["rejected", "approved"]
    starts = query(
        database,
        "SELECT detail FROM workflow_events WHERE execution_arn = %s AND action = 'start_milestone' ORDER BY event_id",
        execution.arn,
    )
    assert [json.loads(s["detail"])["rework"] for s in starts] == [False, True]
    assert query(database, "SELECT status FROM milestones WHERE milestone_id = %s", milestone) == [{"status": "paid"}]
    assert query(database, "SELECT status FROM projects WHERE project_id = %s", pid) == [{"status": "completed"}]

    notified = notifications_of(topic_queue, pid, count=3)
    decisions = [m["body"] for m in notified if m["body"]["type"].startswith("milestone.")]
    assert [d["type"] for d in decisions] == ["milestone.rework_requested", "milestone.approved"]
    assert decisions[0]["comment"] == "the colours are off"


def test_bidding_closed_without_bids_cancels_the_project(execute, seed, database):
    project = seed(bids=0, milestones=0)
    execution = execute(project)
    execution.resume("bidding_close", {"closedBy": "deadline"})
    result = execution.finished()

    assert result["status"] == "SUCCEEDED", execution.visited()
    assert execution.visited() == NO_BIDS
    assert json.loads(result["output"])["bids"]["bidCount"] == 0
    assert query(database, "SELECT status FROM projects WHERE project_id = %s", project["project_id"]) == [
        {"status": "cancelled"}
    ]
    mail = emails_to(sent_emails(), project["client"]["email"])
    assert len(mail) == 2
    assert "without any bid" in json.loads(mail[1]["template_data"])["updateSummary"]


def test_a_transient_task_failure_is_retried(execute, seed, database):
    project = seed(bids=0, milestones=0)
    execution = execute(project, faultInjection={"transientFailures": {"ProjectCreated": 1, "BiddingClosed": 2}})
    execution.resume("bidding_close", {"closedBy": "client"})
    result = execution.finished()

    assert result["status"] == "SUCCEEDED", execution.visited()
    assert execution.visited() == NO_BIDS
    lambda_events = [
        (e["type"], (e.get("lambdaFunctionFailedEventDetails") or {}).get("error"))
        for e in execution.events()
        if e["type"].startswith("LambdaFunction") and e["type"] != "LambdaFunctionStarted"
    ]
    assert lambda_events[:3] == [
        ("LambdaFunctionScheduled", None),
        ("LambdaFunctionFailed", "TransientError"),
        ("LambdaFunctionScheduled", None),
    ]
    attempts = query(
        database,
        "SELECT state_name, attempt, outcome FROM workflow_events WHERE execution_arn = %s "
        "AND state_name IN ('ProjectCreated', 'BiddingClosed') ORDER BY event_id",
        execution.arn,
    )
    assert [(a["state_name"], a["attempt"], a["outcome"]) for a in attempts] == [
        ("ProjectCreated", 1, "transient_error"),
        ("ProjectCreated", 2, "succeeded"),
        ("BiddingClosed", 1, "transient_error"),
        ("BiddingClosed", 2, "transient_error"),
        ("BiddingClosed", 3, "succeeded"),
    ]


def test_a_failing_step_is_recorded_and_notified_then_fails(execute, seed, database, topic_queue):
    project = seed(bids=1, milestones=1)
    execution = execute(project)
    execution.resume("bidding_close", {"closedBy": "client"})
    execution.resume("freelancer_selection", {"bidId": 999999999})  # not a bid on this project
    result = execution.finished()

    assert result["status"] == "FAILED"
    assert execution.visited()[-5:] == [
        "FreelancerSelected",
        "DescribeFailure",
        "RecordFailure",
        "NotifyFailure",
        "WorkflowFailed",
    ]
    failure = query(
        database,
        "SELECT state_name, outcome, error, project_id FROM workflow_events WHERE execution_arn = %s AND action = 'record_failure'",
        execution.arn,
    )
    assert failure == [
        {
            "state_name": "RecordFailure",
            "outcome": "failed",
            "error": "InvalidSelection",
            "project_id": project["project_id"],
        }
    ]
    assert query(database, "SELECT status FROM projects WHERE project_id = %s", project["project_id"]) == [
        {"status": "bidding_open"}
    ]
    deadline = time.monotonic() + 30
    while True:
        notifications_of(topic_queue, project["project_id"], count=0, timeout=0)
        published = [
            m
            for m in topic_queue["received"]
            if m["body"].get("executionArn") == execution.arn
            and m["attributes"].get("event_type") == "project.workflow_failed"
        ]
        if published or time.monotonic() > deadline:
            break
    assert len(published) == 1
    assert published[0]["body"]["error"]["Error"] == "InvalidSelection"
    assert published[0]["body"]["input"]["projectId"] == project["project_id"]


def test_every_deployed_task_retries_and_catches_and_every_wait_times_out(sfn, state_machine_arn):
    machine = sfn.describe_state_machine(stateMachineArn=state_machine_arn)
    definition = json.loads(machine["definition"])
    for name, state in definition["States"].items():
        if state["Type"] == "Task":
            assert state["Retry"] and state["Catch"][-1]["ErrorEquals"] == ["States.ALL"], name
        if state.get("Resource", "").endswith(".waitForTaskToken"):
            assert state["TimeoutSeconds"] > 0, name
    lambda_tasks = [s for s in definition["States"].values() if s.get("Resource", "").endswith("-workflow-tasks")]
    assert lambda_tasks and all("TransientError" in s["Retry"][0]["ErrorEquals"] for s in lambda_tasks)
