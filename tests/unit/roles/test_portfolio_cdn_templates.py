"""The portfolio_cdn role's documents, rendered from its templates: the bucket policy
evaluated for the requests it must allow and deny (CDN-1, CDN-2), and the
distribution in the modes the local converge does not reach (custom domain,
geo restriction, origin access identity)."""

from __future__ import annotations

import json
import pathlib
import sys

import jinja2
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "support"))

from policy_simulator import ALLOW
from policy_simulator import EXPLICIT_DENY
from policy_simulator import IMPLICIT_DENY
from policy_simulator import Request
from policy_simulator import deciding_statements
from policy_simulator import evaluate

ACCOUNT = "123456789012"
BUCKET = f"dev-freelancer-platform-portfolio-{ACCOUNT}"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"
DISTRIBUTION = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1ABCDEFGHIJKL"
WRITER = f"arn:aws:iam::{ACCOUNT}:role/dev-freelancer-platform-ecs-task"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/admin"
TLS = {"aws:SecureTransport": True}


def render(template, **variables):
    # JSON documents, not HTML: nothing to escape
    environment = jinja2.Environment(  # noqa: S701
        loader=jinja2.FileSystemLoader(str(ROOT / "roles" / "portfolio_cdn" / "templates")),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.do"],
    )
    environment.filters["to_json"] = json.dumps
    environment.filters["bool"] = lambda value: str(value).lower() in ("true", "1", "yes")
    return json.loads(environment.get_template(template).render(**variables))


def policy_vars(**extra):
    base = {
        "portfolio_cdn__bucket_arn": BUCKET_ARN,
        "portfolio_cdn_upload_prefix": "users",
        "portfolio_cdn_user_id_tag": "user_id",
        "portfolio_cdn_origin_access": "oac",
        "portfolio_cdn__distribution_arn": DISTRIBUTION,
        "portfolio_cdn_direct_read_principal_arns": [],
        "portfolio_cdn__origin_access_identity_id": "",
        "portfolio_cdn__partition": "aws",
        "portfolio_cdn__account": ACCOUNT,
        "portfolio_cdn__writer_role_arn": WRITER,
    }
    base.update(extra)
    return base


@pytest.fixture(scope="module")
def bucket_policy():
    return render("bucket_policy.json.j2", **policy_vars())


def put(key, principal=WRITER, user=None, secure=True):
    context = {"aws:SecureTransport": secure}
    if user is not None:
        context["aws:PrincipalTag/user_id"] = user
    return Request("s3:PutObject", f"{BUCKET_ARN}/{key}", principal_arn=principal, context=context)


def test_the_application_writes_under_its_user_prefix(bucket_policy):
    request = put("users/alice/portfolio/cover.jpg", user="alice")
    assert evaluate(bucket_policy, request) == ALLOW, deciding_statements(bucket_policy, request)


@pytest.mark.parametrize(
    ("request_", "why"),
    [
        (put("users/bob/cover.jpg", user="alice"), "another user's prefix"),
        (put("cover.jpg", user="alice"), "outside the users prefix"),
        (put("users/alice/cover.jpg"), "a session without the user id tag"),
        (put("users/alice/cover.jpg", principal=ADMIN, user="alice"), "another principal of the account"),
        (put("users/alice/cover.jpg", user="alice", secure=False), "plain HTTP"),
    ],
)
def test_every_other_write_is_explicitly_denied(bucket_policy, request_, why):
    assert evaluate(bucket_policy, request_) == EXPLICIT_DENY, why


def test_reads_only_through_this_distribution(bucket_policy):
    key = f"{BUCKET_ARN}/users/alice/cover.jpg"
    cloudfront = Request(
        "s3:GetObject", key, service="cloudfront.amazonaws.com", context={"AWS:SourceArn": DISTRIBUTION, **TLS}
    )
    assert evaluate(bucket_policy, cloudfront) == ALLOW
    other = Request(
        "s3:GetObject", key, service="cloudfront.amazonaws.com", context={"AWS:SourceArn": DISTRIBUTION + "X", **TLS}
    )
    assert evaluate(bucket_policy, other) == EXPLICIT_DENY
    for principal in (WRITER, ADMIN):
        direct = Request("s3:GetObject", key, principal_arn=principal, context=TLS)
        assert evaluate(bucket_policy, direct) == EXPLICIT_DENY
    anonymous = Request("s3:GetObject", key, context=TLS)
    assert evaluate(bucket_policy, anonymous) == EXPLICIT_DENY
    plain_http = Request(
        "s3:GetObject",
        key,
        service="cloudfront.amazonaws.com",
        context={"AWS:SourceArn": DISTRIBUTION, "aws:SecureTransport": False},
    )
    assert evaluate(bucket_policy, plain_http) == EXPLICIT_DENY


def test_listed_principals_may_read_directly():
    bucket_policy = render("bucket_policy.json.j2", **policy_vars(portfolio_cdn_direct_read_principal_arns=[ADMIN]))
    key = f"{BUCKET_ARN}/users/alice/cover.jpg"
    assert evaluate(bucket_policy, Request("s3:GetObject", key, principal_arn=ADMIN, context=TLS)) == IMPLICIT_DENY
    assert evaluate(bucket_policy, Request("s3:GetObject", key, principal_arn=WRITER, context=TLS)) == EXPLICIT_DENY


def test_oai_mode_grants_the_identity_and_not_the_service():
    bucket_policy = render(
        "bucket_policy.json.j2",
        **policy_vars(portfolio_cdn_origin_access="oai", portfolio_cdn__origin_access_identity_id="E2OAI"),
    )
    key = f"{BUCKET_ARN}/users/alice/cover.jpg"
    oai = "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2OAI"
    assert evaluate(bucket_policy, Request("s3:GetObject", key, principal_arn=oai, context=TLS)) == ALLOW
    service = Request(
        "s3:GetObject", key, service="cloudfront.amazonaws.com", context={"AWS:SourceArn": DISTRIBUTION, **TLS}
    )
    assert evaluate(bucket_policy, service) == IMPLICIT_DENY


def distribution_vars(**extra):
    base = {
        "portfolio_cdn_name_prefix": "dev-freelancer-platform",
        "portfolio_cdn_http_version": "http2and3",
        "portfolio_cdn_price_class": "PriceClass_100",
        "portfolio_cdn_web_acl_arn": "",
        "portfolio_cdn_domain_name": "",
        "portfolio_cdn_acm_certificate_arn": "",
        "portfolio_cdn_minimum_protocol_version": "TLSv1.2_2021",
        "portfolio_cdn__origin_id": "portfolio-bucket",
        "portfolio_cdn__bucket_domain": f"{BUCKET}.s3.us-east-2.amazonaws.com",
        "portfolio_cdn_origin_access": "oac",
        "portfolio_cdn__origin_access_identity_id": "",
        "portfolio_cdn__origin_access_control_id": "E2OAC",
        "portfolio_cdn_compress": True,
        "portfolio_cdn_default_min_ttl": 0,
        "portfolio_cdn_default_ttl": 3600,
        "portfolio_cdn_default_max_ttl": 86400,
        "portfolio_cdn_cache_behaviors": [
            {
                "name": "images",
                "path_patterns": ["*.jpg", "*.png"],
                "min_ttl": 0,
                "default_ttl": 86400,
                "max_ttl": 31536000,
            },
            {"name": "documents", "path_patterns": ["*.pdf"], "min_ttl": 0, "default_ttl": 3600, "max_ttl": 86400},
        ],
        "portfolio_cdn_logging_enabled": True,
        "portfolio_cdn__log_bucket": f"dev-freelancer-platform-cdn-logs-{ACCOUNT}",
        "portfolio_cdn_log_prefix": "cloudfront/",
        "portfolio_cdn_geo_restriction_type": "none",
        "portfolio_cdn_geo_restriction_locations": [],
    }
    base.update(extra)
    return base


def test_distribution_defaults_https_only_one_behaviour_per_pattern():
    config = render("distribution_config.json.j2", **distribution_vars())
    origin = config["Origins"]["Items"][0]
    assert origin["OriginAccessControlId"] == "E2OAC"
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]["Items"]]
    assert {b["ViewerProtocolPolicy"] for b in behaviours} == {"redirect-to-https"}
    assert all(b["Compress"] is True for b in behaviours)
    assert [(b["PathPattern"], b["DefaultTTL"]) for b in config["CacheBehaviors"]["Items"]] == [
        ("*.jpg", 86400),
        ("*.png", 86400),
        ("*.pdf", 3600),
    ]
    assert config["Aliases"] == {"Items": []}
    assert config["ViewerCertificate"] == {"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1"}
    assert config["Logging"]["Bucket"] == f"dev-freelancer-platform-cdn-logs-{ACCOUNT}.s3.amazonaws.com"


def test_distribution_with_custom_domain_geo_restriction_and_oai():
    certificate = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/abc"
    config = render(
        "distribution_config.json.j2",
        **distribution_vars(
            portfolio_cdn_domain_name="cdn.example.com",
            portfolio_cdn_acm_certificate_arn=certificate,
            portfolio_cdn_geo_restriction_type="whitelist",
            portfolio_cdn_geo_restriction_locations=["DE", "US"],
            portfolio_cdn_origin_access="oai",
            portfolio_cdn__origin_access_identity_id="E2OAI",
            portfolio_cdn_logging_enabled=False,
        ),
    )
    assert config["Aliases"] == {"Items": ["cdn.example.com"]}
    assert config["ViewerCertificate"] == {
        "CloudFrontDefaultCertificate": False,
        "ACMCertificateArn": certificate,
        "SSLSupportMethod": "sni-only",
        "MinimumProtocolVersion": "TLSv1.2_2021",
    }
    assert config["Restrictions"]["GeoRestriction"] == {"RestrictionType": "whitelist", "Items": ["DE", "US"]}
    origin = config["Origins"]["Items"][0]
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": "origin-access-identity/cloudfront/E2OAI"}
    assert origin["OriginAccessControlId"] == ""
    assert config["Logging"] == {"Enabled": False, "IncludeCookies": False, "Bucket": "", "Prefix": ""}
