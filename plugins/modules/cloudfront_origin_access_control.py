#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: cloudfront_origin_access_control
short_description: Manage a CloudFront origin access control (OAC)
version_added: 1.0.0
description:
  - Creates, converges or deletes a CloudFront origin access control, identified
    by its name (unique in an account).
  - An origin access control lets a distribution sign its requests to an S3
    origin, so that the bucket policy can grant reads to that distribution alone
    (condition C(AWS:SourceArn)); unlike an origin access identity it can read
    SSE-KMS encrypted objects. amazon.aws and community.aws have no module for it.
  - CloudFront refuses to delete an origin access control that a distribution
    still uses; remove or change the distribution first.
author:
  - Platform team
options:
  name:
    description: The name, unique in the account (at most 64 characters).
    type: str
    required: true
  description:
    description: A description.
    type: str
    default: ""
  origin_type:
    description: The kind of origin it signs for.
    type: str
    choices: [s3, mediastore, lambda, mediapackagev2]
    default: s3
  signing_behavior:
    description: C(always) signs every request (the setting for a private S3 origin).
    type: str
    choices: [always, never, no-override]
    default: always
  signing_protocol:
    description: The signing protocol.
    type: str
    choices: [sigv4]
    default: sigv4
  state:
    description: Whether it should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Origin access control for the portfolio bucket
  freelancer.platform.cloudfront_origin_access_control:
    name: dev-freelancer-platform-portfolio
    description: CloudFront reads of the portfolio bucket
  register: oac

- name: Remove it (after the distribution that used it)
  freelancer.platform.cloudfront_origin_access_control:
    name: dev-freelancer-platform-portfolio
    state: absent
"""

RETURN = r"""
origin_access_control:
  description: The origin access control. Empty when absent.
  returned: always
  type: dict
  contains:
    id:
      description: Its id, for an origin's C(OriginAccessControlId).
      type: str
      sample: E2QWRUHAPOMQZL
    name:
      description: Its name.
      type: str
      sample: dev-freelancer-platform-portfolio
    description:
      description: Its description.
      type: str
      sample: CloudFront reads of the portfolio bucket
    origin_type:
      description: The kind of origin.
      type: str
      sample: s3
    signing_behavior:
      description: When requests are signed.
      type: str
      sample: always
    signing_protocol:
      description: The signing protocol.
      type: str
      sample: sigv4
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

AWS_ERRORS = (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) if "botocore" in globals() else ()
FIELDS = {
    "name": "Name",
    "description": "Description",
    "origin_type": "OriginAccessControlOriginType",
    "signing_behavior": "SigningBehavior",
    "signing_protocol": "SigningProtocol",
}


def find(client, module, name):
    """The id of the origin access control named ``name``, or None."""
    kwargs = {}
    try:
        while True:
            answer = client.list_origin_access_controls(aws_retry=True, **kwargs)["OriginAccessControlList"]
            for item in answer.get("Items") or []:
                if item["Name"] == name:
                    return item["Id"]
            if not answer.get("IsTruncated"):
                return None
            kwargs["Marker"] = answer["NextMarker"]
    except AWS_ERRORS as e:
        module.fail_json_aws(e, msg="Could not list the origin access controls")


def read(client, module, control_id):
    """(normalised, etag) of an origin access control."""
    try:
        answer = client.get_origin_access_control(aws_retry=True, Id=control_id)
    except AWS_ERRORS as e:
        module.fail_json_aws(e, msg=f"Could not read origin access control {control_id}")
    config = answer["OriginAccessControl"]["OriginAccessControlConfig"]
    control = {"id": answer["OriginAccessControl"]["Id"]}
    control.update({key: config.get(api) or "" for key, api in FIELDS.items()})
    return control, answer.get("ETag")


def desired_config(params):
    return {api: params[key] for key, api in FIELDS.items()}


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        description=dict(type="str", default=""),
        origin_type=dict(type="str", default="s3", choices=["s3", "mediastore", "lambda", "mediapackagev2"]),
        signing_behavior=dict(type="str", default="always", choices=["always", "never", "no-override"]),
        signing_protocol=dict(type="str", default="sigv4", choices=["sigv4"]),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    name = module.params["name"]
    if len(name) > 64:
        module.fail_json(msg=f"name {name!r} is longer than the 64 characters CloudFront accepts")
    client = module.client("cloudfront", retry_decorator=AWSRetry.jittered_backoff(retries=10))

    control_id = find(client, module, name)
    before, etag = read(client, module, control_id) if control_id else ({}, None)

    if module.params["state"] == "absent":
        changed = bool(before)
        if changed and not module.check_mode:
            try:
                client.delete_origin_access_control(aws_retry=True, Id=control_id, IfMatch=etag)
            except is_boto3_error_code("NoSuchOriginAccessControl"):
                pass
            except is_boto3_error_code("OriginAccessControlInUse"):  # pylint: disable=duplicate-except
                module.fail_json(msg=f"Origin access control {name} is still used by a distribution: remove that first")
            except AWS_ERRORS as e:  # pylint: disable=duplicate-except
                module.fail_json_aws(e, msg=f"Could not delete origin access control {name}")
        result = dict(changed=changed, origin_access_control={})
        if module._diff:
            result["diff"] = dict(before=before, after={})
        module.exit_json(**result)

    wanted = {key: module.params[key] for key in FIELDS}
    changed = not before or any(before[k] != v for k, v in wanted.items())
    after = dict(before, **wanted) if changed else before
    if changed and not module.check_mode:
        try:
            if before:
                client.update_origin_access_control(
                    aws_retry=True, Id=control_id, IfMatch=etag, OriginAccessControlConfig=desired_config(module.params)
                )
            else:
                answer = client.create_origin_access_control(
                    aws_retry=True, OriginAccessControlConfig=desired_config(module.params)
                )
                control_id = answer["OriginAccessControl"]["Id"]
        except AWS_ERRORS as e:
            module.fail_json_aws(e, msg=f"Could not converge origin access control {name}")
        after, _ = read(client, module, control_id)
    result = dict(changed=changed, origin_access_control=after)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
