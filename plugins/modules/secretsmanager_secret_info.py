#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: secretsmanager_secret_info
short_description: Find Secrets Manager secrets by name, without reading their values
version_added: 1.0.0
description:
  - Looks secrets up by name (DescribeSecret) and returns their ARNs, KMS keys and
    tags, so that a role can refer to a secret (a task definition's C(valueFrom), an
    IAM policy's resource) without the secret value ever reaching Ansible.
  - GetSecretValue is never called. A secret scheduled for deletion counts as missing.
author:
  - Platform team
options:
  names:
    description: Secret names (or ARNs) to look up.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Find the database and Redis secrets
  freelancer.platform.secretsmanager_secret_info:
    names:
      - dev-freelancer-platform/aurora/credentials
      - dev-freelancer-platform/redis/auth-token
  register: found

- name: Use an ARN
  ansible.builtin.debug:
    msg: "{{ found.secrets['dev-freelancer-platform/aurora/credentials'].arn | default('missing') }}"
"""

RETURN = r"""
secrets:
  description: The secrets found, by the name they were asked for; a missing secret is left out.
  returned: always
  type: dict
  sample:
    dev-freelancer-platform/aurora/credentials:
      arn: arn:aws:secretsmanager:us-east-2:123456789012:secret:dev-freelancer-platform/aurora/credentials-AbCdEf
      name: dev-freelancer-platform/aurora/credentials
      kms_key_id: arn:aws:kms:us-east-2:123456789012:key/11111111-2222-3333-4444-555555555555
      tags: {Environment: dev}
missing:
  description: The names asked for that do not exist (or are scheduled for deletion).
  returned: always
  type: list
  elements: str
  sample: [dev-freelancer-platform/redis/auth-token]
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

# What DescribeSecret returns that is worth returning; dates and version stages are left out.
KEPT = ("ARN", "Name", "Description", "KmsKeyId", "RotationEnabled", "RotationLambdaARN", "Tags")


def describe(client, module, name):
    try:
        secret = client.describe_secret(aws_retry=True, SecretId=name)
    except is_boto3_error_code("ResourceNotFoundException"):
        return None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not describe secret {name}")
    if secret.get("DeletedDate"):
        return None
    kept = {k: secret[k] for k in KEPT if k in secret}
    result = camel_dict_to_snake_dict({k: v for k, v in kept.items() if k != "Tags"})
    result["tags"] = boto3_tag_list_to_ansible_dict(kept.get("Tags") or [])
    return result


def main():
    argument_spec = dict(names=dict(type="list", elements="str", required=True))
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    names = module.params["names"]
    empty = [n for n in names if not n or not n.strip()]
    if empty:
        module.fail_json(msg="names must not contain empty secret names")
    client = module.client("secretsmanager", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    secrets = {}
    missing = []
    for name in names:
        found = describe(client, module, name)
        if found:
            secrets[name] = found
        else:
            missing.append(name)
    module.exit_json(changed=False, secrets=secrets, missing=missing)


if __name__ == "__main__":
    main()
