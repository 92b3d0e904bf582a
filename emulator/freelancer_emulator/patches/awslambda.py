"""Lambda patches: configuration round-trips and Docker-free invocation."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from datetime import UTC
from datetime import datetime
from typing import Any

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import wrap

logger = logging.getLogger(__name__)


@once
def dead_letter_and_tracing_config() -> None:
    """GetFunction / GetFunctionConfiguration return ``DeadLetterConfig``; updates keep it and ``TracingConfig``.

    AWS: CreateFunction and UpdateFunctionConfiguration store ``DeadLetterConfig`` (an empty ``TargetArn``
    removes it) and ``TracingConfig``; the configuration reports ``DeadLetterConfig`` while one is set and
    ``TracingConfig`` always.
    moto 5.2.5: ``LambdaFunction.__init__`` (moto/awslambda/models.py:631-700) never reads
    ``DeadLetterConfig``; ``get_configuration`` never returns it (moto/awslambda/models.py:783-829);
    ``update_configuration`` ignores both keys (moto/awslambda/models.py:850-873). amazon.aws lambda reports
    a change on every run.
    Fix: keep ``DeadLetterConfig`` on the function, return it, and apply both keys on update.
    """
    from moto.awslambda.models import LambdaFunction

    def _target(config: Any) -> dict[str, str] | None:
        arn = (config or {}).get("TargetArn")
        return {"TargetArn": arn} if arn else None

    def make_init(original: Any) -> Any:
        def __init__(self: LambdaFunction, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
            original(self, account_id, spec, *args, **kwargs)
            self.dead_letter_config = _target(spec.get("DeadLetterConfig"))

        return __init__

    def make_get(original: Any) -> Any:
        def get_configuration(self: LambdaFunction, on_create: bool = False) -> dict[str, Any]:
            config = original(self, on_create)
            dead_letter = getattr(self, "dead_letter_config", None)
            if dead_letter:
                config["DeadLetterConfig"] = dict(dead_letter)
            return config

        return get_configuration

    def make_update(original: Any) -> Any:
        def update_configuration(self: LambdaFunction, config_updates: dict[str, Any]) -> dict[str, Any]:
            if "DeadLetterConfig" in config_updates:
                self.dead_letter_config = _target(config_updates["DeadLetterConfig"])
            if config_updates.get("TracingConfig"):
                self.tracing_config = {"Mode": config_updates["TracingConfig"].get("Mode", "PassThrough")}
            return original(self, config_updates)

        return update_configuration

    wrap(LambdaFunction, "__init__", make_init)
    wrap(LambdaFunction, "get_configuration", make_get)
    wrap(LambdaFunction, "update_configuration", make_update)


def _header(headers: Any, name: str, default: str) -> str:
    if not headers:
        return default
    for key, value in dict(headers).items():
        if key.lower() == name:
            return value
    return default


@once
def invoke_without_docker() -> None:
    """Invoke runs the function's Python handler as a local process, synchronously or as an Event.

    AWS: Invoke runs the handler with the function's environment and timeout; RequestResponse returns the
    handler's result, or a function error (``X-Amz-Function-Error: Unhandled``) whose payload holds
    ``errorMessage``, ``errorType`` and ``stackTrace``; ``LogType=Tail`` returns the last 4 KB of the log;
    the log also lands in the ``/aws/lambda/<name>`` log group; ``InvocationType=Event`` answers 202 at once
    and runs the handler in the background; ``DryRun`` runs nothing.
    moto 5.2.5: ``LambdaFunction._invoke_lambda`` (moto/awslambda/models.py:981) runs the handler only in
    Docker; without a Docker engine every invoke fails with ``error running docker``. ``invoke``
    (moto/awslambda/models.py:1143-1161) runs Event invocations synchronously and marks errors ``Handled``.
    Fix: ``_invoke_lambda`` delegates to :mod:`freelancer_emulator.lambda_runner` (unzipped code, same
    Python interpreter, ``AWS_ENDPOINT_URL`` pointing at the emulator, timeout enforced) and writes the log
    to CloudWatch Logs; ``invoke`` sets ``Unhandled`` and runs Event invocations on a background thread.
    Step Functions Task states and event sources (SNS, SQS, S3, EventBridge) reach the handler through the
    same two methods.
    """
    from moto.awslambda.models import LambdaFunction
    from moto.awslambda.utils import get_backend

    from freelancer_emulator import lambda_runner

    def _invoke_lambda(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
        if event is None:
            event = {}
        backend = get_backend(self.account_id, self.region)
        stream = f"{datetime.now(UTC):%Y/%m/%d}/[{self.version}]{uuid.uuid4().hex}"
        layers = []
        for layer in self.layers:
            layer_version = backend.layers_versions_by_arn(layer["Arn"])
            if layer_version is not None and getattr(layer_version, "code_bytes", None):
                layers.append(layer_version.code_bytes)
        result = lambda_runner.invoke(
            code=getattr(self, "code_bytes", b"") or b"",
            handler=self.handler or "",
            event=event,
            function_name=self.function_name,
            function_arn=self.function_arn,
            runtime=self.run_time,
            version=str(self.version),
            memory_size=int(self.memory_size),
            timeout=float(self.timeout),
            region=self.region,
            environment=dict(self.environment_vars or {}),
            layers=layers,
            log_group=self.logs_group_name,
            log_stream=stream,
        )
        _save_log(self, stream, result)
        return result.payload, result.errored, result.log

    def _save_log(function: LambdaFunction, stream: str, result: lambda_runner.Result) -> None:
        try:
            from moto.core.utils import unix_time_millis

            logs = function.logs_backend
            logs.ensure_log_group(function.logs_group_name)
            logs.create_log_stream(function.logs_group_name, stream)
            now = unix_time_millis()
            events = [{"timestamp": now, "message": line} for line in result.log.splitlines() if line]
            logs.put_log_events(function.logs_group_name, stream, events)
        except Exception:  # writing the log must never fail the invocation
            logger.exception("could not write the log of %s to CloudWatch Logs", function.function_name)

    def invoke(self: LambdaFunction, body: Any, request_headers: Any, response_headers: Any) -> str | bytes:
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        event = json.loads(body) if body else {}
        invocation_type = _header(request_headers, "x-amz-invocation-type", "RequestResponse")
        if invocation_type == "DryRun":
            return b""
        if invocation_type == "Event":
            threading.Thread(target=self._invoke_lambda, args=(event,), daemon=True).start()
            return b""
        payload, errored, logs = self._invoke_lambda(event=event)
        if errored:
            response_headers["x-amz-function-error"] = "Unhandled"
        response_headers["x-amz-log-result"] = lambda_runner.Result(payload, errored, logs, "").log_tail_base64
        return payload.encode("utf-8")

    wrap(LambdaFunction, "_invoke_lambda", lambda original: _invoke_lambda)
    wrap(LambdaFunction, "invoke", lambda original: invoke)


PATCHES = [dead_letter_and_tracing_config, invoke_without_docker]
