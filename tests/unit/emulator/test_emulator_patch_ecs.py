"""ECS: cluster capacity-provider lists, CreateService settings, services without security groups."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws


@pytest.fixture
def ecs_env(patched):
    with mock_aws():
        ec2 = boto3.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        ecs = boto3.client("ecs")
        ecs.create_cluster(clusterName="platform")
        ecs.register_task_definition(
            family="api",
            containerDefinitions=[{"name": "api", "image": "api:1", "memory": 512}],
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
        )
        yield ecs, subnet


def test_cluster_lists_capacity_providers_even_when_empty(ecs_env) -> None:
    """AWS: CreateCluster / DescribeClusters always return capacityProviders and defaultCapacityProviderStrategy."""
    ecs, _ = ecs_env
    created = ecs.create_cluster(clusterName="empty")["cluster"]
    described = ecs.describe_clusters(clusters=["empty"])["clusters"][0]
    for cluster in (created, described):
        assert cluster["capacityProviders"] == []
        assert cluster["defaultCapacityProviderStrategy"] == []


def test_create_service_keeps_grace_period_exec_and_deployment_configuration(ecs_env) -> None:
    """AWS: the service reports the healthCheckGracePeriodSeconds, enableExecuteCommand and
    deploymentConfiguration it was created with."""
    ecs, subnet = ecs_env
    ecs.create_service(
        cluster="platform",
        serviceName="api",
        taskDefinition="api:1",
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "assignPublicIp": "DISABLED"}},
        healthCheckGracePeriodSeconds=90,
        enableExecuteCommand=True,
        deploymentConfiguration={
            "maximumPercent": 150,
            "minimumHealthyPercent": 50,
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        },
    )
    service = ecs.describe_services(cluster="platform", services=["api"])["services"][0]
    assert service["healthCheckGracePeriodSeconds"] == 90
    assert service["enableExecuteCommand"] is True
    assert service["deploymentConfiguration"] == {
        "maximumPercent": 150,
        "minimumHealthyPercent": 50,
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
    }


def test_create_service_defaults(ecs_env) -> None:
    """AWS: without them, enableExecuteCommand is false and deploymentConfiguration is 200 % / 100 %, breaker off."""
    ecs, subnet = ecs_env
    service = ecs.create_service(
        cluster="platform",
        serviceName="worker",
        taskDefinition="api:1",
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet]}},
    )["service"]
    assert service["enableExecuteCommand"] is False
    assert service["deploymentConfiguration"] == {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
    }


def test_service_without_security_groups_is_created(ecs_env) -> None:
    """AWS: awsvpcConfiguration.securityGroups is optional (the VPC default group is used)."""
    ecs, subnet = ecs_env
    service = ecs.create_service(
        cluster="platform",
        serviceName="nosg",
        taskDefinition="api:1",
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet]}},
    )["service"]
    assert service["networkConfiguration"]["awsvpcConfiguration"]["subnets"] == [subnet]


def test_service_with_an_unknown_subnet_is_still_rejected(ecs_env) -> None:
    """AWS: subnets are validated whether or not security groups are given."""
    ecs, _ = ecs_env
    with pytest.raises(ecs.exceptions.InvalidParameterException):
        ecs.create_service(
            cluster="platform",
            serviceName="bad",
            taskDefinition="api:1",
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-00000000000000000"]}},
        )
