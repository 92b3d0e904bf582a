"""freelancer.platform.elasticache_replication_group_info against moto in-process with the emulator's
patches: a missing group, a group created by elasticache_replication_group, and bad input."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import elasticache_replication_group as manage
from ansible_collections.freelancer.platform.plugins.modules import elasticache_replication_group_info as module


@pytest.fixture
def aws(mocked_aws):
    """The emulator's patches (reader endpoint), undone after the test."""
    from freelancer_emulator import patches

    patches.apply_all()
    yield boto3.client("elasticache", region_name="us-east-2")
    patches.restore_all()


def test_a_missing_group_is_reported_not_an_error(run_module, aws):
    result, failed = run_module(module, {"replication_group_id": "nothing-here", "region": "us-east-2"})
    assert not failed, result
    assert result["changed"] is False
    assert result["exists"] is False
    assert result["replication_group"] == {}


def test_an_existing_group_is_returned_with_its_endpoints_and_tags(run_module, aws):
    created, failed = run_module(
        manage,
        {
            "replication_group_id": "test-redis",
            "description": "Test cache",
            "node_type": "cache.t4g.micro",
            "num_cache_clusters": 2,
            "automatic_failover_enabled": True,
            "multi_az_enabled": True,
            "tags": {"Environment": "test"},
            "region": "us-east-2",
        },
    )
    assert not failed, created

    result, failed = run_module(module, {"replication_group_id": "test-redis", "region": "us-east-2"}, check_mode=True)
    assert not failed, result
    assert result["changed"] is False
    assert result["exists"] is True
    group = result["replication_group"]
    node_group = aws.describe_replication_groups(ReplicationGroupId="test-redis")["ReplicationGroups"][0]["NodeGroups"][
        0
    ]
    assert group["replication_group_id"] == "test-redis"
    assert group["primary_endpoint_address"] == node_group["PrimaryEndpoint"]["Address"]
    assert group["reader_endpoint_address"] == node_group["ReaderEndpoint"]["Address"]
    assert group["port"] == node_group["PrimaryEndpoint"]["Port"]
    assert group["tags"] == {"Environment": "test"}


def test_an_empty_id_fails_before_any_aws_call(run_module, aws_env):
    result, failed = run_module(module, {"replication_group_id": " ", "region": "us-east-2"})
    assert failed
    assert "replication_group_id must not be empty" in result["msg"]
