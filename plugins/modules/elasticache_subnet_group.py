#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: elasticache_subnet_group
short_description: Manage an ElastiCache cache subnet group with its tags
version_added: 1.0.0
description:
  - Creates, converges or deletes an ElastiCache cache subnet group, the subnets a
    replication group's nodes are placed in.
  - Unlike M(community.aws.elasticache_subnet_group), manages the group's tags, returns
    what it would create in check mode and reports a diff.
  - The subnets are compared as a set. A group still used by a replication group cannot
    be deleted; the module then fails naming the reason.
author:
  - Platform team
options:
  name:
    description:
      - The subnet group name, at most 255 lowercase letters, digits and hyphens,
        starting with a letter, without two consecutive hyphens or a trailing hyphen.
    type: str
    required: true
  description:
    description: The group's description; the name when not given on creation.
    type: str
  subnets:
    description:
      - The ids of the VPC subnets, all in one VPC. Required to create the group.
    type: list
    elements: str
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
notes:
  - IAM actions used - elasticache:DescribeCacheSubnetGroups, elasticache:CreateCacheSubnetGroup,
    elasticache:ModifyCacheSubnetGroup, elasticache:DeleteCacheSubnetGroup,
    elasticache:ListTagsForResource, elasticache:AddTagsToResource, elasticache:RemoveTagsFromResource.
"""

EXAMPLES = r"""
- name: The data subnets, for the Redis nodes
  freelancer.platform.elasticache_subnet_group:
    name: dev-freelancer-platform-redis
    description: Data tier subnets of the freelancer platform
    subnets:
      - subnet-0123456789abcdef0
      - subnet-0fedcba9876543210
    tags:
      Environment: dev

- name: Remove it (after the replication groups that use it)
  freelancer.platform.elasticache_subnet_group:
    name: dev-freelancer-platform-redis
    state: absent
"""

RETURN = r"""
cache_subnet_group:
  description: The group in snake case, with its subnet ids and tags. Empty when absent.
  returned: always
  type: dict
  contains:
    name:
      description: The name.
      type: str
      sample: dev-freelancer-platform-redis
    description:
      description: The description.
      type: str
      sample: Data tier subnets of the freelancer platform
    vpc_id:
      description: The VPC of the subnets.
      type: str
      sample: vpc-0123456789abcdef0
    subnet_ids:
      description: The subnet ids, sorted.
      type: list
      elements: str
      sample: [subnet-0123456789abcdef0, subnet-0fedcba9876543210]
    arn:
      description: The ARN.
      type: str
      sample: arn:aws:elasticache:us-east-2:123456789012:subnetgroup:dev-freelancer-platform-redis
    tags:
      description: Tags as a dict.
      type: dict
      sample: {"Environment": "dev"}
"""

import re

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import desired_tags
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import exit_with_diff
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import resource_argument_spec
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import retrying_client
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import update_elasticache_tags

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def describe(client, module, name):
    try:
        groups = client.describe_cache_subnet_groups(aws_retry=True, CacheSubnetGroupName=name)["CacheSubnetGroups"]
    except is_boto3_error_code("CacheSubnetGroupNotFoundFault"):
        return None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not describe cache subnet group {name}")
    if not groups:
        return None
    group = groups[0]
    try:
        group["Tags"] = client.list_tags_for_resource(aws_retry=True, ResourceName=group["ARN"])["TagList"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not read the tags of cache subnet group {name}")
    return group


def normalise(group):
    if not group:
        return {}
    return {
        "name": group["CacheSubnetGroupName"],
        "description": group.get("CacheSubnetGroupDescription"),
        "vpc_id": group.get("VpcId"),
        "subnet_ids": sorted(s["SubnetIdentifier"] for s in group.get("Subnets") or []),
        "arn": group.get("ARN"),
        "tags": boto3_tag_list_to_ansible_dict(group.get("Tags") or []),
    }


def desired_state(params, before):
    after = dict(before) if before else {"name": params["name"], "description": params["name"], "tags": {}}
    if params["description"] is not None:
        after["description"] = params["description"]
    if params["subnets"] is not None:
        after["subnet_ids"] = sorted(set(params["subnets"]))
    after["tags"] = desired_tags(after.get("tags", {}), params)
    return after


def apply(client, module, before, after):
    params = module.params
    name = params["name"]
    try:
        if not before:
            request = {
                "CacheSubnetGroupName": name,
                "CacheSubnetGroupDescription": after["description"],
                "SubnetIds": after["subnet_ids"],
            }
            if after["tags"]:
                request["Tags"] = ansible_dict_to_boto3_tag_list(after["tags"])
            client.create_cache_subnet_group(aws_retry=True, **request)
            return
        request = {}
        if before["description"] != after["description"]:
            request["CacheSubnetGroupDescription"] = after["description"]
        if before["subnet_ids"] != after["subnet_ids"]:
            request["SubnetIds"] = after["subnet_ids"]
        if request:
            client.modify_cache_subnet_group(aws_retry=True, CacheSubnetGroupName=name, **request)
        update_elasticache_tags(client, before["arn"], before["tags"], params)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not converge cache subnet group {name}")


def delete(client, module, name):
    try:
        client.delete_cache_subnet_group(aws_retry=True, CacheSubnetGroupName=name)
    except is_boto3_error_code("CacheSubnetGroupNotFoundFault"):
        return False
    except is_boto3_error_code("CacheSubnetGroupInUse"):  # pylint: disable=duplicate-except
        module.fail_json(
            msg=f"Cache subnet group {name} is still used by a replication group or cache cluster: delete those first"
        )
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not delete cache subnet group {name}")
    return True


def validate(module):
    params = module.params
    name = params["name"]
    if len(name) > 255 or not NAME_PATTERN.match(name):
        module.fail_json(
            msg=f"name {name!r} is invalid: use at most 255 lowercase letters, digits and hyphens, starting with a "
            "letter, without two consecutive hyphens or a trailing hyphen"
        )
    if params["state"] == "present" and params["subnets"] is not None:
        bad = [s for s in params["subnets"] if not s.startswith("subnet-")]
        if bad or not params["subnets"]:
            module.fail_json(msg=f"subnets must be a non-empty list of subnet ids, got {params['subnets']}")


def main():
    argument_spec = resource_argument_spec(
        name=dict(type="str", required=True),
        description=dict(type="str"),
        subnets=dict(type="list", elements="str"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = retrying_client(module, "elasticache")
    name = module.params["name"]
    before = normalise(describe(client, module, name))

    if module.params["state"] == "absent":
        changed = bool(before)
        if changed and not module.check_mode:
            changed = delete(client, module, name)
        exit_with_diff(module, changed, before, {}, cache_subnet_group={})

    if not before and not module.params["subnets"]:
        module.fail_json(msg=f"subnets is required to create cache subnet group {name}")
    after = desired_state(module.params, before)
    changed = not before or any(before.get(k) != after.get(k) for k in ("description", "subnet_ids", "tags"))
    if changed and not module.check_mode:
        apply(client, module, before, after)
        after = normalise(describe(client, module, name))
    exit_with_diff(module, changed, before, after, cache_subnet_group=after)


if __name__ == "__main__":
    main()
