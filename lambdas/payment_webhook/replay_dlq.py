"""Replay the payment webhook's dead-letter queue, each message once.

An event whose processing kept failing (database or SNS down, a bug) lands in
the queue ``<prefix>-payment-webhook-dlq`` with its payload: Lambda's dead-letter
queue stores the invocation payload as the message body; an on-failure
destination stores a record whose ``requestPayload`` is the payload. For every
message this script

1. takes the original payload and marks it as a delivery accepted earlier
   (``{"webhookDelivery": {"stage": "process", "source": "dlq-replay"}}``), so the
   function checks its signature again but not its age (the provider's timestamp
   is older than the 300-second tolerance by now);
2. invokes the function synchronously (RequestResponse) with it;
3. deletes the message only when the function answered 2xx: a payment already
   recorded is a no-op thanks to the unique provider event id, so a message
   replayed twice is still processed once.

A message whose invocation fails stays in the queue (it is visible again after
the visibility timeout) and is not retried in the same run; one the function
rejects (4xx: the signature no longer verifies) is kept for a person to look at.

Usage (the AWS credentials and region of the environment, or the emulator's
``AWS_ENDPOINT_URL``)::

    python lambdas/payment_webhook/replay_dlq.py \\
        --queue-url https://sqs.us-east-2.amazonaws.com/123456789012/dev-freelancer-platform-payment-webhook-dlq \\
        --function dev-freelancer-platform-payment-webhook:live [--max-messages 100] [--dry-run]

It prints one JSON line per message and a summary; the exit status is 0 when
every message read was replayed (or, with ``--dry-run``, could be read).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from webhook import DELIVERY_KEY
from webhook import PROCESS_STAGE


@dataclass
class Summary:
    replayed: int = 0
    failed: int = 0
    rejected: int = 0
    unreadable: int = 0
    messages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.failed or self.rejected or self.unreadable)

    def as_dict(self) -> dict[str, Any]:
        return {
            "replayed": self.replayed,
            "failed": self.failed,
            "rejected": self.rejected,
            "unreadable": self.unreadable,
        }


def original_payload(body: str) -> dict[str, Any]:
    """The invocation payload of a dead-letter message (DLQ body or on-failure destination record)."""
    record = json.loads(body)
    if not isinstance(record, dict):
        raise ValueError("the message body is not a JSON object")
    if isinstance(record.get("requestPayload"), dict) and "responseContext" in record:
        return record["requestPayload"]
    return record


def replay_payload(payload: dict[str, Any], message_id: str) -> dict[str, Any]:
    previous = payload.get(DELIVERY_KEY) if isinstance(payload.get(DELIVERY_KEY), dict) else {}
    return {
        **payload,
        DELIVERY_KEY: {**previous, "stage": PROCESS_STAGE, "source": "dlq-replay", "messageId": message_id},
    }


def _emit(**fields: Any) -> None:
    print(json.dumps(fields, sort_keys=True), flush=True)


def replay(
    sqs: Any,
    lambda_client: Any,
    queue_url: str,
    function: str,
    *,
    max_messages: int = 100,
    visibility_timeout: int = 120,
    dry_run: bool = False,
) -> Summary:
    """Replay up to ``max_messages`` messages of ``queue_url`` through ``function``."""
    summary = Summary()
    seen: set[str] = set()
    while len(seen) < max_messages:
        answer = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=min(10, max_messages - len(seen)),
            WaitTimeSeconds=1,
            VisibilityTimeout=visibility_timeout,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        batch = [m for m in answer.get("Messages", []) if m["MessageId"] not in seen]
        if not batch:
            break
        for message in batch:
            message_id = message["MessageId"]
            seen.add(message_id)
            summary.messages.append(message_id)
            try:
                payload = original_payload(message["Body"])
            except ValueError as exc:
                summary.unreadable += 1
                _emit(message_id=message_id, result="unreadable", error=str(exc))
                continue
            if dry_run:
                _emit(message_id=message_id, result="would_replay", error_code=_attribute(message, "ErrorCode"))
                continue
            result = lambda_client.invoke(
                FunctionName=function,
                InvocationType="RequestResponse",
                Payload=json.dumps(replay_payload(payload, message_id)).encode(),
            )
            body = result["Payload"].read().decode("utf-8", "replace")
            if result.get("FunctionError"):
                summary.failed += 1
                _emit(message_id=message_id, result="failed", error=body[:500])
                continue
            status = _status_of(body)
            if status is None or not 200 <= status < 300:
                summary.rejected += 1
                _emit(message_id=message_id, result="rejected", status=status, answer=body[:500])
                continue
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            summary.replayed += 1
            _emit(message_id=message_id, result="replayed", status=status)
    return summary


def _attribute(message: dict[str, Any], name: str) -> str:
    return str(message.get("MessageAttributes", {}).get(name, {}).get("StringValue", ""))


def _status_of(body: str) -> int | None:
    try:
        answer = json.loads(body)
    except ValueError:
        return None
    status = answer.get("statusCode") if isinstance(answer, dict) else None
    return status if isinstance(status, int) else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queue-url", required=True, help="URL of the webhook dead-letter queue")
    parser.add_argument("--function", required=True, help="function name, ARN or name:alias to invoke")
    parser.add_argument("--max-messages", type=int, default=100, help="stop after this many messages (100)")
    parser.add_argument("--visibility-timeout", type=int, default=120, help="seconds a message is held (120)")
    parser.add_argument("--dry-run", action="store_true", help="read and show the messages, replay nothing")
    parser.add_argument("--region", default=None, help="AWS region (default: the environment's)")
    args = parser.parse_args(argv)
    if args.max_messages < 1:
        parser.error("--max-messages must be at least 1")

    import boto3

    session = boto3.session.Session(region_name=args.region)
    summary = replay(
        session.client("sqs"),
        session.client("lambda"),
        args.queue_url,
        args.function,
        max_messages=args.max_messages,
        visibility_timeout=args.visibility_timeout,
        dry_run=args.dry_run,
    )
    _emit(summary=summary.as_dict())
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
