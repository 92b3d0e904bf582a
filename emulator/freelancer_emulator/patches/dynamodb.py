"""DynamoDB patches."""

from __future__ import annotations

import uuid
from typing import Any

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import wrap


@once
def describe_table_table_id() -> None:
    """CreateTable / DescribeTable / UpdateTable / DeleteTable return the table's ``TableId``.

    AWS: every ``TableDescription`` carries ``TableId``, a UUID fixed for the table's life.
    moto 5.2.5: ``Table.describe`` (moto/dynamodb/models/table.py:474) builds the description without
    it; amazon.aws dynamodb_table reads it unconditionally (``KeyError: 'table_id'`` on every run).
    Fix: give each table a stable UUID on first description and add it.
    """
    from moto.dynamodb.models.table import Table

    def make(original: Any) -> Any:
        def describe(self: Table, base_key: str = "TableDescription") -> dict[str, Any]:
            result = original(self, base_key)
            table_id = self.__dict__.get("_emulator_table_id")
            if table_id is None:
                table_id = self.__dict__.setdefault("_emulator_table_id", str(uuid.uuid4()))
            result[base_key]["TableId"] = table_id
            return result

        return describe

    wrap(Table, "describe", make)


PATCHES = [describe_table_table_id]
