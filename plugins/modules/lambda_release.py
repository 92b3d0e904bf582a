#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: lambda_release
short_description: Publish a Lambda function's current code and configuration as a version and point an alias at it
version_added: 1.0.0
description:
  - Releases the unpublished version (C($LATEST)) of a function through an alias,
    so that callers of the alias (a load balancer target, an asynchronous
    invocation) run an immutable, numbered version that an operator can roll back.
  - A version is published only when the code (C(CodeSha256)) or the configuration
    (runtime, handler, timeout, memory, role, environment, VPC, tracing,
    dead-letter queue, layers, architecture) of C($LATEST) differs from the newest
    published version. M(amazon.aws.lambda) publishes on code changes only; this
    module also releases configuration changes.
  - With O(version) the alias points at that published version instead (a
    rollback), and nothing is published.
  - Check mode and diff supported.
author:
  - Platform team
options:
  function_name:
    description: Name or ARN of the function (unqualified).
    type: str
    required: true
  alias:
    description: The alias to point at the released version.
    type: str
    required: true
  version:
    description:
      - A published version number to point the alias at (a rollback).
      - Empty or omitted releases C($LATEST).
    type: str
    default: ""
  description:
    description: Description of a version this module publishes, and of the alias.
    type: str
    default: ""
  state:
    description: C(absent) removes the alias (the versions stay).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Release what was just deployed through the alias live
  freelancer.platform.lambda_release:
    function_name: dev-freelancer-platform-payment-webhook
    alias: live
  register: release

- name: Roll the alias back to version 7
  freelancer.platform.lambda_release:
    function_name: dev-freelancer-platform-payment-webhook
    alias: live
    version: "7"
"""

RETURN = r"""
alias:
  description: The alias after the run (empty when absent; in check mode the would-be alias).
  returned: always
  type: dict
  contains:
    name:
      description: Alias name.
      type: str
      sample: live
    alias_arn:
      description: The alias ARN (qualified function ARN).
      type: str
      sample: arn:aws:lambda:us-east-2:123456789012:function:dev-freelancer-platform-payment-webhook:live
    function_version:
      description: The version the alias points at.
      type: str
      sample: "3"
version:
  description: The version released (C(new) in check mode when one would be published).
  returned: when state is present
  type: str
  sample: "3"
published:
  description: Whether a new version was (or, in check mode, would be) published.
  returned: when state is present
  type: bool
  sample: false
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


def fingerprint(config):
    """What makes two versions run the same code the same way."""
    vpc = config.get("VpcConfig") or {}
    return {
        "code": config.get("CodeSha256"),
        "runtime": config.get("Runtime"),
        "handler": config.get("Handler"),
        "timeout": config.get("Timeout"),
        "memory": config.get("MemorySize"),
        "role": config.get("Role"),
        "environment": (config.get("Environment") or {}).get("Variables") or {},
        "subnets": sorted(vpc.get("SubnetIds") or []),
        "security_groups": sorted(vpc.get("SecurityGroupIds") or []),
        "tracing": (config.get("TracingConfig") or {}).get("Mode", "PassThrough"),
        "dead_letter": (config.get("DeadLetterConfig") or {}).get("TargetArn", ""),
        "layers": sorted(layer.get("Arn", "") for layer in config.get("Layers") or []),
        "architectures": sorted(config.get("Architectures") or ["x86_64"]),
    }


def published_versions(client, module, name):
    versions = []
    try:
        paginator = client.get_paginator("list_versions_by_function")
        for page in paginator.paginate(FunctionName=name):
            versions.extend(v for v in page["Versions"] if v["Version"] != "$LATEST")
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not list the versions of {name}")
    return sorted(versions, key=lambda v: int(v["Version"]))


def get_alias(client, module, name, alias):
    try:
        return client.get_alias(aws_retry=True, FunctionName=name, Name=alias)
    except is_boto3_error_code("ResourceNotFoundException"):
        return None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not read alias {alias} of {name}")


def alias_view(alias):
    if not alias:
        return {}
    return {
        "name": alias["Name"],
        "alias_arn": alias["AliasArn"],
        "function_version": alias["FunctionVersion"],
        "description": alias.get("Description", ""),
    }


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            function_name=dict(type="str", required=True),
            alias=dict(type="str", required=True),
            version=dict(type="str", default=""),
            description=dict(type="str", default=""),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    name, alias_name, pinned = params["function_name"], params["alias"], (params["version"] or "").strip()
    if pinned and not pinned.isdigit():
        module.fail_json(msg=f"version must be a published version number, got {pinned!r}")
    if alias_name == "$LATEST" or alias_name.isdigit():
        module.fail_json(msg=f"alias must be a name, not a version ({alias_name!r})")
    client = module.client("lambda", retry_decorator=AWSRetry.jittered_backoff(retries=10))

    try:
        latest = client.get_function_configuration(aws_retry=True, FunctionName=name)
    except is_boto3_error_code("ResourceNotFoundException"):
        latest = None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not read function {name}")

    current = get_alias(client, module, name, alias_name) if latest else None
    before = alias_view(current)

    if params["state"] == "absent":
        changed = current is not None
        if changed and not module.check_mode:
            try:
                client.delete_alias(aws_retry=True, FunctionName=name, Name=alias_name)
            except is_boto3_error_code("ResourceNotFoundException"):
                pass
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
                module.fail_json_aws(e, msg=f"Could not delete alias {alias_name} of {name}")
        result = dict(changed=changed, alias={})
        if module._diff:
            result["diff"] = dict(before=before, after={})
        module.exit_json(**result)

    if latest is None:
        if module.check_mode:
            # the function would be created by an earlier task: its first version would be released
            after = {"name": alias_name, "alias_arn": "", "function_version": pinned or "new", "description": ""}
            result = dict(changed=True, alias=after, version=pinned or "new", published=not pinned)
            if module._diff:
                result["diff"] = dict(before={}, after=after)
            module.exit_json(**result)
        module.fail_json(msg=f"function {name} does not exist")

    versions = published_versions(client, module, name)
    published = False
    if pinned:
        if pinned not in {v["Version"] for v in versions}:
            module.fail_json(
                msg=f"version {pinned} of {name} is not published (published: {[v['Version'] for v in versions]})"
            )
        target = pinned
    elif versions and fingerprint(versions[-1]) == fingerprint(latest):
        target = versions[-1]["Version"]
    else:
        published = True
        target = "new"
        if not module.check_mode:
            try:
                answer = client.publish_version(
                    aws_retry=True,
                    FunctionName=name,
                    CodeSha256=latest["CodeSha256"],
                    Description=params["description"],
                )
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg=f"Could not publish a version of {name}")
            target = answer["Version"]

    desired = {"FunctionVersion": target, "Description": params["description"]}
    changed = published or current is None or any(current.get(k, "") != v for k, v in desired.items())
    after = dict(before) if before else {"name": alias_name, "alias_arn": "", "description": ""}
    after.update(function_version=target, description=params["description"])
    if changed and not module.check_mode:
        try:
            if current is None:
                answer = client.create_alias(aws_retry=True, FunctionName=name, Name=alias_name, **desired)
            elif any(current.get(k, "") != v for k, v in desired.items()):
                answer = client.update_alias(aws_retry=True, FunctionName=name, Name=alias_name, **desired)
            else:
                answer = current
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Could not point alias {alias_name} of {name} at version {target}")
        after = alias_view(answer)
    result = dict(changed=changed, alias=after, version=target, published=published)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
