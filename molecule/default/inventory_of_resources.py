"""List what exists of one environment of the platform, by kind.

Used by the scenario to prove that ``--check`` on an empty emulator creates
nothing and that teardown leaves nothing: ``python inventory_of_resources.py local``
prints ``{"kind": [ids...]}`` with an empty list for every kind that has nothing left.
"""

from __future__ import annotations

import json
import os
import pathlib
import sys

import boto3

PROJECT = "freelancer-platform"


def session() -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
        region_name=os.environ.get("AWS_REGION", "us-east-2"),
    )


def endpoint_url() -> str:
    return os.environ.get("AWS_ENDPOINT_URL") or f"http://127.0.0.1:{os.environ.get('LOCAL_AWS_PORT', '4566')}"


def client(name: str):
    return session().client(name, endpoint_url=endpoint_url())


def env_filter(platform_env: str) -> list[dict]:
    return [{"Name": "tag:Environment", "Values": [platform_env]}, {"Name": "tag:Project", "Values": [PROJECT]}]


def ses_identities_of(platform_env: str) -> tuple[str, list[str]]:
    """The SES domain and sender addresses the environment's inventory names (SES identities have no tags)."""
    import yaml

    inventory_dir = pathlib.Path(__file__).resolve().parents[2] / "inventories" / platform_env
    path = inventory_dir / "group_vars" / "platform" / "main.yml"
    values = yaml.safe_load(path.read_text()) if path.is_file() else {}
    return str(values.get("notifications_ses_domain") or ""), list(values.get("notifications_sender_addresses") or [])


def inventory(platform_env: str) -> dict[str, list[str]]:
    prefix = f"{platform_env}-{PROJECT}-"
    ec2 = client("ec2")
    found: dict[str, list[str]] = {}
    found["vpcs"] = [v["VpcId"] for v in ec2.describe_vpcs(Filters=env_filter(platform_env))["Vpcs"]]
    found["subnets"] = [s["SubnetId"] for s in ec2.describe_subnets(Filters=env_filter(platform_env))["Subnets"]]
    found["nat_gateways"] = [
        n["NatGatewayId"]
        for n in ec2.describe_nat_gateways(Filters=env_filter(platform_env))["NatGateways"]
        if n["State"] not in ("deleted", "deleting")
    ]
    found["elastic_ips"] = [
        a["AllocationId"] for a in ec2.describe_addresses(Filters=env_filter(platform_env))["Addresses"]
    ]
    found["security_groups"] = [
        g["GroupId"] for g in ec2.describe_security_groups(Filters=env_filter(platform_env))["SecurityGroups"]
    ]
    found["vpc_endpoints"] = [
        e["VpcEndpointId"]
        for e in ec2.describe_vpc_endpoints(Filters=env_filter(platform_env))["VpcEndpoints"]
        if e["State"].lower() not in ("deleted", "deleting")
    ]
    found["flow_logs"] = [f["FlowLogId"] for f in ec2.describe_flow_logs(Filter=env_filter(platform_env))["FlowLogs"]]
    kms = client("kms")
    aliases = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"].startswith(f"alias/{prefix}")]
    found["kms_keys"] = [
        a["AliasName"]
        for a in aliases
        if "TargetKeyId" in a and kms.describe_key(KeyId=a["TargetKeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
    ]
    logs = client("logs")
    groups = logs.describe_log_groups()["logGroups"]
    found["log_groups"] = [g["logGroupName"] for g in groups if prefix in g["logGroupName"]]
    iam = client("iam")
    found["iam_roles"] = [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(prefix)]
    user_pools = client("cognito-idp").get_paginator("list_user_pools").paginate(PaginationConfig={"PageSize": 60})
    found["user_pools"] = [p["Name"] for page in user_pools for p in page["UserPools"] if p["Name"].startswith(prefix)]
    elasticache = client("elasticache")
    environment_tag = {"Key": "Environment", "Value": platform_env}
    found["cache_replication_groups"] = [
        g["ReplicationGroupId"]
        for page in elasticache.get_paginator("describe_replication_groups").paginate()
        for g in page["ReplicationGroups"]
        if g["Status"] != "deleting"
        and environment_tag in elasticache.list_tags_for_resource(ResourceName=g["ARN"])["TagList"]
    ]
    found["cache_subnet_groups"] = [
        g["CacheSubnetGroupName"]
        for page in elasticache.get_paginator("describe_cache_subnet_groups").paginate()
        for g in page["CacheSubnetGroups"]
        if g["CacheSubnetGroupName"].startswith(prefix)
    ]
    found["secrets"] = [
        s["Name"]
        for page in client("secretsmanager").get_paginator("list_secrets").paginate()
        for s in page["SecretList"]
        if s["Name"].startswith(prefix[:-1]) and not s.get("DeletedDate")
    ]
    tables = client("dynamodb").get_paginator("list_tables").paginate()
    found["dynamodb_tables"] = [t for page in tables for t in page["TableNames"] if t.startswith(prefix)]
    scaling = client("application-autoscaling").describe_scalable_targets(ServiceNamespace="dynamodb")
    found["dynamodb_scalable_targets"] = [
        t["ResourceId"] for t in scaling["ScalableTargets"] if t["ResourceId"].startswith(f"table/{prefix}")
    ]
    found["s3_buckets"] = [b["Name"] for b in client("s3").list_buckets()["Buckets"] if b["Name"].startswith(prefix)]
    cloudfront = client("cloudfront")
    found["cloudfront_distributions"] = [
        d["Id"]
        for d in cloudfront.list_distributions()["DistributionList"].get("Items") or []
        if cloudfront.get_distribution_config(Id=d["Id"])["DistributionConfig"]["CallerReference"].startswith(prefix)
    ]
    found["cloudfront_origin_access_controls"] = [
        c["Name"]
        for c in cloudfront.list_origin_access_controls()["OriginAccessControlList"].get("Items") or []
        if c["Name"].startswith(prefix)
    ]
    lambdas = client("lambda").get_paginator("list_functions").paginate()
    found["lambda_functions"] = [
        f["FunctionName"] for page in lambdas for f in page["Functions"] if f["FunctionName"].startswith(prefix)
    ]
    found["sqs_queues"] = [u for u in client("sqs").list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])]
    target_groups = client("elbv2").get_paginator("describe_target_groups").paginate()
    found["elb_target_groups"] = [
        g["TargetGroupName"]
        for page in target_groups
        for g in page["TargetGroups"]
        if g["TargetGroupName"].startswith(prefix[:21])
    ]
    sns = client("sns")
    topics = [t["TopicArn"] for page in sns.get_paginator("list_topics").paginate() for t in page["Topics"]]
    found["sns_topics"] = [arn for arn in topics if arn.rsplit(":", 1)[-1].startswith(prefix)]
    found["sns_subscriptions"] = [
        f"{s['TopicArn'].rsplit(':', 1)[-1]} {s['Protocol']}:{s['Endpoint']}"
        for page in sns.get_paginator("list_subscriptions").paginate()
        for s in page["Subscriptions"]
        if s["TopicArn"].rsplit(":", 1)[-1].startswith(prefix)
    ]
    ses = client("ses")
    domain, senders = ses_identities_of(platform_env)
    found["ses_identities"] = [
        i
        for i in ses.list_identities()["Identities"]
        if i in senders or i == domain or (domain and i.endswith(f"@{domain}"))
    ]
    found["ses_configuration_sets"] = [
        c["Name"] for c in ses.list_configuration_sets()["ConfigurationSets"] if c["Name"].startswith(prefix)
    ]
    found["ses_templates"] = [
        t["Name"] for t in ses.list_templates()["TemplatesMetadata"] if t["Name"].startswith(prefix)
    ]
    ecs = client("ecs")
    cluster_arns = ecs.list_clusters()["clusterArns"]
    clusters = ecs.describe_clusters(clusters=cluster_arns)["clusters"] if cluster_arns else []
    found["ecs_clusters"] = [
        c["clusterName"] for c in clusters if c["clusterName"].startswith(prefix) and c["status"] != "INACTIVE"
    ]
    found["ecs_services"] = [
        s["serviceName"]
        for name in found["ecs_clusters"]
        for arns in [ecs.list_services(cluster=name)["serviceArns"]]
        if arns
        for s in ecs.describe_services(cluster=name, services=arns)["services"]
        if s["status"] != "INACTIVE"
    ]
    found["ecs_task_definitions"] = [
        arn.rsplit("/", 1)[-1]
        for status in ("ACTIVE", "INACTIVE")
        for page in ecs.get_paginator("list_task_definitions").paginate(status=status)
        for arn in page["taskDefinitionArns"]
        if arn.rsplit("/", 1)[-1].startswith(prefix)
    ]
    found["ecs_scalable_targets"] = [
        t["ResourceId"]
        for t in client("application-autoscaling").describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
        if t["ResourceId"].startswith(f"service/{prefix}")
    ]
    load_balancers = client("elbv2").get_paginator("describe_load_balancers").paginate()
    found["load_balancers"] = [
        b["LoadBalancerName"]
        for page in load_balancers
        for b in page["LoadBalancers"]
        if b["LoadBalancerName"].startswith(prefix)
    ]
    found["wafv2_web_acls"] = [
        a["Name"] for a in client("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"] if a["Name"].startswith(prefix)
    ]
    rds = client("rds")
    found["rds_clusters"] = [
        c["DBClusterIdentifier"]
        for page in rds.get_paginator("describe_db_clusters").paginate()
        for c in page["DBClusters"]
        if c["DBClusterIdentifier"].startswith(prefix) and c["Status"] != "deleting"
    ]
    found["rds_instances"] = [
        i["DBInstanceIdentifier"]
        for page in rds.get_paginator("describe_db_instances").paginate()
        for i in page["DBInstances"]
        if i["DBInstanceIdentifier"].startswith(prefix) and i["DBInstanceStatus"] != "deleting"
    ]
    found["rds_subnet_groups"] = [
        g["DBSubnetGroupName"]
        for page in rds.get_paginator("describe_db_subnet_groups").paginate()
        for g in page["DBSubnetGroups"]
        if g["DBSubnetGroupName"].startswith(prefix)
    ]
    found["rds_cluster_parameter_groups"] = [
        g["DBClusterParameterGroupName"]
        for page in rds.get_paginator("describe_db_cluster_parameter_groups").paginate()
        for g in page["DBClusterParameterGroups"]
        if g["DBClusterParameterGroupName"].startswith(prefix)
    ]
    found["rds_cluster_snapshots"] = [
        s["DBClusterSnapshotIdentifier"]
        for page in rds.get_paginator("describe_db_cluster_snapshots").paginate()
        for s in page["DBClusterSnapshots"]
        if s["DBClusterIdentifier"].startswith(prefix)
    ]
    cloudwatch = client("cloudwatch")
    found["dashboards"] = [
        d["DashboardName"] for d in cloudwatch.list_dashboards(DashboardNamePrefix=prefix)["DashboardEntries"]
    ]
    found["metric_alarms"] = [
        a["AlarmName"]
        for page in cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=prefix)
        for a in page["MetricAlarms"]
    ]
    found["metric_filters"] = [
        f"{f['logGroupName']} {f['filterName']}"
        for page in logs.get_paginator("describe_metric_filters").paginate()
        for f in page["metricFilters"]
        if f["filterName"].startswith(prefix)
    ]
    found["query_definitions"] = [
        q["name"]
        for q in logs.describe_query_definitions(queryDefinitionNamePrefix=f"{prefix[:-1]}/")["queryDefinitions"]
    ]
    account = client("sts").get_caller_identity()["Account"]
    found["budgets"] = [
        b["BudgetName"]
        for b in client("budgets").describe_budgets(AccountId=account).get("Budgets", [])
        if b["BudgetName"].startswith(prefix)
    ]
    state_machines = client("stepfunctions").get_paginator("list_state_machines").paginate()
    found["state_machines"] = [
        m["name"] for page in state_machines for m in page["stateMachines"] if m["name"].startswith(prefix)
    ]
    return found


if __name__ == "__main__":
    print(json.dumps(inventory(sys.argv[1] if len(sys.argv) > 1 else "local"), sort_keys=True))
