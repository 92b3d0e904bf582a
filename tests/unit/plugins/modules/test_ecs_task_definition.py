"""freelancer.platform.ecs_task_definition against moto in-process: a revision only when the definition changed."""

from __future__ import annotations

import copy
import json

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import ecs_task_definition

FAMILY = "test-freelancer-platform-app"
SECRET = "arn:aws:secretsmanager:us-east-2:123456789012:secret:test/aurora-AbCdEf"
CONTAINER = {
    "name": "app",
    "image": "public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine",
    "portMappings": [{"containerPort": 8080}],
    "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}],
    "secrets": [{"name": "DB_PASSWORD", "valueFrom": f"{SECRET}:password::"}],
    "logConfiguration": {
        "logDriver": "awslogs",
        "options": {"awslogs-group": "/ecs/test", "awslogs-region": "us-east-2", "awslogs-stream-prefix": "app"},
    },
    "healthCheck": {
        "command": ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1"],
        "startPeriod": 60,
    },
}


@pytest.fixture
def ecs(mocked_aws):
    return boto3.client("ecs", region_name="us-east-2")


def args(container=None, **extra):
    base = {
        "family": FAMILY,
        "cpu": "512",
        "memory": "1024",
        "task_role_arn": "arn:aws:iam::123456789012:role/task",
        "execution_role_arn": "arn:aws:iam::123456789012:role/execution",
        "container_definitions": [container or copy.deepcopy(CONTAINER)],
        "tags": {"Environment": "test"},
        "region": "us-east-2",
    }
    base.update(extra)
    return base


def revisions(ecs, status="ACTIVE"):
    return ecs.list_task_definitions(familyPrefix=FAMILY, status=status)["taskDefinitionArns"]


def test_check_mode_on_nothing_predicts_revision_one_and_registers_nothing(run_module, ecs):
    result, failed = run_module(ecs_task_definition, args(), check_mode=True, diff=True)
    assert not failed and result["changed"] is True
    assert result["task_definition"]["family_revision"] == f"{FAMILY}:1"
    assert result["diff"]["before"] == {}
    assert revisions(ecs) == []


def test_register_then_rerun_adds_no_revision(run_module, ecs):
    result, _ = run_module(ecs_task_definition, args())
    assert result["changed"] is True and result["task_definition"]["revision"] == 1
    registered = ecs.describe_task_definition(taskDefinition=f"{FAMILY}:1", include=["TAGS"])
    container = registered["taskDefinition"]["containerDefinitions"][0]
    # What the module sends states the defaults ECS would fill in.
    assert container["essential"] is True
    assert container["portMappings"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
    assert registered["tags"] == [{"key": "Environment", "value": "test"}]

    # Same definition, written differently (environment order, defaults spelled out): no revision.
    spelled = copy.deepcopy(CONTAINER)
    spelled["environment"].reverse()
    spelled["essential"] = True
    spelled["portMappings"] = [{"containerPort": "8080", "protocol": "tcp"}]
    again, _ = run_module(ecs_task_definition, args(container=spelled), diff=True)
    assert again["changed"] is False
    assert again["diff"]["before"] == again["diff"]["after"]
    assert len(revisions(ecs)) == 1


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda a: a["container_definitions"][0]["environment"].__setitem__(0, {"name": "B", "value": "3"}),
            "environment",
        ),
        (lambda a: a["container_definitions"][0]["secrets"][0].update(valueFrom=f"{SECRET}:username::"), "secrets"),
        (lambda a: a["container_definitions"][0].update(image="example/app:2"), "image"),
        (lambda a: a.update(cpu="1024", memory="2048"), "cpu"),
        (lambda a: a.update(execution_role_arn="arn:aws:iam::123456789012:role/other"), "executionRoleArn"),
    ],
)
def test_any_change_of_the_definition_registers_a_new_revision(run_module, ecs, change, expected):
    run_module(ecs_task_definition, args())
    changed = args()
    change(changed)
    preview, _ = run_module(ecs_task_definition, changed, check_mode=True, diff=True)
    assert preview["changed"] is True and preview["task_definition"]["revision"] == 2
    assert len(revisions(ecs)) == 1
    assert json.dumps(preview["diff"]["before"], sort_keys=True) != json.dumps(preview["diff"]["after"], sort_keys=True)

    result, _ = run_module(ecs_task_definition, changed)
    assert result["changed"] is True
    assert result["task_definition"]["family_revision"] == f"{FAMILY}:2"
    assert len(revisions(ecs)) == 2
    again, _ = run_module(ecs_task_definition, changed)
    assert again["changed"] is False and again["task_definition"]["revision"] == 2


def test_a_tag_change_retags_the_revision_without_a_new_one(run_module, ecs):
    run_module(ecs_task_definition, args())
    result, _ = run_module(ecs_task_definition, args(tags={"Environment": "test", "Owner": "team"}))
    assert result["changed"] is True and result["task_definition"]["revision"] == 1
    assert result["task_definition"]["tags"] == {"Environment": "test", "Owner": "team"}
    assert len(revisions(ecs)) == 1


def test_absent_deregisters_and_deletes_every_revision_then_is_idempotent(run_module, ecs):
    run_module(ecs_task_definition, args())
    run_module(ecs_task_definition, args(cpu="1024", memory="2048"))
    absent = {"family": FAMILY, "state": "absent", "delete_inactive_revisions": True, "region": "us-east-2"}
    preview, _ = run_module(ecs_task_definition, absent, check_mode=True)
    assert preview["changed"] is True and len(revisions(ecs)) == 2
    result, _ = run_module(ecs_task_definition, absent)
    assert result["changed"] is True
    assert sorted(a.rsplit(":", 1)[-1] for a in result["deregistered"]) == ["1", "2"]
    assert revisions(ecs) == [] and revisions(ecs, "INACTIVE") == []
    again, _ = run_module(ecs_task_definition, absent)
    assert again["changed"] is False


def test_other_families_with_the_same_prefix_are_untouched(run_module, ecs):
    ecs.register_task_definition(
        family=f"{FAMILY}-worker", containerDefinitions=[{"name": "w", "image": "w", "memory": 64}]
    )
    run_module(ecs_task_definition, {"family": FAMILY, "state": "absent", "region": "us-east-2"})
    assert ecs.list_task_definitions(familyPrefix=f"{FAMILY}-worker")["taskDefinitionArns"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"network_mode": "bridge"}, "awsvpc"),
        ({"cpu": None}, "cpu and memory"),
        ({"container_definitions": [{"name": "app"}]}, "image"),
        ({"container_definitions": [dict(CONTAINER, secrets=[{"name": "X", "value": "plain"}])]}, "secrets"),
        ({"container_definitions": []}, "container_definitions"),
    ],
)
def test_bad_input_fails_before_any_call(run_module, ecs, extra, message):
    result, failed = run_module(ecs_task_definition, args(**extra))
    assert failed and message in result["msg"]
    assert revisions(ecs) == []
