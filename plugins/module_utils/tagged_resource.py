# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

"""Helpers of the modules that manage one tagged AWS resource (the ECS and ElastiCache modules).

* ``resource_argument_spec`` adds the options every such module has: ``tags``
  (alias ``resource_tags``), ``purge_tags`` and ``state``; ``retrying_client``
  is a client that retries throttling and transient errors (jittered backoff, 10 tries).
* Tags are a dict in the module's terms. ``desired_tags`` is what the resource
  should carry after the run, ``tags_to_change`` what to set and what to remove
  (nothing when ``tags`` is not given), ``update_tags`` applies that with the
  service's own calls: ``update_ecs_tags`` (``[{"key", "value"}]`` lists,
  ``ecs_tag_list`` / ``ecs_tag_dict`` convert) and ``update_elasticache_tags``
  (``[{"Key", "Value"}]`` lists). AWS errors are left to the caller, which names
  the resource in its message.
* ``exit_with_diff`` ends the run with the result and, in diff mode, the
  before/after states.
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags


def resource_argument_spec(**options):
    """``options`` plus ``tags``, ``purge_tags`` and ``state`` (present or absent)."""
    return dict(
        options,
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )


def retrying_client(module, service):
    """A client of ``service`` whose calls made with ``aws_retry=True`` retry with jittered backoff."""
    return module.client(service, retry_decorator=AWSRetry.jittered_backoff(retries=10))


def desired_tags(current, params):
    """The tags after the run: ``current`` when ``params["tags"]`` is None, the given tags alone
    with ``purge_tags``, else ``current`` updated with them."""
    if params["tags"] is None:
        return current
    return dict(params["tags"]) if params["purge_tags"] else {**current, **params["tags"]}


def tags_to_change(current, params):
    """``(to_set, to_remove)``: a dict of tags to set and a list of keys to remove; both empty
    when ``params["tags"]`` is None."""
    if params["tags"] is None:
        return {}, []
    return compare_aws_tags(current, params["tags"], params["purge_tags"])


def update_tags(current, params, remove, add):
    """Remove (``remove(keys)``), then set (``add(tags)``) what ``tags_to_change`` finds; True when it found anything."""
    to_add, to_remove = tags_to_change(current, params)
    if to_remove:
        remove(to_remove)
    if to_add:
        add(to_add)
    return bool(to_add or to_remove)


def ecs_tag_dict(tag_list):
    """ECS ``[{"key": k, "value": v}]`` (or None) -> ``{k: v}``."""
    return {t["key"]: t["value"] for t in tag_list or []}


def ecs_tag_list(tags):
    """``{k: v}`` -> ECS ``[{"key": k, "value": v}]``."""
    return [{"key": k, "value": v} for k, v in tags.items()]


def update_ecs_tags(client, arn, current, params):
    """``update_tags`` on an ECS resource (UntagResource, TagResource)."""
    return update_tags(
        current,
        params,
        remove=lambda keys: client.untag_resource(aws_retry=True, resourceArn=arn, tagKeys=keys),
        add=lambda tags: client.tag_resource(aws_retry=True, resourceArn=arn, tags=ecs_tag_list(tags)),
    )


def update_elasticache_tags(client, arn, current, params):
    """``update_tags`` on an ElastiCache resource (RemoveTagsFromResource, AddTagsToResource)."""
    return update_tags(
        current,
        params,
        remove=lambda keys: client.remove_tags_from_resource(aws_retry=True, ResourceName=arn, TagKeys=keys),
        add=lambda tags: client.add_tags_to_resource(
            aws_retry=True, ResourceName=arn, Tags=ansible_dict_to_boto3_tag_list(tags)
        ),
    )


def exit_with_diff(module, changed, before, after, **result):
    """``exit_json`` with ``changed`` and ``result``, plus ``diff`` (``before``, ``after``) in diff mode."""
    output = dict(changed=changed, **result)
    if module._diff:
        output["diff"] = dict(before=before, after=after)
    module.exit_json(**output)
