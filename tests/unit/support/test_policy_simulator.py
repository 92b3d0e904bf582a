"""The policy simulator the bucket policy tests rely on, checked against documented IAM semantics."""

from __future__ import annotations

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "support"))

from policy_simulator import ALLOW
from policy_simulator import EXPLICIT_DENY
from policy_simulator import IMPLICIT_DENY
from policy_simulator import Request
from policy_simulator import evaluate

ROLE = "arn:aws:iam::123456789012:role/app"


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_explicit_deny_beats_allow_and_nothing_is_an_implicit_deny():
    allow = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    deny = dict(allow, Effect="Deny")
    request = Request("s3:GetObject", "arn:aws:s3:::b/k", principal_arn=ROLE)
    assert evaluate(policy(allow), request) == ALLOW
    assert evaluate(policy(allow, deny), request) == EXPLICIT_DENY
    assert evaluate(policy(), request) == IMPLICIT_DENY
    assert evaluate(policy(allow), Request("s3:PutObject", "arn:aws:s3:::b/k", principal_arn=ROLE)) == IMPLICIT_DENY


def test_account_root_principal_covers_the_account_only():
    allow = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "s3:*",
        "Resource": "*",
    }
    assert evaluate(policy(allow), Request("s3:GetObject", "x", principal_arn=ROLE)) == ALLOW
    other = "arn:aws:iam::999999999999:role/app"
    assert evaluate(policy(allow), Request("s3:GetObject", "x", principal_arn=other)) == IMPLICIT_DENY
    assert evaluate(policy(allow), Request("s3:GetObject", "x", service="cloudfront.amazonaws.com")) == IMPLICIT_DENY


def test_policy_variables_resolve_from_the_context_and_a_missing_one_matches_no_resource():
    allow = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::b/u/${aws:PrincipalTag/uid}/*",
    }
    tagged = {"aws:PrincipalTag/uid": "alice"}
    assert evaluate(policy(allow), Request("s3:PutObject", "arn:aws:s3:::b/u/alice/x", ROLE, context=tagged)) == ALLOW
    assert (
        evaluate(policy(allow), Request("s3:PutObject", "arn:aws:s3:::b/u/bob/x", ROLE, context=tagged))
        == IMPLICIT_DENY
    )
    assert evaluate(policy(allow), Request("s3:PutObject", "arn:aws:s3:::b/u//x", ROLE)) == IMPLICIT_DENY


@pytest.mark.parametrize(
    ("operator", "expected", "context", "holds"),
    [
        ("StringEquals", "a", {"k": "a"}, True),
        ("StringEquals", "a", {}, False),
        ("StringNotEquals", "a", {}, True),
        ("StringNotEquals", "a", {"k": "a"}, False),
        ("StringLike", "a*", {"k": "abc"}, True),
        ("ArnNotEquals", ["x", "y"], {"k": "y"}, False),
        ("Bool", "false", {"k": False}, True),
        ("Bool", "false", {"k": True}, False),
        ("Null", "true", {}, True),
        ("Null", "true", {"k": "v"}, False),
        ("StringEqualsIfExists", "a", {}, True),
        ("ForAllValues:StringLike", ["a#*", "*#a"], {"k": ["a#b"]}, True),
        ("ForAllValues:StringLike", ["a#*", "*#a"], {"k": ["a#b", "b#c"]}, False),
        ("ForAnyValue:StringEquals", ["x"], {"k": ["y", "x"]}, True),
    ],
)
def test_condition_operators(operator, expected, context, holds):
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "*",
        "Resource": "*",
        "Condition": {operator: {"k": expected}},
    }
    result = evaluate(policy(statement), Request("s3:GetObject", "x", ROLE, context=context))
    assert (result == ALLOW) is holds
