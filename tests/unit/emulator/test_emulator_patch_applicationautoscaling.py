"""Application Auto Scaling: DescribeScalingPolicies filters by PolicyNames and exact ResourceId; scalable target
tags."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

RESOURCE = "service/platform/api"
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


@pytest.fixture
def scaling(patched):
    """moto in-process with the patches, an ECS service to scale."""
    with mock_aws():
        ecs = boto3.client("ecs")
        ecs.create_cluster(clusterName="platform")
        ecs.register_task_definition(
            family="api", containerDefinitions=[{"name": "api", "image": "api", "memory": 256}]
        )
        ecs.create_service(cluster="platform", serviceName="api", taskDefinition="api:1", desiredCount=1)
        yield boto3.client("application-autoscaling")


def _register(client, **extra):
    return client.register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId=RESOURCE,
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=2,
        MaxCapacity=4,
        **extra,
    )["ScalableTargetARN"]


def test_tags_given_at_registration_are_listed(scaling):
    """AWS: RegisterScalableTarget's Tags are the new target's tags; ListTagsForResource answers them."""
    arn = _register(scaling, Tags={"Environment": "dev", "Project": "freelancer-platform"})
    assert scaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {
        "Environment": "dev",
        "Project": "freelancer-platform",
    }


def test_tag_and_untag_resource_converge_the_tags(scaling):
    """AWS: TagResource adds or overwrites, UntagResource removes; re-registering keeps the tags."""
    arn = _register(scaling, Tags={"Environment": "dev"})
    scaling.tag_resource(ResourceARN=arn, Tags={"Environment": "prod", "Owner": "platform-team"})
    scaling.untag_resource(ResourceARN=arn, TagKeys=["Owner"])
    assert _register(scaling) == arn
    assert scaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"Environment": "prod"}


def test_unknown_target_is_resource_not_found(scaling):
    """AWS: tagging calls on an ARN that is no scalable target raise ResourceNotFoundException."""
    with pytest.raises(ClientError) as error:
        scaling.list_tags_for_resource(
            ResourceARN="arn:aws:application-autoscaling:us-east-2:123456789012:scalable-target/none"
        )
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
