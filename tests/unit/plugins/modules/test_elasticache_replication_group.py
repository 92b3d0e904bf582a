"""freelancer.platform.elasticache_replication_group against moto in-process: check, apply, idempotency,
update, immutable differences, AUTH token handling, waits, delete and bad input.

moto answers through the emulator's patches (``freelancer_emulator.patches.apply_all()``: NumCacheClusters
makes that many members, member clusters, reader endpoint, replica counts, deletion). One test runs on plain moto,
where member clusters cannot be described.
"""

from __future__ import annotations

import json
import time

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import elasticache_replication_group as module

TOKEN = "Sixteen-plus-chars-token-0123456789"
SECRET = "test/redis/auth-token"


@pytest.fixture
def fidelity():
    """The emulator's patches, undone after the test."""
    from freelancer_emulator import patches

    patches.apply_all()
    yield
    patches.restore_all()


@pytest.fixture
def aws(fidelity, mocked_aws):
    """A VPC with two subnets, a subnet group, two security groups, a KMS key and the token secret."""
    ec2 = boto3.client("ec2", region_name="us-east-2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"us-east-2{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("ab")
    ]
    groups = [
        ec2.create_security_group(GroupName=f"redis-{i}", Description="r", VpcId=vpc)["GroupId"] for i in range(2)
    ]
    elasticache = boto3.client("elasticache", region_name="us-east-2")
    for name in ("data", "other"):
        elasticache.create_cache_subnet_group(
            CacheSubnetGroupName=name, CacheSubnetGroupDescription="d", SubnetIds=subnets
        )
    kms = boto3.client("kms", region_name="us-east-2")
    keys = [kms.create_key()["KeyMetadata"]["Arn"] for _ in range(2)]
    boto3.client("secretsmanager", region_name="us-east-2").create_secret(Name=SECRET, SecretString=TOKEN)
    return {"security_groups": groups, "keys": keys, "elasticache": elasticache}


def args(aws, **extra):
    base = {
        "replication_group_id": "test-redis",
        "description": "Test cache",
        "engine_version": "7.1",
        "node_type": "cache.t4g.micro",
        "num_cache_clusters": 2,
        "automatic_failover_enabled": True,
        "multi_az_enabled": True,
        "cache_subnet_group_name": "data",
        "security_group_ids": [aws["security_groups"][0]],
        "at_rest_encryption_enabled": True,
        "kms_key_id": aws["keys"][0],
        "transit_encryption_enabled": True,
        "auth_token_secret_id": SECRET,
        "snapshot_retention_limit": 7,
        "snapshot_window": "03:00-04:00",
        "preferred_maintenance_window": "sun:05:00-sun:06:00",
        "tags": {"Environment": "test"},
        "region": "us-east-2",
    }
    base.update(extra)
    return {k: v for k, v in base.items() if v is not None}


def described(aws, group_id="test-redis"):
    groups = aws["elasticache"].describe_replication_groups()["ReplicationGroups"]
    return next((g for g in groups if g["ReplicationGroupId"] == group_id), None)


def test_check_mode_on_nothing_reports_a_change_and_creates_nothing(run_module, aws):
    result, failed = run_module(module, args(aws), check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["cache_node_type"] == "cache.t4g.micro"
    assert result["diff"]["after"]["num_cache_clusters"] == 2
    assert result["replication_group"]["status"] == "creating"
    assert described(aws) is None


def test_check_mode_with_a_missing_token_secret_does_not_fail(run_module, aws):
    result, failed = run_module(module, args(aws, auth_token_secret_id="missing/secret"), check_mode=True)
    assert not failed, result
    assert result["changed"] is True and described(aws) is None


def test_create_then_idempotent_then_check_reports_nothing(run_module, aws):
    result, failed = run_module(module, args(aws), diff=True)
    assert not failed, result
    assert result["changed"] is True
    group = result["replication_group"]
    assert group["status"] == "available"
    assert group["member_clusters"] == ["test-redis-001", "test-redis-002"]
    assert group["num_cache_clusters"] == 2
    assert group["automatic_failover"] == "enabled" and group["multi_az"] == "enabled"
    assert group["at_rest_encryption_enabled"] is True and group["kms_key_id"] == aws["keys"][0]
    assert group["transit_encryption_enabled"] is True and group["auth_token_enabled"] is True
    assert group["primary_endpoint_address"] and group["reader_endpoint_address"]
    assert group["primary_endpoint_address"] != group["reader_endpoint_address"]
    assert group["port"] == 6379
    assert group["cache_subnet_group_name"] == "data"
    assert group["security_group_ids"] == [aws["security_groups"][0]]
    assert group["tags"] == {"Environment": "test"}
    assert TOKEN not in json.dumps(result, default=str)

    again, _ = run_module(module, args(aws), diff=True)
    assert again["changed"] is False, again["diff"]
    assert again["replication_group"]["arn"] == group["arn"]

    preview, _ = run_module(module, args(aws), check_mode=True, diff=True)
    assert preview["changed"] is False
    assert preview["diff"]["before"] == preview["diff"]["after"]


def test_a_token_given_directly_is_sent_and_never_returned(run_module, aws):
    result, failed = run_module(module, args(aws, auth_token_secret_id=None, auth_token=TOKEN))
    assert not failed, result
    assert described(aws)["AuthTokenEnabled"] is True
    assert TOKEN not in json.dumps(result, default=str)
    again, _ = run_module(module, args(aws, auth_token_secret_id=None, auth_token=TOKEN))
    assert again["changed"] is False


def test_modifiable_settings_are_changed_in_place(run_module, aws):
    run_module(module, args(aws))
    changes = {
        "description": "Bigger cache",
        "node_type": "cache.t4g.small",
        "snapshot_retention_limit": 3,
        "snapshot_window": "01:00-02:00",
        "security_group_ids": aws["security_groups"],
        "preferred_maintenance_window": "mon:01:00-mon:02:00",
        "tags": {"Environment": "test", "Owner": "team"},
    }
    preview, _ = run_module(module, args(aws, **changes), check_mode=True, diff=True)
    assert preview["changed"] is True
    assert preview["diff"]["after"]["cache_node_type"] == "cache.t4g.small"
    assert described(aws)["CacheNodeType"] == "cache.t4g.micro", "check mode changed the group"

    result, failed = run_module(module, args(aws, **changes), diff=True)
    assert not failed, result
    assert result["changed"] is True
    group = result["replication_group"]
    assert group["description"] == "Bigger cache"
    assert group["cache_node_type"] == "cache.t4g.small"
    assert group["snapshot_retention_limit"] == 3 and group["snapshot_window"] == "01:00-02:00"
    assert group["security_group_ids"] == sorted(aws["security_groups"])
    assert group["preferred_maintenance_window"] == "mon:01:00-mon:02:00"
    assert group["tags"] == {"Environment": "test", "Owner": "team"}

    again, _ = run_module(module, args(aws, **changes))
    assert again["changed"] is False


def test_failover_and_multi_az_can_be_turned_off(run_module, aws):
    run_module(module, args(aws))
    result, failed = run_module(module, args(aws, automatic_failover_enabled=False, multi_az_enabled=False))
    assert not failed, result
    group = described(aws)
    assert group["AutomaticFailover"] == "disabled" and group["MultiAZ"] == "disabled"


def test_replica_count_is_changed_with_the_replica_apis(run_module, aws):
    run_module(module, args(aws))
    grown, failed = run_module(module, args(aws, num_cache_clusters=3))
    assert not failed, grown
    assert grown["changed"] is True
    assert described(aws)["MemberClusters"] == ["test-redis-001", "test-redis-002", "test-redis-003"]
    assert run_module(module, args(aws, num_cache_clusters=3))[0]["changed"] is False
    shrunk, _ = run_module(module, args(aws, num_cache_clusters=2))
    assert shrunk["changed"] is True
    assert described(aws)["MemberClusters"] == ["test-redis-001", "test-redis-002"]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"kms_key_id": "other"}, "kms_key_id"),
        ({"cache_subnet_group_name": "other"}, "cache_subnet_group_name"),
        ({"transit_encryption_enabled": False, "auth_token_secret_id": None}, "transit_encryption_enabled"),
    ],
)
def test_immutable_difference_fails_and_changes_nothing(run_module, aws, change, named):
    run_module(module, args(aws))
    if change.get("kms_key_id") == "other":
        change = {"kms_key_id": aws["keys"][1]}
    result, failed = run_module(module, args(aws, node_type="cache.t4g.small", **change))
    assert failed
    assert named in result["msg"] and "cannot be changed" in result["msg"]
    assert described(aws)["CacheNodeType"] == "cache.t4g.micro"


def test_engine_version_upgrades_but_never_downgrades(run_module, aws):
    run_module(module, args(aws))
    result, failed = run_module(module, args(aws, engine_version="6.2"))
    assert failed and "engine_version 6.2 is older than the running 7.1" in result["msg"]
    upgraded, failed = run_module(module, args(aws, engine_version="7.2"))
    assert not failed and upgraded["changed"] is True
    assert upgraded["replication_group"]["engine_version"] == "7.2"


def test_forced_token_update_rotates_every_time(run_module, aws):
    run_module(module, args(aws))
    before = described(aws)["AuthTokenLastModifiedDate"]
    time.sleep(0.01)
    preview, _ = run_module(module, args(aws, force_auth_token_update=True), check_mode=True)
    assert preview["changed"] is True and described(aws)["AuthTokenLastModifiedDate"] == before
    result, failed = run_module(module, args(aws, force_auth_token_update=True, auth_token_update_strategy="SET"))
    assert not failed and result["changed"] is True
    assert described(aws)["AuthTokenLastModifiedDate"] > before
    assert TOKEN not in json.dumps(result, default=str)


def test_absent_deletes_then_is_idempotent(run_module, aws):
    run_module(module, args(aws))
    preview, _ = run_module(
        module, {"replication_group_id": "test-redis", "state": "absent"}, check_mode=True, diff=True
    )
    assert preview["changed"] is True and preview["diff"]["after"] == {}
    assert described(aws)["Status"] == "available"
    result, failed = run_module(
        module, {"replication_group_id": "test-redis", "state": "absent", "wait": True, "wait_timeout": 30}
    )
    assert not failed, result
    assert result["changed"] is True and described(aws) is None
    again, _ = run_module(module, {"replication_group_id": "test-redis", "state": "absent"})
    assert again["changed"] is False


def test_wait_is_bounded_and_changes_wait_for_available(run_module, aws):
    """The emulator's create delay keeps new groups 'creating', as AWS does for minutes."""
    from freelancer_emulator import create_delay

    create_delay.configure(30)
    try:
        started = time.monotonic()
        result, failed = run_module(module, args(aws, wait=True, wait_timeout=1))
        assert failed and "Timed out after 1 s" in result["msg"] and "creating" in result["msg"]
        assert result["changed"] is True, "the group was created before the wait ran out"
        assert time.monotonic() - started < 20, "the wait outlived its timeout"

        busy, failed = run_module(module, args(aws, node_type="cache.t4g.small"))
        assert failed and "is creating" in busy["msg"] and "wait: true" in busy["msg"]
        assert described(aws)["CacheNodeType"] == "cache.t4g.micro"

        create_delay.configure(2)
        run_module(module, args(aws, replication_group_id="test-redis-2"))
        assert described(aws, "test-redis-2")["Status"] == "creating"
        done, failed = run_module(
            module,
            args(aws, replication_group_id="test-redis-2", node_type="cache.t4g.small", wait=True, wait_timeout=60),
        )
        assert not failed, done
        assert done["replication_group"]["status"] == "available"
        assert done["replication_group"]["cache_node_type"] == "cache.t4g.small"
    finally:
        create_delay.uninstall()


def test_members_that_cannot_be_described_are_not_compared(run_module, mocked_aws):
    """Plain moto: no member clusters, so their settings are not compared."""
    elasticache = boto3.client("elasticache", region_name="us-east-2")
    request = {
        "replication_group_id": "plain-redis",
        "node_type": "cache.t4g.micro",
        "num_cache_clusters": 1,
        "engine_version": "7.1",
        "security_group_ids": ["sg-1"],
        "cache_subnet_group_name": "whatever",
        "region": "us-east-2",
    }
    first, failed = run_module(module, request)
    assert not failed and first["changed"] is True
    assert "engine_version" not in first["replication_group"]
    again, _ = run_module(module, {**request, "security_group_ids": ["sg-2"], "cache_subnet_group_name": "other"})
    assert again["changed"] is False
    assert elasticache.describe_replication_groups()["ReplicationGroups"][0]["Status"] == "available"


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"replication_group_id": "a" * 41}, "replication_group_id"),
        ({"replication_group_id": "Bad--id"}, "replication_group_id"),
        ({"node_type": "t4g.micro"}, "node_type"),
        ({"engine_version": "seven"}, "engine_version"),
        ({"num_cache_clusters": 1}, "num_cache_clusters"),
        ({"automatic_failover_enabled": False}, "multi_az_enabled"),
        ({"kms_key_id": "alias/data"}, "kms_key_id"),
        ({"at_rest_encryption_enabled": False}, "kms_key_id"),
        ({"auth_token_secret_id": None, "auth_token": "short"}, "auth_token"),
        ({"auth_token_secret_id": None, "auth_token": "has spaces in it, sixteen+"}, "auth_token"),
        ({"transit_encryption_enabled": False}, "transit_encryption_enabled"),
        ({"snapshot_retention_limit": 36}, "snapshot_retention_limit"),
        ({"snapshot_window": "3-4"}, "snapshot_window"),
        ({"preferred_maintenance_window": "sunday 5am"}, "preferred_maintenance_window"),
    ],
)
def test_bad_input_fails_before_any_aws_call(run_module, aws_env, extra, named):
    """An endpoint where nothing listens: a call would fail with a connection error, not this message."""
    request = {
        "replication_group_id": "test-redis",
        "node_type": "cache.t4g.micro",
        "num_cache_clusters": 2,
        "automatic_failover_enabled": True,
        "multi_az_enabled": True,
        "at_rest_encryption_enabled": True,
        "kms_key_id": "arn:aws:kms:us-east-2:123456789012:key/1",
        "transit_encryption_enabled": True,
        "auth_token_secret_id": SECRET,
        "region": "us-east-2",
        "endpoint_url": "http://127.0.0.1:9",
    }
    request.update(extra)
    result, failed = run_module(module, {k: v for k, v in request.items() if v is not None})
    assert failed
    assert named in result["msg"]
    assert "Could not" not in result["msg"]


def test_creating_without_a_node_type_fails_naming_it(run_module, aws):
    result, failed = run_module(module, {"replication_group_id": "test-redis", "region": "us-east-2"})
    assert failed and "does not exist, and node_type is required" in result["msg"]
    assert described(aws) is None


def test_a_group_being_deleted_is_recreated_only_after_it_is_gone(run_module, mocked_aws):
    """Plain moto keeps a deleted group 'deleting' (as AWS does for minutes)."""
    request = {"replication_group_id": "gone-redis", "node_type": "cache.t4g.micro", "region": "us-east-2"}
    run_module(module, request)
    run_module(module, {**request, "state": "absent"})
    preview, failed = run_module(module, request, check_mode=True)
    assert not failed and preview["changed"] is True, "a preview neither waits nor fails"
    result, failed = run_module(module, request)
    assert failed and "is being deleted" in result["msg"] and "wait: true" in result["msg"]
