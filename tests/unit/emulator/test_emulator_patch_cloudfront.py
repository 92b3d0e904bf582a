"""CloudFront: GetDistributionConfig returns origins (with an S3 origin's S3OriginConfig) and behaviours as they
were sent."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


def test_distribution_config_round_trips_what_was_sent(patched) -> None:
    """AWS: the origin keeps OriginAccessControlId; CachePolicyId appears where it was set and only there; empty
    TrustedSigners / TrustedKeyGroups have no Items; a cache-policy behaviour has no ForwardedValues or TTLs."""
    with mock_aws():
        cloudfront = boto3.client("cloudfront")
        oac = cloudfront.create_origin_access_control(
            OriginAccessControlConfig={
                "Name": "assets",
                "SigningProtocol": "sigv4",
                "SigningBehavior": "always",
                "OriginAccessControlOriginType": "s3",
            }
        )["OriginAccessControl"]["Id"]
        config = {
            "CallerReference": "assets-1",
            "Comment": "assets",
            "Enabled": True,
            "Origins": {
                "Quantity": 2,
                "Items": [
                    {
                        "Id": "s3",
                        "DomainName": "assets.s3.us-east-2.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                        "OriginAccessControlId": oac,
                    },
                    {
                        "Id": "api",
                        "DomainName": "api.example.com",
                        "CustomOriginConfig": {
                            "HTTPPort": 80,
                            "HTTPSPort": 443,
                            "OriginProtocolPolicy": "https-only",
                        },
                    },
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "s3",
                "ViewerProtocolPolicy": "redirect-to-https",
                "CachePolicyId": CACHING_OPTIMIZED,
                "TrustedSigners": {"Enabled": False, "Quantity": 0},
                "TrustedKeyGroups": {"Enabled": False, "Quantity": 0},
                "Compress": True,
            },
            "CacheBehaviors": {
                "Quantity": 1,
                "Items": [
                    {
                        "PathPattern": "/api/*",
                        "TargetOriginId": "api",
                        "ViewerProtocolPolicy": "https-only",
                        "ForwardedValues": {"QueryString": True, "Cookies": {"Forward": "all"}},
                        "MinTTL": 0,
                        "DefaultTTL": 0,
                        "MaxTTL": 0,
                    }
                ],
            },
        }
        distribution_id = cloudfront.create_distribution(DistributionConfig=config)["Distribution"]["Id"]

        got = cloudfront.get_distribution_config(Id=distribution_id)["DistributionConfig"]
        s3_origin, api_origin = got["Origins"]["Items"]
        assert s3_origin["OriginAccessControlId"] == oac
        assert api_origin["OriginAccessControlId"] == ""

        default = got["DefaultCacheBehavior"]
        assert default["CachePolicyId"] == CACHING_OPTIMIZED
        assert default["TrustedSigners"] == {"Enabled": False, "Quantity": 0}
        assert default["TrustedKeyGroups"] == {"Enabled": False, "Quantity": 0}
        assert "ForwardedValues" not in default
        assert "MinTTL" not in default and "DefaultTTL" not in default and "MaxTTL" not in default
        assert "OriginRequestPolicyId" not in default

        [api] = got["CacheBehaviors"]["Items"]
        assert "CachePolicyId" not in api
        assert "OriginRequestPolicyId" not in api
        assert api["ForwardedValues"]["QueryString"] is True
        assert api["MinTTL"] == 0

        same = cloudfront.get_distribution(Id=distribution_id)["Distribution"]["DistributionConfig"]
        assert same["Origins"]["Items"][0]["OriginAccessControlId"] == oac


@pytest.fixture
def cloudfront(patched):
    with mock_aws():
        yield boto3.client("cloudfront")


def _origin(identity: str) -> dict:
    return {
        "Id": "s3",
        "DomainName": "portfolio.s3.us-east-2.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": identity},
    }


@pytest.mark.parametrize("identity", ["", "origin-access-identity/cloudfront/E2QWRUHAPOMQZL"])
def test_an_s3_origin_is_answered_with_its_s3_origin_config(cloudfront, identity) -> None:
    """AWS: GetDistributionConfig answers an S3 origin with S3OriginConfig.OriginAccessIdentity as sent."""
    config = {
        "CallerReference": f"portfolio-{bool(identity)}",
        "Comment": "portfolio",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [_origin(identity)]},
        "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "redirect-to-https"},
    }
    distribution_id = cloudfront.create_distribution(DistributionConfig=config)["Distribution"]["Id"]
    for answer in (
        cloudfront.get_distribution_config(Id=distribution_id)["DistributionConfig"],
        cloudfront.get_distribution(Id=distribution_id)["Distribution"]["DistributionConfig"],
    ):
        origin = answer["Origins"]["Items"][0]
        assert origin["S3OriginConfig"] == {"OriginAccessIdentity": identity}
        assert "CustomOriginConfig" not in origin
