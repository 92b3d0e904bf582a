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


def test_flow_log_tags_have_resource_type_vpc_flow_log(patched) -> None:
    """AWS: DescribeTags reports ResourceType ``vpc-flow-log`` and the ``resource-type=vpc-flow-log`` filter finds them."""
    with mock_aws():
        ec2 = boto3.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        flow_log = ec2.create_flow_logs(
            ResourceIds=[vpc],
            ResourceType="VPC",
            TrafficType="ALL",
            LogGroupName="/aws/vpc/test",
            DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/flow-logs",
            TagSpecifications=[{"ResourceType": "vpc-flow-log", "Tags": [{"Key": "Name", "Value": "fl"}]}],
        )["FlowLogIds"][0]

        tags = ec2.describe_tags(
            Filters=[
                {"Name": "resource-id", "Values": [flow_log]},
                {"Name": "resource-type", "Values": ["vpc-flow-log"]},
            ]
        )["Tags"]

        assert tags == [{"Key": "Name", "ResourceId": flow_log, "ResourceType": "vpc-flow-log", "Value": "fl"}]
