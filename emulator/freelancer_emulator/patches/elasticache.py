"""ElastiCache patches."""

from __future__ import annotations

from typing import Any

from freelancer_emulator.patches._base import once
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


PATCHES = [show_cache_node_info, replication_group_num_cache_clusters, modify_replication_group_snapshot_window]
