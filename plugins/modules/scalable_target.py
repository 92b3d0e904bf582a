#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: scalable_target
short_description: Manage an Application Auto Scaling target with its target tracking policies
version_added: 1.0.0
description:
  - Registers, converges or deregisters one scalable target (for example an ECS
    service's desired count) together with its target tracking policies.
  - Unlike M(community.aws.application_autoscaling_policy), it honours check mode
    (nothing is registered or put under C(--check)), converges several policies of
    one target in one task, removes policies it does not name (O(purge_policies)),
    converges the target's tags, and on O(state=absent) deletes the policies and
    deregisters the target.
  - Policies are looked up for the exact resource id and dimension and matched by
    name on the client side.
  - Check mode and diff supported.
author:
  - Platform team
options:
  service_namespace:
    description: The namespace of the scaled resource.
    type: str
    required: true
    choices: [ecs, dynamodb, elasticmapreduce, ec2, appstream, rds, sagemaker, lambda, elasticache, kafka, neptune]
  resource_id:
    description: The resource, for an ECS service C(service/<cluster>/<service>).
    type: str
    required: true
  scalable_dimension:
    description: The scaled dimension, for an ECS service C(ecs:service:DesiredCount).
    type: str
    required: true
  min_capacity:
    description: Lower bound. Required when O(state=present).
    type: int
  max_capacity:
    description: Upper bound. Required when O(state=present).
    type: int
  policies:
    description: The target tracking policies of the target.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Policy name, unique for the target.
        type: str
        required: true
      predefined_metric_type:
        description: The predefined metric, for example C(ECSServiceAverageCPUUtilization).
        type: str
        required: true
      resource_label:
        description: Needed by C(ALBRequestCountPerTarget) only.
        type: str
      target_value:
        description: The metric value to keep.
        type: float
        required: true
      scale_in_cooldown:
        description: Seconds after a scale-in before another.
        type: int
        default: 300
      scale_out_cooldown:
        description: Seconds after a scale-out before another.
        type: int
        default: 60
      disable_scale_in:
        description: Only ever scale out with this policy.
        type: bool
        default: false
  purge_policies:
    description: Delete policies of the target that O(policies) does not name.
    type: bool
    default: true
  state:
    description: Whether the target should be registered.
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
- name: Scale the service on CPU and memory
  freelancer.platform.scalable_target:
    service_namespace: ecs
    resource_id: service/dev-freelancer-platform-cluster/dev-freelancer-platform-app
    scalable_dimension: ecs:service:DesiredCount
    min_capacity: 2
    max_capacity: 6
    policies:
      - name: dev-freelancer-platform-app-cpu
        predefined_metric_type: ECSServiceAverageCPUUtilization
        target_value: 60
      - name: dev-freelancer-platform-app-memory
        predefined_metric_type: ECSServiceAverageMemoryUtilization
        target_value: 70
    tags:
      Environment: dev

- name: Deregister the target and delete its policies
  freelancer.platform.scalable_target:
    service_namespace: ecs
    resource_id: service/dev-freelancer-platform-cluster/dev-freelancer-platform-app
    scalable_dimension: ecs:service:DesiredCount
    state: absent
"""

RETURN = r"""
scalable_target:
  description: The target after the run. Empty when absent.
  returned: always
  type: dict
  contains:
    resource_id:
      description: The scaled resource.
      type: str
      sample: service/dev-freelancer-platform-cluster/dev-freelancer-platform-app
    min_capacity:
      description: Lower bound.
      type: int
      sample: 2
    max_capacity:
      description: Upper bound.
      type: int
      sample: 6
    scalable_target_arn:
      description: The target's ARN (empty in check mode for a target not registered yet).
      type: str
    tags:
      description: Tags as a dict (when managed).
      type: dict
policies:
  description: The target tracking policies after the run, by name.
  returned: always
  type: dict
  sample:
    dev-freelancer-platform-app-cpu:
      policy_type: TargetTrackingScaling
      target_tracking_scaling_policy_configuration:
        target_value: 60.0
        predefined_metric_specification:
          predefined_metric_type: ECSServiceAverageCPUUtilization
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags


def key(module):
    params = module.params
    return dict(
        ServiceNamespace=params["service_namespace"],
        ResourceId=params["resource_id"],
        ScalableDimension=params["scalable_dimension"],
    )


def describe_target(client, module):
    params = module.params
    try:
        answer = client.describe_scalable_targets(
            aws_retry=True,
            ServiceNamespace=params["service_namespace"],
            ResourceIds=[params["resource_id"]],
            ScalableDimension=params["scalable_dimension"],
        )
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not describe the scalable target {params['resource_id']}")
    for target in answer.get("ScalableTargets", []):
        if (
            target["ResourceId"] == params["resource_id"]
            and target["ScalableDimension"] == params["scalable_dimension"]
        ):
            return target
    return None


def describe_policies(client, module):
    params = module.params
    try:
        paginator = client.get_paginator("describe_scaling_policies")
        found = paginator.paginate(
            ServiceNamespace=params["service_namespace"],
            ResourceId=params["resource_id"],
            ScalableDimension=params["scalable_dimension"],
        ).build_full_result()["ScalingPolicies"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not describe the scaling policies of {params['resource_id']}")
    return {
        p["PolicyName"]: p
        for p in found
        if p["ResourceId"] == params["resource_id"] and p["ScalableDimension"] == params["scalable_dimension"]
    }


def describe_tags(client, module, arn):
    if module.params["tags"] is None or not arn:
        return {}
    try:
        return client.list_tags_for_resource(aws_retry=True, ResourceARN=arn).get("Tags", {})
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not read the tags of {arn}")


def policy_view(policy):
    """A policy's comparable configuration, with the defaults AWS reports filled in."""
    config = policy.get("TargetTrackingScalingPolicyConfiguration") or {}
    metric = dict(config.get("PredefinedMetricSpecification") or {})
    if not metric.get("ResourceLabel"):
        metric.pop("ResourceLabel", None)
    return {
        "PolicyType": policy.get("PolicyType", ""),
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": float(config.get("TargetValue", 0)),
            "PredefinedMetricSpecification": metric,
            "ScaleInCooldown": int(config.get("ScaleInCooldown", 300)),
            "ScaleOutCooldown": int(config.get("ScaleOutCooldown", 300)),
            "DisableScaleIn": bool(config.get("DisableScaleIn", False)),
        },
    }


def wanted_policy(spec):
    metric = {"PredefinedMetricType": spec["predefined_metric_type"]}
    if spec.get("resource_label"):
        metric["ResourceLabel"] = spec["resource_label"]
    return {
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": float(spec["target_value"]),
            "PredefinedMetricSpecification": metric,
            "ScaleInCooldown": int(spec["scale_in_cooldown"]),
            "ScaleOutCooldown": int(spec["scale_out_cooldown"]),
            "DisableScaleIn": bool(spec["disable_scale_in"]),
        },
    }


def state_view(target, policies, tags):
    if not target:
        return {}
    return {
        "target": {
            "ResourceId": target["ResourceId"],
            "ScalableDimension": target["ScalableDimension"],
            "MinCapacity": int(target["MinCapacity"]),
            "MaxCapacity": int(target["MaxCapacity"]),
            "ScalableTargetARN": target.get("ScalableTargetARN", ""),
            "Tags": tags,
        },
        "policies": {name: policy_view(p) for name, p in sorted(policies.items())},
    }


def validate(module):
    params = module.params
    if params["state"] != "present":
        return
    for name in ("min_capacity", "max_capacity"):
        if params[name] is None:
            module.fail_json(msg=f"{name} is required when state is present")
    if params["min_capacity"] < 0 or params["min_capacity"] > params["max_capacity"]:
        module.fail_json(
            msg=f"min_capacity ({params['min_capacity']}) must be from 0 to max_capacity ({params['max_capacity']})"
        )
    names = [p["name"] for p in params["policies"]]
    if len(set(names)) != len(names):
        module.fail_json(msg=f"policy names must be unique, got {names}")
    for policy in params["policies"]:
        if policy["target_value"] <= 0:
            module.fail_json(msg=f"policy {policy['name']}: target_value must be positive")
        if policy["scale_in_cooldown"] < 0 or policy["scale_out_cooldown"] < 0:
            module.fail_json(msg=f"policy {policy['name']}: cooldowns must not be negative")


def absent(client, module, target, policies, tags):
    before = state_view(target, policies, tags)
    changed = bool(target or policies)
    if changed and not module.check_mode:
        try:
            for name in policies:
                client.delete_scaling_policy(aws_retry=True, PolicyName=name, **key(module))
            if target:
                client.deregister_scalable_target(aws_retry=True, **key(module))
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Could not remove the scaling of {module.params['resource_id']}")
    result = dict(changed=changed, scalable_target={}, policies={})
    if module._diff:
        result["diff"] = dict(before=before, after={})
    module.exit_json(**result)


def main():
    argument_spec = dict(
        service_namespace=dict(
            type="str",
            required=True,
            choices=[
                "ecs",
                "dynamodb",
                "elasticmapreduce",
                "ec2",
                "appstream",
                "rds",
                "sagemaker",
                "lambda",
                "elasticache",
                "kafka",
                "neptune",
            ],
        ),
        resource_id=dict(type="str", required=True),
        scalable_dimension=dict(type="str", required=True),
        min_capacity=dict(type="int"),
        max_capacity=dict(type="int"),
        policies=dict(
            type="list",
            elements="dict",
            default=[],
            options=dict(
                name=dict(type="str", required=True),
                predefined_metric_type=dict(type="str", required=True),
                resource_label=dict(type="str"),
                target_value=dict(type="float", required=True),
                scale_in_cooldown=dict(type="int", default=300),
                scale_out_cooldown=dict(type="int", default=60),
                disable_scale_in=dict(type="bool", default=False),
            ),
        ),
        purge_policies=dict(type="bool", default=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = module.client("application-autoscaling", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    params = module.params

    target = describe_target(client, module)
    policies = describe_policies(client, module)
    tags = describe_tags(client, module, (target or {}).get("ScalableTargetARN"))
    before = state_view(target, policies, tags)

    if params["state"] == "absent":
        absent(client, module, target, policies, tags)

    wanted = {p["name"]: wanted_policy(p) for p in params["policies"]}
    register = not target or (int(target["MinCapacity"]), int(target["MaxCapacity"])) != (
        params["min_capacity"],
        params["max_capacity"],
    )
    to_put = [name for name, policy in wanted.items() if name not in policies or policy_view(policies[name]) != policy]
    to_delete = sorted(set(policies) - set(wanted)) if params["purge_policies"] else []
    tags_to_add, tags_to_remove = ({}, [])
    if params["tags"] is not None:
        tags_to_add, tags_to_remove = compare_aws_tags(tags, params["tags"], params["purge_tags"])
    changed = bool(register or to_put or to_delete or tags_to_add or tags_to_remove)

    if changed and not module.check_mode:
        try:
            if register:
                request = dict(key(module), MinCapacity=params["min_capacity"], MaxCapacity=params["max_capacity"])
                if not target and params["tags"]:
                    request["Tags"] = params["tags"]
                client.register_scalable_target(aws_retry=True, **request)
                if not target:
                    target = describe_target(client, module)
                    tags = describe_tags(client, module, (target or {}).get("ScalableTargetARN"))
                    tags_to_add, tags_to_remove = compare_aws_tags(tags, params["tags"] or {}, params["purge_tags"])
            arn = (target or {}).get("ScalableTargetARN")
            if params["tags"] is not None and arn:
                if tags_to_remove:
                    client.untag_resource(aws_retry=True, ResourceARN=arn, TagKeys=tags_to_remove)
                if tags_to_add:
                    client.tag_resource(aws_retry=True, ResourceARN=arn, Tags=tags_to_add)
            for name in to_put:
                policy = wanted[name]
                client.put_scaling_policy(
                    aws_retry=True,
                    PolicyName=name,
                    PolicyType=policy["PolicyType"],
                    TargetTrackingScalingPolicyConfiguration=policy["TargetTrackingScalingPolicyConfiguration"],
                    **key(module),
                )
            for name in to_delete:
                client.delete_scaling_policy(aws_retry=True, PolicyName=name, **key(module))
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Could not converge the scaling of {params['resource_id']}")
        target = describe_target(client, module)
        after = state_view(
            target, describe_policies(client, module), describe_tags(client, module, target.get("ScalableTargetARN"))
        )
    else:
        after_tags = tags
        if params["tags"] is not None:
            after_tags = dict(params["tags"]) if params["purge_tags"] else {**tags, **params["tags"]}
        kept = {name: policy_view(p) for name, p in policies.items() if name not in to_delete}
        kept.update(wanted)
        after = {
            "target": {
                "ResourceId": params["resource_id"],
                "ScalableDimension": params["scalable_dimension"],
                "MinCapacity": params["min_capacity"],
                "MaxCapacity": params["max_capacity"],
                "ScalableTargetARN": (target or {}).get("ScalableTargetARN", ""),
                "Tags": after_tags,
            },
            "policies": dict(sorted(kept.items())),
        }

    result = dict(
        changed=changed,
        scalable_target=camel_dict_to_snake_dict(after["target"], ignore_list=["Tags"]),
        policies={name: camel_dict_to_snake_dict(p) for name, p in after["policies"].items()},
    )
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
