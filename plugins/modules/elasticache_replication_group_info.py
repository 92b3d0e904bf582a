#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: elasticache_replication_group_info
short_description: Read one ElastiCache replication group, its endpoints and tags
version_added: 1.0.0
description:
  - Describes a replication group by id (DescribeReplicationGroups, ListTagsForResource) and
    returns it in the terms of M(freelancer.platform.elasticache_replication_group), with its
    primary and reader endpoints, so that another role can connect to Redis without managing it.
  - A group that does not exist, or is being deleted, is reported with O(replication_group_id)
    in RV(replication_group) empty and RV(exists) false; that is not an error.
  - Never changes anything; runs the same in check mode.
author:
  - Platform team
options:
  replication_group_id:
    description: The replication group's identifier.
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Find the Redis endpoints
  freelancer.platform.elasticache_replication_group_info:
    replication_group_id: dev-freelancer-platform-redis
  register: redis

- name: Use the primary endpoint
  ansible.builtin.debug:
    msg: "{{ redis.replication_group.primary_endpoint_address if redis.exists else 'no Redis yet' }}"
"""

RETURN = r"""
exists:
  description: Whether the group exists (and is not being deleted).
  returned: always
  type: bool
  sample: true
replication_group:
  description: >-
    The group as M(freelancer.platform.elasticache_replication_group) returns it: the snake-case
    DescribeReplicationGroups answer plus flat keys; empty when it does not exist.
  returned: always
  type: dict
  contains:
    replication_group_id:
      description: The identifier.
      type: str
      sample: dev-freelancer-platform-redis
    status:
      description: The group's status.
      type: str
      sample: available
    primary_endpoint_address:
      description: Where writes go.
      type: str
      sample: dev-freelancer-platform-redis.abc123.ng.0001.use2.cache.amazonaws.com
    reader_endpoint_address:
      description: Where reads are spread over the replicas.
      type: str
      sample: dev-freelancer-platform-redis-ro.abc123.ng.0001.use2.cache.amazonaws.com
    port:
      description: The port of the endpoints.
      type: int
      sample: 6379
    tags:
      description: The group's tags.
      type: dict
      sample: {Environment: dev}
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.freelancer.platform.plugins.module_utils.elasticache import described
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import retrying_client


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(replication_group_id=dict(type="str", required=True)),
        supports_check_mode=True,
    )
    group_id = module.params["replication_group_id"]
    if not group_id.strip():
        module.fail_json(msg="replication_group_id must not be empty")
    client = retrying_client(module, "elasticache")
    try:
        groups = client.describe_replication_groups(aws_retry=True, ReplicationGroupId=group_id)["ReplicationGroups"]
    except is_boto3_error_code("ReplicationGroupNotFoundFault"):
        groups = []
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not describe replication group {group_id}")
    group = groups[0] if groups and groups[0].get("Status") != "deleting" else None
    if not group:
        module.exit_json(changed=False, exists=False, replication_group={})
    try:
        tags = client.list_tags_for_resource(aws_retry=True, ResourceName=group["ARN"])["TagList"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not read the tags of {group_id}")
    module.exit_json(
        changed=False, exists=True, replication_group=described(group, None, boto3_tag_list_to_ansible_dict(tags))
    )


if __name__ == "__main__":
    main()
