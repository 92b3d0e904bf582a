# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

"""Helpers shared by the cognito_user_pool and cognito_user_pool_client modules.

* ``scrub`` drops empty values, so that a setting AWS leaves out and the same
  setting answered empty compare equal (AWS resets an omitted setting to its
  default, which is the empty value, so omitting and sending empty agree).
* ``request_view`` keeps the keys of a described resource that an operation
  accepts: the Update operations of Cognito reset every setting they are not
  given, so an update is always built from the whole current configuration.
* ``list_all`` pages through a List operation with retries on throttling.
* ``issuer_url`` is the ``iss`` claim of a user pool's tokens.
"""

from __future__ import annotations

import copy

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

ISSUER_TEMPLATE = "https://cognito-idp.{region}.amazonaws.com/{pool_id}"


def issuer_url(pool_id):
    """``us-east-2_AbC`` -> ``https://cognito-idp.us-east-2.amazonaws.com/us-east-2_AbC`` (the pool id starts with its region)."""
    if not pool_id or "_" not in pool_id:
        return ""
    return ISSUER_TEMPLATE.format(region=pool_id.split("_", 1)[0], pool_id=pool_id)


def is_empty(value):
    return value is None or value == "" or value == [] or value == {}


def scrub(value):
    """A copy of ``value`` without None, empty strings, empty lists and empty dicts, at any depth."""
    if isinstance(value, dict):
        cleaned = {k: scrub(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if not is_empty(v)}
    if isinstance(value, list):
        cleaned = [scrub(v) for v in value]
        return [v for v in cleaned if not is_empty(v)]
    return value


def operation_members(client, operation):
    """The request parameter names of ``operation`` (for example ``UpdateUserPool``), from botocore's model."""
    return set(client.meta.service_model.operation_model(operation).input_shape.members)


def request_view(document, members, exclude=()):
    """The keys of ``document`` that are parameters of a request (``members``), scrubbed, deep-copied."""
    return scrub({k: copy.deepcopy(v) for k, v in (document or {}).items() if k in members and k not in exclude})


@AWSRetry.jittered_backoff(retries=10)
def list_all(client, operation, result_key, **kwargs):
    """Every item of a paginated Cognito List operation (60 a page, the maximum)."""
    paginator = client.get_paginator(operation)
    return paginator.paginate(PaginationConfig={"PageSize": 60}, **kwargs).build_full_result().get(result_key, [])
