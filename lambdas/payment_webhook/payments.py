"""Record a verified payment event in the platform database, exactly once per event id.

One transaction per event:

1. lock the milestone (``SELECT ... FOR UPDATE``) and check it belongs to the project
   named by the event;
2. insert the payment; ``payments.provider_event_id`` is unique, so a replayed or
   concurrent delivery of the same event hits a duplicate key and changes nothing;
3. for a succeeded payment, mark the milestone paid unless it is paid already (and
   only when the payment covers it: same currency, amount at least the milestone's);
4. call ``before_commit`` (the handler publishes the confirmation there: when it
   fails, the transaction is rolled back and nothing is written);
5. commit.

The workflow resume hook reads the task tokens that the project workflow stored in
``workflow_task_tokens`` (migration 0005) for the milestone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from webhook import PaymentEvent

DUPLICATE_KEY = 1062
NO_SUCH_TABLE = 1146
WAITING_FOR_PAYMENT = "milestone_payment"


class UnprocessableEvent(RuntimeError):
    """A genuine payment the database cannot take as it is (unknown milestone, wrong project).

    Raised so that the delivery fails and, after the retries, lands in the
    dead-letter queue for a person to look at: money moved, and it must not be
    dropped silently.
    """


@dataclass(frozen=True)
class Outcome:
    """What recording an event did."""

    status: str  # "recorded" or "duplicate"
    payment_id: int | None
    payment_status: str
    milestone_status: str
    milestone_marked_paid: bool
    client_user_id: str


@dataclass(frozen=True)
class TaskToken:
    token_id: int
    execution_arn: str
    task_token: str


def _error_code(exc: BaseException) -> int | None:
    args = getattr(exc, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def record_payment(
    connection: Any,
    payment: PaymentEvent,
    payload: dict[str, Any],
    *,
    provider: str,
    before_commit: Callable[[Outcome], None] | None = None,
) -> Outcome:
    """Record ``payment`` in one transaction; a known event id is a no-op (``status="duplicate"``)."""
    import pymysql

    payment_status = "succeeded" if payment.succeeded else "failed"
    connection.begin()
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT payment_id, status, milestone_id FROM payments WHERE provider_event_id = %s",
                (payment.event_id,),
            )
            known = cursor.fetchone()
            if known:
                connection.rollback()
                return Outcome("duplicate", known["payment_id"], known["status"], "", False, "")
            cursor.execute(
                "SELECT m.milestone_id, m.project_id, m.status, m.amount, m.currency, p.user_id, p.user_type "
                "FROM milestones m JOIN projects p ON p.project_id = m.project_id "
                "WHERE m.milestone_id = %s FOR UPDATE",
                (payment.milestone_id,),
            )
            milestone = cursor.fetchone()
            if not milestone or int(milestone["project_id"]) != payment.project_id:
                raise UnprocessableEvent(
                    f"milestone {payment.milestone_id} does not exist in project {payment.project_id}"
                )
            if payment.amount != payment.amount.quantize(Decimal("0.01")):
                raise UnprocessableEvent(f"amount {payment.amount} {payment.currency} has more than two decimals")
            try:
                cursor.execute(
                    "INSERT INTO payments (provider, provider_event_id, provider_payment_id, milestone_id, project_id, "
                    "user_id, user_type, amount, currency, status, payload) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (
                        provider,
                        payment.event_id,
                        payment.payment_intent_id,
                        payment.milestone_id,
                        payment.project_id,
                        milestone["user_id"],
                        milestone["user_type"],
                        payment.amount,
                        payment.currency,
                        payment_status,
                        json.dumps(payload, separators=(",", ":"), sort_keys=True),
                    ),
                )
            except pymysql.err.IntegrityError as exc:
                if _error_code(exc) != DUPLICATE_KEY:
                    raise
                # the same event recorded by a concurrent delivery since the first SELECT
                connection.rollback()
                return Outcome("duplicate", None, payment_status, "", False, "")
            payment_id = cursor.lastrowid
            covers = payment.currency == str(milestone["currency"]).upper() and payment.amount >= Decimal(
                milestone["amount"]
            )
            mark_paid = payment.succeeded and milestone["status"] != "paid" and covers
            if mark_paid:
                cursor.execute(
                    "UPDATE milestones SET status = 'paid', paid_at = CURRENT_TIMESTAMP(3) "
                    "WHERE milestone_id = %s AND status <> 'paid'",
                    (payment.milestone_id,),
                )
            outcome = Outcome(
                status="recorded",
                payment_id=payment_id,
                payment_status=payment_status,
                milestone_status="paid" if mark_paid else str(milestone["status"]),
                milestone_marked_paid=mark_paid,
                client_user_id=str(milestone["user_id"]),
            )
        if before_commit is not None:
            before_commit(outcome)
        connection.commit()
        return outcome
    except BaseException:
        connection.rollback()
        raise


def waiting_task_tokens(connection: Any, payment: PaymentEvent) -> list[TaskToken]:
    """Task tokens of workflow executions waiting for this milestone's payment (none if the table is missing)."""
    import pymysql

    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT token_id, execution_arn, task_token FROM workflow_task_tokens "
                "WHERE milestone_id = %s AND project_id = %s AND waiting_for = %s AND status = 'waiting' "
                "ORDER BY token_id",
                (payment.milestone_id, payment.project_id, WAITING_FOR_PAYMENT),
            )
            rows = cursor.fetchall()
        connection.commit()
    except pymysql.err.ProgrammingError as exc:
        connection.rollback()
        if _error_code(exc) == NO_SUCH_TABLE:
            return []
        raise
    return [TaskToken(int(r["token_id"]), str(r["execution_arn"]), str(r["task_token"])) for r in rows]


def resolve_task_token(connection: Any, token_id: int, status: str) -> None:
    """Mark a waiting token ``resumed``, ``failed`` or ``expired``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workflow_task_tokens SET status = %s, resolved_at = CURRENT_TIMESTAMP(3) "
            "WHERE token_id = %s AND status = 'waiting'",
            (status, token_id),
        )
    connection.commit()
