"""Where the emulator listens and keeps its state, read from the environment."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_PORT = 4566
HOST = "127.0.0.1"
DEFAULT_START_TIMEOUT = 30.0
DEFAULT_REGION = "us-east-2"

PORT_ENV = "LOCAL_AWS_PORT"
STATE_DIR_ENV = "FREELANCER_EMULATOR_STATE_DIR"
CREATE_DELAY_ENV = "FREELANCER_EMULATOR_CREATE_DELAY"


def default_port() -> int:
    value = os.environ.get(PORT_ENV, "").strip()
    return int(value) if value else DEFAULT_PORT


def state_dir() -> Path:
    value = os.environ.get(STATE_DIR_ENV, "").strip()
    return Path(value) if value else Path.cwd() / ".emulator"


def default_create_delay() -> float:
    value = os.environ.get(CREATE_DELAY_ENV, "").strip()
    return float(value) if value else 0.0


def endpoint(port: int) -> str:
    return f"http://{HOST}:{port}"


def pid_file(port: int, base: Path | None = None) -> Path:
    return (base or state_dir()) / f"moto-{port}.pid"


def log_file(port: int, base: Path | None = None) -> Path:
    return (base or state_dir()) / f"moto-{port}.log"
