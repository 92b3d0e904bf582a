"""The launcher: start / stop / status / serve, pid and log files, idempotence, two ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from emulator_helpers import Emulator
from emulator_helpers import cli_env
from emulator_helpers import free_port
from emulator_helpers import run_cli


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def test_start_status_stop_lifecycle_is_idempotent(launch, tmp_path: Path) -> None:
    emulator: Emulator = launch()
    pid_file = emulator.state_dir / f"moto-{emulator.port}.pid"
    log_file = emulator.state_dir / f"moto-{emulator.port}.log"
    pid = int(pid_file.read_text())
    assert _alive(pid) and _healthy(emulator.port)
    assert "serving moto" in log_file.read_text()

    again = emulator.cli("start")
    assert again.returncode == 0 and "already running" in again.stdout
    assert int(pid_file.read_text()) == pid, "a second start must not spawn a second emulator"

    assert emulator.cli("status").returncode == 0

    stopped = emulator.cli("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert not pid_file.exists()
    assert not _alive(pid) and not _healthy(emulator.port)

    assert emulator.cli("status").returncode == 3
    assert emulator.cli("stop").returncode == 0, "stop on a stopped emulator is not an error"


def test_stale_pid_file_is_cleaned_on_start_and_stop(tmp_path: Path) -> None:
    state = tmp_path / "stale"
    state.mkdir()
    port = free_port()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    pid_file = state / f"moto-{port}.pid"

    pid_file.write_text(f"{dead.pid}\n")
    assert run_cli("status", "--port", str(port), state_dir=state).returncode == 3
    assert run_cli("stop", "--port", str(port), state_dir=state).returncode == 0
    assert not pid_file.exists()

    pid_file.write_text(f"{dead.pid}\n")
    started = run_cli("start", "--port", str(port), state_dir=state)
    try:
        assert started.returncode == 0, started.stderr
        assert "removed stale pid file" in started.stdout
        assert int(pid_file.read_text()) != dead.pid
    finally:
        run_cli("stop", "--port", str(port), state_dir=state)


def test_two_emulators_on_two_ports_do_not_collide(launch, tmp_path: Path) -> None:
    first = launch()
    second = launch()
    assert first.port != second.port
    assert first.state_dir == second.state_dir
    pids = {int((first.state_dir / f"moto-{e.port}.pid").read_text()) for e in (first, second)}
    assert len(pids) == 2, "each port has its own process and pid file"

    first.client("sqs").create_queue(QueueName="only-on-first")
    assert second.client("sqs").list_queues().get("QueueUrls", []) == []

    assert first.cli("stop").returncode == 0
    assert second.cli("status").returncode == 0, "stopping one emulator leaves the other running"


def test_start_fails_cleanly_when_the_port_is_taken(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        port = blocker.getsockname()[1]
        result = run_cli("start", "--port", str(port), "--timeout", "5", state_dir=tmp_path)
    assert result.returncode == 1
    assert "in use" in result.stderr
    assert not (tmp_path / f"moto-{port}.pid").exists()


def test_start_reports_the_log_tail_when_serve_dies(tmp_path: Path) -> None:
    port = free_port()
    # serve reads the create delay from the environment and exits on a value that is not a number.
    result = run_cli("start", "--port", str(port), state_dir=tmp_path, FREELANCER_EMULATOR_CREATE_DELAY="soon")
    assert result.returncode == 1
    assert "failed to start: exited with code" in result.stderr
    assert "could not convert string to float" in result.stderr, "the log tail is printed"
    assert not (tmp_path / f"moto-{port}.pid").exists()


def test_port_default_comes_from_local_aws_port(tmp_path: Path) -> None:
    port = free_port()
    result = run_cli("status", state_dir=tmp_path, LOCAL_AWS_PORT=str(port))
    assert result.returncode == 3
    assert f"port {port}" in result.stdout


def test_serve_in_foreground_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "freelancer_emulator", "serve", "--port", str(port)],
        env=cli_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not _healthy(port):
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "serve did not answer"
            time.sleep(0.1)
        assert int((tmp_path / f"moto-{port}.pid").read_text()) == process.pid
        assert run_cli("status", "--port", str(port), state_dir=tmp_path).returncode == 0
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert not (tmp_path / f"moto-{port}.pid").exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
