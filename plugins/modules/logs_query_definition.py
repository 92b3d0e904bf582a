#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: logs_query_definition
short_description: Manage a saved CloudWatch Logs Insights query
version_added: 1.0.0
description:
  - Creates, converges or deletes one saved Logs Insights query (a query definition),
    identified by its name.
  - PutQueryDefinition without an id always creates a new query, and names are not
    unique; this module therefore finds the query by name first and updates it by id.
    When several queries share the name, the first (by id) is converged and the others
    are removed, so that the name stays unique.
  - The query string is compared with surrounding whitespace trimmed; the log groups as a set.
  - Check mode and diff supported. amazon.aws and community.aws have no module for saved queries.
author:
  - Platform team
options:
  name:
    description:
      - The query name. A C(/) files the query in a folder of the console (C(dev-freelancer-platform/slow-requests)).
    type: str
    required: true
  query_string:
    description:
      - The query. Required when O(state=present).
    type: str
  log_group_names:
    description:
      - The log groups the query runs on by default. An empty list leaves the choice to whoever runs it.
    type: list
    elements: str
    default: []
  query_language:
    description: The query language.
    type: str
    choices: [CWLI, SQL, PPL]
    default: CWLI
  state:
    description: Whether the query should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Save the slow requests query of the application
  freelancer.platform.logs_query_definition:
    name: dev-freelancer-platform/slow-requests
    log_group_names:
      - /ecs/dev-freelancer-platform-app
    query_string: |
      fields @timestamp, method, path, status, duration_ms
      | filter event = "http_request" and duration_ms > 1000
      | sort duration_ms desc
      | limit 100

- name: Remove it
  freelancer.platform.logs_query_definition:
    name: dev-freelancer-platform/slow-requests
    state: absent
"""

RETURN = r"""
query_definition:
  description: The saved query, in snake case. Empty when absent.
  returned: always
  type: dict
  contains:
    query_definition_id:
      description: Its id; empty in check mode for a query that does not exist yet.
      type: str
      sample: 1a2b3c4d-1111-2222-3333-444455556666
    name:
      description: The name.
      type: str
      sample: dev-freelancer-platform/slow-requests
    query_string:
      description: The query.
      type: str
    log_group_names:
      description: The log groups, sorted.
      type: list
      elements: str
      sample: [/ecs/dev-freelancer-platform-app]
    query_language:
      description: The query language.
      type: str
      sample: CWLI
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

MAX_NAME = 255
MAX_QUERY = 10000
LOG_GROUP_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-/.#")


def validate(module):
    """Fail, naming the option, on input AWS would refuse; no AWS call is made before."""
    params = module.params
    if not params["name"] or len(params["name"]) > MAX_NAME:
        module.fail_json(msg=f"name must have 1 to {MAX_NAME} characters, got {len(params['name'])}")
    if params["state"] != "present":
        return
    query = (params["query_string"] or "").strip()
    if not query or len(query) > MAX_QUERY:
        module.fail_json(msg=f"query_string is required when state is present, at most {MAX_QUERY} characters")
    for index, group in enumerate(params["log_group_names"]):
        if not group or len(group) > 512 or not set(group) <= LOG_GROUP_CHARS:
            module.fail_json(msg=f"log_group_names[{index}] {group!r} is not a log group name")


def find(client, module, name):
    """Every saved query with exactly this name, sorted by id."""
    found, token = [], None
    try:
        while True:
            extra = {"nextToken": token} if token else {}
            answer = client.describe_query_definitions(
                aws_retry=True, queryDefinitionNamePrefix=name, maxResults=1000, **extra
            )
            found += [q for q in answer.get("queryDefinitions", []) if q.get("name") == name]
            token = answer.get("nextToken")
            if not token:
                break
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not list the saved queries named {name}")
    return sorted(found, key=lambda q: q["queryDefinitionId"])


def normalise(query):
    if not query:
        return {}
    return {
        "query_definition_id": query.get("queryDefinitionId", ""),
        "name": query["name"],
        "query_string": query.get("queryString", "").strip(),
        "log_group_names": sorted(query.get("logGroupNames") or []),
        "query_language": query.get("queryLanguage") or "CWLI",
    }


def delete(client, module, query_id):
    try:
        client.delete_query_definition(aws_retry=True, queryDefinitionId=query_id)
    except is_boto3_error_code("ResourceNotFoundException"):
        pass
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not delete saved query {query_id}")


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        query_string=dict(type="str"),
        log_group_names=dict(type="list", elements="str", default=[]),
        query_language=dict(type="str", default="CWLI", choices=["CWLI", "SQL", "PPL"]),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ["query_string"])],
    )
    validate(module)
    client = module.client("logs", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    name = module.params["name"]
    existing = find(client, module, name)
    before = normalise(existing[0]) if existing else {}

    if module.params["state"] == "absent":
        changed = bool(existing)
        if changed and not module.check_mode:
            for query in existing:
                delete(client, module, query["queryDefinitionId"])
        result = dict(changed=changed, query_definition={})
        if module._diff:
            result["diff"] = dict(before=before, after={})
        module.exit_json(**result)

    wanted = {
        "query_definition_id": before.get("query_definition_id", ""),
        "name": name,
        "query_string": module.params["query_string"].strip(),
        "log_group_names": sorted(set(module.params["log_group_names"])),
        "query_language": module.params["query_language"],
    }
    duplicates = existing[1:]
    changed = wanted != before or bool(duplicates)
    after = wanted
    if changed and not module.check_mode:
        request = dict(name=name, queryString=wanted["query_string"], logGroupNames=wanted["log_group_names"])
        if before:
            request["queryDefinitionId"] = before["query_definition_id"]
        if wanted["query_language"] != "CWLI":
            request["queryLanguage"] = wanted["query_language"]
        try:
            query_id = client.put_query_definition(aws_retry=True, **request)["queryDefinitionId"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Could not save query {name}")
        for query in duplicates:
            delete(client, module, query["queryDefinitionId"])
        after = next((normalise(q) for q in find(client, module, name) if q["queryDefinitionId"] == query_id), wanted)
    if duplicates:
        module.warn(
            f"{len(duplicates)} other saved queries were named {name}: they {'would be' if module.check_mode else 'were'} removed"
        )
    result = dict(changed=changed, query_definition=after)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
