#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: log_group
short_description: Manage a CloudWatch Logs group with its KMS key, retention and tags
version_added: 1.0.0
description:
  - Creates, converges or deletes a CloudWatch Logs log group.
  - Unlike M(amazon.aws.cloudwatchlogs_log_group), converges the KMS key of an
    existing group (AssociateKmsKey / DisassociateKmsKey), so that every log
    group of the platform is provably encrypted with its key and has a retention.
  - Check mode and diff supported.
author:
  - Platform team
options:
  name:
    description: The log group name.
    type: str
    required: true
    aliases: [log_group_name]
  kms_key_id:
    description:
      - ARN of the KMS key that encrypts the group.
      - An empty string removes the association; omitted leaves it as it is.
    type: str
  retention:
    description:
      - Days to keep events. Omitted leaves it as it is.
    type: int
    choices: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]
  state:
    description: Whether the group should exist.
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
- name: An encrypted application log group kept for 30 days
  freelancer.platform.log_group:
    name: /ecs/dev-freelancer-platform-app
    kms_key_id: arn:aws:kms:us-east-2:123456789012:key/11111111-2222-3333-4444-555555555555
    retention: 30
    tags:
      Environment: dev

- name: Remove it
  freelancer.platform.log_group:
    name: /ecs/dev-freelancer-platform-app
    state: absent
"""

RETURN = r"""
log_group:
  description: The log group as DescribeLogGroups returns it, in snake case, with its tags. Empty when absent.
  returned: always
  type: dict
  contains:
    log_group_name:
      description: The name.
      type: str
      sample: /ecs/dev-freelancer-platform-app
    arn:
      description: The ARN (ending in :*).
      type: str
      sample: arn:aws:logs:us-east-2:123456789012:log-group:/ecs/dev-freelancer-platform-app:*
    kms_key_id:
      description: The KMS key ARN.
      type: str
      sample: arn:aws:kms:us-east-2:123456789012:key/11111111-2222-3333-4444-555555555555
    retention_in_days:
      description: Retention in days.
      type: int
      sample: 30
    tags:
      description: Tags as a dict.
      type: dict
      sample: {"Environment": "dev"}
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags


def describe(client, module, name):
    try:
        paginator = client.get_paginator("describe_log_groups")
        groups = paginator.paginate(logGroupNamePrefix=name).build_full_result()["logGroups"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not describe log group {name}")
    for group in groups:
        if group["logGroupName"] == name:
            try:
                arn = group["arn"][:-2] if group["arn"].endswith(":*") else group["arn"]
                group["tags"] = client.list_tags_for_resource(aws_retry=True, resourceArn=arn).get("tags", {})
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg=f"Could not read the tags of {name}")
            return group
    return None


def normalise(group):
    if not group:
        return {}
    result = camel_dict_to_snake_dict({k: v for k, v in group.items() if k != "tags"})
    result["tags"] = dict(group.get("tags") or {})
    for volatile in ("creation_time", "stored_bytes", "metric_filter_count"):
        result.pop(volatile, None)
    return result


def desired_state(module, before):
    params = module.params
    after = dict(before) if before else {"log_group_name": params["name"], "tags": {}}
    if params["kms_key_id"] is not None:
        if params["kms_key_id"]:
            after["kms_key_id"] = params["kms_key_id"]
        else:
            after.pop("kms_key_id", None)
    if params["retention"] is not None:
        after["retention_in_days"] = params["retention"]
    if params["tags"] is not None:
        after["tags"] = dict(params["tags"]) if params["purge_tags"] else {**after.get("tags", {}), **params["tags"]}
    return after


def apply(client, module, before, after):
    name = module.params["name"]
    call = module.params
    try:
        if not before:
            request = {"logGroupName": name}
            if after.get("kms_key_id"):
                request["kmsKeyId"] = after["kms_key_id"]
            if after.get("tags"):
                request["tags"] = after["tags"]
            client.create_log_group(aws_retry=True, **request)
            if after.get("retention_in_days"):
                client.put_retention_policy(
                    aws_retry=True, logGroupName=name, retentionInDays=after["retention_in_days"]
                )
            return
        if before.get("kms_key_id") != after.get("kms_key_id"):
            if after.get("kms_key_id"):
                client.associate_kms_key(aws_retry=True, logGroupName=name, kmsKeyId=after["kms_key_id"])
            else:
                client.disassociate_kms_key(aws_retry=True, logGroupName=name)
        if before.get("retention_in_days") != after.get("retention_in_days") and call["retention"] is not None:
            client.put_retention_policy(aws_retry=True, logGroupName=name, retentionInDays=after["retention_in_days"])
        if call["tags"] is not None:
            arn = before["arn"][:-2] if before["arn"].endswith(":*") else before["arn"]
            to_add, to_remove = compare_aws_tags(before.get("tags", {}), call["tags"], call["purge_tags"])
            if to_remove:
                client.untag_resource(aws_retry=True, resourceArn=arn, tagKeys=to_remove)
            if to_add:
                client.tag_resource(aws_retry=True, resourceArn=arn, tags=to_add)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not converge log group {name}")


def main():
    argument_spec = dict(
        name=dict(type="str", required=True, aliases=["log_group_name"]),
        kms_key_id=dict(type="str", no_log=False),
        retention=dict(
            type="int",
            choices=[
                1,
                3,
                5,
                7,
                14,
                30,
                60,
                90,
                120,
                150,
                180,
                365,
                400,
                545,
                731,
                1096,
                1827,
                2192,
                2557,
                2922,
                3288,
                3653,
            ],
        ),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    kms_key_id = module.params["kms_key_id"]
    if kms_key_id and not kms_key_id.startswith("arn:"):
        module.fail_json(msg=f"kms_key_id must be a KMS key ARN, got {kms_key_id!r}")
    client = module.client("logs", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    name = module.params["name"]

    raw = describe(client, module, name)
    before = normalise(raw)

    if module.params["state"] == "absent":
        changed = bool(raw)
        if changed and not module.check_mode:
            try:
                client.delete_log_group(aws_retry=True, logGroupName=name)
            except is_boto3_error_code("ResourceNotFoundException"):
                pass
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
                module.fail_json_aws(e, msg=f"Could not delete log group {name}")
        result = dict(changed=changed, log_group={})
        if module._diff:
            result["diff"] = dict(before=before, after={})
        module.exit_json(**result)

    after = desired_state(module, before)
    comparable = ("kms_key_id", "retention_in_days", "tags")
    changed = not raw or any(before.get(k) != after.get(k) for k in comparable)
    if changed and not module.check_mode:
        apply(client, module, before, after)
        after = normalise(describe(client, module, name))
    result = dict(changed=changed, log_group=after)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
