"""The project workflow's Lambda tasks (SPEC WF-1 to WF-3).

Entry point ``handler.handler``, invoked by the state machine
``<prefix>-project-lifecycle`` with::

    {"action": "<one of tasks.ACTIONS>",
     "workflow": <the state's input document, $>,
     "executionArn": $$.Execution.Id, "stateName": $$.State.Name,
     "retryCount": $$.State.RetryCount,
     "taskToken": $$.Task.Token}            # callback waits only

Each action changes the project's state in the platform database in one
transaction (``tasks.py``) and returns what the next states need. Errors are
raised under the names the state machine matches: ``TransientError`` (database
connection lost, lock wait timeout, deadlock, throttling; retried with backoff)
or one of the other classes of ``errors.py`` (the failure path). Every attempt,
failed ones included, is recorded in ``workflow_events``.

Environment: ``DB_SECRET_ARN``, ``APP_BASE_URL`` (links in emails),
``ALLOW_FAULT_INJECTION`` (``true`` only where the end-to-end tests run),
``DB_TLS`` / ``DB_TLS_CA_FILE`` (see ``freelancer_common.db``), ``DB_READ_TIMEOUT``.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import boto3
import tasks
from botocore.exceptions import BotoCoreError
from botocore.exceptions import ClientError
from errors import TransientError
from errors import WorkflowTaskError
from freelancer_common import db
from freelancer_common import runtime
from freelancer_common import secrets

# MySQL errors that go away on their own: lock wait timeout, deadlock, server gone away,
# lost connection, cannot connect, too many connections, read-only while failing over.
TRANSIENT_MYSQL_ERRORS = frozenset({1040, 1205, 1213, 1290, 1836, 2003, 2006, 2013, 2055})
THROTTLING_CODES = frozenset(
    {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "ServiceUnavailable"}
)

# The container's boto3 clients and database connection (``freelancer_common.runtime``).
_runtime = runtime.FunctionRuntime(new_client=lambda service: boto3.client(service, config=runtime.CLIENT_CONFIG))
_cache: dict[str, Any] = _runtime.cache
log = runtime.log
client = _runtime.client
connection = _runtime.connection
drop_connection = _runtime.drop_connection


def settings() -> tasks.Settings:
    return tasks.Settings(
        app_base_url=os.environ.get("APP_BASE_URL", ""),
        allow_fault_injection=os.environ.get("ALLOW_FAULT_INJECTION", "false").strip().lower() == "true",
    )


def resume(task_token: str, output: dict[str, Any]) -> None:
    """Complete a callback wait of this workflow (states:SendTaskSuccess)."""
    client("stepfunctions").send_task_success(taskToken=task_token, output=json.dumps(output, sort_keys=True))


def transient_cause(exc: BaseException) -> str | None:
    """Why ``exc`` (or what caused it) is transient, or None when it is not."""
    import pymysql

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, TransientError):
            return str(current)
        if isinstance(current, pymysql.err.InterfaceError):
            return f"database interface error: {current}"
        if isinstance(current, pymysql.err.OperationalError | pymysql.err.InternalError):
            code = current.args[0] if current.args and isinstance(current.args[0], int) else None
            if code in TRANSIENT_MYSQL_ERRORS:
                return f"MySQL error {code}: {current.args[1] if len(current.args) > 1 else ''}"
        if isinstance(current, ClientError):
            code = current.response.get("Error", {}).get("Code", "")
            if code in THROTTLING_CODES or current.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
                return f"AWS error {code}"
        if isinstance(current, BotoCoreError):
            return f"AWS connection error: {current}"
        if isinstance(current, TimeoutError | ConnectionError):
            return f"{type(current).__name__}: {current}"
        current = current.__cause__ or current.__context__
    return None


def _record_failed_attempt(invocation: tasks.Invocation, exc: BaseException, transient: bool) -> None:
    try:
        tasks.record_attempt_failure(connection(), invocation, exc, transient)
    except Exception as record_error:  # the database may be what failed: the log keeps it
        drop_connection()
        log("warning", "could not record the failed attempt", error=str(record_error))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.perf_counter()
    invocation = tasks.Invocation.from_event(event)
    fields = {
        "action": invocation.action,
        "state": invocation.state_name,
        "execution_arn": invocation.execution_arn,
        "attempt": invocation.attempt,
    }
    try:
        result = tasks.run(connection(), invocation, settings(), resume=resume)
    except (WorkflowTaskError, secrets.SecretError, db.ConfigurationError) as exc:
        cause = transient_cause(exc)
        _record_failed_attempt(invocation, exc, transient=cause is not None)
        log(
            "warning" if cause else "error", "workflow task failed", error=type(exc).__name__, detail=str(exc), **fields
        )
        if cause and not isinstance(exc, TransientError):
            raise TransientError(cause) from exc
        raise
    except Exception as exc:
        cause = transient_cause(exc)
        drop_connection()  # a failed connection is not reused by the retry
        if cause is None:
            log("error", "workflow task failed unexpectedly", error=type(exc).__name__, detail=str(exc), **fields)
            raise
        _record_failed_attempt(invocation, exc, transient=True)
        log("warning", "workflow task failed transiently", error=type(exc).__name__, detail=cause, **fields)
        raise TransientError(cause) from exc
    log("info", "workflow task done", duration_ms=round((time.perf_counter() - started) * 1000, 2), **fields)
    return result
