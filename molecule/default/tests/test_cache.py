"""CACHE-1, asserted on the converged emulator: the Redis replication group, its subnet group and its AUTH token.

The token's value is read only to check it is set; it is never printed, not even by a failing assertion.
"""

from __future__ import annotations

import hashlib

import pytest
from conftest import tag_dict


def replication_group_id(prefix: str) -> str:
    """The role's id: <prefix>-redis, or a hashed short form past ElastiCache's 40 characters."""
    name = f"{prefix}-redis"
    if len(name) <= 40:
        return name
    return f"{prefix[:27].rstrip('-')}-{hashlib.sha1(prefix.encode()).hexdigest()[:6]}-redis"  # noqa: S324


@pytest.fixture(scope="module")
def elasticache(aws):
    return aws("elasticache")


@pytest.fixture(scope="module")
def key_arn(aws, prefix):
    """``key_arn("secrets")`` -> the ARN of the security role's key for that purpose."""
    kms = aws("kms")
    return lambda purpose: kms.describe_key(KeyId=f"alias/{prefix}-{purpose}")["KeyMetadata"]["Arn"]


@pytest.fixture(scope="module")
def group(elasticache, prefix):
    groups = elasticache.describe_replication_groups(ReplicationGroupId=replication_group_id(prefix))
    [found] = groups["ReplicationGroups"]
    assert found["Status"] == "available", "the settle play waits until the group is available"
    return found


@pytest.fixture(scope="module")
def members(elasticache, group):
    """The member clusters, each described (AWS and the emulator both can)."""
    described = []
    for member in group["MemberClusters"]:
        described += elasticache.describe_cache_clusters(CacheClusterId=member)["CacheClusters"]
    assert len(described) == len(group["MemberClusters"])
    return described


def test_failover_multi_az_and_one_replica_per_requested_count(group, inventory_vars):
    assert group["AutomaticFailover"] == "enabled"
    assert group["MultiAZ"] == "enabled"
    assert group["ClusterEnabled"] is False
    assert len(group["MemberClusters"]) == inventory_vars["cache_replica_count"] + 1
    roles = [m["CurrentRole"] for m in group["NodeGroups"][0]["NodeGroupMembers"]]
    assert roles.count("primary") == 1 and roles.count("replica") == inventory_vars["cache_replica_count"]


def test_encrypted_at_rest_with_the_data_tier_key_and_in_transit(group, key_arn):
    assert group["AtRestEncryptionEnabled"] is True
    assert group["KmsKeyId"] == key_arn("aurora")
    assert group["TransitEncryptionEnabled"] is True


def test_auth_token_is_enabled_and_kept_in_an_encrypted_secret(group, aws, prefix, outputs, key_arn, expected_tags):
    assert group["AuthTokenEnabled"] is True
    secrets = aws("secretsmanager")
    secret = secrets.describe_secret(SecretId=f"{prefix}/redis/auth-token")
    assert secret["ARN"] == outputs["redis_auth_secret_arn"]
    assert secret["KmsKeyId"] == key_arn("secrets")
    assert tag_dict(secret["Tags"]).items() >= expected_tags.items()
    value = secrets.get_secret_value(SecretId=secret["ARN"])["SecretString"]
    usable = 16 <= len(value) <= 128 and value.isalnum()
    del value
    assert usable, "the AUTH token is not 16 to 128 letters and digits (value not shown)"


def test_node_type_engine_and_snapshots_follow_the_environment(group, members, inventory_vars):
    assert group["CacheNodeType"] == inventory_vars["cache_node_type"]
    assert group["SnapshotRetentionLimit"] == inventory_vars["cache_snapshot_retention_days"]
    assert group["SnapshotWindow"] == "03:00-04:00"
    for member in members:
        assert member["CacheNodeType"] == inventory_vars["cache_node_type"]
        assert member["EngineVersion"].startswith(inventory_vars["cache_engine_version"])


def test_subnet_group_spans_the_data_subnets(elasticache, prefix, outputs, expected_tags):
    [subnet_group] = elasticache.describe_cache_subnet_groups(CacheSubnetGroupName=f"{prefix}-redis")[
        "CacheSubnetGroups"
    ]
    assert subnet_group["VpcId"] == outputs["vpc_id"]
    subnet_ids = sorted(s["SubnetIdentifier"] for s in subnet_group["Subnets"])
    assert subnet_ids == sorted(outputs["data_subnet_ids"].split(","))
    tags = tag_dict(elasticache.list_tags_for_resource(ResourceName=subnet_group["ARN"])["TagList"])
    assert tags.items() >= expected_tags.items()


def test_members_are_in_the_subnet_group_behind_the_redis_security_group(members, prefix, outputs):
    for member in members:
        assert member["CacheSubnetGroupName"] == f"{prefix}-redis"
        assert [g["SecurityGroupId"] for g in member["SecurityGroups"]] == [outputs["redis_security_group_id"]]


def test_redis_security_group_admits_only_the_ecs_tasks(aws, outputs):
    [redis] = aws("ec2").describe_security_groups(GroupIds=[outputs["redis_security_group_id"]])["SecurityGroups"]
    sources = {
        (p["FromPort"], p["ToPort"], pair["GroupId"]) for p in redis["IpPermissions"] for pair in p["UserIdGroupPairs"]
    }
    assert sources == {(6379, 6379, outputs["ecs_security_group_id"])}
    assert not any(p.get("IpRanges") for p in redis["IpPermissions"])


def test_group_is_tagged(elasticache, group, expected_tags):
    tags = tag_dict(elasticache.list_tags_for_resource(ResourceName=group["ARN"])["TagList"])
    assert tags.items() >= expected_tags.items()
    assert tags["Name"] == group["ReplicationGroupId"]


def test_outputs_name_the_endpoints(group, outputs):
    node_group = group["NodeGroups"][0]
    assert outputs["redis_primary_endpoint"] == node_group["PrimaryEndpoint"]["Address"]
    assert outputs["redis_port"] == str(node_group["PrimaryEndpoint"]["Port"])
    assert outputs["redis_reader_endpoint"] == node_group["ReaderEndpoint"]["Address"]
    assert outputs["redis_reader_endpoint"] != outputs["redis_primary_endpoint"]
