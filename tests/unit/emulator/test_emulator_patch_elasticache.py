"""ElastiCache: ShowCacheNodeInfo, NumCacheClusters, ModifyReplicationGroup settings, deleting groups, subnet
group modify/delete, reader endpoint, member clusters, replica counts."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws


@pytest.fixture
def elasticache(patched):
    with mock_aws():
        yield boto3.client("elasticache")


def test_show_cache_node_info_lists_cache_nodes(elasticache) -> None:
    """AWS: with ShowCacheNodeInfo=true each cluster lists its CacheNodes (id, status, endpoint); without it, not."""
    elasticache.create_cache_cluster(
        CacheClusterId="sessions", Engine="redis", CacheNodeType="cache.t4g.micro", NumCacheNodes=1
    )
    cluster = elasticache.describe_cache_clusters(CacheClusterId="sessions", ShowCacheNodeInfo=True)["CacheClusters"][0]
    assert cluster["CacheClusterId"] == "sessions"
    [node] = cluster["CacheNodes"]
    assert node["CacheNodeId"] == "0001"
    assert node["CacheNodeStatus"] == "available"
    assert node["Endpoint"]["Port"] == 6379
    assert node["Endpoint"]["Address"].startswith("sessions.")

    plain = elasticache.describe_cache_clusters(CacheClusterId="sessions")["CacheClusters"][0]
    assert "CacheNodes" not in plain


def test_num_cache_clusters_makes_that_many_members(elasticache) -> None:
    """AWS: NumCacheClusters=2 (cluster mode disabled) makes a primary and one replica."""
    group = elasticache.create_replication_group(
        ReplicationGroupId="cache",
        ReplicationGroupDescription="app cache",
        Engine="redis",
        CacheNodeType="cache.t4g.micro",
        NumCacheClusters=2,
        AutomaticFailoverEnabled=True,
        MultiAZEnabled=True,
    )["ReplicationGroup"]
    assert group["MemberClusters"] == ["cache-001", "cache-002"]
    members = group["NodeGroups"][0]["NodeGroupMembers"]
    assert [m["CurrentRole"] for m in members] == ["primary", "replica"]


def test_modify_replication_group_applies_snapshot_window(elasticache) -> None:
    """AWS: ModifyReplicationGroup sets the SnapshotWindow."""
    elasticache.create_replication_group(
        ReplicationGroupId="cache2",
        ReplicationGroupDescription="d",
        Engine="redis",
        CacheNodeType="cache.t4g.micro",
        NumCacheClusters=1,
        SnapshotRetentionLimit=3,
        SnapshotWindow="03:00-04:00",
    )
    modified = elasticache.modify_replication_group(
        ReplicationGroupId="cache2", SnapshotWindow="05:00-06:00", ApplyImmediately=True
    )["ReplicationGroup"]
    assert modified["SnapshotWindow"] == "05:00-06:00"
    described = elasticache.describe_replication_groups(ReplicationGroupId="cache2")["ReplicationGroups"][0]
    assert described["SnapshotWindow"] == "05:00-06:00"


@pytest.fixture
def subnets(elasticache):
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.8.{i}.0/24", AvailabilityZone=f"us-east-2{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("abc")
    ]


def _group(elasticache, group_id="cache", **extra):
    request = {
        "ReplicationGroupId": group_id,
        "ReplicationGroupDescription": "d",
        "Engine": "redis",
        "CacheNodeType": "cache.t4g.micro",
        "NumCacheClusters": 2,
        "AutomaticFailoverEnabled": True,
    }
    request.update(extra)
    return elasticache.create_replication_group(**request)["ReplicationGroup"]


def test_deleted_replication_group_is_gone(elasticache) -> None:
    """AWS: DeleteReplicationGroup answers 'deleting'; once deleted the group is not found and its id is free."""
    _group(elasticache)
    assert elasticache.delete_replication_group(ReplicationGroupId="cache")["ReplicationGroup"]["Status"] == "deleting"
    with pytest.raises(ClientError) as error:
        elasticache.describe_replication_groups(ReplicationGroupId="cache")
    assert error.value.response["Error"]["Code"] == "ReplicationGroupNotFoundFault"
    assert _group(elasticache)["Status"] == "available"


def test_cache_subnet_group_can_be_modified_and_deleted_once_unused(elasticache, subnets) -> None:
    """AWS: ModifyCacheSubnetGroup changes subnets and description; DeleteCacheSubnetGroup refuses a group in use
    (CacheSubnetGroupInUse), removes an unused one, and answers CacheSubnetGroupNotFoundFault for a missing one."""
    elasticache.create_cache_subnet_group(
        CacheSubnetGroupName="data", CacheSubnetGroupDescription="d", SubnetIds=subnets[:2]
    )
    modified = elasticache.modify_cache_subnet_group(
        CacheSubnetGroupName="data", CacheSubnetGroupDescription="e", SubnetIds=subnets
    )["CacheSubnetGroup"]
    assert modified["CacheSubnetGroupDescription"] == "e"
    assert sorted(s["SubnetIdentifier"] for s in modified["Subnets"]) == sorted(subnets)

    _group(elasticache, CacheSubnetGroupName="data")
    with pytest.raises(ClientError) as in_use:
        elasticache.delete_cache_subnet_group(CacheSubnetGroupName="data")
    assert in_use.value.response["Error"]["Code"] == "CacheSubnetGroupInUse"

    elasticache.delete_replication_group(ReplicationGroupId="cache")
    elasticache.delete_cache_subnet_group(CacheSubnetGroupName="data")
    with pytest.raises(ClientError) as missing:
        elasticache.delete_cache_subnet_group(CacheSubnetGroupName="data")
    assert missing.value.response["Error"]["Code"] == "CacheSubnetGroupNotFoundFault"


def test_node_group_has_a_reader_endpoint(elasticache) -> None:
    """AWS: a cluster-mode-disabled group's node group has a PrimaryEndpoint and a ReaderEndpoint on its port."""
    node_group = _group(elasticache)["NodeGroups"][0]
    assert node_group["ReaderEndpoint"]["Port"] == node_group["PrimaryEndpoint"]["Port"] == 6379
    assert node_group["ReaderEndpoint"]["Address"] != node_group["PrimaryEndpoint"]["Address"]
    described = elasticache.describe_replication_groups(ReplicationGroupId="cache")["ReplicationGroups"][0]
    assert described["NodeGroups"][0]["ReaderEndpoint"] == node_group["ReaderEndpoint"]


def test_member_clusters_are_described_with_the_group_settings(elasticache) -> None:
    """AWS: each member is a cache cluster that reports its group, subnet group, security groups, engine version,
    maintenance window and parameter group."""
    _group(
        elasticache,
        CacheSubnetGroupName="data",
        SecurityGroupIds=["sg-1"],
        EngineVersion="7.1",
        PreferredMaintenanceWindow="sun:05:00-sun:06:00",
    )
    for member in ("cache-001", "cache-002"):
        [cluster] = elasticache.describe_cache_clusters(CacheClusterId=member)["CacheClusters"]
        assert cluster["ReplicationGroupId"] == "cache"
        assert cluster["CacheSubnetGroupName"] == "data"
        assert cluster["SecurityGroups"] == [{"SecurityGroupId": "sg-1", "Status": "active"}]
        assert cluster["EngineVersion"] == "7.1"
        assert cluster["PreferredMaintenanceWindow"] == "sun:05:00-sun:06:00"
        assert cluster["CacheParameterGroup"]["CacheParameterGroupName"] == "default.redis7"
    listed = [c["CacheClusterId"] for c in elasticache.describe_cache_clusters()["CacheClusters"]]
    assert listed == ["cache-001", "cache-002"]


def test_modify_replication_group_applies_member_settings_and_auth(elasticache) -> None:
    """AWS: ModifyReplicationGroup changes the members' security groups, maintenance window and parameter group,
    and an AuthToken turns AUTH on."""
    _group(elasticache, TransitEncryptionEnabled=True, SecurityGroupIds=["sg-1"])
    modified = elasticache.modify_replication_group(
        ReplicationGroupId="cache",
        SecurityGroupIds=["sg-2", "sg-3"],
        PreferredMaintenanceWindow="mon:01:00-mon:02:00",
        CacheParameterGroupName="custom",
        AuthToken="a-token-of-sixteen-chars",
        AuthTokenUpdateStrategy="ROTATE",
        ApplyImmediately=True,
    )["ReplicationGroup"]
    assert modified["AuthTokenEnabled"] is True
    [cluster] = elasticache.describe_cache_clusters(CacheClusterId="cache-001")["CacheClusters"]
    assert [g["SecurityGroupId"] for g in cluster["SecurityGroups"]] == ["sg-2", "sg-3"]
    assert cluster["PreferredMaintenanceWindow"] == "mon:01:00-mon:02:00"
    assert cluster["CacheParameterGroup"]["CacheParameterGroupName"] == "custom"


def test_replica_count_can_be_increased_and_decreased(elasticache) -> None:
    """AWS: IncreaseReplicaCount / DecreaseReplicaCount set the number of replicas; with automatic failover at
    least one must stay."""
    _group(elasticache)
    grown = elasticache.increase_replica_count(ReplicationGroupId="cache", NewReplicaCount=2, ApplyImmediately=True)
    assert grown["ReplicationGroup"]["MemberClusters"] == ["cache-001", "cache-002", "cache-003"]
    shrunk = elasticache.decrease_replica_count(ReplicationGroupId="cache", NewReplicaCount=1, ApplyImmediately=True)
    assert shrunk["ReplicationGroup"]["MemberClusters"] == ["cache-001", "cache-002"]
    with pytest.raises(ClientError) as error:
        elasticache.decrease_replica_count(ReplicationGroupId="cache", NewReplicaCount=0, ApplyImmediately=True)
    assert error.value.response["Error"]["Code"] == "InvalidParameterCombination"
