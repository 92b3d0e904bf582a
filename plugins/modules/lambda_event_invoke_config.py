#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: lambda_event_invoke_config
short_description: Manage how Lambda retries a function's asynchronous invocations
version_added: 1.0.0
description:
  - Converges the asynchronous invocation configuration (PutFunctionEventInvokeConfig)
    of a function, a version or an alias, that is how many times Lambda retries a failed
    event, how old an event may get, and where records of successes and failures go.
  - amazon.aws and community.aws have no module for it.
  - Check mode and diff supported.
author:
  - Platform team
options:
  function_name:
    description: Name or ARN of the function (unqualified).
    type: str
    required: true
  qualifier:
    description: A version number or alias name; omitted configures the unpublished version C($LATEST).
    type: str
  maximum_retry_attempts:
    description: Retries after a failed asynchronous invocation, 0 to 2.
    type: int
    default: 2
  maximum_event_age_in_seconds:
    description: Oldest event Lambda still tries to process, 60 to 21600 seconds.
    type: int
    default: 21600
  on_success_destination:
    description: ARN (SQS queue, SNS topic, Lambda function, EventBridge bus) receiving a record of each success; empty for none.
    type: str
    default: ""
  on_failure_destination:
    description:
      - ARN receiving a record of each event that failed every attempt; empty for none.
      - A function's dead-letter queue (its C(DeadLetterConfig)) receives the event payload itself instead.
    type: str
    default: ""
  state:
    description: Whether the configuration should exist (absent restores Lambda's defaults).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Two retries within six hours, then the function's dead-letter queue
  freelancer.platform.lambda_event_invoke_config:
    function_name: dev-freelancer-platform-payment-webhook
    qualifier: live
    maximum_retry_attempts: 2
    maximum_event_age_in_seconds: 21600
"""

RETURN = r"""
event_invoke_config:
  description: The configuration after the run (empty when absent).
  returned: always
  type: dict
  contains:
    maximum_retry_attempts:
      description: Retries.
      type: int
      sample: 2
    maximum_event_age_in_seconds:
      description: Maximum event age.
      type: int
      sample: 21600
    on_success_destination:
      description: Destination of success records ("" for none).
      type: str
      sample: ""
    on_failure_destination:
      description: Destination of failure records ("" for none).
      type: str
      sample: arn:aws:sqs:us-east-2:123456789012:failures
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


def view(config):
    if not config:
        return {}
    destinations = config.get("DestinationConfig") or {}
    return {
        "maximum_retry_attempts": config.get("MaximumRetryAttempts", 2),
        "maximum_event_age_in_seconds": config.get("MaximumEventAgeInSeconds", 21600),
        "on_success_destination": (destinations.get("OnSuccess") or {}).get("Destination", "") or "",
        "on_failure_destination": (destinations.get("OnFailure") or {}).get("Destination", "") or "",
    }


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            function_name=dict(type="str", required=True),
            qualifier=dict(type="str"),
            maximum_retry_attempts=dict(type="int", default=2),
            maximum_event_age_in_seconds=dict(type="int", default=21600),
            on_success_destination=dict(type="str", default=""),
            on_failure_destination=dict(type="str", default=""),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not 0 <= params["maximum_retry_attempts"] <= 2:
        module.fail_json(msg=f"maximum_retry_attempts must be from 0 to 2, got {params['maximum_retry_attempts']}")
    if not 60 <= params["maximum_event_age_in_seconds"] <= 21600:
        module.fail_json(
            msg=f"maximum_event_age_in_seconds must be from 60 to 21600, got {params['maximum_event_age_in_seconds']}"
        )
    for key in ("on_success_destination", "on_failure_destination"):
        if params[key] and not params[key].startswith("arn:"):
            module.fail_json(msg=f"{key} must be an ARN, got {params[key]!r}")

    client = module.client("lambda", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    target = {"FunctionName": params["function_name"]}
    if params["qualifier"]:
        target["Qualifier"] = params["qualifier"]
    label = ":".join(target.values())

    try:
        current = client.get_function_event_invoke_config(aws_retry=True, **target)
    except is_boto3_error_code("ResourceNotFoundException"):
        current = None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not read the asynchronous invocation configuration of {label}")
    before = view(current)

    if params["state"] == "absent":
        changed = current is not None
        if changed and not module.check_mode:
            try:
                client.delete_function_event_invoke_config(aws_retry=True, **target)
            except is_boto3_error_code("ResourceNotFoundException"):
                pass
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
                module.fail_json_aws(e, msg=f"Could not delete the asynchronous invocation configuration of {label}")
        result = dict(changed=changed, event_invoke_config={})
        if module._diff:
            result["diff"] = dict(before=before, after={})
        module.exit_json(**result)

    after = {
        "maximum_retry_attempts": params["maximum_retry_attempts"],
        "maximum_event_age_in_seconds": params["maximum_event_age_in_seconds"],
        "on_success_destination": params["on_success_destination"],
        "on_failure_destination": params["on_failure_destination"],
    }
    changed = before != after
    if changed and not module.check_mode:
        destinations = {}
        if after["on_success_destination"]:
            destinations["OnSuccess"] = {"Destination": after["on_success_destination"]}
        if after["on_failure_destination"]:
            destinations["OnFailure"] = {"Destination": after["on_failure_destination"]}
        request = dict(
            target,
            MaximumRetryAttempts=after["maximum_retry_attempts"],
            MaximumEventAgeInSeconds=after["maximum_event_age_in_seconds"],
            DestinationConfig=destinations,
        )
        try:
            if current is None:
                answer = client.put_function_event_invoke_config(aws_retry=True, **request)
            else:
                answer = client.update_function_event_invoke_config(aws_retry=True, **request)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Could not configure the asynchronous invocations of {label}")
        after = view(answer)
    result = dict(changed=changed, event_invoke_config=after)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
