#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: cloudwatch_dashboard
short_description: Manage a CloudWatch dashboard and its tags
version_added: 1.0.0
description:
  - Creates, converges or deletes one CloudWatch dashboard, identified by its name.
  - The body is compared as parsed JSON, so key order and whitespace never cause a
    change; the diff shows the body as a document.
  - Validation messages that CloudWatch returns for an accepted body are reported as warnings.
  - Check mode and diff supported. amazon.aws and community.aws have no dashboard module.
author:
  - Platform team
options:
  name:
    description:
      - The dashboard name (letters, digits, hyphens and underscores; at most 255).
    type: str
    required: true
    aliases: [dashboard_name]
  body:
    description:
      - The dashboard body, a JSON object (a dict, or a JSON string) with a C(widgets) list.
      - Required when O(state=present).
    type: json
  state:
    description: Whether the dashboard should exist.
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
- name: The platform overview, rendered from a template
  freelancer.platform.cloudwatch_dashboard:
    name: dev-freelancer-platform-overview
    body: "{{ lookup('ansible.builtin.template', 'dashboard.json.j2') }}"
    tags:
      Environment: dev

- name: A dashboard given as a dict
  freelancer.platform.cloudwatch_dashboard:
    name: dev-freelancer-platform-dlq
    body:
      widgets:
        - type: metric
          x: 0
          y: 0
          width: 12
          height: 6
          properties:
            title: DLQ depth
            region: us-east-2
            metrics:
              - ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "dev-freelancer-platform-payment-webhook-dlq"]

- name: Remove it
  freelancer.platform.cloudwatch_dashboard:
    name: dev-freelancer-platform-dlq
    state: absent
"""

RETURN = r"""
dashboard:
  description: The dashboard, in snake case, with its body parsed. Empty when absent.
  returned: always
  type: dict
  contains:
    dashboard_name:
      description: The name.
      type: str
      sample: dev-freelancer-platform-overview
    dashboard_arn:
      description: The ARN; in check mode for a new dashboard, the ARN it will have.
      type: str
      sample: arn:aws:cloudwatch::123456789012:dashboard/dev-freelancer-platform-overview
    dashboard_body:
      description: The body as a document.
      type: dict
      sample: {"widgets": []}
    tags:
      description: Tags as a dict.
      type: dict
      sample: {"Environment": "dev"}
validation_messages:
  description: The validation messages CloudWatch returned when the body was written.
  returned: always
  type: list
  elements: dict
  sample: []
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
WIDGET_TYPES = ("metric", "text", "log", "alarm", "explorer", "custom")


def parse_body(module):
    """The body as a dict; fails, naming the option, when it is not a dashboard document."""
    raw = module.params["body"]
    try:
        body = json.loads(raw)
    except ValueError as e:
        module.fail_json(msg=f"body is not valid JSON: {e}")
    if not isinstance(body, dict) or not isinstance(body.get("widgets"), list):
        module.fail_json(msg="body must be a JSON object with a widgets list")
    for index, widget in enumerate(body["widgets"]):
        if not isinstance(widget, dict) or widget.get("type") not in WIDGET_TYPES:
            module.fail_json(
                msg=f"body.widgets[{index}] must be an object whose type is one of {', '.join(WIDGET_TYPES)}"
            )
        if widget["type"] == "metric" and not (
            isinstance(widget.get("properties"), dict)
            and isinstance(widget["properties"].get("metrics"), list)
            and widget["properties"]["metrics"]
        ):
            module.fail_json(msg=f"body.widgets[{index}] is a metric widget without properties.metrics")
    return body


def validate(module):
    """Fail, naming the option, on input AWS would refuse; no AWS call is made before."""
    if not NAME_PATTERN.match(module.params["name"]):
        module.fail_json(
            msg=f"name {module.params['name']!r} is invalid: letters, digits, hyphens and underscores, at most 255 characters"
        )
    if module.params["state"] == "present":
        if module.params["body"] is None:
            module.fail_json(msg="body is required when state is present")
        return parse_body(module)
    return None


def describe(client, module, name):
    try:
        answer = client.get_dashboard(aws_retry=True, DashboardName=name)
    except is_boto3_error_code(["ResourceNotFound", "ResourceNotFoundException"]):
        return {}
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not read dashboard {name}")
    try:
        tags = client.list_tags_for_resource(aws_retry=True, ResourceARN=answer["DashboardArn"]).get("Tags", [])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not read the tags of dashboard {name}")
    try:
        body = json.loads(answer.get("DashboardBody") or "{}")
    except ValueError:
        body = {"unparsable_body": answer.get("DashboardBody")}
    return {
        "dashboard_name": answer["DashboardName"],
        "dashboard_arn": answer["DashboardArn"],
        "dashboard_body": body,
        "tags": boto3_tag_list_to_ansible_dict(tags),
    }


def arn_for(module, name):
    """The ARN a new dashboard of this account will have (for check mode)."""
    try:
        caller = module.client("sts").get_caller_identity()
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not read the caller identity")
    partition = caller["Arn"].split(":")[1]
    return f"arn:{partition}:cloudwatch::{caller['Account']}:dashboard/{name}"


def main():
    argument_spec = dict(
        name=dict(type="str", required=True, aliases=["dashboard_name"]),
        body=dict(type="json"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    body = validate(module)
    client = module.client("cloudwatch", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    name = module.params["name"]
    before = describe(client, module, name)

    if module.params["state"] == "absent":
        changed = bool(before)
        if changed and not module.check_mode:
            try:
                client.delete_dashboards(aws_retry=True, DashboardNames=[name])
            except is_boto3_error_code(["ResourceNotFound", "ResourceNotFoundException"]):
                pass
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
                module.fail_json_aws(e, msg=f"Could not delete dashboard {name}")
        result = dict(changed=changed, dashboard={}, validation_messages=[])
        if module._diff:
            result["diff"] = dict(before=before, after={})
        module.exit_json(**result)

    body_changed = not before or before["dashboard_body"] != body
    tags_to_set, tags_to_remove = {}, []
    if module.params["tags"] is not None:
        tags_to_set, tags_to_remove = compare_aws_tags(
            before.get("tags", {}), module.params["tags"], module.params["purge_tags"]
        )
    changed = body_changed or bool(tags_to_set or tags_to_remove)
    messages = []

    if changed and not module.check_mode:
        try:
            if body_changed:
                answer = client.put_dashboard(aws_retry=True, DashboardName=name, DashboardBody=json.dumps(body))
                messages = answer.get("DashboardValidationMessages", [])
            arn = before.get("dashboard_arn") or describe(client, module, name)["dashboard_arn"]
            if tags_to_remove:
                client.untag_resource(aws_retry=True, ResourceARN=arn, TagKeys=tags_to_remove)
            if tags_to_set:
                client.tag_resource(aws_retry=True, ResourceARN=arn, Tags=ansible_dict_to_boto3_tag_list(tags_to_set))
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Could not write dashboard {name}")
        for message in messages:
            module.warn(f"dashboard {name}: {message.get('DataPath', '')} {message.get('Message', '')}".strip())
        after = describe(client, module, name)
    elif changed:
        tags = {k: v for k, v in before.get("tags", {}).items() if k not in tags_to_remove}
        tags.update(tags_to_set)
        after = {
            "dashboard_name": name,
            "dashboard_arn": before.get("dashboard_arn") or arn_for(module, name),
            "dashboard_body": body,
            "tags": tags,
        }
    else:
        after = before

    result = dict(
        changed=changed,
        dashboard=after,
        validation_messages=[{"data_path": m.get("DataPath", ""), "message": m.get("Message", "")} for m in messages],
    )
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
