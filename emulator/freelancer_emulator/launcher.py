"""start / stop / status: manage one background emulator per port.

Each port has its own pid file and log file under the state directory
(``moto-<port>.pid``, ``moto-<port>.log``), so two emulators on two ports never
share anything.  These functions print what they did and return an exit code.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from freelancer_emulator import settings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_NOT_RUNNING = 3

HEALTH_PATH = "/moto-api/"
STOP_GRACE_SECONDS = 10.0
KILL_WAIT_SECONDS = 5.0
LOG_TAIL_LINES = 40


def _out(message: str) -> None:
    print(f"freelancer-emulator: {message}", flush=True)


def _err(message: str) -> None:
    print(f"freelancer-emulator: {message}", file=sys.stderr, flush=True)


# --- pid files -----------------------------------------------------------------------------------


def read_pid(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        return None
    try:
        pid = int(text)
    except ValueError:
        return None
    return pid if pid > 0 else None


def write_pid(path: Path, pid: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(f"{pid}\n")
    os.replace(tmp, path)


def remove_pid(path: Path, only_if: int | None = None) -> None:
    """Remove the pid file; with ``only_if``, only while it still names that pid."""
    if only_if is not None and read_pid(path) != only_if:
        return
    try:
        path.unlink()
    except FileNotFoundError:
        pass


# --- processes -----------------------------------------------------------------------------------


def _proc_state(pid: int) -> str | None:
    """The process state letter from /proc (``Z`` for a zombie), or None without /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may itself contain spaces or parentheses.
    return stat.rsplit(")", 1)[-1].split()[0]


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _proc_state(pid) != "Z"


def is_emulator_process(pid: int) -> bool:
    """True when ``pid`` is alive and (where /proc tells) runs ``freelancer_emulator serve``.

    Guards against signalling an unrelated process that reused a stale pid.
    """
    if not is_alive(pid):
        return False
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True  # no /proc: trust the pid file
    command = b" ".join(argv)
    return (b"freelancer_emulator" in command or b"freelancer-emulator" in command) and b"serve" in argv


def _wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


# --- network -------------------------------------------------------------------------------------


def is_healthy(port: int, timeout: float = 2.0) -> bool:
    """True when moto's API answers ``GET /moto-api/`` on 127.0.0.1:port."""
    url = settings.endpoint(port) + HEALTH_PATH
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((settings.HOST, port))
        except OSError as exc:
            return exc.errno in (errno.EADDRINUSE, errno.EACCES)
    return False


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        content = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return "(no log file)"
    return "\n".join(content[-lines:]) or "(log file is empty)"


# --- commands ------------------------------------------------------------------------------------


def start(port: int, timeout: float = settings.DEFAULT_START_TIMEOUT, create_delay: float | None = None) -> int:
    base = settings.state_dir().resolve()
    pid_path = settings.pid_file(port, base)
    log_path = settings.log_file(port, base)
    url = settings.endpoint(port)

    pid = read_pid(pid_path)
    if pid is not None and is_emulator_process(pid):
        if _wait_until(lambda: is_healthy(port) or not is_alive(pid), timeout) and is_healthy(port):
            _out(f"already running on {url} (pid {pid})")
            return EXIT_OK
        _err(f"pid {pid} from {pid_path} is running but {url} does not answer; run `stop` first")
        return EXIT_FAILED
    if pid_path.exists():
        remove_pid(pid_path)
        _out(f"removed stale pid file {pid_path}" + (f" (pid {pid} is gone)" if pid else ""))

    if port_in_use(port):
        _err(f"port {port} on {settings.HOST} is already in use by another process")
        return EXIT_FAILED

    base.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "freelancer_emulator", "serve", "--port", str(port)]
    if create_delay is not None:
        command += ["--create-delay", str(create_delay)]
    env = dict(os.environ)
    env[settings.STATE_DIR_ENV] = str(base)
    env["PYTHONUNBUFFERED"] = "1"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
    write_pid(pid_path, process.pid)

    healthy = _wait_until(lambda: process.poll() is not None or is_healthy(port), timeout, interval=0.2)
    if healthy and process.poll() is None:
        _out(f"started on {url} (pid {process.pid}, log {log_path})")
        return EXIT_OK

    if process.poll() is None:
        reason = f"did not answer on {url} within {timeout:g} s"
        _terminate(process.pid)
        process.wait(timeout=KILL_WAIT_SECONDS)
    else:
        reason = f"exited with code {process.returncode}"
    remove_pid(pid_path, only_if=process.pid)
    _err(f"failed to start: {reason}; last lines of {log_path}:\n{log_tail(log_path)}")
    return EXIT_FAILED


def _terminate(pid: int) -> bool:
    """SIGTERM, then SIGKILL after a bound. True once the process is gone."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    if _wait_until(lambda: not is_alive(pid), STOP_GRACE_SECONDS):
        return True
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return True
    return _wait_until(lambda: not is_alive(pid), KILL_WAIT_SECONDS)


def stop(port: int) -> int:
    pid_path = settings.pid_file(port, settings.state_dir().resolve())
    pid = read_pid(pid_path)
    if pid is None or not is_emulator_process(pid):
        if pid_path.exists():
            remove_pid(pid_path)
            _out(f"not running on port {port} (removed stale pid file {pid_path})")
        else:
            _out(f"not running on port {port}")
        return EXIT_OK
    if not _terminate(pid):
        _err(f"pid {pid} did not exit after SIGKILL")
        return EXIT_FAILED
    remove_pid(pid_path)
    _out(f"stopped (pid {pid}, port {port})")
    return EXIT_OK


def status(port: int) -> int:
    pid_path = settings.pid_file(port, settings.state_dir().resolve())
    url = settings.endpoint(port)
    pid = read_pid(pid_path)
    if pid is None or not is_emulator_process(pid):
        suffix = " (stale pid file)" if pid_path.exists() else ""
        _out(f"not running on port {port}{suffix}")
        return EXIT_NOT_RUNNING
    if is_healthy(port):
        _out(f"running on {url} (pid {pid})")
        return EXIT_OK
    _out(f"pid {pid} is running but {url} does not answer")
    return EXIT_FAILED
