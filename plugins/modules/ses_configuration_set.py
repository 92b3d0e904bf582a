#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: ses_configuration_set
short_description: Manage an Amazon SES configuration set and its event destinations (SES v1 API)
version_added: 1.0.0
description:
  - Creates, converges or deletes one SES configuration set through the SES v1
    API, with its event destinations (event publishing to an SNS topic or to
    CloudWatch), and optionally its reputation metrics and sending switches.
  - The set is described first; an event destination is created, updated in
    place or deleted only when it differs; the diff shows the set before and after.
  - Check mode and diff supported.
author:
  - Platform team
options:
  name:
    description:
      - The configuration set name. Letters, digits, underscores and hyphens, at most 64 characters.
    type: str
    required: true
    aliases: [configuration_set_name]
  event_destinations:
    description:
      - The event destinations of the set. Omitted leaves them as they are.
    type: list
    elements: dict
    suboptions:
      name:
        description: The destination name, unique within the set (letters, digits, underscores, hyphens).
        type: str
        required: true
      enabled:
        description: Whether SES publishes to the destination.
        type: bool
        default: true
      matching_event_types:
        description: The email sending events published to the destination.
        type: list
        elements: str
        required: true
        choices: [send, reject, bounce, complaint, delivery, open, click, renderingFailure, deliveryDelay, subscription]
      sns_topic_arn:
        description:
          - ARN of the SNS topic that receives the events.
          - Exactly one of O(event_destinations[].sns_topic_arn) and
            O(event_destinations[].cloudwatch_dimensions) is required.
        type: str
      cloudwatch_dimensions:
        description:
          - The CloudWatch dimensions of the published metrics.
        type: list
        elements: dict
        suboptions:
          name:
            description: The dimension name.
            type: str
            required: true
          value_source:
            description: Where SES reads the dimension value from.
            type: str
            choices: [messageTag, emailHeader, linkTag]
            default: messageTag
          default_value:
            description: The value used when the email has none.
            type: str
            required: true
  purge_event_destinations:
    description:
      - Delete event destinations of the set that O(event_destinations) does not list.
    type: bool
    default: true
  reputation_metrics_enabled:
    description:
      - Publish the set's reputation metrics (bounce and complaint rates) to CloudWatch.
      - Omitted leaves the setting as it is. A set that reports no reputation
        options is taken to have the AWS defaults (off).
    type: bool
  sending_enabled:
    description:
      - Whether email can be sent with this set. Omitted leaves it as it is
        (AWS default on).
    type: bool
  state:
    description: Whether the configuration set should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Deleting a set deletes its event destinations.
  - SES v1 configuration sets cannot be tagged.
"""

EXAMPLES = r"""
- name: Publish bounces, complaints, deliveries, rejects and sends to an SNS topic
  freelancer.platform.ses_configuration_set:
    name: dev-freelancer-platform-events
    event_destinations:
      - name: email-events-sns
        enabled: true
        matching_event_types: [send, reject, bounce, complaint, delivery]
        sns_topic_arn: arn:aws:sns:us-east-2:123456789012:dev-freelancer-platform-email-events
    reputation_metrics_enabled: false

- name: Count bounces and complaints per campaign in CloudWatch
  freelancer.platform.ses_configuration_set:
    name: dev-freelancer-platform-campaigns
    event_destinations:
      - name: campaign-metrics
        matching_event_types: [bounce, complaint]
        cloudwatch_dimensions:
          - name: campaign
            value_source: messageTag
            default_value: none

- name: Remove the set and its destinations
  freelancer.platform.ses_configuration_set:
    name: dev-freelancer-platform-events
    state: absent
"""

RETURN = r"""
configuration_set:
  description: The configuration set as DescribeConfigurationSet returns it, in snake case. Empty when absent.
  returned: always
  type: dict
  contains:
    name:
      description: The name.
      type: str
      sample: dev-freelancer-platform-events
    event_destinations:
      description: The event destinations, sorted by name.
      type: list
      elements: dict
      contains:
        name:
          description: The destination name.
          type: str
          sample: email-events-sns
        enabled:
          description: Whether SES publishes to it.
          type: bool
          sample: true
        matching_event_types:
          description: The published events, sorted.
          type: list
          elements: str
          sample: [bounce, complaint, delivery, reject, send]
        sns_topic_arn:
          description: The SNS topic, for an SNS destination.
          type: str
          sample: arn:aws:sns:us-east-2:123456789012:dev-freelancer-platform-email-events
        cloudwatch_dimensions:
          description: The dimensions, for a CloudWatch destination.
          type: list
          elements: dict
    reputation_metrics_enabled:
      description: Whether reputation metrics are published.
      type: bool
      sample: false
    sending_enabled:
      description: Whether sending with the set is enabled.
      type: bool
      sample: true
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

import re

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SNS_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$")
EVENT_TYPES = [
    "send",
    "reject",
    "bounce",
    "complaint",
    "delivery",
    "open",
    "click",
    "renderingFailure",
    "deliveryDelay",
    "subscription",
]
# What a set that reports no ReputationOptions has: the AWS defaults of a new set.
DEFAULT_REPUTATION = {"ReputationMetricsEnabled": False, "SendingEnabled": True}


def validate(module):
    """Fail, naming the option, on input SES would refuse; no AWS call is made before."""
    params = module.params
    if not NAME_PATTERN.match(params["name"]):
        module.fail_json(
            msg=f"name {params['name']!r} is invalid: use letters, digits, underscores and hyphens, at most 64 characters"
        )
    if params["state"] != "present" or params["event_destinations"] is None:
        return
    seen = set()
    for index, destination in enumerate(params["event_destinations"]):
        where = f"event_destinations[{index}]"
        if not NAME_PATTERN.match(destination["name"]):
            module.fail_json(
                msg=f"{where}.name {destination['name']!r} is invalid: use letters, digits, underscores and hyphens"
            )
        if destination["name"] in seen:
            module.fail_json(msg=f"{where}.name {destination['name']!r} is used twice")
        seen.add(destination["name"])
        if not destination["matching_event_types"]:
            module.fail_json(msg=f"{where}.matching_event_types must list at least one event type")
        targets = [k for k in ("sns_topic_arn", "cloudwatch_dimensions") if destination.get(k)]
        if len(targets) != 1:
            module.fail_json(msg=f"{where} needs exactly one of sns_topic_arn and cloudwatch_dimensions")
        arn = destination.get("sns_topic_arn")
        if arn and not SNS_ARN_PATTERN.match(arn):
            module.fail_json(msg=f"{where}.sns_topic_arn {arn!r} is not an SNS topic ARN")


def describe(client, module, name):
    try:
        return client.describe_configuration_set(
            aws_retry=True,
            ConfigurationSetName=name,
            ConfigurationSetAttributeNames=["eventDestinations", "reputationOptions"],
        )
    except is_boto3_error_code("ConfigurationSetDoesNotExist"):
        return None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not describe configuration set {name}")


def normalise_destination(destination):
    result = {
        "name": destination["Name"],
        "enabled": bool(destination.get("Enabled", False)),
        "matching_event_types": sorted(destination.get("MatchingEventTypes") or []),
    }
    if destination.get("SNSDestination"):
        result["sns_topic_arn"] = destination["SNSDestination"]["TopicARN"]
    if destination.get("CloudWatchDestination"):
        result["cloudwatch_dimensions"] = [
            {
                "name": d["DimensionName"],
                "value_source": d["DimensionValueSource"],
                "default_value": d["DefaultDimensionValue"],
            }
            for d in destination["CloudWatchDestination"].get("DimensionConfigurations", [])
        ]
    if destination.get("KinesisFirehoseDestination"):
        result["kinesis_firehose_destination"] = dict(destination["KinesisFirehoseDestination"])
    return result


def normalise(answer):
    if not answer:
        return {}
    reputation = {**DEFAULT_REPUTATION, **(answer.get("ReputationOptions") or {})}
    destinations = [normalise_destination(d) for d in answer.get("EventDestinations") or [] if d]
    return {
        "name": answer["ConfigurationSet"]["Name"],
        "event_destinations": sorted(destinations, key=lambda d: d["name"]),
        "reputation_metrics_enabled": bool(reputation["ReputationMetricsEnabled"]),
        "sending_enabled": bool(reputation["SendingEnabled"]),
    }


def desired_destination(destination):
    result = {
        "name": destination["name"],
        "enabled": destination["enabled"],
        "matching_event_types": sorted(set(destination["matching_event_types"])),
    }
    if destination.get("sns_topic_arn"):
        result["sns_topic_arn"] = destination["sns_topic_arn"]
    else:
        result["cloudwatch_dimensions"] = [
            {"name": d["name"], "value_source": d["value_source"], "default_value": d["default_value"]}
            for d in destination["cloudwatch_dimensions"]
        ]
    return result


def desired_state(params, before):
    after = dict(before) if before else {"name": params["name"], "event_destinations": [], **_snake(DEFAULT_REPUTATION)}
    if params["event_destinations"] is not None:
        wanted = {d["name"]: desired_destination(d) for d in params["event_destinations"]}
        kept = (
            []
            if params["purge_event_destinations"]
            else [d for d in after["event_destinations"] if d["name"] not in wanted]
        )
        after["event_destinations"] = sorted(kept + list(wanted.values()), key=lambda d: d["name"])
    for option in ("reputation_metrics_enabled", "sending_enabled"):
        if params[option] is not None:
            after[option] = params[option]
    return after


def _snake(reputation):
    return {
        "reputation_metrics_enabled": reputation["ReputationMetricsEnabled"],
        "sending_enabled": reputation["SendingEnabled"],
    }


def to_api(destination):
    request = {
        "Name": destination["name"],
        "Enabled": destination["enabled"],
        "MatchingEventTypes": destination["matching_event_types"],
    }
    if destination.get("sns_topic_arn"):
        request["SNSDestination"] = {"TopicARN": destination["sns_topic_arn"]}
    else:
        request["CloudWatchDestination"] = {
            "DimensionConfigurations": [
                {
                    "DimensionName": d["name"],
                    "DimensionValueSource": d["value_source"],
                    "DefaultDimensionValue": d["default_value"],
                }
                for d in destination["cloudwatch_dimensions"]
            ]
        }
    return request


def create_destination(client, module, name, destination):
    try:
        client.create_configuration_set_event_destination(
            aws_retry=True, ConfigurationSetName=name, EventDestination=to_api(destination)
        )
    except is_boto3_error_code("EventDestinationAlreadyExists"):
        # The set was described just before and does not list it: the service holds the
        # name elsewhere. Plain moto 5.2.5 keeps the destination names of deleted sets for
        # the life of the server (the emulator's patch ses.configuration_set_event_destinations
        # forgets them with the set).
        module.fail_json(
            msg=(
                f"SES says event destination {destination['name']} already exists, but configuration set {name} "
                "does not list it; on the local emulator, restart it (moto keeps the destination names of deleted sets)"
            )
        )


def apply(client, module, before, after):
    name = module.params["name"]
    step = "create the configuration set"
    try:
        if not before:
            client.create_configuration_set(aws_retry=True, ConfigurationSet={"Name": name})
        existing = {d["name"]: d for d in (before or {}).get("event_destinations", [])}
        wanted = {d["name"]: d for d in after["event_destinations"]}
        for destination_name in sorted(set(existing) - set(wanted)):
            step = f"delete event destination {destination_name}"
            client.delete_configuration_set_event_destination(
                aws_retry=True, ConfigurationSetName=name, EventDestinationName=destination_name
            )
        for destination_name, destination in sorted(wanted.items()):
            if destination_name not in existing:
                step = f"create event destination {destination_name}"
                create_destination(client, module, name, destination)
            elif existing[destination_name] != destination:
                step = f"update event destination {destination_name}"
                client.update_configuration_set_event_destination(
                    aws_retry=True, ConfigurationSetName=name, EventDestination=to_api(destination)
                )
        current = before or {**_snake(DEFAULT_REPUTATION)}
        if current["reputation_metrics_enabled"] != after["reputation_metrics_enabled"]:
            step = "set reputation metrics"
            client.update_configuration_set_reputation_metrics_enabled(
                aws_retry=True, ConfigurationSetName=name, Enabled=after["reputation_metrics_enabled"]
            )
        if current["sending_enabled"] != after["sending_enabled"]:
            step = "set sending"
            client.update_configuration_set_sending_enabled(
                aws_retry=True, ConfigurationSetName=name, Enabled=after["sending_enabled"]
            )
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not {step} of configuration set {name}")


def main():
    dimension_spec = dict(
        name=dict(type="str", required=True),
        value_source=dict(type="str", default="messageTag", choices=["messageTag", "emailHeader", "linkTag"]),
        default_value=dict(type="str", required=True),
    )
    destination_spec = dict(
        name=dict(type="str", required=True),
        enabled=dict(type="bool", default=True),
        matching_event_types=dict(type="list", elements="str", required=True, choices=EVENT_TYPES),
        sns_topic_arn=dict(type="str"),
        cloudwatch_dimensions=dict(type="list", elements="dict", options=dimension_spec),
    )
    argument_spec = dict(
        name=dict(type="str", required=True, aliases=["configuration_set_name"]),
        event_destinations=dict(type="list", elements="dict", options=destination_spec),
        purge_event_destinations=dict(type="bool", default=True),
        reputation_metrics_enabled=dict(type="bool"),
        sending_enabled=dict(type="bool"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = module.client("ses", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    name = module.params["name"]

    before = normalise(describe(client, module, name))

    if module.params["state"] == "absent":
        changed = bool(before)
        if changed and not module.check_mode:
            try:
                client.delete_configuration_set(aws_retry=True, ConfigurationSetName=name)
            except is_boto3_error_code("ConfigurationSetDoesNotExist"):
                pass
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
                module.fail_json_aws(e, msg=f"Could not delete configuration set {name}")
        result = dict(changed=changed, configuration_set={})
        if module._diff:
            result["diff"] = dict(before=before, after={})
        module.exit_json(**result)

    after = desired_state(module.params, before)
    changed = before != after
    if changed and not module.check_mode:
        apply(client, module, before, after)
        after = normalise(describe(client, module, name))
    result = dict(changed=changed, configuration_set=after)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
