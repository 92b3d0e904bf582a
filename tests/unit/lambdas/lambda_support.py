"""Helpers of the Lambda function tests: a function's modules imported from ``lambdas/``,
and throwaway databases on the real local MariaDB.

A plain module next to the tests (pytest puts this folder on ``sys.path``); the
fixtures built on it (``database``, ``sql``) are in this folder's ``conftest.py``.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import pathlib
import secrets
import sys
import types
import uuid
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import pymysql
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
LAMBDAS_DIR = ROOT / "lambdas"
COMMON_DIR = LAMBDAS_DIR / "common"
MIGRATIONS_DIR = LAMBDAS_DIR / "db_migrations" / "migrations"
REGION = "us-east-2"
MYSQL = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}


def load_function_modules(function: str, names: Sequence[str]) -> types.SimpleNamespace:
    """Import the modules ``names`` of ``lambdas/<function>`` (with ``freelancer_common``) under
    their own names, without leaving them in sys.modules.

    Other Lambda functions have modules named ``handler`` too; the modules keep
    references to the modules they imported, so they are removed again afterwards.
    """
    saved = {name: sys.modules.pop(name) for name in names if name in sys.modules}
    sys.path[:0] = [str(LAMBDAS_DIR / function), str(COMMON_DIR)]
    try:
        loaded = {name: importlib.import_module(name) for name in names}
    finally:
        del sys.path[:2]
        for name in names:
            sys.modules.pop(name, None)
        sys.modules.update(saved)
    return types.SimpleNamespace(**loaded)


@functools.cache
def load_migrator() -> types.ModuleType:
    """The schema migration runner (``lambdas/db_migrations/migrator.py``) under a name of its own."""
    spec = importlib.util.spec_from_file_location(
        "lambda_tests_migrator", LAMBDAS_DIR / "db_migrations" / "migrator.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def admin() -> pymysql.connections.Connection:
    """An autocommit root connection to the local MariaDB; fails the test when none answers."""
    try:
        return pymysql.connect(**MYSQL, autocommit=True)
    except pymysql.err.OperationalError as exc:
        pytest.fail(
            f"no MySQL server answers on 127.0.0.1:3306 ({exc}); start MariaDB with "
            "`start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`"
        )


@dataclass(frozen=True)
class Database:
    """A throwaway database and the user that may use only it."""

    dbname: str
    username: str
    password: str = field(repr=False)

    def credentials(self, port: int = MYSQL["port"]) -> dict[str, Any]:
        """The credentials secret's value (``freelancer_common.db``) for this database."""
        return {
            "engine": "mariadb",
            "host": MYSQL["host"],
            "port": port,
            "username": self.username,
            "password": self.password,
            "dbname": self.dbname,
        }

    def connect(self) -> pymysql.connections.Connection:
        """A connection as the functions open it: as the user, dict rows, not autocommit."""
        return pymysql.connect(
            host=MYSQL["host"],
            port=MYSQL["port"],
            user=self.username,
            password=self.password,
            database=self.dbname,
            cursorclass=pymysql.cursors.DictCursor,
        )


@contextmanager
def throwaway_database(prefix: str = "fn_test_") -> Iterator[Database]:
    """A database with every migration of the package applied and a user that may use only it;
    both dropped on the way out."""
    name = f"{prefix}{uuid.uuid4().hex[:10]}"
    database = Database(dbname=name, username=name, password=secrets.token_hex(16))
    root = admin()
    try:
        with root.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{database.dbname}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            for host in ("127.0.0.1", "localhost"):
                cursor.execute(f"CREATE USER '{database.username}'@'{host}' IDENTIFIED BY %s", (database.password,))
                cursor.execute(f"GRANT ALL PRIVILEGES ON `{database.dbname}`.* TO '{database.username}'@'{host}'")
        migrator = load_migrator()
        migrations = migrator.load_migrations(MIGRATIONS_DIR)
        target = pymysql.connect(**MYSQL, database=database.dbname, cursorclass=pymysql.cursors.DictCursor)
        try:
            result = migrator.migrate(target, migrations, database=database.dbname)
        finally:
            target.close()
        assert result["applied"] == [migration.label for migration in migrations]
        yield database
    finally:
        with root.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{database.dbname}`")
            for host in ("127.0.0.1", "localhost"):
                cursor.execute(f"DROP USER IF EXISTS '{database.username}'@'{host}'")
        root.close()
