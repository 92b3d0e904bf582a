#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: cloudfront_distribution
short_description: Manage a CloudFront distribution from its DistributionConfig, with check mode and diff
version_added: 1.0.0
description:
  - Creates, converges or deletes a CloudFront distribution identified by its
    caller reference. The configuration is given in the shape of the CloudFront
    API (C(DistributionConfig)), so every setting, including an origin's
    C(OriginAccessControlId), is available as AWS documents it.
  - Unlike M(community.aws.cloudfront_distribution), supports check mode and
    diff, keeps the keys it is given (no defaults of its own), and compares what
    it sends as a subset of what CloudFront answers, so a converged distribution
    reports no change although CloudFront adds defaults to the answer.
  - Every list wrapper (C(Items) with C(Quantity)) may leave out its C(Quantity); the module counts.
  - An origin that CloudFront (or an emulator) reports with neither
    C(S3OriginConfig) nor C(CustomOriginConfig) is read as an S3 origin without
    an origin access identity (C(S3OriginConfig.OriginAccessIdentity) empty), the
    only origin that can have neither in a valid configuration.
  - Deleting a distribution disables it first and waits (within O(wait_timeout))
    until CloudFront has deployed that, as CloudFront requires.
author:
  - Platform team
options:
  caller_reference:
    description:
      - The caller reference, a stable, unique name of the distribution in the
        account, which is how the module finds it again.
    type: str
    required: true
  distribution_config:
    description:
      - The C(DistributionConfig) in the CloudFront API shape, without C(CallerReference).
      - Required when O(state=present).
    type: dict
  state:
    description:
      - Whether the distribution should exist.
      - C(deployed) changes nothing and waits (within O(wait_timeout)) until the
        existing distribution's last change is deployed, so that a playbook can
        start a distribution early and wait for it late. It fails when the
        distribution does not exist, except in check mode, where it does not wait.
    type: str
    choices: [present, absent, deployed]
    default: present
  wait:
    description:
      - With O(state=present), wait until the change is deployed to every edge location.
      - Deletion always waits for the disabled distribution to be deployed.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 1800
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: A private S3 origin read through an origin access control, HTTPS only
  freelancer.platform.cloudfront_distribution:
    caller_reference: dev-freelancer-platform-portfolio
    distribution_config:
      Comment: dev-freelancer-platform-portfolio
      Enabled: true
      HttpVersion: http2and3
      IsIPV6Enabled: true
      PriceClass: PriceClass_100
      Origins:
        Items:
          - Id: portfolio-bucket
            DomainName: dev-freelancer-platform-portfolio-123456789012.s3.us-east-2.amazonaws.com
            S3OriginConfig: {OriginAccessIdentity: ""}
            OriginAccessControlId: E2QWRUHAPOMQZL
      DefaultCacheBehavior:
        TargetOriginId: portfolio-bucket
        ViewerProtocolPolicy: redirect-to-https
        Compress: true
        AllowedMethods: {Items: [GET, HEAD], CachedMethods: {Items: [GET, HEAD]}}
        ForwardedValues: {QueryString: false, Cookies: {Forward: none}}
        MinTTL: 0
        DefaultTTL: 3600
        MaxTTL: 86400
      ViewerCertificate: {CloudFrontDefaultCertificate: true, MinimumProtocolVersion: TLSv1}
    tags:
      Environment: dev
  register: distribution

- name: Later in the run, wait until it is deployed
  freelancer.platform.cloudfront_distribution:
    caller_reference: dev-freelancer-platform-portfolio
    state: deployed
    wait_timeout: 1800

- name: Disable and delete it
  freelancer.platform.cloudfront_distribution:
    caller_reference: dev-freelancer-platform-portfolio
    state: absent
    wait_timeout: 1800
"""

RETURN = r"""
distribution:
  description: The distribution. Empty when absent; without id, ARN and domain name in check mode before it exists.
  returned: always
  type: dict
  contains:
    id:
      description: The distribution id.
      type: str
      sample: E1ABCDEFGHIJKL
    arn:
      description: The ARN (the value of C(AWS:SourceArn) in a bucket policy for its origin access control).
      type: str
      sample: arn:aws:cloudfront::123456789012:distribution/E1ABCDEFGHIJKL
    domain_name:
      description: The distribution's domain name.
      type: str
      sample: d111111abcdef8.cloudfront.net
    status:
      description: InProgress while a change deploys, then Deployed.
      type: str
      sample: Deployed
    enabled:
      description: Whether the distribution serves requests.
      type: bool
      sample: true
    distribution_config:
      description: The configuration as CloudFront answers it, in snake case.
      type: dict
    tags:
      description: Tags as a dict.
      type: dict
      sample: {"Environment": "dev"}
"""

import copy
import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.freelancer.platform.plugins.module_utils.desired_state import matches
from ansible_collections.freelancer.platform.plugins.module_utils.desired_state import with_quantities

AWS_ERRORS = (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) if "botocore" in globals() else ()
VIEWER_POLICIES = ("allow-all", "https-only", "redirect-to-https")


# --- reading -----------------------------------------------------------------


def summaries(client, module):
    kwargs = {}
    try:
        while True:
            answer = client.list_distributions(aws_retry=True, **kwargs)["DistributionList"]
            yield from answer.get("Items") or []
            if not answer.get("IsTruncated"):
                return
            kwargs["Marker"] = answer["NextMarker"]
    except AWS_ERRORS as e:
        module.fail_json_aws(e, msg="Could not list the distributions")


def get_config(client, module, distribution_id):
    try:
        answer = client.get_distribution_config(aws_retry=True, Id=distribution_id)
    except is_boto3_error_code("NoSuchDistribution"):
        return None, None
    except AWS_ERRORS as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not read the configuration of distribution {distribution_id}")
    return answer["DistributionConfig"], answer["ETag"]


def find(client, module, caller_reference, comment):
    """The id of the distribution with this caller reference, or None.

    Summaries carry no caller reference: distributions whose comment matches are
    read first, the others only when none of those is the one.
    """
    items = list(summaries(client, module))
    likely = [i for i in items if i.get("Comment") == comment]
    for item in likely + [i for i in items if i not in likely]:
        config, _ = get_config(client, module, item["Id"])
        if config and config.get("CallerReference") == caller_reference:
            return item["Id"]
    return None


def get_distribution(client, module, distribution_id):
    try:
        return client.get_distribution(aws_retry=True, Id=distribution_id)["Distribution"]
    except AWS_ERRORS as e:
        module.fail_json_aws(e, msg=f"Could not read distribution {distribution_id}")


def read_tags(client, module, arn):
    try:
        answer = client.list_tags_for_resource(aws_retry=True, Resource=arn)
    except AWS_ERRORS as e:
        module.fail_json_aws(e, msg=f"Could not read the tags of {arn}")
    return boto3_tag_list_to_ansible_dict(answer.get("Tags", {}).get("Items") or [])


def normalised_config(config):
    """The configuration as compared: an origin with no origin config is an S3 origin without identity."""
    config = copy.deepcopy(config)
    for origin in (config.get("Origins") or {}).get("Items") or []:
        if "S3OriginConfig" not in origin and "CustomOriginConfig" not in origin:
            origin["S3OriginConfig"] = {"OriginAccessIdentity": ""}
    return config


def read(client, module, distribution_id):
    """(the distribution as returned, its raw config, its ETag)."""
    distribution = get_distribution(client, module, distribution_id)
    config, etag = get_config(client, module, distribution_id)
    result = {
        "id": distribution["Id"],
        "arn": distribution["ARN"],
        "domain_name": distribution["DomainName"],
        "status": distribution["Status"],
        "enabled": bool(config.get("Enabled")),
        "distribution_config": snake(config),
        "tags": read_tags(client, module, distribution["ARN"]),
    }
    return result, config, etag


def snake(config):
    return camel_dict_to_snake_dict(config, reversible=False) if config else {}


# --- what the caller asks for --------------------------------------------------


def validate(module):
    params = module.params
    if params["state"] != "present":
        return
    config = params["distribution_config"]
    if not config:
        module.fail_json(msg="distribution_config is required when state is present")
    if "CallerReference" in config:
        module.fail_json(msg="distribution_config must not hold CallerReference: it is the caller_reference option")
    origins = (config.get("Origins") or {}).get("Items") or []
    if not origins:
        module.fail_json(msg="distribution_config.Origins.Items needs at least one origin")
    ids = [o.get("Id") for o in origins]
    if any(not i for i in ids) or len(set(ids)) != len(ids):
        module.fail_json(msg="distribution_config.Origins.Items: each origin needs a unique Id")
    default = config.get("DefaultCacheBehavior") or {}
    behaviours = [("DefaultCacheBehavior", default)] + [
        (f"CacheBehaviors[{b.get('PathPattern')}]", b) for b in (config.get("CacheBehaviors") or {}).get("Items") or []
    ]
    for label, behaviour in behaviours:
        if behaviour.get("TargetOriginId") not in ids:
            module.fail_json(msg=f"distribution_config.{label}.TargetOriginId must be one of the origin ids {ids}")
        if behaviour.get("ViewerProtocolPolicy") not in VIEWER_POLICIES:
            module.fail_json(
                msg=f"distribution_config.{label}.ViewerProtocolPolicy must be one of {list(VIEWER_POLICIES)}"
            )
    patterns = [b.get("PathPattern") for _, b in behaviours[1:]]
    if any(not p for p in patterns) or len(set(patterns)) != len(patterns):
        module.fail_json(msg="distribution_config.CacheBehaviors: each behaviour needs a unique PathPattern")
    if len(config.get("Comment", "")) > 128:
        module.fail_json(msg="distribution_config.Comment is longer than the 128 characters CloudFront accepts")
    certificate = config.get("ViewerCertificate") or {}
    arn = certificate.get("ACMCertificateArn")
    if arn and not arn.startswith("arn:aws:acm:us-east-1:"):
        module.fail_json(
            msg=f"distribution_config.ViewerCertificate.ACMCertificateArn must be an ACM certificate in us-east-1, got {arn}"
        )
    aliases = (config.get("Aliases") or {}).get("Items") or []
    if aliases and not (arn or certificate.get("IAMCertificateId")):
        module.fail_json(
            msg="distribution_config.Aliases need a ViewerCertificate with an ACM certificate covering them"
        )


def desired_config(module):
    config = with_quantities(module.params["distribution_config"])
    config["CallerReference"] = module.params["caller_reference"]
    config.setdefault("Comment", "")
    return config


# --- changing ------------------------------------------------------------------


def wait_deployed(client, module, distribution_id):
    deadline = time.monotonic() + module.params["wait_timeout"]
    delay = 5
    while True:
        status = get_distribution(client, module, distribution_id)["Status"]
        if status == "Deployed":
            return
        if time.monotonic() >= deadline:
            module.fail_json(
                msg=f"Timed out after {module.params['wait_timeout']} s waiting for distribution {distribution_id} "
                f"to be deployed; it is {status}"
            )
        time.sleep(delay)
        delay = min(delay * 2, 30)


def converge_tags(client, module, arn, current):
    if module.params["tags"] is None:
        return False
    to_add, to_remove = compare_aws_tags(current, module.params["tags"], module.params["purge_tags"])
    if module.check_mode or not (to_add or to_remove):
        return bool(to_add or to_remove)
    try:
        if to_remove:
            client.untag_resource(aws_retry=True, Resource=arn, TagKeys={"Items": to_remove})
        if to_add:
            client.tag_resource(aws_retry=True, Resource=arn, Tags={"Items": ansible_dict_to_boto3_tag_list(to_add)})
    except AWS_ERRORS as e:
        module.fail_json_aws(e, msg=f"Could not tag {arn}")
    return True


def create(client, module, config):
    tags = module.params["tags"] or {}
    try:
        if tags:
            answer = client.create_distribution_with_tags(
                aws_retry=True,
                DistributionConfigWithTags={
                    "DistributionConfig": config,
                    "Tags": {"Items": ansible_dict_to_boto3_tag_list(tags)},
                },
            )
        else:
            answer = client.create_distribution(aws_retry=True, DistributionConfig=config)
    except AWS_ERRORS as e:
        module.fail_json_aws(e, msg=f"Could not create distribution {config['CallerReference']}")
    return answer["Distribution"]["Id"]


def delete(client, module, distribution_id):
    config, etag = get_config(client, module, distribution_id)
    if config is None:
        return
    try:
        if config.get("Enabled"):
            config["Enabled"] = False
            etag = client.update_distribution(
                aws_retry=True, Id=distribution_id, IfMatch=etag, DistributionConfig=config
            )["ETag"]
        wait_deployed(client, module, distribution_id)
        client.delete_distribution(aws_retry=True, Id=distribution_id, IfMatch=etag)
    except is_boto3_error_code("NoSuchDistribution"):
        return
    except AWS_ERRORS as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not delete distribution {distribution_id}")


def main():
    argument_spec = dict(
        caller_reference=dict(type="str", required=True),
        distribution_config=dict(type="dict"),
        state=dict(type="str", default="present", choices=["present", "absent", "deployed"]),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=1800),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = module.client("cloudfront", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    reference = module.params["caller_reference"]
    comment = (module.params["distribution_config"] or {}).get("Comment", reference)

    distribution_id = find(client, module, reference, comment)
    before, current_config, etag = read(client, module, distribution_id) if distribution_id else ({}, None, None)

    if module.params["state"] == "deployed":
        if not before:
            if module.check_mode:
                module.exit_json(changed=False, distribution={}, msg=f"Distribution {reference} does not exist yet")
            module.fail_json(msg=f"Distribution {reference} does not exist: converge it first")
        if before["status"] != "Deployed" and not module.check_mode:
            wait_deployed(client, module, distribution_id)
            before, _, _ = read(client, module, distribution_id)
        module.exit_json(changed=False, distribution=before)

    if module.params["state"] == "absent":
        changed = bool(before)
        if changed and not module.check_mode:
            delete(client, module, distribution_id)
        result = dict(changed=changed, distribution={})
        if module._diff:
            result["diff"] = dict(before=before, after={})
        module.exit_json(**result)

    config = desired_config(module)
    config_changed = not before or not matches(config, normalised_config(current_config))
    if module.check_mode:
        tags_changed = converge_tags(client, module, before.get("arn"), before.get("tags", {})) if before else False
        changed = config_changed or tags_changed
        after = (
            dict(before)
            if before
            else {"id": "", "arn": "", "domain_name": "", "status": "", "tags": module.params["tags"] or {}}
        )
        if config_changed:
            after.update(enabled=bool(config.get("Enabled")), distribution_config=snake(config))
        if tags_changed:
            after["tags"] = dict(module.params["tags"])
    else:
        if not before:
            distribution_id = create(client, module, config)
            tags_changed = False
        else:
            if config_changed:
                try:
                    client.update_distribution(
                        aws_retry=True, Id=distribution_id, IfMatch=etag, DistributionConfig=config
                    )
                except AWS_ERRORS as e:
                    module.fail_json_aws(e, msg=f"Could not update distribution {distribution_id}")
            tags_changed = converge_tags(client, module, before["arn"], before["tags"])
        changed = config_changed or tags_changed
        if changed and module.params["wait"]:
            wait_deployed(client, module, distribution_id)
        after, _, _ = read(client, module, distribution_id) if changed else (before, None, None)
    result = dict(changed=changed, distribution=after)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
