"""APP-1 to APP-5 and SEC-3, asserted on the converged emulator."""

from __future__ import annotations

import json
import os
import pathlib
import re
import socket
import subprocess
import sys

import pytest
from conftest import PROJECT
from conftest import tag_dict

SECRET_WORDS = re.compile(r"(?i)(password|passwd|secret|token|credential|private[_-]?key|api[_-]?key)")
DATA_ACTIONS = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan"}


@pytest.fixture(scope="module")
def ecs(aws):
    return aws("ecs")


@pytest.fixture(scope="module")
def elbv2(aws):
    return aws("elbv2")


@pytest.fixture(scope="module")
def account(aws):
    return aws("sts").get_caller_identity()["Account"]


@pytest.fixture(scope="module")
def cluster(ecs, prefix):
    clusters = ecs.describe_clusters(clusters=[f"{prefix}-cluster"], include=["SETTINGS", "TAGS"])["clusters"]
    assert [c["status"] for c in clusters] == ["ACTIVE"], f"expected one active cluster {prefix}-cluster"
    return clusters[0]


@pytest.fixture(scope="module")
def service(ecs, prefix, cluster):
    services = ecs.describe_services(cluster=cluster["clusterName"], services=[f"{prefix}-app"], include=["TAGS"])
    assert [s["status"] for s in services["services"]] == ["ACTIVE"], f"expected one active service {prefix}-app"
    return services["services"][0]


@pytest.fixture(scope="module")
def task_definition(ecs, service):
    answer = ecs.describe_task_definition(taskDefinition=service["taskDefinition"], include=["TAGS"])
    return {**answer["taskDefinition"], "tags": answer.get("tags", [])}


@pytest.fixture(scope="module")
def container(task_definition):
    containers = task_definition["containerDefinitions"]
    assert [c["name"] for c in containers] == ["app"]
    return containers[0]


@pytest.fixture(scope="module")
def subnets_by_tier(aws, prefix):
    ec2 = aws("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"{prefix}-vpc"]}])["Vpcs"][0]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
    by_tier: dict[str, list[dict]] = {}
    for subnet in subnets:
        by_tier.setdefault(tag_dict(subnet.get("Tags")).get("Tier"), []).append(subnet)
    return by_tier


@pytest.fixture(scope="module")
def group_ids(aws, prefix):
    groups = aws("ec2").describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [f"{prefix}-{r}-sg" for r in ("alb", "ecs")]}]
    )["SecurityGroups"]
    return {g["GroupName"][len(prefix) + 1 : -3]: g["GroupId"] for g in groups}


@pytest.fixture(scope="module")
def load_balancer(elbv2, prefix):
    return elbv2.describe_load_balancers(Names=[f"{prefix}-alb"])["LoadBalancers"][0]


@pytest.fixture(scope="module")
def target_group(elbv2, prefix):
    return elbv2.describe_target_groups(Names=[f"{prefix}-app"])["TargetGroups"][0]


@pytest.fixture(scope="module")
def web_acl(aws, prefix):
    waf = aws("wafv2")
    summaries = [a for a in waf.list_web_acls(Scope="REGIONAL")["WebACLs"] if a["Name"] == f"{prefix}-alb-waf"]
    assert len(summaries) == 1, f"expected one REGIONAL web ACL {prefix}-alb-waf"
    summary = summaries[0]
    return waf.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])["WebACL"]


def _policy(aws, role_name):
    """The role's only inline policy document (no managed policies may be attached)."""
    iam = aws("iam")
    assert iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"] == []
    names = iam.list_role_policies(RoleName=role_name)["PolicyNames"]
    assert len(names) == 1, f"{role_name}: expected exactly one inline policy, got {names}"
    document = iam.get_role_policy(RoleName=role_name, PolicyName=names[0])["PolicyDocument"]
    return json.loads(document) if isinstance(document, str) else document


def tag_dict_lower(tags):
    """ECS tags use lower-case key/value."""
    return {t["key"]: t["value"] for t in tags or []}


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _statements(document):
    """Each statement as (sid, actions, resources, condition), every one an Allow."""
    found = {}
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow", statement
        assert "NotAction" not in statement and "NotResource" not in statement, statement
        found[statement["Sid"]] = (
            set(_as_list(statement["Action"])),
            set(_as_list(statement["Resource"])),
            statement.get("Condition", {}),
        )
    return found


def _assert_no_wildcard_action(document):
    for statement in document["Statement"]:
        for action in _as_list(statement["Action"]):
            assert "*" not in action, f"wildcard action {action} in {statement.get('Sid')}"


def _trust_is_ecs_tasks_of_this_account(aws, role_name, account):
    role = aws("iam").get_role(RoleName=role_name)["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "ecs-tasks.amazonaws.com"}]
    assert trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"] == account
    return role


# APP-1: cluster, task definition, service ------------------------------------


def test_cluster_has_container_insights_and_tags(cluster, expected_tags):
    settings = {s["name"]: s["value"] for s in cluster["settings"]}
    assert settings.get("containerInsights") in ("enabled", "enhanced")
    assert "FARGATE" in cluster["capacityProviders"]
    assert tag_dict_lower(cluster["tags"]).items() >= expected_tags.items()


def test_task_definition_is_fargate_with_the_environments_size(task_definition, inventory_vars, prefix, expected_tags):
    assert task_definition["family"] == f"{prefix}-app"
    assert task_definition["requiresCompatibilities"] == ["FARGATE"]
    assert task_definition["networkMode"] == "awsvpc"
    assert int(task_definition["cpu"]) == inventory_vars["ecs_service_task_cpu"]
    assert int(task_definition["memory"]) == inventory_vars["ecs_service_task_memory"]
    assert task_definition["taskRoleArn"].endswith(f":role/{prefix}-ecs-task")
    assert task_definition["executionRoleArn"].endswith(f":role/{prefix}-ecs-execution")
    assert tag_dict_lower(task_definition["tags"]).items() >= expected_tags.items()


def test_container_port_health_check_and_essential(container, inventory_vars):
    assert container["essential"] is True
    assert container["portMappings"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
    check = container["healthCheck"]
    assert check["command"][0] == "CMD-SHELL"
    assert f":8080{inventory_vars['ecs_health_check_path']}" in check["command"][1]
    assert check["interval"] > check["timeout"] > 0 and check["retries"] >= 1


def test_container_logs_to_its_encrypted_group(aws, container, prefix):
    log = container["logConfiguration"]
    assert log["logDriver"] == "awslogs"
    assert log["options"]["awslogs-group"] == f"/ecs/{prefix}-app"
    assert log["options"]["awslogs-region"] == "us-east-2"
    assert log["options"]["awslogs-stream-prefix"]
    group = aws("logs").describe_log_groups(logGroupNamePrefix=f"/ecs/{prefix}-app")["logGroups"][0]
    logs_key = aws("kms").describe_key(KeyId=f"alias/{prefix}-logs")["KeyMetadata"]["Arn"]
    assert group["kmsKeyId"] == logs_key
    assert group["retentionInDays"] > 0


def test_every_app4_variable_is_wired(container, prefix, account, outputs):
    env = {e["name"]: e["value"] for e in container["environment"]}
    expected = {
        "MESSAGES_TABLE_NAME",
        "PORTFOLIO_BUCKET_NAME",
        "CDN_DOMAIN_NAME",
        "FREELANCER_USER_POOL_ID",
        "FREELANCER_USER_POOL_CLIENT_ID",
        "CLIENT_USER_POOL_ID",
        "CLIENT_USER_POOL_CLIENT_ID",
        "NEW_BIDS_TOPIC_ARN",
        "MILESTONE_APPROVALS_TOPIC_ARN",
        "PAYMENT_CONFIRMATIONS_TOPIC_ARN",
        "PROJECT_WORKFLOW_STATE_MACHINE_ARN",
        "REDIS_ENDPOINT",
        "DB_WRITER_ENDPOINT",
        "DB_READER_ENDPOINT",
    }
    assert expected <= env.keys()
    empty = sorted(name for name in expected if not env[name])
    assert not empty, f"variables without a value: {empty}"
    assert env["MESSAGES_TABLE_NAME"] == outputs.get("messages_table_name", f"{prefix}-messages")
    assert env["PORTFOLIO_BUCKET_NAME"] == outputs.get("portfolio_bucket_name", f"{prefix}-portfolio-{account}")
    for name, topic in (
        ("NEW_BIDS_TOPIC_ARN", "new-bids"),
        ("MILESTONE_APPROVALS_TOPIC_ARN", "milestone-approvals"),
        ("PAYMENT_CONFIRMATIONS_TOPIC_ARN", "payment-confirmations"),
    ):
        assert env[name] == f"arn:aws:sns:us-east-2:{account}:{prefix}-{topic}"
    assert env["PROJECT_WORKFLOW_STATE_MACHINE_ARN"] == (
        f"arn:aws:states:us-east-2:{account}:stateMachine:{prefix}-project-lifecycle"
    )
    for name, key in (
        ("CDN_DOMAIN_NAME", "cloudfront_domain_name"),
        ("FREELANCER_USER_POOL_ID", "freelancer_user_pool_id"),
        ("CLIENT_USER_POOL_CLIENT_ID", "client_user_pool_client_id"),
        ("REDIS_ENDPOINT", "redis_primary_endpoint"),
        ("DB_WRITER_ENDPOINT", "aurora_writer_endpoint"),
        ("DB_READER_ENDPOINT", "aurora_reader_endpoint"),
    ):
        if key in outputs:
            assert env[name] == outputs[key], name


def test_secrets_come_from_secrets_manager_never_plain_environment(aws, container, prefix):
    sm = aws("secretsmanager")
    secrets = {s["name"]: s["valueFrom"] for s in container["secrets"]}
    assert {"DB_USERNAME", "DB_PASSWORD", "REDIS_AUTH_TOKEN"} <= secrets.keys()
    aurora = sm.describe_secret(SecretId=f"{prefix}/aurora/credentials")["ARN"]
    redis = sm.describe_secret(SecretId=f"{prefix}/redis/auth-token")["ARN"]
    assert secrets["DB_USERNAME"] == f"{aurora}:username::"
    assert secrets["DB_PASSWORD"] == f"{aurora}:password::"
    assert secrets["REDIS_AUTH_TOKEN"].startswith(redis)
    env = {e["name"]: e["value"] for e in container["environment"]}
    assert not [n for n in env if SECRET_WORDS.search(n)], "secret-looking variable names in plain environment"
    # No secret value (nor any part of the Aurora JSON that is a credential) appears in plain environment.
    values = [sm.get_secret_value(SecretId=arn)["SecretString"] for arn in (aurora, redis)]
    credentials = json.loads(values[0])
    forbidden = {values[1], credentials["password"]}
    assert not [n for n, v in env.items() if any(f and f in v for f in forbidden)]


def test_service_runs_enough_tasks_in_the_app_subnets(
    service, subnets_by_tier, group_ids, inventory_vars, expected_tags
):
    assert service["launchType"] == "FARGATE"
    assert service["desiredCount"] >= 2
    assert service["desiredCount"] >= inventory_vars["ecs_service_min_capacity"]
    network = service["networkConfiguration"]["awsvpcConfiguration"]
    app = {s["SubnetId"]: s["AvailabilityZone"] for s in subnets_by_tier["app"]}
    assert sorted(network["subnets"]) == sorted(app)
    assert len({app[s] for s in network["subnets"]}) >= 2, "the service must span at least two AZs"
    assert network["securityGroups"] == [group_ids["ecs"]]
    assert network.get("assignPublicIp", "DISABLED") == "DISABLED"
    assert tag_dict_lower(service["tags"]).items() >= expected_tags.items()
    assert service["propagateTags"] == "SERVICE"


def test_service_deploys_with_circuit_breaker_and_rollback(service):
    deployment = service["deploymentConfiguration"]
    assert deployment["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert deployment["minimumHealthyPercent"] >= 50
    assert service["healthCheckGracePeriodSeconds"] > 0


def test_service_registers_with_the_target_group(service, target_group, task_definition):
    assert service["loadBalancers"] == [
        {"targetGroupArn": target_group["TargetGroupArn"], "containerName": "app", "containerPort": 8080}
    ]
    # family:revision (the emulator keeps what UpdateService was given; AWS answers the ARN).
    assert service["taskDefinition"].rsplit("/", 1)[-1] == task_definition["taskDefinitionArn"].rsplit("/", 1)[-1]


# APP-2: load balancer, target group, listeners, access logs ---------------------


def test_alb_is_public_in_the_public_subnets_with_its_group(
    load_balancer, subnets_by_tier, group_ids, aws, expected_tags
):
    assert load_balancer["Scheme"] == "internet-facing"
    assert load_balancer["Type"] == "application"
    zones = {z["SubnetId"] for z in load_balancer["AvailabilityZones"]}
    assert zones == {s["SubnetId"] for s in subnets_by_tier["public"]}
    assert load_balancer["SecurityGroups"] == [group_ids["alb"]]
    tags = aws("elbv2").describe_tags(ResourceArns=[load_balancer["LoadBalancerArn"]])["TagDescriptions"][0]["Tags"]
    assert tag_dict(tags).items() >= expected_tags.items()


def test_target_group_is_ip_on_the_container_port_with_sticky_sessions(elbv2, target_group, inventory_vars):
    assert target_group["TargetType"] == "ip"
    assert target_group["Protocol"] == "HTTP"
    assert target_group["Port"] == 8080
    assert target_group["HealthCheckPath"] == inventory_vars["ecs_health_check_path"]
    assert target_group["VpcId"]
    attributes = {
        a["Key"]: a["Value"]
        for a in elbv2.describe_target_group_attributes(TargetGroupArn=target_group["TargetGroupArn"])["Attributes"]
    }
    assert attributes["stickiness.enabled"] == "true"
    assert attributes["stickiness.type"] == "lb_cookie"
    assert int(attributes["stickiness.lb_cookie.duration_seconds"]) > 0


def test_listeners_follow_the_tls_configuration(elbv2, load_balancer, target_group, inventory_vars):
    listeners = {
        listener["Port"]: listener
        for listener in elbv2.describe_listeners(LoadBalancerArn=load_balancer["LoadBalancerArn"])["Listeners"]
    }
    https = bool(inventory_vars.get("ecs_domain_name") or inventory_vars.get("ecs_certificate_arn"))
    http_action = listeners[80]["DefaultActions"][0]
    if https:
        assert set(listeners) == {80, 443}
        assert http_action["Type"] == "redirect"
        assert http_action["RedirectConfig"]["Protocol"] == "HTTPS"
        assert http_action["RedirectConfig"]["StatusCode"] == "HTTP_301"
        assert listeners[443]["Protocol"] == "HTTPS" and listeners[443]["Certificates"]
        assert listeners[443]["DefaultActions"][0]["TargetGroupArn"] == target_group["TargetGroupArn"]
    else:
        # No domain (local, dev): HTTP forwards to the application; nothing listens on 443.
        assert set(listeners) == {80}
        assert http_action["Type"] == "forward"
        assert http_action["TargetGroupArn"] == target_group["TargetGroupArn"]


def test_only_the_payment_webhook_path_has_a_listener_rule(elbv2, load_balancer, prefix, inventory_vars):
    """PAY-3: the webhook path goes to the lambda_webhook role's target group; nothing else is routed."""
    listeners = elbv2.describe_listeners(LoadBalancerArn=load_balancer["LoadBalancerArn"])["Listeners"]
    rules = [
        (listener["Port"], rule)
        for listener in listeners
        for rule in elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
        if not rule["IsDefault"]
    ]
    groups = [g for g in elbv2.describe_target_groups()["TargetGroups"] if g["TargetType"] == "lambda"]
    tags = {
        d["ResourceArn"]: tag_dict(d["Tags"])
        for d in (
            elbv2.describe_tags(ResourceArns=[g["TargetGroupArn"] for g in groups])["TagDescriptions"] if groups else []
        )
    }
    webhook = [
        g["TargetGroupArn"]
        for g in groups
        if f"{prefix}-pay-tg" in (g["TargetGroupName"], tags[g["TargetGroupArn"]].get("Name"))
    ]
    if not webhook:
        assert rules == []
        return
    https = bool(inventory_vars.get("ecs_domain_name") or inventory_vars.get("ecs_certificate_arn"))
    assert [port for port, _ in rules] == [443 if https else 80]
    rule = rules[0][1]
    assert rule["Conditions"][0]["Field"] == "path-pattern"
    assert rule["Conditions"][0]["Values"] == [inventory_vars.get("lambda_webhook_path", "/webhooks/payments")]
    assert [(a["Type"], a["TargetGroupArn"]) for a in rule["Actions"]] == [("forward", webhook[0])]


def test_access_logs_go_to_an_sse_s3_bucket_only_alb_delivery_may_write(aws, elbv2, load_balancer, prefix, account):
    bucket = f"{prefix}-alb-logs-{account}"
    attributes = {
        a["Key"]: a["Value"]
        for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=load_balancer["LoadBalancerArn"])["Attributes"]
    }
    assert attributes["access_logs.s3.enabled"] == "true"
    assert attributes["access_logs.s3.bucket"] == bucket
    s3 = aws("s3")
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert any(r["Status"] == "Enabled" and r["Expiration"]["Days"] > 0 for r in lifecycle)
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    writes = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert len(writes) == 1
    assert writes[0]["Principal"] in (
        {"AWS": "arn:aws:iam::033677994240:root"},
        {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
    )
    assert _as_list(writes[0]["Action"]) == ["s3:PutObject"]
    prefix_path = f"/{attributes['access_logs.s3.prefix']}/AWSLogs/{account}/*"
    assert _as_list(writes[0]["Resource"]) == [f"arn:aws:s3:::{bucket}{prefix_path}"]
    denies = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)


# APP-3: auto scaling -------------------------------------------------------------


def test_scaling_on_cpu_and_memory_within_the_environments_bounds(aws, prefix, inventory_vars):
    scaling = aws("application-autoscaling")
    resource = f"service/{prefix}-cluster/{prefix}-app"
    targets = [
        t
        for t in scaling.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource])["ScalableTargets"]
        if t["ResourceId"] == resource
    ]
    assert len(targets) == 1
    assert targets[0]["ScalableDimension"] == "ecs:service:DesiredCount"
    assert targets[0]["MinCapacity"] == inventory_vars["ecs_service_min_capacity"] >= 2
    assert targets[0]["MaxCapacity"] == inventory_vars["ecs_service_max_capacity"]
    policies = [
        p
        for p in scaling.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=resource)["ScalingPolicies"]
        if p["ResourceId"] == resource
    ]
    metrics = {
        p["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]["PredefinedMetricType"]: p
        for p in policies
        if p["PolicyType"] == "TargetTrackingScaling"
    }
    assert set(metrics) == {"ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization"}
    for policy in metrics.values():
        assert 0 < policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] <= 100


# SEC-3: WAF ------------------------------------------------------------------------


def test_web_acl_has_the_managed_groups_and_a_rate_rule(web_acl, inventory_vars):
    assert "Allow" in web_acl["DefaultAction"]
    assert web_acl["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True
    managed = {
        r["Statement"]["ManagedRuleGroupStatement"]["Name"]
        for r in web_acl["Rules"]
        if "ManagedRuleGroupStatement" in r["Statement"]
        and r["Statement"]["ManagedRuleGroupStatement"]["VendorName"] == "AWS"
    }
    assert managed >= {
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
    }
    rate = [r for r in web_acl["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert len(rate) == 1
    assert rate[0]["Statement"]["RateBasedStatement"]["Limit"] == inventory_vars["ecs_service_waf_rate_limit"]
    assert rate[0]["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert "Block" in rate[0]["Action"]
    assert len({r["Priority"] for r in web_acl["Rules"]}) == len(web_acl["Rules"])
    for rule in web_acl["Rules"]:
        assert rule["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True


def test_web_acl_is_associated_with_the_alb(aws, web_acl, load_balancer):
    waf = aws("wafv2")
    associated = waf.list_resources_for_web_acl(WebACLArn=web_acl["ARN"], ResourceType="APPLICATION_LOAD_BALANCER")
    assert associated["ResourceArns"] == [load_balancer["LoadBalancerArn"]]


# APP-5: IAM -------------------------------------------------------------------------


def test_task_role_is_least_privilege(aws, prefix, account, task_definition, container):
    role = _trust_is_ecs_tasks_of_this_account(aws, f"{prefix}-ecs-task", account)
    assert role["Arn"] == task_definition["taskRoleArn"]
    document = _policy(aws, f"{prefix}-ecs-task")
    _assert_no_wildcard_action(document)
    statements = _statements(document)
    env = {e["name"]: e["value"] for e in container["environment"]}
    table = f"arn:aws:dynamodb:us-east-2:{account}:table/{env['MESSAGES_TABLE_NAME']}"
    for sid, (actions, resources, condition) in statements.items():
        services = {a.split(":")[0] for a in actions}
        assert len(services) == 1, f"{sid} mixes services {services}"
        service = services.pop()
        if service == "dynamodb":
            assert actions <= DATA_ACTIONS and "dynamodb:Query" in actions
            assert resources == {table, f"{table}/index/*"}
        elif service == "s3":
            assert actions == {"s3:GetObject", "s3:PutObject"}
            assert resources == {f"arn:aws:s3:::{env['PORTFOLIO_BUCKET_NAME']}/*"}
        elif service == "sns":
            assert actions == {"sns:Publish"}
            assert resources == {
                env["NEW_BIDS_TOPIC_ARN"],
                env["MILESTONE_APPROVALS_TOPIC_ARN"],
                env["PAYMENT_CONFIRMATIONS_TOPIC_ARN"],
            }
        elif service == "states":
            assert actions == {"states:StartExecution"}
            assert resources == {env["PROJECT_WORKFLOW_STATE_MACHINE_ARN"]}
        elif service == "kms":
            assert actions <= {"kms:Decrypt", "kms:GenerateDataKey"}
            assert all(r.startswith(f"arn:aws:kms:us-east-2:{account}:key/") for r in resources)
            assert condition["StringEquals"]["kms:ViaService"]
        else:
            pytest.fail(f"unexpected service {service} in {sid}")
        assert "*" not in resources
    covered = {next(iter(a)).split(":")[0] for a, _, _ in statements.values()}
    assert covered >= {"dynamodb", "s3", "sns", "states"}


def test_execution_role_pulls_logs_and_reads_only_the_named_secrets(aws, prefix, account, task_definition, container):
    role = _trust_is_ecs_tasks_of_this_account(aws, f"{prefix}-ecs-execution", account)
    assert role["Arn"] == task_definition["executionRoleArn"]
    document = _policy(aws, f"{prefix}-ecs-execution")
    _assert_no_wildcard_action(document)
    statements = _statements(document)
    secret_arns = {re.sub(r":[^:]*::$", "", s["valueFrom"]) for s in container["secrets"]}
    group = f"arn:aws:logs:us-east-2:{account}:log-group:/ecs/{prefix}-app"
    seen = set()
    for sid, (actions, resources, condition) in statements.items():
        if resources == {"*"}:
            # The only action AWS cannot scope to a resource.
            assert actions == {"ecr:GetAuthorizationToken"}, sid
        elif actions <= {"logs:CreateLogStream", "logs:PutLogEvents"}:
            assert resources <= {group, f"{group}:log-stream:*"}
            seen.add("logs")
        elif actions == {"secretsmanager:GetSecretValue"}:
            assert resources == secret_arns
            seen.add("secrets")
        elif actions == {"kms:Decrypt"}:
            assert all(r.startswith(f"arn:aws:kms:us-east-2:{account}:key/") for r in resources)
            assert condition["StringEquals"]["kms:ViaService"] == "secretsmanager.us-east-2.amazonaws.com"
        elif actions <= {"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}:
            assert all(r.startswith("arn:aws:ecr:") and ":repository/" in r for r in resources)
        else:
            pytest.fail(f"unexpected statement {sid}: {actions}")
    assert seen == {"logs", "secrets"}
    if not re.match(r"^\d{12}\.dkr\.ecr\.", container["image"]):
        ecr = [action for actions, _, _ in statements.values() for action in actions if action.startswith("ecr:")]
        assert not ecr, "a public image needs no ECR permissions"


# Outputs ----------------------------------------------------------------------------


def test_outputs_name_the_application_tier(outputs, load_balancer, cluster, service, web_acl, task_definition):
    assert outputs["alb_dns_name"] == load_balancer["DNSName"]
    assert outputs["alb_arn"] == load_balancer["LoadBalancerArn"]
    assert outputs["ecs_cluster_name"] == cluster["clusterName"]
    assert outputs["ecs_service_name"] == service["serviceName"]
    assert outputs["ecs_task_role_arn"] == task_definition["taskRoleArn"]
    assert outputs["waf_web_acl_arn"] == web_acl["ARN"]


# Bad input stops preflight (which runs the role's validate entry point) before any AWS call ----------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    ("inventory", "extra", "message"),
    [
        (
            "prod",
            {"platform_alarm_email": "ops@example.com"},
            "ecs_app_image is required in the protected environment prod",
        ),
        (
            "prod",
            {
                "platform_alarm_email": "ops@example.com",
                "ecs_app_image": "123456789012.dkr.ecr.us-east-2.amazonaws.com/web:1",
            },
            "ecs_domain_name (or ecs_certificate_arn) is required in the protected environment prod",
        ),
        ("local", {"ecs_service_desired_count": 1}, "ecs_service_desired_count must be at least 2"),
        (
            "local",
            {"ecs_service_task_cpu": 256, "ecs_service_task_memory": 4096},
            "ecs_service_task_memory 4096 is not a Fargate size",
        ),
        ("local", {"ecs_service_task_cpu": 300}, "ecs_service_task_cpu must be one of"),
    ],
)
def test_bad_input_fails_in_preflight_naming_the_variable(inventory, extra, message):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "MOLECULE_", "AWS_ENDPOINT_URL"))}
    env.update(LOCAL_AWS_PORT=str(_closed_port()), ANSIBLE_CONFIG=str(PROJECT / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    playbook = pathlib.Path(sys.executable).with_name("ansible-playbook")
    variables = {"platform_roles": ["security", "network", "ecs_service"], **extra}
    result = subprocess.run(
        # Only this role's validation (beside the foundation's): other roles have their own required inputs.
        [str(playbook), "playbooks/preflight.yml", "-i", f"inventories/{inventory}", "-e", json.dumps(variables)],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert message in output
    assert "Could not connect" not in output and "EndpointConnectionError" not in output
