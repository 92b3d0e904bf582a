#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: ecs_task_definition
short_description: Register an ECS task definition revision only when the definition changed
version_added: 1.0.0
description:
  - Compares the wanted task definition with the latest C(ACTIVE) revision of its
    family and registers a new revision only when they differ, so a converged
    family gains no revision on a rerun.
  - Unlike M(community.aws.ecs_taskdefinition), the comparison covers every
    field that makes a revision (task CPU and memory, roles, network mode,
    compatibilities, runtime platform, volumes and every container field,
    including environment and secret values), after filling in the defaults ECS
    adds to what it returns (C(essential), port mapping C(protocol) and
    C(hostPort), health check timings, empty lists).
  - Tags are not part of a revision; a tag change is applied to the latest revision.
  - With O(state=absent), every C(ACTIVE) revision of the family is deregistered
    and, with O(delete_inactive_revisions), the C(INACTIVE) ones are deleted.
  - Check mode and diff supported.
author:
  - Platform team
options:
  family:
    description: The task definition family.
    type: str
    required: true
  container_definitions:
    description:
      - The containers, in the ECS API's own shape (camelCase keys, as in RegisterTaskDefinition).
      - Required when O(state=present).
    type: list
    elements: dict
  cpu:
    description: Task CPU units, for example C(512). Required for Fargate.
    type: str
  memory:
    description: Task memory in MiB, for example C(1024). Required for Fargate.
    type: str
  network_mode:
    description: The task network mode; Fargate needs C(awsvpc).
    type: str
    choices: [awsvpc, bridge, host, none]
    default: awsvpc
  requires_compatibilities:
    description: Launch types the definition must be valid for.
    type: list
    elements: str
    default: [FARGATE]
  task_role_arn:
    description: The role the application's AWS calls use; empty for none.
    type: str
    default: ""
  execution_role_arn:
    description: The role ECS uses to pull the image, write logs and read secrets; empty for none.
    type: str
    default: ""
  runtime_platform:
    description: Operating system and CPU architecture.
    type: dict
    suboptions:
      cpu_architecture:
        description: CPU architecture.
        type: str
        choices: [X86_64, ARM64]
        default: X86_64
      operating_system_family:
        description: Operating system family.
        type: str
        default: LINUX
  volumes:
    description: Task volumes, in the ECS API's shape.
    type: list
    elements: dict
    default: []
  delete_inactive_revisions:
    description:
      - With O(state=absent), also delete the family's C(INACTIVE) revisions
        (DeleteTaskDefinitions), so nothing of the family is left.
    type: bool
    default: false
  state:
    description: Whether the family should have an active revision matching this definition.
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
- name: The application's Fargate task definition
  freelancer.platform.ecs_task_definition:
    family: dev-freelancer-platform-app
    cpu: "512"
    memory: "1024"
    task_role_arn: arn:aws:iam::123456789012:role/dev-freelancer-platform-ecs-task
    execution_role_arn: arn:aws:iam::123456789012:role/dev-freelancer-platform-ecs-execution
    container_definitions:
      - name: app
        image: public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine
        essential: true
        portMappings:
          - containerPort: 8080
            protocol: tcp
        environment:
          - name: APP_ENV
            value: dev
        secrets:
          - name: DB_PASSWORD
            valueFrom: "arn:aws:secretsmanager:us-east-2:123456789012:secret:dev/aurora-AbCdEf:password::"
        logConfiguration:
          logDriver: awslogs
          options:
            awslogs-group: /ecs/dev-freelancer-platform-app
            awslogs-region: us-east-2
            awslogs-stream-prefix: app
    tags:
      Environment: dev
  register: task_definition

- name: Deregister and delete every revision of the family
  freelancer.platform.ecs_task_definition:
    family: dev-freelancer-platform-app
    delete_inactive_revisions: true
    state: absent
"""

RETURN = r"""
task_definition:
  description:
    - The latest active revision after the run, in snake case (container definitions as ECS returns them),
      with its tags as a dict. Empty when absent.
    - In check mode, the revision that would be registered.
  returned: always
  type: dict
  contains:
    task_definition_arn:
      description: The revision's ARN; empty in check mode for a revision not registered yet.
      type: str
      sample: arn:aws:ecs:us-east-2:123456789012:task-definition/dev-freelancer-platform-app:3
    family:
      description: The family.
      type: str
      sample: dev-freelancer-platform-app
    revision:
      description: The revision number.
      type: int
      sample: 3
    family_revision:
      description: C(family:revision), what a service refers to.
      type: str
      sample: dev-freelancer-platform-app:3
    cpu:
      description: Task CPU units.
      type: str
      sample: "512"
    memory:
      description: Task memory in MiB.
      type: str
      sample: "1024"
    container_definitions:
      description: The containers.
      type: list
      elements: dict
    tags:
      description: Tags as a dict.
      type: dict
      sample: {"Environment": "dev"}
deregistered:
  description: ARNs deregistered or deleted (O(state=absent)).
  returned: always
  type: list
  elements: str
"""

import copy

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import ecs_tag_dict
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import ecs_tag_list
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import exit_with_diff
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import resource_argument_spec
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import retrying_client
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import tags_to_change
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import update_ecs_tags

# Container fields ECS expects as integers (values templated by Jinja may arrive as strings).
INT_FIELDS = ("cpu", "memory", "memoryReservation", "startTimeout", "stopTimeout")
PORT_INT_FIELDS = ("containerPort", "hostPort")
HEALTH_CHECK_DEFAULTS = {"interval": 30, "timeout": 5, "retries": 3}
# Lists whose order ECS does not keep or that mean a set: compared sorted.
SORTED_LISTS = {"environment": "name", "secrets": "name", "portMappings": "containerPort", "ulimits": "name"}


def _drop_empty(value):
    """Recursively drop None, empty strings, lists and dicts: ECS returns them or leaves them out at will."""
    if isinstance(value, dict):
        cleaned = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


def normalise_container(container, network_mode):
    """One container definition with the defaults ECS fills in, in a stable order."""
    c = copy.deepcopy(container)
    for field in INT_FIELDS:
        if field in c and c[field] is not None:
            c[field] = int(c[field])
    if c.get("cpu") == 0:
        c.pop("cpu")
    c.setdefault("essential", True)
    mappings = []
    for mapping in c.get("portMappings") or []:
        mapping = dict(mapping)
        for field in PORT_INT_FIELDS:
            if mapping.get(field) is not None:
                mapping[field] = int(mapping[field])
        mapping.setdefault("protocol", "tcp")
        if network_mode == "awsvpc" and mapping.get("containerPort") is not None:
            mapping.setdefault("hostPort", mapping["containerPort"])
        mappings.append(mapping)
    if mappings:
        c["portMappings"] = mappings
    if c.get("healthCheck"):
        check = dict(HEALTH_CHECK_DEFAULTS)
        check.update({k: v for k, v in c["healthCheck"].items() if v is not None})
        for field in ("interval", "timeout", "retries", "startPeriod"):
            if field in check:
                check[field] = int(check[field])
        c["healthCheck"] = check
    for field, key in SORTED_LISTS.items():
        if c.get(field):
            c[field] = sorted(c[field], key=lambda item, key=key: str(item.get(key, "")))
    return _drop_empty(c)


def comparable(definition, network_mode=None):
    """The fields of a task definition that make a revision, normalised."""
    if not definition:
        return {}
    mode = network_mode or definition.get("networkMode") or "bridge"
    view = {
        "family": definition["family"],
        "cpu": str(definition["cpu"]) if definition.get("cpu") not in (None, "") else "",
        "memory": str(definition["memory"]) if definition.get("memory") not in (None, "") else "",
        "networkMode": definition.get("networkMode") or mode,
        "requiresCompatibilities": sorted(definition.get("requiresCompatibilities") or []),
        "taskRoleArn": definition.get("taskRoleArn") or "",
        "executionRoleArn": definition.get("executionRoleArn") or "",
        "runtimePlatform": _drop_empty(definition.get("runtimePlatform") or {}),
        "volumes": sorted((_drop_empty(v) for v in definition.get("volumes") or []), key=lambda v: v.get("name", "")),
        "containerDefinitions": sorted(
            (normalise_container(c, mode) for c in definition.get("containerDefinitions") or []),
            key=lambda c: c.get("name", ""),
        ),
    }
    return view


def desired_definition(params):
    definition = {
        "family": params["family"],
        "cpu": params["cpu"] or "",
        "memory": params["memory"] or "",
        "networkMode": params["network_mode"],
        "requiresCompatibilities": params["requires_compatibilities"],
        "taskRoleArn": params["task_role_arn"],
        "executionRoleArn": params["execution_role_arn"],
        "volumes": params["volumes"] or [],
        "containerDefinitions": params["container_definitions"] or [],
    }
    if params["runtime_platform"]:
        definition["runtimePlatform"] = {
            "cpuArchitecture": params["runtime_platform"]["cpu_architecture"],
            "operatingSystemFamily": params["runtime_platform"]["operating_system_family"],
        }
    return definition


def revision_of(arn):
    return int(arn.rsplit(":", 1)[-1])


def family_of(arn):
    return arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]


def list_revisions(client, module, family, status):
    try:
        paginator = client.get_paginator("list_task_definitions")
        arns = paginator.paginate(familyPrefix=family, status=status).build_full_result()["taskDefinitionArns"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not list the {status} revisions of {family}")
    return sorted((a for a in arns if family_of(a) == family), key=revision_of)


def describe(client, module, arn):
    try:
        answer = client.describe_task_definition(aws_retry=True, taskDefinition=arn, include=["TAGS"])
    except is_boto3_error_code("ClientException"):
        return None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not describe task definition {arn}")
    definition = answer["taskDefinition"]
    definition["tags"] = ecs_tag_dict(answer.get("tags"))
    return definition


def latest_active(client, module, family):
    arns = list_revisions(client, module, family, "ACTIVE")
    return describe(client, module, arns[-1]) if arns else None


def register(client, module, definition, tags):
    request = copy.deepcopy(definition)
    request["containerDefinitions"] = [
        normalise_container(c, definition["networkMode"]) for c in definition["containerDefinitions"]
    ]
    for key in ("cpu", "memory", "taskRoleArn", "executionRoleArn"):
        if not request.get(key):
            request.pop(key, None)
    if not request.get("volumes"):
        request.pop("volumes", None)
    if tags:
        request["tags"] = ecs_tag_list(tags)
    try:
        answer = client.register_task_definition(aws_retry=True, **request)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not register a revision of {definition['family']}")
    return answer["taskDefinition"]["taskDefinitionArn"]


def converge_tags(client, module, arn, current):
    if module.check_mode:
        return any(tags_to_change(current, module.params))
    try:
        return update_ecs_tags(client, arn, current, module.params)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not tag {arn}")


def returned(definition):
    if not definition:
        return {}
    result = camel_dict_to_snake_dict(
        {k: v for k, v in definition.items() if k not in ("tags", "containerDefinitions")}
    )
    result["container_definitions"] = definition.get("containerDefinitions", [])
    result["tags"] = dict(definition.get("tags") or {})
    result["family_revision"] = f"{definition['family']}:{definition['revision']}"
    for volatile in ("registered_at", "deregistered_at", "registered_by"):
        result.pop(volatile, None)
    return result


def validate(module):
    params = module.params
    if params["state"] != "present":
        return
    if not params["container_definitions"]:
        module.fail_json(msg="container_definitions is required when state is present")
    names = [c.get("name") for c in params["container_definitions"]]
    if not all(names) or len(set(names)) != len(names):
        module.fail_json(msg="every container definition needs a unique name")
    if any(not c.get("image") for c in params["container_definitions"]):
        module.fail_json(msg="every container definition needs an image")
    if "FARGATE" in params["requires_compatibilities"]:
        if params["network_mode"] != "awsvpc":
            module.fail_json(msg="Fargate task definitions need network_mode awsvpc")
        if not params["cpu"] or not params["memory"]:
            module.fail_json(msg="cpu and memory are required for Fargate task definitions")
    for container in params["container_definitions"]:
        for variable in container.get("environment") or []:
            if not isinstance(variable, dict) or set(variable) != {"name", "value"}:
                module.fail_json(msg=f"container {container['name']}: environment entries need exactly name and value")
        for secret in container.get("secrets") or []:
            if not isinstance(secret, dict) or set(secret) != {"name", "valueFrom"}:
                module.fail_json(msg=f"container {container['name']}: secrets entries need exactly name and valueFrom")


def absent(client, module):
    family = module.params["family"]
    active = list_revisions(client, module, family, "ACTIVE")
    before = returned(describe(client, module, active[-1])) if active else {}
    inactive = list_revisions(client, module, family, "INACTIVE") if module.params["delete_inactive_revisions"] else []
    # Deregistered now, these become INACTIVE and are deleted too.
    to_delete = (
        sorted(set(inactive) | set(active), key=revision_of) if module.params["delete_inactive_revisions"] else []
    )
    changed = bool(active or to_delete)
    if changed and not module.check_mode:
        try:
            for arn in active:
                client.deregister_task_definition(aws_retry=True, taskDefinition=arn)
            for start in range(0, len(to_delete), 10):
                answer = client.delete_task_definitions(aws_retry=True, taskDefinitions=to_delete[start : start + 10])
                failures = [f for f in answer.get("failures") or [] if "does not exist" not in f.get("reason", "")]
                if failures:
                    module.fail_json(msg=f"Could not delete revisions of {family}", failures=failures)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Could not remove the revisions of {family}")
    deregistered = sorted(set(active) | set(to_delete), key=revision_of)
    exit_with_diff(module, changed, before, {}, task_definition={}, deregistered=deregistered)


def main():
    argument_spec = resource_argument_spec(
        family=dict(type="str", required=True),
        container_definitions=dict(type="list", elements="dict"),
        cpu=dict(type="str"),
        memory=dict(type="str"),
        network_mode=dict(type="str", default="awsvpc", choices=["awsvpc", "bridge", "host", "none"]),
        requires_compatibilities=dict(type="list", elements="str", default=["FARGATE"]),
        task_role_arn=dict(type="str", default=""),
        execution_role_arn=dict(type="str", default=""),
        runtime_platform=dict(
            type="dict",
            options=dict(
                cpu_architecture=dict(type="str", default="X86_64", choices=["X86_64", "ARM64"]),
                operating_system_family=dict(type="str", default="LINUX"),
            ),
        ),
        volumes=dict(type="list", elements="dict", default=[]),
        delete_inactive_revisions=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = retrying_client(module, "ecs")

    if module.params["state"] == "absent":
        absent(client, module)

    family = module.params["family"]
    wanted = desired_definition(module.params)
    existing = latest_active(client, module, family)
    before_view = comparable(existing)
    after_view = comparable(wanted, wanted["networkMode"])
    new_revision = not existing or before_view != after_view

    if new_revision:
        changed = True
        if module.check_mode:
            revision = (existing["revision"] + 1) if existing else 1
            would_be = dict(wanted, revision=revision, status="ACTIVE", taskDefinitionArn="")
            would_be["containerDefinitions"] = after_view["containerDefinitions"]
            would_be["tags"] = dict(module.params["tags"] or {})
            definition = would_be
        else:
            arn = register(client, module, wanted, module.params["tags"])
            definition = describe(client, module, arn)
    else:
        changed = converge_tags(client, module, existing["taskDefinitionArn"], existing["tags"])
        definition = (
            describe(client, module, existing["taskDefinitionArn"]) if changed and not module.check_mode else existing
        )
        if changed and module.check_mode:
            definition = dict(existing, tags=dict(module.params["tags"]))

    before = dict(before_view, tags=(existing or {}).get("tags", {})) if existing else {}
    after = dict(after_view, tags=definition.get("tags", {}))
    exit_with_diff(module, changed, before, after, task_definition=returned(definition), deregistered=[])


if __name__ == "__main__":
    main()
