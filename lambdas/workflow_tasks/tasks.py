"""The project workflow's state changes in the platform database (WF-1, WF-3).

Each action is one Lambda task of the state machine ``<prefix>-project-lifecycle``
and runs in one transaction. Every action is idempotent, because Step Functions
retries a task after a transient error or a lost response: a status is set to a
value (never stepped), a callback token replaces the one an earlier attempt of
the same state stored, and the audit trail (``workflow_events``) is append-only.

The callback waits (``.waitForTaskToken``) store their task token in
``workflow_task_tokens`` (migration 0005), where whoever completes the wait finds
it by project, milestone and ``waiting_for``:

================  ========================  ==========================================
state             waiting_for               completed by (callback output)
================  ========================  ==========================================
BiddingOpen       ``bidding_close``         the application when bidding closes (``{}``)
AwaitFreelancer…  ``freelancer_selection``  the application (``{"bidId": n}``)
MilestoneApproval ``milestone_approval``    the application (``{"decision": "approved"|"rejected"}``)
AwaitMilestone…   ``milestone_payment``     the payment webhook (payment_intent.succeeded)
================  ========================  ==========================================

The actions return what the next states need, including the recipients and the
template data of the emails the state machine sends itself through the SES SDK
integration (``email.to``, ``email.templateData``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from typing import Any

from errors import InvalidDecision
from errors import InvalidInput
from errors import InvalidProjectState
from errors import InvalidSelection
from errors import NoMilestonesDefined
from errors import PaymentNotRecorded
from errors import ProjectNotFound
from errors import TransientError

# What each callback wait waits for: the ``waiting_for`` of its token.
WAITING_FOR = {
    "open_bidding": "bidding_close",
    "await_selection": "freelancer_selection",
    "await_approval": "milestone_approval",
    "await_payment": "milestone_payment",
}
DECISIONS = ("approved", "rejected")
UNFINISHED_MILESTONE = ("pending", "in_progress", "submitted", "rejected")
EXECUTION_ARN = re.compile(
    r"^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[A-Za-z0-9_-]{1,80}:[A-Za-z0-9_.-]{1,80}$"
)


@dataclass(frozen=True)
class Settings:
    """The function's configuration (its environment)."""

    app_base_url: str = ""
    allow_fault_injection: bool = False

    def project_url(self, project_id: int) -> str:
        base = self.app_base_url.rstrip("/")
        return f"{base}/projects/{project_id}" if base else f"/projects/{project_id}"


@dataclass(frozen=True)
class Invocation:
    """One invocation of a task, as the state machine's ``Payload`` describes it."""

    action: str
    workflow: dict[str, Any]
    execution_arn: str
    state_name: str
    retry_count: int = 0
    task_token: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def attempt(self) -> int:
        return self.retry_count + 1

    @classmethod
    def from_event(cls, event: Any) -> Invocation:
        if not isinstance(event, dict):
            raise InvalidInput("the task event is not an object")
        action = event.get("action")
        if action not in ACTIONS:
            raise InvalidInput(f"action must be one of {sorted(ACTIONS)}, got {action!r}")
        workflow = event.get("workflow")
        if not isinstance(workflow, dict):
            raise InvalidInput("the task event has no workflow document (object)")
        execution_arn = event.get("executionArn")
        if not isinstance(execution_arn, str) or not EXECUTION_ARN.match(execution_arn):
            raise InvalidInput(f"executionArn {execution_arn!r} is not a Step Functions execution ARN")
        state_name = event.get("stateName")
        if not isinstance(state_name, str) or not state_name:
            raise InvalidInput("the task event has no stateName")
        retry_count = event.get("retryCount", 0)
        if isinstance(retry_count, bool) or not isinstance(retry_count, int) or retry_count < 0:
            raise InvalidInput(f"retryCount must be a non-negative integer, got {retry_count!r}")
        token = event.get("taskToken")
        if action in WAITING_FOR and (not isinstance(token, str) or not token):
            raise InvalidInput(f"action {action} waits for a callback and needs the task token ($$.Task.Token)")
        return cls(action, workflow, execution_arn, state_name, retry_count, token if action in WAITING_FOR else None)


def positive_int(value: Any, name: str) -> int:
    """``value`` as a positive integer (JSON numbers and digit strings), else :class:`InvalidInput`."""
    if isinstance(value, bool):
        raise InvalidInput(f"{name} must be a positive integer, got {value!r}")
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and int(value) > 0:
        return int(value)
    raise InvalidInput(f"{name} must be a positive integer, got {value!r}")


def project_id_of(workflow: dict[str, Any]) -> int:
    return positive_int(workflow.get("projectId"), "projectId")


def maybe_inject_fault(invocation: Invocation, settings: Settings) -> None:
    """Raise :class:`TransientError` while ``faultInjection.transientFailures[<state>]`` attempts are not used up.

    Only when the function allows it (``ALLOW_FAULT_INJECTION=true``, set in the
    local and dev environments for the end-to-end tests); elsewhere the key is ignored.
    """
    if not settings.allow_fault_injection:
        return
    faults = invocation.workflow.get("faultInjection")
    failures = faults.get("transientFailures") if isinstance(faults, dict) else None
    wanted = failures.get(invocation.state_name, 0) if isinstance(failures, dict) else 0
    if isinstance(wanted, int) and not isinstance(wanted, bool) and invocation.retry_count < wanted:
        raise TransientError(
            f"injected transient failure of {invocation.state_name}, attempt {invocation.attempt} of {wanted} failing"
        )


# ---------------------------------------------------------------- database helpers


def _one(cursor: Any, sql: str, *args: Any) -> dict[str, Any] | None:
    cursor.execute(sql, args or None)
    return cursor.fetchone()


def _all(cursor: Any, sql: str, *args: Any) -> list[dict[str, Any]]:
    cursor.execute(sql, args or None)
    return list(cursor.fetchall())


def lock_project(cursor: Any, project_id: int) -> dict[str, Any]:
    """The project row, locked for this transaction, with its client's (and freelancer's) address and name."""
    row = _one(cursor, "SELECT * FROM projects WHERE project_id = %s FOR UPDATE", project_id)
    if row is None:
        raise ProjectNotFound(f"project {project_id} does not exist")
    client = _one(cursor, "SELECT email, display_name FROM users WHERE user_id = %s", row["user_id"])
    row["client_email"] = client["email"]
    row["client_name"] = client["display_name"] or client["email"].split("@")[0]
    row["freelancer_email"] = row["freelancer_name"] = None
    if row["selected_freelancer_id"]:
        freelancer = _one(
            cursor, "SELECT email, display_name FROM users WHERE user_id = %s", row["selected_freelancer_id"]
        )
        row["freelancer_email"] = freelancer["email"]
        row["freelancer_name"] = freelancer["display_name"] or freelancer["email"].split("@")[0]
    return row


def require_status(project: dict[str, Any], allowed: tuple[str, ...], step: str) -> None:
    if project["status"] not in allowed:
        raise InvalidProjectState(
            f"project {project['project_id']} is {project['status']}; {step} needs one of {', '.join(allowed)}"
        )


def set_status(cursor: Any, project: dict[str, Any], status: str) -> None:
    if project["status"] != status:
        cursor.execute("UPDATE projects SET status = %s WHERE project_id = %s", (status, project["project_id"]))
        project["status"] = status


def settle_waits(cursor: Any, invocation: Invocation) -> None:
    """Close the tokens this execution no longer waits on.

    The execution moved past its earlier waits, so a token still ``waiting`` there
    was used (whoever resumed it had not marked it yet): ``resumed``. A token an
    earlier attempt of this same state stored is superseded by the new one: ``expired``.
    """
    cursor.execute(
        "UPDATE workflow_task_tokens SET status = IF(state_name = %s, 'expired', 'resumed'), "
        "resolved_at = CURRENT_TIMESTAMP(3) WHERE execution_arn = %s AND status = 'waiting'",
        (invocation.state_name, invocation.execution_arn),
    )


def store_token(cursor: Any, invocation: Invocation, project: dict[str, Any], milestone_id: int | None = None) -> int:
    """Store this wait's task token where the one who completes the wait finds it."""
    cursor.execute(
        "INSERT INTO workflow_task_tokens (project_id, milestone_id, user_id, user_type, waiting_for, "
        "execution_arn, state_name, task_token) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (
            project["project_id"],
            milestone_id,
            project["user_id"],
            project["user_type"],
            WAITING_FOR[invocation.action],
            invocation.execution_arn,
            invocation.state_name,
            invocation.task_token,
        ),
    )
    return int(cursor.lastrowid)


def record_event(
    cursor: Any,
    invocation: Invocation,
    outcome: str,
    *,
    project: dict[str, Any] | None = None,
    project_id: int | None = None,
    milestone_id: int | None = None,
    error: str | None = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one row to the workflow's audit trail."""
    if project is not None:
        project_id, user_id, user_type = project["project_id"], project["user_id"], project["user_type"]
    else:
        user_id, user_type = None, "client"
    cursor.execute(
        "INSERT INTO workflow_events (project_id, milestone_id, user_id, user_type, execution_arn, state_name, "
        "action, attempt, outcome, error, detail) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            project_id,
            milestone_id,
            user_id,
            user_type,
            invocation.execution_arn,
            invocation.state_name[:128],
            invocation.action,
            min(invocation.attempt, 65535),
            outcome,
            (error or None) and error[:256],
            json.dumps(detail, sort_keys=True, default=str) if detail is not None else None,
        ),
    )
    return int(cursor.lastrowid)


def money(value: Any) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def _update_email(
    project: dict[str, Any], settings: Settings, to: list[str], name: str, summary: str
) -> dict[str, Any]:
    """Template data of ``<prefix>-project-update``."""
    return {
        "to": to,
        "templateData": {
            "projectName": project["title"],
            "recipientName": name,
            "updateSummary": summary,
            "projectUrl": settings.project_url(project["project_id"]),
        },
    }


def _milestone_email(
    project: dict[str, Any], milestone: dict[str, Any], settings: Settings, released: bool
) -> dict[str, Any]:
    """Template data of ``<prefix>-milestone-completed``, for the freelancer."""
    return {
        "to": [project["freelancer_email"]],
        "templateData": {
            "projectName": project["title"],
            "milestoneName": milestone["title"],
            "recipientName": project["freelancer_name"],
            "amount": money(milestone["amount"]),
            "currency": milestone["currency"],
            "paymentReleased": released,
            "projectUrl": settings.project_url(project["project_id"]),
        },
    }


def _milestone_view(milestone: dict[str, Any]) -> dict[str, Any]:
    return {
        "milestoneId": int(milestone["milestone_id"]),
        "sequenceNo": int(milestone["sequence_no"]),
        "title": milestone["title"],
        "amount": money(milestone["amount"]),
        "currency": milestone["currency"],
        "status": milestone["status"],
    }


def _lock_milestone(cursor: Any, project: dict[str, Any], workflow: dict[str, Any]) -> dict[str, Any]:
    current = workflow.get("milestone")
    if not isinstance(current, dict):
        raise InvalidInput("the workflow document has no current milestone ($.milestone)")
    milestone_id = positive_int(current.get("milestoneId"), "milestone.milestoneId")
    row = _one(
        cursor,
        "SELECT * FROM milestones WHERE milestone_id = %s AND project_id = %s FOR UPDATE",
        milestone_id,
        project["project_id"],
    )
    if row is None:
        raise InvalidInput(f"milestone {milestone_id} is not a milestone of project {project['project_id']}")
    return row


# ---------------------------------------------------------------- actions


def project_created(cursor: Any, invocation: Invocation, settings: Settings, **_: Any) -> dict[str, Any]:
    """ProjectCreated: the project exists and is new; this execution takes it over."""
    project = lock_project(cursor, project_id_of(invocation.workflow))
    owner = project["workflow_execution_arn"]
    if project["status"] != "created" and owner != invocation.execution_arn:
        raise InvalidProjectState(
            f"project {project['project_id']} is {project['status']} and belongs to another workflow execution"
        )
    if owner != invocation.execution_arn:
        cursor.execute(
            "UPDATE projects SET workflow_execution_arn = %s WHERE project_id = %s",
            (invocation.execution_arn, project["project_id"]),
        )
    return {
        "projectId": int(project["project_id"]),
        "title": project["title"],
        "clientUserId": project["user_id"],
        "email": _update_email(
            project,
            settings,
            [project["client_email"]],
            project["client_name"],
            "Your project is published and open for bids.",
        ),
        "_project": project,
    }


def open_bidding(cursor: Any, invocation: Invocation, **_: Any) -> dict[str, Any]:
    """BiddingOpen: the project takes bids until the application closes bidding (the callback)."""
    project = lock_project(cursor, project_id_of(invocation.workflow))
    require_status(project, ("created", "bidding_open"), "opening the bidding")
    set_status(cursor, project, "bidding_open")
    token_id = store_token(cursor, invocation, project)
    return {"status": project["status"], "tokenId": token_id, "_project": project}


def close_bidding(cursor: Any, invocation: Invocation, **_: Any) -> dict[str, Any]:
    """BiddingClosed: count the bids that stand (the Choice branches on it)."""
    project = lock_project(cursor, project_id_of(invocation.workflow))
    require_status(project, ("bidding_open",), "closing the bidding")
    timed_out = isinstance(invocation.workflow.get("biddingTimeout"), dict)
    row = _one(
        cursor,
        "SELECT COUNT(*) AS bids FROM bids WHERE project_id = %s AND status = 'submitted'",
        project["project_id"],
    )
    return {"bidCount": int(row["bids"]), "closedByTimeout": timed_out, "_project": project}


def cancel_no_bids(cursor: Any, invocation: Invocation, settings: Settings, **_: Any) -> dict[str, Any]:
    """CancelForNoBids: nobody bid; the project is cancelled and its client told."""
    project = lock_project(cursor, project_id_of(invocation.workflow))
    require_status(project, ("bidding_open", "cancelled"), "cancelling for lack of bids")
    set_status(cursor, project, "cancelled")
    return {
        "status": "cancelled",
        "email": _update_email(
            project,
            settings,
            [project["client_email"]],
            project["client_name"],
            "Bidding closed without any bid, so the project was closed. You can post it again at any time.",
        ),
        "_project": project,
    }


def await_selection(cursor: Any, invocation: Invocation, **_: Any) -> dict[str, Any]:
    """AwaitFreelancerSelection: wait for the client to accept one bid."""
    project = lock_project(cursor, project_id_of(invocation.workflow))
    require_status(project, ("bidding_open",), "waiting for the freelancer selection")
    token_id = store_token(cursor, invocation, project)
    return {"tokenId": token_id, "_project": project}


def select_freelancer(cursor: Any, invocation: Invocation, settings: Settings, **_: Any) -> dict[str, Any]:
    """FreelancerSelected: accept the chosen bid, reject the others, record the freelancer."""
    project = lock_project(cursor, project_id_of(invocation.workflow))
    selection = invocation.workflow.get("selection")
    if not isinstance(selection, dict):
        raise InvalidInput("the selection callback output is not an object with a bidId")
    bid_id = positive_int(selection.get("bidId"), "selection.bidId")
    bid = _one(
        cursor,
        "SELECT bid_id, project_id, user_id, status FROM bids WHERE bid_id = %s FOR UPDATE",
        bid_id,
    )
    if bid is None or int(bid["project_id"]) != int(project["project_id"]):
        raise InvalidSelection(f"bid {bid_id} is not a bid on project {project['project_id']}")
    already = project["status"] == "freelancer_selected" and project["selected_freelancer_id"] == bid["user_id"]
    if not already:
        require_status(project, ("bidding_open",), "selecting a freelancer")
        if bid["status"] != "submitted":
            raise InvalidSelection(f"bid {bid_id} is {bid['status']}, not submitted")
        cursor.execute("UPDATE bids SET status = 'accepted' WHERE bid_id = %s", (bid_id,))
        cursor.execute(
            "UPDATE bids SET status = 'rejected' WHERE project_id = %s AND bid_id <> %s AND status = 'submitted'",
            (project["project_id"], bid_id),
        )
        cursor.execute(
            "UPDATE projects SET selected_freelancer_id = %s, status = 'freelancer_selected' WHERE project_id = %s",
            (bid["user_id"], project["project_id"]),
        )
        project = lock_project(cursor, project["project_id"])
    return {
        "bidId": bid_id,
        "freelancerUserId": project["selected_freelancer_id"],
        "email": _update_email(
            project,
            settings,
            [project["freelancer_email"]],
            project["freelancer_name"],
            "Your bid was accepted: you are the freelancer of this project.",
        ),
        "_project": project,
    }


def milestones_defined(cursor: Any, invocation: Invocation, **_: Any) -> dict[str, Any]:
    """MilestonesDefined: the project has its milestones; work can start."""
    project = lock_project(cursor, project_id_of(invocation.workflow))
    require_status(project, ("freelancer_selected", "milestones_defined"), "defining the milestones")
    rows = _all(
        cursor,
        "SELECT amount, currency FROM milestones WHERE project_id = %s ORDER BY sequence_no",
        project["project_id"],
    )
    if not rows:
        raise NoMilestonesDefined(f"project {project['project_id']} has no milestones")
    currencies = sorted({r["currency"] for r in rows})
    set_status(cursor, project, "milestones_defined")
    return {
        "milestoneCount": len(rows),
        "totalAmount": money(sum(Decimal(r["amount"]) for r in rows)),
        "currency": currencies[0] if len(currencies) == 1 else ",".join(currencies),
        "_project": project,
    }


def start_milestone(cursor: Any, invocation: Invocation, **_: Any) -> dict[str, Any]:
    """WorkInProgress: the next unfinished milestone (or the one sent back) is being worked on."""
    project = lock_project(cursor, project_id_of(invocation.workflow))
    require_status(project, ("milestones_defined", "in_progress"), "starting work")
    milestone = _one(
        cursor,
        "SELECT * FROM milestones WHERE project_id = %s AND status IN ('pending', 'in_progress', 'submitted', 'rejected') "
        "ORDER BY sequence_no LIMIT 1 FOR UPDATE",
        project["project_id"],
    )
    if milestone is None:
        raise InvalidProjectState(f"project {project['project_id']} has no unfinished milestone to work on")
    rework = milestone["status"] == "rejected"
    if milestone["status"] in ("pending", "rejected"):
        cursor.execute(
            "UPDATE milestones SET status = 'in_progress' WHERE milestone_id = %s", (milestone["milestone_id"],)
        )
        milestone["status"] = "in_progress"
    set_status(cursor, project, "in_progress")
    return {
        **_milestone_view(milestone),
        "rework": rework,
        "_project": project,
        "_milestone_id": milestone["milestone_id"],
    }


def await_approval(cursor: Any, invocation: Invocation, **_: Any) -> dict[str, Any]:
    """MilestoneApproval: wait for the client's decision on the current milestone."""
    project = lock_project(cursor, project_id_of(invocation.workflow))
    require_status(project, ("in_progress",), "waiting for a milestone approval")
    milestone = _lock_milestone(cursor, project, invocation.workflow)
    token_id = store_token(cursor, invocation, project, int(milestone["milestone_id"]))
    return {"tokenId": token_id, "_project": project, "_milestone_id": milestone["milestone_id"]}


def record_approval(cursor: Any, invocation: Invocation, settings: Settings, **_: Any) -> dict[str, Any]:
    """RecordApprovalDecision: the milestone is approved, or sent back for rework."""
    project = lock_project(cursor, project_id_of(invocation.workflow))
    approval = invocation.workflow.get("approval")
    decision = approval.get("decision") if isinstance(approval, dict) else None
    if decision not in DECISIONS:
        raise InvalidDecision(f"the approval callback must carry decision approved or rejected, got {decision!r}")
    milestone = _lock_milestone(cursor, project, invocation.workflow)
    approved = decision == "approved"
    if approved and milestone["status"] not in ("approved", "paid"):
        cursor.execute(
            "UPDATE milestones SET status = 'approved', approved_at = CURRENT_TIMESTAMP(3) WHERE milestone_id = %s",
            (milestone["milestone_id"],),
        )
    elif not approved and milestone["status"] in ("in_progress", "submitted"):
        cursor.execute(
            "UPDATE milestones SET status = 'rejected' WHERE milestone_id = %s", (milestone["milestone_id"],)
        )
    comment = approval.get("comment") if isinstance(approval.get("comment"), str) else ""
    message = {
        "type": "milestone.approved" if approved else "milestone.rework_requested",
        "projectId": int(project["project_id"]),
        "milestoneId": int(milestone["milestone_id"]),
        "milestoneTitle": milestone["title"],
        "clientUserId": project["user_id"],
        "freelancerUserId": project["selected_freelancer_id"],
        "comment": comment[:1000],
    }
    result: dict[str, Any] = {
        "approved": approved,
        "decision": decision,
        "message": message,
        "_project": project,
        "_milestone_id": milestone["milestone_id"],
    }
    if approved:
        result["email"] = _milestone_email(project, milestone, settings, released=False)
    return result


def await_payment(
    cursor: Any, invocation: Invocation, resume: Callable[[str, dict[str, Any]], None] | None = None, **_: Any
) -> dict[str, Any]:
    """AwaitMilestonePayment: wait for the payment webhook to report the milestone paid.

    The milestone row is locked while the token is stored, and the webhook locks it
    while it marks it paid, so either the webhook finds the token, or this task
    finds the milestone paid already and resumes its own wait (after the commit).
    """
    project = lock_project(cursor, project_id_of(invocation.workflow))
    milestone = _lock_milestone(cursor, project, invocation.workflow)
    if milestone["status"] not in ("approved", "paid"):
        raise InvalidProjectState(
            f"milestone {milestone['milestone_id']} is {milestone['status']}; only an approved milestone is paid"
        )
    token_id = store_token(cursor, invocation, project, int(milestone["milestone_id"]))
    paid_already = milestone["status"] == "paid"
    result: dict[str, Any] = {
        "tokenId": token_id,
        "paidAlready": paid_already,
        "_project": project,
        "_milestone_id": milestone["milestone_id"],
    }
    if paid_already:
        result["_after_commit"] = lambda later: resume_paid_wait(later, invocation, token_id, milestone, resume)
    return result


def resume_paid_wait(
    cursor: Any,
    invocation: Invocation,
    token_id: int,
    milestone: dict[str, Any],
    resume: Callable[[str, dict[str, Any]], None] | None,
) -> None:
    if resume is None:
        raise TransientError("no Step Functions client to resume a wait whose milestone is paid already")
    resume(
        invocation.task_token or "",
        {"milestoneId": int(milestone["milestone_id"]), "milestoneStatus": "paid", "resumedBy": "workflow"},
    )
    cursor.execute(
        "UPDATE workflow_task_tokens SET status = 'resumed', resolved_at = CURRENT_TIMESTAMP(3) "
        "WHERE token_id = %s AND status = 'waiting'",
        (token_id,),
    )


def payment_processed(cursor: Any, invocation: Invocation, settings: Settings, **_: Any) -> dict[str, Any]:
    """PaymentProcessed: the webhook recorded the payment; count what is left to do."""
    project = lock_project(cursor, project_id_of(invocation.workflow))
    milestone = _lock_milestone(cursor, project, invocation.workflow)
    if milestone["status"] != "paid":
        raise PaymentNotRecorded(
            f"the payment wait of milestone {milestone['milestone_id']} was resumed, but the milestone is {milestone['status']}"
        )
    payment = _one(
        cursor,
        "SELECT payment_id, amount, currency FROM payments WHERE milestone_id = %s AND status = 'succeeded' "
        "ORDER BY payment_id DESC LIMIT 1",
        milestone["milestone_id"],
    )
    remaining = _one(
        cursor,
        "SELECT COUNT(*) AS n FROM milestones WHERE project_id = %s AND status <> 'paid'",
        project["project_id"],
    )
    return {
        "milestoneId": int(milestone["milestone_id"]),
        "paymentId": int(payment["payment_id"]) if payment else None,
        "remainingMilestones": int(remaining["n"]),
        "email": _milestone_email(project, milestone, settings, released=True),
        "_project": project,
        "_milestone_id": milestone["milestone_id"],
    }


def complete_project(cursor: Any, invocation: Invocation, settings: Settings, **_: Any) -> dict[str, Any]:
    """ProjectCompleted: every milestone is paid; the project is done."""
    project = lock_project(cursor, project_id_of(invocation.workflow))
    require_status(project, ("in_progress", "completed"), "completing the project")
    unpaid = _one(
        cursor,
        "SELECT COUNT(*) AS n FROM milestones WHERE project_id = %s AND status <> 'paid'",
        project["project_id"],
    )
    if int(unpaid["n"]) > 0:
        raise InvalidProjectState(f"project {project['project_id']} still has {unpaid['n']} unpaid milestone(s)")
    set_status(cursor, project, "completed")
    recipients = [project["client_email"]] + ([project["freelancer_email"]] if project["freelancer_email"] else [])
    return {
        "status": "completed",
        "email": _update_email(
            project,
            settings,
            recipients,
            f"{project['client_name']} and {project['freelancer_name']}",
            "Every milestone is approved and paid: the project is complete. Thank you!",
        ),
        "_project": project,
    }


def record_failure(cursor: Any, invocation: Invocation, **_: Any) -> dict[str, Any]:
    """RecordFailure: the execution failed; record why, and close its waits."""
    failure = invocation.workflow.get("failure")
    failure = failure if isinstance(failure, dict) else {}
    error = failure.get("error") if isinstance(failure.get("error"), dict) else {}
    execution_input = failure.get("input") if isinstance(failure.get("input"), dict) else invocation.workflow
    project = None
    try:
        project_id = project_id_of(execution_input)
        project = _one(cursor, "SELECT * FROM projects WHERE project_id = %s FOR UPDATE", project_id)
    except InvalidInput:
        project_id = None
    milestone_id = None
    current = invocation.workflow.get("milestone")
    if project is not None and isinstance(current, dict):
        try:
            milestone_id = positive_int(current.get("milestoneId"), "milestone.milestoneId")
        except InvalidInput:
            milestone_id = None
    cursor.execute(
        "UPDATE workflow_task_tokens SET status = 'expired', resolved_at = CURRENT_TIMESTAMP(3) "
        "WHERE execution_arn = %s AND status = 'waiting'",
        (invocation.execution_arn,),
    )
    error_name = str(error.get("Error") or "Unknown")
    cause = str(error.get("Cause") or "")
    event_id = record_event(
        cursor,
        invocation,
        "failed",
        project=project,
        project_id=None,
        milestone_id=milestone_id,
        error=error_name,
        detail={"cause": cause[:4000], "projectStatus": project["status"] if project else None},
    )
    return {"recorded": True, "eventId": event_id, "projectId": project_id, "error": error_name, "_skip_event": True}


ACTIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "project_created": project_created,
    "open_bidding": open_bidding,
    "close_bidding": close_bidding,
    "cancel_no_bids": cancel_no_bids,
    "await_selection": await_selection,
    "select_freelancer": select_freelancer,
    "milestones_defined": milestones_defined,
    "start_milestone": start_milestone,
    "await_approval": await_approval,
    "record_approval": record_approval,
    "await_payment": await_payment,
    "payment_processed": payment_processed,
    "complete_project": complete_project,
    "record_failure": record_failure,
}


def run(
    connection: Any,
    invocation: Invocation,
    settings: Settings,
    resume: Callable[[str, dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Run one action in one transaction and record it in the audit trail; return its result.

    Private keys of the action's result (``_project``...) are used here and left out
    of what the state machine receives.
    """
    maybe_inject_fault(invocation, settings)
    connection.begin()
    try:
        with connection.cursor() as cursor:
            if invocation.action != "record_failure":
                settle_waits(cursor, invocation)
            result = ACTIONS[invocation.action](cursor, invocation, settings=settings, resume=resume)
            if not result.get("_skip_event"):
                project = result.get("_project")
                record_event(
                    cursor,
                    invocation,
                    "succeeded",
                    project=project,
                    milestone_id=result.get("_milestone_id"),
                    detail={k: v for k, v in result.items() if not k.startswith("_") and k != "email"},
                )
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    after_commit = result.get("_after_commit")
    if after_commit is not None:
        connection.begin()
        try:
            with connection.cursor() as cursor:
                after_commit(cursor)
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
    return {k: v for k, v in result.items() if not k.startswith("_")}


def record_attempt_failure(connection: Any, invocation: Invocation, exc: BaseException, transient: bool) -> None:
    """Record a failed attempt in its own transaction (best effort: the database may be what failed)."""
    try:
        project_id = project_id_of(invocation.workflow)
    except InvalidInput:
        project_id = None
    connection.begin()
    try:
        with connection.cursor() as cursor:
            project = _one(cursor, "SELECT * FROM projects WHERE project_id = %s", project_id) if project_id else None
            record_event(
                cursor,
                invocation,
                "transient_error" if transient else "failed",
                project=project,
                error=f"{type(exc).__name__}: {exc}",
            )
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
