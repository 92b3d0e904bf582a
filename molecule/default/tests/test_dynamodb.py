"""DDB-1 to DDB-3, asserted on the converged emulator: the messages table, its
indexes and protections, and the access patterns run as Query (never Scan) with
pagination, through the repository the application uses."""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from conftest import PROJECT
from conftest import tag_dict

sys.path.insert(0, str(PROJECT / "lambdas" / "messages"))

import messages_repository

KEY_TYPES = {"conversationId": "S", "timestamp": "S", "userId": "S", "receiverId": "S"}


@pytest.fixture(scope="module")
def ddb(aws):
    return aws("dynamodb")


@pytest.fixture(scope="module")
def table_name(prefix):
    return f"{prefix}-messages"


@pytest.fixture(scope="module")
def table(ddb, table_name):
    return ddb.describe_table(TableName=table_name)["Table"]


def keys(schema):
    return [(k["AttributeName"], k["KeyType"]) for k in schema]


def test_keys_and_attribute_types(table, outputs, table_name):
    assert keys(table["KeySchema"]) == [("conversationId", "HASH"), ("timestamp", "RANGE")]
    assert {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]} == KEY_TYPES
    assert outputs["messages_table_name"] == table_name
    assert outputs["messages_table_arn"] == table["TableArn"]


def test_sender_and_inbox_indexes_with_their_projections(table, outputs):
    indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    sender, inbox = outputs["messages_sender_index_name"], outputs["messages_inbox_index_name"]
    assert set(indexes) == {sender, inbox}
    assert keys(indexes[sender]["KeySchema"]) == [("userId", "HASH"), ("timestamp", "RANGE")]
    assert keys(indexes[inbox]["KeySchema"]) == [("receiverId", "HASH"), ("timestamp", "RANGE")]
    # a list view: who, which message, a preview - never the body
    assert indexes[sender]["Projection"]["ProjectionType"] == "INCLUDE"
    assert sorted(indexes[sender]["Projection"]["NonKeyAttributes"]) == ["messageId", "preview", "receiverId"]
    assert indexes[inbox]["Projection"]["ProjectionType"] == "INCLUDE"
    assert sorted(indexes[inbox]["Projection"]["NonKeyAttributes"]) == ["messageId", "preview", "userId"]
    assert all(i["IndexStatus"] == "ACTIVE" for i in indexes.values())


def test_billing_encryption_recovery_protection_and_tags(
    ddb, table, table_name, inventory_vars, outputs, expected_tags
):
    billing = inventory_vars.get("dynamodb_billing_mode", "PAY_PER_REQUEST")
    assert table["BillingModeSummary"]["BillingMode"] == billing
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["SSEDescription"]["SSEType"] == "KMS"
    assert table["SSEDescription"]["KMSMasterKeyArn"] == outputs["kms_dynamodb_key_arn"]
    backups = ddb.describe_continuous_backups(TableName=table_name)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert table["DeletionProtectionEnabled"] is bool(inventory_vars["platform_protected"])
    tags = tag_dict(ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"])
    assert tags.items() >= expected_tags.items()
    assert tags["Name"] == table_name


class TimedQueryOnlyClient:
    """The emulator's DynamoDB client: fails on any Scan, times every call it passes on."""

    def __init__(self, client):
        self._client = client
        self.timings: dict[str, list[float]] = {}

    def __getattr__(self, name):
        if name.startswith("scan"):
            raise AssertionError(f"{name} was called: every access pattern must be a Query")
        target = getattr(self._client, name)
        if not callable(target) or name.startswith("_") or name in ("exceptions", "meta"):
            return target

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return target(*args, **kwargs)
            finally:
                self.timings.setdefault(name, []).append(time.perf_counter() - start)

        return timed


@pytest.fixture(scope="module")
def seeded(ddb, table_name, outputs):
    """Three users (unique per run) exchange messages: ann and ben 7, cy writes ann 3."""
    client = TimedQueryOnlyClient(ddb)
    repository = messages_repository.MessagesRepository(
        client, table_name, outputs["messages_sender_index_name"], outputs["messages_inbox_index_name"]
    )
    run = uuid.uuid4().hex[:8]
    ann, ben, cy = f"ann-{run}", f"ben-{run}", f"cy-{run}"
    start = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    sent = []
    for i in range(7):
        sender, receiver = (ann, ben) if i % 2 == 0 else (ben, ann)
        sent.append(repository.send(sender, receiver, f"ann-ben {i}", sent_at=start + timedelta(seconds=i)))
    for i in range(3):
        sent.append(repository.send(cy, ann, f"cy-ann {i}", sent_at=start + timedelta(minutes=5, seconds=i)))
    yield repository, client, (ann, ben, cy)
    for item in sent:
        ddb.delete_item(
            TableName=table_name,
            Key={"conversationId": {"S": item["conversationId"]}, "timestamp": {"S": item["timestamp"]}},
        )


def every_page(fetch, limit):
    items, cursor, pages = [], None, 0
    while True:
        page = fetch(limit=limit, cursor=cursor)
        items.extend(page.items)
        pages += 1
        if page.cursor is None:
            return items, pages
        cursor = page.cursor


def test_a_conversation_in_order_page_by_page(seeded):
    repository, _, (ann, ben, _) = seeded
    conversation = messages_repository.conversation_id(ben, ann)
    items, pages = every_page(lambda **k: repository.conversation(ben, conversation, **k), limit=3)
    assert [i["body"] for i in items] == [f"ann-ben {i}" for i in range(7)]
    assert pages == 3
    assert [i["timestamp"] for i in items] == sorted(i["timestamp"] for i in items)


def test_a_users_sent_messages_newest_first_from_the_sender_index(seeded):
    repository, _, (ann, ben, _) = seeded
    items, pages = every_page(lambda **k: repository.sent(ann, **k), limit=2)
    assert [i["preview"] for i in items] == ["ann-ben 6", "ann-ben 4", "ann-ben 2", "ann-ben 0"]
    assert pages == 2
    assert {i["receiverId"] for i in items} == {ben}
    assert all("body" not in i for i in items), "the index projects a list view, not the body"


def test_a_users_inbox_newest_first_from_the_inbox_index(seeded):
    repository, _, (ann, _, cy) = seeded
    items, pages = every_page(lambda **k: repository.inbox(ann, **k), limit=4)
    assert [i["preview"] for i in items] == ["cy-ann 2", "cy-ann 1", "cy-ann 0", "ann-ben 5", "ann-ben 3", "ann-ben 1"]
    assert pages == 2
    assert [i["userId"] for i in items[:3]] == [cy] * 3


def test_a_user_reads_only_conversations_they_take_part_in(seeded):
    repository, client, (ann, ben, cy) = seeded
    before = len(client.timings.get("query", []))
    with pytest.raises(messages_repository.AccessDenied):
        repository.conversation(cy, messages_repository.conversation_id(ann, ben))
    assert len(client.timings.get("query", [])) == before, "refused before any call"
    page = repository.conversation(ann, messages_repository.conversation_id(ann, ben), limit=1)
    with pytest.raises(messages_repository.InvalidCursor):
        repository.conversation(cy, messages_repository.conversation_id(cy, ann), cursor=page.cursor)


def test_only_queries_were_used_and_the_emulator_latency(seeded):
    _, client, _ = seeded
    assert set(client.timings) == {"put_item", "query"}
    report = []
    for call, samples in sorted(client.timings.items()):
        milliseconds = sorted(s * 1000 for s in samples)
        report.append(
            f"{call}: {len(samples)} calls, median {statistics.median(milliseconds):.1f} ms, "
            f"max {milliseconds[-1]:.1f} ms"
        )
    print("\nDynamoDB latency on the emulator - " + "; ".join(report))
    assert all(len(samples) > 0 for samples in client.timings.values())
