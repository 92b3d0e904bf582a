"""Connect to the platform's Aurora MySQL database with the credentials secret.

The secret (``<prefix>/aurora/credentials``) is a JSON object with ``engine``,
``host``, ``port``, ``username``, ``password`` and ``dbname``. On AWS the host is
the cluster's writer endpoint and TLS is required (the cluster parameter group
sets ``require_secure_transport``); in the local environment the secret points at
the local MariaDB server and TLS may be turned off.

Settings from the function's environment:

``DB_SECRET_ARN``
    The secret to read when no secret id is passed.
``DB_TLS``
    ``required`` (default): TLS with certificate and host name verification;
    ``disabled``: plain TCP (local MariaDB only).
``DB_TLS_CA_FILE``
    PEM bundle that signs the server certificate (the RDS CA bundle), absolute or
    relative to the function's code directory; empty uses the runtime's CA store.
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from freelancer_common.secrets import get_json_secret

REQUIRED_KEYS = ("host", "port", "username", "password", "dbname")
MYSQL_ENGINES = ("mysql", "aurora-mysql", "aurora", "mariadb")
TLS_MODES = ("required", "disabled")


class ConfigurationError(ValueError):
    """The secret or the environment does not describe a usable connection."""


@dataclass(frozen=True)
class DatabaseSettings:
    """Where and as whom to connect. ``repr`` never shows the password."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)
    dbname: str
    engine: str = "aurora-mysql"


def settings_from_secret(secret: dict[str, Any]) -> DatabaseSettings:
    """Validate the credentials secret and turn it into :class:`DatabaseSettings`."""
    missing = [key for key in REQUIRED_KEYS if secret.get(key) in (None, "")]
    if missing:
        raise ConfigurationError(f"the database secret lacks {', '.join(missing)}")
    engine = str(secret.get("engine") or "aurora-mysql")
    if engine not in MYSQL_ENGINES:
        raise ConfigurationError(f"the database secret names engine {engine!r}; expected one of {MYSQL_ENGINES}")
    try:
        port = int(secret["port"])
    except (TypeError, ValueError) as exc:
        raise ConfigurationError("the database secret's port is not a number") from exc
    if not 0 < port < 65536:
        raise ConfigurationError(f"the database secret's port {port} is out of range")
    return DatabaseSettings(
        host=str(secret["host"]),
        port=port,
        username=str(secret["username"]),
        password=str(secret["password"]),
        dbname=str(secret["dbname"]),
        engine=engine,
    )


def tls_context(mode: str | None = None, ca_file: str | None = None) -> ssl.SSLContext | None:
    """The TLS context for ``mode`` (default from ``DB_TLS``), or None when TLS is disabled."""
    mode = (mode if mode is not None else os.environ.get("DB_TLS", "required")).strip().lower()
    if mode not in TLS_MODES:
        raise ConfigurationError(f"DB_TLS must be one of {TLS_MODES}, got {mode!r}")
    if mode == "disabled":
        return None
    ca_file = ca_file if ca_file is not None else os.environ.get("DB_TLS_CA_FILE", "")
    if ca_file and not os.path.isabs(ca_file):
        ca_file = os.path.join(os.environ.get("LAMBDA_TASK_ROOT", os.getcwd()), ca_file)
    if ca_file and not os.path.exists(ca_file):
        raise ConfigurationError(f"DB_TLS_CA_FILE {ca_file} does not exist")
    context = ssl.create_default_context(cafile=ca_file or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def connect(
    settings: DatabaseSettings,
    *,
    tls: ssl.SSLContext | None = None,
    database: str | None = None,
    autocommit: bool = False,
    connect_timeout: int = 10,
    read_timeout: int | None = None,
):
    """A PyMySQL connection for ``settings`` (``database`` overrides the secret's dbname)."""
    import pymysql

    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "user": settings.username,
        "password": settings.password,
        "database": database if database is not None else settings.dbname,
        "charset": "utf8mb4",
        "autocommit": autocommit,
        "connect_timeout": connect_timeout,
        "cursorclass": pymysql.cursors.DictCursor,
    }
    if read_timeout:
        options["read_timeout"] = read_timeout
    if tls is not None:
        options["ssl"] = tls
    else:
        options["ssl_disabled"] = True
    return pymysql.connect(**options)


def connect_from_secret(secret_id: str | None = None, *, secrets_client: Any = None, **kwargs: Any):
    """Read the credentials secret (default ``DB_SECRET_ARN``) and connect, TLS per ``DB_TLS``."""
    secret_id = secret_id or os.environ.get("DB_SECRET_ARN", "")
    if not secret_id:
        raise ConfigurationError("DB_SECRET_ARN is not set and no secret id was given")
    settings = settings_from_secret(get_json_secret(secret_id, client=secrets_client))
    tls = kwargs.pop("tls", None)
    if tls is None:
        tls = tls_context()
    return connect(settings, tls=tls, **kwargs)
