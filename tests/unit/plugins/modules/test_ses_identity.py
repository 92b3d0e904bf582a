"""freelancer.platform.ses_identity against moto in-process: check, apply, idempotency, DKIM, delete, bad input."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import ses_identity

DOMAIN = "test.freelancer-platform.example.com"
SENDER = f"notifications@{DOMAIN}"


def identities():
    return sorted(boto3.client("ses", region_name="us-east-2").list_identities()["Identities"])


def args(identity=DOMAIN, **extra):
    return {"identity": identity, "region": "us-east-2", **extra}


@pytest.fixture
def patched_ses(mocked_aws):
    """The emulator's patches (SetIdentityDkimEnabled), undone after the test."""
    from freelancer_emulator import patches

    patches.apply_all()
    yield
    patches.restore_all()


def test_check_mode_on_nothing_reports_a_change_and_creates_nothing(run_module, mocked_aws):
    result, failed = run_module(ses_identity, args(), check_mode=True, diff=True)
    assert not failed and result["changed"] is True
    assert result["identity"]["identity_type"] == "domain"
    assert result["identity"]["verification_status"] == "Pending"
    assert result["diff"]["before"] == {}
    assert identities() == []


def test_domain_with_dkim_then_idempotent(run_module, mocked_aws):
    result, failed = run_module(ses_identity, args())
    assert not failed and result["changed"] is True
    identity = result["identity"]
    assert identity["dkim_enabled"] is True
    assert len(identity["dkim_tokens"]) == 3
    cnames = [r for r in identity["dns_records"] if r["type"] == "CNAME"]
    assert [r["name"] for r in cnames] == [f"{t}._domainkey.{DOMAIN}" for t in identity["dkim_tokens"]]
    assert all(r["value"].endswith(".dkim.amazonses.com") for r in cnames)
    attributes = boto3.client("ses", region_name="us-east-2").get_identity_dkim_attributes(Identities=[DOMAIN])
    assert attributes["DkimAttributes"][DOMAIN]["DkimTokens"] == identity["dkim_tokens"]
    assert identities() == [DOMAIN]

    again, _ = run_module(ses_identity, args())
    assert again["changed"] is False
    assert again["identity"]["dkim_tokens"] == identity["dkim_tokens"]

    preview, _ = run_module(ses_identity, args(), check_mode=True, diff=True)
    assert preview["changed"] is False
    assert preview["diff"]["before"] == preview["diff"]["after"]


def test_dkim_switched_off_and_on(run_module, patched_ses):
    run_module(ses_identity, args())
    off, failed = run_module(ses_identity, args(dkim_enabled=False))
    assert not failed and off["changed"] is True
    assert off["identity"]["dkim_enabled"] is False
    again, _ = run_module(ses_identity, args(dkim_enabled=False))
    assert again["changed"] is False
    on, _ = run_module(ses_identity, args())
    assert on["changed"] is True and on["identity"]["dkim_enabled"] is True


def test_sender_address(run_module, mocked_aws):
    result, failed = run_module(ses_identity, args(SENDER))
    assert not failed and result["changed"] is True
    assert result["identity"]["identity_type"] == "email_address"
    assert "dkim_tokens" not in result["identity"]
    assert identities() == [SENDER]
    again, _ = run_module(ses_identity, args(SENDER))
    assert again["changed"] is False


def test_absent_deletes_then_is_idempotent(run_module, mocked_aws):
    run_module(ses_identity, args())
    run_module(ses_identity, args(SENDER))
    preview, _ = run_module(ses_identity, args(SENDER, state="absent"), check_mode=True)
    assert preview["changed"] is True and identities() == sorted([DOMAIN, SENDER])
    result, _ = run_module(ses_identity, args(SENDER, state="absent"))
    assert result["changed"] is True and identities() == [DOMAIN]
    again, _ = run_module(ses_identity, args(SENDER, state="absent"))
    assert again["changed"] is False
    run_module(ses_identity, args(state="absent"))
    assert identities() == []


@pytest.mark.parametrize(
    ("identity", "expected"),
    [
        ("notifications@", "identity 'notifications@' is not an email address"),
        ("a b@example.com", "is not an email address"),
        ("not a domain", "is neither an email address nor a DNS domain"),
        ("example", "is neither an email address nor a DNS domain"),
    ],
)
def test_bad_input_fails_before_any_call(run_module, mocked_aws, identity, expected):
    result, failed = run_module(ses_identity, args(identity))
    assert failed
    assert expected in result["msg"]
    assert identities() == []
