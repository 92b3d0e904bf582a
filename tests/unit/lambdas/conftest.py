"""Fixtures of the Lambda function tests on the real local MariaDB (helpers: ``lambda_support``)."""

from __future__ import annotations

from typing import Any

import pymysql
import pytest
from lambda_support import MYSQL
from lambda_support import throwaway_database


@pytest.fixture(scope="module")
def migrated_database():
    """A ``lambda_support.Database`` with every migration applied, for the test module; dropped after it."""
    with throwaway_database() as database:
        yield database


@pytest.fixture
def sql(migrated_database):
    """``sql(query, *args)`` -> rows, on an autocommit root connection (seeding and assertions)."""
    conn = pymysql.connect(
        **MYSQL, database=migrated_database.dbname, autocommit=True, cursorclass=pymysql.cursors.DictCursor
    )

    def run(query: str, *args: Any) -> list[dict[str, Any]]:
        with conn.cursor() as cursor:
            cursor.execute(query, args or None)
            return list(cursor.fetchall())

    yield run
    conn.close()
