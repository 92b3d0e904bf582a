"""The dead-letter replay (``replay_dlq.py``): each message is re-invoked with its original
payload and deleted only after the function answered 2xx, so it is processed once.

The queue is moto's SQS; the function is the real handler, against the module's
throwaway MariaDB database (fixtures of test_payment_webhook and conftest), called through a
minimal Lambda client that invokes it in this process.
"""

from __future__ import annotations

import io
import json
import time
import uuid

import pytest
from test_payment_webhook import Context
from test_payment_webhook import M
from test_payment_webhook import aws  # noqa: F401 - fixture
from test_payment_webhook import aws_backend  # noqa: F401 - fixture
from test_payment_webhook import milestone_status
from test_payment_webhook import payments_of
from test_payment_webhook import provider_event
from test_payment_webhook import seed  # noqa: F401 - fixture
from test_payment_webhook import signed


class InProcessLambda:
    """invoke() as boto3's Lambda client answers it, running the handler here."""

    def __init__(self, fail_times: int = 0):
        self.fail_times = fail_times
        self.calls: list[dict] = []

    def invoke(self, FunctionName, InvocationType, Payload):
        event = json.loads(Payload)
        self.calls.append(event)
        if self.fail_times > 0:
            self.fail_times -= 1
            error = {"errorMessage": "Lost connection to MySQL server", "errorType": "OperationalError"}
            return {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": io.BytesIO(json.dumps(error).encode())}
        answer = M.handler.handler(event, Context())
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(answer).encode())}


@pytest.fixture
def dlq(aws):  # noqa: F811 - the fixture imported above
    url = aws.sqs.create_queue(QueueName=f"unit-dlq-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    yield url
    aws.sqs.delete_queue(QueueUrl=url)


def dead_letter(aws, url, payload, on_failure_record=False):  # noqa: F811
    """What Lambda sends after the last retry: the payload itself (DLQ) or a record holding it (destination)."""
    if on_failure_record:
        body = {
            "version": "1.0",
            "requestContext": {"condition": "RetriesExhausted", "approximateInvokeCount": 3},
            "requestPayload": payload,
            "responseContext": {"statusCode": 200, "functionError": "Unhandled"},
            "responsePayload": {"errorMessage": "boom"},
        }
    else:
        body = payload
    aws.sqs.send_message(
        QueueUrl=url,
        MessageBody=json.dumps(body),
        MessageAttributes={"ErrorCode": {"DataType": "Number", "StringValue": "200"}},
    )


def queue_depth(aws, url):  # noqa: F811
    attributes = aws.sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_replays_each_message_once_and_deletes_it(aws, sql, seed, dlq):  # noqa: F811
    stale = int(time.time()) - 3 * 3600  # accepted hours ago: older than the signature tolerance
    event = signed(provider_event(seed), timestamp=stale)
    dead_letter(aws, dlq, {**event, "webhookDelivery": {"stage": "process", "source": "alb"}})
    dead_letter(aws, dlq, event, on_failure_record=True)  # the same event again, as a destination record
    lam = InProcessLambda()
    summary = M.replay_dlq.replay(aws.sqs, lam, dlq, "unit-payment-webhook:live", visibility_timeout=30)
    assert summary.as_dict() == {"replayed": 2, "failed": 0, "rejected": 0, "unreadable": 0}
    assert all(call["webhookDelivery"]["stage"] == "process" for call in lam.calls)
    assert all(call["webhookDelivery"]["source"] == "dlq-replay" for call in lam.calls)
    assert len(payments_of(sql, seed)) == 1
    assert milestone_status(sql, seed) == "paid"
    assert queue_depth(aws, dlq) == 0


def test_a_failing_replay_keeps_the_message_for_the_next_run(aws, sql, seed, dlq):  # noqa: F811
    dead_letter(aws, dlq, signed(provider_event(seed)))
    summary = M.replay_dlq.replay(aws.sqs, InProcessLambda(fail_times=1), dlq, "fn", visibility_timeout=1)
    assert summary.as_dict() == {"replayed": 0, "failed": 1, "rejected": 0, "unreadable": 0}
    assert payments_of(sql, seed) == []
    time.sleep(1.5)  # visible again after the visibility timeout
    again = M.replay_dlq.replay(aws.sqs, InProcessLambda(), dlq, "fn", visibility_timeout=30)
    assert again.replayed == 1
    assert len(payments_of(sql, seed)) == 1
    assert queue_depth(aws, dlq) == 0


def test_a_message_the_function_rejects_is_kept(aws, sql, seed, dlq):  # noqa: F811
    dead_letter(aws, dlq, signed(provider_event(seed), secret="whsec_not_ours"))
    summary = M.replay_dlq.replay(aws.sqs, InProcessLambda(), dlq, "fn", visibility_timeout=30)
    assert (summary.rejected, summary.replayed) == (1, 0)
    assert payments_of(sql, seed) == []
    assert queue_depth(aws, dlq) == 1


def test_unreadable_bodies_are_counted_and_kept(aws, dlq):  # noqa: F811
    aws.sqs.send_message(QueueUrl=dlq, MessageBody="not json at all")
    summary = M.replay_dlq.replay(aws.sqs, InProcessLambda(), dlq, "fn", visibility_timeout=30)
    assert summary.as_dict() == {"replayed": 0, "failed": 0, "rejected": 0, "unreadable": 1}
    assert queue_depth(aws, dlq) == 1


def test_dry_run_invokes_nothing_and_deletes_nothing(aws, seed, dlq):  # noqa: F811
    dead_letter(aws, dlq, signed(provider_event(seed)))
    lam = InProcessLambda()
    summary = M.replay_dlq.replay(aws.sqs, lam, dlq, "fn", visibility_timeout=1, dry_run=True)
    assert summary.ok and lam.calls == []
    assert queue_depth(aws, dlq) == 1


def test_max_messages_bounds_the_run(aws, seed, dlq):  # noqa: F811
    for _ in range(3):
        dead_letter(aws, dlq, signed(provider_event(seed, event_type="charge.refunded")))
    summary = M.replay_dlq.replay(aws.sqs, InProcessLambda(), dlq, "fn", max_messages=2, visibility_timeout=30)
    assert summary.replayed == 2
    assert queue_depth(aws, dlq) == 1


def test_the_command_line_requires_a_queue_and_a_function(capsys):
    with pytest.raises(SystemExit) as exited:
        M.replay_dlq.main(["--queue-url", "https://example.invalid/q"])
    assert exited.value.code == 2
    assert "--function" in capsys.readouterr().err
