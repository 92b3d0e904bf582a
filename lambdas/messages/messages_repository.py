"""The access patterns of the messages table (DDB-3), served by Query only.

The table (roles/dynamodb) keys a message by ``conversationId`` (partition) and
``timestamp`` (sort); the ``sender-index`` keys it by ``userId`` (the sender)
and ``timestamp``, the ``inbox-index`` by ``receiverId`` and ``timestamp``.

* ``conversationId`` is derived, never chosen by a caller: the two participants'
  user ids, sorted, joined by ``#`` (``alice#bob``). One conversation per pair of
  users, found from either side, and the participants can be read from the id.
* ``timestamp`` is a string: the UTC send time in fixed-width ISO-8601 with
  milliseconds, then ``#`` and the message id
  (``2025-01-05T10:20:30.123Z#5f0c...``). Fixed width makes string order time
  order; the message id makes two messages of the same millisecond two items
  (the same key would silently overwrite) and gives pagination a stable order.
* Isolation: a caller reads a conversation only when it is one of the two
  participants named in its id (checked before any call); the sent and inbox
  lists are always keyed by the caller's own id; a page cursor is bound to the
  partition it was issued for, so a cursor cannot move a query into someone
  else's partition.

Every read is a ``Query`` with ``Limit`` and ``ExclusiveStartKey``; nothing here
calls ``Scan``. The index pages carry the attributes the indexes project (no
body): a list view; the full message is read from the conversation.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import uuid
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from typing import Any

SEPARATOR = "#"
USER_ID = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")
PREVIEW_LENGTH = 120
MAX_BODY_LENGTH = 10_000
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


class AccessDenied(PermissionError):
    """The caller does not take part in the conversation it asked for."""


class InvalidCursor(ValueError):
    """A page cursor that was not issued for this query."""


@dataclass
class Page:
    """One page of messages, oldest or newest first, and the cursor of the next page (None on the last)."""

    items: list[dict[str, str]] = field(default_factory=list)
    cursor: str | None = None


def check_user_id(user_id: str) -> str:
    if not isinstance(user_id, str) or not USER_ID.match(user_id):
        raise ValueError(f"invalid user id {user_id!r}: 1 to 128 letters, digits or _ . : @ - (never #)")
    return user_id


def conversation_id(user_a: str, user_b: str) -> str:
    """The conversation of two users: their ids sorted and joined, the same from either side."""
    check_user_id(user_a)
    check_user_id(user_b)
    if user_a == user_b:
        raise ValueError("a conversation needs two different users")
    return SEPARATOR.join(sorted((user_a, user_b)))


def participants(conversation: str) -> tuple[str, str]:
    """The two user ids a conversation id is made of."""
    parts = conversation.split(SEPARATOR) if isinstance(conversation, str) else []
    if len(parts) != 2 or parts != sorted(parts) or parts[0] == parts[1]:
        raise ValueError(f"invalid conversation id {conversation!r}")
    return check_user_id(parts[0]), check_user_id(parts[1])


def sort_key(sent_at: datetime, message_id: str) -> str:
    """``<UTC ISO-8601 with milliseconds>#<message id>``: string order is time order."""
    if sent_at.tzinfo is None:
        raise ValueError("sent_at must be timezone-aware")
    utc = sent_at.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z{SEPARATOR}{message_id}"


def _plain(item: dict[str, Any]) -> dict[str, str]:
    """A DynamoDB item of string attributes as a plain dict, with its send time."""
    plain = {name: value["S"] for name, value in item.items() if "S" in value}
    if "timestamp" in plain:
        plain["sentAt"] = plain["timestamp"].split(SEPARATOR, 1)[0]
    return plain


class MessagesRepository:
    """Send and read messages; ``client`` is a boto3 DynamoDB client."""

    def __init__(
        self,
        client: Any,
        table_name: str,
        sender_index: str = "sender-index",
        inbox_index: str = "inbox-index",
    ) -> None:
        self.client = client
        self.table_name = table_name
        self.sender_index = sender_index
        self.inbox_index = inbox_index

    @classmethod
    def from_environment(cls, client: Any | None = None) -> MessagesRepository:
        """The repository of the table the application is wired to (``MESSAGES_TABLE_NAME`` ...)."""
        if client is None:
            import boto3

            client = boto3.client("dynamodb")
        return cls(
            client,
            os.environ["MESSAGES_TABLE_NAME"],
            os.environ.get("MESSAGES_SENDER_INDEX_NAME", "sender-index"),
            os.environ.get("MESSAGES_INBOX_INDEX_NAME", "inbox-index"),
        )

    # --- writing -------------------------------------------------------------

    def send(
        self,
        sender_id: str,
        receiver_id: str,
        body: str,
        sent_at: datetime | None = None,
        message_id: str | None = None,
    ) -> dict[str, str]:
        """Store a message from ``sender_id`` (the authenticated caller) to ``receiver_id``; return it."""
        if not isinstance(body, str) or not body.strip():
            raise ValueError("a message needs a body")
        if len(body) > MAX_BODY_LENGTH:
            raise ValueError(f"a message body has at most {MAX_BODY_LENGTH} characters")
        message_id = message_id or uuid.uuid4().hex
        item = {
            "conversationId": conversation_id(sender_id, receiver_id),
            "timestamp": sort_key(sent_at or datetime.now(UTC), message_id),
            "messageId": message_id,
            "userId": sender_id,
            "receiverId": receiver_id,
            "body": body,
            "preview": body[:PREVIEW_LENGTH],
        }
        self.client.put_item(
            TableName=self.table_name,
            Item={name: {"S": value} for name, value in item.items()},
            # a message is written once: never overwrite one with the same key
            ConditionExpression="attribute_not_exists(conversationId)",
        )
        return _plain({name: {"S": value} for name, value in item.items()})

    # --- reading -------------------------------------------------------------

    def conversation(
        self,
        requester_id: str,
        conversation: str,
        limit: int = DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
        newest_first: bool = False,
    ) -> Page:
        """A conversation's messages in order, for one of its two participants only."""
        if check_user_id(requester_id) not in participants(conversation):
            raise AccessDenied(f"{requester_id} does not take part in conversation {conversation}")
        return self._query(None, "conversationId", conversation, limit, cursor, newest_first)

    def sent(self, requester_id: str, limit: int = DEFAULT_PAGE_SIZE, cursor: str | None = None) -> Page:
        """The caller's sent messages, newest first (sender index)."""
        return self._query(self.sender_index, "userId", check_user_id(requester_id), limit, cursor, True)

    def inbox(self, requester_id: str, limit: int = DEFAULT_PAGE_SIZE, cursor: str | None = None) -> Page:
        """The messages the caller received, newest first (inbox index)."""
        return self._query(self.inbox_index, "receiverId", check_user_id(requester_id), limit, cursor, True)

    def _query(
        self,
        index: str | None,
        partition_attribute: str,
        partition_value: str,
        limit: int,
        cursor: str | None,
        newest_first: bool,
    ) -> Page:
        if not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be from 1 to {MAX_PAGE_SIZE}")
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": partition_attribute},
            "ExpressionAttributeValues": {":pk": {"S": partition_value}},
            "ScanIndexForward": not newest_first,
            "Limit": limit,
        }
        if index:
            request["IndexName"] = index
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(cursor, partition_attribute, partition_value)
        answer = self.client.query(**request)
        last = answer.get("LastEvaluatedKey")
        return Page(items=[_plain(i) for i in answer.get("Items", [])], cursor=encode_cursor(last) if last else None)


def encode_cursor(last_evaluated_key: dict[str, Any]) -> str:
    """An opaque page cursor from a LastEvaluatedKey."""
    raw = json.dumps(last_evaluated_key, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, partition_attribute: str, partition_value: str) -> dict[str, Any]:
    """The ExclusiveStartKey of a cursor, refused unless it belongs to the partition being read."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidCursor("malformed page cursor") from error
    if not isinstance(key, dict) or key.get(partition_attribute) != {"S": partition_value}:
        raise InvalidCursor("this page cursor was issued for another query")
    if not all(isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in key.values()):
        raise InvalidCursor("malformed page cursor")
    return key
