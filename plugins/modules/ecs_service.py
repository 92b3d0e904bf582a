#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: ecs_service
short_description: Manage an ECS service on Fargate behind a load balancer
version_added: 1.0.0
description:
  - Creates, converges or deletes a REPLICA ECS service.
  - Unlike M(community.aws.ecs_service), compares every setting it manages with
    what ECS reports (task definition, network configuration, load balancers,
    deployment configuration with its circuit breaker, health check grace period,
    tag propagation, execute command, tags) and updates only what differs; tags are
    converged with TagResource/UntagResource.
  - With O(preserve_desired_count), an existing service keeps its desired count, so
    that Application Auto Scaling, which owns it once the service runs, is not undone
    by a rerun; O(desired_count) then applies when the service is created.
  - Load balancers, launch type and the deployment controller of an existing service
    are not changed by UpdateService here; a difference there fails with a message
    saying the service must be re-created.
  - With O(state=absent), the service is scaled to zero and deleted; O(wait) waits
    until it is inactive, so that its cluster can be deleted next.
  - Check mode and diff supported.
author:
  - Platform team
options:
  name:
    description: The service name.
    type: str
    required: true
  cluster:
    description: The cluster name or ARN.
    type: str
    required: true
  task_definition:
    description:
      - The task definition as C(family:revision) or its ARN. Required when O(state=present).
    type: str
  desired_count:
    description: How many tasks to run. Required when O(state=present).
    type: int
  preserve_desired_count:
    description:
      - Leave the desired count of an existing service as it is (auto scaling owns it).
    type: bool
    default: false
  launch_type:
    description: The launch type, when no capacity provider strategy is used.
    type: str
    choices: [FARGATE, EC2]
    default: FARGATE
  platform_version:
    description: Fargate platform version; omitted means LATEST and is not compared.
    type: str
  subnets:
    description: Subnets of the tasks' network interfaces (awsvpc). Required when O(state=present).
    type: list
    elements: str
  security_groups:
    description: Security groups of the tasks' network interfaces.
    type: list
    elements: str
    default: []
  assign_public_ip:
    description: Give the tasks public IP addresses.
    type: bool
    default: false
  load_balancers:
    description: Target groups the service registers its tasks with.
    type: list
    elements: dict
    default: []
    suboptions:
      target_group_arn:
        description: The target group ARN.
        type: str
        required: true
      container_name:
        description: The container that receives the traffic.
        type: str
        required: true
      container_port:
        description: Its port.
        type: int
        required: true
  health_check_grace_period_seconds:
    description: Seconds load balancer health checks are ignored after a task starts (with load balancers only).
    type: int
  minimum_healthy_percent:
    description: Lower limit of running tasks during a deployment, in percent of the desired count.
    type: int
    default: 100
  maximum_percent:
    description: Upper limit of running tasks during a deployment, in percent of the desired count.
    type: int
    default: 200
  circuit_breaker:
    description: The deployment circuit breaker.
    type: dict
    default: {enable: false, rollback: false}
    suboptions:
      enable:
        description: Stop a deployment whose tasks keep failing to start.
        type: bool
        default: false
      rollback:
        description: Roll back to the last completed deployment when the breaker trips.
        type: bool
        default: false
  propagate_tags:
    description: Where the tasks' tags come from.
    type: str
    choices: [SERVICE, TASK_DEFINITION, NONE]
    default: NONE
  enable_execute_command:
    description: Allow ECS Exec into the tasks.
    type: bool
    default: false
  wait:
    description: With O(state=absent), wait until the service is inactive.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait at most.
    type: int
    default: 600
  state:
    description: Whether the service should exist.
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
- name: The application service behind its target group
  freelancer.platform.ecs_service:
    name: dev-freelancer-platform-app
    cluster: dev-freelancer-platform-cluster
    task_definition: dev-freelancer-platform-app:3
    desired_count: 2
    preserve_desired_count: true
    subnets: [subnet-0123456789abcdef0, subnet-0fedcba9876543210]
    security_groups: [sg-0123456789abcdef0]
    load_balancers:
      - target_group_arn: arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/dev-freelancer-platform-app/0123456789abcdef
        container_name: app
        container_port: 8080
    health_check_grace_period_seconds: 60
    circuit_breaker:
      enable: true
      rollback: true
    propagate_tags: SERVICE
    tags:
      Environment: dev

- name: Remove it
  freelancer.platform.ecs_service:
    name: dev-freelancer-platform-app
    cluster: dev-freelancer-platform-cluster
    state: absent
"""

RETURN = r"""
service:
  description: The service's managed settings after the run, in snake case, tags as a dict. Empty when absent.
  returned: always
  type: dict
  contains:
    service_name:
      description: The name.
      type: str
      sample: dev-freelancer-platform-app
    service_arn:
      description: The ARN (empty in check mode for a service not created yet).
      type: str
      sample: arn:aws:ecs:us-east-2:123456789012:service/dev-freelancer-platform-cluster/dev-freelancer-platform-app
    task_definition:
      description: The task definition as C(family:revision).
      type: str
      sample: dev-freelancer-platform-app:3
    desired_count:
      description: Desired task count.
      type: int
      sample: 2
    network_configuration:
      description: Subnets, security groups and public IP setting.
      type: dict
    load_balancers:
      description: Target group registrations.
      type: list
      elements: dict
    deployment_configuration:
      description: Deployment limits and circuit breaker.
      type: dict
    health_check_grace_period_seconds:
      description: Grace period.
      type: int
    tags:
      description: Tags as a dict.
      type: dict
"""

import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import desired_tags
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import ecs_tag_dict
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import ecs_tag_list
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import exit_with_diff
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import resource_argument_spec
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import retrying_client
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import update_ecs_tags

# Settings UpdateService cannot change on an existing service here.
IMMUTABLE = ("launchType", "loadBalancers")


def family_revision(task_definition):
    """``arn:...:task-definition/app:3`` or ``app:3`` -> ``app:3``."""
    return (task_definition or "").rsplit("/", 1)[-1]


def describe(client, module):
    params = module.params
    try:
        answer = client.describe_services(
            aws_retry=True, cluster=params["cluster"], services=[params["name"]], include=["TAGS"]
        )
    except is_boto3_error_code("ClusterNotFoundException"):
        return None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not describe ECS service {params['name']}")
    for service in answer.get("services", []):
        if service.get("serviceName") == params["name"] and service.get("status") not in ("INACTIVE",):
            return service
    return None


def normalise(service):
    """The managed settings of a service, in a form that compares."""
    if not service:
        return {}
    network = (service.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    deployment = service.get("deploymentConfiguration") or {}
    breaker = deployment.get("deploymentCircuitBreaker") or {}
    return {
        "serviceName": service["serviceName"],
        "serviceArn": service.get("serviceArn", ""),
        "status": service.get("status", "ACTIVE"),
        "taskDefinition": family_revision(service.get("taskDefinition")),
        "desiredCount": int(service.get("desiredCount", 0)),
        "launchType": service.get("launchType") or "",
        "platformVersion": service.get("platformVersion") or "",
        "networkConfiguration": {
            "subnets": sorted(network.get("subnets") or []),
            "securityGroups": sorted(network.get("securityGroups") or []),
            "assignPublicIp": network.get("assignPublicIp") or "DISABLED",
        },
        "loadBalancers": sorted(
            (
                {
                    "targetGroupArn": lb.get("targetGroupArn", ""),
                    "containerName": lb.get("containerName", ""),
                    "containerPort": int(lb.get("containerPort", 0)),
                }
                for lb in service.get("loadBalancers") or []
            ),
            key=lambda lb: (lb["targetGroupArn"], lb["containerName"], lb["containerPort"]),
        ),
        "healthCheckGracePeriodSeconds": int(service.get("healthCheckGracePeriodSeconds") or 0),
        "deploymentConfiguration": {
            "minimumHealthyPercent": int(deployment.get("minimumHealthyPercent", 100)),
            "maximumPercent": int(deployment.get("maximumPercent", 200)),
            "deploymentCircuitBreaker": {
                "enable": bool(breaker.get("enable", False)),
                "rollback": bool(breaker.get("rollback", False)),
            },
        },
        "propagateTags": service.get("propagateTags") or "NONE",
        "enableExecuteCommand": bool(service.get("enableExecuteCommand", False)),
        "tags": ecs_tag_dict(service.get("tags")),
    }


def desired_state(params, before):
    after = {
        "serviceName": params["name"],
        "serviceArn": before.get("serviceArn", "") if before else "",
        "status": "ACTIVE",
        "taskDefinition": family_revision(params["task_definition"]),
        "desiredCount": params["desired_count"],
        "launchType": params["launch_type"],
        "platformVersion": params["platform_version"] or (before or {}).get("platformVersion", ""),
        "networkConfiguration": {
            "subnets": sorted(params["subnets"]),
            "securityGroups": sorted(params["security_groups"]),
            "assignPublicIp": "ENABLED" if params["assign_public_ip"] else "DISABLED",
        },
        "loadBalancers": sorted(
            (
                {
                    "targetGroupArn": lb["target_group_arn"],
                    "containerName": lb["container_name"],
                    "containerPort": int(lb["container_port"]),
                }
                for lb in params["load_balancers"]
            ),
            key=lambda lb: (lb["targetGroupArn"], lb["containerName"], lb["containerPort"]),
        ),
        "healthCheckGracePeriodSeconds": int(params["health_check_grace_period_seconds"] or 0),
        "deploymentConfiguration": {
            "minimumHealthyPercent": params["minimum_healthy_percent"],
            "maximumPercent": params["maximum_percent"],
            "deploymentCircuitBreaker": {
                "enable": params["circuit_breaker"]["enable"],
                "rollback": params["circuit_breaker"]["rollback"],
            },
        },
        "propagateTags": params["propagate_tags"],
        "enableExecuteCommand": params["enable_execute_command"],
        "tags": (before or {}).get("tags", {}),
    }
    if before and params["preserve_desired_count"]:
        after["desiredCount"] = before["desiredCount"]
    after["tags"] = desired_tags(after["tags"], params)
    return after


def network_request(after):
    return {"awsvpcConfiguration": dict(after["networkConfiguration"])}


def create(client, module, after):
    params = module.params
    request = {
        "cluster": params["cluster"],
        "serviceName": after["serviceName"],
        "taskDefinition": params["task_definition"],
        "desiredCount": after["desiredCount"],
        "launchType": after["launchType"],
        "schedulingStrategy": "REPLICA",
        "networkConfiguration": network_request(after),
        "deploymentConfiguration": after["deploymentConfiguration"],
        "deploymentController": {"type": "ECS"},
        "propagateTags": after["propagateTags"],
        "enableExecuteCommand": after["enableExecuteCommand"],
    }
    if params["platform_version"]:
        request["platformVersion"] = params["platform_version"]
    if after["loadBalancers"]:
        request["loadBalancers"] = after["loadBalancers"]
        request["healthCheckGracePeriodSeconds"] = after["healthCheckGracePeriodSeconds"]
    if after["tags"]:
        request["tags"] = ecs_tag_list(after["tags"])
    try:
        client.create_service(aws_retry=True, **request)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not create ECS service {after['serviceName']}")


def update(client, module, before, after):
    params = module.params
    request = {}
    if before["taskDefinition"] != after["taskDefinition"]:
        request["taskDefinition"] = params["task_definition"]
    if before["desiredCount"] != after["desiredCount"]:
        request["desiredCount"] = after["desiredCount"]
    if before["networkConfiguration"] != after["networkConfiguration"]:
        request["networkConfiguration"] = network_request(after)
    if before["deploymentConfiguration"] != after["deploymentConfiguration"]:
        request["deploymentConfiguration"] = after["deploymentConfiguration"]
    if before["healthCheckGracePeriodSeconds"] != after["healthCheckGracePeriodSeconds"] and after["loadBalancers"]:
        request["healthCheckGracePeriodSeconds"] = after["healthCheckGracePeriodSeconds"]
    if before["platformVersion"] != after["platformVersion"] and params["platform_version"]:
        request["platformVersion"] = params["platform_version"]
    if before["propagateTags"] != after["propagateTags"]:
        request["propagateTags"] = after["propagateTags"]
    if before["enableExecuteCommand"] != after["enableExecuteCommand"]:
        request["enableExecuteCommand"] = after["enableExecuteCommand"]
    try:
        if request:
            client.update_service(aws_retry=True, cluster=params["cluster"], service=after["serviceName"], **request)
        update_ecs_tags(client, before["serviceArn"], before["tags"], params)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not update ECS service {after['serviceName']}")


def wait_inactive(client, module):
    params = module.params
    deadline = time.monotonic() + params["wait_timeout"]
    while time.monotonic() < deadline:
        try:
            answer = client.describe_services(aws_retry=True, cluster=params["cluster"], services=[params["name"]])
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Could not describe ECS service {params['name']}")
        if all(s.get("status") == "INACTIVE" for s in answer.get("services", [])):
            return
        time.sleep(5)
    module.fail_json(msg=f"ECS service {params['name']} still draining after {params['wait_timeout']} seconds")


def absent(client, module, before):
    params = module.params
    changed = bool(before)
    if changed and not module.check_mode:
        try:
            if before["desiredCount"]:
                client.update_service(aws_retry=True, cluster=params["cluster"], service=params["name"], desiredCount=0)
            client.delete_service(aws_retry=True, cluster=params["cluster"], service=params["name"], force=True)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Could not delete ECS service {params['name']}")
        if params["wait"]:
            wait_inactive(client, module)
    exit_with_diff(module, changed, before, {}, service={})


def validate(module):
    params = module.params
    if params["state"] != "present":
        return
    missing = [k for k in ("task_definition", "desired_count", "subnets") if not params[k] and params[k] != 0]
    if missing:
        module.fail_json(msg=f"{', '.join(missing)} required when state is present")
    if params["desired_count"] < 0:
        module.fail_json(msg=f"desired_count must not be negative, got {params['desired_count']}")
    if not 0 <= params["minimum_healthy_percent"] <= 100:
        module.fail_json(msg="minimum_healthy_percent must be from 0 to 100")
    if params["maximum_percent"] < 100:
        module.fail_json(msg="maximum_percent must be at least 100")
    if params["health_check_grace_period_seconds"] and not params["load_balancers"]:
        module.fail_json(msg="health_check_grace_period_seconds needs load_balancers")
    if params["circuit_breaker"]["rollback"] and not params["circuit_breaker"]["enable"]:
        module.fail_json(msg="circuit_breaker.rollback needs circuit_breaker.enable")


def main():
    argument_spec = resource_argument_spec(
        name=dict(type="str", required=True),
        cluster=dict(type="str", required=True),
        task_definition=dict(type="str"),
        desired_count=dict(type="int"),
        preserve_desired_count=dict(type="bool", default=False),
        launch_type=dict(type="str", default="FARGATE", choices=["FARGATE", "EC2"]),
        platform_version=dict(type="str"),
        subnets=dict(type="list", elements="str"),
        security_groups=dict(type="list", elements="str", default=[]),
        assign_public_ip=dict(type="bool", default=False),
        load_balancers=dict(
            type="list",
            elements="dict",
            default=[],
            options=dict(
                target_group_arn=dict(type="str", required=True),
                container_name=dict(type="str", required=True),
                container_port=dict(type="int", required=True),
            ),
        ),
        health_check_grace_period_seconds=dict(type="int"),
        minimum_healthy_percent=dict(type="int", default=100),
        maximum_percent=dict(type="int", default=200),
        circuit_breaker=dict(
            type="dict",
            default={"enable": False, "rollback": False},
            options=dict(enable=dict(type="bool", default=False), rollback=dict(type="bool", default=False)),
        ),
        propagate_tags=dict(type="str", default="NONE", choices=["SERVICE", "TASK_DEFINITION", "NONE"]),
        enable_execute_command=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = retrying_client(module, "ecs")

    before = normalise(describe(client, module))
    if module.params["state"] == "absent":
        absent(client, module, before)

    after = desired_state(module.params, before)
    if before:
        fixed = [k for k in IMMUTABLE if before[k] != after[k]]
        if fixed:
            module.fail_json(
                msg=f"ECS service {after['serviceName']}: {', '.join(fixed)} cannot be changed in place; "
                "remove the service (state=absent) and converge again",
                before={k: before[k] for k in fixed},
                after={k: after[k] for k in fixed},
            )
    ignored = ("serviceArn", "status")
    changed = not before or any(before[k] != after[k] for k in after if k not in ignored)
    if changed and not module.check_mode:
        if before:
            update(client, module, before, after)
        else:
            create(client, module, after)
        after = normalise(describe(client, module))
    exit_with_diff(module, changed, before, after, service=camel_dict_to_snake_dict(after, ignore_list=["tags"]))


if __name__ == "__main__":
    main()
