"""The payment webhook Lambda (SPEC PAY-1, PAY-2).

Entry point ``handler.handler``. One request, in order:

1. read the request (ALB Lambda-target event or a direct invocation of the same
   shape) and verify its ``Stripe-Signature`` against the endpoint signing secret
   (Secrets Manager, cached per container): missing or malformed header, or a
   timestamp outside the tolerance -> 400; no matching signature -> 401; nothing
   else happens;
2. parse the verified body (malformed JSON -> 400); an event type the platform
   does not handle -> 200, ignored and logged;
3. ALB deliveries are handed off (``ASYNC_HANDOFF=true``): the function invokes
   itself asynchronously with the same event and answers 202 at once, so that a
   failure later is retried by Lambda and ends in the dead-letter queue with its
   payload instead of being lost with a 5xx; direct and asynchronous invocations
   are processed in place;
4. record the payment and mark the milestone paid in one transaction, exactly
   once per provider event id, publishing the confirmation to the payments topic
   before the commit (a replay is a no-op answered 200);
5. resume the workflow execution waiting for that milestone's payment with its
   task token (states:SendTaskSuccess).

A database, SNS or Step Functions failure raises: the invocation fails, Lambda
retries it (asynchronous invocations) and finally sends it to the dead-letter
queue. ``replay_dlq.py`` re-invokes what is there.

Environment: ``SIGNING_SECRET_ARN``, ``DB_SECRET_ARN``, ``PAYMENT_TOPIC_ARN``,
``STATE_MACHINE_ARN`` and optionally ``SIGNATURE_TOLERANCE_SECONDS`` (300),
``ASYNC_HANDOFF`` (false), ``PAYMENT_PROVIDER`` (stripe),
``FAIL_WORKFLOW_ON_PAYMENT_FAILURE`` (false), ``SIGNING_SECRET_CACHE_SECONDS``
(300), ``DB_TLS`` / ``DB_TLS_CA_FILE`` (see ``freelancer_common.db``).
"""

from __future__ import annotations

import json
import os
import time
from http import HTTPStatus
from typing import Any

import payments
import webhook
from freelancer_common import runtime
from freelancer_common import secrets

DELIVERY_KEY = webhook.DELIVERY_KEY
PROCESS_STAGE = webhook.PROCESS_STAGE
# A signing secret read longer ago than this is read again on a signature mismatch
# (a rotated secret), at most once per this many seconds.
MISMATCH_REFRESH_SECONDS = 60

# The container's clients and database connection (``freelancer_common.runtime``): clients
# of one botocore session, not boto3, which would double the cold start.
_runtime = runtime.FunctionRuntime(secrets=None, secrets_at=0.0, session=None)
_cache: dict[str, Any] = _runtime.cache
log = runtime.log
client = _runtime.client
connection = _runtime.connection
_drop_connection = _runtime.drop_connection


def _env_flag(name: str, default: str = "false") -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def signing_secrets(force: bool = False) -> list[str]:
    """The endpoint signing secret(s): ``signing_secret`` plus any ``previous_signing_secrets``."""
    ttl = float(os.environ.get("SIGNING_SECRET_CACHE_SECONDS", "300"))
    now = time.monotonic()
    if force or _cache["secrets"] is None or now - _cache["secrets_at"] > ttl:
        value = secrets.get_json_secret(os.environ["SIGNING_SECRET_ARN"], client=client("secretsmanager"))
        current = value.get("signing_secret")
        if not isinstance(current, str) or not current:
            raise secrets.SecretError("the signing secret has no signing_secret value")
        previous = [s for s in value.get("previous_signing_secrets") or [] if isinstance(s, str) and s]
        _cache["secrets"], _cache["secrets_at"] = [current, *previous], now
    return _cache["secrets"]


def response(status: int, body: dict[str, Any], multi_value: bool = False) -> dict[str, Any]:
    """An answer an ALB Lambda target may give (and a direct caller can read)."""
    answer: dict[str, Any] = {
        "statusCode": status,
        "statusDescription": f"{status} {HTTPStatus(status).phrase}",
        "isBase64Encoded": False,
        "body": json.dumps(body, sort_keys=True),
    }
    headers = {"Content-Type": "application/json"}
    if multi_value:
        answer["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
    else:
        answer["headers"] = headers
    return answer


def _verify(request: webhook.Request, check_tolerance: bool) -> None:
    tolerance = int(os.environ.get("SIGNATURE_TOLERANCE_SECONDS", webhook.DEFAULT_TOLERANCE_SECONDS))
    try:
        webhook.verify(
            request.headers,
            request.body,
            signing_secrets(),
            now=time.time(),
            tolerance=tolerance,
            check_tolerance=check_tolerance,
        )
    except webhook.SignatureMismatch:
        # the secret may have been rotated since it was cached: read it again, once in a while
        if time.monotonic() - _cache["secrets_at"] < MISMATCH_REFRESH_SECONDS:
            raise
        webhook.verify(
            request.headers,
            request.body,
            signing_secrets(force=True),
            now=time.time(),
            tolerance=tolerance,
            check_tolerance=check_tolerance,
        )


def hand_off(event: dict[str, Any], context: Any) -> None:
    """Invoke this function (same version or alias) asynchronously with the accepted event."""
    target = getattr(context, "invoked_function_arn", "") or os.environ["AWS_LAMBDA_FUNCTION_NAME"]
    payload = {**event, DELIVERY_KEY: {"stage": PROCESS_STAGE, "acceptedAt": int(time.time()), "source": "alb"}}
    client("lambda").invoke(FunctionName=target, InvocationType="Event", Payload=json.dumps(payload).encode())


def confirmation(payment: webhook.PaymentEvent, outcome: payments.Outcome) -> dict[str, Any]:
    return {
        "type": "payment.confirmed" if payment.succeeded else "payment.failed",
        "providerEventId": payment.event_id,
        "paymentIntentId": payment.payment_intent_id,
        "paymentId": outcome.payment_id,
        "projectId": payment.project_id,
        "milestoneId": payment.milestone_id,
        "milestoneStatus": outcome.milestone_status,
        "amount": str(payment.amount),
        "currency": payment.currency,
        "clientUserId": outcome.client_user_id,
    }


def publish(payment: webhook.PaymentEvent, outcome: payments.Outcome) -> None:
    """Publish the confirmation (inside the transaction: a failure rolls the payment back)."""
    message = confirmation(payment, outcome)
    client("sns").publish(
        TopicArn=os.environ["PAYMENT_TOPIC_ARN"],
        Subject="Payment confirmed" if payment.succeeded else "Payment failed",
        Message=json.dumps(message, sort_keys=True),
        MessageAttributes={
            "event_type": {"DataType": "String", "StringValue": message["type"]},
            "project_id": {"DataType": "String", "StringValue": str(payment.project_id)},
        },
    )


def resume_workflow(conn: Any, payment: webhook.PaymentEvent, outcome: payments.Outcome) -> list[str]:
    """Complete the workflow wait for this milestone's payment; returns the executions resumed.

    Tokens of executions of another state machine are left alone. A token whose
    execution has ended (timed out, stopped) is marked expired. Any other error raises,
    and the retried event resumes what is still waiting (the payment itself is a no-op).
    """
    state_machine = os.environ.get("STATE_MACHINE_ARN", "")
    if not state_machine:
        return []
    execution_prefix = state_machine.replace(":stateMachine:", ":execution:", 1) + ":"
    fail = not payment.succeeded
    if fail and not _env_flag("FAIL_WORKFLOW_ON_PAYMENT_FAILURE"):
        return []
    sfn = client("stepfunctions")
    resumed: list[str] = []
    for token in payments.waiting_task_tokens(conn, payment):
        if not token.execution_arn.startswith(execution_prefix):
            log("warning", "task token of another state machine left alone", token_id=token.token_id)
            continue
        try:
            if fail:
                sfn.send_task_failure(
                    taskToken=token.task_token, error="PaymentFailed", cause=f"provider event {payment.event_id}"
                )
            else:
                output = {**confirmation(payment, outcome), "milestoneStatus": "paid"}
                sfn.send_task_success(taskToken=token.task_token, output=json.dumps(output, sort_keys=True))
        except sfn.exceptions.TaskTimedOut:
            payments.resolve_task_token(conn, token.token_id, "expired")
            log("warning", "the workflow stopped waiting before the payment", execution=token.execution_arn)
            continue
        except (sfn.exceptions.TaskDoesNotExist, sfn.exceptions.InvalidToken):
            payments.resolve_task_token(conn, token.token_id, "expired")
            log("warning", "the workflow task token is no longer valid", execution=token.execution_arn)
            continue
        payments.resolve_task_token(conn, token.token_id, "failed" if fail else "resumed")
        resumed.append(token.execution_arn)
    return resumed


def process(payment: webhook.PaymentEvent, provider_event: dict[str, Any]) -> dict[str, Any]:
    conn = connection()
    try:
        outcome = payments.record_payment(
            conn,
            payment,
            provider_event,
            provider=os.environ.get("PAYMENT_PROVIDER", "stripe"),
            before_commit=lambda result: publish(payment, result),
        )
        resumed = resume_workflow(conn, payment, outcome)
    except Exception:
        _drop_connection()  # a failed connection is not reused by the retry
        raise
    return {"result": outcome.status, "paymentId": outcome.payment_id, "resumedExecutions": len(resumed)}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.perf_counter()
    multi_value = isinstance(event, dict) and isinstance(event.get("multiValueHeaders"), dict)
    delivery = event.get(DELIVERY_KEY) if isinstance(event, dict) else None
    try:
        request = webhook.request_from_event(event)
        # Only a direct invocation (IAM-authorised) can carry the delivery key: the ALB builds its
        # events itself and never adds it. An accepted event processed later (hand-off, retries,
        # a DLQ replay) has its signature checked again, but not its age.
        accepted_before = isinstance(delivery, dict) and delivery.get("stage") == PROCESS_STAGE
        _verify(request, check_tolerance=not accepted_before)
        provider_event = webhook.parse_event(request.body)
    except webhook.WebhookError as exc:
        log("warning", "webhook rejected", reason=exc.reason, detail=str(exc), status=exc.status)
        return response(exc.status, {"error": exc.reason}, multi_value)
    fields = {"event_id": provider_event["id"], "event_type": provider_event["type"]}
    try:
        payment = webhook.payment_from_event(provider_event)
    except webhook.IgnoredEvent as exc:
        log("info", "webhook ignored", reason=str(exc), **fields)
        return response(HTTPStatus.OK, {"received": True, "ignored": str(exc)}, multi_value)
    if request.via_alb and not accepted_before and _env_flag("ASYNC_HANDOFF"):
        hand_off(event, context)
        log("info", "webhook accepted for asynchronous processing", **fields)
        return response(HTTPStatus.ACCEPTED, {"received": True, "queued": True}, multi_value)
    result = process(payment, provider_event)
    log(
        "info",
        "webhook processed",
        duration_ms=round((time.perf_counter() - started) * 1000, 2),
        replayed=bool(accepted_before),
        **fields,
        **result,
    )
    return response(HTTPStatus.OK, {"received": True, **result}, multi_value)
