"""NET-1 to NET-7 and SEC-1, asserted on the converged emulator."""

from __future__ import annotations

import ipaddress

import pytest
from conftest import tag_dict

TIERS = ("public", "app", "data")


@pytest.fixture(scope="module")
def ec2(aws):
    return aws("ec2")


@pytest.fixture(scope="module")
def vpc(ec2, prefix):
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"{prefix}-vpc"]}])["Vpcs"]
    assert len(vpcs) == 1, f"expected exactly one VPC named {prefix}-vpc"
    return vpcs[0]


@pytest.fixture(scope="module")
def subnets(ec2, vpc):
    return ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]


@pytest.fixture(scope="module")
def groups(ec2, vpc, prefix):
    found = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["SecurityGroups"]
    return {g["GroupName"][len(prefix) + 1 : -3]: g for g in found if g["GroupName"].startswith(prefix)}


def test_vpc_cidr_dns_and_tags(ec2, vpc, inventory_vars, expected_tags, outputs):
    assert vpc["CidrBlock"] == inventory_vars["vpc_cidr"]
    for attribute in ("enableDnsSupport", "enableDnsHostnames"):
        answer = ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute=attribute)
        assert answer[attribute[0].upper() + attribute[1:]]["Value"] is True, attribute
    tags = tag_dict(vpc["Tags"])
    assert tags.items() >= expected_tags.items()
    assert outputs["vpc_id"] == vpc["VpcId"]


def test_subnet_per_tier_per_az_inside_the_vpc(subnets, vpc, inventory_vars, expected_tags):
    az_count = inventory_vars["platform_az_count"]
    network = ipaddress.ip_network(vpc["CidrBlock"])
    by_tier = {tier: [s for s in subnets if tag_dict(s.get("Tags")).get("Tier") == tier] for tier in TIERS}
    cidrs = []
    for tier, members in by_tier.items():
        assert len(members) == az_count, f"{tier}: {len(members)} subnets for {az_count} AZs"
        assert len({s["AvailabilityZone"] for s in members}) == az_count, f"{tier} subnets share an AZ"
        for subnet in members:
            cidr = ipaddress.ip_network(subnet["CidrBlock"])
            assert cidr.subnet_of(network)
            assert subnet["MapPublicIpOnLaunch"] is (tier == "public")
            assert tag_dict(subnet["Tags"]).items() >= expected_tags.items()
            cidrs.append(cidr)
    assert not any(a.overlaps(b) for i, a in enumerate(cidrs) for b in cidrs[i + 1 :]), "subnets overlap"


def _routes_of(ec2, subnet_id):
    tables = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])[
        "RouteTables"
    ]
    assert len(tables) == 1, f"{subnet_id} must have its own explicit route table"
    return tables[0]["Routes"]


def test_data_tier_has_no_route_out(ec2, subnets):
    data = [s for s in subnets if tag_dict(s.get("Tags")).get("Tier") == "data"]
    assert data
    for subnet in data:
        for route in _routes_of(ec2, subnet["SubnetId"]):
            assert not route.get("NatGatewayId"), route
            assert not route.get("GatewayId", "").startswith("igw-"), route
            assert route.get("DestinationCidrBlock") != "0.0.0.0/0", route


def test_public_tier_goes_out_through_the_igw_and_app_through_nat(ec2, subnets):
    for subnet in subnets:
        tier = tag_dict(subnet.get("Tags")).get("Tier")
        default = [r for r in _routes_of(ec2, subnet["SubnetId"]) if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
        if tier == "public":
            assert len(default) == 1 and default[0]["GatewayId"].startswith("igw-")
        elif tier == "app":
            assert len(default) == 1 and default[0]["NatGatewayId"].startswith("nat-")


def test_nat_gateway_count_follows_the_environment(ec2, vpc, inventory_vars, outputs):
    nats = [
        n
        for n in ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["NatGateways"]
        if n["State"] in ("pending", "available")
    ]
    expected = inventory_vars["platform_az_count"] if inventory_vars["network_nat_gateway_mode"] == "per_az" else 1
    assert len(nats) == expected
    assert sorted(outputs["nat_gateway_ids"].split(",")) == sorted(n["NatGatewayId"] for n in nats)


def test_flow_logs_active_to_the_encrypted_group(ec2, aws, vpc, prefix, outputs):
    flow_logs = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc["VpcId"]]}])["FlowLogs"]
    assert len(flow_logs) == 1
    flow_log = flow_logs[0]
    group_name = f"/aws/vpc/{prefix}-flow-logs"
    assert flow_log["FlowLogStatus"] == "ACTIVE"
    assert flow_log["TrafficType"] == "ALL"
    assert flow_log["LogGroupName"] == group_name == outputs["flow_logs_log_group"]
    assert flow_log["DeliverLogsPermissionArn"].endswith(f":role/{prefix}-flow-logs")
    group = aws("logs").describe_log_groups(logGroupNamePrefix=group_name)["logGroups"][0]
    assert group["kmsKeyId"] == outputs["kms_logs_key_arn"]
    assert group["retentionInDays"] > 0


def test_flow_logs_role_is_least_privilege(aws, prefix):
    iam = aws("iam")
    role = iam.get_role(RoleName=f"{prefix}-flow-logs")["Role"]
    trust = role["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "vpc-flow-logs.amazonaws.com"}]
    assert iam.list_attached_role_policies(RoleName=f"{prefix}-flow-logs")["AttachedPolicies"] == []
    names = iam.list_role_policies(RoleName=f"{prefix}-flow-logs")["PolicyNames"]
    assert names == ["write-flow-log-group"]
    document = iam.get_role_policy(RoleName=f"{prefix}-flow-logs", PolicyName=names[0])["PolicyDocument"]
    for statement in document["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all(a.startswith("logs:") and "*" not in a for a in actions)
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        assert all(f"log-group:/aws/vpc/{prefix}-flow-logs" in r for r in resources)


def test_vpc_endpoints(ec2, vpc, groups):
    endpoints = [
        e
        for e in ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["VpcEndpoints"]
        if e["State"].lower() not in ("deleted", "deleting")
    ]
    by_service = {e["ServiceName"].split(".", 3)[3]: e for e in endpoints}
    for service in ("s3", "dynamodb"):
        assert by_service[service]["VpcEndpointType"] == "Gateway"
        assert len(by_service[service]["RouteTableIds"]) >= 2
    for service in ("secretsmanager", "logs", "ecr.api", "ecr.dkr", "sts", "sns", "states", "kms"):
        endpoint = by_service[service]
        assert endpoint["VpcEndpointType"] == "Interface"
        assert [g["GroupId"] for g in endpoint["Groups"]] == [groups["endpoints"]["GroupId"]]


def _rules(group, direction):
    """A group's rules as a set of (protocol, from, to, source) for exact comparison."""
    rules = set()
    for permission in group["IpPermissions" if direction == "in" else "IpPermissionsEgress"]:
        ports = (permission["IpProtocol"], permission.get("FromPort"), permission.get("ToPort"))
        for ip_range in permission.get("IpRanges", []):
            rules.add((*ports, ip_range["CidrIp"]))
        for pair in permission.get("UserIdGroupPairs", []):
            rules.add((*ports, pair["GroupId"]))
        for prefix_list in permission.get("PrefixListIds", []):
            rules.add((*ports, prefix_list["PrefixListId"]))
    return rules


def test_security_group_rules_exactly_as_net_7(groups, vpc):
    g = {name: group["GroupId"] for name, group in groups.items()}
    assert set(g) == {"alb", "ecs", "aurora", "redis", "lambda", "endpoints"}
    port = 8080
    expected = {
        "alb": (
            {("tcp", 80, 80, "0.0.0.0/0"), ("tcp", 443, 443, "0.0.0.0/0")},
            {("tcp", port, port, g["ecs"])},
        ),
        "ecs": (
            {("tcp", port, port, g["alb"])},
            {("tcp", 3306, 3306, g["aurora"]), ("tcp", 6379, 6379, g["redis"]), ("tcp", 443, 443, "0.0.0.0/0")},
        ),
        "aurora": ({("tcp", 3306, 3306, g["ecs"]), ("tcp", 3306, 3306, g["lambda"])}, set()),
        "redis": ({("tcp", 6379, 6379, g["ecs"])}, set()),
        "lambda": (set(), {("tcp", 3306, 3306, g["aurora"]), ("tcp", 443, 443, g["endpoints"])}),
        "endpoints": ({("tcp", 443, 443, vpc["CidrBlock"])}, set()),
    }
    for name, (ingress, egress) in expected.items():
        assert _rules(groups[name], "in") == ingress, f"{name} ingress"
        assert _rules(groups[name], "out") == egress, f"{name} egress"


def test_only_the_alb_is_open_to_the_internet(groups):
    for name, group in groups.items():
        open_rules = {r for r in _rules(group, "in") if r[3] in ("0.0.0.0/0", "::/0")}
        if name != "alb":
            assert not open_rules, f"{name} accepts traffic from the internet: {open_rules}"


def test_kms_keys_rotate_and_are_tagged(aws, prefix, outputs, expected_tags):
    kms = aws("kms")
    for purpose in ("aurora", "dynamodb", "s3", "logs", "messaging", "secrets"):
        arn = outputs[f"kms_{purpose}_key_arn"]
        metadata = kms.describe_key(KeyId=arn)["KeyMetadata"]
        assert metadata["KeyState"] == "Enabled"
        assert metadata["KeyManager"] == "CUSTOMER"
        assert kms.get_key_rotation_status(KeyId=arn)["KeyRotationEnabled"] is True
        tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=arn)["Tags"]}
        assert tags.items() >= expected_tags.items()
        aliases = [a["AliasName"] for a in kms.list_aliases(KeyId=arn)["Aliases"]]
        assert aliases == [f"alias/{prefix}-{purpose}"]
