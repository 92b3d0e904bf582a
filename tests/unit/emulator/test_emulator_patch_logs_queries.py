"""CloudWatch Logs: saved Logs Insights queries, and TestMetricFilter on JSON and term patterns."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws


def test_put_describe_and_delete_query_definitions(patched) -> None:
    """AWS: PutQueryDefinition without an id creates (names are not unique), with an id replaces;
    DescribeQueryDefinitions filters by name prefix and pages; DeleteQueryDefinition answers success."""
    with mock_aws():
        logs = boto3.client("logs")
        first = logs.put_query_definition(name="app/errors", queryString="fields @message", logGroupNames=["/a"])
        second = logs.put_query_definition(name="app/errors", queryString="fields @timestamp")
        other = logs.put_query_definition(name="ops/slow", queryString="fields @duration")
        assert len({first["queryDefinitionId"], second["queryDefinitionId"], other["queryDefinitionId"]}) == 3

        found = logs.describe_query_definitions(queryDefinitionNamePrefix="app/")["queryDefinitions"]
        assert sorted(q["queryDefinitionId"] for q in found) == sorted(
            [first["queryDefinitionId"], second["queryDefinitionId"]]
        )
        mine = next(q for q in found if q["queryDefinitionId"] == first["queryDefinitionId"])
        assert mine["name"] == "app/errors" and mine["queryString"] == "fields @message"
        assert mine["logGroupNames"] == ["/a"] and mine["queryLanguage"] == "CWLI" and mine["lastModified"] > 0

        logs.put_query_definition(
            queryDefinitionId=first["queryDefinitionId"],
            name="app/errors",
            queryString="stats count()",
            logGroupNames=["/b"],
        )
        updated = [
            q
            for q in logs.describe_query_definitions()["queryDefinitions"]
            if q["queryDefinitionId"] == first["queryDefinitionId"]
        ]
        assert updated[0]["queryString"] == "stats count()" and updated[0]["logGroupNames"] == ["/b"]

        page = logs.describe_query_definitions(maxResults=2)
        assert len(page["queryDefinitions"]) == 2 and page["nextToken"]
        rest = logs.describe_query_definitions(maxResults=2, nextToken=page["nextToken"])
        assert len(rest["queryDefinitions"]) == 1 and "nextToken" not in rest

        assert logs.delete_query_definition(queryDefinitionId=first["queryDefinitionId"])["success"] is True
        assert len(logs.describe_query_definitions()["queryDefinitions"]) == 2


def test_unknown_query_definition_is_not_found(patched) -> None:
    """AWS: ResourceNotFoundException for updating or deleting an id that does not exist."""
    with mock_aws():
        logs = boto3.client("logs")
        for call in (
            lambda: logs.delete_query_definition(queryDefinitionId="00000000-0000-0000-0000-000000000000"),
            lambda: logs.put_query_definition(
                queryDefinitionId="00000000-0000-0000-0000-000000000000", name="x", queryString="fields @message"
            ),
        ):
            with pytest.raises(ClientError) as error:
                call()
            assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


LINES = [
    '{"event": "bid_placed", "project_id": "p-1", "amount": 450.5}',
    '{"event": "project_stats", "active_projects": 42}',
    '{"event": "project_stats", "active_projects": "many"}',
    "plain text ERROR line",
    '{"event": "http_request", "status": 503, "path": "/projects/9", "ok": false, "user": null}',
]


def matched(logs, pattern):
    answer = logs.test_metric_filter(filterPattern=pattern, logEventMessages=LINES)["matches"]
    return {m["eventNumber"]: m["extractedValues"] for m in answer}


def test_metric_filter_evaluates_json_patterns_and_extracts_values(patched) -> None:
    """AWS: a JSON pattern matches the JSON events whose selectors compare as written and extracts each
    selector's value as text; numeric comparisons need numbers; event numbers start at 1."""
    with mock_aws():
        logs = boto3.client("logs")
        assert matched(logs, '{ $.event = "bid_placed" }') == {1: {"$.event": "bid_placed"}}
        assert matched(logs, '{ $.event = "project_stats" && $.active_projects >= 0 }') == {
            2: {"$.event": "project_stats", "$.active_projects": "42"}
        }
        assert set(matched(logs, "{ $.status >= 500 || $.amount > 400 }")) == {1, 5}
        assert set(matched(logs, '{ $.path = "/projects/*" }')) == {5}
        assert set(matched(logs, '{ $.event != "bid_placed" }')) == {2, 3, 5}
        assert set(matched(logs, "{ $.ok IS FALSE && $.user IS NULL }")) == {5}
        assert set(matched(logs, "{ $.amount NOT EXISTS }")) == {2, 3, 5}
        assert set(matched(logs, '{ ($.event = "bid_placed") && ($.amount < 100) }')) == set()


def test_metric_filter_evaluates_term_patterns(patched) -> None:
    """AWS: terms must all appear (case-sensitive), ?terms any of them, -terms none; empty matches all."""
    with mock_aws():
        logs = boto3.client("logs")
        assert set(matched(logs, "ERROR")) == {4}
        assert set(matched(logs, "error")) == set()
        assert set(matched(logs, '"plain text" -DEBUG')) == {4}
        assert set(matched(logs, "?bid_placed ?http_request")) == {1, 5}
        assert set(matched(logs, "")) == {1, 2, 3, 4, 5}


def test_metric_filter_refuses_a_pattern_it_cannot_read(patched) -> None:
    """AWS: InvalidParameterException for a malformed pattern."""
    with mock_aws():
        logs = boto3.client("logs")
        for pattern in ('{ $.event = "x" ', "{ $.event == }"):
            with pytest.raises(ClientError) as error:
                logs.test_metric_filter(filterPattern=pattern, logEventMessages=LINES)
            assert error.value.response["Error"]["Code"] == "InvalidParameterException"
