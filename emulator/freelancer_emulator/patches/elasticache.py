"""ElastiCache patches.

Why the platform (role ``cache``) needs the replication group and subnet group patches:

* teardown - without ``delete_replication_group_removes_group`` a deleted group stays
  ``deleting`` for ever, and without ``cache_subnet_group_modify_and_delete`` the subnet
  group cannot be removed at all, so the environment can never be torn down completely;
* reader endpoint - ``redis_reader_endpoint`` in the outputs is empty without
  ``replication_group_reader_endpoint``;
* fidelity of the module's comparison - the engine version, subnet group, security groups,
  maintenance window and parameter group are read from the primary member cluster as on
  AWS; ``replication_group_member_clusters`` makes them readable and
  ``modify_replication_group_member_settings`` makes a change to them stick;
* ``replica_count_changes`` lets a change of ``cache_replica_count`` converge.
"""

from __future__ import annotations

from typing import Any

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import set_attr
from freelancer_emulator.patches._base import wrap


class _CacheNodeView:
    """A read-only view of a moto CacheCluster that adds ``cache_nodes`` (named CacheCluster for the serializer)."""

    def __init__(self, cluster: Any, nodes: list[dict[str, Any]]) -> None:
        self.__dict__["_cluster"] = cluster
        self.__dict__["cache_nodes"] = nodes

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["_cluster"], name)


_CacheClusterView = type("CacheCluster", (_CacheNodeView,), {})


def cache_nodes(cluster: Any, region: str) -> list[dict[str, Any]]:
    """The ``CacheNodes`` AWS lists for a cluster: one per node, ids 0001, 0002 ..."""
    zone = cluster.preferred_availability_zone or f"{region}a"
    nodes = []
    for index in range(1, int(getattr(cluster, "num_cache_nodes", 1) or 1) + 1):
        node_id = f"{index:04d}"
        nodes.append(
            {
                "CacheNodeId": node_id,
                "CacheNodeStatus": cluster.cache_cluster_status,
                "CacheNodeCreateTime": cluster.cache_cluster_create_time,
                "Endpoint": {
                    "Address": f"{cluster.cache_cluster_id}.emulator.{node_id}.{region}.cache.amazonaws.com",
                    "Port": cluster.port,
                },
                "ParameterGroupStatus": "in-sync",
                "CustomerAvailabilityZone": zone,
            }
        )
    return nodes


@once
def show_cache_node_info() -> None:
    """DescribeCacheClusters with ``ShowCacheNodeInfo=true`` lists each cluster's ``CacheNodes``.

    AWS: with ``ShowCacheNodeInfo`` the clusters carry ``CacheNodes`` (id, status, create time, endpoint,
    parameter group status, zone); without it they do not.
    moto 5.2.5: ``describe_cache_clusters`` (moto/elasticache/responses.py:166-172) ignores the flag and the
    model has no nodes; community.aws elasticache fails on its second run with ``KeyError: 'CacheNodes'``.
    Fix: when the flag is set, answer with views of the clusters that add ``CacheNodes``.
    """
    from moto.elasticache.responses import ElastiCacheResponse

    def make(original: Any) -> Any:
        def describe_cache_clusters(self: ElastiCacheResponse) -> Any:
            result = original(self)
            if self._get_bool_param("ShowCacheNodeInfo"):
                clusters = result.result["CacheClusters"]
                result.result["CacheClusters"] = [
                    _CacheClusterView(cluster, cache_nodes(cluster, self.region)) for cluster in clusters
                ]
            return result

        return describe_cache_clusters

    wrap(ElastiCacheResponse, "describe_cache_clusters", make)


@once
def replication_group_num_cache_clusters() -> None:
    """CreateReplicationGroup with ``NumCacheClusters=N`` (cluster mode disabled) makes N member clusters.

    AWS: a primary plus N-1 replicas (``MemberClusters`` ``<id>-001`` ... ``<id>-00N``).
    moto 5.2.5: ``ReplicationGroup._set_node_members_clusters_disabled`` overwrites ``num_cache_clusters``
    with ``replicas_per_node_group + 1`` or 1 (moto/elasticache/models.py:552-555), so ``NumCacheClusters=2``
    yields one member.
    Fix: when ``ReplicasPerNodeGroup`` is not given, derive it from ``NumCacheClusters``.
    """
    from moto.elasticache.models import ReplicationGroup

    def make(original: Any) -> Any:
        def _set_node_members_clusters_disabled(self: ReplicationGroup, *args: Any, **kwargs: Any) -> None:
            count = kwargs.get("num_cache_clusters") or 1
            if not kwargs.get("replicas_per_node_group") and count > 1:
                kwargs["replicas_per_node_group"] = count - 1
            original(self, *args, **kwargs)

        return _set_node_members_clusters_disabled

    wrap(ReplicationGroup, "_set_node_members_clusters_disabled", make)


@once
def modify_replication_group_snapshot_window() -> None:
    """ModifyReplicationGroup applies ``SnapshotWindow``.

    AWS: the group reports the new ``SnapshotWindow``.
    moto 5.2.5: ``modify_replication_group`` (moto/elasticache/responses.py:312-325,
    moto/elasticache/models.py:1046-1074) passes and applies only the description, engine, node type,
    failover, Multi-AZ and retention limit.
    Fix: apply ``SnapshotWindow`` as well.
    """
    from moto.elasticache.responses import ElastiCacheResponse

    def make(original: Any) -> Any:
        def modify_replication_group(self: ElastiCacheResponse) -> Any:
            result = original(self)
            window = self._get_param("SnapshotWindow")
            if window:
                result.result["ReplicationGroup"].snapshot_window = window
            return result

        return modify_replication_group

    wrap(ElastiCacheResponse, "modify_replication_group", make)


def _default_parameter_group(engine_version: str | None) -> str:
    major = (engine_version or "7").split(".")[0]
    return "default.redis6.x" if major == "6" else f"default.redis{major}"


class _MemberView:
    """A member cache cluster of a replication group, as DescribeCacheClusters shows it."""

    def __init__(self, group: Any, member: dict[str, Any]) -> None:
        region, account = group.arn.split(":")[3:5]
        self.cache_cluster_id = member["cache_cluster_id"]
        self.replication_group_id = group.replication_group_id
        self.cache_node_type = group.cache_node_type
        self.engine = group.engine
        self.engine_version = group.engine_version or "7.1.0"
        self.cache_cluster_status = group.status
        self.num_cache_nodes = 1
        self.preferred_availability_zone = member.get("preferred_availability_zone")
        self.cache_subnet_group_name = group.cache_subnet_group_name
        self.security_groups = [{"security_group_id": sg, "status": "active"} for sg in group.security_group_ids or []]
        self.preferred_maintenance_window = group.preferred_maintenance_window or "sun:23:00-mon:01:30"
        self.cache_parameter_group = {
            "cache_parameter_group_name": group.cache_parameter_group_name
            or _default_parameter_group(group.engine_version),
            "parameter_apply_status": "in-sync",
            "cache_node_ids_to_reboot": [],
        }
        self.transit_encryption_enabled = group.transit_encryption_enabled
        self.at_rest_encryption_enabled = group.at_rest_encryption_enabled
        self.auth_token_enabled = group.auth_token_enabled
        self.auth_token_last_modified_date = group.auth_token_last_modified_date
        self.snapshot_retention_limit = group.snapshot_retention_limit
        self.snapshot_window = group.snapshot_window
        self.cache_cluster_create_time = group.replication_group_create_time
        self.auto_minor_version_upgrade = bool(group.auto_minor_version_upgrade)
        self.replication_group_log_delivery_enabled = False
        self.log_delivery_configurations = []
        self.port = group.port
        self.arn = f"arn:aws:elasticache:{region}:{account}:cluster:{self.cache_cluster_id}"


_MemberCluster = type("CacheCluster", (_MemberView,), {})


def _members(group: Any) -> list[Any]:
    return [
        _MemberCluster(group, member)
        for node_group in group.node_groups
        for member in node_group["node_group_members"]
        if group.cluster_mode != "enabled"
    ]


@once
def delete_replication_group_removes_group() -> None:
    """DeleteReplicationGroup answers ``deleting`` and the group is then gone.

    AWS: the group reports ``deleting`` for a few minutes, then DescribeReplicationGroups answers
    ``ReplicationGroupNotFoundFault`` and the identifier can be used again.
    moto 5.2.5: ``delete_replication_group`` (moto/elasticache/models.py:1076-1090) only sets the status to
    ``deleting`` and keeps the group for ever, so a teardown that waits for the deletion never ends, and the
    subnet group can never be deleted on AWS's terms.
    Fix: answer with the ``deleting`` group, then drop it from the backend.
    """
    from moto.elasticache.models import ElastiCacheBackend

    def make(original: Any) -> Any:
        def delete_replication_group(
            self: ElastiCacheBackend, replication_group_id: str, *args: Any, **kwargs: Any
        ) -> Any:
            group = original(self, replication_group_id, *args, **kwargs)
            self.replication_groups.pop(replication_group_id, None)
            return group

        return delete_replication_group

    wrap(ElastiCacheBackend, "delete_replication_group", make)


@once
def cache_subnet_group_modify_and_delete() -> None:
    """ModifyCacheSubnetGroup and DeleteCacheSubnetGroup work.

    AWS: ModifyCacheSubnetGroup changes the description and the subnets; DeleteCacheSubnetGroup removes the
    group, answers ``CacheSubnetGroupInUse`` while a cache cluster or replication group uses it and
    ``CacheSubnetGroupNotFoundFault`` when it does not exist.
    moto 5.2.5: only CreateCacheSubnetGroup and DescribeCacheSubnetGroups are implemented
    (moto/elasticache/responses.py:198-217): both calls fail with ``NotImplementedError``.
    Fix: implement both on the backend's ``cache_subnet_groups``.
    """
    from moto.core.responses import ActionResult
    from moto.core.responses import EmptyResult
    from moto.elasticache.exceptions import CacheSubnetGroupNotFound
    from moto.elasticache.exceptions import ElastiCacheException
    from moto.elasticache.models import CacheSubnetGroup
    from moto.elasticache.responses import ElastiCacheResponse

    class CacheSubnetGroupInUse(ElastiCacheException):
        code = "CacheSubnetGroupInUse"

    def _existing(backend: Any, name: str) -> Any:
        if name not in backend.cache_subnet_groups:
            raise CacheSubnetGroupNotFound(name)
        return backend.cache_subnet_groups[name]

    def delete_cache_subnet_group(self: ElastiCacheResponse) -> EmptyResult:
        backend = self.elasticache_backend
        name = self._get_param("CacheSubnetGroupName")
        _existing(backend, name)
        users = [
            g.replication_group_id for g in backend.replication_groups.values() if g.cache_subnet_group_name == name
        ]
        users += [c.cache_cluster_id for c in backend.cache_clusters.values() if c.cache_subnet_group_name == name]
        if users:
            raise CacheSubnetGroupInUse(f"Cache subnet group {name} is currently in use by a cache cluster.")
        del backend.cache_subnet_groups[name]
        return EmptyResult()

    def modify_cache_subnet_group(self: ElastiCacheResponse) -> ActionResult:
        backend = self.elasticache_backend
        name = self._get_param("CacheSubnetGroupName")
        current = _existing(backend, name)
        replacement = CacheSubnetGroup(
            account_id=backend.account_id,
            region_name=backend.region_name,
            cache_subnet_group_name=name,
            cache_subnet_group_description=self._get_param("CacheSubnetGroupDescription")
            or current.cache_subnet_group_description,
            subnet_ids=self._get_param("SubnetIds") or current.subnet_ids,
            tags=current.tags,
        )
        backend.cache_subnet_groups[name] = replacement
        return ActionResult({"CacheSubnetGroup": replacement})

    set_attr(ElastiCacheResponse, "delete_cache_subnet_group", delete_cache_subnet_group)
    set_attr(ElastiCacheResponse, "modify_cache_subnet_group", modify_cache_subnet_group)


@once
def replication_group_reader_endpoint() -> None:
    """A cluster-mode-disabled replication group's node group has a ``ReaderEndpoint``.

    AWS: ``NodeGroups[0]`` carries ``PrimaryEndpoint`` and ``ReaderEndpoint`` (``Address``, ``Port``); the
    reader endpoint spreads connections over the replicas.
    moto 5.2.5: the address is kept as ``reader_endpoint_address`` (moto/elasticache/models.py:350-352), which
    matches no member of the response shape, so ``ReaderEndpoint`` is never returned.
    Fix: add ``reader_endpoint`` beside ``primary_endpoint`` when the group is created.
    """
    from moto.elasticache.models import ReplicationGroup

    def make(original: Any) -> Any:
        def __init__(self: ReplicationGroup, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            for node_group in self.node_groups:
                if "reader_endpoint_address" in node_group:
                    node_group["reader_endpoint"] = {
                        "address": node_group["reader_endpoint_address"],
                        "port": self.port,
                    }

        return __init__

    wrap(ReplicationGroup, "__init__", make)


@once
def replication_group_member_clusters() -> None:
    """DescribeCacheClusters lists the member clusters of replication groups.

    AWS: each member (``<group>-001`` ...) is a cache cluster with its ``ReplicationGroupId``,
    ``CacheSubnetGroupName``, ``SecurityGroups``, ``EngineVersion``, ``PreferredMaintenanceWindow`` and
    ``CacheParameterGroup``, the settings DescribeReplicationGroups does not return.
    moto 5.2.5: members exist only as ids inside the group's node groups (moto/elasticache/models.py:524-583);
    ``describe_cache_clusters`` (moto/elasticache/models.py:870-879) answers ``CacheClusterNotFound`` for them.
    Fix: answer views of the members, built from the group's settings.
    """
    from moto.elasticache.models import ElastiCacheBackend

    def make(original: Any) -> Any:
        def describe_cache_clusters(self: ElastiCacheBackend, cache_cluster_id: str | None = None) -> list[Any]:
            members = {m.cache_cluster_id: m for g in self.replication_groups.values() for m in _members(g)}
            if cache_cluster_id and cache_cluster_id not in self.cache_clusters and cache_cluster_id in members:
                return [members[cache_cluster_id]]
            clusters = original(self, cache_cluster_id)
            return clusters if cache_cluster_id else clusters + list(members.values())

        return describe_cache_clusters

    wrap(ElastiCacheBackend, "describe_cache_clusters", make)


@once
def modify_replication_group_member_settings() -> None:
    """ModifyReplicationGroup applies security groups, maintenance window, parameter group, engine version, AUTH.

    AWS: ``SecurityGroupIds``, ``PreferredMaintenanceWindow``, ``CacheParameterGroupName`` and ``EngineVersion``
    change every member cluster; ``AuthToken`` with ``AuthTokenUpdateStrategy`` ROTATE or SET turns AUTH on and
    updates ``AuthTokenLastModifiedDate``.
    moto 5.2.5: ``modify_replication_group`` (moto/elasticache/responses.py:312-325,
    moto/elasticache/models.py:1046-1074) passes on only the description, engine, node type, failover, Multi-AZ
    and retention limit.
    Fix: apply the others to the group, whose settings the member clusters show.
    """
    from moto.core.utils import utcnow
    from moto.elasticache.responses import ElastiCacheResponse

    def make(original: Any) -> Any:
        def modify_replication_group(self: ElastiCacheResponse) -> Any:
            result = original(self)
            group = result.result["ReplicationGroup"]
            for param, attribute in (
                ("SecurityGroupIds", "security_group_ids"),
                ("PreferredMaintenanceWindow", "preferred_maintenance_window"),
                ("CacheParameterGroupName", "cache_parameter_group_name"),
                ("EngineVersion", "engine_version"),
            ):
                value = self._get_param(param)
                if value:
                    setattr(group, attribute, value)
            if self._get_param("AuthToken"):
                group.auth_token_enabled = True
                group.auth_token_last_modified_date = utcnow()
            return result

        return modify_replication_group

    wrap(ElastiCacheResponse, "modify_replication_group", make)


@once
def replica_count_changes() -> None:
    """IncreaseReplicaCount and DecreaseReplicaCount change a cluster-mode-disabled group's replicas.

    AWS: ``NewReplicaCount`` replicas follow the primary (members ``<group>-002`` ...); with automatic failover
    on, at least one replica must stay (``InvalidParameterCombination``).
    moto 5.2.5: neither operation is implemented (no handler in moto/elasticache/responses.py:12-379).
    Fix: add or remove replica members of the single node group.
    """
    from moto.core.responses import ActionResult
    from moto.elasticache.exceptions import InvalidParameterCombinationException
    from moto.elasticache.exceptions import ReplicationGroupNotFound
    from moto.elasticache.responses import ElastiCacheResponse

    def change(self: ElastiCacheResponse) -> ActionResult:
        backend = self.elasticache_backend
        group_id = self._get_param("ReplicationGroupId")
        if group_id not in backend.replication_groups:
            raise ReplicationGroupNotFound(group_id)
        group = backend.replication_groups[group_id]
        replicas = self._get_int_param("NewReplicaCount")
        if replicas < 1 and group.automatic_failover == "enabled":
            raise InvalidParameterCombinationException(
                "Cannot have less than 1 replica when automatic failover is enabled."
            )
        node_group = group.node_groups[0]
        members = node_group["node_group_members"][: replicas + 1]
        template = members[0]
        for number in range(len(members) + 1, replicas + 2):
            cluster_id = f"{group_id}-{number:03d}"
            address = template["read_endpoint"]["address"].replace(template["cache_cluster_id"], cluster_id, 1)
            members.append(
                {
                    "cache_cluster_id": cluster_id,
                    "cache_node_id": node_group["node_group_id"],
                    "read_endpoint": {"address": address, "port": group.port},
                    "preferred_availability_zone": template.get("preferred_availability_zone"),
                    "current_role": "replica",
                }
            )
        node_group["node_group_members"] = members
        group.member_clusters = [m["cache_cluster_id"] for m in members]
        return ActionResult({"ReplicationGroup": group})

    set_attr(ElastiCacheResponse, "increase_replica_count", change)
    set_attr(ElastiCacheResponse, "decrease_replica_count", change)


PATCHES = [
    show_cache_node_info,
    replication_group_num_cache_clusters,
    modify_replication_group_snapshot_window,
    delete_replication_group_removes_group,
    cache_subnet_group_modify_and_delete,
    replication_group_reader_endpoint,
    replication_group_member_clusters,
    modify_replication_group_member_settings,
    replica_count_changes,
]
