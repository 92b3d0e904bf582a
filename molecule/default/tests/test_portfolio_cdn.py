"""CDN-1 to CDN-3, asserted on the converged emulator: the portfolio bucket, its
policy, the access log bucket and the CloudFront distribution.

The emulator stores bucket policies but does not evaluate their conditions (moto
5.2.5 applies only statements whose principal is ``*``, conditions ignored), so
what the policy allows and denies is asserted on the deployed document, with
tests/support/policy_simulator.py evaluating it for each request.
"""

from __future__ import annotations

import json
import sys

import pytest
import yaml
from conftest import PROJECT
from conftest import tag_dict

sys.path.insert(0, str(PROJECT / "tests" / "support"))

from policy_simulator import ALLOW
from policy_simulator import EXPLICIT_DENY
from policy_simulator import Request
from policy_simulator import deciding_statements
from policy_simulator import evaluate

LOG_DELIVERY = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"


@pytest.fixture(scope="module")
def defaults():
    return yaml.safe_load((PROJECT / "roles" / "portfolio_cdn" / "defaults" / "main.yml").read_text())


@pytest.fixture(scope="module")
def setting(defaults, inventory_vars):
    """An input of the role as the local environment sets it (the inventory beats the defaults)."""
    return lambda name: inventory_vars.get(name, defaults[name])


@pytest.fixture(scope="module")
def s3(aws):
    return aws("s3")


@pytest.fixture(scope="module")
def cloudfront(aws):
    return aws("cloudfront")


@pytest.fixture(scope="module")
def account(aws):
    return aws("sts").get_caller_identity()["Account"]


@pytest.fixture(scope="module")
def bucket(prefix, account, outputs):
    name = f"{prefix}-portfolio-{account}"
    assert outputs["portfolio_bucket_name"] == name
    assert outputs["portfolio_bucket_arn"] == f"arn:aws:s3:::{name}"
    return name


@pytest.fixture(scope="module")
def log_bucket(prefix, account):
    return f"{prefix}-cdn-logs-{account}"


@pytest.fixture(scope="module")
def distribution(cloudfront, outputs):
    return cloudfront.get_distribution(Id=outputs["cloudfront_distribution_id"])["Distribution"]


@pytest.fixture(scope="module")
def config(distribution):
    return distribution["DistributionConfig"]


@pytest.fixture(scope="module")
def policy(s3, bucket):
    return json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])


@pytest.fixture(scope="module")
def statements(policy):
    return {s["Sid"]: s for s in policy["Statement"]}


# --- CDN-1: the bucket -----------------------------------------------------------


def test_versioning_encryption_public_access_and_ownership(s3, bucket, outputs, expected_tags):
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": outputs["kms_s3_key_arn"],
    }
    assert rule["BucketKeyEnabled"] is True
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {
        k: True for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    }
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    tags = tag_dict(s3.get_bucket_tagging(Bucket=bucket)["TagSet"])
    assert tags.items() >= expected_tags.items()


def test_lifecycle_rules(s3, bucket, setting):
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert len(rules) == 1
    rule = rules[0]
    assert rule["Status"] == "Enabled"
    assert rule["Transitions"] == [
        {
            "Days": setting("portfolio_cdn_transition_days"),
            "StorageClass": setting("portfolio_cdn_transition_storage_class"),
        }
    ]
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == setting(
        "portfolio_cdn_noncurrent_version_expiration_days"
    )
    assert rule["AbortIncompleteMultipartUpload"] == {
        "DaysAfterInitiation": setting("portfolio_cdn_abort_incomplete_multipart_days")
    }
    assert rule["Expiration"] == {"ExpiredObjectDeleteMarker": True}


def test_cors_for_the_configured_web_origins(s3, bucket, setting):
    rules = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert len(rules) == 1
    assert rules[0]["AllowedOrigins"] == setting("portfolio_cdn_cors_allowed_origins")
    assert set(rules[0]["AllowedMethods"]) == {"GET", "HEAD", "PUT", "POST"}
    assert rules[0]["ExposeHeaders"] == ["ETag"]


# --- CDN-2: the bucket policy ------------------------------------------------------


def test_policy_statements(statements, bucket, distribution, account, prefix):
    objects = f"arn:aws:s3:::{bucket}/*"
    tls = statements["DenyInsecureTransport"]
    assert tls["Effect"] == "Deny" and tls["Principal"] == "*" and tls["Action"] == "s3:*"
    assert sorted(tls["Resource"]) == [f"arn:aws:s3:::{bucket}", objects]
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}

    read = statements["AllowReadsThroughTheDistribution"]
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert read["Action"] == "s3:GetObject" and read["Resource"] == objects
    assert read["Condition"] == {"StringEquals": {"AWS:SourceArn": distribution["ARN"]}}

    writer = f"arn:aws:iam::{account}:role/{prefix}-ecs-task"
    write = statements["AllowApplicationWritesUnderTheUsersPrefix"]
    assert write["Resource"] == f"arn:aws:s3:::{bucket}/users/${{aws:PrincipalTag/user_id}}/*"
    assert write["Condition"] == {"ArnEquals": {"aws:PrincipalArn": writer}}
    assert statements["DenyWritesOutsideTheUsersOwnPrefix"]["NotResource"] == write["Resource"]
    assert statements["DenyWritesByAnyOtherPrincipal"]["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": writer}}


def test_policy_behaviour(policy, bucket, distribution, account, prefix):
    writer = f"arn:aws:iam::{account}:role/{prefix}-ecs-task"
    key = f"arn:aws:s3:::{bucket}/users/alice/portfolio/cover.jpg"

    def put(resource, principal=writer, secure=True, user="alice"):
        return Request(
            "s3:PutObject",
            resource,
            principal_arn=principal,
            context={"aws:SecureTransport": secure, "aws:PrincipalTag/user_id": user},
        )

    own = put(key)
    assert evaluate(policy, own) == ALLOW, deciding_statements(policy, own)
    assert evaluate(policy, put(f"arn:aws:s3:::{bucket}/users/bob/cover.jpg")) == EXPLICIT_DENY
    assert evaluate(policy, put(f"arn:aws:s3:::{bucket}/cover.jpg")) == EXPLICIT_DENY
    assert evaluate(policy, put(key, principal=f"arn:aws:iam::{account}:role/admin")) == EXPLICIT_DENY
    assert evaluate(policy, put(key, secure=False)) == EXPLICIT_DENY

    via_cloudfront = {"AWS:SourceArn": distribution["ARN"], "aws:SecureTransport": True}
    assert (
        evaluate(policy, Request("s3:GetObject", key, service="cloudfront.amazonaws.com", context=via_cloudfront))
        == ALLOW
    )
    direct = Request("s3:GetObject", key, principal_arn=writer, context={"aws:SecureTransport": True})
    assert evaluate(policy, direct) == EXPLICIT_DENY
    plain_http = dict(via_cloudfront, **{"aws:SecureTransport": False})
    assert (
        evaluate(policy, Request("s3:GetObject", key, service="cloudfront.amazonaws.com", context=plain_http))
        == EXPLICIT_DENY
    )


# --- CDN-3: the distribution ---------------------------------------------------------


def test_origin_through_the_origin_access_control(cloudfront, config, bucket, prefix):
    origins = config["Origins"]["Items"]
    assert len(origins) == 1
    assert origins[0]["DomainName"] == f"{bucket}.s3.us-east-2.amazonaws.com"
    controls = {c["Name"]: c for c in cloudfront.list_origin_access_controls()["OriginAccessControlList"]["Items"]}
    control = controls[f"{prefix}-portfolio"]
    assert origins[0]["OriginAccessControlId"] == control["Id"]
    assert (control["SigningProtocol"], control["SigningBehavior"], control["OriginAccessControlOriginType"]) == (
        "sigv4",
        "always",
        "s3",
    )


def test_https_only_compressed_behaviours_per_content_type(config, defaults):
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]["Items"]]
    assert {b["ViewerProtocolPolicy"] for b in behaviours} == {"redirect-to-https"}
    assert all(b["Compress"] is True for b in behaviours)
    expected = {
        pattern: (kind["default_ttl"], kind["max_ttl"])
        for kind in defaults["portfolio_cdn_cache_behaviors"]
        for pattern in kind["path_patterns"]
    }
    actual = {b["PathPattern"]: (b["DefaultTTL"], b["MaxTTL"]) for b in config["CacheBehaviors"]["Items"]}
    assert actual == expected
    assert {"*.jpg", "*.png", "*.webp", "*.mp4", "*.pdf"} <= set(actual)
    assert len({actual["*.jpg"], actual["*.mp4"], actual["*.pdf"]}) == 3, "images, video, documents differ"


def test_distribution_settings_outputs_and_tags(cloudfront, distribution, config, outputs, expected_tags, setting):
    assert config["Enabled"] is True
    assert distribution["Status"] == "Deployed", "settle waits for the distribution"
    assert outputs["cloudfront_domain_name"] == distribution["DomainName"]
    assert config["PriceClass"] == setting("portfolio_cdn_price_class")
    assert config["HttpVersion"] == "http2and3"
    assert config["Aliases"]["Quantity"] == 0, "no custom domain in this environment"
    assert config["ViewerCertificate"]["CloudFrontDefaultCertificate"] is True
    assert config["Restrictions"]["GeoRestriction"]["RestrictionType"] == setting("portfolio_cdn_geo_restriction_type")
    tags = tag_dict(cloudfront.list_tags_for_resource(Resource=distribution["ARN"])["Tags"]["Items"])
    assert tags.items() >= expected_tags.items()


def test_access_logging_to_the_log_bucket(s3, config, log_bucket, setting):
    assert config["Logging"] == {
        "Enabled": True,
        "IncludeCookies": False,
        "Bucket": f"{log_bucket}.s3.amazonaws.com",
        "Prefix": setting("portfolio_cdn_log_prefix"),
    }
    ownership = s3.get_bucket_ownership_controls(Bucket=log_bucket)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerPreferred"}], "CloudFront standard logs need ACLs"
    grants = s3.get_bucket_acl(Bucket=log_bucket)["Grants"]
    assert {"Grantee": {"ID": LOG_DELIVERY, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"} in [
        {"Grantee": {k: g["Grantee"][k] for k in ("ID", "Type")}, "Permission": g["Permission"]}
        for g in grants
        if "ID" in g["Grantee"]
    ]
    block = s3.get_public_access_block(Bucket=log_bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    rule = s3.get_bucket_encryption(Bucket=log_bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    expiry = s3.get_bucket_lifecycle_configuration(Bucket=log_bucket)["Rules"][0]["Expiration"]["Days"]
    assert expiry == setting("portfolio_cdn_log_retention_days")
    policy = json.loads(s3.get_bucket_policy(Bucket=log_bucket)["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["DenyInsecureTransport"]
