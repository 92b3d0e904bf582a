"""ELBv2: new target groups and load balancers report AWS's default attributes."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws


@pytest.fixture
def network(patched):
    with mock_aws():
        ec2 = boto3.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-2{z}")["Subnet"][
                "SubnetId"
            ]
            for i, z in ((1, "a"), (2, "b"))
        ]
        group = ec2.create_security_group(GroupName="alb", Description="alb", VpcId=vpc)["GroupId"]
        yield boto3.client("elbv2"), vpc, subnets, group


def _attributes(items: list[dict[str, str]]) -> dict[str, str]:
    return {item["Key"]: item["Value"] for item in items}


def test_http_target_group_default_attributes(network) -> None:
    """AWS: a new HTTP target group lists the stickiness cookie durations, anomaly mitigation and health thresholds."""
    elbv2, vpc, _, _ = network
    arn = elbv2.create_target_group(Name="api", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip")["TargetGroups"][
        0
    ]["TargetGroupArn"]
    attributes = _attributes(elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"])
    assert attributes["stickiness.lb_cookie.duration_seconds"] == "86400"
    assert attributes["stickiness.app_cookie.duration_seconds"] == "86400"
    assert attributes["stickiness.app_cookie.cookie_name"] == ""
    assert attributes["stickiness.type"] == "lb_cookie"
    assert attributes["deregistration_delay.timeout_seconds"] == "300"
    assert attributes["load_balancing.algorithm.anomaly_mitigation"] == "off"
    assert attributes["target_group_health.dns_failover.minimum_healthy_targets.count"] == "1"


def test_modified_target_group_attributes_are_kept(network) -> None:
    """AWS: a modified attribute reports its new value; the defaults do not overwrite it."""
    elbv2, vpc, _, _ = network
    arn = elbv2.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0][
        "TargetGroupArn"
    ]
    elbv2.modify_target_group_attributes(
        TargetGroupArn=arn, Attributes=[{"Key": "stickiness.lb_cookie.duration_seconds", "Value": "3600"}]
    )
    attributes = _attributes(elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"])
    assert attributes["stickiness.lb_cookie.duration_seconds"] == "3600"


def test_tcp_target_group_default_attributes(network) -> None:
    """AWS: a TCP target group of ip targets lists proxy protocol v2 off and client IP preservation off."""
    elbv2, vpc, _, _ = network
    arn = elbv2.create_target_group(Name="tcp", Protocol="TCP", Port=5432, VpcId=vpc, TargetType="ip")["TargetGroups"][
        0
    ]["TargetGroupArn"]
    attributes = _attributes(elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"])
    assert attributes["proxy_protocol_v2.enabled"] == "false"
    assert attributes["preserve_client_ip.enabled"] == "false"
    assert attributes["stickiness.type"] == "source_ip"


def test_application_load_balancer_default_attributes(network) -> None:
    """AWS: a new internet-facing ALB lists idle timeout 60 s, HTTP/2 on, defensive desync mitigation, access logs
    off and cross-zone on."""
    elbv2, _, subnets, group = network
    arn = elbv2.create_load_balancer(Name="alb", Subnets=subnets, SecurityGroups=[group])["LoadBalancers"][0][
        "LoadBalancerArn"
    ]
    attributes = _attributes(elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"])
    assert attributes["idle_timeout.timeout_seconds"] == "60"
    assert attributes["routing.http2.enabled"] == "true"
    assert attributes["routing.http.desync_mitigation_mode"] == "defensive"
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "false"
    assert attributes["routing.http.xff_client_port.enabled"] == "false"
    assert attributes["routing.http.x_amzn_tls_version_and_cipher_suite.enabled"] == "false"
    assert attributes["access_logs.s3.enabled"] == "false"
    assert attributes["deletion_protection.enabled"] == "false"
    assert attributes["waf.fail_open.enabled"] == "false"
    assert attributes["load_balancing.cross_zone.enabled"] == "true"
    assert attributes["ipv6.deny_all_igw_traffic"] == "false"


def test_load_balancer_attribute_changes_round_trip(network) -> None:
    """AWS: ModifyLoadBalancerAttributes changes only the keys sent."""
    elbv2, _, subnets, group = network
    arn = elbv2.create_load_balancer(Name="alb2", Subnets=subnets, SecurityGroups=[group], Scheme="internal")[
        "LoadBalancers"
    ][0]["LoadBalancerArn"]
    elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "120"}]
    )
    attributes = _attributes(elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"])
    assert attributes["idle_timeout.timeout_seconds"] == "120"
    assert attributes["routing.http2.enabled"] == "true"
    assert attributes["ipv6.deny_all_igw_traffic"] == "true"


def test_network_load_balancer_default_attributes(network) -> None:
    """AWS: a new NLB lists cross-zone off and the DNS client routing policy."""
    elbv2, _, subnets, _ = network
    arn = elbv2.create_load_balancer(Name="nlb", Subnets=subnets, Type="network")["LoadBalancers"][0]["LoadBalancerArn"]
    attributes = _attributes(elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"])
    assert attributes["load_balancing.cross_zone.enabled"] == "false"
    assert attributes["dns_record.client_routing_policy"] == "any_availability_zone"
    assert "idle_timeout.timeout_seconds" not in attributes
