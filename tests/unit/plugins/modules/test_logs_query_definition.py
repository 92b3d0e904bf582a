"""freelancer.platform.logs_query_definition against moto in-process: check, apply, idempotency, update, delete, bad input."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import logs_query_definition

NAME = "test/slow-requests"
QUERY = """fields @timestamp, path, duration_ms
| filter event = "http_request" and duration_ms > 1000
| sort duration_ms desc"""


@pytest.fixture
def logs(mocked_aws):
    """moto with the emulator's patches (saved queries), undone after the test."""
    from freelancer_emulator import patches

    patches.apply_all()
    yield boto3.client("logs", region_name="us-east-2")
    patches.restore_all()


def args(**extra):
    base = {"name": NAME, "query_string": QUERY, "log_group_names": ["/ecs/test-app"], "region": "us-east-2"}
    base.update(extra)
    return base


def saved(logs):
    return [q for q in logs.describe_query_definitions()["queryDefinitions"] if q["name"] == NAME]


def test_check_mode_on_nothing_reports_a_change_and_creates_nothing(run_module, logs):
    result, failed = run_module(logs_query_definition, args(), check_mode=True, diff=True)
    assert not failed and result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["query_definition"]["query_string"] == QUERY
    assert saved(logs) == []


def test_create_then_idempotent_then_check_reports_nothing(run_module, logs):
    result, failed = run_module(logs_query_definition, args())
    assert not failed and result["changed"] is True
    [query] = saved(logs)
    assert query["queryDefinitionId"] == result["query_definition"]["query_definition_id"]
    assert query["queryString"] == QUERY and query["logGroupNames"] == ["/ecs/test-app"]

    again, _ = run_module(logs_query_definition, args(query_string=f"\n{QUERY}\n"))
    assert again["changed"] is False
    assert len(saved(logs)) == 1

    preview, _ = run_module(logs_query_definition, args(), check_mode=True, diff=True)
    assert preview["changed"] is False and preview["diff"]["before"] == preview["diff"]["after"]


def test_change_updates_the_same_query_by_id(run_module, logs):
    first, _ = run_module(logs_query_definition, args())
    result, _ = run_module(
        logs_query_definition, args(query_string="fields @message | limit 5", log_group_names=["/b", "/a"]), diff=True
    )
    assert result["changed"] is True
    assert result["diff"]["before"]["query_string"] == QUERY
    [query] = saved(logs)
    assert query["queryDefinitionId"] == first["query_definition"]["query_definition_id"]
    assert query["queryString"] == "fields @message | limit 5"
    assert sorted(query["logGroupNames"]) == ["/a", "/b"]
    again, _ = run_module(
        logs_query_definition, args(query_string="fields @message | limit 5", log_group_names=["/a", "/b"])
    )
    assert again["changed"] is False


def test_duplicates_of_the_name_are_removed(run_module, logs):
    for _ in range(3):
        logs.put_query_definition(name=NAME, queryString=QUERY, logGroupNames=["/ecs/test-app"])
    result, _ = run_module(logs_query_definition, args())
    assert result["changed"] is True
    assert len(saved(logs)) == 1


def test_absent_deletes_then_is_idempotent(run_module, logs):
    run_module(logs_query_definition, args())
    logs.put_query_definition(name="test/other", queryString=QUERY)
    absent = {"name": NAME, "state": "absent", "region": "us-east-2"}
    preview, _ = run_module(logs_query_definition, absent, check_mode=True)
    assert preview["changed"] is True and len(saved(logs)) == 1
    result, _ = run_module(logs_query_definition, absent)
    assert result["changed"] is True and saved(logs) == []
    assert [q["name"] for q in logs.describe_query_definitions()["queryDefinitions"]] == ["test/other"]
    again, _ = run_module(logs_query_definition, absent)
    assert again["changed"] is False


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"query_string": "   "}, "query_string is required"),
        ({"query_string": None}, "query_string"),
        ({"name": ""}, "name must have"),
        ({"log_group_names": ["bad group!"]}, "log_group_names[0]"),
    ],
)
def test_bad_input_fails_before_any_call(run_module, logs, extra, message):
    result, failed = run_module(logs_query_definition, args(**extra))
    assert failed and message in result["msg"]
    assert saved(logs) == []
