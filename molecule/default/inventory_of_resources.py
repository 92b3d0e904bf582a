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
    return found


if __name__ == "__main__":
    print(json.dumps(inventory(sys.argv[1] if len(sys.argv) > 1 else "local"), sort_keys=True))
