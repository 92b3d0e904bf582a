"""freelancer.platform.elasticache_subnet_group against moto in-process: check, apply, idempotency, update,
delete (refused while in use) and bad input.

Modify and delete answer through the emulator's patches (``freelancer_emulator.patches.apply_all()``; moto
5.2.5 has neither).
"""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import elasticache_subnet_group as module


@pytest.fixture
def subnets(mocked_aws):
    """Three subnets, with the emulator's patches applied (undone after the test)."""
    from freelancer_emulator import patches

    patches.apply_all()
    ec2 = boto3.client("ec2", region_name="us-east-2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    yield [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"us-east-2{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("abc")
    ]
    patches.restore_all()


def args(available, **extra):
    base = {
        "name": "test-redis",
        "description": "Data subnets",
        "subnets": available[:2],
        "tags": {"Environment": "test"},
        "region": "us-east-2",
    }
    base.update(extra)
    return base


def groups():
    return boto3.client("elasticache", region_name="us-east-2").describe_cache_subnet_groups()["CacheSubnetGroups"]


def test_check_mode_on_nothing_reports_a_change_and_creates_nothing(run_module, subnets):
    result, failed = run_module(module, args(subnets), check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["cache_subnet_group"]["subnet_ids"] == sorted(subnets[:2])
    assert groups() == []


def test_create_then_idempotent_then_check_reports_nothing(run_module, subnets):
    result, failed = run_module(module, args(subnets))
    assert not failed, result
    assert result["changed"] is True
    group = result["cache_subnet_group"]
    assert group["subnet_ids"] == sorted(subnets[:2])
    assert group["vpc_id"].startswith("vpc-")
    assert group["tags"] == {"Environment": "test"}
    assert group["arn"].endswith(":subnetgroup:test-redis")

    again, _ = run_module(module, args(subnets, subnets=list(reversed(subnets[:2]))))
    assert again["changed"] is False
    preview, _ = run_module(module, args(subnets), check_mode=True, diff=True)
    assert preview["changed"] is False and preview["diff"]["before"] == preview["diff"]["after"]


def test_subnets_description_and_tags_are_converged(run_module, subnets):
    run_module(module, args(subnets))
    changed = args(
        subnets, subnets=subnets, description="All data subnets", tags={"Environment": "test", "Tier": "data"}
    )
    preview, _ = run_module(module, changed, check_mode=True)
    assert preview["changed"] is True and len(groups()[0]["Subnets"]) == 2
    result, failed = run_module(module, changed)
    assert not failed, result
    assert result["cache_subnet_group"]["subnet_ids"] == sorted(subnets)
    assert result["cache_subnet_group"]["description"] == "All data subnets"
    assert result["cache_subnet_group"]["tags"] == {"Environment": "test", "Tier": "data"}
    assert run_module(module, changed)[0]["changed"] is False


def test_absent_deletes_then_is_idempotent_and_refuses_while_in_use(run_module, subnets):
    run_module(module, args(subnets))
    elasticache = boto3.client("elasticache", region_name="us-east-2")
    elasticache.create_replication_group(
        ReplicationGroupId="user", ReplicationGroupDescription="d", CacheSubnetGroupName="test-redis"
    )
    refused, failed = run_module(module, {"name": "test-redis", "state": "absent"})
    assert failed and "still used" in refused["msg"]
    assert len(groups()) == 1

    elasticache.delete_replication_group(ReplicationGroupId="user")
    preview, _ = run_module(module, {"name": "test-redis", "state": "absent"}, check_mode=True)
    assert preview["changed"] is True and len(groups()) == 1
    result, _ = run_module(module, {"name": "test-redis", "state": "absent"})
    assert result["changed"] is True and groups() == []
    again, _ = run_module(module, {"name": "test-redis", "state": "absent"})
    assert again["changed"] is False


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"name": "Bad_Name"}, "name"),
        ({"name": "ends-with-"}, "name"),
        ({"subnets": ["sn-1"]}, "subnets"),
        ({"subnets": []}, "subnets"),
    ],
)
def test_bad_input_fails_before_any_aws_call(run_module, aws_env, extra, named):
    request = {
        "name": "test-redis",
        "subnets": ["subnet-1"],
        "region": "us-east-2",
        "endpoint_url": "http://127.0.0.1:9",
    }
    request.update(extra)
    result, failed = run_module(module, request)
    assert failed and result["msg"].startswith(named)


def test_creating_without_subnets_fails_naming_them(run_module, subnets):
    result, failed = run_module(module, {"name": "test-redis", "region": "us-east-2"})
    assert failed and "subnets is required" in result["msg"]
    assert groups() == []
