# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

"""How the ElastiCache modules show a replication group.

* ``view`` is the group in the modules' terms: the flat keys that are compared
  and that a diff shows (settings AWS keeps on the member clusters come from
  ``member``, the primary member cluster, when it could be described);
* ``described`` is a module's result: the snake-case DescribeReplicationGroups
  answer plus the view's flat keys (``primary_endpoint_address``,
  ``reader_endpoint_address``, ``port``, ``tags`` ...).
"""

from __future__ import annotations

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict


def view(group, member, tags):
    """The group in the module's terms: what is compared, what the diff shows."""
    if not group:
        return {}
    members = group.get("MemberClusters") or []
    node_group = (group.get("NodeGroups") or [{}])[0]
    primary = node_group.get("PrimaryEndpoint") or {}
    reader = node_group.get("ReaderEndpoint") or {}
    result = {
        "replication_group_id": group["ReplicationGroupId"],
        "description": group.get("Description"),
        "status": group.get("Status"),
        "engine": group.get("Engine", "redis"),
        "cache_node_type": group.get("CacheNodeType"),
        "num_cache_clusters": len(members),
        "automatic_failover_enabled": group.get("AutomaticFailover") in ("enabled", "enabling"),
        "multi_az_enabled": group.get("MultiAZ") == "enabled",
        "at_rest_encryption_enabled": bool(group.get("AtRestEncryptionEnabled")),
        "kms_key_id": group.get("KmsKeyId"),
        "transit_encryption_enabled": bool(group.get("TransitEncryptionEnabled")),
        "auth_token_enabled": bool(group.get("AuthTokenEnabled")),
        "snapshot_retention_limit": group.get("SnapshotRetentionLimit", 0),
        "snapshot_window": group.get("SnapshotWindow"),
        "primary_endpoint_address": primary.get("Address", ""),
        "reader_endpoint_address": reader.get("Address", ""),
        "port": primary.get("Port", reader.get("Port")),
        "tags": tags,
    }
    if member is not None:
        pending = member.get("PendingModifiedValues") or {}
        result.update(
            engine_version=pending.get("EngineVersion") or member.get("EngineVersion"),
            cache_subnet_group_name=member.get("CacheSubnetGroupName"),
            security_group_ids=sorted(g["SecurityGroupId"] for g in member.get("SecurityGroups") or []),
            preferred_maintenance_window=(member.get("PreferredMaintenanceWindow") or "").lower() or None,
            cache_parameter_group_name=(member.get("CacheParameterGroup") or {}).get("CacheParameterGroupName"),
        )
        if pending.get("CacheNodeType"):
            result["cache_node_type"] = pending["CacheNodeType"]
    return result


def described(group, member, tags):
    """The module's result: the snake-case description plus the view's flat keys."""
    if not group:
        return {}
    result = camel_dict_to_snake_dict({k: v for k, v in group.items() if k != "ResponseMetadata"})
    for volatile in ("replication_group_create_time",):
        result.pop(volatile, None)
    if result.get("auth_token_last_modified_date") is not None:
        result["auth_token_last_modified_date"] = str(result["auth_token_last_modified_date"])
    flat = view(group, member, tags)
    for key in ("automatic_failover_enabled", "multi_az_enabled"):
        flat.pop(key)
    result.update(flat)
    return result
