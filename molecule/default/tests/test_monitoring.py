"""MON-1 to MON-5, asserted on the converged emulator."""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest
import yaml
from conftest import PROJECT
from conftest import tag_dict

ROLE_DEFAULTS = yaml.safe_load((PROJECT / "roles" / "monitoring" / "defaults" / "main.yml").read_text())
SEARCH_NAMESPACE = re.compile(r"SEARCH\('\{([^,}]+)")

# Sample log lines in the formats the README defines: (metric, lines it counts, lines it must ignore).
SAMPLES = {
    "ActiveProjects": (
        ['{"event": "project_stats", "active_projects": 42}'],
        ['{"event": "project_stats", "active_projects": "many"}', '{"event": "bid_placed", "project_id": "p-1"}'],
    ),
    "BidsPlaced": (
        ['{"event": "bid_placed", "project_id": "p-1", "bid_id": "b-1", "freelancer_id": "u-2", "amount": 450.0}'],
        ['{"event": "project_created", "project_id": "p-1"}', "bid_placed as plain text"],
    ),
    "ProjectsCreated": (
        ['{"event": "project_created", "project_id": "p-1", "client_id": "u-1"}'],
        ['{"event": "project_awarded", "project_id": "p-1"}'],
    ),
    "ProjectsAwarded": (
        ['{"event": "project_awarded", "project_id": "p-1", "bid_id": "b-1", "freelancer_id": "u-2"}'],
        ['{"event": "project_created", "project_id": "p-1"}'],
    ),
    # The payment webhook's own lines (lambdas/payment_webhook/handler.py: log()).
    "PaymentsRecorded": (
        [
            '{"level": "info", "message": "webhook processed", "result": "recorded", "event_id": "evt_1",'
            ' "function": "payment-webhook", "paymentId": 7, "resumedExecutions": 1}'
        ],
        [
            '{"level": "info", "message": "webhook processed", "result": "duplicate", "event_id": "evt_1"}',
            '{"level": "warning", "message": "webhook rejected", "reason": "bad_signature", "status": 401}',
        ],
    ),
    "WebhooksRejected": (
        ['{"level": "warning", "message": "webhook rejected", "reason": "bad_signature", "status": 401}'],
        ['{"level": "info", "message": "webhook processed", "result": "recorded", "event_id": "evt_1"}'],
    ),
}


def setting(inventory_vars, name):
    """A role input as the local environment sets it: its inventory value, else the role default."""
    return inventory_vars.get(name, ROLE_DEFAULTS[name])


@pytest.fixture(scope="module")
def account(aws) -> str:
    return aws("sts").get_caller_identity()["Account"]


@pytest.fixture(scope="module")
def topic_arn(aws, prefix, outputs) -> str:
    sns = aws("sns")
    arns = [t["TopicArn"] for page in sns.get_paginator("list_topics").paginate() for t in page["Topics"]]
    matching = [arn for arn in arns if arn.rsplit(":", 1)[-1] == f"{prefix}-alarms"]
    assert len(matching) == 1, f"expected one topic {prefix}-alarms"
    assert outputs["alarm_topic_arn"] == matching[0]
    return matching[0]


@pytest.fixture(scope="module")
def alb(aws, platform_env) -> dict:
    """The platform's load balancer and its ip target group, when the ecs_service role created them."""
    elbv2 = aws("elbv2")
    for balancer in elbv2.describe_load_balancers()["LoadBalancers"]:
        tags = tag_dict(elbv2.describe_tags(ResourceArns=[balancer["LoadBalancerArn"]])["TagDescriptions"][0]["Tags"])
        if tags.get("Environment") == platform_env and tags.get("Project") == "freelancer-platform":
            groups = elbv2.describe_target_groups(LoadBalancerArn=balancer["LoadBalancerArn"])["TargetGroups"]
            ip_groups = [g for g in groups if g["TargetType"] == "ip"]
            return {
                "LoadBalancer": balancer["LoadBalancerArn"].split(":loadbalancer/")[1],
                "TargetGroup": ip_groups[0]["TargetGroupArn"].rsplit(":", 1)[1] if ip_groups else "",
            }
    return {}


@pytest.fixture(scope="module")
def dashboard(aws, prefix, outputs) -> dict:
    answer = aws("cloudwatch").get_dashboard(DashboardName=f"{prefix}-overview")
    assert outputs["dashboard_name"] == f"{prefix}-overview"
    return {"arn": answer["DashboardArn"], "body": json.loads(answer["DashboardBody"])}


def metric_entries(body):
    for widget in body["widgets"]:
        if widget["type"] == "metric":
            yield widget, widget["properties"]["metrics"]


def test_alarm_topic_is_encrypted_least_privilege_and_subscribed(aws, topic_arn, prefix, inventory_vars, expected_tags):
    sns = aws("sns")
    attributes = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    messaging_key = aws("kms").describe_key(KeyId=f"alias/{prefix}-messaging")["KeyMetadata"]["Arn"]
    assert attributes["KmsMasterKeyId"] == messaging_key
    for statement in json.loads(attributes["Policy"])["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert "*" not in actions and all(not a.endswith(":*") for a in actions), statement
        if statement.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}:
            assert actions == ["SNS:Publish"]
            assert statement["Condition"]["ArnLike"]["aws:SourceArn"].endswith(f":alarm:{prefix}-*")
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [
        ("email", inventory_vars["platform_alarm_email"])
    ]
    assert tag_dict(sns.list_tags_for_resource(ResourceArn=topic_arn)["Tags"]).items() >= expected_tags.items()


def test_dashboard_has_widgets_for_every_service_and_the_kpis(aws, dashboard, alb, platform_env, expected_tags):
    namespaces, metrics = set(), set()
    for widget, entries in metric_entries(dashboard["body"]):
        for entry in entries:
            if isinstance(entry[0], dict):
                namespaces.update(SEARCH_NAMESPACE.findall(entry[0]["expression"]))
            else:
                namespaces.add(entry[0])
                metrics.add(entry[1])
            if entry[0] == "AWS/CloudFront" or "AWS/CloudFront" in json.dumps(entry):
                assert widget["properties"]["region"] == "us-east-1", "CloudFront metrics live in us-east-1"
    assert namespaces >= {
        "AWS/ApplicationELB",
        "AWS/ECS",
        "ECS/ContainerInsights",
        "AWS/RDS",
        "AWS/DynamoDB",
        "AWS/Lambda",
        "AWS/States",
        "AWS/CloudFront",
        "AWS/SES",
        "AWS/SNS",
        "AWS/SQS",
        f"FreelancerPlatform/{platform_env}",
    }
    assert metrics >= {
        "ActiveProjects",
        "BidsPlaced",
        "ProjectsCreated",
        "ProjectsAwarded",
        "DatabaseConnections",
        "AuroraReplicaLagMaximum",
        "SuccessfulRequestLatency",
        "ExecutionsFailed",
        "Bounce",
        "Complaint",
        "NumberOfNotificationsFailed",
        "ApproximateNumberOfMessagesVisible",
    }
    expressions = [
        e[0]["expression"]
        for _, entries in metric_entries(dashboard["body"])
        for e in entries
        if isinstance(e[0], dict)
    ]
    assert any("awarded / created" in e for e in expressions), "conversion is awarded / created"
    if alb:
        body = json.dumps(dashboard["body"])
        assert alb["LoadBalancer"] in body and alb["TargetGroup"] in body
    alarm_widgets = [w for w in dashboard["body"]["widgets"] if w["type"] == "alarm"]
    assert alarm_widgets and all(":alarm:" in arn for arn in alarm_widgets[0]["properties"]["alarms"])
    tags = tag_dict(aws("cloudwatch").list_tags_for_resource(ResourceARN=dashboard["arn"])["Tags"])
    assert tags.items() >= expected_tags.items()


def expected_alarms(prefix, inventory_vars, alb, account):
    state_machine = f"arn:aws:states:us-east-2:{account}:stateMachine:{prefix}-project-lifecycle"
    alarms = {
        "aurora-connections": (
            "AWS/RDS",
            "DatabaseConnections",
            "monitoring_aurora_connections_threshold",
            {"DBClusterIdentifier": f"{prefix}-aurora"},
        ),
        "aurora-cpu": (
            "AWS/RDS",
            "CPUUtilization",
            "monitoring_aurora_cpu_threshold",
            {"DBClusterIdentifier": f"{prefix}-aurora"},
        ),
        "dynamodb-read-throttles": (
            "AWS/DynamoDB",
            "ReadThrottleEvents",
            "monitoring_dynamodb_throttles_threshold",
            {"TableName": f"{prefix}-messages"},
        ),
        "dynamodb-write-throttles": (
            "AWS/DynamoDB",
            "WriteThrottleEvents",
            "monitoring_dynamodb_throttles_threshold",
            {"TableName": f"{prefix}-messages"},
        ),
        "webhook-errors": (
            "AWS/Lambda",
            "Errors",
            "monitoring_lambda_errors_threshold",
            {"FunctionName": f"{prefix}-payment-webhook"},
        ),
        "webhook-dlq-depth": (
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            "monitoring_dlq_messages_threshold",
            {"QueueName": f"{prefix}-payment-webhook-dlq"},
        ),
        "workflow-failed-executions": (
            "AWS/States",
            "ExecutionsFailed",
            "monitoring_failed_executions_threshold",
            {"StateMachineArn": state_machine},
        ),
    }
    if alb:
        alarms["alb-5xx"] = (
            "AWS/ApplicationELB",
            "HTTPCode_ELB_5XX_Count",
            "monitoring_alb_5xx_threshold",
            {"LoadBalancer": alb["LoadBalancer"]},
        )
        alarms["target-5xx"] = (
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            "monitoring_target_5xx_threshold",
            {"LoadBalancer": alb["LoadBalancer"]},
        )
        alarms["unhealthy-hosts"] = (
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            "monitoring_unhealthy_hosts_threshold",
            dict(alb),
        )
    return {
        f"{prefix}-{name}": (namespace, metric, float(setting(inventory_vars, variable)), dimensions)
        for name, (namespace, metric, variable, dimensions) in alarms.items()
    }


def test_each_alarm_watches_its_metric_with_its_threshold_and_tells_the_topic(
    aws, prefix, inventory_vars, alb, account, topic_arn
):
    found = {
        a["AlarmName"]: a
        for page in aws("cloudwatch").get_paginator("describe_alarms").paginate(AlarmNamePrefix=f"{prefix}-")
        for a in page["MetricAlarms"]
    }
    expected = expected_alarms(prefix, inventory_vars, alb, account)
    assert set(found) == set(expected), "the ALB alarms exist exactly when the load balancer does"
    for name, (namespace, metric, threshold, dimensions) in expected.items():
        alarm = found[name]
        assert (alarm["Namespace"], alarm["MetricName"]) == (namespace, metric), name
        assert alarm["Threshold"] == threshold, name
        assert alarm["ComparisonOperator"] == "GreaterThanThreshold", name
        assert {d["Name"]: d["Value"] for d in alarm["Dimensions"]} == dimensions, name
        assert alarm["AlarmActions"] == [topic_arn] and alarm["OKActions"] == [topic_arn], name


def test_metric_filters_turn_sample_log_lines_into_the_business_metrics(aws, prefix, platform_env):
    logs = aws("logs")
    filters = {
        f["metricTransformations"][0]["metricName"]: f
        for page in logs.get_paginator("describe_metric_filters").paginate()
        for f in page["metricFilters"]
        if f["filterName"].startswith(f"{prefix}-")
    }
    assert set(filters) == set(SAMPLES)
    expected_groups = {
        "PaymentsRecorded": f"/aws/lambda/{prefix}-payment-webhook",
        "WebhooksRejected": f"/aws/lambda/{prefix}-payment-webhook",
    }
    for metric, (counted, ignored) in SAMPLES.items():
        metric_filter = filters[metric]
        transformation = metric_filter["metricTransformations"][0]
        assert transformation["metricNamespace"] == f"FreelancerPlatform/{platform_env}"
        assert metric_filter["logGroupName"] == expected_groups.get(metric, f"/ecs/{prefix}-app")

        # The lines reach the log group the application or the Lambda writes to ...
        stream = f"verify-{uuid.uuid4()}"
        logs.create_log_stream(logGroupName=metric_filter["logGroupName"], logStreamName=stream)
        now = int(time.time() * 1000)
        logs.put_log_events(
            logGroupName=metric_filter["logGroupName"],
            logStreamName=stream,
            logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(counted + ignored)],
        )
        stored = logs.get_log_events(logGroupName=metric_filter["logGroupName"], logStreamName=stream)["events"]
        assert [e["message"] for e in stored] == counted + ignored
        logs.delete_log_stream(logGroupName=metric_filter["logGroupName"], logStreamName=stream)

        # ... and the deployed pattern counts exactly the lines it should, with the value it publishes.
        matches = logs.test_metric_filter(
            filterPattern=metric_filter["filterPattern"], logEventMessages=counted + ignored
        )["matches"]
        assert [m["eventMessage"] for m in matches] == counted, metric
        for match in matches:
            value = transformation["metricValue"]
            if value.startswith("$."):
                published = json.loads(match["eventMessage"])[value[2:]]
                assert published == 42, metric
                if value in match["extractedValues"]:
                    assert float(match["extractedValues"][value]) == published
            else:
                assert value == "1", metric


def test_every_platform_log_group_has_retention_and_a_kms_key(aws, prefix):
    groups = [
        g
        for page in aws("logs").get_paginator("describe_log_groups").paginate()
        for g in page["logGroups"]
        if re.search(rf"(^|/){re.escape(prefix)}([-/]|$)", g["logGroupName"])
    ]
    names = {g["logGroupName"] for g in groups}
    assert names >= {
        f"/ecs/{prefix}-app",
        f"/aws/lambda/{prefix}-payment-webhook",
        f"/aws/states/{prefix}-project-lifecycle",
    }
    for group in groups:
        assert group.get("retentionInDays", 0) > 0, group["logGroupName"]
        assert group.get("kmsKeyId", "").startswith("arn:aws:kms:"), group["logGroupName"]


def test_saved_troubleshooting_queries(aws, prefix):
    queries = {
        q["name"]: q
        for q in aws("logs").describe_query_definitions(queryDefinitionNamePrefix=f"{prefix}/")["queryDefinitions"]
    }
    assert set(queries) == {
        f"{prefix}/errors-by-function",
        f"{prefix}/slow-requests",
        f"{prefix}/webhook-failures-by-reason",
        f"{prefix}/failed-executions",
    }
    assert "stats count(*) as errors by source" in queries[f"{prefix}/errors-by-function"]["queryString"]
    assert f"/aws/lambda/{prefix}-payment-webhook" in queries[f"{prefix}/errors-by-function"]["logGroupNames"]
    assert queries[f"{prefix}/slow-requests"]["logGroupNames"] == [f"/ecs/{prefix}-app"]
    assert "by message, reason" in queries[f"{prefix}/webhook-failures-by-reason"]["queryString"]
    assert queries[f"{prefix}/failed-executions"]["logGroupNames"] == [f"/aws/states/{prefix}-project-lifecycle"]


def test_monthly_budget_alerts_on_actual_and_forecasted_spend(
    aws, prefix, account, inventory_vars, platform_env, expected_tags
):
    budgets = aws("budgets")
    name = f"{prefix}-monthly"
    budget = budgets.describe_budget(AccountId=account, BudgetName=name)["Budget"]
    assert (budget["BudgetType"], budget["TimeUnit"]) == ("COST", "MONTHLY")
    assert float(budget["BudgetLimit"]["Amount"]) == float(inventory_vars["monitoring_budget_amount"]) > 0
    assert budget["CostFilters"] == {"TagKeyValue": [f"user:Environment${platform_env}"]}
    notifications = budgets.describe_notifications_for_budget(AccountId=account, BudgetName=name)["Notifications"]
    assert sorted(
        (n["NotificationType"], n["ComparisonOperator"], float(n["Threshold"]), n["ThresholdType"])
        for n in notifications
    ) == [
        ("ACTUAL", "GREATER_THAN", 80.0, "PERCENTAGE"),
        ("FORECASTED", "GREATER_THAN", 100.0, "PERCENTAGE"),
    ]
    for notification in notifications:
        subscribers = budgets.describe_subscribers_for_notification(
            AccountId=account, BudgetName=name, Notification=notification
        )
        assert subscribers["Subscribers"] == [
            {"SubscriptionType": "EMAIL", "Address": inventory_vars["platform_alarm_email"]}
        ]
    tags = tag_dict(
        budgets.list_tags_for_resource(ResourceARN=f"arn:aws:budgets::{account}:budget/{name}")["ResourceTags"]
    )
    assert tags.items() >= expected_tags.items()
