"""The project workflow's Lambda tasks (WF-1 to WF-3) against the real local MariaDB.

A throwaway database with every migration applied is created for this module and
dropped after it. The actions run as the state machine runs them (``tasks.run``
with the event the definition builds); the handler is run with its credentials
secret in moto (in-process).
"""

from __future__ import annotations

import json
import socket
import types
import uuid
from typing import Any

import pymysql
import pytest
from lambda_support import REGION
from lambda_support import load_function_modules

EXECUTION = "arn:aws:states:us-east-2:123456789012:execution:unit-freelancer-platform-project-lifecycle:{}"

M = load_function_modules("workflow_tasks", ("errors", "tasks", "handler", "callbacks"))
E = M.errors


# ---------------------------------------------------------------- database (``migrated_database``, ``sql``: conftest.py)


@pytest.fixture
def conn(migrated_database):
    """A connection as the function opens it (not autocommit: tasks.run owns the transaction)."""
    connection = migrated_database.connect()
    yield connection
    connection.close()


@pytest.fixture
def project(sql):
    """A new project of a new client with two bids and two 100.00 USD milestones."""
    suffix = uuid.uuid4().hex[:8]
    client = f"client-{suffix}"
    sql(
        "INSERT INTO users (user_id, user_type, email, display_name) VALUES (%s, 'client', %s, 'Cleo')",
        client,
        f"{client}@example.com",
    )
    freelancers = []
    for i in (1, 2):
        user = f"freelancer-{i}-{suffix}"
        sql("INSERT INTO users (user_id, user_type, email) VALUES (%s, 'freelancer', %s)", user, f"{user}@example.com")
        freelancers.append(user)
    sql("INSERT INTO projects (user_id, title) VALUES (%s, 'Shop front')", client)
    pid = sql("SELECT LAST_INSERT_ID() AS id")[0]["id"]
    bids = []
    for user in freelancers:
        sql("INSERT INTO bids (project_id, user_id, amount) VALUES (%s, %s, 200)", pid, user)
        bids.append(sql("SELECT LAST_INSERT_ID() AS id")[0]["id"])
    milestones = []
    for sequence in (1, 2):
        sql(
            "INSERT INTO milestones (project_id, user_id, sequence_no, title, amount) VALUES (%s, %s, %s, %s, 100)",
            pid,
            client,
            sequence,
            f"Part {sequence}",
        )
        milestones.append(sql("SELECT LAST_INSERT_ID() AS id")[0]["id"])
    return types.SimpleNamespace(
        id=pid,
        client=client,
        freelancers=freelancers,
        bids=bids,
        milestones=milestones,
        execution=EXECUTION.format(suffix),
    )


SETTINGS = M.tasks.Settings(app_base_url="https://app.example.com/", allow_fault_injection=True)


def invoke(
    conn, action: str, workflow: dict, execution: str, state: str, retry: int = 0, token: str | None = None, resume=None
):
    """Run one action as the state machine's task would (the Payload the definition builds)."""
    event = {
        "action": action,
        "workflow": workflow,
        "executionArn": execution,
        "stateName": state,
        "retryCount": retry,
    }
    if token is not None:
        event["taskToken"] = token
    return M.tasks.run(conn, M.tasks.Invocation.from_event(event), SETTINGS, resume=resume)


def tokens(sql, pid):
    return sql(
        "SELECT waiting_for, state_name, milestone_id, status, task_token FROM workflow_task_tokens WHERE project_id = %s ORDER BY token_id",
        pid,
    )


def status(sql, pid):
    return sql("SELECT status FROM projects WHERE project_id = %s", pid)[0]["status"]


# ---------------------------------------------------------------- the event


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ("not an object", "not an object"),
        ({"action": "dance"}, "action must be one of"),
        ({"action": "project_created"}, "no workflow document"),
        (
            {"action": "project_created", "workflow": {}, "executionArn": "arn:aws:lambda:x"},
            "not a Step Functions execution ARN",
        ),
        (
            {
                "action": "project_created",
                "workflow": {},
                "executionArn": EXECUTION.format("a"),
                "stateName": "S",
                "retryCount": -1,
            },
            "retryCount must be a non-negative integer",
        ),
        (
            {
                "action": "open_bidding",
                "workflow": {},
                "executionArn": EXECUTION.format("a"),
                "stateName": "BiddingOpen",
            },
            "needs the task token",
        ),
    ],
)
def test_a_malformed_event_is_invalid_input(event, message):
    with pytest.raises(E.InvalidInput, match=message):
        M.tasks.Invocation.from_event(event)


@pytest.mark.parametrize("value", [None, 0, -3, "12a", 1.5, True, ""])
def test_the_project_id_must_be_a_positive_integer(value):
    with pytest.raises(E.InvalidInput, match="projectId must be a positive integer"):
        M.tasks.project_id_of({"projectId": value})


def test_the_project_id_may_be_a_digit_string():
    assert M.tasks.project_id_of({"projectId": "42"}) == 42


# ---------------------------------------------------------------- the lifecycle


def test_the_whole_lifecycle_in_the_database(conn, sql, project):
    pid, ex = project.id, project.execution
    doc: dict[str, Any] = {"projectId": pid}

    doc["project"] = invoke(conn, "project_created", doc, ex, "ProjectCreated")
    assert doc["project"]["email"] == {
        "to": [f"{project.client}@example.com"],
        "templateData": {
            "projectName": "Shop front",
            "recipientName": "Cleo",
            "updateSummary": "Your project is published and open for bids.",
            "projectUrl": f"https://app.example.com/projects/{pid}",
        },
    }
    assert (
        sql("SELECT workflow_execution_arn FROM projects WHERE project_id = %s", pid)[0]["workflow_execution_arn"] == ex
    )

    invoke(conn, "open_bidding", doc, ex, "BiddingOpen", token="token-bidding")
    assert status(sql, pid) == "bidding_open"
    assert [(t["waiting_for"], t["status"], t["task_token"]) for t in tokens(sql, pid)] == [
        ("bidding_close", "waiting", "token-bidding")
    ]

    doc["bidding"] = {"closedBy": "client"}
    doc["bids"] = invoke(conn, "close_bidding", doc, ex, "BiddingClosed")
    assert doc["bids"] == {"bidCount": 2, "closedByTimeout": False}
    assert tokens(sql, pid)[0]["status"] == "resumed"  # the execution moved past the wait

    invoke(conn, "await_selection", doc, ex, "AwaitFreelancerSelection", token="token-selection")
    doc["selection"] = {"bidId": project.bids[1]}
    doc["freelancer"] = invoke(conn, "select_freelancer", doc, ex, "FreelancerSelected")
    assert doc["freelancer"]["freelancerUserId"] == project.freelancers[1]
    assert doc["freelancer"]["email"]["to"] == [f"{project.freelancers[1]}@example.com"]
    assert doc["freelancer"]["email"]["templateData"]["recipientName"] == "freelancer-2-" + project.client.split("-")[1]
    assert {r["bid_id"]: r["status"] for r in sql("SELECT bid_id, status FROM bids WHERE project_id = %s", pid)} == {
        project.bids[0]: "rejected",
        project.bids[1]: "accepted",
    }
    assert status(sql, pid) == "freelancer_selected"

    doc["milestones"] = invoke(conn, "milestones_defined", doc, ex, "MilestonesDefined")
    assert doc["milestones"] == {"milestoneCount": 2, "totalAmount": "200.00", "currency": "USD"}

    for index, milestone_id in enumerate(project.milestones):
        doc["milestone"] = invoke(conn, "start_milestone", doc, ex, "WorkInProgress")
        assert doc["milestone"]["milestoneId"] == milestone_id and doc["milestone"]["rework"] is False
        assert status(sql, pid) == "in_progress"
        invoke(conn, "await_approval", doc, ex, "MilestoneApproval", token=f"token-approval-{index}")
        doc["approval"] = {"decision": "approved"}
        doc["decision"] = invoke(conn, "record_approval", doc, ex, "RecordApprovalDecision")
        assert doc["decision"]["approved"] is True
        assert doc["decision"]["message"]["type"] == "milestone.approved"
        assert doc["decision"]["email"]["templateData"]["paymentReleased"] is False
        assert doc["decision"]["email"]["templateData"]["amount"] == "100.00"
        invoke(conn, "await_payment", doc, ex, "AwaitMilestonePayment", token=f"token-payment-{index}")
        waiting = tokens(sql, pid)[-1]
        assert (waiting["waiting_for"], waiting["milestone_id"], waiting["status"]) == (
            "milestone_payment",
            milestone_id,
            "waiting",
        )
        # the payment webhook: records the payment, marks the milestone paid, resumes the wait
        sql(
            "INSERT INTO payments (provider, provider_event_id, milestone_id, project_id, user_id, amount, currency, status) "
            "VALUES ('stripe', %s, %s, %s, %s, 100, 'USD', 'succeeded')",
            f"evt_{uuid.uuid4().hex}",
            milestone_id,
            pid,
            project.client,
        )
        sql("UPDATE milestones SET status = 'paid', paid_at = NOW(3) WHERE milestone_id = %s", milestone_id)
        doc["payment"] = {"milestoneStatus": "paid"}
        doc["paymentCheck"] = invoke(conn, "payment_processed", doc, ex, "PaymentProcessed")
        assert doc["paymentCheck"]["remainingMilestones"] == 1 - index
        assert doc["paymentCheck"]["email"]["templateData"]["paymentReleased"] is True

    doc["completion"] = invoke(conn, "complete_project", doc, ex, "ProjectCompleted")
    assert status(sql, pid) == "completed"
    assert doc["completion"]["email"]["to"] == [
        f"{project.client}@example.com",
        f"{project.freelancers[1]}@example.com",
    ]
    assert {t["status"] for t in tokens(sql, pid)} == {"resumed"}
    events = sql("SELECT state_name, outcome FROM workflow_events WHERE execution_arn = %s ORDER BY event_id", ex)
    assert {e["outcome"] for e in events} == {"succeeded"}
    assert events[0]["state_name"] == "ProjectCreated" and events[-1]["state_name"] == "ProjectCompleted"


def test_a_rejected_milestone_is_worked_on_again(conn, sql, project):
    pid, ex = project.id, project.execution
    sql(
        "UPDATE projects SET status = 'milestones_defined', selected_freelancer_id = %s WHERE project_id = %s",
        project.freelancers[0],
        pid,
    )
    doc: dict[str, Any] = {"projectId": pid}
    doc["milestone"] = invoke(conn, "start_milestone", doc, ex, "WorkInProgress")
    doc["approval"] = {"decision": "rejected", "comment": "not yet"}
    decision = invoke(conn, "record_approval", doc, ex, "RecordApprovalDecision")
    assert decision["approved"] is False and "email" not in decision
    assert decision["message"]["type"] == "milestone.rework_requested" and decision["message"]["comment"] == "not yet"
    assert (
        sql("SELECT status FROM milestones WHERE milestone_id = %s", project.milestones[0])[0]["status"] == "rejected"
    )
    again = invoke(conn, "start_milestone", doc, ex, "WorkInProgress")
    assert again["milestoneId"] == project.milestones[0] and again["rework"] is True
    assert (
        sql("SELECT status FROM milestones WHERE milestone_id = %s", project.milestones[0])[0]["status"]
        == "in_progress"
    )


def test_no_bids_cancels_the_project(conn, sql, project):
    pid, ex = project.id, project.execution
    sql("DELETE FROM bids WHERE project_id = %s", pid)
    sql("UPDATE projects SET status = 'bidding_open' WHERE project_id = %s", pid)
    doc = {"projectId": pid, "biddingTimeout": {"Error": "States.Timeout"}}
    assert invoke(conn, "close_bidding", doc, ex, "BiddingClosed") == {"bidCount": 0, "closedByTimeout": True}
    cancelled = invoke(conn, "cancel_no_bids", doc, ex, "CancelForNoBids")
    assert status(sql, pid) == "cancelled"
    assert "without any bid" in cancelled["email"]["templateData"]["updateSummary"]


# ---------------------------------------------------------------- retries are safe


def test_project_created_again_by_the_same_execution_is_fine_by_another_refused(conn, sql, project):
    doc = {"projectId": project.id}
    invoke(conn, "project_created", doc, project.execution, "ProjectCreated")
    invoke(conn, "open_bidding", doc, project.execution, "BiddingOpen", token="t1")
    invoke(conn, "project_created", doc, project.execution, "ProjectCreated", retry=1)
    with pytest.raises(E.InvalidProjectState, match="belongs to another workflow execution"):
        invoke(conn, "project_created", doc, EXECUTION.format("other"), "ProjectCreated")


def test_a_retried_wait_replaces_its_token(conn, sql, project):
    doc = {"projectId": project.id}
    invoke(conn, "open_bidding", doc, project.execution, "BiddingOpen", token="first")
    invoke(conn, "open_bidding", doc, project.execution, "BiddingOpen", retry=1, token="second")
    assert [(t["task_token"], t["status"]) for t in tokens(sql, project.id)] == [
        ("first", "expired"),
        ("second", "waiting"),
    ]


def test_selecting_the_same_bid_again_is_fine(conn, sql, project):
    sql("UPDATE projects SET status = 'bidding_open' WHERE project_id = %s", project.id)
    doc = {"projectId": project.id, "selection": {"bidId": project.bids[0]}}
    first = invoke(conn, "select_freelancer", doc, project.execution, "FreelancerSelected")
    again = invoke(conn, "select_freelancer", doc, project.execution, "FreelancerSelected", retry=1)
    assert first == again


def test_a_payment_that_came_first_resumes_the_wait_itself(conn, sql, project):
    pid, ex = project.id, project.execution
    sql("UPDATE projects SET status = 'in_progress' WHERE project_id = %s", pid)
    sql("UPDATE milestones SET status = 'paid' WHERE milestone_id = %s", project.milestones[0])
    resumed: list[tuple[str, dict]] = []
    doc = {"projectId": pid, "milestone": {"milestoneId": project.milestones[0]}}
    result = invoke(
        conn,
        "await_payment",
        doc,
        ex,
        "AwaitMilestonePayment",
        token="pay-token",
        resume=lambda t, o: resumed.append((t, o)),
    )
    assert result["paidAlready"] is True
    assert resumed == [
        ("pay-token", {"milestoneId": project.milestones[0], "milestoneStatus": "paid", "resumedBy": "workflow"})
    ]
    assert [(t["waiting_for"], t["status"]) for t in tokens(sql, pid)] == [("milestone_payment", "resumed")]


# ---------------------------------------------------------------- errors


def test_errors_are_named_for_the_state_machine(conn, sql, project):
    ex = project.execution
    with pytest.raises(E.ProjectNotFound):
        invoke(conn, "project_created", {"projectId": 999999999}, ex, "ProjectCreated")
    sql("UPDATE projects SET status = 'bidding_open' WHERE project_id = %s", project.id)
    with pytest.raises(E.InvalidSelection, match="is not a bid on project"):
        invoke(
            conn,
            "select_freelancer",
            {"projectId": project.id, "selection": {"bidId": 999999999}},
            ex,
            "FreelancerSelected",
        )
    with pytest.raises(E.InvalidInput, match=r"selection\.bidId"):
        invoke(conn, "select_freelancer", {"projectId": project.id, "selection": {}}, ex, "FreelancerSelected")
    sql("UPDATE projects SET status = 'freelancer_selected' WHERE project_id = %s", project.id)
    sql("DELETE FROM milestones WHERE project_id = %s", project.id)
    with pytest.raises(E.NoMilestonesDefined):
        invoke(conn, "milestones_defined", {"projectId": project.id}, ex, "MilestonesDefined")
    with pytest.raises(E.InvalidProjectState, match="needs one of"):
        invoke(conn, "open_bidding", {"projectId": project.id}, ex, "BiddingOpen", token="t")
    with pytest.raises(E.InvalidDecision):
        invoke(
            conn,
            "record_approval",
            {"projectId": project.id, "approval": {"decision": "maybe"}},
            ex,
            "RecordApprovalDecision",
        )


def test_a_payment_not_recorded_is_an_error(conn, sql, project):
    sql("UPDATE milestones SET status = 'approved' WHERE milestone_id = %s", project.milestones[0])
    doc = {"projectId": project.id, "milestone": {"milestoneId": project.milestones[0]}}
    with pytest.raises(E.PaymentNotRecorded):
        invoke(conn, "payment_processed", doc, project.execution, "PaymentProcessed")


def test_a_failed_action_changes_nothing(conn, sql, project):
    """One transaction per action: a failure after the first write rolls it back."""
    sql("UPDATE projects SET status = 'bidding_open' WHERE project_id = %s", project.id)
    doc = {"projectId": project.id, "selection": {"bidId": project.bids[0]}}
    original = M.tasks.lock_project

    def failing(cursor, project_id):
        row = original(cursor, project_id)
        if row["status"] == "freelancer_selected":
            raise E.TransientError("connection lost after the update")
        return row

    M.tasks.lock_project = failing
    try:
        with pytest.raises(E.TransientError):
            invoke(conn, "select_freelancer", doc, project.execution, "FreelancerSelected")
    finally:
        M.tasks.lock_project = original
    assert status(sql, project.id) == "bidding_open"
    assert {r["status"] for r in sql("SELECT status FROM bids WHERE project_id = %s", project.id)} == {"submitted"}


def test_record_failure_records_the_error_and_closes_the_waits(conn, sql, project):
    doc = {"projectId": project.id}
    invoke(conn, "open_bidding", doc, project.execution, "BiddingOpen", token="t")
    failure = {
        "executionArn": project.execution,
        "error": {"Error": "InvalidSelection", "Cause": "bid 9 is not a bid on project"},
        "input": {"projectId": project.id},
    }
    result = invoke(conn, "record_failure", {**doc, "failure": failure}, project.execution, "RecordFailure")
    assert result["recorded"] is True and result["projectId"] == project.id and result["error"] == "InvalidSelection"
    rows = sql("SELECT outcome, error, user_id, detail FROM workflow_events WHERE event_id = %s", result["eventId"])
    assert (
        rows[0]["outcome"] == "failed"
        and rows[0]["error"] == "InvalidSelection"
        and rows[0]["user_id"] == project.client
    )
    assert json.loads(rows[0]["detail"])["cause"] == "bid 9 is not a bid on project"
    assert [t["status"] for t in tokens(sql, project.id)] == ["expired"]


def test_record_failure_of_an_execution_without_a_project(conn, sql):
    execution = EXECUTION.format(uuid.uuid4().hex[:8])
    failure = {"executionArn": execution, "error": {"Error": "States.Runtime"}, "input": {"projectId": "nope"}}
    result = invoke(conn, "record_failure", {"failure": failure}, execution, "RecordFailure")
    assert result["projectId"] is None
    assert sql("SELECT project_id, user_id, error FROM workflow_events WHERE execution_arn = %s", execution) == [
        {"project_id": None, "user_id": None, "error": "States.Runtime"}
    ]


# ---------------------------------------------------------------- fault injection


def test_injected_transient_failures_need_the_switch(project):
    invocation = M.tasks.Invocation.from_event(
        {
            "action": "project_created",
            "workflow": {"projectId": project.id, "faultInjection": {"transientFailures": {"ProjectCreated": 2}}},
            "executionArn": project.execution,
            "stateName": "ProjectCreated",
            "retryCount": 1,
        }
    )
    with pytest.raises(E.TransientError, match="attempt 2 of 2"):
        M.tasks.maybe_inject_fault(invocation, SETTINGS)
    M.tasks.maybe_inject_fault(invocation, M.tasks.Settings(allow_fault_injection=False))
    later = M.tasks.Invocation(**{**invocation.__dict__, "retry_count": 2})
    M.tasks.maybe_inject_fault(later, SETTINGS)


# ---------------------------------------------------------------- the handler


@pytest.fixture
def function(migrated_database, aws_env, monkeypatch):
    """The handler's environment: its database secret in moto, and a fresh container."""
    import boto3
    from moto import mock_aws

    monkeypatch.setenv("DB_TLS", "disabled")
    monkeypatch.setenv("ALLOW_FAULT_INJECTION", "true")
    monkeypatch.setenv("APP_BASE_URL", "https://app.example.com")
    with mock_aws():
        secrets = boto3.client("secretsmanager", region_name=REGION)

        def use_database(port: int = 3306) -> None:
            credentials = json.dumps(migrated_database.credentials(port))
            name = f"unit/aurora/credentials-{uuid.uuid4().hex[:6]}"
            monkeypatch.setenv("DB_SECRET_ARN", secrets.create_secret(Name=name, SecretString=credentials)["ARN"])
            M.handler.drop_connection()
            M.handler._cache["clients"] = {}

        use_database()
        yield types.SimpleNamespace(use_database=use_database)
        M.handler.drop_connection()
        M.handler._cache["clients"] = {}


def event(project, action="project_created", state="ProjectCreated", retry=0, **workflow):
    return {
        "action": action,
        "workflow": {"projectId": project.id, **workflow},
        "executionArn": project.execution,
        "stateName": state,
        "retryCount": retry,
    }


def test_the_handler_runs_an_action_with_the_secret_s_credentials(function, sql, project):
    result = M.handler.handler(event(project), None)
    assert result["projectId"] == project.id and "_project" not in result
    assert sql("SELECT outcome FROM workflow_events WHERE execution_arn = %s", project.execution) == [
        {"outcome": "succeeded"}
    ]


def test_the_handler_records_an_injected_transient_failure(function, sql, project):
    with pytest.raises(E.TransientError):
        M.handler.handler(event(project, faultInjection={"transientFailures": {"ProjectCreated": 1}}), None)
    M.handler.handler(event(project, retry=1, faultInjection={"transientFailures": {"ProjectCreated": 1}}), None)
    rows = sql(
        "SELECT attempt, outcome, error FROM workflow_events WHERE execution_arn = %s ORDER BY event_id",
        project.execution,
    )
    assert [(r["attempt"], r["outcome"]) for r in rows] == [(1, "transient_error"), (2, "succeeded")]
    assert rows[0]["error"].startswith("TransientError: injected transient failure")


@pytest.mark.parametrize(("code", "transient"), [(1213, True), (1205, True), (2013, True), (1064, False)])
def test_database_errors_are_transient_or_not_by_their_code(function, sql, project, monkeypatch, code, transient):
    def failing(*_args, **_kwargs):
        raise pymysql.err.OperationalError(code, "simulated")

    monkeypatch.setattr(M.tasks, "run", failing)
    expected = E.TransientError if transient else pymysql.err.OperationalError
    with pytest.raises(expected):
        M.handler.handler(event(project), None)
    outcomes = [
        r["outcome"] for r in sql("SELECT outcome FROM workflow_events WHERE execution_arn = %s", project.execution)
    ]
    assert outcomes == (["transient_error"] if transient else [])


def test_a_task_error_is_recorded_and_raised_under_its_name(function, sql, project):
    with pytest.raises(E.InvalidSelection):
        M.handler.handler(
            event(project, "select_freelancer", "FreelancerSelected", selection={"bidId": 999999999}), None
        )
    rows = sql("SELECT outcome, error FROM workflow_events WHERE execution_arn = %s", project.execution)
    assert rows[0]["outcome"] == "failed" and rows[0]["error"].startswith("InvalidSelection")


def test_an_unreachable_database_is_a_transient_error(function, project):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    function.use_database(port=closed_port)
    with pytest.raises(E.TransientError, match="MySQL error 2003"):
        M.handler.handler(event(project), None)
