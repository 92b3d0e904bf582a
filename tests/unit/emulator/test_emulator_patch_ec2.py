"""EC2: a NAT gateway's tags have resource type ``natgateway``."""

from __future__ import annotations

import boto3
from moto import mock_aws


def test_nat_gateway_tags_have_resource_type_natgateway(patched) -> None:
    """AWS: DescribeTags reports ResourceType ``natgateway`` and the ``resource-type=natgateway`` filter finds them."""
    with mock_aws():
        ec2 = boto3.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat = ec2.create_nat_gateway(
            SubnetId=subnet,
            AllocationId=allocation,
            TagSpecifications=[{"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": "nat-a"}]}],
        )["NatGateway"]["NatGatewayId"]

        tags = ec2.describe_tags(
            Filters=[{"Name": "resource-id", "Values": [nat]}, {"Name": "resource-type", "Values": ["natgateway"]}]
        )["Tags"]

        assert tags == [{"Key": "Name", "ResourceId": nat, "ResourceType": "natgateway", "Value": "nat-a"}]
