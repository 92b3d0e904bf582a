#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: s3_bucket
short_description: Manage an S3 bucket and its configuration, with check mode and diff
version_added: 1.0.0
description:
  - Creates, converges or deletes an S3 bucket with its object ownership,
    versioning, default encryption, public access block, bucket policy,
    lifecycle rules, CORS rules, ACL grants and tags.
  - Unlike M(amazon.aws.s3_bucket), M(community.aws.s3_lifecycle) and
    M(community.aws.s3_cors), supports check mode and returns a diff, so that
    C(--check --diff) shows exactly which part of a bucket would change.
  - Each setting left out (V(null)) is left as it is. Lifecycle and CORS rules
    are compared as a subset of what S3 answers (S3 adds defaults), so a
    converged bucket reports no change.
  - With O(state=absent) and O(force=true), the bucket policy is removed first (a
    deny statement could stop the emptying), then every object version, delete
    marker and unfinished multipart upload, then the bucket.
author:
  - Platform team
options:
  name:
    description: The bucket name.
    type: str
    required: true
  state:
    description: Whether the bucket should exist.
    type: str
    choices: [present, absent]
    default: present
  force:
    description: With O(state=absent), empty the bucket (all versions) before deleting it.
    type: bool
    default: false
  object_ownership:
    description:
      - C(BucketOwnerEnforced) disables ACLs; C(BucketOwnerPreferred) keeps ACLs
        (CloudFront standard logging needs them) and makes the bucket owner own
        objects written with C(bucket-owner-full-control).
    type: str
    choices: [BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter]
  versioning:
    description: Versioning on (Enabled) or off (Suspended once it has been on).
    type: bool
  encryption:
    description: Default encryption of new objects.
    type: dict
    suboptions:
      sse_algorithm:
        description: C(aws:kms) for SSE-KMS, C(AES256) for SSE-S3.
        type: str
        choices: [aws:kms, AES256]
        required: true
      kms_key_id:
        description: The KMS key ARN with C(aws:kms); the AWS managed key C(aws/s3) when omitted.
        type: str
      bucket_key_enabled:
        description: An S3 Bucket Key, which cuts the KMS requests (and their cost) of SSE-KMS.
        type: bool
        default: false
  public_access_block:
    description: The bucket's public access block; each setting defaults to true.
    type: dict
    suboptions:
      block_public_acls:
        description: Refuse public ACLs.
        type: bool
        default: true
      ignore_public_acls:
        description: Ignore public ACLs.
        type: bool
        default: true
      block_public_policy:
        description: Refuse a public bucket policy.
        type: bool
        default: true
      restrict_public_buckets:
        description: Restrict access to a bucket with a public policy.
        type: bool
        default: true
  policy:
    description:
      - The bucket policy document (a dict or JSON text). An empty document removes the policy.
    type: json
  lifecycle_rules:
    description:
      - The lifecycle rules, in the shape of the S3 API (C(ID), C(Status), C(Filter),
        C(Transitions), C(NoncurrentVersionExpiration), C(AbortIncompleteMultipartUpload) ...).
        Each rule needs an C(ID). An empty list removes the configuration.
    type: list
    elements: dict
  cors_rules:
    description:
      - The CORS rules, in the shape of the S3 API (C(AllowedOrigins), C(AllowedMethods),
        C(AllowedHeaders), C(ExposeHeaders), C(MaxAgeSeconds)), in order. An empty list removes them.
    type: list
    elements: dict
  acl_grants:
    description:
      - Grants besides the owner's FULL_CONTROL (which is always kept). Not with
        O(object_ownership=BucketOwnerEnforced), which disables ACLs.
    type: list
    elements: dict
    suboptions:
      grantee_id:
        description: Canonical user id of the grantee.
        type: str
      grantee_uri:
        description: URI of a grantee group.
        type: str
      permission:
        description: The permission granted.
        type: str
        choices: [FULL_CONTROL, READ, WRITE, READ_ACP, WRITE_ACP]
        required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Private, versioned, KMS-encrypted bucket
  freelancer.platform.s3_bucket:
    name: dev-freelancer-platform-portfolio-123456789012
    object_ownership: BucketOwnerEnforced
    versioning: true
    encryption:
      sse_algorithm: aws:kms
      kms_key_id: arn:aws:kms:us-east-2:123456789012:key/11111111-2222-3333-4444-555555555555
      bucket_key_enabled: true
    public_access_block: {}
    lifecycle_rules:
      - ID: expire-noncurrent-versions
        Status: Enabled
        Filter: {Prefix: ""}
        NoncurrentVersionExpiration: {NoncurrentDays: 90}
    cors_rules:
      - AllowedOrigins: ["https://app.example.com"]
        AllowedMethods: [PUT, POST]
        AllowedHeaders: ["*"]
    tags:
      Environment: dev

- name: Empty and delete it
  freelancer.platform.s3_bucket:
    name: dev-freelancer-platform-portfolio-123456789012
    state: absent
    force: true
"""

RETURN = r"""
bucket:
  description: The bucket and its configuration. Empty when absent.
  returned: always
  type: dict
  contains:
    name:
      description: The name.
      type: str
      sample: dev-freelancer-platform-portfolio-123456789012
    arn:
      description: The ARN.
      type: str
      sample: arn:aws:s3:::dev-freelancer-platform-portfolio-123456789012
    regional_domain_name:
      description: The regional endpoint host name (a CloudFront S3 origin's domain name).
      type: str
      sample: dev-freelancer-platform-portfolio-123456789012.s3.us-east-2.amazonaws.com
    object_ownership:
      description: The object ownership setting, or null.
      type: str
      sample: BucketOwnerEnforced
    versioning:
      description: Enabled, Suspended, or null when never enabled.
      type: str
      sample: Enabled
    encryption:
      description: Default encryption (sse_algorithm, kms_key_id, bucket_key_enabled), or null.
      type: dict
      sample: {"sse_algorithm": "aws:kms", "kms_key_id": "arn:aws:kms:...", "bucket_key_enabled": true}
    public_access_block:
      description: The four public access block settings, or null.
      type: dict
      sample: {"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true}
    policy:
      description: The bucket policy document, or null.
      type: dict
    lifecycle_rules:
      description: The lifecycle rules as S3 answers them.
      type: list
      elements: dict
    cors_rules:
      description: The CORS rules as S3 answers them.
      type: list
      elements: dict
    acl_grants:
      description: The ACL grants other than the owner's (only when O(acl_grants) is given).
      type: list
      elements: dict
    tags:
      description: Tags as a dict.
      type: dict
      sample: {"Environment": "dev"}
changed_sections:
  description: What changed (or would change in check mode); C(bucket) when the bucket is created.
  returned: state is present
  type: list
  elements: str
  sample: [policy, lifecycle_rules]
"""

import json
import re

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.freelancer.platform.plugins.module_utils.desired_state import matches

AWS_ERRORS = (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) if "botocore" in globals() else ()
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
PAB_KEYS = {
    "block_public_acls": "BlockPublicAcls",
    "ignore_public_acls": "IgnorePublicAcls",
    "block_public_policy": "BlockPublicPolicy",
    "restrict_public_buckets": "RestrictPublicBuckets",
}
NOT_FOUND = {
    "ownership": "OwnershipControlsNotFoundError",
    "encryption": "ServerSideEncryptionConfigurationNotFoundError",
    "public_access_block": "NoSuchPublicAccessBlockConfiguration",
    "policy": "NoSuchBucketPolicy",
    "lifecycle": "NoSuchLifecycleConfiguration",
    "cors": "NoSuchCORSConfiguration",
    "tags": "NoSuchTagSet",
}
SECTIONS = (
    "object_ownership",
    "versioning",
    "encryption",
    "public_access_block",
    "policy",
    "lifecycle_rules",
    "cors_rules",
    "acl_grants",
    "tags",
)


# --- reading -----------------------------------------------------------------


def _get(module, what, function, missing, **kwargs):
    try:
        return function(aws_retry=True, **kwargs)
    except is_boto3_error_code(missing):
        return None
    except AWS_ERRORS as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not read the {what} of bucket {kwargs.get('Bucket')}")


def bucket_exists(client, module, name):
    try:
        client.head_bucket(aws_retry=True, Bucket=name)
        return True
    except is_boto3_error_code(["404", "NoSuchBucket", "NotFound"]):
        return False
    except is_boto3_error_code(["403", "AccessDenied", "Forbidden"]):  # pylint: disable=duplicate-except
        module.fail_json(msg=f"Bucket {name} exists but this account cannot reach it (S3 bucket names are global)")
    except AWS_ERRORS as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not look up bucket {name}")


def read(client, module, name):
    if not bucket_exists(client, module, name):
        return {}
    ownership = _get(
        module, "ownership controls", client.get_bucket_ownership_controls, NOT_FOUND["ownership"], Bucket=name
    )
    versioning = _get(module, "versioning", client.get_bucket_versioning, "NoSuchBucket", Bucket=name) or {}
    encryption = _get(module, "encryption", client.get_bucket_encryption, NOT_FOUND["encryption"], Bucket=name)
    pab = _get(
        module, "public access block", client.get_public_access_block, NOT_FOUND["public_access_block"], Bucket=name
    )
    policy = _get(module, "policy", client.get_bucket_policy, NOT_FOUND["policy"], Bucket=name)
    lifecycle = _get(
        module, "lifecycle", client.get_bucket_lifecycle_configuration, NOT_FOUND["lifecycle"], Bucket=name
    )
    cors = _get(module, "CORS rules", client.get_bucket_cors, NOT_FOUND["cors"], Bucket=name)
    tagging = _get(module, "tags", client.get_bucket_tagging, NOT_FOUND["tags"], Bucket=name)
    bucket = {
        "name": name,
        "arn": f"arn:aws:s3:::{name}",
        "regional_domain_name": f"{name}.s3.{module.region}.amazonaws.com",
        "object_ownership": ownership["OwnershipControls"]["Rules"][0]["ObjectOwnership"] if ownership else None,
        "versioning": versioning.get("Status"),
        "encryption": None,
        "public_access_block": None,
        "policy": json.loads(policy["Policy"]) if policy and policy.get("Policy") else None,
        "lifecycle_rules": (lifecycle or {}).get("Rules", []),
        "cors_rules": (cors or {}).get("CORSRules", []),
        "tags": boto3_tag_list_to_ansible_dict((tagging or {}).get("TagSet", [])),
    }
    if encryption:
        rule = encryption["ServerSideEncryptionConfiguration"]["Rules"][0]
        default = rule.get("ApplyServerSideEncryptionByDefault", {})
        bucket["encryption"] = {
            "sse_algorithm": default.get("SSEAlgorithm"),
            "kms_key_id": default.get("KMSMasterKeyID"),
            "bucket_key_enabled": bool(rule.get("BucketKeyEnabled", False)),
        }
    if pab:
        config = pab["PublicAccessBlockConfiguration"]
        bucket["public_access_block"] = {k: bool(config.get(v, False)) for k, v in PAB_KEYS.items()}
    if module.params["acl_grants"] is not None:
        bucket["acl_grants"], bucket["owner_id"] = read_acl(client, module, name)
    return bucket


def read_acl(client, module, name):
    acl = _get(module, "ACL", client.get_bucket_acl, "NoSuchBucket", Bucket=name) or {}
    owner = (acl.get("Owner") or {}).get("ID")
    grants = []
    for grant in acl.get("Grants", []):
        grantee = grant.get("Grantee", {})
        if grantee.get("ID") == owner and grant.get("Permission") == "FULL_CONTROL":
            continue
        entry = {"permission": grant["Permission"]}
        if grantee.get("ID"):
            entry["grantee_id"] = grantee["ID"]
        if grantee.get("URI"):
            entry["grantee_uri"] = grantee["URI"]
        grants.append(entry)
    return sorted(grants, key=lambda g: json.dumps(g, sort_keys=True)), owner


# --- what the caller asks for --------------------------------------------------


def validate(module):
    params = module.params
    if not BUCKET_NAME.match(params["name"]) or ".." in params["name"]:
        module.fail_json(
            msg=f"name {params['name']!r} is not a valid bucket name (3 to 63 lowercase letters, digits, dots, hyphens)"
        )
    encryption = params["encryption"]
    if encryption:
        if encryption["sse_algorithm"] == "AES256" and encryption["kms_key_id"]:
            module.fail_json(msg="encryption.kms_key_id applies only to sse_algorithm aws:kms")
        if encryption["sse_algorithm"] == "AES256" and encryption["bucket_key_enabled"]:
            module.fail_json(msg="encryption.bucket_key_enabled applies only to sse_algorithm aws:kms")
    if params["acl_grants"] and params["object_ownership"] == "BucketOwnerEnforced":
        module.fail_json(msg="acl_grants cannot be used with object_ownership BucketOwnerEnforced (ACLs are disabled)")
    for grant in params["acl_grants"] or []:
        if bool(grant["grantee_id"]) == bool(grant["grantee_uri"]):
            module.fail_json(msg="acl_grants: give exactly one of grantee_id and grantee_uri in each grant")
    ids = [rule.get("ID") for rule in params["lifecycle_rules"] or []]
    if any(not i for i in ids) or len(set(ids)) != len(ids):
        module.fail_json(msg="lifecycle_rules: each rule needs a unique ID")
    if any(rule.get("Status") not in ("Enabled", "Disabled") for rule in params["lifecycle_rules"] or []):
        module.fail_json(msg="lifecycle_rules: each rule needs a Status, Enabled or Disabled")
    for rule in params["cors_rules"] or []:
        if not rule.get("AllowedOrigins") or not rule.get("AllowedMethods"):
            module.fail_json(msg="cors_rules: each rule needs AllowedOrigins and AllowedMethods")


def policy_param(module):
    """The policy asked for: None (leave it), {} (remove it) or a document."""
    policy = module.params["policy"]
    if policy is None:
        return None
    if not policy.strip():
        return {}
    try:
        document = json.loads(policy)
    except ValueError:
        module.fail_json(msg="policy is not a JSON document")
    if document and not isinstance(document.get("Statement"), list):
        module.fail_json(msg="policy must be a policy document with a Statement list")
    return document


def desired_state(module, current):
    params = module.params
    name = params["name"]
    desired = (
        dict(current)
        if current
        else {
            "name": name,
            "arn": f"arn:aws:s3:::{name}",
            "regional_domain_name": f"{name}.s3.{module.region}.amazonaws.com",
            "object_ownership": None,
            "versioning": None,
            "encryption": None,
            "public_access_block": None,
            "policy": None,
            "lifecycle_rules": [],
            "cors_rules": [],
            "tags": {},
        }
    )
    if params["object_ownership"] is not None:
        desired["object_ownership"] = params["object_ownership"]
    if params["versioning"] is not None:
        if params["versioning"]:
            desired["versioning"] = "Enabled"
        elif desired.get("versioning"):
            desired["versioning"] = "Suspended"
    if params["encryption"] is not None:
        encryption = params["encryption"]
        desired["encryption"] = {
            "sse_algorithm": encryption["sse_algorithm"],
            "kms_key_id": encryption["kms_key_id"] if encryption["sse_algorithm"] == "aws:kms" else None,
            "bucket_key_enabled": bool(encryption["bucket_key_enabled"]),
        }
    if params["public_access_block"] is not None:
        desired["public_access_block"] = {k: bool(params["public_access_block"][k]) for k in PAB_KEYS}
    policy = policy_param(module)
    if policy is not None:
        desired["policy"] = policy or None
    if params["lifecycle_rules"] is not None:
        desired["lifecycle_rules"] = params["lifecycle_rules"]
    if params["cors_rules"] is not None:
        desired["cors_rules"] = params["cors_rules"]
    if params["acl_grants"] is not None:
        desired["acl_grants"] = sorted(
            ({k: v for k, v in g.items() if v} for g in params["acl_grants"]),
            key=lambda g: json.dumps(g, sort_keys=True),
        )
    if params["tags"] is not None:
        desired["tags"] = (
            dict(params["tags"]) if params["purge_tags"] else {**desired.get("tags", {}), **params["tags"]}
        )
    return desired


def _by_id(rules):
    return sorted(rules or [], key=lambda r: r.get("ID", ""))


def differences(current, desired):
    """The sections of the bucket that differ."""
    if not current:
        return [s for s in SECTIONS if desired.get(s) not in (None, [], {})]
    changed = []
    for section in ("object_ownership", "versioning", "public_access_block", "acl_grants", "tags"):
        if section in desired and desired.get(section) != current.get(section):
            changed.append(section)
    if desired.get("encryption") and desired["encryption"] != current.get("encryption"):
        want, have = desired["encryption"], current.get("encryption") or {}
        # the AWS managed key is reported by S3 as no key id
        if not (want["kms_key_id"] is None and {**have, "kms_key_id": None} == want):
            changed.append("encryption")
    if desired.get("policy") != current.get("policy"):
        if (
            not desired.get("policy")
            or not current.get("policy")
            or compare_policies(current["policy"], desired["policy"])
        ):
            changed.append("policy")
    want_rules, have_rules = _by_id(desired.get("lifecycle_rules")), _by_id(current.get("lifecycle_rules"))
    if not matches(want_rules, have_rules):
        changed.append("lifecycle_rules")
    if not matches(desired.get("cors_rules") or [], current.get("cors_rules") or []):
        changed.append("cors_rules")
    return [s for s in SECTIONS if s in changed]


# --- changing ------------------------------------------------------------------


def call(module, what, function, **kwargs):
    try:
        return function(aws_retry=True, **kwargs)
    except AWS_ERRORS as e:
        module.fail_json_aws(e, msg=f"Could not {what} of bucket {kwargs.get('Bucket')}")


def create(client, module, desired):
    name = desired["name"]
    request = {"Bucket": name}
    if module.region != "us-east-1":
        request["CreateBucketConfiguration"] = {"LocationConstraint": module.region}
    if desired.get("object_ownership"):
        request["ObjectOwnership"] = desired["object_ownership"]
    try:
        client.create_bucket(aws_retry=True, **request)
        client.get_waiter("bucket_exists").wait(Bucket=name, WaiterConfig={"Delay": 2, "MaxAttempts": 30})
    except AWS_ERRORS as e:
        module.fail_json_aws(e, msg=f"Could not create bucket {name}")
    except botocore.exceptions.WaiterError as e:
        module.fail_json_aws(e, msg=f"Bucket {name} did not appear after its creation")


def apply(client, module, current, desired, sections):
    name = desired["name"]
    if "object_ownership" in sections and current:
        call(
            module,
            "set the object ownership",
            client.put_bucket_ownership_controls,
            Bucket=name,
            OwnershipControls={"Rules": [{"ObjectOwnership": desired["object_ownership"]}]},
        )
    if "public_access_block" in sections:
        call(
            module,
            "set the public access block",
            client.put_public_access_block,
            Bucket=name,
            PublicAccessBlockConfiguration={v: desired["public_access_block"][k] for k, v in PAB_KEYS.items()},
        )
    if "encryption" in sections:
        encryption = desired["encryption"]
        default = {"SSEAlgorithm": encryption["sse_algorithm"]}
        if encryption["kms_key_id"]:
            default["KMSMasterKeyID"] = encryption["kms_key_id"]
        call(
            module,
            "set the default encryption",
            client.put_bucket_encryption,
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": default,
                        "BucketKeyEnabled": encryption["bucket_key_enabled"],
                    }
                ]
            },
        )
    if "versioning" in sections:
        call(
            module,
            "set the versioning",
            client.put_bucket_versioning,
            Bucket=name,
            VersioningConfiguration={"Status": desired["versioning"]},
        )
    if "lifecycle_rules" in sections:
        if desired["lifecycle_rules"]:
            call(
                module,
                "set the lifecycle rules",
                client.put_bucket_lifecycle_configuration,
                Bucket=name,
                LifecycleConfiguration={"Rules": desired["lifecycle_rules"]},
            )
        else:
            call(module, "remove the lifecycle rules", client.delete_bucket_lifecycle, Bucket=name)
    if "cors_rules" in sections:
        if desired["cors_rules"]:
            call(
                module,
                "set the CORS rules",
                client.put_bucket_cors,
                Bucket=name,
                CORSConfiguration={"CORSRules": desired["cors_rules"]},
            )
        else:
            call(module, "remove the CORS rules", client.delete_bucket_cors, Bucket=name)
    if "acl_grants" in sections:
        _, owner = read_acl(client, module, name)
        grants = [{"Grantee": {"ID": owner, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}]
        for grant in desired["acl_grants"]:
            if grant.get("grantee_id"):
                grantee = {"ID": grant["grantee_id"], "Type": "CanonicalUser"}
            else:
                grantee = {"URI": grant["grantee_uri"], "Type": "Group"}
            grants.append({"Grantee": grantee, "Permission": grant["permission"]})
        call(
            module,
            "set the ACL",
            client.put_bucket_acl,
            Bucket=name,
            AccessControlPolicy={"Owner": {"ID": owner}, "Grants": grants},
        )
    if "policy" in sections:
        if desired["policy"]:
            call(module, "set the policy", client.put_bucket_policy, Bucket=name, Policy=json.dumps(desired["policy"]))
        else:
            call(module, "remove the policy", client.delete_bucket_policy, Bucket=name)
    if "tags" in sections:
        if desired["tags"]:
            call(
                module,
                "set the tags",
                client.put_bucket_tagging,
                Bucket=name,
                Tagging={"TagSet": ansible_dict_to_boto3_tag_list(desired["tags"])},
            )
        else:
            call(module, "remove the tags", client.delete_bucket_tagging, Bucket=name)


def empty(client, module, name):
    """Delete every object version, delete marker and unfinished multipart upload."""
    try:
        for page in client.get_paginator("list_object_versions").paginate(Bucket=name):
            objects = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            for start in range(0, len(objects), 1000):
                answer = client.delete_objects(
                    aws_retry=True, Bucket=name, Delete={"Objects": objects[start : start + 1000], "Quiet": True}
                )
                if answer.get("Errors"):
                    module.fail_json(msg=f"Could not empty bucket {name}", errors=answer["Errors"][:10])
        for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=name):
            for upload in page.get("Uploads", []):
                client.abort_multipart_upload(
                    aws_retry=True, Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"]
                )
    except AWS_ERRORS as e:
        module.fail_json_aws(e, msg=f"Could not empty bucket {name}")


def delete(client, module, current):
    name = current["name"]
    if module.params["force"]:
        if current.get("policy"):
            call(module, "remove the policy", client.delete_bucket_policy, Bucket=name)
        empty(client, module, name)
    try:
        client.delete_bucket(aws_retry=True, Bucket=name)
    except is_boto3_error_code("BucketNotEmpty"):
        module.fail_json(msg=f"Bucket {name} is not empty: set force to true to delete its objects and every version")
    except is_boto3_error_code("NoSuchBucket"):  # pylint: disable=duplicate-except
        return
    except AWS_ERRORS as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not delete bucket {name}")


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        force=dict(type="bool", default=False),
        object_ownership=dict(type="str", choices=["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"]),
        versioning=dict(type="bool"),
        encryption=dict(
            type="dict",
            options=dict(
                sse_algorithm=dict(type="str", required=True, choices=["aws:kms", "AES256"]),
                kms_key_id=dict(type="str", no_log=False),
                bucket_key_enabled=dict(type="bool", default=False),
            ),
        ),
        public_access_block=dict(type="dict", options={k: dict(type="bool", default=True) for k in PAB_KEYS}),
        policy=dict(type="json"),
        lifecycle_rules=dict(type="list", elements="dict"),
        cors_rules=dict(type="list", elements="dict"),
        acl_grants=dict(
            type="list",
            elements="dict",
            options=dict(
                grantee_id=dict(type="str"),
                grantee_uri=dict(type="str"),
                permission=dict(
                    type="str", required=True, choices=["FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP"]
                ),
            ),
        ),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    policy_param(module)
    client = module.client("s3", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    name = module.params["name"]
    current = read(client, module, name)

    if module.params["state"] == "absent":
        changed = bool(current)
        if changed and not module.check_mode:
            delete(client, module, current)
        result = dict(changed=changed, bucket={})
        if module._diff:
            result["diff"] = dict(before=current, after={})
        module.exit_json(**result)

    desired = desired_state(module, current)
    sections = differences(current, desired)
    changed = not current or bool(sections)
    if changed and not module.check_mode:
        if not current:
            create(client, module, desired)
        apply(client, module, current, desired, sections)
        after = read(client, module, name)
    else:
        after = desired if changed else current
    after.pop("owner_id", None)
    current.pop("owner_id", None)
    result = dict(changed=changed, bucket=after, changed_sections=sections if current else ["bucket", *sections])
    if module._diff:
        result["diff"] = dict(before=current, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
