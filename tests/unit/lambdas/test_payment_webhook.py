"""The payment webhook handler (PAY-1, PAY-2) against the real local MariaDB and moto.

A throwaway database (and a user with a password, as the credentials secret
holds) is created with the project's migrations for this module and dropped
after it; AWS is moto in-process (Secrets Manager, SNS delivering to an SQS
queue the tests read, Step Functions executing state machines for the task
token hook).
"""

from __future__ import annotations

import base64
import json
import time
import types
import uuid
from typing import Any

import pymysql
import pytest
from lambda_support import REGION
from lambda_support import load_function_modules

TEST_SIGNING_SECRET = "whsec_unit_test_signing_key_0123456789"  # a fixture value, not a real secret

M = load_function_modules("payment_webhook", ("handler", "webhook", "payments", "replay_dlq"))


# ---------------------------------------------------------------- database (``migrated_database``, ``sql``: conftest.py)


@pytest.fixture
def seed(sql):
    """A client, a freelancer, a project and a 150.00 USD milestone; returns their ids."""
    suffix = uuid.uuid4().hex[:8]
    client_id, freelancer_id = f"client-{suffix}", f"freelancer-{suffix}"
    sql(
        "INSERT INTO users (user_id, user_type, email) VALUES (%s, 'client', %s)", client_id, f"{client_id}@example.com"
    )
    sql(
        "INSERT INTO users (user_id, user_type, email) VALUES (%s, 'freelancer', %s)",
        freelancer_id,
        f"{freelancer_id}@example.com",
    )
    sql(
        "INSERT INTO projects (user_id, title, status, selected_freelancer_id) VALUES (%s, 'Site', 'in_progress', %s)",
        client_id,
        freelancer_id,
    )
    project_id = sql("SELECT LAST_INSERT_ID() AS id")[0]["id"]
    sql(
        "INSERT INTO milestones (project_id, user_id, sequence_no, title, amount, currency, status) "
        "VALUES (%s, %s, 1, 'Design', 150.00, 'USD', 'approved')",
        project_id,
        client_id,
    )
    milestone_id = sql("SELECT LAST_INSERT_ID() AS id")[0]["id"]
    return types.SimpleNamespace(client_id=client_id, project_id=project_id, milestone_id=milestone_id)


# ---------------------------------------------------------------- AWS (moto in-process)


@pytest.fixture(scope="module")
def aws_backend(migrated_database, module_aws_env):
    """moto for the module: the signing and database secrets, the payments topic delivering to a queue,
    a state machine that waits for a task token; the function's environment pointing at them."""
    import boto3
    from moto import mock_aws

    env = module_aws_env
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        sm = boto3.client("secretsmanager", region_name=REGION)
        signing = sm.create_secret(
            Name="unit/webhook/signing-secret", SecretString=json.dumps({"signing_secret": TEST_SIGNING_SECRET})
        )["ARN"]
        credentials = json.dumps(migrated_database.credentials())
        db_secret = sm.create_secret(Name="unit/aurora/credentials", SecretString=credentials)["ARN"]
        sns = boto3.client("sns", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        topic = sns.create_topic(Name="unit-payment-confirmations")["TopicArn"]
        queue = sqs.create_queue(QueueName="unit-payment-confirmations-reader")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
        state_machine = state_machine_waiting_for_payment(topic)
        env_vars = {
            "SIGNING_SECRET_ARN": signing,
            "DB_SECRET_ARN": db_secret,
            "PAYMENT_TOPIC_ARN": topic,
            "STATE_MACHINE_ARN": state_machine.arn,
            "DB_TLS": "disabled",
            "AWS_LAMBDA_FUNCTION_NAME": "unit-payment-webhook",
        }
        for key, value in env_vars.items():
            env.setenv(key, value)
        yield types.SimpleNamespace(
            topic=topic, queue=queue, sqs=sqs, sns=sns, secrets=sm, signing=signing, state_machine=state_machine
        )
        M.handler._drop_connection()


@pytest.fixture
def aws(aws_backend, monkeypatch):
    """The module's moto, with a fresh container (no cached secret, connection or client) and an empty reader queue."""
    monkeypatch.delenv("ASYNC_HANDOFF", raising=False)
    monkeypatch.delenv("FAIL_WORKFLOW_ON_PAYMENT_FAILURE", raising=False)
    aws_backend.secrets.put_secret_value(
        SecretId=aws_backend.signing, SecretString=json.dumps({"signing_secret": TEST_SIGNING_SECRET})
    )
    M.handler._drop_connection()
    M.handler._cache.update(secrets=None, secrets_at=0.0, connection=None, clients={})
    messages(aws_backend)  # drain what earlier tests left
    yield aws_backend
    M.handler._drop_connection()
    M.handler._cache.update(secrets=None, secrets_at=0.0, connection=None, clients={})


def state_machine_waiting_for_payment(topic: str) -> types.SimpleNamespace:
    """A state machine that publishes its task token to a topic and waits (``.waitForTaskToken``)."""
    import boto3

    iam = boto3.client("iam", region_name=REGION)
    sns = boto3.client("sns", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    role = iam.create_role(RoleName="unit-workflow", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    tokens_topic = sns.create_topic(Name="unit-workflow-tokens")["TopicArn"]
    tokens_queue = sqs.create_queue(QueueName="unit-workflow-tokens")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=tokens_queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=tokens_topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    definition = {
        "StartAt": "AwaitPayment",
        "States": {
            "AwaitPayment": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish.waitForTaskToken",
                "Parameters": {"TopicArn": tokens_topic, "Message": {"token.$": "$$.Task.Token"}},
                "TimeoutSeconds": 300,
                "End": True,
            }
        },
    }
    machine = boto3.client("stepfunctions", region_name=REGION).create_state_machine(
        name="unit-project-lifecycle", definition=json.dumps(definition), roleArn=role
    )["stateMachineArn"]
    return types.SimpleNamespace(arn=machine, tokens_queue=tokens_queue)


def messages(aws, wait: float = 0.0) -> list[dict[str, Any]]:
    """The confirmations published to the payments topic since the last call."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + wait
    while True:
        answer = aws.sqs.receive_message(QueueUrl=aws.queue, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        batch = answer.get("Messages", [])
        for message in batch:
            found.append(json.loads(message["Body"]))
            aws.sqs.delete_message(QueueUrl=aws.queue, ReceiptHandle=message["ReceiptHandle"])
        if not batch and time.monotonic() >= deadline:
            return found
        if not batch:
            time.sleep(0.05)


# ---------------------------------------------------------------- events


def provider_event(seed, event_type="payment_intent.succeeded", amount=15000, currency="usd", **overrides):
    event_id = overrides.pop("event_id", f"evt_{uuid.uuid4().hex[:24]}")
    metadata = overrides.pop("metadata", {"milestone_id": str(seed.milestone_id), "project_id": str(seed.project_id)})
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "livemode": False,
        "created": int(time.time()),
        "data": {
            "object": {
                "id": f"pi_{uuid.uuid4().hex[:24]}",
                "object": "payment_intent",
                "amount": amount,
                "currency": currency,
                "metadata": metadata,
                **overrides,
            }
        },
    }


def alb_event(
    body: bytes, signature: str | None, *, base64_body=True, multi_value=True, header_name="Stripe-Signature"
):
    """The event an ALB Lambda target receives for POST /webhooks/payments."""
    headers = {"content-type": "application/json", "user-agent": "Stripe/1.0"}
    if signature is not None:
        headers[header_name] = signature
    event: dict[str, Any] = {
        "requestContext": {
            "elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/x/y"}
        },
        "httpMethod": "POST",
        "path": "/webhooks/payments",
        "isBase64Encoded": base64_body,
        "body": base64.b64encode(body).decode() if base64_body else body.decode(),
    }
    if multi_value:
        event["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
        event["multiValueQueryStringParameters"] = {}
    else:
        event["headers"] = headers
        event["queryStringParameters"] = {}
    return event


def signed(payload: dict[str, Any] | bytes, secret=TEST_SIGNING_SECRET, timestamp=None, **kwargs):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    return alb_event(body, M.webhook.sign(secret, timestamp, body), **kwargs)


class Context:
    function_name = "unit-payment-webhook"
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:unit-payment-webhook"
    aws_request_id = "unit"


def invoke(event):
    answer = M.handler.handler(event, Context())
    return answer["statusCode"], json.loads(answer["body"]), answer


def payments_of(sql, seed):
    return sql("SELECT * FROM payments WHERE milestone_id = %s ORDER BY payment_id", seed.milestone_id)


def milestone_status(sql, seed):
    return sql("SELECT status FROM milestones WHERE milestone_id = %s", seed.milestone_id)[0]["status"]


# ---------------------------------------------------------------- signature verification (pure)


class TestVerify:
    body = b'{"id":"evt_1","type":"payment_intent.succeeded"}'
    now = 1_700_000_000

    def headers(self, value):
        return {"stripe-signature": value}

    def test_a_valid_signature_returns_its_timestamp(self):
        header = M.webhook.sign("k1", self.now, self.body)
        assert M.webhook.verify(self.headers(header), self.body, ["k1"], now=self.now) == self.now

    def test_the_signature_is_the_hmac_of_timestamp_dot_body(self):
        import hashlib
        import hmac

        digest = hmac.new(b"k1", f"{self.now}.".encode() + self.body, hashlib.sha256).hexdigest()
        assert M.webhook.verify(self.headers(f"t={self.now},v1={digest}"), self.body, ["k1"], now=self.now)

    def test_any_of_several_v1_values_may_match(self):
        good = M.webhook.expected_signature("k1", self.now, self.body)
        header = f"t={self.now},v1={'0' * 64},v0=ignored,v1={good}"
        assert M.webhook.verify(self.headers(header), self.body, ["k1"], now=self.now) == self.now

    def test_a_previous_secret_still_verifies_during_a_roll(self):
        header = M.webhook.sign("old", self.now, self.body)
        assert M.webhook.verify(self.headers(header), self.body, ["new", "old"], now=self.now) == self.now

    @pytest.mark.parametrize(
        ("header", "error"),
        [
            (None, "MissingSignature"),
            ("", "MissingSignature"),
            ("v1=abc", "MalformedSignature"),
            ("t=12a,v1=abc", "MalformedSignature"),
            ("t=1700000000", "MalformedSignature"),
            ("t=1700000000,v0=abc", "MalformedSignature"),
        ],
    )
    def test_missing_or_malformed_headers_are_400(self, header, error):
        headers = {} if header is None else self.headers(header)
        with pytest.raises(getattr(M.webhook, error)) as caught:
            M.webhook.verify(headers, self.body, ["k1"], now=self.now)
        assert caught.value.status == 400

    def test_a_wrong_secret_is_401(self):
        header = M.webhook.sign("another", self.now, self.body)
        with pytest.raises(M.webhook.SignatureMismatch) as caught:
            M.webhook.verify(self.headers(header), self.body, ["k1"], now=self.now)
        assert caught.value.status == 401

    def test_a_tampered_body_is_401(self):
        header = M.webhook.sign("k1", self.now, self.body)
        with pytest.raises(M.webhook.SignatureMismatch):
            M.webhook.verify(self.headers(header), self.body.replace(b"_1", b"_2"), ["k1"], now=self.now)

    def test_a_signature_for_another_timestamp_is_401(self):
        signature = M.webhook.expected_signature("k1", self.now, self.body)
        with pytest.raises(M.webhook.SignatureMismatch):
            M.webhook.verify(self.headers(f"t={self.now + 1},v1={signature}"), self.body, ["k1"], now=self.now)

    @pytest.mark.parametrize("offset", [-301, 301, -86400, 86400])
    def test_stale_and_future_timestamps_are_refused(self, offset):
        header = M.webhook.sign("k1", self.now + offset, self.body)
        with pytest.raises(M.webhook.TimestampOutOfTolerance) as caught:
            M.webhook.verify(self.headers(header), self.body, ["k1"], now=self.now)
        assert caught.value.status == 400

    @pytest.mark.parametrize("offset", [-300, 0, 300])
    def test_timestamps_within_the_tolerance_are_accepted(self, offset):
        header = M.webhook.sign("k1", self.now + offset, self.body)
        assert M.webhook.verify(self.headers(header), self.body, ["k1"], now=self.now)

    def test_the_tolerance_is_a_setting(self):
        header = M.webhook.sign("k1", self.now - 20, self.body)
        with pytest.raises(M.webhook.TimestampOutOfTolerance):
            M.webhook.verify(self.headers(header), self.body, ["k1"], now=self.now, tolerance=10)

    def test_verification_compares_in_constant_time(self, monkeypatch):
        calls = []
        real = M.webhook.hmac.compare_digest

        def spy(a, b):
            calls.append((a, b))
            return real(a, b)

        monkeypatch.setattr(M.webhook.hmac, "compare_digest", spy)
        good = M.webhook.expected_signature("k1", self.now, self.body)
        M.webhook.verify(self.headers(f"t={self.now},v1={good},v1={'f' * 64}"), self.body, ["k1", "k2"], now=self.now)
        assert len(calls) == 4  # every secret against every candidate, even after a match


class TestRequestFromEvent:
    def test_base64_body_and_multi_value_lowercased_headers(self):
        event = alb_event(b'{"a": 1}', "t=1,v1=x", header_name="STRIPE-SIGNATURE")
        request = M.webhook.request_from_event(event)
        assert request.body == b'{"a": 1}'
        assert request.headers["stripe-signature"] == "t=1,v1=x"
        assert request.via_alb and request.multi_value

    def test_plain_body_and_single_value_headers(self):
        request = M.webhook.request_from_event(alb_event(b"{}", "t=1,v1=x", base64_body=False, multi_value=False))
        assert request.body == b"{}" and request.headers["stripe-signature"] == "t=1,v1=x"
        assert not request.multi_value

    def test_a_repeated_header_keeps_every_value(self):
        event = alb_event(b"{}", None)
        event["multiValueHeaders"]["stripe-signature"] = ["t=1,v1=aa", "v1=bb"]
        assert M.webhook.request_from_event(event).headers["stripe-signature"] == "t=1,v1=aa,v1=bb"

    def test_invalid_base64_is_malformed(self):
        event = alb_event(b"{}", "t=1,v1=x")
        event["body"] = "%%%not base64"
        with pytest.raises(M.webhook.MalformedPayload):
            M.webhook.request_from_event(event)

    def test_a_direct_invocation_is_not_an_alb_request(self):
        event = alb_event(b"{}", "t=1,v1=x")
        del event["requestContext"]
        assert not M.webhook.request_from_event(event).via_alb


class TestPaymentFromEvent:
    def event(self, **intent):
        base = {"id": "pi_1", "amount": 1234, "currency": "usd", "metadata": {"milestone_id": "7", "project_id": "3"}}
        return {"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {**base, **intent}}}

    def test_amounts_are_converted_from_minor_units(self):
        payment = M.webhook.payment_from_event(self.event())
        assert (str(payment.amount), payment.currency, payment.milestone_id, payment.project_id) == (
            "12.34",
            "USD",
            7,
            3,
        )
        assert str(M.webhook.payment_from_event(self.event(currency="jpy", amount=500)).amount) == "500"
        assert str(M.webhook.payment_from_event(self.event(currency="kwd", amount=1230)).amount) == "1.230"

    @pytest.mark.parametrize(
        "intent",
        [
            {"metadata": {}},
            {"metadata": {"milestone_id": "x", "project_id": "3"}},
            {"metadata": {"milestone_id": "-1", "project_id": "3"}},
            {"amount": 0},
            {"amount": "12"},
            {"currency": "dollars"},
            {"metadata": None},
        ],
    )
    def test_events_that_are_not_platform_payments_are_ignored(self, intent):
        with pytest.raises(M.webhook.IgnoredEvent):
            M.webhook.payment_from_event(self.event(**intent))


# ---------------------------------------------------------------- the handler end to end


def test_success_records_one_payment_marks_the_milestone_paid_and_publishes_once(aws, sql, seed):
    event = provider_event(seed)
    status, body, answer = invoke(signed(event))
    assert status == 200, body
    assert body["result"] == "recorded"
    assert answer["statusDescription"] == "200 OK"
    assert answer["multiValueHeaders"] == {"Content-Type": ["application/json"]}
    rows = payments_of(sql, seed)
    assert len(rows) == 1
    row = rows[0]
    assert (row["provider_event_id"], row["status"], str(row["amount"]), row["currency"]) == (
        event["id"],
        "succeeded",
        "150.00",
        "USD",
    )
    assert row["user_id"] == seed.client_id and row["project_id"] == seed.project_id
    assert json.loads(row["payload"])["id"] == event["id"]
    assert milestone_status(sql, seed) == "paid"
    published = messages(aws, wait=1.0)
    assert len(published) == 1
    assert published[0]["type"] == "payment.confirmed"
    assert published[0]["providerEventId"] == event["id"]
    assert published[0]["milestoneId"] == seed.milestone_id and published[0]["amount"] == "150.00"


def test_a_replay_returns_200_and_changes_nothing(aws, sql, seed):
    event = signed(provider_event(seed))
    assert invoke(event)[0] == 200
    before = payments_of(sql, seed)
    messages(aws, wait=1.0)
    status, body, _ = invoke(event)
    assert status == 200 and body["result"] == "duplicate"
    assert payments_of(sql, seed) == before
    assert messages(aws, wait=0.5) == []


def test_single_value_headers_and_plain_bodies_work_too(aws, sql, seed):
    status, body, answer = invoke(signed(provider_event(seed), base64_body=False, multi_value=False))
    assert status == 200 and body["result"] == "recorded"
    assert answer["headers"] == {"Content-Type": "application/json"}
    assert len(payments_of(sql, seed)) == 1


def test_a_direct_invocation_of_the_same_shape_is_processed(aws, sql, seed):
    event = signed(provider_event(seed))
    del event["requestContext"]
    assert invoke(event)[0] == 200
    assert milestone_status(sql, seed) == "paid"


def test_several_v1_values_in_the_header(aws, sql, seed):
    body = json.dumps(provider_event(seed)).encode()
    now = int(time.time())
    good = M.webhook.expected_signature(TEST_SIGNING_SECRET, now, body)
    event = alb_event(body, f"t={now},v1={'ab' * 32},v1={good}")
    assert invoke(event)[0] == 200
    assert len(payments_of(sql, seed)) == 1


@pytest.mark.parametrize(
    ("make_event", "status", "reason"),
    [
        (lambda e: signed(e, secret="whsec_someone_else"), 401, "signature_mismatch"),
        (lambda e: alb_event(json.dumps(e).encode(), None), 400, "missing_signature"),
        (lambda e: alb_event(json.dumps(e).encode(), "garbage"), 400, "malformed_signature"),
        (lambda e: signed(e, timestamp=int(time.time()) - 330), 400, "timestamp_out_of_tolerance"),
        (lambda e: signed(e, timestamp=int(time.time()) + 330), 400, "timestamp_out_of_tolerance"),
    ],
    ids=["wrong-secret", "missing-header", "malformed-header", "stale", "future"],
)
def test_refused_requests_have_no_side_effect(aws, sql, seed, make_event, status, reason):
    got_status, body, _ = invoke(make_event(provider_event(seed)))
    assert (got_status, body) == (status, {"error": reason})
    assert payments_of(sql, seed) == []
    assert milestone_status(sql, seed) == "approved"
    assert messages(aws, wait=0.3) == []


def test_a_tampered_body_is_refused(aws, sql, seed):
    event = signed(provider_event(seed))
    tampered = json.loads(base64.b64decode(event["body"]))
    tampered["data"]["object"]["amount"] = 1
    event["body"] = base64.b64encode(json.dumps(tampered).encode()).decode()
    assert invoke(event)[:2] == (401, {"error": "signature_mismatch"})
    assert payments_of(sql, seed) == []


def test_malformed_json_is_400(aws, sql, seed):
    assert invoke(signed(b'{"id": "evt_x", "type": '))[:2] == (400, {"error": "malformed_payload"})
    assert invoke(signed(b"[1, 2]"))[:2] == (400, {"error": "malformed_payload"})


def test_an_unknown_event_type_is_200_ignored_and_logged(aws, sql, seed, capsys):
    event = provider_event(seed, event_type="customer.created")
    status, body, _ = invoke(signed(event))
    assert status == 200 and body["received"] is True and "not handled" in body["ignored"]
    assert payments_of(sql, seed) == []
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert any(r["message"] == "webhook ignored" and r["event_id"] == event["id"] for r in logged)
    assert not any(TEST_SIGNING_SECRET in json.dumps(r) for r in logged)


def test_payment_failed_records_a_failed_payment_once_and_notifies(aws, sql, seed):
    event = signed(provider_event(seed, event_type="payment_intent.payment_failed"))
    assert invoke(event)[0] == 200
    assert invoke(event)[1]["result"] == "duplicate"
    rows = payments_of(sql, seed)
    assert [r["status"] for r in rows] == ["failed"]
    assert milestone_status(sql, seed) == "approved"
    published = messages(aws, wait=1.0)
    assert [m["type"] for m in published] == ["payment.failed"]


def test_an_underpayment_is_recorded_but_does_not_pay_the_milestone(aws, sql, seed):
    assert invoke(signed(provider_event(seed, amount=100)))[0] == 200
    assert [str(r["amount"]) for r in payments_of(sql, seed)] == ["1.00"]
    assert milestone_status(sql, seed) == "approved"


def test_a_milestone_of_another_project_raises_and_writes_nothing(aws, sql, seed):
    event = provider_event(
        seed, metadata={"milestone_id": str(seed.milestone_id), "project_id": str(seed.project_id + 999)}
    )
    with pytest.raises(M.payments.UnprocessableEvent):
        invoke(signed(event))
    assert payments_of(sql, seed) == []
    assert milestone_status(sql, seed) == "approved"


def test_an_already_paid_milestone_is_not_paid_again(aws, sql, seed):
    sql("UPDATE milestones SET status = 'paid', paid_at = '2020-01-01' WHERE milestone_id = %s", seed.milestone_id)
    assert invoke(signed(provider_event(seed)))[0] == 200
    assert sql("SELECT paid_at FROM milestones WHERE milestone_id = %s", seed.milestone_id)[0]["paid_at"].year == 2020


def test_an_sns_failure_raises_and_leaves_no_partial_write(aws, sql, seed, monkeypatch):
    monkeypatch.setenv("PAYMENT_TOPIC_ARN", aws.topic + "-missing")
    event = signed(provider_event(seed))
    with pytest.raises(Exception, match=r"NotFound|does not exist"):
        invoke(event)
    assert payments_of(sql, seed) == []
    assert milestone_status(sql, seed) == "approved"
    # the retry, once SNS is back, processes the event fully
    monkeypatch.setenv("PAYMENT_TOPIC_ARN", aws.topic)
    assert invoke(event)[1]["result"] == "recorded"
    assert milestone_status(sql, seed) == "paid"
    assert len(messages(aws, wait=1.0)) == 1


def test_a_database_failure_raises_and_leaves_no_partial_write(aws, sql, seed, monkeypatch):
    real_connection = M.handler.connection

    class FailingOnUpdate:
        """The real connection, whose cursor fails on the milestone update (after the payment insert)."""

        def __init__(self, conn):
            self.conn = conn

        def __getattr__(self, name):
            return getattr(self.conn, name)

        def cursor(self):
            cursor = self.conn.cursor()
            execute = cursor.execute

            def failing(query, args=None):
                if query.startswith("UPDATE milestones"):
                    raise pymysql.err.OperationalError(2013, "Lost connection to MySQL server during query")
                return execute(query, args)

            cursor.execute = failing
            return cursor

    monkeypatch.setattr(M.handler, "connection", lambda: FailingOnUpdate(real_connection()))
    event = signed(provider_event(seed))
    with pytest.raises(pymysql.err.OperationalError):
        invoke(event)
    assert payments_of(sql, seed) == []
    assert milestone_status(sql, seed) == "approved"
    assert messages(aws, wait=0.5) == []
    monkeypatch.setattr(M.handler, "connection", real_connection)
    assert invoke(event)[1]["result"] == "recorded"
    assert len(payments_of(sql, seed)) == 1


def test_an_unreachable_database_raises(aws, seed, monkeypatch):
    credentials = {"engine": "mariadb", "host": "127.0.0.1", "port": 1, "username": "u", "password": "p", "dbname": "d"}
    monkeypatch.setenv(
        "DB_SECRET_ARN",
        aws.secrets.create_secret(Name="unit/aurora/unreachable", SecretString=json.dumps(credentials))["ARN"],
    )
    with pytest.raises(pymysql.err.OperationalError):
        invoke(signed(provider_event(seed)))
    assert messages(aws, wait=0.3) == []


def test_concurrent_deliveries_of_one_event_record_it_once(aws, sql, seed, migrated_database):
    """A second delivery arrives while the first is still in its transaction: it waits for the
    milestone lock, then hits the unique event id and records nothing."""
    import threading

    payment = M.webhook.payment_from_event(provider_event(seed))
    first_inside = threading.Event()
    results = {}

    def deliver(name, before_commit):
        conn = migrated_database.connect()
        try:
            results[name] = M.payments.record_payment(conn, payment, {}, provider="stripe", before_commit=before_commit)
        finally:
            conn.close()

    def hold(outcome):
        first_inside.set()
        time.sleep(1.0)  # the second delivery queues behind the lock meanwhile

    first = threading.Thread(target=deliver, args=("first", hold))
    first.start()
    assert first_inside.wait(10)
    second = threading.Thread(target=deliver, args=("second", None))
    second.start()
    first.join(30)
    second.join(30)
    assert (results["first"].status, results["second"].status) == ("recorded", "duplicate")
    assert len(payments_of(sql, seed)) == 1


def test_the_signing_secret_is_read_once_per_container(aws, seed, monkeypatch):
    calls = []
    real = M.handler.secrets.get_json_secret

    def counting(secret_id, client=None):
        calls.append(secret_id)
        return real(secret_id, client=client)

    monkeypatch.setattr(M.handler.secrets, "get_json_secret", counting)
    for _ in range(3):
        invoke(signed(provider_event(seed, event_type="charge.refunded")))
    assert calls.count(aws.signing) == 1


def test_a_rotated_secret_is_picked_up_on_a_mismatch(aws, sql, seed):
    invoke(signed(provider_event(seed, event_type="charge.refunded")))  # caches the first secret
    aws.secrets.put_secret_value(SecretId=aws.signing, SecretString=json.dumps({"signing_secret": "whsec_rotated"}))
    M.handler._cache["secrets_at"] -= M.handler.MISMATCH_REFRESH_SECONDS + 1
    assert invoke(signed(provider_event(seed), secret="whsec_rotated"))[0] == 200
    assert milestone_status(sql, seed) == "paid"


# ---------------------------------------------------------------- ALB hand-off and accepted deliveries


def test_alb_deliveries_are_handed_off_to_an_asynchronous_invocation(aws, sql, seed, monkeypatch):
    monkeypatch.setenv("ASYNC_HANDOFF", "true")
    sent = []

    class FakeLambda:
        def invoke(self, **kwargs):
            sent.append(kwargs)
            return {"StatusCode": 202}

    M.handler._cache["clients"]["lambda"] = FakeLambda()
    event = signed(provider_event(seed))
    status, body, _ = invoke(event)
    assert (status, body) == (202, {"queued": True, "received": True})
    assert payments_of(sql, seed) == []  # nothing happens before the asynchronous invocation
    assert len(sent) == 1 and sent[0]["InvocationType"] == "Event"
    assert sent[0]["FunctionName"] == Context.invoked_function_arn
    handed = json.loads(sent[0]["Payload"])
    assert handed["webhookDelivery"]["stage"] == "process"
    assert handed["body"] == event["body"] and handed["multiValueHeaders"] == event["multiValueHeaders"]
    # the asynchronous invocation processes it (and does not hand it off again)
    assert invoke(handed)[1]["result"] == "recorded"
    assert len(sent) == 1
    assert milestone_status(sql, seed) == "paid"


def test_refused_alb_deliveries_are_not_handed_off(aws, seed, monkeypatch):
    monkeypatch.setenv("ASYNC_HANDOFF", "true")
    M.handler._cache["clients"]["lambda"] = None  # any call would fail
    assert invoke(signed(provider_event(seed), secret="whsec_wrong"))[0] == 401


def test_an_accepted_delivery_is_processed_later_without_the_age_check(aws, sql, seed):
    event = signed(provider_event(seed), timestamp=int(time.time()) - 3 * 3600)
    assert invoke(event)[0] == 400  # too old as a fresh delivery
    event["webhookDelivery"] = {"stage": "process", "source": "dlq-replay"}
    assert invoke(event)[1]["result"] == "recorded"


def test_an_accepted_delivery_still_needs_a_valid_signature(aws, sql, seed):
    event = signed(provider_event(seed), secret="whsec_forged")
    event["webhookDelivery"] = {"stage": "process"}
    assert invoke(event)[0] == 401
    assert payments_of(sql, seed) == []


# ---------------------------------------------------------------- the workflow resume hook


def start_waiting_execution(aws, sql, seed) -> str:
    """Start an execution that waits with a task token, and store the token as the workflow would."""
    import boto3

    sfn = boto3.client("stepfunctions", region_name=REGION)
    execution = sfn.start_execution(stateMachineArn=aws.state_machine.arn, name=uuid.uuid4().hex)["executionArn"]
    token = None
    for _ in range(100):
        got = aws.sqs.receive_message(QueueUrl=aws.state_machine.tokens_queue, WaitTimeSeconds=0).get("Messages", [])
        if got:
            token = json.loads(got[0]["Body"])["token"]
            aws.sqs.delete_message(QueueUrl=aws.state_machine.tokens_queue, ReceiptHandle=got[0]["ReceiptHandle"])
            break
        time.sleep(0.05)
    assert token, "the execution did not publish its task token"
    sql(
        "INSERT INTO workflow_task_tokens (project_id, milestone_id, user_id, waiting_for, execution_arn, state_name, "
        "task_token) VALUES (%s, %s, %s, 'milestone_payment', %s, 'AwaitPayment', %s)",
        seed.project_id,
        seed.milestone_id,
        seed.client_id,
        execution,
        token,
    )
    return execution


def execution_status(execution: str, wait: float = 5.0) -> dict[str, Any]:
    import boto3

    sfn = boto3.client("stepfunctions", region_name=REGION)
    deadline = time.monotonic() + wait
    while True:
        answer = sfn.describe_execution(executionArn=execution)
        if answer["status"] != "RUNNING" or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def test_the_waiting_workflow_is_resumed_with_its_task_token(aws, sql, seed):
    execution = start_waiting_execution(aws, sql, seed)
    assert execution_status(execution, wait=0)["status"] == "RUNNING"
    event = provider_event(seed)
    status, body, _ = invoke(signed(event))
    assert status == 200 and body["resumedExecutions"] == 1
    finished = execution_status(execution)
    assert finished["status"] == "SUCCEEDED"
    output = json.loads(finished["output"])
    assert output["providerEventId"] == event["id"] and output["milestoneStatus"] == "paid"
    token = sql("SELECT status, resolved_at FROM workflow_task_tokens WHERE milestone_id = %s", seed.milestone_id)[0]
    assert token["status"] == "resumed" and token["resolved_at"] is not None


def test_a_replay_resumes_nothing_twice(aws, sql, seed):
    start_waiting_execution(aws, sql, seed)
    event = signed(provider_event(seed))
    assert invoke(event)[1]["resumedExecutions"] == 1
    assert invoke(event)[1]["resumedExecutions"] == 0


def test_a_resume_that_failed_is_completed_by_the_retry(aws, sql, seed, monkeypatch):
    execution = start_waiting_execution(aws, sql, seed)
    event = signed(provider_event(seed))
    monkeypatch.setenv("STATE_MACHINE_ARN", aws.state_machine.arn)
    real_client = M.handler.client

    class Unavailable(Exception):
        pass

    def broken(service):
        if service == "stepfunctions":
            raise Unavailable("states endpoint unreachable")
        return real_client(service)

    monkeypatch.setattr(M.handler, "client", broken)
    with pytest.raises(Unavailable):
        invoke(event)
    assert milestone_status(sql, seed) == "paid"  # the payment itself is committed
    monkeypatch.setattr(M.handler, "client", real_client)
    status, body, _ = invoke(event)
    assert (status, body["result"], body["resumedExecutions"]) == (200, "duplicate", 1)
    assert execution_status(execution)["status"] == "SUCCEEDED"


def test_an_expired_token_is_marked_and_does_not_fail_the_event(aws, sql, seed):
    sql(
        "INSERT INTO workflow_task_tokens (project_id, milestone_id, user_id, waiting_for, execution_arn, task_token) "
        "VALUES (%s, %s, %s, 'milestone_payment', %s, 'no-longer-valid')",
        seed.project_id,
        seed.milestone_id,
        seed.client_id,
        aws.state_machine.arn.replace(":stateMachine:", ":execution:") + ":gone",
    )
    assert invoke(signed(provider_event(seed)))[0] == 200
    assert sql("SELECT status FROM workflow_task_tokens WHERE milestone_id = %s", seed.milestone_id)[0]["status"] == (
        "expired"
    )


def test_tokens_of_another_state_machine_are_left_alone(aws, sql, seed):
    sql(
        "INSERT INTO workflow_task_tokens (project_id, milestone_id, user_id, waiting_for, execution_arn, task_token) "
        "VALUES (%s, %s, %s, 'milestone_payment', 'arn:aws:states:us-east-2:123456789012:execution:other:1', 't')",
        seed.project_id,
        seed.milestone_id,
        seed.client_id,
    )
    assert invoke(signed(provider_event(seed)))[1]["resumedExecutions"] == 0
    assert sql("SELECT status FROM workflow_task_tokens WHERE milestone_id = %s", seed.milestone_id)[0]["status"] == (
        "waiting"
    )


def test_payment_failed_fails_the_wait_only_when_configured(aws, sql, seed, monkeypatch):
    execution = start_waiting_execution(aws, sql, seed)
    assert invoke(signed(provider_event(seed, event_type="payment_intent.payment_failed")))[1]["resumedExecutions"] == 0
    assert execution_status(execution, wait=0)["status"] == "RUNNING"
    monkeypatch.setenv("FAIL_WORKFLOW_ON_PAYMENT_FAILURE", "true")
    body = invoke(signed(provider_event(seed, event_type="payment_intent.payment_failed")))[1]
    assert body["resumedExecutions"] == 1
    finished = execution_status(execution)
    assert finished["status"] == "FAILED"
    assert sql("SELECT status FROM workflow_task_tokens WHERE milestone_id = %s", seed.milestone_id)[0]["status"] == (
        "failed"
    )
