"""freelancer.platform.ses_configuration_set against moto in-process: check, apply, idempotency, update,
delete, bad input. Updating or deleting one event destination and the reputation options use the
emulator's SES patch (plain moto 5.2.5 lacks those operations)."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import ses_configuration_set

NAME = "test-events"
TYPES = ["send", "reject", "bounce", "complaint", "delivery"]


@pytest.fixture
def topic_arn(mocked_aws):
    return boto3.client("sns", region_name="us-east-2").create_topic(Name="test-email-events")["TopicArn"]


@pytest.fixture
def patched_ses(mocked_aws):
    """The emulator's patches (event destination update/delete, reputation options), undone after the test."""
    from freelancer_emulator import patches

    patches.apply_all()
    yield
    patches.restore_all()


def args(topic_arn, **extra):
    base = {
        "name": NAME,
        "event_destinations": [{"name": "email-events-sns", "matching_event_types": TYPES, "sns_topic_arn": topic_arn}],
        "region": "us-east-2",
    }
    base.update(extra)
    return base


def configuration_sets():
    ses = boto3.client("ses", region_name="us-east-2")
    return [c["Name"] for c in ses.list_configuration_sets()["ConfigurationSets"]]


def destinations():
    ses = boto3.client("ses", region_name="us-east-2")
    answer = ses.describe_configuration_set(
        ConfigurationSetName=NAME, ConfigurationSetAttributeNames=["eventDestinations"]
    )
    return answer["EventDestinations"]


def test_check_mode_on_nothing_reports_a_change_and_creates_nothing(run_module, topic_arn):
    result, failed = run_module(ses_configuration_set, args(topic_arn), check_mode=True, diff=True)
    assert not failed
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["configuration_set"]["event_destinations"][0]["sns_topic_arn"] == topic_arn
    assert configuration_sets() == []


def test_create_then_idempotent_then_check_reports_nothing(run_module, topic_arn):
    result, failed = run_module(ses_configuration_set, args(topic_arn))
    assert not failed and result["changed"] is True
    (destination,) = destinations()
    assert destination["Enabled"] is True
    assert sorted(destination["MatchingEventTypes"]) == sorted(TYPES)
    assert destination["SNSDestination"]["TopicARN"] == topic_arn
    assert result["configuration_set"]["event_destinations"] == [
        {"name": "email-events-sns", "enabled": True, "matching_event_types": sorted(TYPES), "sns_topic_arn": topic_arn}
    ]

    again, _ = run_module(
        ses_configuration_set, args(topic_arn, reputation_metrics_enabled=False, sending_enabled=True)
    )
    assert again["changed"] is False

    preview, _ = run_module(ses_configuration_set, args(topic_arn), check_mode=True, diff=True)
    assert preview["changed"] is False
    assert preview["diff"]["before"] == preview["diff"]["after"]


def test_event_types_order_and_duplicates_do_not_matter(run_module, topic_arn):
    run_module(ses_configuration_set, args(topic_arn))
    shuffled = args(topic_arn)
    shuffled["event_destinations"][0]["matching_event_types"] = [*reversed(TYPES), "bounce"]
    result, _ = run_module(ses_configuration_set, shuffled)
    assert result["changed"] is False


def test_changed_destination_is_updated_in_place(run_module, topic_arn, patched_ses):
    run_module(ses_configuration_set, args(topic_arn))
    changed = args(topic_arn)
    changed["event_destinations"][0].update(enabled=False, matching_event_types=["bounce", "complaint"])

    preview, _ = run_module(ses_configuration_set, changed, check_mode=True)
    assert preview["changed"] is True
    assert destinations()[0]["Enabled"] is True

    result, failed = run_module(ses_configuration_set, changed, diff=True)
    assert not failed and result["changed"] is True
    (destination,) = destinations()
    assert destination["Enabled"] is False
    assert sorted(destination["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert result["diff"]["before"]["event_destinations"][0]["enabled"] is True
    assert result["diff"]["after"]["event_destinations"][0]["enabled"] is False
    again, _ = run_module(ses_configuration_set, changed)
    assert again["changed"] is False


def test_unlisted_destination_is_purged_or_kept(run_module, topic_arn, patched_ses):
    two = args(topic_arn)
    two["event_destinations"].append(
        {
            "name": "email-metrics",
            "matching_event_types": ["bounce"],
            "cloudwatch_dimensions": [{"name": "campaign", "default_value": "none"}],
        }
    )
    run_module(ses_configuration_set, two)
    assert sorted(d["Name"] for d in destinations()) == ["email-events-sns", "email-metrics"]

    kept, _ = run_module(ses_configuration_set, args(topic_arn, purge_event_destinations=False))
    assert kept["changed"] is False
    assert len(destinations()) == 2

    purged, _ = run_module(ses_configuration_set, args(topic_arn))
    assert purged["changed"] is True
    assert [d["Name"] for d in destinations()] == ["email-events-sns"]


def test_reputation_metrics_and_sending_switches(run_module, topic_arn, patched_ses):
    run_module(ses_configuration_set, args(topic_arn))
    result, _ = run_module(
        ses_configuration_set, args(topic_arn, reputation_metrics_enabled=True, sending_enabled=False)
    )
    assert result["changed"] is True
    assert result["configuration_set"]["reputation_metrics_enabled"] is True
    assert result["configuration_set"]["sending_enabled"] is False
    again, _ = run_module(
        ses_configuration_set, args(topic_arn, reputation_metrics_enabled=True, sending_enabled=False)
    )
    assert again["changed"] is False


def test_absent_deletes_then_is_idempotent(run_module, topic_arn):
    run_module(ses_configuration_set, args(topic_arn))
    absent = {"name": NAME, "state": "absent", "region": "us-east-2"}
    preview, _ = run_module(ses_configuration_set, absent, check_mode=True)
    assert preview["changed"] is True and configuration_sets() == [NAME]
    result, _ = run_module(ses_configuration_set, absent, diff=True)
    assert result["changed"] is True and configuration_sets() == []
    assert result["diff"]["after"] == {}
    again, _ = run_module(ses_configuration_set, absent)
    assert again["changed"] is False


def test_recreated_after_delete(run_module, topic_arn, patched_ses):
    run_module(ses_configuration_set, args(topic_arn))
    run_module(ses_configuration_set, {"name": NAME, "state": "absent", "region": "us-east-2"})
    result, failed = run_module(ses_configuration_set, args(topic_arn))
    assert not failed and result["changed"] is True
    assert len(destinations()) == 1


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"name": "bad name"}, "name 'bad name' is invalid"),
        (
            {"destination": {"sns_topic_arn": "not-an-arn"}},
            "event_destinations[0].sns_topic_arn 'not-an-arn' is not an SNS topic ARN",
        ),
        (
            {"destination": {"matching_event_types": []}},
            "event_destinations[0].matching_event_types must list at least one",
        ),
        (
            {"destination": {"cloudwatch_dimensions": [{"name": "c", "default_value": "x"}]}},
            "event_destinations[0] needs exactly one of sns_topic_arn and cloudwatch_dimensions",
        ),
        ({"destination": {"matching_event_types": ["bounced"]}}, "matching_event_types"),
        ({"twice": True}, "event_destinations[1].name 'email-events-sns' is used twice"),
    ],
)
def test_bad_input_fails_before_any_call(run_module, topic_arn, change, expected):
    bad = args(topic_arn)
    bad.update({k: v for k, v in change.items() if k == "name"})
    bad["event_destinations"][0].update(change.get("destination", {}))
    if change.get("twice"):
        bad["event_destinations"].append(dict(bad["event_destinations"][0]))
    result, failed = run_module(ses_configuration_set, bad)
    assert failed
    assert expected in result["msg"]
    assert configuration_sets() == []
