"""The shared naming, tagging and addressing filters."""

from __future__ import annotations

import ipaddress

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.freelancer.platform.plugins.filter import platform as f


@pytest.mark.parametrize("env", ["dev", "prod", "local", "qa-2", "a", "abcdefghijklmnop"])
def test_valid_environment_names(env):
    assert f.valid_platform_env(env)
    assert f.resource_name("vpc", env) == f"{env}-freelancer-platform-vpc"


@pytest.mark.parametrize("env", ["", "Dev", "2dev", "dev_1", "dev-", "abcdefghijklmnopq", "dev env", None, 5])
def test_invalid_environment_names_are_refused_naming_the_variable(env):
    assert not f.valid_platform_env(env)
    with pytest.raises(AnsibleFilterError, match="platform_env"):
        f.resource_name("vpc", env)


def test_resource_part_must_be_lowercase():
    with pytest.raises(AnsibleFilterError):
        f.resource_name("Aurora Cluster", "dev")


def test_mandatory_tags_win_over_extra_tags():
    tags = f.resource_tags("dev", {"Owner": "team", "Environment": "prod", "ManagedBy": "hand"})
    assert tags == {
        "Owner": "team",
        "Environment": "dev",
        "Project": "freelancer-platform",
        "ManagedBy": "Ansible",
        "CostCenter": "engineering",
    }


def test_extra_tags_must_be_a_mapping():
    with pytest.raises(AnsibleFilterError, match="platform_extra_tags"):
        f.resource_tags("dev", ["Owner"])


@pytest.mark.parametrize("cidr", ["10.36.0.0/16", "172.16.0.0/20", "192.168.1.0/24"])
def test_valid_vpc_cidrs(cidr):
    assert f.valid_vpc_cidr(cidr)


@pytest.mark.parametrize(
    "cidr", ["10.36.0.0", "10.36.0.1/16", "10.0.0.0/8", "10.0.0.0/28", "300.1.0.0/16", "dev", None]
)
def test_invalid_vpc_cidrs(cidr):
    assert not f.valid_vpc_cidr(cidr)
    with pytest.raises(AnsibleFilterError, match="vpc_cidr"):
        f.tier_subnets(cidr, ["us-east-2a", "us-east-2b"])


def test_subnets_for_dev_are_disjoint_per_tier_and_az_inside_the_vpc():
    azs = ["us-east-2a", "us-east-2b"]
    subnets = f.tier_subnets("10.36.0.0/16", azs)
    assert [(s["tier"], s["az"]) for s in subnets] == [(t, a) for t in ("public", "app", "data") for a in azs]
    nets = [ipaddress.ip_network(s["cidr"]) for s in subnets]
    vpc = ipaddress.ip_network("10.36.0.0/16")
    assert all(n.subnet_of(vpc) and n.prefixlen == 20 for n in nets)
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])
    assert subnets[0]["cidr"] == "10.36.0.0/20"
    assert subnets[2]["cidr"] == "10.36.64.0/20"


def test_adding_an_az_keeps_existing_subnet_addresses():
    two = f.tier_subnets("10.36.0.0/16", ["a", "b"])
    three = f.tier_subnets("10.36.0.0/16", ["a", "b", "c"])
    kept = {(s["tier"], s["az"]): s["cidr"] for s in three}
    assert all(kept[(s["tier"], s["az"])] == s["cidr"] for s in two)


@pytest.mark.parametrize("azs", [[], "us-east-2a", ["a", "a"], ["a", "b", "c", "d", "e"]])
def test_bad_az_lists_are_refused(azs):
    with pytest.raises(AnsibleFilterError):
        f.tier_subnets("10.36.0.0/16", azs)


def test_lookup_helpers():
    subnets = [
        {"id": "s2", "availability_zone": "b", "tags": {"Tier": "app"}},
        {"id": "s1", "availability_zone": "a", "tags": {"Tier": "app"}},
        {"id": "s3", "availability_zone": "a", "tags": {"Tier": "data"}},
        {"id": "s4", "availability_zone": "a"},
    ]
    assert f.subnet_ids_of_tier("app", subnets) == ["s1", "s2"]
    groups = [{"group_name": "dev-freelancer-platform-alb-sg", "group_id": "sg-1"}]
    assert f.security_group_id_of("alb", groups, "dev-freelancer-platform") == "sg-1"
    assert f.security_group_id_of("ecs", groups, "dev-freelancer-platform") == ""
    assert f.has_main_association([{"main": True}])
    assert not f.has_main_association([{"main": False}, {}])
    assert not f.has_main_association(None)
