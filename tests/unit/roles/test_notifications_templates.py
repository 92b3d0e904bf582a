"""The notifications role's topic policy, rendered from its template and evaluated for the
requests it must allow and deny (NTF-1: publish by this account's principals, and by SES
for the configuration set on the email-events topic only; never without TLS), and the
role's SES template files checked as preflight checks them."""

from __future__ import annotations

import json
import pathlib
import sys

import jinja2
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "support"))

from ansible_collections.freelancer.platform.plugins.module_utils.notifications import handlebars_errors
from policy_simulator import ALLOW
from policy_simulator import EXPLICIT_DENY
from policy_simulator import IMPLICIT_DENY
from policy_simulator import Request
from policy_simulator import evaluate

ROLE = ROOT / "roles" / "notifications"
ACCOUNT = "123456789012"
PREFIX = "dev-freelancer-platform"
CONFIGURATION_SET = f"arn:aws:ses:us-east-2:{ACCOUNT}:configuration-set/{PREFIX}-events"
APP = f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}-ecs-task"
STRANGER = "arn:aws:iam::210987654321:role/somebody"
TLS = {"aws:SecureTransport": True}
KEYS = ("new_bids", "milestone_approvals", "payment_confirmations", "email_events")


def topics():
    names = {
        "new_bids": "new-bids",
        "milestone_approvals": "milestone-approvals",
        "payment_confirmations": "payment-confirmations",
        "email_events": "email-events",
    }
    declared = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())["notifications__topics"]
    assert [t["key"] for t in declared] == list(KEYS)
    return {key: {"key": key, "name": f"{PREFIX}-{name}"} for key, name in names.items()}


def policy(key):
    environment = jinja2.Environment(  # noqa: S701 - a JSON document, nothing to escape
        loader=jinja2.FileSystemLoader(str(ROLE / "templates")), undefined=jinja2.StrictUndefined
    )
    text = environment.get_template("topic_policy.json.j2").render(
        item=topics()[key],
        notifications__partition="aws",
        notifications__account_id=ACCOUNT,
        notifications__topic_arn_prefix=f"arn:aws:sns:us-east-2:{ACCOUNT}:",
        notifications__configuration_set_arn=CONFIGURATION_SET,
    )
    return json.loads(text)


def arn(key):
    return f"arn:aws:sns:us-east-2:{ACCOUNT}:{topics()[key]['name']}"


@pytest.mark.parametrize("key", KEYS)
def test_no_wildcard_action_and_only_the_topic_as_resource(key):
    for statement in policy(key)["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all("*" not in a and a.startswith("sns:") for a in actions), statement
        assert statement["Resource"] == arn(key)


@pytest.mark.parametrize("key", KEYS)
def test_principals_of_this_account_publish_over_tls_only(key):
    document = policy(key)
    assert evaluate(document, Request("sns:Publish", arn(key), principal_arn=APP, context=TLS)) == ALLOW
    plain = Request("sns:Publish", arn(key), principal_arn=APP, context={"aws:SecureTransport": False})
    assert evaluate(document, plain) == EXPLICIT_DENY


@pytest.mark.parametrize("key", KEYS)
def test_other_accounts_and_other_actions_are_not_allowed(key):
    document = policy(key)
    assert evaluate(document, Request("sns:Publish", arn(key), principal_arn=STRANGER, context=TLS)) == IMPLICIT_DENY
    for action in ("sns:Subscribe", "sns:SetTopicAttributes", "sns:DeleteTopic"):
        assert evaluate(document, Request(action, arn(key), principal_arn=STRANGER, context=TLS)) == IMPLICIT_DENY


def ses_request(key, source_arn=CONFIGURATION_SET, source_account=ACCOUNT):
    context = {**TLS, "aws:SourceArn": source_arn, "aws:SourceAccount": source_account}
    return Request("sns:Publish", arn(key), service="ses.amazonaws.com", context=context)


def test_ses_publishes_email_events_for_this_configuration_set_only():
    document = policy("email_events")
    assert evaluate(document, ses_request("email_events")) == ALLOW
    other_set = CONFIGURATION_SET.replace(f"{PREFIX}-events", "someone-elses-events")
    assert evaluate(document, ses_request("email_events", source_arn=other_set)) == IMPLICIT_DENY
    assert evaluate(document, ses_request("email_events", source_account="210987654321")) == IMPLICIT_DENY


@pytest.mark.parametrize("key", ["new_bids", "milestone_approvals", "payment_confirmations"])
def test_no_service_publishes_to_the_business_topics(key):
    assert evaluate(policy(key), ses_request(key)) == IMPLICIT_DENY


@pytest.mark.parametrize(
    "part", sorted(p.relative_to(ROLE / "files") for p in (ROLE / "files" / "ses_templates").glob("*/*"))
)
def test_template_files_are_well_formed(part):
    text = (ROLE / "files" / part).read_text()
    assert handlebars_errors(text, str(part)) == []
    assert text.strip(), f"{part} is empty"
