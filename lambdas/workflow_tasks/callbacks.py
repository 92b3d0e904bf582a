"""How the application completes the project workflow's human steps.

The state machine waits (``.waitForTaskToken``) at four places and stores each
wait's task token in ``workflow_task_tokens``. The application resumes the
three human steps the same way the payment webhook resumes the payment wait:
find the waiting token, call ``states:SendTaskSuccess`` with the decision as the
output, mark the token resumed. This module is that code, for the application
and for the end-to-end tests (it is not part of the Lambda package).

================================  ======================================================
``waiting_for``                   output
================================  ======================================================
``bidding_close``                 ``{"closedBy": "client" | "deadline"}`` (anything)
``freelancer_selection``          ``{"bidId": <the accepted bid>}``
``milestone_approval``            ``{"decision": "approved" | "rejected", "comment": ""}``
``milestone_payment``             sent by the payment webhook, not by the application
================================  ======================================================
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

HUMAN_STEPS = ("bidding_close", "freelancer_selection", "milestone_approval")


class NothingWaiting(LookupError):
    """No execution waits for this step of this project (or milestone)."""


@dataclass(frozen=True)
class Waiting:
    token_id: int
    execution_arn: str
    state_name: str
    task_token: str


def waiting(connection: Any, project_id: int, waiting_for: str, milestone_id: int | None = None) -> Waiting:
    """The newest token waiting for ``waiting_for`` on the project (and milestone)."""
    sql = (
        "SELECT token_id, execution_arn, state_name, task_token FROM workflow_task_tokens "
        "WHERE project_id = %s AND waiting_for = %s AND status = 'waiting'"
    )
    args: list[Any] = [project_id, waiting_for]
    if milestone_id is not None:
        sql += " AND milestone_id = %s"
        args.append(milestone_id)
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY token_id DESC LIMIT 1", args)
        row = cursor.fetchone()
    connection.commit()
    if not row:
        raise NothingWaiting(f"nothing waits for {waiting_for} on project {project_id}")
    return Waiting(int(row["token_id"]), str(row["execution_arn"]), str(row["state_name"]), str(row["task_token"]))


def resume(
    connection: Any,
    sfn: Any,
    project_id: int,
    waiting_for: str,
    output: dict[str, Any],
    milestone_id: int | None = None,
) -> Waiting:
    """Complete the human step ``waiting_for`` of the project with ``output``; returns the token used."""
    if waiting_for not in HUMAN_STEPS:
        raise ValueError(f"waiting_for must be one of {HUMAN_STEPS}, got {waiting_for!r}")
    token = waiting(connection, project_id, waiting_for, milestone_id)
    sfn.send_task_success(taskToken=token.task_token, output=json.dumps(output, sort_keys=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workflow_task_tokens SET status = 'resumed', resolved_at = CURRENT_TIMESTAMP(3) "
            "WHERE token_id = %s AND status = 'waiting'",
            (token.token_id,),
        )
    connection.commit()
    return token
