"""Run Lambda handlers as local Python processes (no Docker).

Parent side (in the emulator): :func:`invoke` unzips the function's code into a cache
directory keyed by the code's SHA-256, starts ``python -m freelancer_emulator.lambda_runner``
with the same interpreter (so installed packages such as boto3 and PyMySQL import), gives it
the function's environment plus what the Lambda runtime sets (region, dummy credentials,
``AWS_LAMBDA_FUNCTION_NAME`` ...) and ``AWS_ENDPOINT_URL`` pointing back at the emulator,
writes the event to its stdin and enforces the function's timeout.

Child side (:func:`child_main`): reads the event from stdin, imports ``module.function``
from the ``_HANDLER`` setting, calls it with a Lambda-like context, and writes one JSON
result document to its original stdout.  Everything the handler prints (stdout and stderr)
goes to stderr, which the parent keeps as the invocation's log: the result channel and the
handler's own prints never mix.

Results follow AWS: an exception comes back as a function error whose payload is
``{"errorMessage", "errorType", "requestId", "stackTrace"}``; a timeout as
``Sandbox.Timedout`` with ``Task timed out after N.00 seconds``.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
import zipfile
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

LOG_TAIL_BYTES = 4096
INIT_ALLOWANCE_SECONDS = 10.0  # AWS gives the init phase (imports) its own 10 s, outside the function timeout
KILL_COLLECT_SECONDS = 5.0
PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent)

_config: dict[str, Any] = {"endpoint_url": None, "cache_dir": None}
_running: set[subprocess.Popen[bytes]] = set()
_running_lock = threading.Lock()
_extract_lock = threading.Lock()


def configure(endpoint_url: str | None, cache_dir: Path | str | None = None) -> None:
    """Where handlers send their AWS calls, and where unzipped code is cached."""
    _config["endpoint_url"] = endpoint_url
    _config["cache_dir"] = Path(cache_dir) if cache_dir else None


def _cache_dir() -> Path:
    configured = _config["cache_dir"]
    if configured is not None:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"freelancer-emulator-lambda-{os.getuid()}"


# --- parent side ---------------------------------------------------------------------------------


@dataclass
class Result:
    payload: str
    errored: bool
    log: str
    request_id: str
    duration_ms: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def log_tail_base64(self) -> str:
        data = self.log.encode("utf-8")[-LOG_TAIL_BYTES:]
        return base64.b64encode(data).decode("ascii")


def extract_code(code: bytes) -> Path:
    """Unzip ``code`` once into ``<cache>/<sha256>/`` and return that directory."""
    digest = hashlib.sha256(code).hexdigest()
    cache = _cache_dir()
    target = cache / digest
    if (target / ".complete").exists():
        return target
    with _extract_lock:
        if (target / ".complete").exists():
            return target
        cache.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{digest[:12]}-", dir=cache))
        try:
            with zipfile.ZipFile(io.BytesIO(code)) as archive:
                archive.extractall(staging)
            (staging / ".complete").write_text(digest + "\n")
            if target.exists():
                shutil.rmtree(target)
            os.replace(staging, target)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    return target


def _error_payload(request_id: str, error_type: str, message: str, stack: list[str] | None = None) -> str:
    payload: dict[str, Any] = {"errorMessage": message, "errorType": error_type, "requestId": request_id}
    payload["stackTrace"] = stack or []
    return json.dumps(payload)


def _child_env(
    *,
    code_dir: Path,
    layer_dirs: list[Path],
    handler: str,
    runtime: str | None,
    function_name: str,
    function_arn: str,
    version: str,
    memory_size: int,
    timeout: float,
    region: str,
    environment: dict[str, str],
    log_group: str,
    log_stream: str,
    request_id: str,
) -> dict[str, str]:
    python_path = [str(code_dir)]
    for layer in layer_dirs:
        site = layer / "python" / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
        python_path += [str(layer / "python"), str(site), str(layer)]
    python_path.append(PACKAGE_PARENT)

    env: dict[str, str] = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        # Keep the developer's ~/.aws files out of the handler, as on AWS.
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    if _config["endpoint_url"]:
        env["AWS_ENDPOINT_URL"] = str(_config["endpoint_url"])
    env.update({str(k): str(v) for k, v in (environment or {}).items()})
    # Reserved by the Lambda runtime: the function's own settings cannot override these.
    env.update(
        {
            "_HANDLER": handler,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime or 'python'}",
            "AWS_LAMBDA_FUNCTION_NAME": function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_size),
            "AWS_LAMBDA_LOG_GROUP_NAME": log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_SESSION_TOKEN": "test",
            "LAMBDA_TASK_ROOT": str(code_dir),
            "PYTHONPATH": os.pathsep.join(python_path),
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "_EMULATOR_REQUEST_ID": request_id,
            "_EMULATOR_FUNCTION_ARN": function_arn,
            "_EMULATOR_TIMEOUT": repr(float(timeout)),
        }
    )
    return env


def invoke(
    *,
    code: bytes,
    handler: str,
    event: Any,
    function_name: str,
    function_arn: str = "",
    runtime: str | None = "python3.11",
    version: str = "$LATEST",
    memory_size: int = 128,
    timeout: float = 3,
    region: str = "us-east-1",
    environment: dict[str, str] | None = None,
    layers: list[bytes] | None = None,
    log_group: str | None = None,
    log_stream: str | None = None,
) -> Result:
    """Run one invocation to completion and return its payload, error flag and log."""
    request_id = str(uuid.uuid4())
    log_group = log_group or f"/aws/lambda/{function_name}"
    log_stream = log_stream or f"{datetime.now(UTC):%Y/%m/%d}/[{version}]{uuid.uuid4().hex}"
    started = time.monotonic()
    header = f"START RequestId: {request_id} Version: {version}\n"

    def finish(payload: str, errored: bool, body: str) -> Result:
        duration = (time.monotonic() - started) * 1000
        footer = (
            f"END RequestId: {request_id}\n"
            f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\tBilled Duration: {int(duration) + 1} ms\t"
            f"Memory Size: {memory_size} MB\n"
        )
        if body and not body.endswith("\n"):
            body += "\n"
        return Result(payload, errored, header + body + footer, request_id, duration)

    if runtime is not None and not runtime.startswith("python"):
        message = f"The local Lambda runner runs Python handlers only, not runtime {runtime}"
        return finish(_error_payload(request_id, "Runtime.InvalidRuntime", message), True, message)
    if not code or not handler:
        message = "The function has no zip code or handler the local Lambda runner can run"
        return finish(_error_payload(request_id, "Runtime.InvalidEntrypoint", message), True, message)

    try:
        code_dir = extract_code(code)
        layer_dirs = [extract_code(layer) for layer in (layers or [])]
    except zipfile.BadZipFile as exc:
        message = f"Could not unzip the function code: {exc}"
        return finish(_error_payload(request_id, "Runtime.InvalidEntrypoint", message), True, message)

    env = _child_env(
        code_dir=code_dir,
        layer_dirs=layer_dirs,
        handler=handler,
        runtime=runtime,
        function_name=function_name,
        function_arn=function_arn,
        version=version,
        memory_size=memory_size,
        timeout=timeout,
        region=region,
        environment=environment or {},
        log_group=log_group,
        log_stream=log_stream,
        request_id=request_id,
    )
    event_bytes = json.dumps(event).encode("utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "freelancer_emulator.lambda_runner"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=code_dir,
        env=env,
        start_new_session=True,
    )
    with _running_lock:
        _running.add(process)
    timed_out = False
    try:
        try:
            stdout, stderr = process.communicate(event_bytes, timeout=float(timeout) + INIT_ALLOWANCE_SECONDS)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(process)
            try:
                stdout, stderr = process.communicate(timeout=KILL_COLLECT_SECONDS)
            except subprocess.TimeoutExpired:
                stdout, stderr = b"", b""
    finally:
        with _running_lock:
            _running.discard(process)

    log_body = stderr.decode("utf-8", errors="replace")
    try:
        document = json.loads(stdout.decode("utf-8")) if stdout.strip() else None
    except ValueError:
        document = None

    if timed_out or (document or {}).get("timed_out"):
        _kill_group(process)  # whatever the handler started goes too
        message = f"Task timed out after {float(timeout):.2f} seconds"
        log_body += f"{datetime.now(UTC).isoformat()} {request_id} {message}\n"
        return finish(
            _error_payload(request_id, "Sandbox.Timedout", f"RequestId: {request_id} Error: {message}"),
            True,
            log_body,
        )
    if document is None:
        message = f"RequestId: {request_id} Error: Runtime exited with error: exit status {process.returncode}"
        return finish(_error_payload(request_id, "Runtime.ExitError", message), True, log_body + message)
    return finish(document["payload"], not document["ok"], log_body)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            process.kill()
        except ProcessLookupError:
            pass


def kill_running() -> None:
    """Kill every handler process still running (the emulator is shutting down)."""
    with _running_lock:
        processes = list(_running)
    for process in processes:
        _kill_group(process)


# --- child side ----------------------------------------------------------------------------------


class LambdaContext:
    """The attributes and method of the context object the Python runtime passes to handlers."""

    def __init__(self, deadline: float) -> None:
        self._deadline = deadline
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = os.environ.get("_EMULATOR_FUNCTION_ARN", "")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.aws_request_id = os.environ.get("_EMULATOR_REQUEST_ID", "")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _stack(tb: Any) -> list[str]:
    frames = [frame for frame in traceback.extract_tb(tb) if frame.filename != __file__]
    return traceback.format_list(frames)


def child_main() -> int:
    raw = sys.stdin.buffer.read()
    # The result goes to the original stdout; from here on fd 1 (print, C extensions) is the log.
    result_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    request_id = os.environ.get("_EMULATOR_REQUEST_ID", "")
    timeout = float(os.environ.get("_EMULATOR_TIMEOUT", "3"))

    def emit(ok: bool, payload: str) -> None:
        result_out.write(json.dumps({"ok": ok, "payload": payload}))
        result_out.flush()

    def fail(error_type: str, message: str, stack: list[str] | None = None) -> int:
        emit(False, _error_payload(request_id, error_type, message, stack))
        return 0

    handler = os.environ.get("_HANDLER", "")
    module_name, _, function_name = handler.rpartition(".")
    try:
        event = json.loads(raw) if raw.strip() else {}
    except ValueError as exc:
        return fail("Runtime.UnmarshalError", f"Unable to unmarshal input: {exc}")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except Exception as exc:  # any import failure is reported the way the runtime does
        message = f"Unable to import module '{module_name}': {exc}"
        print(f"[ERROR] Runtime.ImportModuleError: {message}", file=sys.stderr)
        return fail("Runtime.ImportModuleError", message)
    function = getattr(module, function_name, None)
    if not callable(function):
        message = f"Handler '{function_name}' missing on module '{module_name}'"
        print(f"[ERROR] Runtime.HandlerNotFound: {message}", file=sys.stderr)
        return fail("Runtime.HandlerNotFound", message)

    deadline = time.monotonic() + timeout

    def on_timeout(_signum: int, _frame: Any) -> None:
        sys.stderr.flush()
        result_out.write(json.dumps({"ok": False, "timed_out": True}))
        result_out.flush()
        os._exit(0)  # the parent reports "Task timed out"

    signal.signal(signal.SIGALRM, on_timeout)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        result = function(event, LambdaContext(deadline))
    except SystemExit as exc:
        signal.setitimer(signal.ITIMER_REAL, 0)
        message = f"RequestId: {request_id} Error: Runtime exited with error: exit status {exc.code}"
        return fail("Runtime.ExitError", message)
    except Exception as exc:  # an unhandled exception of the handler is the function error
        signal.setitimer(signal.ITIMER_REAL, 0)
        error_type = type(exc).__name__
        stack = _stack(exc.__traceback__)
        print(f"[ERROR] {error_type}: {exc}\nTraceback (most recent call last):\n{''.join(stack)}", file=sys.stderr)
        return fail(error_type, str(exc), stack)
    signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        payload = json.dumps(result)
    except (TypeError, ValueError) as exc:
        return fail("Runtime.MarshalError", f"Unable to marshal response: {exc}")
    emit(True, payload)
    return 0


if __name__ == "__main__":
    sys.stdout.flush()
    code = child_main()
    sys.stderr.flush()
    os._exit(code)
