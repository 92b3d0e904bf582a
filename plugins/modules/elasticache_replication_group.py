#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: elasticache_replication_group
short_description: Manage an ElastiCache for Redis replication group (cluster mode disabled)
version_added: 1.0.0
description:
  - Creates, converges or deletes a Redis replication group with one shard (a primary
    and O(num_cache_clusters) - 1 read replicas), optionally with automatic failover,
    Multi-AZ, encryption at rest with a KMS key, encryption in transit and an AUTH token.
  - Options left unset are not managed, they take the AWS default on creation and are
    not compared afterwards.
  - On an existing group the module changes only what differs and what AWS can change in
    place with ModifyReplicationGroup - description, node type (scaling), engine version
    (upgrade only), automatic failover, Multi-AZ, snapshot retention and window,
    maintenance window, security groups and parameter group - plus the number of
    replicas (IncreaseReplicaCount / DecreaseReplicaCount) and the tags.
  - Encryption at rest, its KMS key, encryption in transit and the cache subnet group
    cannot be changed on an existing group. A difference in any of them fails with a
    message naming the options, and nothing is changed.
  - AWS never returns the AUTH token, so an existing token is not compared. The token is
    sent when the group has none yet, and when O(force_auth_token_update=true), with
    O(auth_token_update_strategy). The token never appears in the module's result.
  - The engine version, subnet group, security groups, maintenance window and parameter
    group are read from the group's primary member cluster. Where the member clusters
    cannot be described (some emulators), these options are not compared.
  - Check mode and diff supported.
author:
  - Platform team
options:
  replication_group_id:
    description:
      - The replication group identifier, 1 to 40 lowercase letters, digits and hyphens,
        starting with a letter, without two consecutive hyphens or a trailing hyphen.
    type: str
    required: true
    aliases: [name]
  description:
    description:
      - The group's description. On creation the identifier is used when it is not given.
    type: str
  engine:
    description: The cache engine.
    type: str
    choices: [redis]
    default: redis
  engine_version:
    description:
      - The Redis version, for example V(7.1). A group running V(7.1.0) matches V(7.1).
      - A newer version than the running one upgrades the group; an older one fails, as
        AWS cannot downgrade.
    type: str
  node_type:
    description:
      - The node type, C(cache.<family>.<size>), for example V(cache.t4g.micro).
      - Required to create the group. A different node type on an existing group scales it.
    type: str
    aliases: [cache_node_type]
  num_cache_clusters:
    description:
      - The number of nodes, the primary included (1 to 6). With
        O(automatic_failover_enabled=true) at least 2.
      - On an existing group the difference is applied with IncreaseReplicaCount or
        DecreaseReplicaCount.
    type: int
  automatic_failover_enabled:
    description: Promote a replica when the primary fails. Needs a replica.
    type: bool
  multi_az_enabled:
    description: Keep the replicas in other availability zones than the primary. Needs automatic failover.
    type: bool
  cache_subnet_group_name:
    description: The cache subnet group the nodes are placed in. Cannot be changed after creation.
    type: str
  security_group_ids:
    description: The VPC security groups of the nodes (compared as a set).
    type: list
    elements: str
  cache_parameter_group_name:
    description: The cache parameter group; the engine's default group when not given on creation.
    type: str
  at_rest_encryption_enabled:
    description: Encrypt the data on disk (snapshots, swap). Cannot be changed after creation.
    type: bool
  kms_key_id:
    description:
      - The ARN of the KMS key for encryption at rest; the AWS managed key when not given.
      - Needs O(at_rest_encryption_enabled=true). Cannot be changed after creation.
    type: str
  transit_encryption_enabled:
    description:
      - Encrypt the connections with TLS. Needed for an AUTH token. Not changed by this module on an existing group.
    type: bool
  auth_token:
    description:
      - The AUTH token (password) clients must present, 16 to 128 printable characters
        without spaces, C(/), C(") or C(@). Needs O(transit_encryption_enabled=true).
      - Mutually exclusive with O(auth_token_secret_id).
    type: str
  auth_token_secret_id:
    description:
      - The name or ARN of a Secrets Manager secret whose string value is the AUTH token.
        The module reads it only when the token is to be sent (creation, a group without a
        token, a forced update), so the token never passes through the playbook.
      - In check mode a missing secret is not an error.
      - Mutually exclusive with O(auth_token).
    type: str
  auth_token_update_strategy:
    description:
      - How a forced token update is applied. V(ROTATE) adds the new token and keeps the old
        one valid (clients move over); V(SET) then makes the new token the only one.
      - A group that has no token yet always gets its first one with V(ROTATE).
    type: str
    choices: [ROTATE, SET]
    default: ROTATE
  force_auth_token_update:
    description:
      - Send the token to an existing group that already has one, with
        O(auth_token_update_strategy). As the current token cannot be read back, the task
        then always reports a change.
    type: bool
    default: false
  snapshot_retention_limit:
    description: Days to keep automatic snapshots (0 to 35; 0 turns them off).
    type: int
  snapshot_window:
    description: Daily UTC time range for automatic snapshots, C(hh:mm-hh:mm).
    type: str
  preferred_maintenance_window:
    description: Weekly UTC maintenance window, C(ddd:hh:mm-ddd:hh:mm).
    type: str
  apply_immediately:
    description: Apply modifications now rather than in the next maintenance window.
    type: bool
    default: true
  final_snapshot_identifier:
    description: On deletion, the name of a final snapshot to take first.
    type: str
  wait:
    description:
      - Wait until the group is V(available) (O(state=present)) or gone (O(state=absent)).
      - Modifications and replica count changes made in one run always wait between each other.
    type: bool
    default: false
  wait_timeout:
    description: How many seconds to wait at most.
    type: int
    default: 1800
  state:
    description: Whether the group should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
notes:
  - Cluster mode (sharding) is not supported; the group always has one node group.
  - IAM actions used - elasticache:DescribeReplicationGroups, elasticache:DescribeCacheClusters,
    elasticache:CreateReplicationGroup, elasticache:ModifyReplicationGroup,
    elasticache:IncreaseReplicaCount, elasticache:DecreaseReplicaCount,
    elasticache:DeleteReplicationGroup, elasticache:ListTagsForResource,
    elasticache:AddTagsToResource, elasticache:RemoveTagsFromResource, and
    secretsmanager:GetSecretValue with O(auth_token_secret_id).
"""

EXAMPLES = r"""
- name: A Redis 7.1 group with a replica in another AZ, encrypted, with an AUTH token from Secrets Manager
  freelancer.platform.elasticache_replication_group:
    replication_group_id: dev-freelancer-platform-redis
    description: Sessions and cache of the freelancer platform
    engine_version: "7.1"
    node_type: cache.t4g.micro
    num_cache_clusters: 2
    automatic_failover_enabled: true
    multi_az_enabled: true
    cache_subnet_group_name: dev-freelancer-platform-redis
    security_group_ids: [sg-0123456789abcdef0]
    at_rest_encryption_enabled: true
    kms_key_id: arn:aws:kms:us-east-2:123456789012:key/11111111-2222-3333-4444-555555555555
    transit_encryption_enabled: true
    auth_token_secret_id: dev-freelancer-platform/redis/auth-token
    snapshot_retention_limit: 7
    snapshot_window: "03:00-04:00"
    preferred_maintenance_window: "sun:05:00-sun:06:00"
    tags:
      Environment: dev

- name: Wait, at most 20 minutes, until it is available
  freelancer.platform.elasticache_replication_group:
    replication_group_id: dev-freelancer-platform-redis
    wait: true
    wait_timeout: 1200

- name: Rotate the AUTH token after the secret has a new value (old and new both valid)
  freelancer.platform.elasticache_replication_group:
    replication_group_id: dev-freelancer-platform-redis
    auth_token_secret_id: dev-freelancer-platform/redis/auth-token
    force_auth_token_update: true
    auth_token_update_strategy: ROTATE

- name: Remove it, with a final snapshot
  freelancer.platform.elasticache_replication_group:
    replication_group_id: dev-freelancer-platform-redis
    final_snapshot_identifier: dev-freelancer-platform-redis-final
    state: absent
"""

RETURN = r"""
replication_group:
  description:
    - The group as DescribeReplicationGroups returns it, in snake case, with its tags and
      the settings read from its primary member cluster. Never contains the AUTH token.
    - Empty when the group is absent. In check mode, what the group would look like.
  returned: always
  type: dict
  contains:
    replication_group_id:
      description: The identifier.
      type: str
      sample: dev-freelancer-platform-redis
    status:
      description: creating, available, modifying, deleting, create-failed or snapshotting.
      type: str
      sample: available
    description:
      description: The description.
      type: str
      sample: Sessions and cache of the freelancer platform
    cache_node_type:
      description: The node type.
      type: str
      sample: cache.t4g.micro
    member_clusters:
      description: The member cache clusters, primary first.
      type: list
      elements: str
      sample: [dev-freelancer-platform-redis-001, dev-freelancer-platform-redis-002]
    num_cache_clusters:
      description: The number of member clusters.
      type: int
      sample: 2
    automatic_failover:
      description: enabled, disabled, enabling or disabling.
      type: str
      sample: enabled
    multi_az:
      description: enabled or disabled.
      type: str
      sample: enabled
    at_rest_encryption_enabled:
      description: Whether data at rest is encrypted.
      type: bool
      sample: true
    kms_key_id:
      description: The KMS key of the encryption at rest.
      type: str
      sample: arn:aws:kms:us-east-2:123456789012:key/11111111-2222-3333-4444-555555555555
    transit_encryption_enabled:
      description: Whether connections use TLS.
      type: bool
      sample: true
    auth_token_enabled:
      description: Whether clients must present an AUTH token.
      type: bool
      sample: true
    snapshot_retention_limit:
      description: Days automatic snapshots are kept.
      type: int
      sample: 7
    snapshot_window:
      description: Daily snapshot window.
      type: str
      sample: "03:00-04:00"
    primary_endpoint_address:
      description: The endpoint of the primary (writes).
      type: str
      sample: master.dev-freelancer-platform-redis.abcdef.use2.cache.amazonaws.com
    reader_endpoint_address:
      description: The endpoint spread over the replicas (reads); empty when the API returns none.
      type: str
      sample: replica.dev-freelancer-platform-redis.abcdef.use2.cache.amazonaws.com
    port:
      description: The port of both endpoints.
      type: int
      sample: 6379
    engine_version:
      description: The running Redis version (from the primary member cluster).
      type: str
      sample: 7.1.0
    cache_subnet_group_name:
      description: The subnet group (from the primary member cluster).
      type: str
      sample: dev-freelancer-platform-redis
    security_group_ids:
      description: The security groups, sorted (from the primary member cluster).
      type: list
      elements: str
      sample: [sg-0123456789abcdef0]
    preferred_maintenance_window:
      description: The maintenance window (from the primary member cluster).
      type: str
      sample: sun:05:00-sun:06:00
    cache_parameter_group_name:
      description: The parameter group (from the primary member cluster).
      type: str
      sample: default.redis7
    node_groups:
      description: The node group with its members and endpoints, as AWS returns it.
      type: list
      elements: dict
    arn:
      description: The ARN.
      type: str
      sample: arn:aws:elasticache:us-east-2:123456789012:replicationgroup:dev-freelancer-platform-redis
    tags:
      description: Tags as a dict.
      type: dict
      sample: {"Environment": "dev"}
"""

import re
import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.transformation import scrub_none_parameters
from ansible_collections.freelancer.platform.plugins.module_utils.elasticache import described
from ansible_collections.freelancer.platform.plugins.module_utils.elasticache import view
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import desired_tags
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import exit_with_diff
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import resource_argument_spec
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import retrying_client
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import tags_to_change
from ansible_collections.freelancer.platform.plugins.module_utils.tagged_resource import update_tags

ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
NODE_TYPE_PATTERN = re.compile(r"^cache\.[a-z0-9]+\.[a-z0-9]+$")
VERSION_PATTERN = re.compile(r"^\d+(\.\d+){0,2}$")
SNAPSHOT_WINDOW_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")
DAY = "(sun|mon|tue|wed|thu|fri|sat)"
MAINTENANCE_WINDOW_PATTERN = re.compile(
    rf"^{DAY}:([01]\d|2[0-3]):[0-5]\d-{DAY}:([01]\d|2[0-3]):[0-5]\d$", re.IGNORECASE
)
TOKEN_FORBIDDEN = set(' /"@')

# Properties AWS cannot change on an existing group: a difference fails.
IMMUTABLE = ("at_rest_encryption_enabled", "kms_key_id", "transit_encryption_enabled", "cache_subnet_group_name")
# Properties read from the primary member cluster (unknown when it cannot be described).
MEMBER_KEYS = (
    "engine_version",
    "cache_subnet_group_name",
    "security_group_ids",
    "preferred_maintenance_window",
    "cache_parameter_group_name",
)
# Option -> ModifyReplicationGroup parameter.
MODIFIABLE = {
    "description": "ReplicationGroupDescription",
    "cache_node_type": "CacheNodeType",
    "engine_version": "EngineVersion",
    "automatic_failover_enabled": "AutomaticFailoverEnabled",
    "multi_az_enabled": "MultiAZEnabled",
    "snapshot_retention_limit": "SnapshotRetentionLimit",
    "snapshot_window": "SnapshotWindow",
    "preferred_maintenance_window": "PreferredMaintenanceWindow",
    "security_group_ids": "SecurityGroupIds",
    "cache_parameter_group_name": "CacheParameterGroupName",
}
# Option name -> key of the comparable view, where they differ.
OPTION_TO_VIEW = {"node_type": "cache_node_type"}
MANAGED = (
    "description",
    "engine",
    "engine_version",
    "node_type",
    "num_cache_clusters",
    "automatic_failover_enabled",
    "multi_az_enabled",
    "cache_subnet_group_name",
    "security_group_ids",
    "cache_parameter_group_name",
    "at_rest_encryption_enabled",
    "kms_key_id",
    "transit_encryption_enabled",
    "snapshot_retention_limit",
    "snapshot_window",
    "preferred_maintenance_window",
)


class Failure(Exception):
    """An input AWS would refuse, found before any call."""


def version_tuple(version):
    return tuple(int(part) for part in version.split("."))


def validate(params):
    """Every check that needs no AWS call. Raises Failure naming the option."""
    group_id = params["replication_group_id"]
    if len(group_id) > 40 or not ID_PATTERN.match(group_id):
        raise Failure(
            f"replication_group_id {group_id!r} is invalid: use 1 to 40 lowercase letters, digits and hyphens, "
            "starting with a letter, without two consecutive hyphens or a trailing hyphen"
        )
    if params["state"] == "absent":
        return
    if params["node_type"] is not None and not NODE_TYPE_PATTERN.match(params["node_type"]):
        raise Failure(f"node_type {params['node_type']!r} is invalid: use cache.<family>.<size>, e.g. cache.t4g.micro")
    if params["engine_version"] is not None and not VERSION_PATTERN.match(params["engine_version"]):
        raise Failure(f"engine_version {params['engine_version']!r} is invalid: use a version such as 7.1")
    count = params["num_cache_clusters"]
    if count is not None and not 1 <= count <= 6:
        raise Failure(f"num_cache_clusters must be from 1 to 6, got {count}")
    if params["automatic_failover_enabled"] and count is not None and count < 2:
        raise Failure(
            f"num_cache_clusters is {count}: automatic_failover_enabled needs at least 2 (a primary and a replica)"
        )
    if params["multi_az_enabled"] and params["automatic_failover_enabled"] is False:
        raise Failure("multi_az_enabled needs automatic_failover_enabled")
    if params["kms_key_id"] is not None:
        if not params["kms_key_id"].startswith("arn:"):
            raise Failure(f"kms_key_id must be a KMS key ARN, got {params['kms_key_id']!r}")
        if params["at_rest_encryption_enabled"] is not True:
            raise Failure("kms_key_id needs at_rest_encryption_enabled: true")
    token = params["auth_token"]
    if token is not None and (not 16 <= len(token) <= 128 or TOKEN_FORBIDDEN & set(token) or not token.isprintable()):
        raise Failure('auth_token must be 16 to 128 printable characters without spaces, "/", \'"\' or "@"')
    if (token is not None or params["auth_token_secret_id"]) and params["transit_encryption_enabled"] is False:
        raise Failure("auth_token and auth_token_secret_id need transit_encryption_enabled: true")
    if params["force_auth_token_update"] and token is None and not params["auth_token_secret_id"]:
        raise Failure("force_auth_token_update needs auth_token or auth_token_secret_id")
    retention = params["snapshot_retention_limit"]
    if retention is not None and not 0 <= retention <= 35:
        raise Failure(f"snapshot_retention_limit must be from 0 to 35 days, got {retention}")
    if params["snapshot_window"] is not None and not SNAPSHOT_WINDOW_PATTERN.match(params["snapshot_window"]):
        raise Failure(f"snapshot_window {params['snapshot_window']!r} is invalid: use hh:mm-hh:mm (UTC)")
    window = params["preferred_maintenance_window"]
    if window is not None and not MAINTENANCE_WINDOW_PATTERN.match(window):
        raise Failure(
            f"preferred_maintenance_window {window!r} is invalid: use ddd:hh:mm-ddd:hh:mm, e.g. sun:05:00-sun:06:00"
        )
    if params["wait_timeout"] < 1:
        raise Failure(f"wait_timeout must be at least 1 second, got {params['wait_timeout']}")


class ReplicationGroups:
    """The AWS calls, each failing the module with a message on an unexpected error."""

    def __init__(self, module):
        self.module = module
        self.changed = False  # a change was requested, reported even when a later wait fails
        self.client = retrying_client(module, "elasticache")

    def fail(self, error, msg):
        self.module.fail_json_aws(error, msg=msg)

    def describe(self, group_id):
        try:
            groups = self.client.describe_replication_groups(aws_retry=True, ReplicationGroupId=group_id)
        except is_boto3_error_code("ReplicationGroupNotFoundFault"):
            return None
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.fail(e, f"Could not describe replication group {group_id}")
        return groups["ReplicationGroups"][0] if groups.get("ReplicationGroups") else None

    def primary_member(self, group):
        """The primary member cluster, or None where it cannot be described."""
        members = group.get("MemberClusters") or []
        primary = members[0] if members else None
        for node_group in group.get("NodeGroups") or []:
            for member in node_group.get("NodeGroupMembers") or []:
                if member.get("CurrentRole") == "primary":
                    primary = member["CacheClusterId"]
        if not primary:
            return None
        try:
            clusters = self.client.describe_cache_clusters(aws_retry=True, CacheClusterId=primary)["CacheClusters"]
        except is_boto3_error_code("CacheClusterNotFound"):
            return None
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.fail(e, f"Could not describe the member cluster {primary}")
        return clusters[0] if clusters else None

    def tags(self, group):
        try:
            tags = self.client.list_tags_for_resource(aws_retry=True, ResourceName=group["ARN"])["TagList"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.fail(e, f"Could not read the tags of {group['ReplicationGroupId']}")
        return boto3_tag_list_to_ansible_dict(tags)

    def call(self, operation, msg, **request):
        try:
            result = getattr(self.client, operation)(aws_retry=True, **request)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.fail(e, msg)
        self.changed = True
        return result

    def wait(self, group_id, target):
        """Poll until the group is ``available`` or gone (``deleted``), at most wait_timeout seconds."""
        timeout = self.module.params["wait_timeout"]
        deadline = time.monotonic() + timeout
        interval = min(10.0, max(1.0, timeout / 60))
        while True:
            group = self.describe(group_id)
            status = group["Status"] if group else "deleted"
            if status == target:
                return group
            if target == "available" and status in ("create-failed", "deleted"):
                self.module.fail_json(
                    msg=f"Replication group {group_id} is {status}, it will not become available", changed=self.changed
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.module.fail_json(
                    msg=f"Timed out after {timeout} s waiting for replication group {group_id} to be {target}: it is {status}",
                    changed=self.changed,
                )
            time.sleep(min(interval, remaining))


def auth_token(module, groups):
    """The token to send: the option, or the secret's value (None in check mode when the secret is missing)."""
    params = module.params
    if params["auth_token"] is not None:
        return params["auth_token"]
    secret_id = params["auth_token_secret_id"]
    client = retrying_client(module, "secretsmanager")
    try:
        token = client.get_secret_value(aws_retry=True, SecretId=secret_id).get("SecretString")
    except is_boto3_error_code("ResourceNotFoundException"):
        if module.check_mode:
            return None
        module.fail_json(msg=f"auth_token_secret_id: secret {secret_id} does not exist")
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        groups.fail(e, f"Could not read the AUTH token from secret {secret_id}")
    if not token or not 16 <= len(token) <= 128 or TOKEN_FORBIDDEN & set(token) or not token.isprintable():
        module.fail_json(
            msg=f'auth_token_secret_id: the value of {secret_id} is not a valid AUTH token (16 to 128 printable characters without spaces, "/", \'"\' or "@")'
        )
    return token


def desired_view(params, before, member_known=True):
    """``before`` with every option that is set applied: what the group should look like.

    Settings of the member clusters are left out when an existing group's members cannot be described.
    """
    after = dict(before) if before else {"replication_group_id": params["replication_group_id"], "tags": {}}
    for option in MANAGED:
        value = params[option]
        key = OPTION_TO_VIEW.get(option, option)
        if value is None or (before and not member_known and key in MEMBER_KEYS):
            continue
        if option == "security_group_ids":
            value = sorted(value)
        elif option == "preferred_maintenance_window":
            value = value.lower()
        elif option == "engine_version" and versions_match(before.get("engine_version"), value):
            continue
        after[key] = value
    if not before and after.get("description") is None:
        after["description"] = params["replication_group_id"]
    if params["auth_token"] is not None or params["auth_token_secret_id"]:
        after["auth_token_enabled"] = True
    after["tags"] = desired_tags(after.get("tags", {}), params)
    return after


def versions_match(running, requested):
    """``7.1.0`` runs what ``7.1`` asks for."""
    return running is not None and (running == requested or running.startswith(requested + "."))


def differences(before, after, member_known):
    skip = () if member_known else MEMBER_KEYS
    keys = set(before) | set(after)
    return sorted(k for k in keys if k not in skip and k not in ("status", "tags") and before.get(k) != after.get(k))


def create(module, groups, after):
    params = module.params
    token = None
    if params["auth_token"] is not None or params["auth_token_secret_id"]:
        token = auth_token(module, groups)
    request = scrub_none_parameters(
        {
            "ReplicationGroupId": params["replication_group_id"],
            "ReplicationGroupDescription": after["description"],
            "Engine": params["engine"],
            "EngineVersion": params["engine_version"],
            "CacheNodeType": params["node_type"],
            "NumCacheClusters": params["num_cache_clusters"],
            "AutomaticFailoverEnabled": params["automatic_failover_enabled"],
            "MultiAZEnabled": params["multi_az_enabled"],
            "CacheSubnetGroupName": params["cache_subnet_group_name"],
            "SecurityGroupIds": params["security_group_ids"],
            "CacheParameterGroupName": params["cache_parameter_group_name"],
            "AtRestEncryptionEnabled": params["at_rest_encryption_enabled"],
            "KmsKeyId": params["kms_key_id"],
            "TransitEncryptionEnabled": params["transit_encryption_enabled"],
            "AuthToken": token,
            "SnapshotRetentionLimit": params["snapshot_retention_limit"],
            "SnapshotWindow": params["snapshot_window"],
            "PreferredMaintenanceWindow": params["preferred_maintenance_window"],
            "Tags": ansible_dict_to_boto3_tag_list(params["tags"]) if params["tags"] else None,
        }
    )
    groups.call(
        "create_replication_group", f"Could not create replication group {params['replication_group_id']}", **request
    )


def modify_request(module, groups, before, after, changed_keys, auth_update):
    params = module.params
    request = {MODIFIABLE[k]: after[k] for k in changed_keys if k in MODIFIABLE}
    # AWS checks failover and Multi-AZ together: send both when either changes.
    if "AutomaticFailoverEnabled" in request or "MultiAZEnabled" in request:
        request["AutomaticFailoverEnabled"] = after["automatic_failover_enabled"]
        request["MultiAZEnabled"] = after["multi_az_enabled"]
    if auth_update:
        token = auth_token(module, groups)
        request.update(AuthToken=token, AuthTokenUpdateStrategy=auth_update)
    if request:
        request.update(ReplicationGroupId=params["replication_group_id"], ApplyImmediately=params["apply_immediately"])
    return request


def converge(module, groups, group, member, before, after, changed_keys, auth_update):
    """Apply the differences: replica count and ModifyReplicationGroup in a safe order, then the tags."""
    params = module.params
    group_id = params["replication_group_id"]
    steps = []
    request = modify_request(module, groups, before, after, changed_keys, auth_update)
    count_step = None
    if "num_cache_clusters" in changed_keys:
        operation = (
            "increase_replica_count"
            if after["num_cache_clusters"] > before["num_cache_clusters"]
            else "decrease_replica_count"
        )
        count_step = (
            operation,
            {
                "ReplicationGroupId": group_id,
                "NewReplicaCount": after["num_cache_clusters"] - 1,
                "ApplyImmediately": True,
            },
        )
    modify_step = ("modify_replication_group", request) if request else None
    # More replicas before turning failover on; failover off before removing the last replica.
    if count_step and count_step[0] == "increase_replica_count":
        steps = [count_step, modify_step]
    else:
        steps = [modify_step, count_step]
    steps = [s for s in steps if s]
    if steps and group["Status"] != "available":
        if not params["wait"]:
            module.fail_json(
                msg=f"Replication group {group_id} is {group['Status']}: it can be changed once available. "
                "Rerun later or with wait: true."
            )
        groups.wait(group_id, "available")
    for index, (operation, request) in enumerate(steps):
        if index > 0:
            groups.wait(group_id, "available")
        groups.call(operation, f"Could not change replication group {group_id} ({operation})", **request)

    update_tags(
        before.get("tags", {}),
        params,
        remove=lambda keys: groups.call(
            "remove_tags_from_resource",
            f"Could not remove tags from {group_id}",
            ResourceName=group["ARN"],
            TagKeys=keys,
        ),
        add=lambda tags: groups.call(
            "add_tags_to_resource",
            f"Could not tag {group_id}",
            ResourceName=group["ARN"],
            Tags=ansible_dict_to_boto3_tag_list(tags),
        ),
    )


def check_immutable(module, before, after, member_known):
    immutable = [k for k in IMMUTABLE if (member_known or k not in MEMBER_KEYS) and before.get(k) != after.get(k)]
    if immutable:
        details = ", ".join(f"{k} is {before.get(k)!r}, wanted {after.get(k)!r}" for k in immutable)
        module.fail_json(
            msg=f"Replication group {module.params['replication_group_id']}: {', '.join(immutable)} cannot be changed "
            f"on an existing group ({details}). Create a new group (or delete this one) to change them.",
            immutable=immutable,
        )
    if member_known and "engine_version" in after and before.get("engine_version") != after["engine_version"]:
        running, requested = before.get("engine_version"), after["engine_version"]
        if running and version_tuple(requested) < version_tuple(running):
            module.fail_json(
                msg=f"engine_version {requested} is older than the running {running}: AWS cannot downgrade a group"
            )


def absent(module, groups, group):
    group_id = module.params["replication_group_id"]
    before = view(group, None, groups.tags(group) if group else {})
    changed = bool(group) and group["Status"] != "deleting"
    if changed and not module.check_mode:
        request = scrub_none_parameters(
            {
                "ReplicationGroupId": group_id,
                "RetainPrimaryCluster": False,
                "FinalSnapshotIdentifier": module.params["final_snapshot_identifier"],
            }
        )
        if group["Status"] != "available" and module.params["wait"]:
            groups.wait(group_id, "available")
        try:
            groups.client.delete_replication_group(aws_retry=True, **request)
            groups.changed = True
        except is_boto3_error_code("ReplicationGroupNotFoundFault"):
            changed = False
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            groups.fail(e, f"Could not delete replication group {group_id}")
    if group and module.params["wait"] and not module.check_mode:
        groups.wait(group_id, "deleted")
    exit_with_diff(module, changed, before, {}, replication_group={})


def present(module, groups, group):
    params = module.params
    group_id = params["replication_group_id"]
    if group and group["Status"] == "deleting":
        # A preview shows the group created again, without waiting for the deletion.
        if not params["wait"] and not module.check_mode:
            module.fail_json(
                msg=f"Replication group {group_id} is being deleted: rerun once it is gone, or with wait: true"
            )
        if not module.check_mode:
            groups.wait(group_id, "deleted")
        group = None

    if not group:
        if params["node_type"] is None:
            module.fail_json(msg=f"Replication group {group_id} does not exist, and node_type is required to create it")
        after = desired_view(params, {})
        after.update(status="creating", num_cache_clusters=params["num_cache_clusters"] or 1)
        if module.check_mode:
            exit_with_diff(module, True, {}, after, replication_group=after)
        create(module, groups, after)
        group = groups.wait(group_id, "available") if params["wait"] else groups.describe(group_id)
        member = groups.primary_member(group)
        tags = groups.tags(group)
        exit_with_diff(module, True, {}, view(group, member, tags), replication_group=described(group, member, tags))

    member = groups.primary_member(group)
    member_known = member is not None
    tags = groups.tags(group)
    before = view(group, member, tags)
    after = desired_view(params, before, member_known)
    check_immutable(module, before, after, member_known)
    changed_keys = [k for k in differences(before, after, member_known) if k not in IMMUTABLE]

    auth_update = None
    token_wanted = params["auth_token"] is not None or params["auth_token_secret_id"]
    if token_wanted and not before["auth_token_enabled"]:
        auth_update = "ROTATE"
    elif token_wanted and params["force_auth_token_update"]:
        auth_update = params["auth_token_update_strategy"]
    changed_keys = [k for k in changed_keys if k != "auth_token_enabled"]
    tags_differ = any(tags_to_change(before.get("tags", {}), params))
    changed = bool(changed_keys or auth_update or tags_differ)

    if module.check_mode:
        exit_with_diff(
            module,
            changed,
            before,
            after,
            replication_group={**described(group, member, tags), **after}
            if changed
            else described(group, member, tags),
        )

    if changed:
        converge(module, groups, group, member, before, after, changed_keys, auth_update)
    if params["wait"]:
        group = groups.wait(group_id, "available")
    elif changed:
        group = groups.describe(group_id)
    if changed:
        member = groups.primary_member(group)
        tags = groups.tags(group)
    exit_with_diff(module, changed, before, view(group, member, tags), replication_group=described(group, member, tags))


def main():
    argument_spec = resource_argument_spec(
        replication_group_id=dict(type="str", required=True, aliases=["name"]),
        description=dict(type="str"),
        engine=dict(type="str", default="redis", choices=["redis"]),
        engine_version=dict(type="str"),
        node_type=dict(type="str", aliases=["cache_node_type"]),
        num_cache_clusters=dict(type="int"),
        automatic_failover_enabled=dict(type="bool"),
        multi_az_enabled=dict(type="bool"),
        cache_subnet_group_name=dict(type="str"),
        security_group_ids=dict(type="list", elements="str"),
        cache_parameter_group_name=dict(type="str"),
        at_rest_encryption_enabled=dict(type="bool"),
        kms_key_id=dict(type="str", no_log=False),
        transit_encryption_enabled=dict(type="bool"),
        auth_token=dict(type="str", no_log=True),
        auth_token_secret_id=dict(type="str", no_log=False),
        auth_token_update_strategy=dict(type="str", default="ROTATE", choices=["ROTATE", "SET"], no_log=False),
        force_auth_token_update=dict(type="bool", default=False, no_log=False),
        snapshot_retention_limit=dict(type="int"),
        snapshot_window=dict(type="str"),
        preferred_maintenance_window=dict(type="str"),
        apply_immediately=dict(type="bool", default=True),
        final_snapshot_identifier=dict(type="str"),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=1800),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[["auth_token", "auth_token_secret_id"]],
    )
    try:
        validate(module.params)
    except Failure as failure:
        module.fail_json(msg=str(failure))

    groups = ReplicationGroups(module)
    group = groups.describe(module.params["replication_group_id"])
    if module.params["state"] == "absent":
        absent(module, groups, group)
    present(module, groups, group)


if __name__ == "__main__":
    main()
