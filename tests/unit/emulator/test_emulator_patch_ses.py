"""SES v1: configuration sets, their event destinations, DKIM switch, templated sends.

Each test states the AWS behaviour and fails on plain moto 5.2.5.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws


@pytest.fixture
def patched_aws(patched: list[str]) -> Iterator[None]:
    with mock_aws():
        yield


def _topic(name: str) -> str:
    return boto3.client("sns").create_topic(Name=name)["TopicArn"]


def _destination(name: str, topic: str, types: list[str], enabled: bool = True) -> dict:
    return {"Name": name, "Enabled": enabled, "MatchingEventTypes": types, "SNSDestination": {"TopicARN": topic}}


def _described(ses, name: str) -> dict:
    return ses.describe_configuration_set(
        ConfigurationSetName=name, ConfigurationSetAttributeNames=["eventDestinations", "reputationOptions"]
    )


def test_every_destination_of_a_set_is_listed_and_names_are_per_set(patched_aws) -> None:
    """AWS: a set lists all its destinations; another set may reuse a destination name."""
    ses = boto3.client("ses")
    topic = _topic("events")
    for name in ("one", "two"):
        ses.create_configuration_set(ConfigurationSet={"Name": name})
    ses.create_configuration_set_event_destination(
        ConfigurationSetName="one", EventDestination=_destination("sns", topic, ["bounce"])
    )
    ses.create_configuration_set_event_destination(
        ConfigurationSetName="one", EventDestination=_destination("sns-2", topic, ["complaint"])
    )
    ses.create_configuration_set_event_destination(
        ConfigurationSetName="two", EventDestination=_destination("sns", topic, ["delivery"])
    )
    assert sorted(d["Name"] for d in _described(ses, "one")["EventDestinations"]) == ["sns", "sns-2"]
    assert [d["MatchingEventTypes"] for d in _described(ses, "two")["EventDestinations"]] == [["delivery"]]
    with pytest.raises(ClientError) as error:
        ses.create_configuration_set_event_destination(
            ConfigurationSetName="one", EventDestination=_destination("sns", topic, ["send"])
        )
    assert error.value.response["Error"]["Code"] == "EventDestinationAlreadyExists"


def test_a_set_deleted_and_created_again_gets_its_destination_back(patched_aws) -> None:
    """AWS: deleting a set deletes its destinations; the names are free again."""
    ses = boto3.client("ses")
    topic = _topic("events")
    for _ in range(2):
        ses.create_configuration_set(ConfigurationSet={"Name": "events"})
        ses.create_configuration_set_event_destination(
            ConfigurationSetName="events", EventDestination=_destination("sns", topic, ["bounce"])
        )
        assert len(_described(ses, "events")["EventDestinations"]) == 1
        ses.delete_configuration_set(ConfigurationSetName="events")
    with pytest.raises(ClientError) as error:
        ses.delete_configuration_set(ConfigurationSetName="events")
    assert error.value.response["Error"]["Code"] == "ConfigurationSetDoesNotExist"


def test_update_and_delete_an_event_destination(patched_aws) -> None:
    """AWS: UpdateConfigurationSetEventDestination replaces a destination; Delete removes it;
    both raise EventDestinationDoesNotExist for an unknown name."""
    ses = boto3.client("ses")
    topic = _topic("events")
    ses.create_configuration_set(ConfigurationSet={"Name": "events"})
    ses.create_configuration_set_event_destination(
        ConfigurationSetName="events", EventDestination=_destination("sns", topic, ["bounce"])
    )
    ses.update_configuration_set_event_destination(
        ConfigurationSetName="events", EventDestination=_destination("sns", topic, ["bounce", "send"], enabled=False)
    )
    (destination,) = _described(ses, "events")["EventDestinations"]
    assert destination["Enabled"] is False
    assert sorted(destination["MatchingEventTypes"]) == ["bounce", "send"]
    ses.delete_configuration_set_event_destination(ConfigurationSetName="events", EventDestinationName="sns")
    assert _described(ses, "events")["EventDestinations"] == []
    for call, kwargs in (
        (ses.delete_configuration_set_event_destination, {"EventDestinationName": "sns"}),
        (ses.update_configuration_set_event_destination, {"EventDestination": _destination("sns", topic, ["send"])}),
    ):
        with pytest.raises(ClientError) as error:
            call(ConfigurationSetName="events", **kwargs)
        assert error.value.response["Error"]["Code"] == "EventDestinationDoesNotExist"


def test_reputation_options_are_reported_and_sending_can_be_switched(patched_aws) -> None:
    """AWS: ReputationOptions report SendingEnabled (default true) and ReputationMetricsEnabled (default false)."""
    ses = boto3.client("ses")
    ses.create_configuration_set(ConfigurationSet={"Name": "events"})
    options = _described(ses, "events")["ReputationOptions"]
    assert options["SendingEnabled"] is True and options["ReputationMetricsEnabled"] is False
    ses.update_configuration_set_reputation_metrics_enabled(ConfigurationSetName="events", Enabled=True)
    ses.update_configuration_set_sending_enabled(ConfigurationSetName="events", Enabled=False)
    options = _described(ses, "events")["ReputationOptions"]
    assert options["SendingEnabled"] is False and options["ReputationMetricsEnabled"] is True


def test_dkim_signing_can_be_switched_off_and_on(patched_aws) -> None:
    """AWS: SetIdentityDkimEnabled switches DkimEnabled of the identity."""
    ses = boto3.client("ses")
    ses.verify_domain_dkim(Domain="example.com")
    ses.set_identity_dkim_enabled(Identity="example.com", DkimEnabled=False)
    assert (
        ses.get_identity_dkim_attributes(Identities=["example.com"])["DkimAttributes"]["example.com"]["DkimEnabled"]
        is False
    )
    ses.set_identity_dkim_enabled(Identity="example.com", DkimEnabled=True)
    assert (
        ses.get_identity_dkim_attributes(Identities=["example.com"])["DkimAttributes"]["example.com"]["DkimEnabled"]
        is True
    )


def test_templated_email_records_its_configuration_set(patched_aws) -> None:
    """AWS: SendTemplatedEmail refuses an unknown configuration set and sends with a known one."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    ses = boto3.client("ses")
    ses.verify_domain_identity(Domain="example.com")
    ses.create_configuration_set(ConfigurationSet={"Name": "events"})
    ses.create_template(Template={"TemplateName": "hello", "SubjectPart": "Hi {{name}}", "TextPart": "Hi {{name}}"})
    send = dict(
        Source="sender@example.com",
        Destination={"ToAddresses": ["to@example.com"]},
        Template="hello",
        TemplateData=json.dumps({"name": "Ada"}),
    )
    with pytest.raises(ClientError) as error:
        ses.send_templated_email(ConfigurationSetName="missing", **send)
    assert error.value.response["Error"]["Code"] == "ConfigurationSetDoesNotExist"
    message_id = ses.send_templated_email(ConfigurationSetName="events", **send)["MessageId"]
    (message,) = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-2"].sent_messages
    assert message.id == message_id
    assert message.configuration_set_name == "events"
