"""A small evaluator of resource policies, for tests that must say what a policy allows.

The emulator stores bucket policies but barely evaluates them (moto 5.2.5 looks
only at statements whose principal is ``*`` and ignores their conditions), and
there is no IAM policy simulator for resource policies offline. This module
evaluates one policy document for one request the way AWS documents it for the
elements the platform's policies use:

* explicit ``Deny`` beats ``Allow``; no matching ``Allow`` is an implicit deny;
* ``Principal`` (``*``, ``{"AWS": ...}``, ``{"Service": ...}``; an account root ARN
  stands for every principal of that account), ``Action`` / ``NotAction``,
  ``Resource`` / ``NotResource`` with ``*`` and ``?`` wildcards and policy
  variables such as ``${aws:PrincipalTag/user_id}`` taken from the request context;
* condition operators ``String(Not)Equals``, ``String(Not)Like``, ``Arn(Not)Equals``,
  ``Arn(Not)Like``, ``Bool``, ``Null``, their ``...IfExists`` forms and the
  ``ForAllValues:`` / ``ForAnyValue:`` set qualifiers. Keys compare
  case-insensitively, values as AWS does (strings case-sensitively). A key the
  request lacks fails a positive operator and satisfies a negated one.

A variable the request lacks makes a ``Resource`` match nothing and a
``NotResource`` match everything, which is the conservative reading for deny
statements. It is not a full IAM engine (no ``NotPrincipal``, no numeric or date
operators, no identity policies): tests use it to check the statements of our
own documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from typing import Any

ALLOW = "Allow"
EXPLICIT_DENY = "ExplicitDeny"
IMPLICIT_DENY = "ImplicitDeny"
VARIABLE = re.compile(r"\$\{([^}]+)\}")
NEGATED = {"stringnotequals", "stringnotlike", "arnnotequals", "arnnotlike"}


@dataclass
class Request:
    """Who asks, for what, on what, with which context keys (``aws:SecureTransport`` ...)."""

    action: str
    resource: str
    principal_arn: str | None = None
    service: str | None = None
    context: dict[str, Any] = field(default_factory=dict)

    def value(self, key: str) -> list[str] | None:
        for name, value in self.context.items():
            if name.lower() == key.lower():
                if value is None:
                    return None
                return [
                    str(v).lower() if isinstance(v, bool) else str(v)
                    for v in (value if isinstance(value, list) else [value])
                ]
        if key.lower() == "aws:principalarn" and self.principal_arn:
            return [self.principal_arn]
        return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _glob(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case_sensitive else re.IGNORECASE) is not None


def _substitute(text: str, request: Request) -> str | None:
    """The text with its policy variables resolved, or None when the request lacks one."""
    missing = False

    def resolve(match: re.Match[str]) -> str:
        nonlocal missing
        if match.group(1) in ("*", "?", "$"):
            return match.group(1)
        values = request.value(match.group(1))
        if not values:
            missing = True
            return ""
        return values[0]

    result = VARIABLE.sub(resolve, text)
    return None if missing else result


def _principal_matches(principal: Any, request: Request) -> bool:
    if principal == "*":
        return True
    for kind, values in principal.items():
        for value in _as_list(values):
            if kind == "Service" and request.service == value:
                return True
            if kind == "AWS" and request.principal_arn:
                if value == "*" or value == request.principal_arn:
                    return True
                root = re.fullmatch(r"arn:aws[a-z-]*:iam::(\d{12}):root", value)
                if root and f"::{root.group(1)}:" in request.principal_arn:
                    return True
    return False


def _match_value(operator: str, expected: str, actual: str) -> bool:
    base = operator.replace("not", "")
    if base in ("stringequals", "arnequals"):
        return expected == actual
    if base in ("stringlike", "arnlike"):
        return _glob(expected, actual)
    if base == "bool":
        return expected.lower() == actual.lower()
    raise ValueError(f"operator {operator} is not supported")


def _condition_holds(operator: str, key: str, expected: Any, request: Request) -> bool:
    qualifier, _, name = operator.rpartition(":")
    name = name.lower()
    if_exists = name.endswith("ifexists")
    name = name.removesuffix("ifexists")
    actual = request.value(key)
    expected_values = [str(v).lower() if isinstance(v, bool) else str(v) for v in _as_list(expected)]
    if name == "null":
        return (actual is None) == (expected_values[0].lower() == "true")
    resolved = [_substitute(v, request) for v in expected_values]
    expected_values = [v for v in resolved if v is not None]
    negated = name in NEGATED
    positive = name.replace("not", "") if negated else name
    if actual is None:
        return True if (if_exists or negated or qualifier.lower() == "forallvalues") else False
    if qualifier.lower() == "forallvalues":
        matched = all(any(_match_value(positive, e, a) for e in expected_values) for a in actual)
        return not matched if negated else matched
    any_match = any(_match_value(positive, e, a) for e in expected_values for a in actual)
    return not any_match if negated else any_match


def statement_applies(statement: dict[str, Any], request: Request) -> bool:
    if "Principal" in statement and not _principal_matches(statement["Principal"], request):
        return False
    if "Action" in statement:
        if not any(_glob(a, request.action, case_sensitive=False) for a in _as_list(statement["Action"])):
            return False
    elif any(_glob(a, request.action, case_sensitive=False) for a in _as_list(statement["NotAction"])):
        return False
    if "Resource" in statement:
        patterns = [_substitute(r, request) for r in _as_list(statement["Resource"])]
        if not any(p is not None and _glob(p, request.resource) for p in patterns):
            return False
    else:
        patterns = [_substitute(r, request) for r in _as_list(statement["NotResource"])]
        if any(p is not None and _glob(p, request.resource) for p in patterns):
            return False
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, expected in keys.items():
            if not _condition_holds(operator, key, expected, request):
                return False
    return True


def evaluate(policy: dict[str, Any], request: Request) -> str:
    """``Allow``, ``ExplicitDeny`` or ``ImplicitDeny`` for the request under this one policy."""
    statements = _as_list(policy.get("Statement", []))
    applying = [s for s in statements if statement_applies(s, request)]
    if any(s["Effect"] == "Deny" for s in applying):
        return EXPLICIT_DENY
    if any(s["Effect"] == "Allow" for s in applying):
        return ALLOW
    return IMPLICIT_DENY


def deciding_statements(policy: dict[str, Any], request: Request) -> list[str]:
    """The Sids of the statements that apply, for assertion messages."""
    return [s.get("Sid", "?") for s in _as_list(policy.get("Statement", [])) if statement_applies(s, request)]


__all__ = [
    "ALLOW",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "Request",
    "deciding_statements",
    "evaluate",
]
