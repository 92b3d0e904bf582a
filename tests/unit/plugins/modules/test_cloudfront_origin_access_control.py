"""freelancer.platform.cloudfront_origin_access_control against moto in-process."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import cloudfront_origin_access_control as oac

NAME = "test-freelancer-platform-portfolio"


@pytest.fixture
def cloudfront(mocked_aws):
    return boto3.client("cloudfront", region_name="us-east-2")


def args(**extra):
    base = {"name": NAME, "description": "portfolio reads", "region": "us-east-2"}
    base.update(extra)
    return base


def controls(cloudfront):
    return cloudfront.list_origin_access_controls()["OriginAccessControlList"].get("Items") or []


def test_check_mode_on_nothing_reports_a_change_and_creates_nothing(run_module, cloudfront):
    result, failed = run_module(oac, args(), check_mode=True, diff=True)
    assert not failed and result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["origin_access_control"]["signing_behavior"] == "always"
    assert controls(cloudfront) == []


def test_create_then_idempotent_then_check_reports_nothing(run_module, cloudfront):
    result, failed = run_module(oac, args())
    assert not failed and result["changed"] is True
    control = result["origin_access_control"]
    assert control["id"] and control["origin_type"] == "s3" and control["signing_protocol"] == "sigv4"
    stored = cloudfront.get_origin_access_control(Id=control["id"])["OriginAccessControl"]["OriginAccessControlConfig"]
    assert stored["Name"] == NAME and stored["SigningBehavior"] == "always"

    again, _ = run_module(oac, args())
    assert again["changed"] is False and again["origin_access_control"]["id"] == control["id"]
    preview, _ = run_module(oac, args(), check_mode=True, diff=True)
    assert preview["changed"] is False
    assert len(controls(cloudfront)) == 1


def test_update_in_place(run_module, cloudfront):
    first, _ = run_module(oac, args())
    result, _ = run_module(oac, args(description="changed", signing_behavior="no-override"), diff=True)
    assert result["changed"] is True
    assert result["origin_access_control"]["id"] == first["origin_access_control"]["id"]
    assert result["diff"]["before"]["description"] == "portfolio reads"
    stored = cloudfront.get_origin_access_control(Id=first["origin_access_control"]["id"])["OriginAccessControl"]
    assert stored["OriginAccessControlConfig"]["SigningBehavior"] == "no-override"


def test_absent_deletes_then_is_idempotent(run_module, cloudfront):
    run_module(oac, args())
    preview, _ = run_module(oac, args(state="absent"), check_mode=True)
    assert preview["changed"] is True and len(controls(cloudfront)) == 1
    result, _ = run_module(oac, args(state="absent"))
    assert result["changed"] is True and controls(cloudfront) == []
    again, _ = run_module(oac, args(state="absent"))
    assert again["changed"] is False


def test_bad_input_fails_before_any_call(run_module, cloudfront):
    result, failed = run_module(oac, args(name="x" * 65))
    assert failed and "64 characters" in result["msg"]
    result, failed = run_module(oac, args(signing_behavior="sometimes"))
    assert failed and "signing_behavior" in result["msg"]
    assert controls(cloudfront) == []
