"""Application Auto Scaling: DescribeScalingPolicies filters by PolicyNames and exact ResourceId."""

from __future__ import annotations

import boto3
from moto import mock_aws

POLICY = {
    "TargetValue": 60.0,
    "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
}


def _policy(client, name: str, resource: str) -> None:
    client.put_scaling_policy(
        PolicyName=name,
        ServiceNamespace="ecs",
        ResourceId=resource,
        ScalableDimension="ecs:service:DesiredCount",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration=POLICY,
    )


def test_describe_scaling_policies_honours_policy_names_and_exact_resource_id(patched) -> None:
    """AWS: PolicyNames limits the answer to those policies; ResourceId is an exact match."""
    with mock_aws():
        ecs = boto3.client("ecs")
        ecs.create_cluster(clusterName="platform")
        ecs.register_task_definition(
            family="api", containerDefinitions=[{"name": "api", "image": "api", "memory": 256}]
        )
        for service in ("api", "api-worker"):
            ecs.create_service(cluster="platform", serviceName=service, taskDefinition="api:1", desiredCount=1)
        client = boto3.client("application-autoscaling")
        for resource in ("service/platform/api", "service/platform/api-worker"):
            client.register_scalable_target(
                ServiceNamespace="ecs",
                ResourceId=resource,
                ScalableDimension="ecs:service:DesiredCount",
                MinCapacity=1,
                MaxCapacity=4,
            )
        _policy(client, "cpu", "service/platform/api")
        _policy(client, "memory", "service/platform/api")
        _policy(client, "cpu", "service/platform/api-worker")

        named = client.describe_scaling_policies(
            ServiceNamespace="ecs", ResourceId="service/platform/api", PolicyNames=["memory"]
        )["ScalingPolicies"]
        assert [(p["PolicyName"], p["ResourceId"]) for p in named] == [("memory", "service/platform/api")]

        worker = client.describe_scaling_policies(ServiceNamespace="ecs", ResourceId="service/platform/api-worker")
        assert [p["ResourceId"] for p in worker["ScalingPolicies"]] == ["service/platform/api-worker"]

        by_name = client.describe_scaling_policies(ServiceNamespace="ecs", PolicyNames=["cpu"])["ScalingPolicies"]
        assert sorted(p["ResourceId"] for p in by_name) == ["service/platform/api", "service/platform/api-worker"]
