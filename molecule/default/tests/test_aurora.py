"""DB-1 to DB-4 and SEC-2 (database credentials), asserted on the converged emulator
and, for the schema, on the local MariaDB the local inventory maps the endpoint to."""

from __future__ import annotations

import base64
import hashlib
import json

import pymysql
import pytest
from conftest import PROJECT
from conftest import tag_dict

SECRET_KEYS = {"engine", "host", "port", "username", "password", "dbname"}
TENANT_TABLES = (
    "freelancer_profiles",
    "client_profiles",
    "projects",
    "bids",
    "milestones",
    "payments",
    "portfolio_items",
)
MIGRATIONS = PROJECT / "lambdas" / "db_migrations" / "migrations"


@pytest.fixture(scope="module")
def rds(aws):
    return aws("rds")


@pytest.fixture(scope="module")
def cluster(rds, prefix):
    clusters = rds.describe_db_clusters(DBClusterIdentifier=f"{prefix}-aurora")["DBClusters"]
    assert len(clusters) == 1
    return clusters[0]


@pytest.fixture(scope="module")
def instances(rds, cluster):
    found = rds.describe_db_instances(Filters=[{"Name": "db-cluster-id", "Values": [cluster["DBClusterIdentifier"]]}])
    return found["DBInstances"]


@pytest.fixture(scope="module")
def vpc_id(aws, prefix):
    vpcs = aws("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"{prefix}-vpc"]}])["Vpcs"]
    assert len(vpcs) == 1
    return vpcs[0]["VpcId"]


@pytest.fixture(scope="module")
def data_subnets(aws, vpc_id):
    found = aws("ec2").describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "tag:Tier", "Values": ["data"]}]
    )["Subnets"]
    return {s["SubnetId"]: s["AvailabilityZone"] for s in found}


@pytest.fixture(scope="module")
def group_ids(aws, vpc_id, prefix):
    found = aws("ec2").describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    return {g["GroupName"]: g["GroupId"] for g in found}


@pytest.fixture(scope="module")
def secret(aws, prefix):
    """The credentials secret's value. Never printed: assertions below compare, they do not show it."""
    answer = aws("secretsmanager").get_secret_value(SecretId=f"{prefix}/aurora/credentials")
    return json.loads(answer["SecretString"])


@pytest.fixture(scope="module")
def database(secret):
    """A connection to the application database with the secret's credentials, as the Lambdas make it."""
    connection = pymysql.connect(
        host=secret["host"],
        port=int(secret["port"]),
        user=secret["username"],
        password=secret["password"],
        database=secret["dbname"],
        cursorclass=pymysql.cursors.DictCursor,
        autocommit=True,
    )
    yield connection
    connection.close()


def query(connection, sql, *args):
    with connection.cursor() as cursor:
        cursor.execute(sql, args or None)
        return cursor.fetchall()


# --- DB-1: the cluster ---------------------------------------------------------------------------


def test_cluster_is_aurora_mysql_8_encrypted_with_the_aurora_key(cluster, outputs):
    assert cluster["Engine"] == "aurora-mysql"
    assert cluster["EngineVersion"].startswith("8.0.mysql_aurora.3.")
    assert cluster["StorageEncrypted"] is True
    assert cluster["KmsKeyId"] == outputs["kms_aurora_key_arn"]
    assert outputs["aurora_cluster_identifier"] == cluster["DBClusterIdentifier"]
    assert outputs["aurora_writer_endpoint"] == cluster["Endpoint"]
    assert outputs["aurora_reader_endpoint"] == cluster["ReaderEndpoint"]
    assert outputs["aurora_port"] == str(cluster["Port"])


def test_backups_logs_and_protection_follow_the_environment(cluster, inventory_vars):
    retention = inventory_vars["aurora_backup_retention_days"]
    assert cluster["BackupRetentionPeriod"] == retention >= 7
    assert sorted(cluster["EnabledCloudwatchLogsExports"]) == ["audit", "error", "slowquery"]
    assert cluster["DeletionProtection"] is bool(inventory_vars["platform_protected"])


def test_cluster_is_tagged(rds, cluster, expected_tags, prefix):
    tags = tag_dict(rds.list_tags_for_resource(ResourceName=cluster["DBClusterArn"])["TagList"])
    assert tags.items() >= {**expected_tags, "Name": f"{prefix}-aurora"}.items()


def test_parameter_group_requires_tls_and_sets_utf8mb4_and_logs(rds, cluster, prefix):
    name = f"{prefix}-aurora-mysql80"
    assert cluster["DBClusterParameterGroup"] == name
    group = rds.describe_db_cluster_parameter_groups(DBClusterParameterGroupName=name)["DBClusterParameterGroups"][0]
    assert group["DBParameterGroupFamily"] == "aurora-mysql8.0"
    pages = rds.get_paginator("describe_db_cluster_parameters").paginate(DBClusterParameterGroupName=name)
    values = {p["ParameterName"]: p.get("ParameterValue") for page in pages for p in page["Parameters"]}
    assert values["require_secure_transport"] in ("1", "ON")
    assert values["character_set_server"] == "utf8mb4"
    assert values["collation_server"].startswith("utf8mb4_")
    assert values["slow_query_log"] == "1"
    assert values["server_audit_logging"] == "1"
    assert "CONNECT" in values["server_audit_events"]


def test_subnet_group_is_the_data_subnets(rds, cluster, prefix, data_subnets):
    assert cluster["DBSubnetGroup"] == f"{prefix}-aurora"
    group = rds.describe_db_subnet_groups(DBSubnetGroupName=f"{prefix}-aurora")["DBSubnetGroups"][0]
    assert {s["SubnetIdentifier"] for s in group["Subnets"]} == set(data_subnets)
    assert len(set(data_subnets.values())) >= 2


def test_only_the_aurora_security_group(cluster, group_ids, prefix):
    assert [g["VpcSecurityGroupId"] for g in cluster["VpcSecurityGroups"]] == [group_ids[f"{prefix}-aurora-sg"]]


# --- DB-2: writer and readers ---------------------------------------------------------------------


def test_writer_and_readers_in_different_zones(cluster, instances, inventory_vars, data_subnets):
    readers = inventory_vars["aurora_reader_count"]
    assert len(instances) == 1 + readers >= 2
    members = {m["DBInstanceIdentifier"]: m for m in cluster["DBClusterMembers"]}
    assert set(members) == {i["DBInstanceIdentifier"] for i in instances}
    writers = [i for i in instances if members[i["DBInstanceIdentifier"]]["IsClusterWriter"]]
    assert len(writers) == 1
    writer_zone = writers[0]["AvailabilityZone"]
    for instance in instances:
        assert instance["DBInstanceClass"] == inventory_vars["aurora_instance_class"]
        assert instance["Engine"] == "aurora-mysql"
        assert instance["PubliclyAccessible"] is False
        assert instance["AvailabilityZone"] in set(data_subnets.values())
        if instance is not writers[0]:
            assert instance["AvailabilityZone"] != writer_zone, "a reader shares the writer's AZ"


# --- DB-3 / SEC-2: the credentials secret -----------------------------------------------------------


def test_secret_holds_every_connection_key_encrypted_with_the_secrets_key(aws, prefix, secret, outputs, inventory_vars):
    assert set(secret) == SECRET_KEYS
    description = aws("secretsmanager").describe_secret(SecretId=f"{prefix}/aurora/credentials")
    assert description["ARN"] == outputs["aurora_secret_arn"]
    assert description["KmsKeyId"] == outputs["kms_secrets_key_arn"]
    assert secret["engine"] == "mysql"
    assert secret["dbname"] == outputs["aurora_database_name"]
    # Locally the endpoint is the MariaDB server (SPEC section 4).
    assert (secret["host"], int(secret["port"])) == (
        inventory_vars["aurora_endpoint_override_host"],
        inventory_vars["aurora_endpoint_override_port"],
    )
    strong = len(secret["password"]) >= 16 and not any(c in secret["password"] for c in '/"@ ')
    assert strong, "the generated password is shorter than 16 characters or has a character RDS refuses"


def test_the_password_is_nowhere_in_the_repository_or_outputs(secret):
    password = secret["password"]
    leaked = []
    for path in [PROJECT / "outputs", PROJECT / "inventories", PROJECT / "group_vars", PROJECT / "roles" / "aurora"]:
        for file in path.rglob("*"):
            if file.is_file() and password in file.read_text(errors="ignore"):
                leaked.append(str(file))
    assert leaked == []


# --- DB-4: the migration Lambda and the schema -------------------------------------------------------


@pytest.fixture(scope="module")
def migration_function(aws, prefix):
    return aws("lambda").get_function(FunctionName=f"{prefix}-db-migrations")


def test_migration_lambda_runs_in_the_vpc_with_its_own_role(migration_function, outputs, group_ids, prefix):
    config = migration_function["Configuration"]
    assert config["Runtime"] == "python3.12"
    assert config["Handler"] == "handler.handler"
    assert config["Role"].endswith(f":role/{prefix}-db-migrations")
    assert config["VpcConfig"]["SecurityGroupIds"] == [group_ids[f"{prefix}-lambda-sg"]]
    assert config["VpcConfig"]["SubnetIds"]
    assert config["Environment"]["Variables"]["DB_SECRET_ARN"] == outputs["aurora_secret_arn"]
    assert outputs["migration_lambda_arn"] == config["FunctionArn"]


def test_the_deployed_code_is_the_reproducible_package(migration_function, platform_env, prefix):
    package = PROJECT / "build" / platform_env / f"{prefix}-db-migrations.zip"
    digest = base64.b64encode(hashlib.sha256(package.read_bytes()).digest()).decode()
    assert migration_function["Configuration"]["CodeSha256"] == digest


def test_migration_lambda_log_group_is_encrypted(aws, prefix, outputs):
    name = f"/aws/lambda/{prefix}-db-migrations"
    group = next(
        g for g in aws("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name
    )
    assert group["kmsKeyId"] == outputs["kms_logs_key_arn"]
    assert group["retentionInDays"] > 0


def test_migration_role_is_least_privilege(aws, prefix, outputs):
    iam = aws("iam")
    role = f"{prefix}-db-migrations"
    trust = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "lambda.amazonaws.com"}]
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []
    names = iam.list_role_policies(RoleName=role)["PolicyNames"]
    assert len(names) == 1
    statements = iam.get_role_policy(RoleName=role, PolicyName=names[0])["PolicyDocument"]["Statement"]
    by_sid = {s["Sid"]: s for s in statements}
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        assert all("*" not in action for action in actions), statement["Sid"]
        if "*" in resources:
            # Only what AWS cannot scope to a resource.
            assert set(actions) <= {
                "ec2:CreateNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSubnets",
            }
    assert by_sid["ReadTheDatabaseSecret"]["Resource"].split(":secret:")[1] == f"{prefix}/aurora/credentials-??????"
    assert by_sid["DecryptTheSecretThroughSecretsManager"]["Resource"] == outputs["kms_secrets_key_arn"]
    assert all(f"log-group:/aws/lambda/{prefix}-db-migrations" in r for r in by_sid["WriteItsOwnLogGroup"]["Resource"])


def test_the_ledger_records_every_migration_with_its_checksum(database):
    rows = query(database, "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version")
    files = sorted(MIGRATIONS.glob("*.sql"))
    assert [f"{r['version']}_{r['name']}.sql" for r in rows] == [f.name for f in files]
    assert [r["checksum"] for r in rows] == [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    assert all(r["applied_at"] for r in rows)


def test_every_table_exists_and_tenant_tables_carry_user_id_and_user_type(database):
    tables = {
        r["t"]
        for r in query(
            database, "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()"
        )
    }
    assert tables >= {"schema_migrations", "users", *TENANT_TABLES}
    for table in TENANT_TABLES:
        columns = {
            r["c"]
            for r in query(
                database,
                "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = %s",
                table,
            )
        }
        assert {"user_id", "user_type"} <= columns, table


def test_the_provider_event_id_is_unique(database):
    rows = query(
        database,
        "SELECT index_name AS i, non_unique AS n FROM information_schema.statistics "
        "WHERE table_schema = DATABASE() AND table_name = 'payments' AND column_name = 'provider_event_id'",
    )
    assert any(r["n"] == 0 for r in rows)


def test_a_second_migration_run_applies_nothing(aws, prefix):
    answer = aws("lambda").invoke(FunctionName=f"{prefix}-db-migrations", Payload=json.dumps({"action": "migrate"}))
    result = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, result
    assert result["applied"] == []
    assert result["current_version"] == sorted(MIGRATIONS.glob("*.sql"))[-1].name[:4]


# --- SEC-2: rotation of the credentials secret (last: it changes the password) ------------------------


def test_the_secret_rotates_through_the_rotation_lambda(aws, prefix):
    secretsmanager = aws("secretsmanager")
    description = secretsmanager.describe_secret(SecretId=f"{prefix}/aurora/credentials")
    assert description["RotationEnabled"] is True
    assert description["RotationLambdaARN"].endswith(f":function:{prefix}-db-rotation")
    assert 1 <= description["RotationRules"]["AutomaticallyAfterDays"] <= 365
    config = aws("lambda").get_function(FunctionName=f"{prefix}-db-rotation")["Configuration"]
    assert config["Handler"] == "rotation.handler"
    policy = json.loads(aws("lambda").get_policy(FunctionName=f"{prefix}-db-rotation")["Policy"])
    assert [s["Principal"] for s in policy["Statement"]] == [{"Service": "secretsmanager.amazonaws.com"}]


def test_rotation_role_touches_only_its_secret(aws, prefix, outputs):
    iam = aws("iam")
    role = f"{prefix}-db-rotation"
    names = iam.list_role_policies(RoleName=role)["PolicyNames"]
    statements = iam.get_role_policy(RoleName=role, PolicyName=names[0])["PolicyDocument"]["Statement"]
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        assert all("*" not in action for action in actions), statement["Sid"]
        if "*" in resources:
            assert set(actions) <= {
                "secretsmanager:GetRandomPassword",
                "ec2:CreateNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSubnets",
            }
        elif any(a.startswith("secretsmanager:") for a in actions):
            assert resources == [f"{outputs['aurora_secret_arn'].rsplit('-', 1)[0]}-??????"]


def test_a_rotation_changes_the_password_in_the_database(aws, prefix, secret):
    secretsmanager = aws("secretsmanager")
    name = f"{prefix}/aurora/credentials"
    arn = secretsmanager.describe_secret(SecretId=name)["RotationLambdaARN"]
    # AWS reuses the configured function; moto 5.2.5 needs it named on every RotateSecret.
    secretsmanager.rotate_secret(SecretId=name, RotationLambdaARN=arn)
    rotated = json.loads(secretsmanager.get_secret_value(SecretId=name)["SecretString"])
    assert {k: v for k, v in rotated.items() if k != "password"} == {k: v for k, v in secret.items() if k != "password"}
    changed = rotated["password"] != secret["password"]
    assert changed, "the rotation kept the password"

    def logs_in(password):
        try:
            pymysql.connect(
                host=rotated["host"],
                port=int(rotated["port"]),
                user=rotated["username"],
                password=password,
                database=rotated["dbname"],
            ).close()
        except pymysql.err.OperationalError:
            return False
        return True

    assert logs_in(rotated["password"]), "the rotated password does not log in"
    assert not logs_in(secret["password"]), "the old password still logs in"
