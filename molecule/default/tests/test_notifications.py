"""NTF-1 and NTF-2, asserted on the converged emulator: topics, subscriptions, SES identities,
configuration set, templates; a templated email sent with the set, and a message through a topic."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid

import pytest
from conftest import PROJECT
from conftest import tag_dict
from inventory_of_resources import endpoint_url

TOPICS = {
    "new_bids": "new-bids",
    "milestone_approvals": "milestone-approvals",
    "payment_confirmations": "payment-confirmations",
    "email_events": "email-events",
}
EVENT_TYPES = {"send", "reject", "bounce", "complaint", "delivery"}
TEMPLATES = ("project-update", "milestone-completed", "account-notification")
TEMPLATE_FILES = PROJECT / "roles" / "notifications" / "files" / "ses_templates"


@pytest.fixture(scope="module")
def sns(aws):
    return aws("sns")


@pytest.fixture(scope="module")
def ses(aws):
    return aws("ses")


@pytest.fixture(scope="module")
def messaging_key_arn(aws, prefix):
    return aws("kms").describe_key(KeyId=f"alias/{prefix}-messaging")["KeyMetadata"]["Arn"]


@pytest.fixture(scope="module")
def account(aws):
    return aws("sts").get_caller_identity()["Account"]


def topic_arn(prefix, account, key):
    return f"arn:aws:sns:us-east-2:{account}:{prefix}-{TOPICS[key]}"


def statements(policy_json):
    return json.loads(policy_json)["Statement"]


def as_list(value):
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("key", sorted(TOPICS))
def test_topic_is_encrypted_tagged_and_in_the_outputs(
    sns, prefix, account, outputs, expected_tags, messaging_key_arn, key
):
    arn = topic_arn(prefix, account, key)
    assert outputs[f"{key}_topic_arn"] == arn
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["KmsMasterKeyId"] == messaging_key_arn
    tags = tag_dict(sns.list_tags_for_resource(ResourceArn=arn)["Tags"])
    assert tags.items() >= {**expected_tags, "Name": f"{prefix}-{TOPICS[key]}"}.items()


@pytest.mark.parametrize("key", sorted(TOPICS))
def test_topic_policy_is_least_privilege(sns, prefix, account, key):
    arn = topic_arn(prefix, account, key)
    policy = statements(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])
    for statement in policy:
        assert all(a.startswith("sns:") and "*" not in a for a in as_list(statement["Action"])), statement
        assert as_list(statement["Resource"]) == [arn], statement
    allows = [s for s in policy if s["Effect"] == "Allow"]
    account_publish = [s for s in allows if s["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}]
    assert [as_list(s["Action"]) for s in account_publish] == [["sns:Publish"]]
    services = [s for s in allows if "Service" in s["Principal"]]
    if key == "email_events":
        (ses_statement,) = services
        assert ses_statement["Principal"] == {"Service": "ses.amazonaws.com"}
        condition = ses_statement["Condition"]["StringEquals"]
        assert condition["AWS:SourceAccount"] == account
        assert condition["AWS:SourceArn"] == f"arn:aws:ses:us-east-2:{account}:configuration-set/{prefix}-events"
    else:
        assert services == []
    assert len(allows) == len(account_publish) + len(services), "an Allow to an unexpected principal"
    (deny,) = [s for s in policy if s["Effect"] == "Deny"]
    assert deny["Principal"] == "*"
    assert as_list(deny["Action"]) == ["sns:Publish"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_subscriptions_are_the_inventory_ones(sns, prefix, account, inventory_vars):
    wanted = inventory_vars["notifications_subscriptions"]
    assert {s["protocol"] for s in wanted} == {"email", "sms"}, (
        "the local inventory must keep an email and an SMS subscription"
    )
    for key in TOPICS:
        found = sns.list_subscriptions_by_topic(TopicArn=topic_arn(prefix, account, key))["Subscriptions"]
        expected = sorted((s["protocol"], s["endpoint"]) for s in wanted if s["topic"] == key)
        assert sorted((s["Protocol"], s["Endpoint"]) for s in found) == expected, key


def test_domain_identity_has_dkim_and_its_tokens_are_in_the_outputs(ses, inventory_vars, outputs):
    domain = inventory_vars["notifications_ses_domain"]
    assert domain in ses.list_identities(IdentityType="Domain")["Identities"]
    dkim = ses.get_identity_dkim_attributes(Identities=[domain])["DkimAttributes"][domain]
    assert dkim["DkimEnabled"] is True
    assert len(dkim["DkimTokens"]) == 3
    assert outputs["ses_dkim_tokens"].split(",") == dkim["DkimTokens"]
    assert outputs["ses_domain"] == domain


def test_sender_addresses_are_identities(ses, inventory_vars, outputs):
    senders = inventory_vars["notifications_sender_addresses"]
    assert set(senders) <= set(ses.list_identities(IdentityType="EmailAddress")["Identities"])
    verification = ses.get_identity_verification_attributes(Identities=senders)["VerificationAttributes"]
    assert set(verification) == set(senders)
    assert outputs["ses_sender_address"] == senders[0]


def test_configuration_set_publishes_email_events_to_the_topic(ses, prefix, outputs):
    name = f"{prefix}-events"
    assert outputs["ses_configuration_set_name"] == name
    answer = ses.describe_configuration_set(
        ConfigurationSetName=name, ConfigurationSetAttributeNames=["eventDestinations"]
    )
    (destination,) = answer["EventDestinations"]
    assert destination["Enabled"] is True
    assert set(destination["MatchingEventTypes"]) >= {"bounce", "complaint", "delivery"}
    assert set(destination["MatchingEventTypes"]) == EVENT_TYPES
    assert destination["SNSDestination"]["TopicARN"] == outputs["email_events_topic_arn"]


@pytest.mark.parametrize("template", TEMPLATES)
def test_template_content_is_the_role_files(ses, prefix, template):
    stored = ses.get_template(TemplateName=f"{prefix}-{template}")["Template"]
    files = TEMPLATE_FILES / template
    assert stored["SubjectPart"] == (files / "subject.txt").read_text().rstrip()
    assert stored["HtmlPart"] == (files / "body.html").read_text().rstrip()
    assert stored["TextPart"] == (files / "body.txt").read_text().rstrip()
    assert "{{recipientName}}" in stored["HtmlPart"] and "{{recipientName}}" in stored["TextPart"]


def test_project_update_renders_its_variables(ses, prefix):
    data = {
        "projectName": "Logo redesign",
        "recipientName": "Ada",
        "updateSummary": "The first draft is ready.",
        "projectUrl": "https://app.example.com/projects/42",
    }
    rendered = ses.test_render_template(TemplateName=f"{prefix}-project-update", TemplateData=json.dumps(data))
    text = rendered["RenderedTemplate"]
    assert "Subject: Update on Logo redesign" in text
    assert "Hello Ada," in text and "The first draft is ready." in text
    assert "{{" not in text


def _sent_messages():
    with urllib.request.urlopen(f"{endpoint_url()}/moto-api/data.json", timeout=30) as answer:  # noqa: S310 - the emulator
        return json.loads(answer.read())["ses"]


def test_templated_email_is_sent_with_the_configuration_set(ses, prefix, outputs):
    data = {
        "projectName": "Logo redesign",
        "milestoneName": "First draft",
        "recipientName": "Ada",
        "amount": "250.00",
        "currency": "USD",
        "paymentReleased": True,
        "projectUrl": "https://app.example.com/projects/42",
    }
    recipient = f"client-{uuid.uuid4().hex[:8]}@example.com"
    message_id = ses.send_templated_email(
        Source=outputs["ses_sender_address"],
        Destination={"ToAddresses": [recipient]},
        Template=f"{prefix}-milestone-completed",
        TemplateData=json.dumps(data),
        ConfigurationSetName=outputs["ses_configuration_set_name"],
    )["MessageId"]
    try:
        messages = _sent_messages()
    except urllib.error.HTTPError as error:
        pytest.xfail(f"GET /moto-api/data.json answered {error.code}: the emulator's moto_api patch is not active")
    sent = [m for m in messages["TemplateMessage"] if m["id"] == message_id]
    assert len(sent) == 1
    assert sent[0]["source"] == outputs["ses_sender_address"]
    assert sent[0]["template"] == f"{prefix}-milestone-completed"
    assert sent[0]["destinations"]["ToAddresses"] == [recipient]
    assert json.loads(sent[0]["template_data"]) == data
    if "configuration_set_name" in sent[0]:  # recorded once the emulator's SES patch is active
        assert sent[0]["configuration_set_name"] == outputs["ses_configuration_set_name"]


@pytest.mark.parametrize("key", ["new_bids", "milestone_approvals", "payment_confirmations"])
def test_a_message_published_to_the_topic_reaches_a_subscribed_queue(aws, sns, outputs, key):
    sqs = aws("sqs")
    topic = outputs[f"{key}_topic_arn"]
    queue_url = sqs.create_queue(QueueName=f"verify-notifications-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    subscription = None
    try:
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
                }
            ],
        }
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})
        subscription = sns.subscribe(
            TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
        )["SubscriptionArn"]
        body = json.dumps({"event": key, "projectId": "42", "check": uuid.uuid4().hex})
        sns.publish(TopicArn=topic, Message=body)
        received = []
        deadline = time.monotonic() + 20
        while not received and time.monotonic() < deadline:
            received = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2).get("Messages", [])
        assert [m["Body"] for m in received] == [body]
    finally:
        if subscription:
            sns.unsubscribe(SubscriptionArn=subscription)
        sqs.delete_queue(QueueUrl=queue_url)
