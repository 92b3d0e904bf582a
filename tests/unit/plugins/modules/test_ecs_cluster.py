"""freelancer.platform.ecs_cluster against moto in-process: check, apply, idempotency, change, delete, bad input."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import ecs_cluster

NAME = "test-freelancer-platform-cluster"


@pytest.fixture
def ecs(mocked_aws):
    return boto3.client("ecs", region_name="us-east-2")


def args(**extra):
    base = {
        "name": NAME,
        "container_insights": "enabled",
        "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
        "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1}],
        "tags": {"Environment": "test"},
        "region": "us-east-2",
    }
    base.update(extra)
    return base


def active(ecs):
    found = ecs.describe_clusters(clusters=[NAME], include=["SETTINGS", "TAGS"])["clusters"]
    return [c for c in found if c["status"] == "ACTIVE"]


def test_check_mode_on_nothing_reports_a_change_and_creates_nothing(run_module, ecs):
    result, failed = run_module(ecs_cluster, args(), check_mode=True, diff=True)
    assert not failed and result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["cluster"]["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert active(ecs) == []


def test_create_then_idempotent_then_check_reports_nothing(run_module, ecs):
    result, failed = run_module(ecs_cluster, args())
    assert not failed and result["changed"] is True
    (cluster,) = active(ecs)
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert sorted(cluster["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    assert {t["key"]: t["value"] for t in cluster["tags"]} == {"Environment": "test"}
    assert result["cluster"]["cluster_arn"] == cluster["clusterArn"]

    again, _ = run_module(ecs_cluster, args())
    assert again["changed"] is False
    preview, _ = run_module(ecs_cluster, args(), check_mode=True, diff=True)
    assert preview["changed"] is False
    assert preview["diff"]["before"] == preview["diff"]["after"]


def test_insights_and_tags_converge_in_place(run_module, ecs):
    run_module(ecs_cluster, args())
    preview, _ = run_module(ecs_cluster, args(container_insights="disabled"), check_mode=True)
    assert preview["changed"] is True
    assert active(ecs)[0]["settings"] == [{"name": "containerInsights", "value": "enabled"}]

    result, _ = run_module(ecs_cluster, args(container_insights="disabled", tags={"Owner": "team"}))
    assert result["changed"] is True
    (cluster,) = active(ecs)
    assert cluster["settings"] == [{"name": "containerInsights", "value": "disabled"}]
    assert {t["key"]: t["value"] for t in cluster["tags"]} == {"Owner": "team"}


def test_unmentioned_settings_are_left_alone(run_module, ecs):
    run_module(ecs_cluster, args())
    result, _ = run_module(ecs_cluster, {"name": NAME, "region": "us-east-2"})
    assert result["changed"] is False
    assert active(ecs)[0]["settings"] == [{"name": "containerInsights", "value": "enabled"}]


def test_absent_deletes_then_is_idempotent(run_module, ecs):
    run_module(ecs_cluster, args())
    preview, _ = run_module(ecs_cluster, {"name": NAME, "state": "absent", "region": "us-east-2"}, check_mode=True)
    assert preview["changed"] is True and len(active(ecs)) == 1
    result, _ = run_module(ecs_cluster, {"name": NAME, "state": "absent", "region": "us-east-2"})
    assert result["changed"] is True and active(ecs) == []
    again, _ = run_module(ecs_cluster, {"name": NAME, "state": "absent", "region": "us-east-2"})
    assert again["changed"] is False


def test_strategy_naming_an_unlisted_provider_fails_before_any_call(run_module, ecs):
    result, failed = run_module(
        ecs_cluster,
        args(
            capacity_providers=["FARGATE"], default_capacity_provider_strategy=[{"capacity_provider": "FARGATE_SPOT"}]
        ),
    )
    assert failed and "FARGATE_SPOT" in result["msg"]
    assert active(ecs) == []
