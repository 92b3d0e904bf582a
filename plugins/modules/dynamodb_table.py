#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: dynamodb_table
short_description: Manage a DynamoDB table with its indexes, encryption, backups and protection
version_added: 1.0.0
description:
  - Creates, converges or deletes a DynamoDB table with its key schema, billing
    mode and capacity, global secondary indexes, server-side encryption (AWS owned
    key or a KMS key), point-in-time recovery, deletion protection and tags.
  - Unlike M(community.aws.dynamodb_table), manages server-side encryption with a
    customer-managed KMS key and point-in-time recovery, and compares every
    setting before it changes anything, so a converged table reports no change
    and C(--check --diff) shows exactly what would change.
  - The key schema of an existing table cannot change; the module fails rather
    than replace a table that holds data. A global secondary index whose key
    schema or projection changes is deleted and created again (DynamoDB cannot
    modify either in place); its capacity is updated in place.
  - DynamoDB accepts one index creation or deletion per UpdateTable call and
    none while the table is updating, so changes are applied one after the
    other, waiting for the table to be ACTIVE in between (bounded by O(wait_timeout)).
author:
  - Platform team
options:
  name:
    description: The table name.
    type: str
    required: true
  state:
    description: Whether the table should exist.
    type: str
    choices: [present, absent]
    default: present
  hash_key_name:
    description:
      - The partition key attribute. Required when O(state=present).
    type: str
  hash_key_type:
    description: The partition key type (string, number, binary).
    type: str
    choices: [S, N, B]
    default: S
  range_key_name:
    description: The sort key attribute; none when omitted.
    type: str
  range_key_type:
    description: The sort key type.
    type: str
    choices: [S, N, B]
    default: S
  billing_mode:
    description:
      - C(PAY_PER_REQUEST) (on-demand) or C(PROVISIONED) capacity.
      - AWS allows a switch between the two once in 24 hours.
    type: str
    choices: [PAY_PER_REQUEST, PROVISIONED]
    default: PAY_PER_REQUEST
  read_capacity:
    description: Read capacity units of the table. Required with O(billing_mode=PROVISIONED), refused otherwise.
    type: int
  write_capacity:
    description: Write capacity units of the table. Required with O(billing_mode=PROVISIONED), refused otherwise.
    type: int
  ignore_capacity_drift:
    description:
      - With O(billing_mode=PROVISIONED), set capacities only when the table or an
        index is created or switched to provisioned mode, and leave them alone
        afterwards, because Application Auto Scaling changes them.
    type: bool
    default: false
  global_indexes:
    description:
      - The global secondary indexes. The table ends up with exactly these.
      - Omitted leaves the indexes as they are.
    type: list
    elements: dict
    suboptions:
      name:
        description: The index name.
        type: str
        required: true
      hash_key_name:
        description: The index partition key attribute.
        type: str
        required: true
      hash_key_type:
        description: Its type.
        type: str
        choices: [S, N, B]
        default: S
      range_key_name:
        description: The index sort key attribute.
        type: str
      range_key_type:
        description: Its type.
        type: str
        choices: [S, N, B]
        default: S
      projection:
        description: Which attributes are copied into the index.
        type: str
        choices: [ALL, KEYS_ONLY, INCLUDE]
        default: ALL
      non_key_attributes:
        description:
          - The attributes copied with O(global_indexes[].projection=INCLUDE), besides the
            table and index keys (which are always projected).
        type: list
        elements: str
        default: []
      read_capacity:
        description: Read capacity of the index with O(billing_mode=PROVISIONED); the table's when omitted.
        type: int
      write_capacity:
        description: Write capacity of the index with O(billing_mode=PROVISIONED); the table's when omitted.
        type: int
  sse_type:
    description:
      - C(AWS_OWNED) encrypts with a key DynamoDB owns; C(KMS) with a KMS key in
        the account (O(kms_key_id), or the AWS managed key C(aws/dynamodb) when omitted).
      - Omitted leaves the encryption as it is (a new table gets C(AWS_OWNED)).
    type: str
    choices: [AWS_OWNED, KMS]
  kms_key_id:
    description:
      - ARN of the KMS key with O(sse_type=KMS). An ARN, because DynamoDB reports
        the key by ARN and an alias could not be compared.
    type: str
  point_in_time_recovery:
    description: Continuous backups with point-in-time recovery. Omitted leaves it as it is.
    type: bool
  deletion_protection:
    description:
      - Refuse DeleteTable while true. Omitted leaves it as it is.
      - With O(state=absent), a table that has deletion protection is deleted only
        when this is explicitly C(false) (the protection is turned off first);
        otherwise the module fails and deletes nothing.
    type: bool
  wait:
    description:
      - Wait for the table and its indexes to be ACTIVE (or gone) after a change.
      - An update made of several steps always waits between them, because
        DynamoDB refuses a change to a table that is not ACTIVE.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for each change.
    type: int
    default: 900
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Messages table, on demand, KMS-encrypted, with two indexes
  freelancer.platform.dynamodb_table:
    name: dev-freelancer-platform-messages
    hash_key_name: conversationId
    range_key_name: timestamp
    billing_mode: PAY_PER_REQUEST
    global_indexes:
      - name: sender-index
        hash_key_name: userId
        range_key_name: timestamp
        projection: INCLUDE
        non_key_attributes: [messageId, receiverId, preview]
      - name: inbox-index
        hash_key_name: receiverId
        range_key_name: timestamp
        projection: KEYS_ONLY
    sse_type: KMS
    kms_key_id: arn:aws:kms:us-east-2:123456789012:key/11111111-2222-3333-4444-555555555555
    point_in_time_recovery: true
    deletion_protection: false
    tags:
      Environment: dev

- name: Provisioned capacity managed by Application Auto Scaling
  freelancer.platform.dynamodb_table:
    name: prod-freelancer-platform-messages
    hash_key_name: conversationId
    range_key_name: timestamp
    billing_mode: PROVISIONED
    read_capacity: 10
    write_capacity: 10
    ignore_capacity_drift: true

- name: Delete a table that has deletion protection
  freelancer.platform.dynamodb_table:
    name: dev-freelancer-platform-messages
    deletion_protection: false
    state: absent
"""

RETURN = r"""
table:
  description: The table, normalised. Empty when absent.
  returned: always
  type: dict
  contains:
    table_name:
      description: The name.
      type: str
      sample: dev-freelancer-platform-messages
    table_arn:
      description: The ARN.
      type: str
      sample: arn:aws:dynamodb:us-east-2:123456789012:table/dev-freelancer-platform-messages
    table_id:
      description: The table's unique id.
      type: str
      sample: 4e6b5c2a-0d64-4a0d-9d2d-9f1c4b1c1a11
    table_status:
      description: CREATING, UPDATING, ACTIVE ...
      type: str
      sample: ACTIVE
    hash_key_name:
      description: Partition key attribute.
      type: str
      sample: conversationId
    hash_key_type:
      description: Partition key type.
      type: str
      sample: S
    range_key_name:
      description: Sort key attribute, or null.
      type: str
      sample: timestamp
    range_key_type:
      description: Sort key type, or null.
      type: str
      sample: S
    billing_mode:
      description: PAY_PER_REQUEST or PROVISIONED.
      type: str
      sample: PAY_PER_REQUEST
    read_capacity:
      description: Provisioned read capacity, null on demand.
      type: int
      sample: 5
    write_capacity:
      description: Provisioned write capacity, null on demand.
      type: int
      sample: 5
    global_indexes:
      description: The global secondary indexes, by name.
      type: list
      elements: dict
      sample:
        - name: sender-index
          hash_key_name: userId
          hash_key_type: S
          range_key_name: timestamp
          range_key_type: S
          projection: INCLUDE
          non_key_attributes: [messageId, preview, receiverId]
          read_capacity: null
          write_capacity: null
          index_arn: arn:aws:dynamodb:us-east-2:123456789012:table/dev-freelancer-platform-messages/index/sender-index
          index_status: ACTIVE
    sse_type:
      description: AWS_OWNED or KMS.
      type: str
      sample: KMS
    kms_key_id:
      description: ARN of the KMS key, null with AWS_OWNED.
      type: str
      sample: arn:aws:kms:us-east-2:123456789012:key/11111111-2222-3333-4444-555555555555
    point_in_time_recovery:
      description: Whether point-in-time recovery is on.
      type: bool
      sample: true
    deletion_protection:
      description: Whether deletion protection is on.
      type: bool
      sample: false
    tags:
      description: Tags as a dict.
      type: dict
      sample: {"Environment": "dev"}
"""

import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

AWS_ERRORS = (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) if "botocore" in globals() else ()
KEY_FIELDS = ("hash_key_name", "hash_key_type", "range_key_name", "range_key_type")
INDEX_SHAPE_FIELDS = (*KEY_FIELDS, "projection", "non_key_attributes")
VOLATILE = ("table_status", "index_status")


# --- reading -----------------------------------------------------------------


def describe_table(client, module, name):
    try:
        return client.describe_table(aws_retry=True, TableName=name)["Table"]
    except is_boto3_error_code("ResourceNotFoundException"):
        return None
    except AWS_ERRORS as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not describe table {name}")


def read_pitr(client, module, name):
    try:
        answer = client.describe_continuous_backups(aws_retry=True, TableName=name)
    except AWS_ERRORS as e:
        module.fail_json_aws(e, msg=f"Could not read the continuous backups of {name}")
    description = answer["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription", {})
    return description.get("PointInTimeRecoveryStatus") in ("ENABLED", "ENABLING")


def read_tags(client, module, arn):
    tags = []
    kwargs = {"ResourceArn": arn}
    try:
        while True:
            answer = client.list_tags_of_resource(aws_retry=True, **kwargs)
            tags.extend(answer.get("Tags", []))
            if not answer.get("NextToken"):
                break
            kwargs["NextToken"] = answer["NextToken"]
    except AWS_ERRORS as e:
        module.fail_json_aws(e, msg=f"Could not read the tags of {arn}")
    return boto3_tag_list_to_ansible_dict(tags)


def _keys(key_schema, types):
    keys = {k["KeyType"]: k["AttributeName"] for k in key_schema}
    hash_name, range_name = keys.get("HASH"), keys.get("RANGE")
    return {
        "hash_key_name": hash_name,
        "hash_key_type": types.get(hash_name),
        "range_key_name": range_name,
        "range_key_type": types.get(range_name) if range_name else None,
    }


def normalise(raw, pitr, tags):
    """The table as this module compares and returns it."""
    if not raw:
        return {}
    types = {a["AttributeName"]: a["AttributeType"] for a in raw.get("AttributeDefinitions", [])}
    billing = (raw.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    provisioned = billing == "PROVISIONED"
    throughput = raw.get("ProvisionedThroughput") or {}
    indexes = []
    for index in raw.get("GlobalSecondaryIndexes") or []:
        projection = index.get("Projection") or {}
        index_throughput = index.get("ProvisionedThroughput") or {}
        entry = {"name": index["IndexName"]}
        entry.update(_keys(index["KeySchema"], types))
        entry.update(
            projection=projection.get("ProjectionType", "ALL"),
            non_key_attributes=sorted(projection.get("NonKeyAttributes") or []),
            read_capacity=index_throughput.get("ReadCapacityUnits") if provisioned else None,
            write_capacity=index_throughput.get("WriteCapacityUnits") if provisioned else None,
            index_arn=index.get("IndexArn"),
            index_status=index.get("IndexStatus"),
        )
        indexes.append(entry)
    sse = raw.get("SSEDescription") or {}
    kms = sse.get("Status") in ("ENABLED", "ENABLING", "UPDATING") and sse.get("SSEType") == "KMS"
    table = {
        "table_name": raw["TableName"],
        "table_arn": raw.get("TableArn"),
        "table_id": raw.get("TableId"),
        "table_status": raw.get("TableStatus"),
    }
    table.update(_keys(raw["KeySchema"], types))
    table.update(
        billing_mode=billing,
        read_capacity=throughput.get("ReadCapacityUnits") if provisioned else None,
        write_capacity=throughput.get("WriteCapacityUnits") if provisioned else None,
        global_indexes=sorted(indexes, key=lambda i: i["name"]),
        sse_type="KMS" if kms else "AWS_OWNED",
        kms_key_id=sse.get("KMSMasterKeyArn") if kms else None,
        point_in_time_recovery=pitr,
        deletion_protection=bool(raw.get("DeletionProtectionEnabled", False)),
        tags=tags,
    )
    return table


def read(client, module, name):
    raw = describe_table(client, module, name)
    if not raw:
        return {}
    return normalise(raw, read_pitr(client, module, name), read_tags(client, module, raw["TableArn"]))


# --- what the caller asks for --------------------------------------------------


def validate(module):
    """Refuse inputs AWS would refuse, before any call."""
    params = module.params
    if params["state"] != "present":
        return
    if not params["hash_key_name"]:
        module.fail_json(msg="hash_key_name is required when state is present")
    provisioned = params["billing_mode"] == "PROVISIONED"
    for key in ("read_capacity", "write_capacity"):
        value = params[key]
        if provisioned and (value is None or value < 1):
            module.fail_json(msg=f"{key} must be a positive number of units with billing_mode PROVISIONED")
        if not provisioned and value is not None:
            module.fail_json(msg=f"{key} applies only to billing_mode PROVISIONED")
    types = {params["hash_key_name"]: params["hash_key_type"]}
    if params["range_key_name"]:
        types[params["range_key_name"]] = params["range_key_type"]
    names = set()
    for index in params["global_indexes"] or []:
        label = f"global_indexes[{index['name']}]"
        if index["name"] in names:
            module.fail_json(msg=f"{label}: index names must be unique")
        names.add(index["name"])
        if index["projection"] == "INCLUDE" and not index["non_key_attributes"]:
            module.fail_json(msg=f"{label}: non_key_attributes is required with projection INCLUDE")
        if index["projection"] != "INCLUDE" and index["non_key_attributes"]:
            module.fail_json(msg=f"{label}: non_key_attributes applies only to projection INCLUDE")
        for key in ("read_capacity", "write_capacity"):
            if index[key] is not None and not provisioned:
                module.fail_json(msg=f"{label}: {key} applies only to billing_mode PROVISIONED")
            if index[key] is not None and index[key] < 1:
                module.fail_json(msg=f"{label}: {key} must be a positive number of units")
        pairs = [(index["hash_key_name"], index["hash_key_type"])]
        if index["range_key_name"]:
            pairs.append((index["range_key_name"], index["range_key_type"]))
        for attribute, kind in pairs:
            if types.setdefault(attribute, kind) != kind:
                module.fail_json(
                    msg=f"{label}: attribute {attribute} is used with two types ({types[attribute]} and {kind})"
                )
    if len(names) > 20:
        module.fail_json(msg="global_indexes: a table has at most 20 global secondary indexes")
    if params["kms_key_id"]:
        if params["sse_type"] != "KMS":
            module.fail_json(msg="kms_key_id applies only to sse_type KMS")
        if not params["kms_key_id"].startswith("arn:") or ":key/" not in params["kms_key_id"]:
            module.fail_json(msg=f"kms_key_id must be a KMS key ARN, got {params['kms_key_id']!r}")


def desired_state(module, current):
    """The table as it should be: the caller's values, the current ones where the caller left a setting out."""
    params = module.params
    provisioned = params["billing_mode"] == "PROVISIONED"
    keep_capacity = provisioned and params["ignore_capacity_drift"] and current.get("billing_mode") == "PROVISIONED"
    table = {
        "table_name": params["name"],
        "hash_key_name": params["hash_key_name"],
        "hash_key_type": params["hash_key_type"],
        "range_key_name": params["range_key_name"],
        "range_key_type": params["range_key_type"] if params["range_key_name"] else None,
        "billing_mode": params["billing_mode"],
        "read_capacity": params["read_capacity"],
        "write_capacity": params["write_capacity"],
    }
    if keep_capacity:
        table.update(read_capacity=current["read_capacity"], write_capacity=current["write_capacity"])
    current_indexes = {i["name"]: i for i in current.get("global_indexes", [])}
    if params["global_indexes"] is None:
        indexes = [dict(i) for i in current.get("global_indexes", [])]
    else:
        indexes = []
        for index in params["global_indexes"]:
            entry = {
                "name": index["name"],
                "hash_key_name": index["hash_key_name"],
                "hash_key_type": index["hash_key_type"],
                "range_key_name": index["range_key_name"],
                "range_key_type": index["range_key_type"] if index["range_key_name"] else None,
                "projection": index["projection"],
                "non_key_attributes": sorted(index["non_key_attributes"]),
                "read_capacity": (index["read_capacity"] or params["read_capacity"]) if provisioned else None,
                "write_capacity": (index["write_capacity"] or params["write_capacity"]) if provisioned else None,
            }
            existing = current_indexes.get(index["name"])
            if existing and keep_capacity and same_shape(existing, entry):
                entry.update(read_capacity=existing["read_capacity"], write_capacity=existing["write_capacity"])
            if existing and same_shape(existing, entry):
                entry.update(index_arn=existing.get("index_arn"), index_status=existing.get("index_status"))
            indexes.append(entry)
    table["global_indexes"] = sorted(indexes, key=lambda i: i["name"])
    if params["sse_type"] is None:
        table["sse_type"] = current.get("sse_type", "AWS_OWNED")
        table["kms_key_id"] = current.get("kms_key_id")
    else:
        table["sse_type"] = params["sse_type"]
        table["kms_key_id"] = params["kms_key_id"] if params["sse_type"] == "KMS" else None
        if params["sse_type"] == "KMS" and not params["kms_key_id"] and current.get("sse_type") == "KMS":
            # the AWS managed key was asked for; the table reports its ARN
            table["kms_key_id"] = current.get("kms_key_id")
    for key, default in (("point_in_time_recovery", False), ("deletion_protection", False)):
        table[key] = current.get(key, default) if params[key] is None else params[key]
    if params["tags"] is None:
        table["tags"] = dict(current.get("tags", {}))
    elif params["purge_tags"]:
        table["tags"] = dict(params["tags"])
    else:
        table["tags"] = {**current.get("tags", {}), **params["tags"]}
    for key in ("table_arn", "table_id", "table_status"):
        if current.get(key):
            table[key] = current[key]
    return table


def same_shape(a, b):
    return all(a.get(k) == b.get(k) for k in INDEX_SHAPE_FIELDS)


def comparable(table):
    """What decides whether something changes: everything but ids and statuses."""
    result = {k: v for k, v in table.items() if k not in ("table_arn", "table_id", *VOLATILE)}
    result["global_indexes"] = [
        {k: v for k, v in i.items() if k not in ("index_arn", *VOLATILE)} for i in table.get("global_indexes", [])
    ]
    return result


def for_diff(table):
    return comparable(table) if table else {}


# --- changing ------------------------------------------------------------------


def wait_until(client, module, name, gone=False, always=False):
    """Wait for the table (and its indexes) to be ACTIVE, or to be gone, within wait_timeout.

    ``always`` waits even with ``wait: false``: DynamoDB refuses the next change
    to a table that is not ACTIVE yet.
    """
    if not (module.params["wait"] or always):
        return
    deadline = time.monotonic() + module.params["wait_timeout"]
    delay = 1
    while True:
        raw = describe_table(client, module, name)
        if gone and raw is None:
            return
        if (
            not gone
            and raw
            and raw.get("TableStatus") == "ACTIVE"
            and all(i.get("IndexStatus") == "ACTIVE" for i in raw.get("GlobalSecondaryIndexes") or [])
        ):
            return
        if time.monotonic() >= deadline:
            status = raw.get("TableStatus") if raw else "gone"
            module.fail_json(
                msg=f"Timed out after {module.params['wait_timeout']} s waiting for table {name} "
                f"({'deletion' if gone else 'ACTIVE'}); it is {status}"
            )
        time.sleep(delay)
        delay = min(delay * 2, 10)


def attribute_definitions(desired):
    types = {desired["hash_key_name"]: desired["hash_key_type"]}
    if desired["range_key_name"]:
        types[desired["range_key_name"]] = desired["range_key_type"]
    for index in desired["global_indexes"]:
        types[index["hash_key_name"]] = index["hash_key_type"]
        if index["range_key_name"]:
            types[index["range_key_name"]] = index["range_key_type"]
    return [{"AttributeName": name, "AttributeType": kind} for name, kind in sorted(types.items())]


def key_schema(entry):
    schema = [{"AttributeName": entry["hash_key_name"], "KeyType": "HASH"}]
    if entry["range_key_name"]:
        schema.append({"AttributeName": entry["range_key_name"], "KeyType": "RANGE"})
    return schema


def throughput(entry):
    return {"ReadCapacityUnits": entry["read_capacity"], "WriteCapacityUnits": entry["write_capacity"]}


def index_request(index, provisioned):
    projection = {"ProjectionType": index["projection"]}
    if index["projection"] == "INCLUDE":
        projection["NonKeyAttributes"] = index["non_key_attributes"]
    request = {"IndexName": index["name"], "KeySchema": key_schema(index), "Projection": projection}
    if provisioned:
        request["ProvisionedThroughput"] = throughput(index)
    return request


def sse_specification(desired):
    if desired["sse_type"] == "KMS":
        spec = {"Enabled": True, "SSEType": "KMS"}
        if desired["kms_key_id"]:
            spec["KMSMasterKeyId"] = desired["kms_key_id"]
        return spec
    return {"Enabled": False}


def call(module, what, function, **kwargs):
    try:
        return function(aws_retry=True, **kwargs)
    except AWS_ERRORS as e:
        module.fail_json_aws(e, msg=f"Could not {what}")


def create(client, module, desired):
    name = desired["table_name"]
    provisioned = desired["billing_mode"] == "PROVISIONED"
    request = {
        "TableName": name,
        "AttributeDefinitions": attribute_definitions(desired),
        "KeySchema": key_schema(desired),
        "BillingMode": desired["billing_mode"],
        "DeletionProtectionEnabled": desired["deletion_protection"],
    }
    if provisioned:
        request["ProvisionedThroughput"] = throughput(desired)
    if desired["global_indexes"]:
        request["GlobalSecondaryIndexes"] = [index_request(i, provisioned) for i in desired["global_indexes"]]
    if desired["sse_type"] == "KMS":
        request["SSESpecification"] = sse_specification(desired)
    if desired["tags"]:
        request["Tags"] = ansible_dict_to_boto3_tag_list(desired["tags"])
    call(module, f"create table {name}", client.create_table, **request)
    if desired["point_in_time_recovery"]:
        # continuous backups can be configured once the table is ACTIVE
        wait_until(client, module, name, always=True)
        set_pitr(client, module, name, True)
    wait_until(client, module, name)


def set_pitr(client, module, name, enabled):
    call(
        module,
        f"set point-in-time recovery of {name}",
        client.update_continuous_backups,
        TableName=name,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": enabled},
    )


def update(client, module, current, desired):
    name = desired["table_name"]
    provisioned = desired["billing_mode"] == "PROVISIONED"
    definitions = attribute_definitions(desired)
    have = {i["name"]: i for i in current["global_indexes"]}
    want = {i["name"]: i for i in desired["global_indexes"]}

    # 1. indexes that go away or change shape are deleted, one per call
    for index_name in sorted(have):
        if index_name not in want or not same_shape(have[index_name], want[index_name]):
            call(
                module,
                f"delete index {index_name} of {name}",
                client.update_table,
                TableName=name,
                GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": index_name}}],
            )
            wait_until(client, module, name, always=True)
    kept = {n: have[n] for n in have if n in want and same_shape(have[n], want[n])}

    # 2. billing mode and capacity, for the table and the indexes it keeps
    request = {}
    switching = current["billing_mode"] != desired["billing_mode"]
    if switching:
        request["BillingMode"] = desired["billing_mode"]
    if provisioned and (switching or throughput(current) != throughput(desired)):
        request["ProvisionedThroughput"] = throughput(desired)
    index_updates = []
    if provisioned:
        for index_name, index in sorted(kept.items()):
            if switching or throughput(index) != throughput(want[index_name]):
                index_updates.append(
                    {"Update": {"IndexName": index_name, "ProvisionedThroughput": throughput(want[index_name])}}
                )
    if index_updates:
        request["GlobalSecondaryIndexUpdates"] = index_updates
    if request:
        call(module, f"update the capacity of {name}", client.update_table, TableName=name, **request)
        wait_until(client, module, name, always=True)

    # 3. new indexes, one per call
    for index_name in sorted(want):
        if index_name not in kept:
            call(
                module,
                f"create index {index_name} of {name}",
                client.update_table,
                TableName=name,
                AttributeDefinitions=definitions,
                GlobalSecondaryIndexUpdates=[{"Create": index_request(want[index_name], provisioned)}],
            )
            wait_until(client, module, name, always=True)

    # 4. encryption
    if (current["sse_type"], current["kms_key_id"]) != (desired["sse_type"], desired["kms_key_id"]):
        call(
            module,
            f"update the encryption of {name}",
            client.update_table,
            TableName=name,
            SSESpecification=sse_specification(desired),
        )
        wait_until(client, module, name, always=True)

    # 5. deletion protection and point-in-time recovery
    if current["deletion_protection"] != desired["deletion_protection"]:
        call(
            module,
            f"set deletion protection of {name}",
            client.update_table,
            TableName=name,
            DeletionProtectionEnabled=desired["deletion_protection"],
        )
        wait_until(client, module, name, always=True)
    if current["point_in_time_recovery"] != desired["point_in_time_recovery"]:
        set_pitr(client, module, name, desired["point_in_time_recovery"])

    # 6. tags
    if module.params["tags"] is not None:
        to_add, to_remove = compare_aws_tags(current["tags"], module.params["tags"], module.params["purge_tags"])
        if to_remove:
            call(module, f"untag {name}", client.untag_resource, ResourceArn=current["table_arn"], TagKeys=to_remove)
        if to_add:
            call(
                module,
                f"tag {name}",
                client.tag_resource,
                ResourceArn=current["table_arn"],
                Tags=ansible_dict_to_boto3_tag_list(to_add),
            )


def delete(client, module, current):
    name = current["table_name"]
    if current["deletion_protection"]:
        if module.params["deletion_protection"] is not False:
            module.fail_json(
                msg=f"Table {name} has deletion protection: set deletion_protection to false to delete it",
                table=current,
            )
        call(
            module,
            f"turn off deletion protection of {name}",
            client.update_table,
            TableName=name,
            DeletionProtectionEnabled=False,
        )
        wait_until(client, module, name, always=True)
    try:
        client.delete_table(aws_retry=True, TableName=name)
    except is_boto3_error_code("ResourceNotFoundException"):
        return
    except AWS_ERRORS as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not delete table {name}")
    if module.params["wait"]:
        wait_until(client, module, name, gone=True)


def main():
    index_spec = dict(
        name=dict(type="str", required=True),
        hash_key_name=dict(type="str", required=True),
        hash_key_type=dict(type="str", default="S", choices=["S", "N", "B"]),
        range_key_name=dict(type="str"),
        range_key_type=dict(type="str", default="S", choices=["S", "N", "B"]),
        projection=dict(type="str", default="ALL", choices=["ALL", "KEYS_ONLY", "INCLUDE"]),
        non_key_attributes=dict(type="list", elements="str", default=[]),
        read_capacity=dict(type="int"),
        write_capacity=dict(type="int"),
    )
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        hash_key_name=dict(type="str"),
        hash_key_type=dict(type="str", default="S", choices=["S", "N", "B"]),
        range_key_name=dict(type="str"),
        range_key_type=dict(type="str", default="S", choices=["S", "N", "B"]),
        billing_mode=dict(type="str", default="PAY_PER_REQUEST", choices=["PAY_PER_REQUEST", "PROVISIONED"]),
        read_capacity=dict(type="int"),
        write_capacity=dict(type="int"),
        ignore_capacity_drift=dict(type="bool", default=False),
        global_indexes=dict(type="list", elements="dict", options=index_spec),
        sse_type=dict(type="str", choices=["AWS_OWNED", "KMS"]),
        kms_key_id=dict(type="str", no_log=False),
        point_in_time_recovery=dict(type="bool"),
        deletion_protection=dict(type="bool"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=900),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = module.client(
        "dynamodb",
        retry_decorator=AWSRetry.jittered_backoff(
            retries=10, catch_extra_error_codes=["ContinuousBackupsUnavailableException"]
        ),
    )
    name = module.params["name"]
    current = read(client, module, name)

    if module.params["state"] == "absent":
        changed = bool(current)
        if changed and current["deletion_protection"] and module.params["deletion_protection"] is not False:
            module.fail_json(msg=f"Table {name} has deletion protection: set deletion_protection to false to delete it")
        if changed and not module.check_mode:
            delete(client, module, current)
        result = dict(changed=changed, table={})
        if module._diff:
            result["diff"] = dict(before=for_diff(current), after={})
        module.exit_json(**result)

    desired = desired_state(module, current)
    if current:
        immutable = [k for k in KEY_FIELDS if current.get(k) != desired.get(k)]
        if immutable:
            module.fail_json(
                msg=f"The key schema of table {name} cannot change ({', '.join(immutable)}): "
                "create a new table and migrate the items",
                table=current,
            )
    changed = comparable(current) != comparable(desired)
    if changed and not module.check_mode:
        if current:
            update(client, module, current, desired)
        else:
            create(client, module, desired)
        after = read(client, module, name)
    else:
        after = desired if changed else current
    result = dict(changed=changed, table=after)
    if module._diff:
        result["diff"] = dict(before=for_diff(current), after=for_diff(after))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
