"""freelancer.platform.cloudwatch_dashboard against moto in-process: check, apply, idempotency, update, delete, bad input."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import cloudwatch_dashboard

NAME = "test-overview"
WIDGET = {
    "type": "metric",
    "x": 0,
    "y": 0,
    "width": 12,
    "height": 6,
    "properties": {
        "title": "DLQ",
        "region": "us-east-2",
        "metrics": [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "dlq"]],
    },
}


@pytest.fixture
def cloudwatch(mocked_aws):
    """moto with the emulator's patches (dashboard tags), undone after the test."""
    from freelancer_emulator import patches

    patches.apply_all()
    yield boto3.client("cloudwatch", region_name="us-east-2")
    patches.restore_all()


def args(**extra):
    base = {
        "name": NAME,
        "body": json.dumps({"widgets": [WIDGET]}),
        "tags": {"Environment": "test"},
        "region": "us-east-2",
    }
    base.update(extra)
    return base


def stored(cloudwatch):
    answer = cloudwatch.get_dashboard(DashboardName=NAME)
    tags = cloudwatch.list_tags_for_resource(ResourceARN=answer["DashboardArn"])["Tags"]
    return json.loads(answer["DashboardBody"]), {t["Key"]: t["Value"] for t in tags}


def test_check_mode_on_nothing_reports_a_change_and_creates_nothing(run_module, cloudwatch):
    result, failed = run_module(cloudwatch_dashboard, args(), check_mode=True, diff=True)
    assert not failed and result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["dashboard"]["dashboard_body"] == {"widgets": [WIDGET]}
    assert result["dashboard"]["dashboard_arn"].endswith(f":dashboard/{NAME}")
    assert cloudwatch.list_dashboards()["DashboardEntries"] == []


def test_create_then_idempotent_whatever_the_key_order(run_module, cloudwatch):
    result, failed = run_module(cloudwatch_dashboard, args())
    assert not failed and result["changed"] is True
    assert stored(cloudwatch) == ({"widgets": [WIDGET]}, {"Environment": "test"})

    reordered = json.dumps({"widgets": [dict(reversed(list(WIDGET.items())))]}, indent=4, sort_keys=True)
    again, _ = run_module(cloudwatch_dashboard, args(body=reordered))
    assert again["changed"] is False

    preview, _ = run_module(cloudwatch_dashboard, args(), check_mode=True, diff=True)
    assert preview["changed"] is False
    assert preview["diff"]["before"] == preview["diff"]["after"]


def test_body_change_is_shown_in_the_diff_and_applied(run_module, cloudwatch):
    run_module(cloudwatch_dashboard, args())
    wider = dict(WIDGET, width=24)
    body = json.dumps({"widgets": [wider]})

    preview, _ = run_module(cloudwatch_dashboard, args(body=body), check_mode=True, diff=True)
    assert preview["changed"] is True
    assert preview["diff"]["before"]["dashboard_body"]["widgets"][0]["width"] == 12
    assert preview["diff"]["after"]["dashboard_body"]["widgets"][0]["width"] == 24
    assert stored(cloudwatch)[0] == {"widgets": [WIDGET]}

    result, _ = run_module(cloudwatch_dashboard, args(body=body))
    assert result["changed"] is True
    assert stored(cloudwatch)[0] == {"widgets": [wider]}


def test_tags_are_converged_without_rewriting_the_body(run_module, cloudwatch):
    run_module(cloudwatch_dashboard, args())
    result, _ = run_module(cloudwatch_dashboard, args(tags={"Environment": "test", "Owner": "team"}))
    assert result["changed"] is True
    assert result["dashboard"]["tags"] == {"Environment": "test", "Owner": "team"}
    result, _ = run_module(cloudwatch_dashboard, args(tags={"Owner": "team"}))
    assert stored(cloudwatch)[1] == {"Owner": "team"}
    kept, _ = run_module(cloudwatch_dashboard, args(tags={"Extra": "x"}, purge_tags=False))
    assert kept["dashboard"]["tags"] == {"Owner": "team", "Extra": "x"}


def test_absent_deletes_then_is_idempotent(run_module, cloudwatch):
    run_module(cloudwatch_dashboard, args())
    preview, _ = run_module(
        cloudwatch_dashboard, {"name": NAME, "state": "absent", "region": "us-east-2"}, check_mode=True
    )
    assert preview["changed"] is True and len(cloudwatch.list_dashboards()["DashboardEntries"]) == 1
    result, _ = run_module(cloudwatch_dashboard, {"name": NAME, "state": "absent", "region": "us-east-2"}, diff=True)
    assert result["changed"] is True and result["diff"]["after"] == {}
    assert cloudwatch.list_dashboards()["DashboardEntries"] == []
    again, _ = run_module(cloudwatch_dashboard, {"name": NAME, "state": "absent", "region": "us-east-2"})
    assert again["changed"] is False


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"body": "{not json"}, "body is not valid JSON"),
        ({"body": json.dumps({"rows": []})}, "widgets list"),
        ({"body": json.dumps({"widgets": [{"type": "pie"}]})}, "body.widgets[0]"),
        ({"body": json.dumps({"widgets": [{"type": "metric", "properties": {}}]})}, "without properties.metrics"),
        ({"name": "has space"}, "name 'has space' is invalid"),
        ({"body": None}, "body"),
    ],
)
def test_bad_input_fails_before_any_call(run_module, cloudwatch, extra, message):
    result, failed = run_module(cloudwatch_dashboard, args(**extra))
    assert failed and message in result["msg"]
    assert cloudwatch.list_dashboards()["DashboardEntries"] == []
