"""Benchmark of the payment webhook handler: warm throughput and latency, and cold start.

Runs the real handler in this process against the local MariaDB (a throwaway
database with the project's migrations, dropped afterwards) and the emulator
(Secrets Manager for the signing and database secrets, SNS for the
confirmations; resources with unique names, removed afterwards).

* warm: after one warm-up request, ``--events`` signed ``payment_intent.succeeded``
  deliveries for distinct milestones (each a full transaction and an SNS publish),
  then as many replays (the duplicate path): events per second, p50, p99;
* cold start: the import of the handler module in a fresh interpreter (median of
  ``--cold-runs``), and the first request of a new container (secret read,
  database connection), measured in this process after clearing the caches.

Targets: warm p99 under 50 ms, import under 300 ms. Usage::

    make bench                           # emulator on LOCAL_AWS_PORT (started if needed)
    python bench/webhook_benchmark.py --events 500 --json

The exit status is 0 unless ``--strict`` is given and a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import pathlib
import secrets
import statistics
import subprocess
import sys
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[1]
WEBHOOK_DIR = ROOT / "lambdas" / "payment_webhook"
COMMON_DIR = ROOT / "lambdas" / "common"
MIGRATIONS_DIR = ROOT / "lambdas" / "db_migrations" / "migrations"
REGION = "us-east-2"
TARGET_P99_MS = 50.0
TARGET_IMPORT_MS = 300.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def import_time_ms(runs: int, module: str = "handler") -> list[float]:
    code = f"import time; t = time.perf_counter(); import {module}; print((time.perf_counter() - t) * 1000)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(WEBHOOK_DIR), str(COMMON_DIR)])}
    timings = []
    for _ in range(runs):
        answer = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=WEBHOOK_DIR
        )
        timings.append(float(answer.stdout.strip()))
    return timings


class Fixture:
    """The database, the secrets and the topic the handler uses, created for the run."""

    def __init__(self, endpoint: str, mysql: dict) -> None:
        import boto3
        import pymysql

        self.endpoint = endpoint
        self.mysql = mysql
        self.name = f"pw_bench_{uuid.uuid4().hex[:8]}"
        self.password = secrets.token_hex(16)
        self.admin = pymysql.connect(**mysql, autocommit=True)
        with self.admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{self.name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            for host in ("127.0.0.1", "localhost"):
                cursor.execute(f"CREATE USER '{self.name}'@'{host}' IDENTIFIED BY %s", (self.password,))
                cursor.execute(f"GRANT ALL PRIVILEGES ON `{self.name}`.* TO '{self.name}'@'{host}'")
        sys.path.insert(0, str(ROOT / "lambdas" / "db_migrations"))
        import migrator

        conn = pymysql.connect(**mysql, database=self.name, cursorclass=pymysql.cursors.DictCursor)
        try:
            migrator.migrate(conn, migrator.load_migrations(MIGRATIONS_DIR), database=self.name)
        finally:
            conn.close()
        # emulators accept any credentials: these are placeholders, not secrets
        session = boto3.session.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106
            region_name=REGION,
        )
        self.sm = session.client("secretsmanager", endpoint_url=endpoint)
        self.sns = session.client("sns", endpoint_url=endpoint)
        self.signing_secret = "whsec_" + secrets.token_urlsafe(32)
        self.signing_arn = self.sm.create_secret(
            Name=f"{self.name}/webhook/signing-secret", SecretString=json.dumps({"signing_secret": self.signing_secret})
        )["ARN"]
        credentials = {
            "engine": "mariadb",
            "host": mysql["host"],
            "port": mysql["port"],
            "username": self.name,
            "password": self.password,
            "dbname": self.name,
        }
        self.db_arn = self.sm.create_secret(
            Name=f"{self.name}/aurora/credentials", SecretString=json.dumps(credentials)
        )["ARN"]
        self.topic = self.sns.create_topic(Name=f"{self.name}-payment-confirmations")["TopicArn"]

    def environment(self) -> dict[str, str]:
        return {
            "SIGNING_SECRET_ARN": self.signing_arn,
            "DB_SECRET_ARN": self.db_arn,
            "PAYMENT_TOPIC_ARN": self.topic,
            "STATE_MACHINE_ARN": f"arn:aws:states:{REGION}:123456789012:stateMachine:{self.name}-project-lifecycle",
            "DB_TLS": "disabled",
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_LAMBDA_FUNCTION_NAME": f"{self.name}-payment-webhook",
        }

    def seed(self, count: int) -> list[tuple[int, int]]:
        """``count`` milestones of one project: [(project_id, milestone_id)]."""
        with self.admin.cursor() as cursor:
            cursor.execute(f"USE `{self.name}`")
            cursor.execute(
                "INSERT INTO users (user_id, user_type, email) VALUES ('bench', 'client', 'bench@example.com')"
            )
            cursor.execute("INSERT INTO projects (user_id, title, status) VALUES ('bench', 'Bench', 'in_progress')")
            project = cursor.lastrowid
            rows = [(project, "bench", n + 1, f"M{n + 1}") for n in range(count)]
            cursor.executemany(
                "INSERT INTO milestones (project_id, user_id, sequence_no, title, amount, currency, status) "
                "VALUES (%s, %s, %s, %s, 10.00, 'USD', 'approved')",
                rows,
            )
            cursor.execute(
                "SELECT milestone_id FROM milestones WHERE project_id = %s ORDER BY milestone_id", (project,)
            )
            return [(project, row[0]) for row in cursor.fetchall()]

    def close(self) -> None:
        try:
            self.sm.delete_secret(SecretId=self.signing_arn, ForceDeleteWithoutRecovery=True)
            self.sm.delete_secret(SecretId=self.db_arn, ForceDeleteWithoutRecovery=True)
            self.sns.delete_topic(TopicArn=self.topic)
        finally:
            with self.admin.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS `{self.name}`")
                for host in ("127.0.0.1", "localhost"):
                    cursor.execute(f"DROP USER IF EXISTS '{self.name}'@'{host}'")
            self.admin.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Payment webhook benchmark (warm latency, throughput, cold start).")
    parser.add_argument("--events", type=int, default=300, help="distinct payments to process warm (300)")
    parser.add_argument("--cold-runs", type=int, default=5, help="fresh interpreters to time the import in (5)")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of a table")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.events < 10:
        parser.error("--events must be at least 10")

    endpoint = os.environ.get("AWS_ENDPOINT_URL") or f"http://127.0.0.1:{os.environ.get('LOCAL_AWS_PORT', '4566')}"
    mysql = {
        "host": os.environ.get("BENCH_MYSQL_HOST", "127.0.0.1"),
        "port": int(os.environ.get("BENCH_MYSQL_PORT", "3306")),
        "user": os.environ.get("BENCH_MYSQL_USER", "root"),
        "password": os.environ.get("BENCH_MYSQL_PASSWORD", ""),
    }

    imports = import_time_ms(args.cold_runs)
    # what the AWS SDK alone costs on this machine now (the Lambda runtime pays it too)
    sdk_imports = import_time_ms(args.cold_runs, "botocore.session")

    fixture = Fixture(endpoint, mysql)
    try:
        os.environ.update(fixture.environment())
        sys.path[:0] = [str(WEBHOOK_DIR), str(COMMON_DIR)]
        import handler
        import webhook

        milestones = fixture.seed(args.events + 1)

        def delivery(project: int, milestone: int) -> dict:
            body = json.dumps(
                {
                    "id": f"evt_bench_{uuid.uuid4().hex}",
                    "type": "payment_intent.succeeded",
                    "data": {
                        "object": {
                            "id": f"pi_{uuid.uuid4().hex[:16]}",
                            "amount": 1000,
                            "currency": "usd",
                            "metadata": {"milestone_id": str(milestone), "project_id": str(project)},
                        }
                    },
                }
            ).encode()
            return {
                "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:bench"}},
                "headers": {"stripe-signature": webhook.sign(fixture.signing_secret, int(time.time()), body)},
                "body": body.decode(),
                "isBase64Encoded": False,
            }

        class Context:
            invoked_function_arn = "bench"

        # the handler's structured logs would drown the report: keep them aside
        logs = io.StringIO()
        quiet = contextlib.redirect_stdout(logs)
        quiet.__enter__()
        # the first request of a new container: secret read and database connection
        first = delivery(*milestones[0])
        started = time.perf_counter()
        answer = handler.handler(first, Context())
        first_request_ms = (time.perf_counter() - started) * 1000
        assert answer["statusCode"] == 200, answer

        events = [delivery(*m) for m in milestones[1:]]
        timings: list[float] = []
        wall = time.perf_counter()
        for event in events:
            started = time.perf_counter()
            answer = handler.handler(event, Context())
            timings.append((time.perf_counter() - started) * 1000)
            assert answer["statusCode"] == 200 and json.loads(answer["body"])["result"] == "recorded", answer
        wall = time.perf_counter() - wall

        replays: list[float] = []
        replay_wall = time.perf_counter()
        for event in events:
            started = time.perf_counter()
            answer = handler.handler(event, Context())
            replays.append((time.perf_counter() - started) * 1000)
            assert json.loads(answer["body"])["result"] == "duplicate", answer
        replay_wall = time.perf_counter() - replay_wall

        # the emulator's own share: a bare SNS publish with the handler's client
        sns = handler.client("sns")
        publishes: list[float] = []
        for _ in range(min(100, len(events))):
            started = time.perf_counter()
            sns.publish(TopicArn=fixture.topic, Message="{}")
            publishes.append((time.perf_counter() - started) * 1000)
        handler._drop_connection()
    finally:
        if "quiet" in locals():
            quiet.__exit__(None, None, None)
        fixture.close()

    results = {
        "events": len(events),
        "warm_events_per_second": round(len(events) / wall, 1),
        "warm_p50_ms": round(statistics.median(timings), 2),
        "warm_p99_ms": round(percentile(timings, 0.99), 2),
        "warm_max_ms": round(max(timings), 2),
        "replay_events_per_second": round(len(events) / replay_wall, 1),
        "replay_p50_ms": round(statistics.median(replays), 2),
        "replay_p99_ms": round(percentile(replays, 0.99), 2),
        "sns_publish_p50_ms": round(statistics.median(publishes), 2),
        "sns_publish_p99_ms": round(percentile(publishes, 0.99), 2),
        "import_ms_median": round(statistics.median(imports), 1),
        "sdk_import_ms_median": round(statistics.median(sdk_imports), 1),
        "import_ms_max": round(max(imports), 1),
        "first_request_ms": round(first_request_ms, 1),
        "targets": {"warm_p99_ms": TARGET_P99_MS, "import_ms": TARGET_IMPORT_MS},
    }
    results["targets_met"] = results["warm_p99_ms"] < TARGET_P99_MS and results["import_ms_median"] < TARGET_IMPORT_MS
    if args.json:
        print(json.dumps(results, indent=2, sort_keys=True))
    else:
        print(f"payment webhook benchmark - MariaDB {mysql['host']}:{mysql['port']}, emulator {endpoint}")
        print(
            f"  warm   {results['events']} payments: {results['warm_events_per_second']} events/s, "
            f"p50 {results['warm_p50_ms']} ms, p99 {results['warm_p99_ms']} ms (target < {TARGET_P99_MS:g} ms), "
            f"max {results['warm_max_ms']} ms"
        )
        print(
            f"  replay {results['events']} duplicates: {results['replay_events_per_second']} events/s, "
            f"p50 {results['replay_p50_ms']} ms, p99 {results['replay_p99_ms']} ms"
        )
        print(
            f"  cold   import {results['import_ms_median']} ms median of {args.cold_runs} "
            f"(max {results['import_ms_max']} ms, target < {TARGET_IMPORT_MS:g} ms); "
            f"first request of a container {results['first_request_ms']} ms"
        )
        print(f"  targets {'met' if results['targets_met'] else 'MISSED'}")
    return 1 if args.strict and not results["targets_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
