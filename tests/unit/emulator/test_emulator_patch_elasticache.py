"""ElastiCache: ShowCacheNodeInfo, NumCacheClusters, ModifyReplicationGroup SnapshotWindow."""

from __future__ import annotations

import boto3
import pytest
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
