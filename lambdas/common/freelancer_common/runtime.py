"""What a function keeps per container: structured logs, cached AWS clients and the
database connection.

A handler module makes one :class:`FunctionRuntime` at import time and exposes its
methods under its own names (``client = _runtime.client``), so that a warm container
reuses the clients and the connection of the previous invocations::

    _runtime = runtime.FunctionRuntime()
    _cache = _runtime.cache
    client = _runtime.client
    connection = _runtime.connection

Tests patch those module-level names; the runtime's own calls go through the instance
(``connection()`` reads the secret with ``self.client``, not the handler's ``client``).

AWS clients come from one botocore session by default: the same API as boto3's,
without importing boto3 and s3transfer, which halves a function's cold start (the
payment webhook relies on that). A function that wants boto3 passes its own factory
(``new_client=lambda service: boto3.client(service, config=runtime.CLIENT_CONFIG)``).
Either way ``AWS_ENDPOINT_URL`` (the emulator) is honoured by botocore itself.

``connection()`` is a PyMySQL connection from ``freelancer_common.db.connect_from_secret``
with the secret ``DB_SECRET_ARN`` (read timeout ``DB_READ_TIMEOUT``, 10 seconds by
default), pinged before it is reused and reopened when the server closed it while
the container was idle. ``drop_connection()`` closes it, so that a retry after a
failure does not reuse a broken connection.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

import botocore.session
from botocore.config import Config

from freelancer_common import db

CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=15, retries={"max_attempts": 3, "mode": "standard"})


def log(level: str, message: str, **fields: Any) -> None:
    """One structured JSON log line (CloudWatch Logs keeps what the function prints)."""
    record = {"level": level, "message": message, "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME", ""), **fields}
    print(json.dumps(record, default=str, sort_keys=True), file=sys.stdout, flush=True)


class FunctionRuntime:
    """The clients and the database connection of one container.

    ``cache`` holds ``connection`` and ``clients`` (service name -> client), plus the
    keys given as ``extra_cache`` for the handler's own per-container state; tests
    reset a container by updating it. Clients are looked up in ``cache["clients"]``
    on every call, so replacing that dict drops them.
    """

    def __init__(self, new_client: Callable[[str], Any] | None = None, **extra_cache: Any) -> None:
        self.cache: dict[str, Any] = {"connection": None, "clients": {}, **extra_cache}
        self._new_client = new_client or self._botocore_client

    def _botocore_client(self, service: str) -> Any:
        if self.cache.get("session") is None:
            self.cache["session"] = botocore.session.get_session()
        return self.cache["session"].create_client(service, config=CLIENT_CONFIG)

    def client(self, service: str) -> Any:
        """The container's client of ``service``, made on first use."""
        clients = self.cache["clients"]
        if service not in clients:
            clients[service] = self._new_client(service)
        return clients[service]

    def connection(self) -> Any:
        """The container's database connection, reopened when it was lost."""
        conn = self.cache["connection"]
        if conn is not None:
            try:
                conn.ping(reconnect=False)
                return conn
            except Exception:  # closed by the server while the container was idle: open a new one
                self.drop_connection()
        conn = db.connect_from_secret(
            os.environ["DB_SECRET_ARN"],
            secrets_client=self.client("secretsmanager"),
            connect_timeout=5,
            read_timeout=int(os.environ.get("DB_READ_TIMEOUT", "10")),
        )
        self.cache["connection"] = conn
        return conn

    def drop_connection(self) -> None:
        """Close and forget the connection (a failed one is not reused by the retry)."""
        conn, self.cache["connection"] = self.cache["connection"], None
        if conn is not None:
            try:
                conn.close()
            except Exception as exc:  # already broken
                log("debug", "closing a broken database connection failed", error=str(exc))
