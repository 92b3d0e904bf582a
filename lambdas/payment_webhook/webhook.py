"""Verify and read payment-provider webhook requests; no AWS and no database here.

The provider signs each delivery the way Stripe does: the header

    Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]

where each ``v1`` is the hex HMAC-SHA256, keyed with an endpoint signing secret,
of ``"<t>.<raw body>"``. Several ``v1`` values appear while the provider rolls a
secret; a request is genuine when any of them matches any secret we hold. The
timestamp must be within the tolerance of now, in both directions, so that a
captured request cannot be replayed later.

Requests come from an ALB Lambda target (headers or multi-value headers, names
in any case, the body possibly base64-encoded) or from a direct invocation with
the same event shape.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

SIGNATURE_HEADER = "stripe-signature"
SIGNATURE_SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300

# A direct invocation of an event accepted earlier (the ALB hand-off, Lambda's retries,
# a dead-letter replay) carries {"webhookDelivery": {"stage": "process", ...}} at the top
# level: its signature is checked again, its age is not. The ALB never adds this key.
DELIVERY_KEY = "webhookDelivery"
PROCESS_STAGE = "process"

SUCCEEDED = "payment_intent.succeeded"
FAILED = "payment_intent.payment_failed"
HANDLED_EVENT_TYPES = (SUCCEEDED, FAILED)

# ISO 4217 currencies whose minor unit is not the cent (the provider sends amounts in minor units).
ZERO_DECIMAL_CURRENCIES = frozenset("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split())
THREE_DECIMAL_CURRENCIES = frozenset("BHD JOD KWD OMR TND".split())


class WebhookError(Exception):
    """A request refused before any side effect; ``status`` is the HTTP answer."""

    status = 400
    reason = "bad_request"


class MissingSignature(WebhookError):
    reason = "missing_signature"


class MalformedSignature(WebhookError):
    reason = "malformed_signature"


class SignatureMismatch(WebhookError):
    """A well-formed header whose signatures match none of our secrets."""

    status = 401
    reason = "signature_mismatch"


class TimestampOutOfTolerance(WebhookError):
    reason = "timestamp_out_of_tolerance"


class MalformedPayload(WebhookError):
    reason = "malformed_payload"


class IgnoredEvent(Exception):
    """A genuine event the platform does not act on (answered 200, logged)."""


@dataclass(frozen=True)
class Request:
    """The parts of an HTTP request the webhook needs."""

    headers: Mapping[str, str]
    body: bytes
    via_alb: bool
    multi_value: bool


@dataclass(frozen=True)
class PaymentEvent:
    """A payment-intent event reduced to what the platform records."""

    event_id: str
    event_type: str
    payment_intent_id: str
    amount_minor: int
    amount: Decimal
    currency: str
    milestone_id: int
    project_id: int
    livemode: bool

    @property
    def succeeded(self) -> bool:
        return self.event_type == SUCCEEDED


def request_from_event(event: Mapping[str, Any]) -> Request:
    """Headers (lowercase names, repeated values joined with commas) and the raw body bytes."""
    if not isinstance(event, Mapping):
        raise MalformedPayload("the event is not an object")
    headers: dict[str, str] = {}
    multi = event.get("multiValueHeaders")
    if isinstance(multi, Mapping):
        for name, values in multi.items():
            if isinstance(values, str):
                values = [values]
            headers[str(name).lower()] = ",".join(str(v) for v in values or [])
    single = event.get("headers")
    if isinstance(single, Mapping):
        for name, value in single.items():
            headers.setdefault(str(name).lower(), str(value))
    body = event.get("body")
    if body is None:
        body = ""
    if not isinstance(body, str):
        raise MalformedPayload("the body is not a string")
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedPayload("the body is not valid base64") from exc
    else:
        raw = body.encode("utf-8")
    request_context = event.get("requestContext")
    via_alb = isinstance(request_context, Mapping) and "elb" in request_context
    return Request(headers=headers, body=raw, via_alb=via_alb, multi_value=isinstance(multi, Mapping))


def parse_signature_header(value: str) -> tuple[int, list[str]]:
    """``(timestamp, [v1 signatures])`` of a signature header; other schemes are ignored."""
    timestamp: int | None = None
    signatures: list[str] = []
    for item in value.split(","):
        key, sep, val = item.strip().partition("=")
        if not sep:
            continue
        key, val = key.strip(), val.strip()
        if key == "t" and timestamp is None:
            if not val.isascii() or not val.isdigit():
                raise MalformedSignature("the signature timestamp is not a number")
            timestamp = int(val)
        elif key == SIGNATURE_SCHEME and val:
            signatures.append(val)
    if timestamp is None:
        raise MalformedSignature("the signature header has no timestamp")
    if not signatures:
        raise MalformedSignature(f"the signature header has no {SIGNATURE_SCHEME} signature")
    return timestamp, signatures


def expected_signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"`` keyed with ``secret``."""
    return hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """A signature header value, as the provider would send it (tests, replays, the benchmark)."""
    return f"t={timestamp},{SIGNATURE_SCHEME}={expected_signature(secret, timestamp, body)}"


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secrets: Iterable[str],
    *,
    now: float,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    check_tolerance: bool = True,
) -> int:
    """Check the signature header of a request; return its timestamp or raise a :class:`WebhookError`.

    Every candidate is compared in constant time with :func:`hmac.compare_digest`.
    """
    header = headers.get(SIGNATURE_HEADER)
    if not header:
        raise MissingSignature(f"no {SIGNATURE_HEADER} header")
    timestamp, candidates = parse_signature_header(header)
    expected = [expected_signature(s, timestamp, body).encode() for s in secrets if s]
    if not expected:
        raise SignatureMismatch("no signing secret is configured")
    matched = False
    for mine in expected:
        for theirs in candidates:
            # compare every pair: the time taken does not depend on which one matched
            matched |= hmac.compare_digest(mine, theirs.encode("utf-8", "replace"))
    if not matched:
        raise SignatureMismatch("no signature matches")
    if check_tolerance and abs(now - timestamp) > tolerance:
        raise TimestampOutOfTolerance(f"the signature timestamp is {int(now - timestamp)} s from now")
    return timestamp


def parse_event(body: bytes) -> dict[str, Any]:
    """The provider event of a verified body: a JSON object with a string ``id`` and ``type``."""
    try:
        event = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedPayload("the body is not JSON") from exc
    if not isinstance(event, dict):
        raise MalformedPayload("the body is not a JSON object")
    if not isinstance(event.get("id"), str) or not event["id"]:
        raise MalformedPayload("the event has no id")
    if not isinstance(event.get("type"), str) or not event["type"]:
        raise MalformedPayload("the event has no type")
    if len(event["id"]) > 255:
        raise MalformedPayload("the event id is longer than 255 characters")
    return event


def _positive_id(metadata: Mapping[str, Any], key: str) -> int:
    value = metadata.get(key)
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit() or int(text) <= 0:
        raise IgnoredEvent(f"metadata.{key} is missing or not a positive integer")
    return int(text)


def amount_from_minor(amount_minor: int, currency: str) -> Decimal:
    """The amount in major units (``1234 USD`` -> ``12.34``)."""
    exponent = 0 if currency in ZERO_DECIMAL_CURRENCIES else 3 if currency in THREE_DECIMAL_CURRENCIES else 2
    return Decimal(amount_minor).scaleb(-exponent)


def payment_from_event(event: Mapping[str, Any]) -> PaymentEvent:
    """The payment of a ``payment_intent.*`` event; :class:`IgnoredEvent` when it is not one of ours."""
    event_type = event.get("type")
    if event_type not in HANDLED_EVENT_TYPES:
        raise IgnoredEvent(f"event type {event_type} is not handled")
    data = event.get("data")
    intent = data.get("object") if isinstance(data, Mapping) else None
    if not isinstance(intent, Mapping):
        raise IgnoredEvent("the event has no data.object")
    intent_id = intent.get("id")
    if not isinstance(intent_id, str) or not intent_id:
        raise IgnoredEvent("data.object has no id")
    amount = intent.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise IgnoredEvent("data.object.amount is not a positive integer (minor units)")
    currency = intent.get("currency")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
        raise IgnoredEvent("data.object.currency is not an ISO 4217 code")
    currency = currency.upper()
    metadata = intent.get("metadata")
    if not isinstance(metadata, Mapping):
        raise IgnoredEvent("data.object has no metadata (not a platform payment)")
    return PaymentEvent(
        event_id=str(event["id"]),
        event_type=str(event_type),
        payment_intent_id=intent_id,
        amount_minor=amount,
        amount=amount_from_minor(amount, currency),
        currency=currency,
        milestone_id=_positive_id(metadata, "milestone_id"),
        project_id=_positive_id(metadata, "project_id"),
        livemode=bool(event.get("livemode", False)),
    )
