"""freelancer.platform.scalable_target against moto in-process: check mode that writes nothing, both policies
converged in one task, purge, tags (through the emulator's ``applicationautoscaling.scalable_target_tags``
patch), deregistration, bad input."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import scalable_target

RESOURCE = "service/test-cluster/test-app"


@pytest.fixture
def scaling(mocked_aws):
    """An ECS service to scale (and a second one whose id extends the first), with the emulator's patches."""
    from freelancer_emulator import patches

    patches.apply_all()
    ecs = boto3.client("ecs", region_name="us-east-2")
    ecs.create_cluster(clusterName="test-cluster")
    ecs.register_task_definition(family="app", containerDefinitions=[{"name": "app", "image": "app", "memory": 64}])
    for name in ("test-app", "test-app-worker"):
        ecs.create_service(cluster="test-cluster", serviceName=name, taskDefinition="app:1", desiredCount=2)
    yield boto3.client("application-autoscaling", region_name="us-east-2")
    patches.restore_all()


def policy(name, metric, target):
    return {"name": name, "predefined_metric_type": metric, "target_value": target}


def args(**extra):
    base = {
        "service_namespace": "ecs",
        "resource_id": RESOURCE,
        "scalable_dimension": "ecs:service:DesiredCount",
        "min_capacity": 2,
        "max_capacity": 6,
        "policies": [
            policy("cpu", "ECSServiceAverageCPUUtilization", 60),
            policy("memory", "ECSServiceAverageMemoryUtilization", 70),
        ],
        "region": "us-east-2",
    }
    base.update(extra)
    return base


def targets(client, resource=RESOURCE):
    found = client.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    return [t for t in found if t["ResourceId"] == resource]


def policies(client, resource=RESOURCE):
    found = client.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
    return {p["PolicyName"]: p for p in found if p["ResourceId"] == resource}


def test_check_mode_on_nothing_reports_a_change_and_registers_nothing(run_module, scaling):
    result, failed = run_module(scalable_target, args(), check_mode=True, diff=True)
    assert not failed and result["changed"] is True
    assert sorted(result["policies"]) == ["cpu", "memory"]
    assert targets(scaling) == [] and policies(scaling) == {}


def test_create_both_policies_then_idempotent_then_check_reports_nothing(run_module, scaling):
    result, failed = run_module(scalable_target, args())
    assert not failed and result["changed"] is True
    (target,) = targets(scaling)
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 6)
    found = policies(scaling)
    assert {
        n: p["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"] for n, p in found.items()
    } == {
        "cpu": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
        "memory": {"PredefinedMetricType": "ECSServiceAverageMemoryUtilization"},
    }
    assert found["memory"]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 70.0

    again, _ = run_module(scalable_target, args())
    assert again["changed"] is False
    preview, _ = run_module(scalable_target, args(), check_mode=True, diff=True)
    assert preview["changed"] is False and preview["diff"]["before"] == preview["diff"]["after"]


def test_a_neighbour_service_with_a_longer_id_is_not_mistaken_for_this_one(run_module, scaling):
    run_module(scalable_target, args(resource_id=f"{RESOURCE}-worker"))
    result, _ = run_module(scalable_target, args())
    assert result["changed"] is True
    assert run_module(scalable_target, args())[0]["changed"] is False
    assert sorted(policies(scaling, f"{RESOURCE}-worker")) == ["cpu", "memory"]


def test_bounds_and_targets_converge_and_unnamed_policies_are_purged(run_module, scaling):
    run_module(scalable_target, args())
    changed = args(max_capacity=10, policies=[policy("cpu", "ECSServiceAverageCPUUtilization", 50)])
    preview, _ = run_module(scalable_target, changed, check_mode=True)
    assert preview["changed"] is True and sorted(policies(scaling)) == ["cpu", "memory"]
    result, _ = run_module(scalable_target, changed)
    assert result["changed"] is True
    assert targets(scaling)[0]["MaxCapacity"] == 10
    found = policies(scaling)
    assert sorted(found) == ["cpu"]
    assert found["cpu"]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 50.0
    assert run_module(scalable_target, changed)[0]["changed"] is False


def test_tags_converge_on_the_target(run_module, scaling):
    result, _ = run_module(scalable_target, args(tags={"Environment": "test"}))
    arn = targets(scaling)[0]["ScalableTargetARN"]
    assert scaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"Environment": "test"}
    assert result["scalable_target"]["tags"] == {"Environment": "test"}
    assert run_module(scalable_target, args(tags={"Environment": "test"}))[0]["changed"] is False
    retagged, _ = run_module(scalable_target, args(tags={"Owner": "team"}))
    assert retagged["changed"] is True
    assert scaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"Owner": "team"}


def test_absent_deletes_the_policies_and_deregisters_then_is_idempotent(run_module, scaling):
    run_module(scalable_target, args())
    absent = {
        k: v for k, v in args().items() if k in ("service_namespace", "resource_id", "scalable_dimension", "region")
    }
    absent["state"] = "absent"
    preview, _ = run_module(scalable_target, absent, check_mode=True)
    assert preview["changed"] is True and len(targets(scaling)) == 1
    result, _ = run_module(scalable_target, absent)
    assert result["changed"] is True
    assert targets(scaling) == [] and policies(scaling) == {}
    assert run_module(scalable_target, absent)[0]["changed"] is False


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"min_capacity": 7}, "min_capacity"),
        ({"max_capacity": None}, "max_capacity"),
        ({"policies": [policy("cpu", "ECSServiceAverageCPUUtilization", 60)] * 2}, "unique"),
        ({"policies": [policy("cpu", "ECSServiceAverageCPUUtilization", 0)]}, "target_value"),
    ],
)
def test_bad_input_fails_before_any_call(run_module, scaling, extra, message):
    result, failed = run_module(scalable_target, args(**extra))
    assert failed and message in result["msg"]
    assert targets(scaling) == []
