"""RDS patches."""

from __future__ import annotations

import copy
from typing import Any

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import wrap


def _parameter(name: str, description: str, data_type: str, allowed: str, value: str | None = None) -> dict[str, Any]:
    parameter = {
        "ParameterName": name,
        "Description": description,
        "Source": "engine-default",
        "ApplyType": "dynamic",
        "DataType": data_type,
        "AllowedValues": allowed,
        "IsModifiable": True,
        "ApplyMethod": "pending-reboot",
        "SupportedEngineModes": ["provisioned"],
    }
    if value is not None:
        parameter["ParameterValue"] = value
    return parameter


_CHARSETS = (
    "big5,dec8,cp850,hp8,koi8r,latin1,latin2,swe7,ascii,ujis,sjis,hebrew,tis620,euckr,koi8u,gb2312,greek,"
    "cp1250,gbk,latin5,armscii8,utf8,ucs2,cp866,keybcs2,macce,macroman,cp852,latin7,utf8mb4,cp1251,utf16,utf16le,"
    "cp1256,cp1257,utf32,binary,geostd8,cp932,eucjpms,gb18030"
)

# The engine defaults of the aurora-mysql8.0 cluster parameters this project sets (a subset of the family).
AURORA_MYSQL8_DEFAULTS: list[dict[str, Any]] = [
    _parameter("character_set_server", "The server's default character set.", "string", _CHARSETS),
    _parameter(
        "collation_server",
        "The server's default collation.",
        "string",
        "utf8mb4_0900_ai_ci,utf8mb4_bin,"
        "utf8mb4_general_ci,utf8mb4_unicode_ci,utf8_general_ci,utf8_bin,latin1_swedish_ci,latin1_bin",
    ),
    _parameter(
        "require_secure_transport",
        "Whether client connections to the server are required to use some form of secure transport.",
        "boolean",
        "0,1",
    ),
    _parameter("slow_query_log", "Whether the slow query log is enabled.", "boolean", "0,1"),
    _parameter("long_query_time", "Defines what MySQL considers long queries.", "float", "0-31536000"),
    _parameter("server_audit_logging", "Enables or disables audit logging.", "boolean", "0,1"),
    _parameter(
        "server_audit_events",
        "Enables auditing of specific events.",
        "list",
        "CONNECT,QUERY,TABLE,QUERY_DDL,QUERY_DML,QUERY_DCL,QUERY_DML_NO_SELECT",
    ),
    _parameter("innodb_print_all_deadlocks", "Print all deadlocks in InnoDB to the error log.", "boolean", "0,1", "0"),
    _parameter(
        "max_connections",
        "The number of simultaneous client connections allowed.",
        "integer",
        "1-16000",
        "GREATEST({log(DBInstanceClassMemory/805306368)*45},{log(DBInstanceClassMemory/8187281408)*1000})",
    ),
    _parameter(
        "time_zone",
        "The server time zone.",
        "string",
        "UTC,Africa/Cairo,America/New_York,America/Chicago,"
        "America/Denver,America/Los_Angeles,America/Sao_Paulo,Asia/Kolkata,Asia/Shanghai,Asia/Tokyo,"
        "Australia/Sydney,Europe/Berlin,Europe/Dublin,Europe/London,Europe/Paris",
    ),
]

ENGINE_DEFAULTS: dict[str, list[dict[str, Any]]] = {"aurora-mysql8.0": AURORA_MYSQL8_DEFAULTS}


@once
def cluster_parameter_group_engine_defaults() -> None:
    """A new DB cluster parameter group lists its family's parameters, so they can be modified.

    AWS: CreateDBClusterParameterGroup copies the family's engine defaults; DescribeDBClusterParameters
    lists them (``Source=engine-default``, ``IsModifiable``, ``ApplyType`` ...); a modified parameter
    reports ``Source=user``.
    moto 5.2.5: ``DBClusterParameterGroup.__init__`` starts with an empty ``parameters`` map
    (moto/rds/models.py:4553); amazon.aws rds_cluster_param_group only modifies parameters it finds, so it
    fails with ``Could not find parameter with name: character_set_server``.
    Fix: seed ``aurora-mysql8.0`` groups with the engine defaults of the parameters this project sets,
    and mark modified parameters ``Source=user``.
    """
    from moto.rds.models import DBClusterParameterGroup

    def make_init(original: Any) -> Any:
        def __init__(self: DBClusterParameterGroup, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            for parameter in ENGINE_DEFAULTS.get(str(self.db_parameter_group_family).lower(), []):
                self.parameters[parameter["ParameterName"]].update(copy.deepcopy(parameter))

        return __init__

    def make_update(original: Any) -> Any:
        def update_cluster_parameters(self: DBClusterParameterGroup, new_parameters: Any) -> None:
            new_parameters = list(new_parameters)
            original(self, new_parameters)
            for parameter in new_parameters:
                self.parameters[parameter["ParameterName"]]["Source"] = "user"

        return update_cluster_parameters

    wrap(DBClusterParameterGroup, "__init__", make_init)
    wrap(DBClusterParameterGroup, "update_cluster_parameters", make_update)


@once
def delete_db_cluster_removes_automated_snapshots() -> None:
    """DeleteDBCluster removes the cluster's automated snapshots unless ``DeleteAutomatedBackups=false``.

    AWS: ``DeleteAutomatedBackups`` defaults to true: the automated backups go with the cluster, so a
    cluster of the same name can be created again at once.
    moto 5.2.5: ``delete_db_cluster`` (moto/rds/models.py:3654-3673) keeps them (DeleteDBInstance does remove
    its own, moto/rds/models.py:2990-2997); the next CreateDBCluster of that name within the same minute
    fails with ``DBClusterSnapshotAlreadyExistsFault``, because moto names the automated snapshot
    ``rds:<cluster>-<yyyy-mm-dd-hh-mm>`` (moto/rds/models.py:959-964).
    Fix: after DeleteDBCluster, drop the cluster's automated snapshots unless asked to keep them.
    """
    from moto.rds.responses import RDSResponse

    def make(original: Any) -> Any:
        def delete_db_cluster(self: RDSResponse) -> Any:
            result = original(self)
            keep = str(self.params.get("DeleteAutomatedBackups", "true")).lower() == "false"
            if not keep:
                cluster_id = self.params.get("DBClusterIdentifier")
                for snapshot_id, snapshot in list(self.backend.cluster_snapshots.items()):
                    if snapshot.snapshot_type == "automated" and snapshot.db_cluster_identifier == cluster_id:
                        self.backend.cluster_snapshots.pop(snapshot_id, None)
            return result

        return delete_db_cluster

    wrap(RDSResponse, "delete_db_cluster", make)


PATCHES = [cluster_parameter_group_engine_defaults, delete_db_cluster_removes_automated_snapshots]
