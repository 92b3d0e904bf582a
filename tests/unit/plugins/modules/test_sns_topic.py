"""freelancer.platform.sns_topic against moto in-process: check, apply, idempotency, update, subscriptions
(purge, pending confirmation), delete, bad input."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import sns_topic

NAME = "test-new-bids"
ARN = f"arn:aws:sns:us-east-2:123456789012:{NAME}"
KEY = "arn:aws:kms:us-east-2:123456789012:key/11111111-2222-3333-4444-555555555555"
OTHER_KEY = "arn:aws:kms:us-east-2:123456789012:key/66666666-7777-8888-9999-000000000000"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "PublishFromThisAccount",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": "sns:Publish",
            "Resource": ARN,
        },
        {
            "Sid": "DenyPublishWithoutTls",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sns:Publish",
            "Resource": ARN,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ],
}
EMAIL = {"protocol": "email", "endpoint": "ops@example.com"}
SMS = {"protocol": "sms", "endpoint": "+15555550100"}


def args(**extra):
    base = {
        "name": NAME,
        "display_name": "New bids",
        "kms_master_key_id": KEY,
        "policy": json.dumps(POLICY),
        "subscriptions": [EMAIL, SMS],
        "tags": {"Environment": "test"},
        "region": "us-east-2",
    }
    base.update(extra)
    return base


def sns():
    return boto3.client("sns", region_name="us-east-2")


def topics():
    return [t["TopicArn"] for t in sns().list_topics()["Topics"]]


def subscriptions():
    found = sns().list_subscriptions_by_topic(TopicArn=ARN)["Subscriptions"]
    return sorted((s["Protocol"], s["Endpoint"]) for s in found)


def mark_pending(endpoint):
    """Make moto list a subscription the way AWS lists one awaiting confirmation (moto confirms at once)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    for subscription in sns_backends[DEFAULT_ACCOUNT_ID]["us-east-2"].subscriptions.values():
        if subscription.endpoint == endpoint:
            subscription.arn = "PendingConfirmation"


def test_check_mode_on_nothing_reports_the_topic_it_would_create(run_module, mocked_aws):
    result, failed = run_module(sns_topic, args(), check_mode=True, diff=True)
    assert not failed
    assert result["changed"] is True
    assert result["topic_arn"] == ARN
    assert result["topic"]["kms_master_key_id"] == KEY
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["subscriptions"] == [
        "email:ops@example.com (pending confirmation)",
        "sms:+15555550100",
    ]
    assert topics() == []


def test_create_then_idempotent_then_check_reports_nothing(run_module, mocked_aws):
    result, failed = run_module(sns_topic, args())
    assert not failed and result["changed"] is True
    attributes = sns().get_topic_attributes(TopicArn=ARN)["Attributes"]
    assert attributes["KmsMasterKeyId"] == KEY
    assert attributes["DisplayName"] == "New bids"
    assert json.loads(attributes["Policy"]) == POLICY
    assert sns().list_tags_for_resource(ResourceArn=ARN)["Tags"] == [{"Key": "Environment", "Value": "test"}]
    assert subscriptions() == [("email", "ops@example.com"), ("sms", "+15555550100")]
    assert result["topic"]["topic_arn"] == ARN == result["topic_arn"]

    again, _ = run_module(sns_topic, args())
    assert again["changed"] is False

    reordered = {"Statement": list(reversed(POLICY["Statement"])), "Version": "2012-10-17"}
    same_policy, _ = run_module(sns_topic, args(policy=json.dumps(reordered)))
    assert same_policy["changed"] is False

    preview, _ = run_module(sns_topic, args(), check_mode=True, diff=True)
    assert preview["changed"] is False
    assert preview["diff"]["before"] == preview["diff"]["after"]


def test_changes_are_applied_in_place(run_module, mocked_aws):
    run_module(sns_topic, args())
    changed = args(
        kms_master_key_id=OTHER_KEY,
        display_name="Bids",
        tags={"Environment": "test", "Owner": "team"},
        subscriptions=[EMAIL],
    )
    preview, _ = run_module(sns_topic, changed, check_mode=True, diff=True)
    assert preview["changed"] is True
    assert preview["diff"]["after"]["kms_master_key_id"] == OTHER_KEY
    assert preview["diff"]["after"]["subscriptions"] == ["email:ops@example.com"]
    assert sns().get_topic_attributes(TopicArn=ARN)["Attributes"]["KmsMasterKeyId"] == KEY
    assert len(subscriptions()) == 2

    result, failed = run_module(sns_topic, changed, diff=True)
    assert not failed and result["changed"] is True
    attributes = sns().get_topic_attributes(TopicArn=ARN)["Attributes"]
    assert attributes["KmsMasterKeyId"] == OTHER_KEY and attributes["DisplayName"] == "Bids"
    assert subscriptions() == [("email", "ops@example.com")]
    assert result["topic"]["tags"] == {"Environment": "test", "Owner": "team"}
    again, _ = run_module(sns_topic, changed)
    assert again["changed"] is False


def test_omitted_options_are_left_alone(run_module, mocked_aws):
    run_module(sns_topic, args())
    result, _ = run_module(sns_topic, {"name": NAME, "region": "us-east-2"})
    assert result["changed"] is False
    assert result["topic"]["kms_master_key_id"] == KEY
    assert len(result["topic"]["subscriptions"]) == 2


def test_unlisted_subscriptions_kept_without_purge(run_module, mocked_aws):
    run_module(sns_topic, args())
    result, _ = run_module(sns_topic, args(subscriptions=[], purge_subscriptions=False))
    assert result["changed"] is False
    assert len(subscriptions()) == 2


def test_pending_email_subscription_is_neither_duplicated_nor_counted_as_a_change(run_module, mocked_aws, monkeypatch):
    from ansible.module_utils import basic

    warned = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, message: warned.append(message))
    run_module(sns_topic, args())
    mark_pending("ops@example.com")

    listed, _ = run_module(sns_topic, args())
    assert listed["changed"] is False
    pending = [s for s in listed["topic"]["subscriptions"] if s["protocol"] == "email"]
    assert pending == [
        {"protocol": "email", "endpoint": "ops@example.com", "subscription_arn": "", "pending_confirmation": True}
    ]

    unlisted, failed = run_module(sns_topic, args(subscriptions=[SMS]))
    assert not failed
    assert unlisted["changed"] is False
    assert unlisted["pending_unlisted"] == ["email:ops@example.com"]
    assert [w for w in warned if "email:ops@example.com" in w and "awaits confirmation" in w]
    assert subscriptions() == [("email", "ops@example.com"), ("sms", "+15555550100")]


def test_absent_deletes_the_topic_and_its_subscriptions(run_module, mocked_aws):
    run_module(sns_topic, args())
    absent = {"name": NAME, "state": "absent", "region": "us-east-2"}
    preview, _ = run_module(sns_topic, absent, check_mode=True)
    assert preview["changed"] is True and topics() == [ARN]
    result, _ = run_module(sns_topic, absent, diff=True)
    assert result["changed"] is True and topics() == []
    assert sns().list_subscriptions()["Subscriptions"] == []
    assert result["diff"]["after"] == {}
    again, _ = run_module(sns_topic, absent)
    assert again["changed"] is False


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            {"subscriptions": [{"protocol": "email", "endpoint": "ops.example.com"}]},
            "subscriptions[0].endpoint 'ops.example.com' is not an email address",
        ),
        (
            {"subscriptions": [EMAIL, {"protocol": "sms", "endpoint": "+1 555 555 0100"}]},
            "subscriptions[1].endpoint '+1 555 555 0100' is not an E.164",
        ),
        ({"subscriptions": [{"protocol": "sms", "endpoint": "5555550100"}]}, "is not an E.164 phone number"),
        ({"subscriptions": [{"protocol": "sqs", "endpoint": "my-queue"}]}, "is not an ARN"),
        ({"kms_master_key_id": "my-key"}, "kms_master_key_id 'my-key' is not a KMS key"),
        ({"name": "new bids"}, "name 'new bids' is invalid"),
        ({"policy": "{not json"}, "policy is not valid JSON"),
        ({"policy": json.dumps({"Version": "2012-10-17"})}, "policy must be a policy document"),
    ],
)
def test_bad_input_fails_before_any_call(run_module, mocked_aws, extra, expected):
    result, failed = run_module(sns_topic, args(**extra))
    assert failed
    assert expected in result["msg"]
    assert topics() == []
