#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: ecs_cluster
short_description: Manage an ECS cluster with its Container Insights setting, capacity providers and tags
version_added: 1.0.0
description:
  - Creates, converges or deletes an ECS cluster.
  - Unlike M(community.aws.ecs_cluster), converges the C(containerInsights) cluster
    setting and the cluster's tags, and always states the capacity providers, so a
    cluster is provably observable and tagged.
  - A deleted cluster stays visible as C(INACTIVE) for a while; it counts as absent.
  - Check mode and diff supported.
author:
  - Platform team
options:
  name:
    description: The cluster name.
    type: str
    required: true
  container_insights:
    description:
      - The C(containerInsights) setting. C(enhanced) adds task and container level metrics.
      - Omitted leaves the setting as it is.
    type: str
    choices: [enabled, enhanced, disabled]
  capacity_providers:
    description:
      - The capacity providers the cluster may use (for Fargate, C(FARGATE) and C(FARGATE_SPOT)).
      - Omitted leaves them as they are.
    type: list
    elements: str
  default_capacity_provider_strategy:
    description:
      - The strategy used when a service or task names none.
      - Only used together with O(capacity_providers); omitted means an empty strategy.
    type: list
    elements: dict
    suboptions:
      capacity_provider:
        description: One of O(capacity_providers).
        type: str
        required: true
      weight:
        description: Relative share of tasks.
        type: int
        default: 0
      base:
        description: Tasks placed on this provider first.
        type: int
        default: 0
  state:
    description: Whether the cluster should exist.
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
- name: A Fargate cluster with Container Insights
  freelancer.platform.ecs_cluster:
    name: dev-freelancer-platform-cluster
    container_insights: enabled
    capacity_providers: [FARGATE, FARGATE_SPOT]
    default_capacity_provider_strategy:
      - capacity_provider: FARGATE
        weight: 1
    tags:
      Environment: dev

- name: Remove it
  freelancer.platform.ecs_cluster:
    name: dev-freelancer-platform-cluster
    state: absent
"""

RETURN = r"""
cluster:
  description: The cluster as DescribeClusters returns it, in snake case, with its tags as a dict. Empty when absent.
  returned: always
  type: dict
  contains:
    cluster_name:
      description: The name.
      type: str
      sample: dev-freelancer-platform-cluster
    cluster_arn:
      description: The ARN.
      type: str
      sample: arn:aws:ecs:us-east-2:123456789012:cluster/dev-freelancer-platform-cluster
    status:
      description: ACTIVE once created.
      type: str
      sample: ACTIVE
    settings:
      description: The cluster settings.
      type: list
      elements: dict
      sample: [{"name": "containerInsights", "value": "enabled"}]
    capacity_providers:
      description: The capacity providers.
      type: list
      elements: str
      sample: [FARGATE]
    default_capacity_provider_strategy:
      description: The default strategy.
      type: list
      elements: dict
      sample: [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}]
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
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import desired_tags
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import ecs_tag_dict
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import ecs_tag_list
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import exit_with_diff
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import resource_argument_spec
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import retrying_client
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import update_ecs_tags


def describe(client, module, name):
    try:
        answer = client.describe_clusters(aws_retry=True, clusters=[name], include=["SETTINGS", "TAGS"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not describe ECS cluster {name}")
    for cluster in answer.get("clusters", []):
        if cluster.get("clusterName") == name and cluster.get("status") != "INACTIVE":
            return cluster
    return None


def normalise(cluster):
    """The comparable view of a cluster: settings as a dict, strategy with defaults, tags as a dict."""
    if not cluster:
        return {}
    return {
        "cluster_name": cluster["clusterName"],
        "cluster_arn": cluster.get("clusterArn", ""),
        "status": cluster.get("status", ""),
        "settings": sorted(
            ({"name": s["name"], "value": s["value"]} for s in cluster.get("settings") or []), key=lambda s: s["name"]
        ),
        "capacity_providers": sorted(cluster.get("capacityProviders") or []),
        "default_capacity_provider_strategy": sorted(
            (
                {
                    "capacity_provider": s["capacityProvider"],
                    "weight": int(s.get("weight", 0)),
                    "base": int(s.get("base", 0)),
                }
                for s in cluster.get("defaultCapacityProviderStrategy") or []
            ),
            key=lambda s: s["capacity_provider"],
        ),
        "tags": ecs_tag_dict(cluster.get("tags")),
    }


def desired_state(params, before):
    after = (
        dict(before)
        if before
        else {
            "cluster_name": params["name"],
            "cluster_arn": "",
            "status": "ACTIVE",
            "settings": [],
            "capacity_providers": [],
            "default_capacity_provider_strategy": [],
            "tags": {},
        }
    )
    if params["container_insights"] is not None:
        others = [s for s in after["settings"] if s["name"] != "containerInsights"]
        after["settings"] = sorted(
            [*others, {"name": "containerInsights", "value": params["container_insights"]}], key=lambda s: s["name"]
        )
    if params["capacity_providers"] is not None:
        after["capacity_providers"] = sorted(params["capacity_providers"])
        after["default_capacity_provider_strategy"] = sorted(
            (dict(s) for s in params["default_capacity_provider_strategy"] or []),
            key=lambda s: s["capacity_provider"],
        )
    after["tags"] = desired_tags(after["tags"], params)
    return after


def strategy_request(strategy):
    return [{"capacityProvider": s["capacity_provider"], "weight": s["weight"], "base": s["base"]} for s in strategy]


def create(client, module, after):
    request = {"clusterName": after["cluster_name"]}
    if after["settings"]:
        request["settings"] = after["settings"]
    if after["capacity_providers"]:
        request["capacityProviders"] = after["capacity_providers"]
    if after["default_capacity_provider_strategy"]:
        request["defaultCapacityProviderStrategy"] = strategy_request(after["default_capacity_provider_strategy"])
    if after["tags"]:
        request["tags"] = ecs_tag_list(after["tags"])
    try:
        client.create_cluster(aws_retry=True, **request)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not create ECS cluster {after['cluster_name']}")


def update(client, module, before, after):
    name = after["cluster_name"]
    params = module.params
    try:
        if before["settings"] != after["settings"]:
            client.update_cluster(aws_retry=True, cluster=name, settings=after["settings"])
        if (
            before["capacity_providers"] != after["capacity_providers"]
            or before["default_capacity_provider_strategy"] != after["default_capacity_provider_strategy"]
        ):
            client.put_cluster_capacity_providers(
                aws_retry=True,
                cluster=name,
                capacityProviders=after["capacity_providers"],
                defaultCapacityProviderStrategy=strategy_request(after["default_capacity_provider_strategy"]),
            )
        update_ecs_tags(client, before["cluster_arn"], before["tags"], params)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not converge ECS cluster {name}")


def validate(module):
    params = module.params
    providers = params["capacity_providers"]
    strategy = params["default_capacity_provider_strategy"] or []
    if strategy and providers is None:
        module.fail_json(msg="default_capacity_provider_strategy requires capacity_providers")
    unknown = sorted({s["capacity_provider"] for s in strategy} - set(providers or []))
    if unknown:
        module.fail_json(msg=f"default_capacity_provider_strategy names providers not in capacity_providers: {unknown}")
    if any(s["weight"] < 0 or s["weight"] > 1000 or s["base"] < 0 or s["base"] > 100000 for s in strategy):
        module.fail_json(msg="default_capacity_provider_strategy: weight must be 0-1000 and base 0-100000")


def main():
    argument_spec = resource_argument_spec(
        name=dict(type="str", required=True),
        container_insights=dict(type="str", choices=["enabled", "enhanced", "disabled"]),
        capacity_providers=dict(type="list", elements="str"),
        default_capacity_provider_strategy=dict(
            type="list",
            elements="dict",
            options=dict(
                capacity_provider=dict(type="str", required=True),
                weight=dict(type="int", default=0),
                base=dict(type="int", default=0),
            ),
        ),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = retrying_client(module, "ecs")
    name = module.params["name"]

    before = normalise(describe(client, module, name))

    if module.params["state"] == "absent":
        changed = bool(before)
        if changed and not module.check_mode:
            try:
                client.delete_cluster(aws_retry=True, cluster=name)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg=f"Could not delete ECS cluster {name}")
        exit_with_diff(module, changed, before, {}, cluster={})

    after = desired_state(module.params, before)
    comparable = ("settings", "capacity_providers", "default_capacity_provider_strategy", "tags")
    changed = not before or any(before[k] != after[k] for k in comparable)
    if changed and not module.check_mode:
        if before:
            update(client, module, before, after)
        else:
            create(client, module, after)
        after = normalise(describe(client, module, name))
    exit_with_diff(module, changed, before, after, cluster=camel_dict_to_snake_dict(after, ignore_list=["tags"]))


if __name__ == "__main__":
    main()
