"""RDS: cluster parameter group engine defaults; automated snapshots go with a deleted cluster."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws


@pytest.fixture
def rds(patched):
    with mock_aws():
        yield boto3.client("rds")


def _parameters(rds, group: str) -> dict[str, dict]:
    parameters = rds.describe_db_cluster_parameters(DBClusterParameterGroupName=group)["Parameters"]
    return {p["ParameterName"]: p for p in parameters}


def test_new_aurora_mysql8_cluster_parameter_group_lists_engine_defaults(rds) -> None:
    """AWS: a new aurora-mysql8.0 cluster parameter group lists the family's parameters as engine defaults."""
    rds.create_db_cluster_parameter_group(
        DBClusterParameterGroupName="platform", DBParameterGroupFamily="aurora-mysql8.0", Description="platform"
    )
    parameters = _parameters(rds, "platform")
    for name in (
        "require_secure_transport",
        "character_set_server",
        "collation_server",
        "slow_query_log",
        "long_query_time",
        "server_audit_logging",
        "server_audit_events",
        "innodb_print_all_deadlocks",
        "max_connections",
        "time_zone",
    ):
        assert parameters[name]["Source"] == "engine-default"
        assert parameters[name]["IsModifiable"] is True


def test_cluster_parameters_can_be_modified_like_the_module_does(rds) -> None:
    """AWS: a modified parameter reports the new value, apply method and Source=user; the others stay defaults."""
    rds.create_db_cluster_parameter_group(
        DBClusterParameterGroupName="platform", DBParameterGroupFamily="aurora-mysql8.0", Description="platform"
    )
    # amazon.aws rds_cluster_param_group only modifies parameters it finds in the group.
    assert "character_set_server" in _parameters(rds, "platform")
    rds.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName="platform",
        Parameters=[
            {"ParameterName": "require_secure_transport", "ParameterValue": "1", "ApplyMethod": "immediate"},
            {"ParameterName": "character_set_server", "ParameterValue": "utf8mb4", "ApplyMethod": "immediate"},
        ],
    )
    parameters = _parameters(rds, "platform")
    assert parameters["require_secure_transport"]["ParameterValue"] == "1"
    assert parameters["require_secure_transport"]["ApplyMethod"] == "immediate"
    assert parameters["require_secure_transport"]["Source"] == "user"
    assert parameters["character_set_server"]["ParameterValue"] == "utf8mb4"
    assert parameters["collation_server"]["Source"] == "engine-default"


def test_other_families_are_left_alone(rds) -> None:
    """The seed covers aurora-mysql8.0 only: other families keep moto's behaviour."""
    rds.create_db_cluster_parameter_group(
        DBClusterParameterGroupName="pg", DBParameterGroupFamily="aurora-postgresql16", Description="pg"
    )
    assert _parameters(rds, "pg") == {}


def _create_cluster(rds) -> None:
    rds.create_db_cluster(
        DBClusterIdentifier="platform-db",
        Engine="aurora-mysql",
        MasterUsername="admin",
        MasterUserPassword="correct-horse-battery",
    )


def test_deleted_cluster_can_be_created_again_at_once(rds) -> None:
    """AWS: DeleteDBCluster removes the automated backups by default, so the same identifier can be reused at once."""
    _create_cluster(rds)
    assert rds.describe_db_cluster_snapshots(DBClusterIdentifier="platform-db", SnapshotType="automated")[
        "DBClusterSnapshots"
    ]
    rds.delete_db_cluster(DBClusterIdentifier="platform-db", SkipFinalSnapshot=True)
    assert rds.describe_db_cluster_snapshots(SnapshotType="automated")["DBClusterSnapshots"] == []
    _create_cluster(rds)


def test_delete_automated_backups_false_keeps_them(rds) -> None:
    """AWS: DeleteAutomatedBackups=false retains the automated backups."""
    _create_cluster(rds)
    rds.delete_db_cluster(DBClusterIdentifier="platform-db", SkipFinalSnapshot=True, DeleteAutomatedBackups=False)
    assert len(rds.describe_db_cluster_snapshots(SnapshotType="automated")["DBClusterSnapshots"]) == 1
