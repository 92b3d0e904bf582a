#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: stepfunctions_state_machine
short_description: Manage a Step Functions state machine with its logging, tracing, versions and tags
version_added: 1.0.0
description:
  - Creates, converges or deletes an AWS Step Functions state machine.
  - Unlike M(community.aws.stepfunctions_state_machine), converges the logging
    configuration (level, execution data, CloudWatch Logs group) and X-Ray
    tracing, compares definitions as JSON documents (not as strings, so a
    reformatted definition is not a change), and publishes a numbered version on
    every change of the definition or the role, so that an operator can roll back
    to an earlier definition (O(definition_from_version)).
  - Check mode and diff supported.
author:
  - Platform team
options:
  name:
    description: The state machine name (1 to 80 letters, digits, hyphens, underscores).
    type: str
    required: true
  definition:
    description:
      - The Amazon States Language definition, as a JSON string or an object.
      - Required with O(state=present) unless O(definition_from_version) is set.
    type: json
  definition_from_version:
    description:
      - Use the definition of this published version of the state machine instead
        of O(definition) (a rollback). The rollback is published as a new version.
    type: int
  role_arn:
    description: ARN of the IAM role Step Functions assumes. Required with O(state=present).
    type: str
  type:
    description:
      - C(STANDARD) or C(EXPRESS). AWS cannot change the type of an existing state
        machine; a different type fails rather than replacing it.
    type: str
    choices: [STANDARD, EXPRESS]
    default: STANDARD
  logging:
    description:
      - Where and how much the executions log. Omitted leaves logging as it is.
    type: dict
    suboptions:
      level:
        description: What is logged.
        type: str
        choices: ["ALL", "ERROR", "FATAL", "OFF"]
        required: true
      include_execution_data:
        description: Log the input and output of each state.
        type: bool
        default: false
      log_group_arn:
        description:
          - ARN of the CloudWatch Logs group (with or without the trailing C(:*)).
          - Required unless O(logging.level=OFF).
        type: str
  tracing_enabled:
    description: X-Ray tracing of the executions. Omitted leaves tracing as it is.
    type: bool
  publish:
    description: Publish a version whenever this module creates the machine or changes its definition or role.
    type: bool
    default: true
  version_description:
    description:
      - Description of a version this module publishes (at most 256 characters,
        after the definition digest the module adds).
    type: str
    default: ""
  state:
    description: Whether the state machine should exist.
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
- name: The project lifecycle, logged at level ALL with execution data, traced with X-Ray
  freelancer.platform.stepfunctions_state_machine:
    name: dev-freelancer-platform-project-lifecycle
    definition: "{{ definition }}"
    role_arn: arn:aws:iam::123456789012:role/dev-freelancer-platform-workflow
    logging:
      level: ALL
      include_execution_data: true
      log_group_arn: arn:aws:logs:us-east-2:123456789012:log-group:/aws/states/dev-freelancer-platform-project-lifecycle
    tracing_enabled: true
    version_description: release 1.4.0
    tags:
      Environment: dev

- name: Roll back to the definition of version 3 (published again as a new version)
  freelancer.platform.stepfunctions_state_machine:
    name: dev-freelancer-platform-project-lifecycle
    definition_from_version: 3
    role_arn: arn:aws:iam::123456789012:role/dev-freelancer-platform-workflow

- name: Remove it
  freelancer.platform.stepfunctions_state_machine:
    name: dev-freelancer-platform-project-lifecycle
    state: absent
"""

RETURN = r"""
state_machine:
  description: The state machine as DescribeStateMachine returns it, in snake case, with its tags; empty when absent.
  returned: always
  type: dict
  contains:
    state_machine_arn:
      description: The ARN.
      type: str
      sample: arn:aws:states:us-east-2:123456789012:stateMachine:dev-freelancer-platform-project-lifecycle
    name:
      description: The name.
      type: str
    definition:
      description: The definition, as an object.
      type: dict
    role_arn:
      description: The execution role.
      type: str
    type:
      description: STANDARD or EXPRESS.
      type: str
    logging_configuration:
      description: Level, execution data and destinations.
      type: dict
      sample: {"level": "ALL", "include_execution_data": true, "destinations": [{"cloud_watch_logs_log_group": {"log_group_arn": "arn:aws:logs:us-east-2:123456789012:log-group:/aws/states/x:*"}}]}
    tracing_configuration:
      description: X-Ray tracing.
      type: dict
      sample: {"enabled": true}
    tags:
      description: Tags as a dict.
      type: dict
state_machine_arn:
  description: The ARN (empty when absent).
  returned: always
  type: str
version_arn:
  description: The version this run published, if any.
  returned: always
  type: str
  sample: arn:aws:states:us-east-2:123456789012:stateMachine:dev-freelancer-platform-project-lifecycle:4
"""

import hashlib
import json
import re

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
BOTO_ERRORS = (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) if "botocore" in globals() else ()


def find_arn(client, module, name):
    try:
        for page in client.get_paginator("list_state_machines").paginate():
            for machine in page.get("stateMachines", []):
                if machine["name"] == name:
                    return machine["stateMachineArn"]
    except BOTO_ERRORS as e:
        module.fail_json_aws(e, msg="Could not list the state machines")
    return None


def describe(client, module, arn):
    try:
        machine = client.describe_state_machine(aws_retry=True, stateMachineArn=arn)
    except is_boto3_error_code("StateMachineDoesNotExist"):
        return None
    except BOTO_ERRORS as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not describe state machine {arn}")
    if machine.get("status") == "DELETING":
        return None
    try:
        machine["tags"] = {
            t["key"]: t["value"] for t in client.list_tags_for_resource(aws_retry=True, resourceArn=arn).get("tags", [])
        }
    except BOTO_ERRORS as e:
        module.fail_json_aws(e, msg=f"Could not read the tags of {arn}")
    return machine


def log_group_arn(arn):
    """AWS wants the log group ARN with its trailing ``:*``."""
    if not arn:
        return arn
    return arn if arn.endswith(":*") else f"{arn}:*"


def logging_config(params):
    """The LoggingConfiguration the parameters ask for (API shape), or None to leave it alone."""
    logging = params["logging"]
    if logging is None:
        return None
    config = {"level": logging["level"], "includeExecutionData": bool(logging["include_execution_data"])}
    if logging.get("log_group_arn"):
        config["destinations"] = [{"cloudWatchLogsLogGroup": {"logGroupArn": log_group_arn(logging["log_group_arn"])}}]
    return config


def normalise_logging(config):
    config = config or {}
    destinations = [
        log_group_arn(d.get("cloudWatchLogsLogGroup", {}).get("logGroupArn", ""))
        for d in config.get("destinations") or []
    ]
    return {
        "level": config.get("level", "OFF"),
        "includeExecutionData": bool(config.get("includeExecutionData", False)),
        "destinations": sorted(d for d in destinations if d),
    }


def parse_definition(module, definition, what):
    if isinstance(definition, dict):
        return definition
    try:
        value = json.loads(definition)
    except (TypeError, ValueError) as e:
        module.fail_json(msg=f"{what} is not valid JSON: {e}")
    if not isinstance(value, dict):
        module.fail_json(msg=f"{what} is not a JSON object")
    return value


def view(machine):
    """What the module compares and returns (snake case, definition as an object)."""
    if not machine:
        return {}
    result = camel_dict_to_snake_dict(
        {k: v for k, v in machine.items() if k not in ("definition", "tags", "ResponseMetadata")}
    )
    try:
        result["definition"] = json.loads(machine.get("definition") or "{}")
    except ValueError:
        result["definition"] = machine.get("definition")
    result["tags"] = dict(machine.get("tags") or {})
    for volatile in ("creation_date", "revision_id", "label"):
        result.pop(volatile, None)
    return result


def digest(definition):
    text = json.dumps(definition, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def version_description(params, definition):
    text = f"definition sha256:{digest(definition)}"
    if params["version_description"]:
        text = f"{params['version_description']} ({text})"
    return text[:256]


def fail_on_bad_input(module):
    params = module.params
    if not NAME.match(params["name"]):
        module.fail_json(msg=f"name must be 1 to 80 letters, digits, hyphens or underscores, got {params['name']!r}")
    if params["state"] == "absent":
        return
    if not params["role_arn"]:
        module.fail_json(msg="role_arn is required when state is present")
    if not params["role_arn"].startswith("arn:"):
        module.fail_json(msg=f"role_arn must be an IAM role ARN, got {params['role_arn']!r}")
    if params["definition"] is None and params["definition_from_version"] is None:
        module.fail_json(msg="definition (or definition_from_version) is required when state is present")
    if params["definition"] is not None and params["definition_from_version"] is not None:
        module.fail_json(msg="definition and definition_from_version are mutually exclusive")
    if params["definition_from_version"] is not None and params["definition_from_version"] < 1:
        module.fail_json(msg="definition_from_version must be a published version number (1 or more)")
    if params["definition"] is not None:
        parse_definition(module, params["definition"], "definition")
    logging = params["logging"]
    if logging and logging["level"] != "OFF" and not logging.get("log_group_arn"):
        module.fail_json(msg=f"logging.log_group_arn is required with logging level {logging['level']}")
    if logging and logging.get("log_group_arn") and not logging["log_group_arn"].startswith("arn:"):
        module.fail_json(msg=f"logging.log_group_arn must be a log group ARN, got {logging['log_group_arn']!r}")


def desired_definition(client, module, arn):
    params = module.params
    if params["definition_from_version"] is None:
        return parse_definition(module, params["definition"], "definition")
    version = params["definition_from_version"]
    if not arn:
        module.fail_json(msg=f"definition_from_version {version}: the state machine {params['name']} does not exist")
    try:
        old = client.describe_state_machine(aws_retry=True, stateMachineArn=f"{arn}:{version}")
    except is_boto3_error_code(["StateMachineDoesNotExist", "ResourceNotFound", "InvalidArn"]):
        module.fail_json(msg=f"definition_from_version {version}: no such published version of {params['name']}")
    except BOTO_ERRORS as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not read version {version} of {params['name']}")
    return parse_definition(module, old["definition"], f"the definition of version {version}")


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        definition=dict(type="json"),
        definition_from_version=dict(type="int"),
        role_arn=dict(type="str"),
        type=dict(type="str", default="STANDARD", choices=["STANDARD", "EXPRESS"]),
        logging=dict(
            type="dict",
            options=dict(
                level=dict(type="str", required=True, choices=["ALL", "ERROR", "FATAL", "OFF"]),
                include_execution_data=dict(type="bool", default=False),
                log_group_arn=dict(type="str"),
            ),
        ),
        tracing_enabled=dict(type="bool"),
        publish=dict(type="bool", default=True),
        version_description=dict(type="str", default=""),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    fail_on_bad_input(module)
    params = module.params
    client = module.client("stepfunctions", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    name = params["name"]

    arn = find_arn(client, module, name)
    machine = describe(client, module, arn) if arn else None
    before = view(machine)

    if params["state"] == "absent":
        changed = machine is not None
        if changed and not module.check_mode:
            try:
                client.delete_state_machine(aws_retry=True, stateMachineArn=arn)
            except is_boto3_error_code("StateMachineDoesNotExist"):
                pass
            except BOTO_ERRORS as e:  # pylint: disable=duplicate-except
                module.fail_json_aws(e, msg=f"Could not delete state machine {name}")
        result = dict(changed=changed, state_machine={}, state_machine_arn="", version_arn="")
        if module._diff:
            result["diff"] = dict(before=before, after={})
        module.exit_json(**result)

    definition = desired_definition(client, module, arn)
    wanted_logging = logging_config(params)
    wanted_tracing = {"enabled": params["tracing_enabled"]} if params["tracing_enabled"] is not None else None
    if machine and machine.get("type", "STANDARD") != params["type"]:
        module.fail_json(
            msg=f"state machine {name} is {machine.get('type')}; AWS cannot change it to {params['type']} "
            "(delete it first, or keep the type)"
        )

    changes = {}
    if machine:
        if before["definition"] != definition:
            changes["definition"] = json.dumps(definition, separators=(",", ":"))
        if machine.get("roleArn") != params["role_arn"]:
            changes["roleArn"] = params["role_arn"]
        if wanted_logging is not None and normalise_logging(machine.get("loggingConfiguration")) != normalise_logging(
            wanted_logging
        ):
            changes["loggingConfiguration"] = wanted_logging
        current_tracing = bool((machine.get("tracingConfiguration") or {}).get("enabled", False))
        if wanted_tracing is not None and current_tracing != wanted_tracing["enabled"]:
            changes["tracingConfiguration"] = wanted_tracing
        tags_to_add, tags_to_remove = (
            compare_aws_tags(before["tags"], params["tags"], params["purge_tags"])
            if params["tags"] is not None
            else ({}, [])
        )
    else:
        tags_to_add, tags_to_remove = dict(params["tags"] or {}), []
    changed = machine is None or bool(changes or tags_to_add or tags_to_remove)

    version_arn = ""
    publish = params["publish"] and (machine is None or "definition" in changes or "roleArn" in changes)
    if changed and not module.check_mode:
        try:
            if machine is None:
                request = dict(
                    name=name,
                    definition=json.dumps(definition, separators=(",", ":")),
                    roleArn=params["role_arn"],
                    type=params["type"],
                    tags=[{"key": k, "value": v} for k, v in tags_to_add.items()],
                )
                if wanted_logging is not None:
                    request["loggingConfiguration"] = wanted_logging
                if wanted_tracing is not None:
                    request["tracingConfiguration"] = wanted_tracing
                if publish:
                    request.update(publish=True, versionDescription=version_description(params, definition))
                answer = client.create_state_machine(aws_retry=True, **request)
                arn = answer["stateMachineArn"]
                version_arn = answer.get("stateMachineVersionArn", "")
            else:
                if changes:
                    request = dict(stateMachineArn=arn, **changes)
                    if publish:
                        request.update(publish=True, versionDescription=version_description(params, definition))
                    answer = client.update_state_machine(aws_retry=True, **request)
                    version_arn = answer.get("stateMachineVersionArn", "")
                if tags_to_remove:
                    client.untag_resource(aws_retry=True, resourceArn=arn, tagKeys=tags_to_remove)
                if tags_to_add:
                    client.tag_resource(
                        aws_retry=True, resourceArn=arn, tags=[{"key": k, "value": v} for k, v in tags_to_add.items()]
                    )
        except BOTO_ERRORS as e:
            module.fail_json_aws(e, msg=f"Could not converge state machine {name}")
        after = view(describe(client, module, arn))
    else:
        after = dict(before) if machine else {"name": name, "type": params["type"]}
        after["definition"] = definition
        after["role_arn"] = params["role_arn"]
        if wanted_logging is not None:
            after["logging_configuration"] = camel_dict_to_snake_dict(wanted_logging)
        if wanted_tracing is not None:
            after["tracing_configuration"] = dict(wanted_tracing)
        if params["tags"] is not None:
            after["tags"] = (
                dict(params["tags"]) if params["purge_tags"] else {**before.get("tags", {}), **params["tags"]}
            )
    result = dict(
        changed=changed,
        state_machine=after,
        state_machine_arn=after.get("state_machine_arn", arn or ""),
        version_arn=version_arn,
    )
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
