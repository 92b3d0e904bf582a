"""The messages access patterns (DDB-3) against moto in-process: Query only, order, pagination, isolation."""

from __future__ import annotations

import pathlib
import sys
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import boto3
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[4] / "lambdas" / "messages"))

import messages_repository as repo

TABLE = "test-messages"
START = datetime(2025, 1, 5, 10, 20, 30, 123000, tzinfo=UTC)


class QueryOnlyClient:
    """A DynamoDB client that fails the test on any Scan and records the calls it passes on."""

    def __init__(self, client):
        self._client = client
        self.calls: list[str] = []

    def scan(self, **kwargs):
        raise AssertionError(f"Scan was called: {kwargs}")

    def __getattr__(self, name):
        if name.startswith("scan"):
            raise AssertionError(f"{name} was called")
        self.calls.append(name)
        return getattr(self._client, name)


def index(name, partition, attributes):
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": partition, "KeyType": "HASH"},
            {"AttributeName": "timestamp", "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": attributes},
    }


@pytest.fixture
def client(mocked_aws):
    ddb = boto3.client("dynamodb", region_name="us-east-2")
    ddb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"}
            for name in ("conversationId", "timestamp", "userId", "receiverId")
        ],
        KeySchema=[
            {"AttributeName": "conversationId", "KeyType": "HASH"},
            {"AttributeName": "timestamp", "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            index("sender-index", "userId", ["messageId", "receiverId", "preview"]),
            index("inbox-index", "receiverId", ["messageId", "userId", "preview"]),
        ],
    )
    return QueryOnlyClient(ddb)


@pytest.fixture
def messages(client):
    return repo.MessagesRepository(client, TABLE)


def seed(messages):
    """alice and bob exchange 5 messages, carol writes alice twice."""
    sent = []
    for i in range(5):
        sender, receiver = ("alice", "bob") if i % 2 == 0 else ("bob", "alice")
        sent.append(messages.send(sender, receiver, f"message {i}", sent_at=START + timedelta(seconds=i)))
    for i in range(2):
        sent.append(messages.send("carol", "alice", f"hello {i}", sent_at=START + timedelta(minutes=1, seconds=i)))
    return sent


def all_pages(fetch, limit):
    items, cursor, pages = [], None, 0
    while True:
        page = fetch(limit=limit, cursor=cursor)
        items.extend(page.items)
        pages += 1
        if page.cursor is None:
            return items, pages
        cursor = page.cursor


def test_conversation_id_is_the_same_from_either_side_and_names_both_participants():
    assert repo.conversation_id("bob", "alice") == repo.conversation_id("alice", "bob") == "alice#bob"
    assert repo.participants("alice#bob") == ("alice", "bob")
    for bad in ("alice", "bob#alice", "alice#alice", "a#b#c", ""):
        with pytest.raises(ValueError):
            repo.participants(bad)
    with pytest.raises(ValueError):
        repo.conversation_id("mallory#alice", "bob")


def test_sort_key_is_fixed_width_utc_and_orders_like_time():
    early = repo.sort_key(datetime(2025, 1, 5, 11, 0, 0, tzinfo=UTC), "b")
    late = repo.sort_key(datetime(2025, 1, 5, 13, 0, 0, 5000, tzinfo=timezone(timedelta(hours=1))), "a")
    assert early == "2025-01-05T11:00:00.000Z#b"
    assert late == "2025-01-05T12:00:00.005Z#a"
    assert early < late
    with pytest.raises(ValueError):
        repo.sort_key(datetime(2025, 1, 5), "x")


def test_a_conversation_in_order_paginated(messages, client):
    seed(messages)
    items, pages = all_pages(lambda **k: messages.conversation("bob", "alice#bob", **k), limit=2)
    assert pages == 3
    assert [i["body"] for i in items] == [f"message {i}" for i in range(5)]
    assert items[0]["sentAt"] == "2025-01-05T10:20:30.123Z"
    newest = messages.conversation("alice", "alice#bob", limit=1, newest_first=True)
    assert newest.items[0]["body"] == "message 4"
    assert set(client.calls) == {"put_item", "query"}


def test_sent_and_inbox_newest_first_from_the_indexes(messages, client):
    seed(messages)
    sent, _ = all_pages(lambda **k: messages.sent("alice", **k), limit=2)
    assert [i["preview"] for i in sent] == ["message 4", "message 2", "message 0"]
    assert all(i["receiverId"] == "bob" for i in sent)
    inbox, pages = all_pages(lambda **k: messages.inbox("alice", **k), limit=3)
    assert pages == 2
    assert [i["preview"] for i in inbox] == ["hello 1", "hello 0", "message 3", "message 1"]
    # the indexes project a list view, not the body
    assert all("body" not in i for i in sent + inbox)
    assert set(client.calls) == {"put_item", "query"}


def test_a_user_reads_only_conversations_they_take_part_in(messages, client):
    seed(messages)
    client.calls.clear()
    with pytest.raises(repo.AccessDenied):
        messages.conversation("carol", "alice#bob")
    assert client.calls == [], "the check happens before any call"
    assert [i["userId"] for i in messages.conversation("carol", "alice#carol").items] == ["carol", "carol"]
    assert messages.inbox("mallory").items == []


def test_a_cursor_cannot_move_a_query_into_another_partition(messages):
    seed(messages)
    bob_page = messages.conversation("bob", "alice#bob", limit=1)
    with pytest.raises(repo.InvalidCursor):
        messages.conversation("carol", "alice#carol", limit=1, cursor=bob_page.cursor)
    alice_sent = messages.sent("alice", limit=1)
    with pytest.raises(repo.InvalidCursor):
        messages.sent("carol", limit=1, cursor=alice_sent.cursor)
    with pytest.raises(repo.InvalidCursor):
        messages.inbox("alice", cursor="not-a-cursor!")


def test_messages_of_the_same_millisecond_are_two_items(messages):
    first = messages.send("alice", "bob", "one", sent_at=START, message_id="m1")
    second = messages.send("alice", "bob", "two", sent_at=START, message_id="m2")
    assert first["timestamp"] != second["timestamp"]
    assert len(messages.conversation("alice", "alice#bob").items) == 2
    with pytest.raises(messages.client.exceptions.ConditionalCheckFailedException):
        messages.send("alice", "bob", "again", sent_at=START, message_id="m1")


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda m: m.send("alice", "alice", "self"), ValueError),
        (lambda m: m.send("alice", "bob", " "), ValueError),
        (lambda m: m.send("alice", "bob", "x" * (repo.MAX_BODY_LENGTH + 1)), ValueError),
        (lambda m: m.sent("alice", limit=0), ValueError),
        (lambda m: m.inbox("alice", limit=repo.MAX_PAGE_SIZE + 1), ValueError),
        (lambda m: m.inbox("al ice"), ValueError),
    ],
)
def test_bad_input_is_refused_before_any_call(messages, client, call, error):
    with pytest.raises(error):
        call(messages)
    assert client.calls == []


def test_from_environment_reads_the_wiring(monkeypatch, client):
    monkeypatch.setenv("MESSAGES_TABLE_NAME", TABLE)
    monkeypatch.setenv("MESSAGES_INBOX_INDEX_NAME", "custom-inbox")
    wired = repo.MessagesRepository.from_environment(client)
    assert (wired.table_name, wired.sender_index, wired.inbox_index) == (TABLE, "sender-index", "custom-inbox")
