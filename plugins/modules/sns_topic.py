#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: sns_topic
short_description: Manage an SNS topic with its KMS key, policy, tags and subscriptions
version_added: 1.0.0
description:
  - Creates, converges or deletes one standard SNS topic, identified by its name.
  - Unlike M(community.aws.sns_topic), converges the topic's KMS key
    (C(KmsMasterKeyId)), works in check mode for a topic that does not exist
    yet, returns a diff, and purges subscriptions correctly.
  - "Subscriptions: a listed subscription that is missing is created; one that
    exists, confirmed or pending confirmation, is left alone. With
    O(purge_subscriptions), a confirmed subscription that is not listed is
    removed. A pending email subscription has no ARN yet and cannot be removed
    by anyone: it is reported in RV(pending_unlisted) with a warning, does not
    count as a change, and expires after three days unless confirmed (a later
    run then removes it)."
  - Email endpoints must look like email addresses and SMS endpoints must be
    E.164 numbers (for example V(+15555550100)); both are checked before any AWS call.
author:
  - Platform team
options:
  name:
    description: The topic name (letters, digits, hyphens, underscores; at most 256).
    type: str
    required: true
  display_name:
    description:
      - The display name; SMS messages start with it. Omitted leaves it as it is.
    type: str
  kms_master_key_id:
    description:
      - The KMS key (ARN, key id, alias name or alias ARN) that encrypts the topic at rest.
      - An empty string removes the encryption; omitted leaves it as it is.
    type: str
  policy:
    description:
      - The topic's access policy (a dict or a JSON string). Omitted leaves it as it is.
      - Compared as a policy, so key order and single-item lists do not cause a change.
    type: json
  subscriptions:
    description:
      - The subscriptions the topic should have. Omitted leaves them as they are.
    type: list
    elements: dict
    suboptions:
      protocol:
        description: The protocol.
        type: str
        required: true
        choices: [email, email-json, sms, sqs, lambda, http, https, firehose, application]
      endpoint:
        description:
          - An email address for email and email-json, an E.164 phone number for
            sms, an ARN for sqs, lambda, firehose and application, a URL for http and https.
        type: str
        required: true
  purge_subscriptions:
    description:
      - Remove confirmed subscriptions that O(subscriptions) does not list.
    type: bool
    default: true
  state:
    description: Whether the topic should exist. Deleting a topic deletes its subscriptions.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: An encrypted topic with an email and an SMS subscription
  freelancer.platform.sns_topic:
    name: dev-freelancer-platform-new-bids
    display_name: New bids
    kms_master_key_id: arn:aws:kms:us-east-2:123456789012:key/11111111-2222-3333-4444-555555555555
    policy: "{{ lookup('ansible.builtin.template', 'topic_policy.json.j2') }}"
    subscriptions:
      - protocol: email
        endpoint: ops@example.com
      - protocol: sms
        endpoint: "+15555550100"
    tags:
      Environment: dev

- name: Remove the topic and its subscriptions
  freelancer.platform.sns_topic:
    name: dev-freelancer-platform-new-bids
    state: absent
"""

RETURN = r"""
topic_arn:
  description: The topic ARN; in check mode for a new topic, the ARN it will have. Empty when absent.
  returned: always
  type: str
  sample: arn:aws:sns:us-east-2:123456789012:dev-freelancer-platform-new-bids
topic:
  description: The topic, in snake case. Empty when absent.
  returned: always
  type: dict
  contains:
    name:
      description: The name.
      type: str
      sample: dev-freelancer-platform-new-bids
    topic_arn:
      description: The ARN.
      type: str
      sample: arn:aws:sns:us-east-2:123456789012:dev-freelancer-platform-new-bids
    display_name:
      description: The display name.
      type: str
      sample: New bids
    kms_master_key_id:
      description: The KMS key as set; empty when the topic is not encrypted.
      type: str
      sample: arn:aws:kms:us-east-2:123456789012:key/11111111-2222-3333-4444-555555555555
    policy:
      description: The access policy.
      type: dict
    tags:
      description: Tags as a dict.
      type: dict
      sample: {"Environment": "dev"}
    subscriptions:
      description: The subscriptions, sorted by protocol and endpoint.
      type: list
      elements: dict
      contains:
        protocol:
          description: The protocol.
          type: str
          sample: email
        endpoint:
          description: The endpoint.
          type: str
          sample: ops@example.com
        subscription_arn:
          description: The subscription ARN; empty while it waits for confirmation or before it is created.
          type: str
        pending_confirmation:
          description: Whether the endpoint's owner has yet to confirm it.
          type: bool
pending_unlisted:
  description: Subscriptions not listed in O(subscriptions) that could not be removed because they await confirmation.
  returned: always
  type: list
  elements: str
  sample: ["email:old-ops@example.com"]
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.freelancer.platform.plugins.module_utils.notifications import is_e164
from ansible_collections.freelancer.platform.plugins.module_utils.notifications import is_email_address

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
KMS_KEY_PATTERN = re.compile(
    r"^(arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+|alias/.+|[0-9a-fA-F-]{36}|mrk-[0-9a-f]{32})$"
)
# SubscriptionArn values that are not ARNs: waiting for the endpoint's owner, or being removed.
PENDING = "PendingConfirmation"
DELETED = "Deleted"


def endpoint_problem(protocol, endpoint):
    """Why an endpoint is wrong for its protocol, or None."""
    if protocol in ("email", "email-json"):
        return None if is_email_address(endpoint) else "is not an email address"
    if protocol == "sms":
        return (
            None
            if is_e164(endpoint)
            else "is not an E.164 phone number (a plus, the country code, the number; for example +15555550100)"
        )
    if protocol in ("sqs", "lambda", "firehose", "application"):
        return None if endpoint.startswith("arn:") else "is not an ARN"
    if not endpoint.startswith(f"{protocol}://"):
        return f"is not an {protocol} URL"
    return None


def validate(module):
    """Fail, naming the option, on input AWS would refuse; no AWS call is made before."""
    params = module.params
    if not NAME_PATTERN.match(params["name"]):
        module.fail_json(
            msg=f"name {params['name']!r} is invalid: letters, digits, hyphens and underscores, at most 256 characters"
        )
    if params["state"] != "present":
        return
    for index, subscription in enumerate(params["subscriptions"] or []):
        problem = endpoint_problem(subscription["protocol"], subscription["endpoint"])
        if problem:
            module.fail_json(
                msg=f"subscriptions[{index}].endpoint {subscription['endpoint']!r} {problem} (protocol {subscription['protocol']})"
            )
    key = params["kms_master_key_id"]
    if key and not KMS_KEY_PATTERN.match(key):
        module.fail_json(msg=f"kms_master_key_id {key!r} is not a KMS key ARN, key id or alias")
    if params["policy"] is not None:
        try:
            policy = json.loads(params["policy"])
        except ValueError:
            module.fail_json(msg="policy is not valid JSON")
        if not isinstance(policy, dict) or not isinstance(policy.get("Statement"), list):
            module.fail_json(msg="policy must be a policy document with a Statement list")


def find_topic_arn(client, module, name):
    try:
        for page in client.get_paginator("list_topics").paginate():
            for topic in page.get("Topics", []):
                if topic["TopicArn"].rsplit(":", 1)[-1] == name:
                    return topic["TopicArn"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not list SNS topics")
    return None


def list_subscriptions(client, module, arn):
    try:
        pages = client.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=arn)
        return [s for page in pages for s in page.get("Subscriptions", [])]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not list the subscriptions of {arn}")


def describe(client, module, arn):
    if not arn:
        return {}
    try:
        attributes = client.get_topic_attributes(aws_retry=True, TopicArn=arn)["Attributes"]
        tags = client.list_tags_for_resource(aws_retry=True, ResourceArn=arn).get("Tags", [])
    except is_boto3_error_code("NotFound"):
        return {}
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not describe topic {arn}")
    subscriptions = []
    for subscription in list_subscriptions(client, module, arn):
        if subscription["SubscriptionArn"] == DELETED:
            continue
        pending = subscription["SubscriptionArn"] == PENDING
        subscriptions.append(
            {
                "protocol": subscription["Protocol"],
                "endpoint": subscription["Endpoint"],
                "subscription_arn": "" if pending else subscription["SubscriptionArn"],
                "pending_confirmation": pending,
            }
        )
    policy = attributes.get("Policy")
    return {
        "name": arn.rsplit(":", 1)[-1],
        "topic_arn": arn,
        "display_name": attributes.get("DisplayName", ""),
        "kms_master_key_id": attributes.get("KmsMasterKeyId", ""),
        "policy": json.loads(policy) if policy else {},
        "tags": boto3_tag_list_to_ansible_dict(tags),
        "subscriptions": sorted(subscriptions, key=lambda s: (s["protocol"], s["endpoint"])),
    }


def key_of(subscription):
    return (subscription["protocol"], subscription["endpoint"])


def plan(module, before):
    """What to change: attributes to set, tags to add and remove, subscriptions to add and remove."""
    params = module.params
    attributes = {}
    if params["display_name"] is not None and params["display_name"] != before.get("display_name", ""):
        attributes["DisplayName"] = params["display_name"]
    if params["kms_master_key_id"] is not None and params["kms_master_key_id"] != before.get("kms_master_key_id", ""):
        attributes["KmsMasterKeyId"] = params["kms_master_key_id"]
    if params["policy"] is not None:
        wanted = json.loads(params["policy"])
        if not before or compare_policies(before.get("policy") or {}, wanted):
            attributes["Policy"] = json.dumps(wanted)
    tags_to_set, tags_to_remove = {}, []
    if params["tags"] is not None:
        tags_to_set, tags_to_remove = compare_aws_tags(before.get("tags", {}), params["tags"], params["purge_tags"])
    to_add, to_remove, pending_unlisted = [], [], []
    if params["subscriptions"] is not None:
        wanted_keys = {key_of(s) for s in params["subscriptions"]}
        existing = before.get("subscriptions", [])
        existing_keys = {key_of(s) for s in existing}
        to_add = sorted(wanted_keys - existing_keys)
        if params["purge_subscriptions"]:
            for subscription in existing:
                if key_of(subscription) in wanted_keys:
                    continue
                if subscription["pending_confirmation"]:
                    pending_unlisted.append(subscription)
                else:
                    to_remove.append(subscription)
    return attributes, tags_to_set, tags_to_remove, to_add, to_remove, pending_unlisted


def predicted(module, before, arn, attributes, tags_to_set, tags_to_remove, to_add, to_remove):
    """The topic as it will be after the changes: what check mode reports."""
    after = (
        dict(before)
        if before
        else {
            "name": module.params["name"],
            "topic_arn": arn,
            "display_name": "",
            "kms_master_key_id": "",
            "policy": {},
            "tags": {},
            "subscriptions": [],
        }
    )
    if "DisplayName" in attributes:
        after["display_name"] = attributes["DisplayName"]
    if "KmsMasterKeyId" in attributes:
        after["kms_master_key_id"] = attributes["KmsMasterKeyId"]
    if "Policy" in attributes:
        after["policy"] = json.loads(attributes["Policy"])
    tags = {k: v for k, v in after["tags"].items() if k not in tags_to_remove}
    tags.update(tags_to_set)
    after["tags"] = tags
    removed = {key_of(s) for s in to_remove}
    subscriptions = [s for s in after["subscriptions"] if key_of(s) not in removed]
    subscriptions += [
        {"protocol": p, "endpoint": e, "subscription_arn": "", "pending_confirmation": p in ("email", "email-json")}
        for p, e in to_add
    ]
    after["subscriptions"] = sorted(subscriptions, key=lambda s: (s["protocol"], s["endpoint"]))
    return after


def arn_for(module, name):
    """The ARN a new topic of this account and region will have (for check mode)."""
    try:
        caller = module.client("sts").get_caller_identity()
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not read the caller identity")
    partition = caller["Arn"].split(":")[1]
    return f"arn:{partition}:sns:{module.region}:{caller['Account']}:{name}"


def apply(client, module, arn, attributes, tags_to_set, tags_to_remove, to_add, to_remove):
    name = module.params["name"]
    step = "create"
    try:
        if not arn:
            request = {"Name": name, "Attributes": attributes}
            if tags_to_set:
                request["Tags"] = ansible_dict_to_boto3_tag_list(tags_to_set)
            arn = client.create_topic(aws_retry=True, **request)["TopicArn"]
        else:
            for attribute, value in attributes.items():
                step = f"set {attribute} of"
                client.set_topic_attributes(aws_retry=True, TopicArn=arn, AttributeName=attribute, AttributeValue=value)
            if tags_to_remove:
                step = "untag"
                client.untag_resource(aws_retry=True, ResourceArn=arn, TagKeys=tags_to_remove)
            if tags_to_set:
                step = "tag"
                client.tag_resource(aws_retry=True, ResourceArn=arn, Tags=ansible_dict_to_boto3_tag_list(tags_to_set))
        for subscription in to_remove:
            step = f"unsubscribe {subscription['protocol']}:{subscription['endpoint']} from"
            client.unsubscribe(aws_retry=True, SubscriptionArn=subscription["subscription_arn"])
        for protocol, endpoint in to_add:
            step = f"subscribe {protocol}:{endpoint} to"
            client.subscribe(
                aws_retry=True, TopicArn=arn, Protocol=protocol, Endpoint=endpoint, ReturnSubscriptionArn=True
            )
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not {step} topic {name}")
    return arn


def for_diff(topic):
    """The topic with subscriptions as readable strings, for the diff."""
    if not topic:
        return {}
    view = dict(topic)
    view["subscriptions"] = [
        f"{s['protocol']}:{s['endpoint']}" + (" (pending confirmation)" if s["pending_confirmation"] else "")
        for s in topic["subscriptions"]
    ]
    return view


def main():
    subscription_spec = dict(
        protocol=dict(
            type="str",
            required=True,
            choices=["email", "email-json", "sms", "sqs", "lambda", "http", "https", "firehose", "application"],
        ),
        endpoint=dict(type="str", required=True),
    )
    argument_spec = dict(
        name=dict(type="str", required=True),
        display_name=dict(type="str"),
        kms_master_key_id=dict(type="str", no_log=False),
        policy=dict(type="json"),
        subscriptions=dict(type="list", elements="dict", options=subscription_spec),
        purge_subscriptions=dict(type="bool", default=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = module.client("sns", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    name = module.params["name"]

    arn = find_topic_arn(client, module, name)
    before = describe(client, module, arn)

    if module.params["state"] == "absent":
        changed = bool(before)
        if changed and not module.check_mode:
            try:
                client.delete_topic(aws_retry=True, TopicArn=arn)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg=f"Could not delete topic {name}")
        result = dict(changed=changed, topic_arn="", topic={}, pending_unlisted=[])
        if module._diff:
            result["diff"] = dict(before=for_diff(before), after={})
        module.exit_json(**result)

    attributes, tags_to_set, tags_to_remove, to_add, to_remove, pending_unlisted = plan(module, before)
    changed = not before or bool(attributes or tags_to_set or tags_to_remove or to_add or to_remove)
    for subscription in pending_unlisted:
        module.warn(
            f"{subscription['protocol']}:{subscription['endpoint']} is not listed but awaits confirmation, so it cannot "
            "be removed; it expires after three days unless confirmed (a later run removes it then)"
        )
    if changed and not module.check_mode:
        arn = apply(client, module, arn, attributes, tags_to_set, tags_to_remove, to_add, to_remove)
        after = describe(client, module, arn)
    elif changed:
        after = predicted(
            module, before, arn or arn_for(module, name), attributes, tags_to_set, tags_to_remove, to_add, to_remove
        )
    else:
        after = before
    result = dict(
        changed=changed,
        topic_arn=after["topic_arn"],
        topic=after,
        pending_unlisted=[f"{s['protocol']}:{s['endpoint']}" for s in pending_unlisted],
    )
    if module._diff:
        result["diff"] = dict(before=for_diff(before), after=for_diff(after))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
