"""The schema migration runner and Lambda against the real local MariaDB.

Each test works in a throwaway database (``zz_migrations_<random>``), dropped
afterwards. MariaDB must answer on 127.0.0.1:3306 (``.ci/run`` starts it).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import threading
import uuid
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[3]
FUNCTION_DIR = ROOT / "lambdas" / "db_migrations"
MIGRATIONS = FUNCTION_DIR / "migrations"
for path in (ROOT / "lambdas" / "common", FUNCTION_DIR):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import migrator
import pymysql
from lambda_support import MYSQL
from lambda_support import admin

TENANT_TABLES = (
    "freelancer_profiles",
    "client_profiles",
    "projects",
    "bids",
    "milestones",
    "payments",
    "portfolio_items",
)


def load_handler():
    """The Lambda's handler module under a name of its own (other functions also have a handler.py)."""
    spec = importlib.util.spec_from_file_location("db_migrations_handler", FUNCTION_DIR / "handler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def database():
    name = f"zz_migrations_{uuid.uuid4().hex[:10]}"
    root = admin()
    with root.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    yield name
    with root.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
    root.close()


@pytest.fixture
def connect(database):
    """``connect()`` -> a new connection to the throwaway database; all are closed at the end."""
    opened = []

    def make():
        connection = pymysql.connect(**MYSQL, database=database, cursorclass=pymysql.cursors.DictCursor)
        opened.append(connection)
        return connection

    yield make
    for connection in opened:
        try:
            connection.close()
        except pymysql.err.Error:
            pass


@pytest.fixture
def migrations_copy(tmp_path):
    target = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, target)
    return target


def ledger(connection):
    connection.commit()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
        rows = cursor.fetchall()
    connection.commit()
    return rows


def tables(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()")
        rows = {r["t"] for r in cursor.fetchall()}
    connection.commit()
    return rows


# --- the migration files -----------------------------------------------------------------------


def test_migration_files_are_numbered_and_named():
    loaded = migrator.load_migrations(MIGRATIONS)
    assert [m.version for m in loaded] == [f"{i:04d}" for i in range(1, len(loaded) + 1)]
    assert all(m.checksum and len(m.checksum) == 64 for m in loaded)


def test_a_badly_named_file_is_refused(migrations_copy):
    (migrations_copy / "5_oops.sql").write_text("SELECT 1;")
    with pytest.raises(migrator.MigrationError, match=r"5_oops\.sql"):
        migrator.load_migrations(migrations_copy)


def test_duplicate_versions_are_refused(migrations_copy):
    (migrations_copy / "0001_again.sql").write_text("SELECT 1;")
    with pytest.raises(migrator.MigrationError, match="0001"):
        migrator.load_migrations(migrations_copy)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("SELECT 1; SELECT 2;", ["SELECT 1", "SELECT 2"]),
        (
            "INSERT INTO t VALUES ('a;b'); -- a comment; still comment\nSELECT 3",
            ["INSERT INTO t VALUES ('a;b')", "SELECT 3"],
        ),
        ("/* block; comment */ CREATE TABLE `x;y` (a INT);", ["CREATE TABLE `x;y` (a INT)"]),
        ("SELECT 'it''s; fine'; # hash comment;\n", ["SELECT 'it''s; fine'"]),
        ('SELECT "a\\";b";', ['SELECT "a\\";b"']),
        ("SELECT 5--1;", ["SELECT 5--1"]),
        ("  ;\n;  ", []),
    ],
)
def test_split_statements(script, expected):
    assert migrator.split_statements(script) == expected


def test_split_refuses_an_unterminated_quote():
    with pytest.raises(migrator.MigrationError, match="unterminated"):
        migrator.split_statements("SELECT 'oops;")


# --- the runner against MariaDB ------------------------------------------------------------------


def test_applies_every_migration_in_order_then_none(connect, database):
    connection = connect()
    migrations = migrator.load_migrations(MIGRATIONS)
    first = migrator.migrate(connection, migrations, database=database)
    assert first["applied"] == [m.label for m in migrations]
    assert first["current_version"] == migrations[-1].version
    rows = ledger(connection)
    assert [(r["version"], r["name"], r["checksum"]) for r in rows] == [
        (m.version, m.name, m.checksum) for m in migrations
    ]

    second = migrator.migrate(connect(), migrations, database=database)
    assert second["applied"] == []
    assert second["current_version"] == first["current_version"]
    assert len(ledger(connection)) == len(migrations)


def test_status_lists_pending_without_applying(connect, database):
    connection = connect()
    migrations = migrator.load_migrations(MIGRATIONS)
    status = migrator.migrate(connection, migrations, database=database, dry_run=True)
    assert status["applied"] == [] and status["pending"] == [m.label for m in migrations]
    assert status["current_version"] is None
    assert tables(connection) == {"schema_migrations"}


def test_a_new_migration_is_applied_alone(connect, database, migrations_copy):
    connection = connect()
    migrator.migrate(connection, migrator.load_migrations(migrations_copy), database=database)
    (migrations_copy / "0099_add_note.sql").write_text("ALTER TABLE users ADD COLUMN note VARCHAR(20) NULL;\n")
    result = migrator.migrate(connection, migrator.load_migrations(migrations_copy), database=database)
    assert result["applied"] == ["0099_add_note"] and result["current_version"] == "0099"


def test_a_changed_applied_migration_is_refused_and_nothing_else_runs(connect, database, migrations_copy):
    connection = connect()
    migrator.migrate(connection, migrator.load_migrations(migrations_copy), database=database)
    tampered = migrations_copy / "0002_projects_and_bids.sql"
    tampered.write_text(tampered.read_text() + "\n-- edited after release\n")
    (migrations_copy / "0099_would_run.sql").write_text("CREATE TABLE must_not_exist (id INT);\n")
    with pytest.raises(migrator.ChecksumMismatch, match="0002_projects_and_bids"):
        migrator.migrate(connection, migrator.load_migrations(migrations_copy), database=database)
    assert "must_not_exist" not in tables(connect())
    assert len(ledger(connect())) == len(migrator.load_migrations(MIGRATIONS))


def test_an_applied_migration_missing_from_the_package_is_refused(connect, database, migrations_copy):
    connection = connect()
    migrator.migrate(connection, migrator.load_migrations(migrations_copy), database=database)
    (migrations_copy / "0004_portfolio_items.sql").unlink()
    with pytest.raises(migrator.MigrationError, match="missing from this package"):
        migrator.migrate(connection, migrator.load_migrations(migrations_copy), database=database)


def test_an_older_pending_migration_is_refused(connect, database, tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0001_a.sql").write_text("CREATE TABLE a (id INT);")
    (folder / "0003_c.sql").write_text("CREATE TABLE c (id INT);")
    connection = connect()
    migrator.migrate(connection, migrator.load_migrations(folder), database=database)
    (folder / "0002_b.sql").write_text("CREATE TABLE b (id INT);")
    with pytest.raises(migrator.MigrationError, match="older than the applied version 0003"):
        migrator.migrate(connection, migrator.load_migrations(folder), database=database)
    assert "b" not in tables(connect())


def test_a_failing_migration_is_not_recorded_and_its_data_changes_roll_back(connect, database, tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0001_table.sql").write_text("CREATE TABLE t (id INT PRIMARY KEY);")
    (folder / "0002_rows.sql").write_text("INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (1);\n")
    connection = connect()
    with pytest.raises(migrator.MigrationError, match="0002_rows failed at statement 2 of 2"):
        migrator.migrate(connection, migrator.load_migrations(folder), database=database)
    other = connect()
    assert [r["version"] for r in ledger(other)] == ["0001"]
    with other.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) AS n FROM t")
        assert cursor.fetchone()["n"] == 0


def test_a_held_lock_stops_a_second_run(connect, database):
    holder = connect()
    with holder.cursor() as cursor:
        cursor.execute("SELECT GET_LOCK(%s, 0) AS got", (migrator.lock_name(database),))
        assert cursor.fetchone()["got"] == 1
    with pytest.raises(migrator.LockTimeout, match="another migration run"):
        migrator.migrate(connect(), migrator.load_migrations(MIGRATIONS), database=database, lock_timeout=1)
    assert tables(connect()) == set()
    with holder.cursor() as cursor:
        cursor.execute("SELECT RELEASE_LOCK(%s)", (migrator.lock_name(database),))


def test_concurrent_runs_apply_each_migration_once(connect, database):
    migrations = migrator.load_migrations(MIGRATIONS)
    connections = [connect() for _ in range(3)]
    results, errors = [], []
    start = threading.Barrier(len(connections))

    def run(connection):
        try:
            start.wait()
            results.append(migrator.migrate(connection, migrations, database=database, lock_timeout=30))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in connections]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    applied = sorted((r["applied"] for r in results), key=len)
    assert applied[:-1] == [[], []] and applied[-1] == [m.label for m in migrations]
    assert len(ledger(connect())) == len(migrations)


def test_the_lock_is_per_database():
    assert migrator.lock_name("freelancer_dev") != migrator.lock_name("freelancer_local")
    assert len(migrator.lock_name("x" * 100)) <= 64


# --- the schema (DB-4) ---------------------------------------------------------------------------


@pytest.fixture
def schema(connect, database):
    connection = connect()
    migrator.migrate(connection, migrator.load_migrations(MIGRATIONS), database=database)
    return connection


def columns(connection, table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = %s",
            (table,),
        )
        return {r["c"] for r in cursor.fetchall()}


def test_every_tenant_table_carries_user_id_and_user_type_bound_to_users(schema):
    assert tables(schema) >= {"schema_migrations", "users", *TENANT_TABLES}
    with schema.cursor() as cursor:
        cursor.execute(
            "SELECT table_name AS t, GROUP_CONCAT(column_name ORDER BY ordinal_position) AS cols "
            "FROM information_schema.key_column_usage WHERE table_schema = DATABASE() "
            "AND referenced_table_name = 'users' GROUP BY constraint_name, table_name"
        )
        references = {(r["t"], r["cols"]) for r in cursor.fetchall()}
    for table in TENANT_TABLES:
        assert {"user_id", "user_type"} <= columns(schema, table), table
        assert (table, "user_id,user_type") in references, f"{table} does not reference users (user_id, user_type)"


def test_indexes_for_the_platform_queries(schema):
    with schema.cursor() as cursor:
        cursor.execute(
            "SELECT table_name AS t, index_name AS i, GROUP_CONCAT(column_name ORDER BY seq_in_index) AS cols, "
            "MIN(non_unique) AS non_unique FROM information_schema.statistics WHERE table_schema = DATABASE() "
            "GROUP BY table_name, index_name"
        )
        indexes = {(r["t"], r["cols"]): r["non_unique"] for r in cursor.fetchall()}

    def leading(table, prefix):
        return any(t == table and cols.startswith(prefix) for t, cols in indexes)

    assert leading("projects", "user_id,status")  # a client's projects by status
    assert leading("bids", "project_id")  # bids of a project
    assert leading("bids", "user_id")  # a freelancer's bids
    assert leading("milestones", "project_id")  # milestones of a project
    assert leading("payments", "milestone_id")  # payments of a milestone
    assert indexes[("payments", "provider_event_id")] == 0  # unique


def seed(connection):
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO users (user_id, user_type, email) VALUES (%s, %s, %s)",
            [("c-1", "client", "c@example.com"), ("f-1", "freelancer", "f@example.com")],
        )
        cursor.execute("INSERT INTO projects (user_id, title, status) VALUES ('c-1', 'Site', 'bidding_open')")
        project_id = cursor.lastrowid
        cursor.execute(
            "INSERT INTO milestones (project_id, user_id, sequence_no, title, amount) VALUES (%s, 'c-1', 1, 'M1', 100)",
            (project_id,),
        )
        milestone_id = cursor.lastrowid
    connection.commit()
    return project_id, milestone_id


def test_a_provider_event_is_recorded_once(schema):
    project_id, milestone_id = seed(schema)
    insert = (
        "INSERT INTO payments (provider, provider_event_id, milestone_id, project_id, user_id, amount, currency, status) "
        "VALUES ('stripe', 'evt_1', %s, %s, 'c-1', 100, 'USD', 'succeeded')"
    )
    with schema.cursor() as cursor:
        cursor.execute(insert, (milestone_id, project_id))
        schema.commit()
        with pytest.raises(pymysql.err.IntegrityError):
            cursor.execute(insert, (milestone_id, project_id))
    schema.rollback()
    with schema.cursor() as cursor:
        cursor.execute("UPDATE milestones SET status = 'paid' WHERE milestone_id = %s", (milestone_id,))
        assert cursor.rowcount == 1


def test_a_row_cannot_claim_another_kind_of_owner(schema):
    seed(schema)
    with schema.cursor() as cursor:
        # A client cannot own a freelancer profile, nor bid.
        with pytest.raises((pymysql.err.IntegrityError, pymysql.err.OperationalError)):
            cursor.execute("INSERT INTO freelancer_profiles (user_id) VALUES ('c-1')")
        with pytest.raises((pymysql.err.IntegrityError, pymysql.err.OperationalError)):
            cursor.execute("INSERT INTO bids (project_id, user_id, amount) SELECT project_id, 'c-1', 10 FROM projects")
        cursor.execute("INSERT INTO bids (project_id, user_id, amount) SELECT project_id, 'f-1', 10 FROM projects")
        # One bid per freelancer per project.
        with pytest.raises(pymysql.err.IntegrityError):
            cursor.execute("INSERT INTO bids (project_id, user_id, amount) SELECT project_id, 'f-1', 12 FROM projects")
    schema.rollback()


# --- the Lambda handler ---------------------------------------------------------------------------


@pytest.fixture
def app_user(database):
    """A MariaDB user with a password on the throwaway database, as the role creates locally."""
    user, password = f"zz_{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    root = admin()
    with root.cursor() as cursor:
        cursor.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'")
        cursor.execute(f"GRANT ALL PRIVILEGES ON `{database}`.* TO '{user}'@'%'")
    yield user, password
    with root.cursor() as cursor:
        cursor.execute(f"DROP USER IF EXISTS '{user}'@'%'")
    root.close()


@pytest.fixture
def secret_arn(mocked_aws, database, app_user, monkeypatch):
    user, password = app_user
    value = {
        "engine": "mysql",
        "host": "127.0.0.1",
        "port": 3306,
        "username": user,
        "password": password,
        "dbname": database,
    }
    arn = boto3.client("secretsmanager").create_secret(Name="test/aurora/credentials", SecretString=json.dumps(value))[
        "ARN"
    ]
    monkeypatch.setenv("DB_SECRET_ARN", arn)
    monkeypatch.setenv("DB_TLS", "disabled")
    return arn


def test_the_handler_migrates_with_the_secret_then_applies_nothing(secret_arn, database, connect):
    handler = load_handler()
    first = handler.handler({}, None)
    assert first["applied"] == [m.label for m in migrator.load_migrations(MIGRATIONS)]
    assert first["database"] == database
    json.dumps(first)  # the result is what Lambda returns: JSON
    second = handler.handler({"action": "migrate"}, None)
    assert second["applied"] == [] and second["current_version"] == first["current_version"]
    status = handler.handler({"action": "status"}, None)
    assert status["pending"] == []
    assert "users" in tables(connect())


def test_the_handler_refuses_an_unknown_action(secret_arn):
    with pytest.raises(ValueError, match="action"):
        load_handler().handler({"action": "drop"}, None)


def test_the_handler_requires_tls_unless_told_otherwise(secret_arn, monkeypatch):
    monkeypatch.setenv("DB_TLS", "required")
    # The local MariaDB offers no TLS: a required TLS connection must fail, never fall back to plain text.
    with pytest.raises(pymysql.err.OperationalError, match="SSL"):
        load_handler().handler({}, None)
