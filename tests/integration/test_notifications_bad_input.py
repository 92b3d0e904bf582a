"""Bad notifications input stops site.yml in preflight, naming the variable, before any AWS call.

The playbook runs against a port where nothing listens: had any AWS call been made, the failure
would be a connection error, not the validation message.
"""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import ROOT
from conftest import run_playbook

TEMPLATES = ROOT / "roles" / "notifications" / "files" / "ses_templates"


def assert_stopped_before_aws(result, *expected):
    output = result.stdout + result.stderr
    assert result.returncode != 0
    for text in expected:
        assert text in output, output[-3000:]
    assert "Could not connect" not in output and "EndpointConnectionError" not in output
    assert "changed=0" in output


@pytest.mark.parametrize(
    ("subscription", "expected"),
    [
        (
            {"topic": "new_bids", "protocol": "email", "endpoint": "ops.example.com"},
            "notifications_subscriptions[0] (new_bids, email): endpoint ops.example.com is not an email address",
        ),
        (
            {"topic": "payment_confirmations", "protocol": "sms", "endpoint": "+1 555 555 0100"},
            "is not a phone number in E.164 form",
        ),
        (
            {"topic": "new_bid", "protocol": "email", "endpoint": "ops@example.com"},
            "got: new_bid found in notifications_subscriptions",
        ),
    ],
)
def test_bad_subscription_stops_the_run(closed_port, subscription, expected):
    extra = json.dumps({"notifications_subscriptions": [subscription]})
    result = run_playbook("site.yml", "-e", extra, port=closed_port)
    assert_stopped_before_aws(result, expected)


def test_malformed_template_variable_stops_the_run(closed_port, tmp_path):
    templates = tmp_path / "ses_templates"
    shutil.copytree(TEMPLATES, templates)
    body = templates / "milestone-completed" / "body.txt"
    body.write_text(body.read_text().replace("{{milestoneName}}", "{{milestoneName}"))
    result = run_playbook("site.yml", "-e", f"notifications_ses_templates_dir={templates}", port=closed_port)
    assert_stopped_before_aws(
        result,
        "notifications_ses_templates: template milestone-completed",
        "milestone-completed/body.txt line 3",
    )


def test_bad_sender_address_stops_the_run(closed_port):
    extra = json.dumps({"notifications_sender_addresses": ["notifications-at-example.com"]})
    result = run_playbook("site.yml", "-e", extra, port=closed_port)
    assert_stopped_before_aws(result, "notifications_sender_addresses", "notifications-at-example.com")
