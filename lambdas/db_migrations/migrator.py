"""Versioned, idempotent schema migrations for MySQL (Aurora MySQL, MariaDB).

Migrations are files ``migrations/NNNN_name.sql``, applied in version order. The
ledger table ``schema_migrations`` records each applied version with its name, the
SHA-256 of the file and when it was applied. A run:

1. takes a named lock (``GET_LOCK``), so two runs never apply the same migration;
2. creates the ledger if it does not exist;
3. refuses to go on when an applied migration's file changed (checksum), is
   missing from the package, or when a pending version is older than an applied one;
4. applies each pending migration in its own transaction, recording it in the
   ledger in that same transaction;
5. releases the lock and returns what it applied and the current version.

MySQL commits DDL statements implicitly, so a failing migration can leave the DDL
that ran before the failure in place (its ledger row is not written). Migrations
are therefore written to be rerunnable (``CREATE TABLE IF NOT EXISTS`` ...).
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILE_PATTERN = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9][a-z0-9_]*)\.sql$")
LEDGER_TABLE = "schema_migrations"
LEDGER_DDL = f"""
CREATE TABLE IF NOT EXISTS {LEDGER_TABLE} (
  version    VARCHAR(16)  NOT NULL,
  name       VARCHAR(200) NOT NULL,
  checksum   CHAR(64)     NOT NULL,
  applied_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
"""


class MigrationError(RuntimeError):
    """The migrations cannot be applied safely; nothing more was applied."""


class LockTimeout(MigrationError):
    """Another run holds the migration lock."""


class ChecksumMismatch(MigrationError):
    """An applied migration's file changed since it was applied."""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    sql: str
    checksum: str

    @property
    def label(self) -> str:
        return f"{self.version}_{self.name}"


def load_migrations(directory: Path | str) -> list[Migration]:
    """Every ``NNNN_name.sql`` of ``directory`` in version order; any other ``.sql`` file is an error."""
    directory = Path(directory)
    if not directory.is_dir():
        raise MigrationError(f"migrations directory {directory} does not exist")
    found: dict[str, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = FILE_PATTERN.match(path.name)
        if not match:
            raise MigrationError(f"migration file {path.name} is not named NNNN_lowercase_name.sql")
        version = match["version"]
        if version in found:
            raise MigrationError(f"migration version {version} is used by {found[version].label} and {path.stem}")
        data = path.read_bytes()
        found[version] = Migration(
            version=version,
            name=match["name"],
            sql=data.decode("utf-8"),
            checksum=hashlib.sha256(data).hexdigest(),
        )
    return [found[v] for v in sorted(found)]


def split_statements(sql: str) -> list[str]:
    """Split a script on ``;`` outside quotes, identifiers and comments; drop comments and empty statements."""
    statements: list[str] = []
    current: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        pair = sql[i : i + 2]
        if (pair == "--" and (i + 2 >= n or sql[i + 2] in " \t\r\n")) or char == "#":
            end = sql.find("\n", i)
            i = n if end == -1 else end + 1
            current.append("\n")
            continue
        if pair == "/*":
            end = sql.find("*/", i + 2)
            if end == -1:
                raise MigrationError("unterminated /* comment")
            i = end + 2
            current.append(" ")
            continue
        if char in ("'", '"', "`"):
            j = i + 1
            while j < n:
                if sql[j] == "\\" and char != "`":
                    j += 2
                    continue
                if sql[j] == char:
                    if j + 1 < n and sql[j + 1] == char:  # doubled quote
                        j += 2
                        continue
                    break
                j += 1
            if j >= n:
                raise MigrationError(f"unterminated {char} quote")
            current.append(sql[i : j + 1])
            i = j + 1
            continue
        if char == ";":
            statement = "".join(current).strip()
            if statement:
                statements.append(statement)
            current = []
            i += 1
            continue
        current.append(char)
        i += 1
    statement = "".join(current).strip()
    if statement:
        statements.append(statement)
    return statements


def lock_name(database: str) -> str:
    """GET_LOCK names are server-wide: one lock per database (at most 64 characters)."""
    return f"schema_migrations:{database}"[:64]


def _scalar(cursor: Any, sql: str, args: Any = None) -> Any:
    cursor.execute(sql, args)
    row = cursor.fetchone()
    if row is None:
        return None
    return next(iter(row.values())) if isinstance(row, dict) else row[0]


def release_lock(connection: Any, name: str) -> None:
    """Release the lock; a broken connection has released it already (locks end with their session)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT RELEASE_LOCK(%s)", (name,))
            cursor.fetchall()
    except Exception:  # noqa: S110 - the session is gone, and its lock with it
        pass


def applied_migrations(connection: Any) -> dict[str, dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version, name, checksum FROM {LEDGER_TABLE} ORDER BY version")  # noqa: S608
        rows = cursor.fetchall()
    result = {}
    for row in rows:
        if not isinstance(row, dict):
            row = dict(zip(("version", "name", "checksum"), row, strict=True))
        result[row["version"]] = row
    return result


def plan(migrations: list[Migration], applied: dict[str, dict[str, Any]]) -> list[Migration]:
    """The pending migrations, after checking the applied ones are intact."""
    by_version = {m.version: m for m in migrations}
    for version, row in sorted(applied.items()):
        migration = by_version.get(version)
        if migration is None:
            raise MigrationError(
                f"migration {version}_{row['name']} is applied in the database but missing from this package; "
                "deploy the package that contains it"
            )
        if migration.checksum != row["checksum"]:
            raise ChecksumMismatch(
                f"migration {migration.label} changed after it was applied (checksum {row['checksum'][:12]}... in the "
                f"ledger, {migration.checksum[:12]}... in the package); add a new migration instead of editing it"
            )
    pending = [m for m in migrations if m.version not in applied]
    if pending and applied and pending[0].version < max(applied):
        raise MigrationError(
            f"migration {pending[0].label} is older than the applied version {max(applied)}; "
            "renumber it after the applied migrations"
        )
    return pending


def apply_migration(connection: Any, migration: Migration) -> None:
    statements = split_statements(migration.sql)
    if not statements:
        raise MigrationError(f"migration {migration.label} has no statement")
    connection.begin()
    try:
        with connection.cursor() as cursor:
            for index, statement in enumerate(statements, start=1):
                try:
                    cursor.execute(statement)
                except Exception as exc:
                    raise MigrationError(
                        f"migration {migration.label} failed at statement {index} of {len(statements)}: {exc}"
                    ) from exc
            cursor.execute(
                f"INSERT INTO {LEDGER_TABLE} (version, name, checksum) VALUES (%s, %s, %s)",  # noqa: S608
                (migration.version, migration.name, migration.checksum),
            )
        connection.commit()
    except BaseException:
        connection.rollback()
        raise


def migrate(
    connection: Any,
    migrations: list[Migration],
    *,
    database: str,
    lock_timeout: int = 60,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Apply the pending ``migrations`` on ``connection`` (its current database is ``database``).

    Returns ``{"applied": [labels], "pending": [labels], "current_version": str | None}``;
    with ``dry_run`` nothing is applied and ``pending`` lists what would be.
    """
    name = lock_name(database)
    started = time.monotonic()
    with connection.cursor() as cursor:
        got = _scalar(cursor, "SELECT GET_LOCK(%s, %s)", (name, int(lock_timeout)))
    if got != 1:
        raise LockTimeout(f"another migration run holds lock {name!r} (waited {lock_timeout} s)")
    try:
        with connection.cursor() as cursor:
            cursor.execute(LEDGER_DDL)
        connection.commit()
        applied = applied_migrations(connection)
        connection.commit()  # end the read, so no metadata lock outlives it
        pending = plan(migrations, applied)
        done: list[str] = []
        if not dry_run:
            for migration in pending:
                apply_migration(connection, migration)
                done.append(migration.label)
                applied[migration.version] = {"name": migration.name, "checksum": migration.checksum}
    finally:
        release_lock(connection, name)
    return {
        "applied": done,
        "pending": [] if not dry_run else [m.label for m in pending],
        "current_version": max(applied) if applied else None,
        "database": database,
        "duration_ms": int((time.monotonic() - started) * 1000),
    }
