"""PAY-1 to PAY-4, asserted on the converged emulator, end to end with the local MariaDB.

A signed ``payment_intent.succeeded`` is sent through the Lambda API (and through
the ALB event shape, handed off asynchronously); the payment lands once in the
database the aurora role's secret names, the milestone is paid, one confirmation
reaches the payments topic; a replay and a tampered copy change nothing; a
dead-letter message is replayed once by ``replay_dlq.py``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import pathlib
import subprocess
import sys
import time
import uuid

import pymysql
import pytest
from conftest import PROJECT
from conftest import tag_dict

FUNCTION_SUFFIX = "payment-webhook"


@pytest.fixture(scope="module")
def names(prefix):
    return {
        "function": f"{prefix}-{FUNCTION_SUFFIX}",
        "dlq": f"{prefix}-payment-webhook-dlq",
        "role": f"{prefix}-payment-webhook",
        "log_group": f"/aws/lambda/{prefix}-{FUNCTION_SUFFIX}",
        "signing_secret": f"{prefix}/webhook/signing-secret",
        "db_secret": f"{prefix}/aurora/credentials",
        "topic": f"{prefix}-payment-confirmations",
    }


@pytest.fixture(scope="module")
def lam(aws):
    return aws("lambda")


@pytest.fixture(scope="module")
def kms_key_arns(aws, prefix):
    """The security role's key ARNs by purpose, found by alias."""
    kms = aws("kms")
    found = {}
    for alias in kms.list_aliases()["Aliases"]:
        if alias["AliasName"].startswith(f"alias/{prefix}-") and "TargetKeyId" in alias:
            found[alias["AliasName"][len(f"alias/{prefix}-") :]] = kms.describe_key(KeyId=alias["TargetKeyId"])[
                "KeyMetadata"
            ]["Arn"]
    return found


@pytest.fixture(scope="module")
def network(aws, prefix):
    """The app subnets and the lambda security group, found by their Name tags."""
    ec2 = aws("ec2")
    subnets = ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": [f"{prefix}-app-*"]}])["Subnets"]
    groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"{prefix}-lambda-sg"]}])
    return {"app_subnets": sorted(s["SubnetId"] for s in subnets), "lambda_sg": groups["SecurityGroups"][0]["GroupId"]}


@pytest.fixture(scope="module")
def dlq(aws, names):
    sqs = aws("sqs")
    url = sqs.get_queue_url(QueueName=names["dlq"])["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return {"url": url, "arn": arn}


@pytest.fixture(scope="module")
def function(lam, names):
    return lam.get_function(FunctionName=names["function"])


@pytest.fixture(scope="module")
def signing_secret(aws, names):
    value = json.loads(aws("secretsmanager").get_secret_value(SecretId=names["signing_secret"])["SecretString"])
    return value["signing_secret"]


@pytest.fixture(scope="module")
def db_credentials(aws, names):
    return json.loads(aws("secretsmanager").get_secret_value(SecretId=names["db_secret"])["SecretString"])


@pytest.fixture(scope="module")
def sql(db_credentials):
    conn = pymysql.connect(
        host=db_credentials["host"],
        port=int(db_credentials["port"]),
        user=db_credentials["username"],
        password=db_credentials["password"],
        database=db_credentials["dbname"],
        autocommit=True,
        cursorclass=pymysql.cursors.DictCursor,
    )

    def run(query, *args):
        with conn.cursor() as cursor:
            cursor.execute(query, args or None)
            return list(cursor.fetchall())

    yield run
    conn.close()


@pytest.fixture(scope="module")
def topic_arn(aws, names):
    topics = [t["TopicArn"] for t in aws("sns").list_topics()["Topics"] if t["TopicArn"].endswith(":" + names["topic"])]
    assert topics, f"the payments topic {names['topic']} does not exist (notifications role)"
    return topics[0]


@pytest.fixture(scope="module")
def confirmations(aws, topic_arn):
    """A queue subscribed to the payments topic; ``read()`` returns the confirmations since the last call."""
    sqs, sns = aws("sqs"), aws("sns")
    url = sqs.create_queue(QueueName=f"verify-payments-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    subscription = sns.subscribe(
        TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )["SubscriptionArn"]

    def read(wait=2.0):
        found, deadline = [], time.monotonic() + wait
        while True:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
            for message in batch:
                found.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            if not batch and time.monotonic() >= deadline:
                return found
            if not batch:
                time.sleep(0.2)

    yield read
    sns.unsubscribe(SubscriptionArn=subscription)
    sqs.delete_queue(QueueUrl=url)


@pytest.fixture
def seed(sql):
    suffix = uuid.uuid4().hex[:8]
    client = f"verify-client-{suffix}"
    sql("INSERT INTO users (user_id, user_type, email) VALUES (%s, 'client', %s)", client, f"{client}@example.com")
    sql("INSERT INTO projects (user_id, title, status) VALUES (%s, 'Verify', 'in_progress')", client)
    project = sql("SELECT LAST_INSERT_ID() AS id")[0]["id"]
    sql(
        "INSERT INTO milestones (project_id, user_id, sequence_no, title, amount, currency, status) "
        "VALUES (%s, %s, 1, 'Verify', 99.00, 'EUR', 'approved')",
        project,
        client,
    )
    milestone = sql("SELECT LAST_INSERT_ID() AS id")[0]["id"]
    yield {"project": project, "milestone": milestone, "client": client}
    sql("DELETE FROM workflow_task_tokens WHERE project_id = %s", project)
    sql("DELETE FROM payments WHERE project_id = %s", project)
    sql("DELETE FROM milestones WHERE project_id = %s", project)
    sql("DELETE FROM projects WHERE project_id = %s", project)
    sql("DELETE FROM users WHERE user_id = %s", client)


def payment_event(seed, amount=9900):
    return {
        "id": f"evt_verify_{uuid.uuid4().hex[:16]}",
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": f"pi_verify_{uuid.uuid4().hex[:16]}",
                "amount": amount,
                "currency": "eur",
                "metadata": {"milestone_id": str(seed["milestone"]), "project_id": str(seed["project"])},
            }
        },
    }


def signed_request(secret, body: bytes, *, alb=False, timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    event = {
        "httpMethod": "POST",
        "path": "/webhooks/payments",
        "headers": {"content-type": "application/json", "stripe-signature": f"t={timestamp},v1={signature}"},
        "isBase64Encoded": True,
        "body": base64.b64encode(body).decode(),
    }
    if alb:
        event["requestContext"] = {
            "elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-2:0:targetgroup/v/1"}
        }
    return event


def invoke(lam, name, event):
    answer = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    payload = json.loads(answer["Payload"].read())
    assert not answer.get("FunctionError"), payload
    return payload["statusCode"], json.loads(payload["body"])


def payments(sql, seed):
    return sql(
        "SELECT provider_event_id, status, amount, currency FROM payments WHERE milestone_id = %s", seed["milestone"]
    )


def milestone(sql, seed):
    return sql("SELECT status FROM milestones WHERE milestone_id = %s", seed["milestone"])[0]["status"]


# ---------------------------------------------------------------- configuration


def test_function_configuration(function, network, dlq, names, expected_tags):
    config = function["Configuration"]
    assert config["Runtime"] == "python3.12"
    assert config["Handler"] == "handler.handler"
    assert config["TracingConfig"]["Mode"] == "Active"
    assert config["DeadLetterConfig"]["TargetArn"] == dlq["arn"]
    assert network["app_subnets"] and sorted(config["VpcConfig"]["SubnetIds"]) == network["app_subnets"]
    assert config["VpcConfig"]["SecurityGroupIds"] == [network["lambda_sg"]]
    assert 1 <= config["Timeout"] <= 900 and 128 <= config["MemorySize"] <= 10240
    assert config["Role"].endswith(":role/" + names["role"])
    assert tag_dict([{"Key": k, "Value": v} for k, v in function["Tags"].items()]).items() >= expected_tags.items()


def test_outputs_name_the_webhook(outputs, function, dlq, aws, names):
    assert outputs["webhook_lambda_arn"] == function["Configuration"]["FunctionArn"]
    assert outputs["webhook_dlq_url"] == dlq["url"]
    secret = aws("secretsmanager").describe_secret(SecretId=names["signing_secret"])
    assert outputs["webhook_signing_secret_arn"] == secret["ARN"]
    assert "webhook_endpoint" in outputs


def test_environment_holds_references_never_secret_values(function, signing_secret, db_credentials, aws, names):
    variables = function["Configuration"]["Environment"]["Variables"]
    assert (
        variables["SIGNING_SECRET_ARN"]
        == aws("secretsmanager").describe_secret(SecretId=names["signing_secret"])["ARN"]
    )
    assert ":secret:" + names["db_secret"] in variables["DB_SECRET_ARN"]
    assert variables["PAYMENT_TOPIC_ARN"].endswith(":" + names["topic"])
    assert variables["STATE_MACHINE_ARN"].endswith(
        ":stateMachine:" + names["function"].replace(FUNCTION_SUFFIX, "project-lifecycle")
    )
    assert variables["SIGNATURE_TOLERANCE_SECONDS"] == "300"
    for value in variables.values():
        assert signing_secret not in value
        assert db_credentials["password"] not in value


def test_the_deployed_zip_is_the_reproducible_build(function, lam, names, platform_env):
    built = PROJECT / "build" / platform_env / f"{names['function']}.zip"
    digest = base64.b64encode(hashlib.sha256(built.read_bytes()).digest()).decode()
    assert function["Configuration"]["CodeSha256"] == digest
    alias = lam.get_alias(FunctionName=names["function"], Name="live")
    version = lam.get_function_configuration(FunctionName=names["function"], Qualifier=alias["FunctionVersion"])
    assert alias["FunctionVersion"].isdigit()
    assert version["CodeSha256"] == digest
    assert version["Environment"] == function["Configuration"]["Environment"]


def test_asynchronous_invocations_are_retried_twice(lam, names):
    config = lam.get_function_event_invoke_config(FunctionName=names["function"], Qualifier="live")
    assert config["MaximumRetryAttempts"] == 2
    assert config["MaximumEventAgeInSeconds"] <= 21600


def test_dead_letter_queue_is_encrypted_and_keeps_14_days(aws, dlq, kms_key_arns, expected_tags):
    sqs = aws("sqs")
    url = dlq["url"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["KmsMasterKeyId"] == kms_key_arns["messaging"]
    assert attributes["MessageRetentionPeriod"] == str(14 * 86400)
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"].items() >= expected_tags.items()


def test_log_group_is_encrypted_with_a_retention(aws, names, kms_key_arns):
    groups = aws("logs").describe_log_groups(logGroupNamePrefix=names["log_group"])["logGroups"]
    group = next(g for g in groups if g["logGroupName"] == names["log_group"])
    assert group["kmsKeyId"] == kms_key_arns["logs"]
    assert group["retentionInDays"] > 0


def test_signing_secret_is_generated_encrypted_and_nowhere_else(aws, names, signing_secret, kms_key_arns):
    described = aws("secretsmanager").describe_secret(SecretId=names["signing_secret"])
    assert described["KmsKeyId"] == kms_key_arns["secrets"]
    assert len(signing_secret) >= 32
    for path in [
        PROJECT / "outputs",
        PROJECT / "inventories",
        PROJECT / "group_vars",
        PROJECT / "roles" / "lambda_webhook",
    ]:
        for file in pathlib.Path(path).rglob("*"):
            if file.is_file() and file.stat().st_size < 1_000_000:
                assert signing_secret not in file.read_text(errors="ignore"), f"the signing secret is in {file}"


def _as_list(value):
    return value if isinstance(value, list) else [value]


def test_execution_role_is_least_privilege(aws, names, dlq, kms_key_arns):
    iam = aws("iam")
    role = iam.get_role(RoleName=names["role"])["Role"]
    assert [s["Principal"] for s in role["AssumeRolePolicyDocument"]["Statement"]] == [
        {"Service": "lambda.amazonaws.com"}
    ]
    assert iam.list_attached_role_policies(RoleName=names["role"])["AttachedPolicies"] == []
    policy_names = iam.list_role_policies(RoleName=names["role"])["PolicyNames"]
    assert len(policy_names) == 1
    document = iam.get_role_policy(RoleName=names["role"], PolicyName=policy_names[0])["PolicyDocument"]
    statements = {s["Sid"]: s for s in document["Statement"]}
    for sid, statement in statements.items():
        actions = _as_list(statement["Action"])
        assert all("*" not in action for action in actions), f"{sid} has a wildcard action"
        resources = _as_list(statement["Resource"])
        if "*" in resources:
            # only actions AWS cannot scope to a resource
            assert sid in ("VpcNetworkInterfacesNotScopable", "XRayTracingNotScopable"), sid
            assert all(a.startswith(("ec2:", "xray:")) for a in actions), sid
    assert _as_list(statements["SendToItsDeadLetterQueue"]["Resource"]) == [dlq["arn"]]
    assert statements["PublishPaymentConfirmations"]["Action"] == ["sns:Publish"]
    assert _as_list(statements["PublishPaymentConfirmations"]["Resource"])[0].endswith(":" + names["topic"])
    secrets = _as_list(statements["ReadItsSecrets"]["Resource"])
    assert sorted(s.rsplit(":secret:", 1)[1] for s in secrets) == sorted(
        [names["db_secret"] + "-??????", names["signing_secret"] + "-??????"]
    )
    assert all(r.startswith("arn:aws:logs:us-east-2:") for r in _as_list(statements["WriteItsLogs"]["Resource"]))
    assert all(names["log_group"] in r for r in _as_list(statements["WriteItsLogs"]["Resource"]))
    assert "states:SendTaskSuccess" in _as_list(statements["ResumeTheProjectWorkflow"]["Action"])
    assert all(":stateMachine:" in r for r in _as_list(statements["ResumeTheProjectWorkflow"]["Resource"]))
    assert _as_list(statements["DecryptItsSecrets"]["Resource"]) == [kms_key_arns["secrets"]]
    assert _as_list(statements["EncryptForTheTopicAndItsQueue"]["Resource"]) == [kms_key_arns["messaging"]]


def test_the_load_balancer_target_group_invokes_the_alias(aws, lam, names, function, prefix):
    elbv2 = aws("elbv2")
    groups = [g for g in elbv2.describe_target_groups()["TargetGroups"] if g["TargetGroupName"] == f"{prefix}-pay-tg"]
    assert len(groups) == 1
    group = groups[0]
    assert group["TargetType"] == "lambda"
    targets = elbv2.describe_target_health(TargetGroupArn=group["TargetGroupArn"])["TargetHealthDescriptions"]
    assert [t["Target"]["Id"] for t in targets] == [function["Configuration"]["FunctionArn"] + ":live"]
    policy = json.loads(lam.get_policy(FunctionName=names["function"], Qualifier="live")["Policy"])
    (statement,) = [
        s for s in policy["Statement"] if s["Principal"] == {"Service": "elasticloadbalancing.amazonaws.com"}
    ]
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == group["TargetGroupArn"]


# ---------------------------------------------------------------- end to end


def test_a_signed_payment_lands_once_and_a_tampered_one_changes_nothing(
    lam, names, signing_secret, sql, seed, confirmations
):
    confirmations(wait=0)
    event = payment_event(seed)
    body = json.dumps(event).encode()
    status, answer = invoke(lam, names["function"], signed_request(signing_secret, body))
    assert status == 200 and answer["result"] == "recorded", answer
    assert [(r["provider_event_id"], r["status"], str(r["amount"]), r["currency"]) for r in payments(sql, seed)] == [
        (event["id"], "succeeded", "99.00", "EUR")
    ]
    assert milestone(sql, seed) == "paid"
    published = confirmations()
    assert [(m["type"], m["providerEventId"], m["milestoneId"]) for m in published] == [
        ("payment.confirmed", event["id"], seed["milestone"])
    ]

    # the same event again: 200 and nothing changes
    status, answer = invoke(lam, names["function"], signed_request(signing_secret, body))
    assert status == 200 and answer["result"] == "duplicate"
    assert len(payments(sql, seed)) == 1
    assert confirmations(wait=1.0) == []

    # a tampered copy (another event id, same signature): refused, nothing changes
    tampered = signed_request(signing_secret, body)
    tampered["body"] = base64.b64encode(body.replace(event["id"].encode(), b"evt_verify_tampered")).decode()
    status, answer = invoke(lam, names["function"], tampered)
    assert (status, answer) == (401, {"error": "signature_mismatch"})
    assert len(payments(sql, seed)) == 1
    assert confirmations(wait=1.0) == []


def test_a_stale_delivery_is_refused(lam, names, signing_secret, sql, seed):
    body = json.dumps(payment_event(seed)).encode()
    status, answer = invoke(
        lam, names["function"], signed_request(signing_secret, body, timestamp=int(time.time()) - 600)
    )
    assert (status, answer) == (400, {"error": "timestamp_out_of_tolerance"})
    assert payments(sql, seed) == []


def test_an_alb_delivery_is_accepted_then_processed_asynchronously(lam, names, signing_secret, sql, seed):
    event = payment_event(seed)
    status, answer = invoke(
        lam, names["function"] + ":live", signed_request(signing_secret, json.dumps(event).encode(), alb=True)
    )
    assert (status, answer) == (202, {"queued": True, "received": True})
    deadline = time.monotonic() + 30
    while not payments(sql, seed) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert [r["provider_event_id"] for r in payments(sql, seed)] == [event["id"]]
    assert milestone(sql, seed) == "paid"


def test_dead_letter_messages_are_replayed_once(aws, names, signing_secret, sql, seed, dlq):
    """What Lambda puts in the dead-letter queue (the invocation payload) is replayed by the documented script."""
    sqs = aws("sqs")
    url = dlq["url"]
    event = payment_event(seed)
    # accepted by the ALB long ago (older than the tolerance), then failed every attempt
    payload = signed_request(signing_secret, json.dumps(event).encode(), alb=True, timestamp=int(time.time()) - 7200)
    payload["webhookDelivery"] = {"stage": "process", "acceptedAt": int(time.time()) - 7200, "source": "alb"}
    attributes = {
        "RequestID": {"DataType": "String", "StringValue": str(uuid.uuid4())},
        "ErrorCode": {"DataType": "Number", "StringValue": "200"},
        "ErrorMessage": {"DataType": "String", "StringValue": "Lost connection to MySQL server during query"},
    }
    for _ in range(2):  # the same event twice: recorded once
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(payload), MessageAttributes=attributes)
    env = {**os.environ, "AWS_REGION": "us-east-2", "AWS_DEFAULT_REGION": "us-east-2"}
    env.setdefault("AWS_ACCESS_KEY_ID", "testing")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    env["AWS_ENDPOINT_URL"] = aws("sqs").meta.endpoint_url
    script = PROJECT / "lambdas" / "payment_webhook" / "replay_dlq.py"
    result = subprocess.run(
        [
            sys.executable,
            str(script),
            "--queue-url",
            url,
            "--function",
            names["function"] + ":live",
            "--visibility-timeout",
            "30",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])["summary"]
    assert summary == {"replayed": 2, "failed": 0, "rejected": 0, "unreadable": 0}
    assert [r["provider_event_id"] for r in payments(sql, seed)] == [event["id"]]
    assert milestone(sql, seed) == "paid"
    left = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert left["ApproximateNumberOfMessages"] == "0"
