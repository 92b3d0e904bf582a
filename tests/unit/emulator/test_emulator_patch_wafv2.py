"""WAFv2: ListResourcesForWebACL lists associated resources."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws


def test_list_resources_for_web_acl(patched) -> None:
    """AWS: ListResourcesForWebACL returns the ARNs associated with the web ACL, of the requested resource type
    (APPLICATION_LOAD_BALANCER when omitted), and raises WAFNonexistentItemException for an unknown ACL."""
    with mock_aws():
        ec2 = boto3.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-2{z}")["Subnet"][
                "SubnetId"
            ]
            for i, z in ((1, "a"), (2, "b"))
        ]
        alb = boto3.client("elbv2").create_load_balancer(Name="alb", Subnets=subnets)["LoadBalancers"][0][
            "LoadBalancerArn"
        ]
        wafv2 = boto3.client("wafv2")
        acl = wafv2.create_web_acl(
            Name="edge",
            Scope="REGIONAL",
            DefaultAction={"Allow": {}},
            VisibilityConfig={"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "edge"},
        )["Summary"]["ARN"]

        assert wafv2.list_resources_for_web_acl(WebACLArn=acl)["ResourceArns"] == []
        wafv2.associate_web_acl(WebACLArn=acl, ResourceArn=alb)

        assert wafv2.list_resources_for_web_acl(WebACLArn=acl)["ResourceArns"] == [alb]
        assert wafv2.list_resources_for_web_acl(WebACLArn=acl, ResourceType="APPLICATION_LOAD_BALANCER")[
            "ResourceArns"
        ] == [alb]
        assert wafv2.list_resources_for_web_acl(WebACLArn=acl, ResourceType="API_GATEWAY")["ResourceArns"] == []

        wafv2.disassociate_web_acl(ResourceArn=alb)
        assert wafv2.list_resources_for_web_acl(WebACLArn=acl)["ResourceArns"] == []

        with pytest.raises(wafv2.exceptions.WAFNonexistentItemException):
            wafv2.list_resources_for_web_acl(WebACLArn=acl.replace("edge", "missing"))
