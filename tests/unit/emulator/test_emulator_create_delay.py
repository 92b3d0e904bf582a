"""The create delay: slow resources report their "being created" state for a while, then become ready."""

from __future__ import annotations

import time

import boto3
import pytest
from moto import mock_aws

# Long enough that a loaded machine still sees the "being created" state right after creating four resources.
DELAY = 4.0


@pytest.fixture
def delayed(patched):
    from freelancer_emulator import create_delay

    create_delay.configure(DELAY)
    try:
        with mock_aws():
            yield
    finally:
        create_delay.uninstall()


def _distribution_config() -> dict:
    return {
        "CallerReference": "delay",
        "Comment": "delay",
        "Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "o",
                    "DomainName": "example.com",
                    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
                }
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": "o",
            "ViewerProtocolPolicy": "https-only",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        },
    }


def test_slow_resources_are_creating_then_available(delayed) -> None:
    """AWS: a new Aurora cluster and instance are 'creating', a replication group 'creating' and a distribution
    'InProgress' for minutes before they are 'available' / 'Deployed'; with the delay the emulator shows the same
    sequence, shortened to the delay."""
    rds = boto3.client("rds")
    rds.create_db_cluster(
        DBClusterIdentifier="db", Engine="aurora-mysql", MasterUsername="admin", MasterUserPassword="pw-123456"
    )
    rds.create_db_instance(
        DBInstanceIdentifier="db-1", DBClusterIdentifier="db", Engine="aurora-mysql", DBInstanceClass="db.t4g.medium"
    )
    elasticache = boto3.client("elasticache")
    elasticache.create_replication_group(
        ReplicationGroupId="cache", ReplicationGroupDescription="d", Engine="redis", CacheNodeType="cache.t4g.micro"
    )
    cloudfront = boto3.client("cloudfront")
    distribution = cloudfront.create_distribution(DistributionConfig=_distribution_config())["Distribution"]["Id"]
    created = time.monotonic()

    def states() -> tuple[str, str, str, str]:
        return (
            rds.describe_db_clusters(DBClusterIdentifier="db")["DBClusters"][0]["Status"],
            rds.describe_db_instances(DBInstanceIdentifier="db-1")["DBInstances"][0]["DBInstanceStatus"],
            elasticache.describe_replication_groups(ReplicationGroupId="cache")["ReplicationGroups"][0]["Status"],
            cloudfront.get_distribution(Id=distribution)["Distribution"]["Status"],
        )

    assert states() == ("creating", "creating", "creating", "InProgress")
    assert states() == ("creating", "creating", "creating", "InProgress"), "describing does not make them ready"
    with pytest.raises(rds.exceptions.InvalidDBClusterStateFault):
        rds.stop_db_cluster(DBClusterIdentifier="db")

    time.sleep(max(0.0, DELAY - (time.monotonic() - created)) + 0.3)
    assert states() == ("available", "available", "available", "Deployed")


def test_no_delay_keeps_resources_ready_at_once(patched) -> None:
    """With the default delay (0) nothing waits: moto's behaviour is unchanged."""
    from freelancer_emulator import create_delay

    create_delay.configure(0)
    with mock_aws():
        rds = boto3.client("rds")
        rds.create_db_cluster(
            DBClusterIdentifier="db", Engine="aurora-mysql", MasterUsername="admin", MasterUserPassword="pw-123456"
        )
        elasticache = boto3.client("elasticache")
        elasticache.create_replication_group(
            ReplicationGroupId="cache", ReplicationGroupDescription="d", Engine="redis", CacheNodeType="cache.t4g.micro"
        )
        assert rds.describe_db_clusters(DBClusterIdentifier="db")["DBClusters"][0]["Status"] == "available"
        group = elasticache.describe_replication_groups(ReplicationGroupId="cache")["ReplicationGroups"][0]
        assert group["Status"] == "available"


def test_create_delay_reaches_a_launched_emulator(tmp_path) -> None:
    """--create-delay (over FREELANCER_EMULATOR_CREATE_DELAY, which serve also reads) configures the server."""
    from emulator_helpers import Emulator
    from emulator_helpers import free_port

    emulator = Emulator(free_port(), tmp_path)
    # Long enough that a loaded machine still sees "creating" right after the create call.
    started = emulator.cli("start", "--create-delay", "4.5", FREELANCER_EMULATOR_CREATE_DELAY="30")
    assert started.returncode == 0, started.stderr
    try:
        assert "create delay 4.5 s" in (tmp_path / f"moto-{emulator.port}.log").read_text()
        rds = emulator.client("rds")
        rds.create_db_cluster(
            DBClusterIdentifier="db", Engine="aurora-mysql", MasterUsername="admin", MasterUserPassword="pw-123456"
        )
        created = time.monotonic()
        assert rds.describe_db_clusters(DBClusterIdentifier="db")["DBClusters"][0]["Status"] == "creating"
        time.sleep(max(0.0, 4.5 - (time.monotonic() - created)) + 0.3)
        assert rds.describe_db_clusters(DBClusterIdentifier="db")["DBClusters"][0]["Status"] == "available"
    finally:
        emulator.cli("stop")
