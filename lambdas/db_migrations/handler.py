"""The schema migration Lambda: applies ``migrations/*.sql`` to the platform database.

Invoked by the aurora role (``playbooks/settle.yml``) once the cluster is available,
from inside the VPC, with the credentials secret named by ``DB_SECRET_ARN``.

Event (all optional): ``{"action": "migrate" | "status", "lock_timeout": seconds}``.
``status`` reports the pending migrations without applying them.

Returns ``{"applied": ["0001_users_and_profiles", ...], "pending": [...],
"current_version": "0004", "database": "...", "duration_ms": n}``; any problem
(lock held, changed checksum, failing statement) raises, so the invocation ends
in a function error and the caller fails.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import migrator
from freelancer_common import db
from freelancer_common import secrets

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ACTIONS = ("migrate", "status")


def run(event: dict[str, Any], connection: Any, database: str, migrations_dir: Path = MIGRATIONS_DIR) -> dict[str, Any]:
    action = str(event.get("action", "migrate"))
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {ACTIONS}, got {action!r}")
    lock_timeout = int(event.get("lock_timeout", os.environ.get("MIGRATION_LOCK_TIMEOUT", "60")))
    migrations = migrator.load_migrations(migrations_dir)
    return migrator.migrate(
        connection,
        migrations,
        database=database,
        lock_timeout=lock_timeout,
        dry_run=action == "status",
    )


def handler(event: dict[str, Any] | None, context: Any) -> dict[str, Any]:
    event = event or {}
    settings = db.settings_from_secret(secrets.get_json_secret(os.environ["DB_SECRET_ARN"]))
    connection = db.connect(settings, tls=db.tls_context(), read_timeout=int(os.environ.get("DB_READ_TIMEOUT", "600")))
    try:
        result = run(event, connection, settings.dbname)
    finally:
        connection.close()
    print(json.dumps({"event": "schema_migrations", **result}))  # one structured log line
    return result
