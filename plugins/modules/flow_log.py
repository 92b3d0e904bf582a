#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: flow_log
short_description: Manage a VPC, subnet or network interface flow log
version_added: 1.0.0
description:
  - Creates, converges or deletes one flow log of a resource, identified by the
    resource, its traffic type and its destination.
  - A flow log cannot be modified in place except for its tags. When an
    immutable property differs (aggregation interval, IAM role, log format),
    the flow log is replaced, and the diff says so.
author:
  - Platform team
options:
  resource_id:
    description: The id of the VPC, subnet or network interface.
    type: str
    required: true
  resource_type:
    description: The type of O(resource_id).
    type: str
    choices: [VPC, Subnet, NetworkInterface]
    default: VPC
  traffic_type:
    description: Which traffic to record.
    type: str
    choices: [ACCEPT, REJECT, ALL]
    default: ALL
  log_destination_type:
    description: Where to deliver the records.
    type: str
    choices: [cloud-watch-logs, s3]
    default: cloud-watch-logs
  log_group_name:
    description:
      - The CloudWatch Logs group to deliver to.
      - Required when O(log_destination_type=cloud-watch-logs) and O(state=present).
    type: str
  log_destination:
    description:
      - The ARN of the S3 bucket (and optional prefix) to deliver to.
      - Required when O(log_destination_type=s3) and O(state=present).
    type: str
  deliver_logs_permission_arn:
    description:
      - The IAM role that lets the flow logs service write to the log group.
      - Required when O(log_destination_type=cloud-watch-logs) and O(state=present).
    type: str
  max_aggregation_interval:
    description: Seconds over which packets are aggregated into one record.
    type: int
    choices: [60, 600]
    default: 600
  log_format:
    description: Custom record format; the AWS default format when not given.
    type: str
  state:
    description: Whether the flow log should exist.
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
- name: Record all traffic of a VPC to an encrypted log group
  freelancer.platform.flow_log:
    resource_id: vpc-0123456789abcdef0
    traffic_type: ALL
    log_group_name: /aws/vpc/dev-freelancer-platform-flow-logs
    deliver_logs_permission_arn: arn:aws:iam::123456789012:role/dev-freelancer-platform-flow-logs
    max_aggregation_interval: 600
    tags:
      Environment: dev

- name: Remove that flow log
  freelancer.platform.flow_log:
    resource_id: vpc-0123456789abcdef0
    log_group_name: /aws/vpc/dev-freelancer-platform-flow-logs
    state: absent
"""

RETURN = r"""
flow_log:
  description: The flow log, as DescribeFlowLogs returns it, in snake case. Empty when absent.
  returned: always
  type: dict
  contains:
    flow_log_id:
      description: The flow log id.
      type: str
      sample: fl-0123456789abcdef0
    flow_log_status:
      description: ACTIVE once created.
      type: str
      sample: ACTIVE
    resource_id:
      description: The resource the flow log records.
      type: str
      sample: vpc-0123456789abcdef0
    traffic_type:
      description: The recorded traffic.
      type: str
      sample: ALL
    log_destination_type:
      description: cloud-watch-logs or s3.
      type: str
      sample: cloud-watch-logs
    log_group_name:
      description: The destination log group.
      type: str
      sample: /aws/vpc/dev-freelancer-platform-flow-logs
    deliver_logs_permission_arn:
      description: The delivery role.
      type: str
      sample: arn:aws:iam::123456789012:role/dev-freelancer-platform-flow-logs
    max_aggregation_interval:
      description: Aggregation interval in seconds.
      type: int
      sample: 600
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
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import ensure_ec2_tags
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications

# Properties AWS cannot change on an existing flow log: a difference means replace.
IMMUTABLE = ("MaxAggregationInterval", "DeliverLogsPermissionArn", "LogFormat")


def destination_matches(flow_log, params):
    if flow_log.get("TrafficType") != params["traffic_type"]:
        return False
    if flow_log.get("LogDestinationType", "cloud-watch-logs") != params["log_destination_type"]:
        return False
    if params["log_destination_type"] == "s3":
        return flow_log.get("LogDestination") == params["log_destination"]
    return flow_log.get("LogGroupName") == params["log_group_name"]


def find_flow_log(client, module):
    try:
        result = client.describe_flow_logs(
            aws_retry=True, Filters=[{"Name": "resource-id", "Values": [module.params["resource_id"]]}]
        )
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not describe flow logs")
    for flow_log in result.get("FlowLogs", []):
        if destination_matches(flow_log, module.params):
            return flow_log
    return None


def desired_properties(params):
    desired = {
        "MaxAggregationInterval": params["max_aggregation_interval"],
        "DeliverLogsPermissionArn": params["deliver_logs_permission_arn"],
    }
    if params["log_format"]:
        desired["LogFormat"] = params["log_format"]
    return desired


def immutable_differences(flow_log, params):
    desired = desired_properties(params)
    return sorted(key for key, value in desired.items() if value is not None and flow_log.get(key) != value)


def create_flow_log(client, module):
    params = module.params
    request = {
        "ResourceIds": [params["resource_id"]],
        "ResourceType": params["resource_type"],
        "TrafficType": params["traffic_type"],
        "LogDestinationType": params["log_destination_type"],
        "MaxAggregationInterval": params["max_aggregation_interval"],
    }
    if params["log_destination_type"] == "s3":
        request["LogDestination"] = params["log_destination"]
    else:
        request["LogGroupName"] = params["log_group_name"]
        request["DeliverLogsPermissionArn"] = params["deliver_logs_permission_arn"]
    if params["log_format"]:
        request["LogFormat"] = params["log_format"]
    if params["tags"]:
        request["TagSpecifications"] = boto3_tag_specifications(params["tags"], types="vpc-flow-log")
    try:
        result = client.create_flow_logs(aws_retry=True, **request)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not create the flow log")
    if result.get("Unsuccessful"):
        module.fail_json(msg="Could not create the flow log", unsuccessful=result["Unsuccessful"])


def delete_flow_log(client, module, flow_log_id):
    try:
        result = client.delete_flow_logs(aws_retry=True, FlowLogIds=[flow_log_id])
    except is_boto3_error_code("InvalidFlowLogId.NotFound"):
        return
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not delete flow log {flow_log_id}")
    if result.get("Unsuccessful"):
        module.fail_json(msg=f"Could not delete flow log {flow_log_id}", unsuccessful=result["Unsuccessful"])


def describe(flow_log):
    if not flow_log:
        return {}
    result = camel_dict_to_snake_dict(flow_log, ignore_list=["Tags"])
    result["tags"] = boto3_tag_list_to_ansible_dict(flow_log.get("Tags", []))
    result.pop("creation_time", None)
    return result


def validate(module):
    params = module.params
    if params["state"] != "present":
        return
    if params["log_destination_type"] == "cloud-watch-logs":
        missing = [k for k in ("log_group_name", "deliver_logs_permission_arn") if not params[k]]
        if missing:
            module.fail_json(msg=f"{', '.join(missing)} required when log_destination_type is cloud-watch-logs")
    elif not params["log_destination"] or not params["log_destination"].startswith("arn:"):
        module.fail_json(msg="log_destination must be an S3 bucket ARN when log_destination_type is s3")


def main():
    argument_spec = dict(
        resource_id=dict(type="str", required=True),
        resource_type=dict(type="str", default="VPC", choices=["VPC", "Subnet", "NetworkInterface"]),
        traffic_type=dict(type="str", default="ALL", choices=["ACCEPT", "REJECT", "ALL"]),
        log_destination_type=dict(type="str", default="cloud-watch-logs", choices=["cloud-watch-logs", "s3"]),
        log_group_name=dict(type="str"),
        log_destination=dict(type="str"),
        deliver_logs_permission_arn=dict(type="str"),
        max_aggregation_interval=dict(type="int", default=600, choices=[60, 600]),
        log_format=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff(retries=10))

    existing = find_flow_log(client, module)
    before = describe(existing)
    changed = False
    replaced = False

    if module.params["state"] == "absent":
        if existing:
            changed = True
            if not module.check_mode:
                delete_flow_log(client, module, existing["FlowLogId"])
        result = dict(changed=changed, flow_log={})
        if module._diff:
            result["diff"] = dict(before=before, after={})
        module.exit_json(**result)

    if existing and immutable_differences(existing, module.params):
        replaced = True
        changed = True
        if not module.check_mode:
            delete_flow_log(client, module, existing["FlowLogId"])
        existing = None

    if not existing:
        changed = True
        if not module.check_mode:
            create_flow_log(client, module)
    elif module.params["tags"] is not None:
        changed |= ensure_ec2_tags(
            client,
            module,
            existing["FlowLogId"],
            tags=module.params["tags"],
            purge_tags=module.params["purge_tags"],
        )

    if module.check_mode and changed:
        after = dict(before)
        after.update(camel_dict_to_snake_dict(desired_properties(module.params)))
        after.update(
            resource_id=module.params["resource_id"],
            traffic_type=module.params["traffic_type"],
            log_destination_type=module.params["log_destination_type"],
            log_group_name=module.params["log_group_name"],
        )
        if module.params["tags"] is not None:
            after["tags"] = (
                module.params["tags"]
                if module.params["purge_tags"]
                else {**before.get("tags", {}), **module.params["tags"]}
            )
        flow_log = after
    else:
        flow_log = describe(find_flow_log(client, module))

    result = dict(changed=changed, replaced=replaced, flow_log=flow_log)
    if module._diff:
        result["diff"] = dict(before=before, after=flow_log)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
