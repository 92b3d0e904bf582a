"""freelancer.platform.ecs_service against moto in-process (with the emulator's patches, which restore
what AWS answers to CreateService): check, create, idempotency, updates, auto-scaled desired count,
immutable settings, delete, bad input."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import ecs_service

CLUSTER = "test-cluster"
NAME = "test-app"


@pytest.fixture
def world(mocked_aws):
    """A VPC with two subnets and two groups, a cluster, two task definition revisions, a target group behind an ALB."""
    from freelancer_emulator import patches

    patches.apply_all()
    ec2 = boto3.client("ec2", region_name="us-east-2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"us-east-2{z}")["Subnet"]["SubnetId"]
        for i, z in ((1, "a"), (2, "b"))
    ]
    groups = [ec2.create_security_group(GroupName=n, Description=n, VpcId=vpc)["GroupId"] for n in ("ecs", "other")]
    ecs = boto3.client("ecs", region_name="us-east-2")
    ecs.create_cluster(clusterName=CLUSTER)
    for image in ("app:1", "app:2"):
        ecs.register_task_definition(
            family="app",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[{"name": "app", "image": image, "portMappings": [{"containerPort": 8080}]}],
        )
    elbv2 = boto3.client("elbv2", region_name="us-east-2")
    target_group = elbv2.create_target_group(Name="test-app", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip")[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    alb = elbv2.create_load_balancer(Name="test-alb", Subnets=subnets, SecurityGroups=[groups[1]])
    elbv2.create_listener(
        LoadBalancerArn=alb["LoadBalancers"][0]["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": target_group}],
    )
    yield {"ecs": ecs, "subnets": subnets, "groups": groups, "target_group": target_group}
    patches.restore_all()


def args(world, **extra):
    base = {
        "name": NAME,
        "cluster": CLUSTER,
        "task_definition": "app:1",
        "desired_count": 2,
        "subnets": world["subnets"],
        "security_groups": world["groups"][:1],
        "load_balancers": [
            {"target_group_arn": world["target_group"], "container_name": "app", "container_port": 8080}
        ],
        "health_check_grace_period_seconds": 60,
        "circuit_breaker": {"enable": True, "rollback": True},
        "propagate_tags": "SERVICE",
        "tags": {"Environment": "test"},
        "region": "us-east-2",
    }
    base.update(extra)
    return base


def described(world):
    services = world["ecs"].describe_services(cluster=CLUSTER, services=[NAME], include=["TAGS"])["services"]
    return [s for s in services if s["status"] == "ACTIVE"]


def test_check_mode_on_nothing_reports_a_change_and_creates_nothing(run_module, world):
    result, failed = run_module(ecs_service, args(world), check_mode=True, diff=True)
    assert not failed and result["changed"] is True
    assert result["diff"]["before"] == {}
    assert described(world) == []


def test_create_then_idempotent_then_check_reports_nothing(run_module, world):
    result, failed = run_module(ecs_service, args(world))
    assert not failed and result["changed"] is True
    (service,) = described(world)
    assert service["desiredCount"] == 2
    assert service["taskDefinition"].endswith("task-definition/app:1")
    assert sorted(service["networkConfiguration"]["awsvpcConfiguration"]["subnets"]) == sorted(world["subnets"])
    assert service["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["healthCheckGracePeriodSeconds"] == 60
    assert service["loadBalancers"][0]["targetGroupArn"] == world["target_group"]
    assert {t["key"]: t["value"] for t in service["tags"]} == {"Environment": "test"}

    again, _ = run_module(ecs_service, args(world))
    assert again["changed"] is False
    preview, _ = run_module(ecs_service, args(world), check_mode=True, diff=True)
    assert preview["changed"] is False and preview["diff"]["before"] == preview["diff"]["after"]


@pytest.mark.parametrize(
    ("extra", "check"),
    [
        ({"task_definition": "app:2"}, lambda s: s["taskDefinition"].rsplit("/", 1)[-1] == "app:2"),
        (
            {"circuit_breaker": {"enable": False, "rollback": False}},
            lambda s: not s["deploymentConfiguration"]["deploymentCircuitBreaker"]["enable"],
        ),
        ({"health_check_grace_period_seconds": 120}, lambda s: s["healthCheckGracePeriodSeconds"] == 120),
        ({"tags": {"Owner": "team"}}, lambda s: {t["key"]: t["value"] for t in s["tags"]} == {"Owner": "team"}),
        ({"desired_count": 3}, lambda s: s["desiredCount"] == 3),
    ],
)
def test_each_managed_setting_is_updated_in_place(run_module, world, extra, check):
    run_module(ecs_service, args(world))
    preview, _ = run_module(ecs_service, args(world, **extra), check_mode=True)
    assert preview["changed"] is True
    result, _ = run_module(ecs_service, args(world, **extra))
    assert result["changed"] is True
    (service,) = described(world)
    assert check(service)
    again, _ = run_module(ecs_service, args(world, **extra))
    assert again["changed"] is False


def test_security_group_drift_is_put_back(run_module, world):
    run_module(ecs_service, args(world))
    world["ecs"].update_service(
        cluster=CLUSTER,
        service=NAME,
        networkConfiguration={
            "awsvpcConfiguration": {"subnets": world["subnets"], "securityGroups": world["groups"][1:]}
        },
    )
    result, _ = run_module(ecs_service, args(world))
    assert result["changed"] is True
    assert described(world)[0]["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"] == world["groups"][:1]


def test_auto_scaled_desired_count_is_preserved(run_module, world):
    run_module(ecs_service, args(world, preserve_desired_count=True))
    world["ecs"].update_service(cluster=CLUSTER, service=NAME, desiredCount=5)  # what auto scaling does
    kept, _ = run_module(ecs_service, args(world, preserve_desired_count=True))
    assert kept["changed"] is False and described(world)[0]["desiredCount"] == 5
    reset, _ = run_module(ecs_service, args(world))
    assert reset["changed"] is True and described(world)[0]["desiredCount"] == 2


def test_load_balancers_cannot_change_in_place(run_module, world):
    run_module(ecs_service, args(world))
    result, failed = run_module(ecs_service, args(world, load_balancers=[], health_check_grace_period_seconds=None))
    assert failed and "loadBalancers" in result["msg"] and "state=absent" in result["msg"]
    assert described(world)[0]["loadBalancers"][0]["targetGroupArn"] == world["target_group"]


def test_absent_deletes_then_is_idempotent(run_module, world):
    run_module(ecs_service, args(world))
    absent = {"name": NAME, "cluster": CLUSTER, "state": "absent", "region": "us-east-2"}
    preview, _ = run_module(ecs_service, absent, check_mode=True)
    assert preview["changed"] is True and len(described(world)) == 1
    result, _ = run_module(ecs_service, absent)
    assert result["changed"] is True and described(world) == []
    again, _ = run_module(ecs_service, absent)
    assert again["changed"] is False


def test_absent_in_a_missing_cluster_changes_nothing(run_module, world):
    result, failed = run_module(
        ecs_service, {"name": NAME, "cluster": "nope", "state": "absent", "region": "us-east-2"}
    )
    assert not failed and result["changed"] is False


BARE = {
    "subnets": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
    "groups": ["sg-0123456789abcdef0"],
    "target_group": "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/test-app/0123456789abcdef",
}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"circuit_breaker": {"enable": False, "rollback": True}}, "rollback"),
        ({"task_definition": None}, "task_definition"),
        ({"minimum_healthy_percent": 150}, "minimum_healthy_percent"),
        ({"load_balancers": []}, "health_check_grace_period_seconds"),
        ({"desired_count": -1}, "desired_count"),
    ],
)
def test_bad_input_fails_before_any_call(run_module, mocked_aws, extra, message):
    result, failed = run_module(ecs_service, args(BARE, **extra))
    assert failed and message in result["msg"]
    assert boto3.client("ecs", region_name="us-east-2").list_clusters()["clusterArns"] == []
