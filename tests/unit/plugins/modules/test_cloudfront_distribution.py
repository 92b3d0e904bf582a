"""freelancer.platform.cloudfront_distribution against moto in-process.

moto 5.2.5 drops an origin's OriginAccessControlId from its answers; the
emulator's ``cloudfront.distribution_config_as_sent`` patch restores what AWS
answers, and is applied here for each test (and undone after it), so the module
is tested against AWS's behaviour.
"""

from __future__ import annotations

import copy

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import cloudfront_distribution

REFERENCE = "test-freelancer-platform-portfolio"
BUCKET_DOMAIN = "test-portfolio-123456789012.s3.us-east-2.amazonaws.com"


@pytest.fixture
def cloudfront(mocked_aws):
    from freelancer_emulator import patches
    from freelancer_emulator.patches import cloudfront as cloudfront_patches

    cloudfront_patches.distribution_config_as_sent()
    yield boto3.client("cloudfront", region_name="us-east-2")
    patches.restore_all()


@pytest.fixture
def oac_id(cloudfront):
    return cloudfront.create_origin_access_control(
        OriginAccessControlConfig={
            "Name": "portfolio",
            "SigningProtocol": "sigv4",
            "SigningBehavior": "always",
            "OriginAccessControlOriginType": "s3",
        }
    )["OriginAccessControl"]["Id"]


def behaviour(ttl, pattern=None):
    result = {
        "TargetOriginId": "portfolio-bucket",
        "ViewerProtocolPolicy": "redirect-to-https",
        "Compress": True,
        "AllowedMethods": {"Items": ["GET", "HEAD"], "CachedMethods": {"Items": ["GET", "HEAD"]}},
        "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
        "TrustedSigners": {"Enabled": False, "Items": []},
        "MinTTL": 0,
        "DefaultTTL": ttl,
        "MaxTTL": ttl * 10,
    }
    if pattern:
        result["PathPattern"] = pattern
    return result


def config(oac_id, **extra):
    base = {
        "Comment": REFERENCE,
        "Enabled": True,
        "HttpVersion": "http2and3",
        "IsIPV6Enabled": True,
        "PriceClass": "PriceClass_100",
        "Aliases": {"Items": []},
        "Origins": {
            "Items": [
                {
                    "Id": "portfolio-bucket",
                    "DomainName": BUCKET_DOMAIN,
                    "S3OriginConfig": {"OriginAccessIdentity": ""},
                    "OriginAccessControlId": oac_id,
                }
            ]
        },
        "DefaultCacheBehavior": behaviour(3600),
        "CacheBehaviors": {"Items": [behaviour(86400, "*.jpg"), behaviour(604800, "*.mp4")]},
        "Logging": {
            "Enabled": True,
            "IncludeCookies": False,
            "Bucket": "logs.s3.amazonaws.com",
            "Prefix": "cloudfront/",
        },
        "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Items": []}},
        "ViewerCertificate": {"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1"},
    }
    base.update(extra)
    return base


def args(oac_id, **extra):
    base = {
        "caller_reference": REFERENCE,
        "distribution_config": config(oac_id),
        "tags": {"Environment": "test"},
        "region": "us-east-2",
        "wait_timeout": 30,
    }
    base.update(extra)
    return base


def distributions(cloudfront):
    return cloudfront.list_distributions()["DistributionList"].get("Items") or []


def test_check_mode_on_nothing_reports_a_change_and_creates_nothing(run_module, cloudfront, oac_id):
    result, failed = run_module(cloudfront_distribution, args(oac_id), check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["distribution"]["id"] == ""
    origin = result["distribution"]["distribution_config"]["origins"]["items"][0]
    assert origin["origin_access_control_id"] == oac_id
    assert distributions(cloudfront) == []


def test_create_then_idempotent_then_check_reports_nothing(run_module, cloudfront, oac_id):
    result, failed = run_module(cloudfront_distribution, args(oac_id))
    assert not failed, result
    assert result["changed"] is True
    distribution = result["distribution"]
    assert distribution["arn"].endswith(f":distribution/{distribution['id']}")
    assert distribution["domain_name"].endswith(".cloudfront.net")
    assert distribution["tags"] == {"Environment": "test"}
    stored = cloudfront.get_distribution_config(Id=distribution["id"])["DistributionConfig"]
    assert stored["CallerReference"] == REFERENCE
    assert stored["Origins"]["Items"][0]["OriginAccessControlId"] == oac_id
    assert stored["CacheBehaviors"]["Quantity"] == 2
    assert [b["PathPattern"] for b in stored["CacheBehaviors"]["Items"]] == ["*.jpg", "*.mp4"]

    again, _ = run_module(cloudfront_distribution, args(oac_id))
    assert again["changed"] is False
    preview, _ = run_module(cloudfront_distribution, args(oac_id), check_mode=True, diff=True)
    assert preview["changed"] is False
    assert len(distributions(cloudfront)) == 1


def test_a_changed_ttl_is_previewed_then_applied_in_place(run_module, cloudfront, oac_id):
    first, _ = run_module(cloudfront_distribution, args(oac_id))
    changed = config(oac_id, CacheBehaviors={"Items": [behaviour(7200, "*.jpg"), behaviour(604800, "*.mp4")]})
    preview, _ = run_module(
        cloudfront_distribution, args(oac_id, distribution_config=changed), check_mode=True, diff=True
    )
    assert preview["changed"] is True
    stored = cloudfront.get_distribution_config(Id=first["distribution"]["id"])["DistributionConfig"]
    assert stored["CacheBehaviors"]["Items"][0]["DefaultTTL"] == 86400

    result, _ = run_module(cloudfront_distribution, args(oac_id, distribution_config=changed))
    assert result["changed"] is True and result["distribution"]["id"] == first["distribution"]["id"]
    stored = cloudfront.get_distribution_config(Id=first["distribution"]["id"])["DistributionConfig"]
    assert stored["CacheBehaviors"]["Items"][0]["DefaultTTL"] == 7200
    again, _ = run_module(cloudfront_distribution, args(oac_id, distribution_config=changed))
    assert again["changed"] is False


def test_tags_converge_without_touching_the_config(run_module, cloudfront, oac_id):
    first, _ = run_module(cloudfront_distribution, args(oac_id))
    result, _ = run_module(cloudfront_distribution, args(oac_id, tags={"Environment": "test", "Owner": "team"}))
    assert result["changed"] is True
    arn = first["distribution"]["arn"]
    tags = cloudfront.list_tags_for_resource(Resource=arn)["Tags"]["Items"]
    assert {t["Key"]: t["Value"] for t in tags} == {"Environment": "test", "Owner": "team"}


def test_absent_disables_then_deletes_then_is_idempotent(run_module, cloudfront, oac_id):
    run_module(cloudfront_distribution, args(oac_id))
    gone = {"caller_reference": REFERENCE, "state": "absent", "region": "us-east-2", "wait_timeout": 30}
    preview, _ = run_module(cloudfront_distribution, gone, check_mode=True)
    assert preview["changed"] is True and len(distributions(cloudfront)) == 1
    result, failed = run_module(cloudfront_distribution, gone)
    assert not failed and result["changed"] is True
    assert distributions(cloudfront) == []
    again, _ = run_module(cloudfront_distribution, gone)
    assert again["changed"] is False


def test_deployed_waits_for_an_existing_distribution_and_changes_nothing(run_module, cloudfront, oac_id):
    waiting = {"caller_reference": REFERENCE, "state": "deployed", "region": "us-east-2", "wait_timeout": 30}
    preview, failed = run_module(cloudfront_distribution, waiting, check_mode=True)
    assert not failed and preview["changed"] is False and preview["distribution"] == {}
    missing, failed = run_module(cloudfront_distribution, waiting)
    assert failed and "does not exist" in missing["msg"]

    run_module(cloudfront_distribution, args(oac_id))
    result, failed = run_module(cloudfront_distribution, waiting)
    assert not failed and result["changed"] is False
    assert result["distribution"]["status"] == "Deployed"


def test_found_by_caller_reference_when_the_comment_changed(run_module, cloudfront, oac_id):
    run_module(cloudfront_distribution, args(oac_id))
    renamed = config(oac_id, Comment="renamed")
    result, _ = run_module(cloudfront_distribution, args(oac_id, distribution_config=renamed))
    assert result["changed"] is True
    assert len(distributions(cloudfront)) == 1
    assert distributions(cloudfront)[0]["Comment"] == "renamed"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"CallerReference": "x"}, "must not hold CallerReference"),
        ({"Origins": {"Items": []}}, "needs at least one origin"),
        ({"DefaultCacheBehavior": dict(behaviour(1), TargetOriginId="nowhere")}, "TargetOriginId must be one of"),
        ({"DefaultCacheBehavior": dict(behaviour(1), ViewerProtocolPolicy="http-only")}, "ViewerProtocolPolicy"),
        ({"CacheBehaviors": {"Items": [behaviour(1, "*.jpg"), behaviour(2, "*.jpg")]}}, "unique PathPattern"),
        (
            {"ViewerCertificate": {"ACMCertificateArn": "arn:aws:acm:us-east-2:123456789012:certificate/x"}},
            "ACM certificate in us-east-1",
        ),
        ({"Aliases": {"Items": ["cdn.example.com"]}}, "Aliases need a ViewerCertificate"),
    ],
)
def test_bad_input_fails_before_any_call(run_module, cloudfront, oac_id, change, message):
    bad = copy.deepcopy(config(oac_id))
    bad.update(change)
    result, failed = run_module(cloudfront_distribution, args(oac_id, distribution_config=bad))
    assert failed
    assert message in result["msg"]
    assert distributions(cloudfront) == []
