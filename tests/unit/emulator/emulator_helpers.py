"""Helpers shared by the emulator tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
EMULATOR_DIR = REPO / "emulator"
if str(EMULATOR_DIR) not in sys.path:
    sys.path.insert(0, str(EMULATOR_DIR))

REGION = "us-east-2"
DUMMY_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_SESSION_TOKEN": "test",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli_env(state_dir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DUMMY_AWS_ENV)
    env.pop("AWS_ENDPOINT_URL", None)
    env["FREELANCER_EMULATOR_STATE_DIR"] = str(state_dir)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(EMULATOR_DIR), env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


def run_cli(*args: str, state_dir: Path, timeout: float = 60, **extra_env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "freelancer_emulator", *args],
        env=cli_env(state_dir, **extra_env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass
class Emulator:
    port: int
    state_dir: Path

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, service: str, **kwargs: Any) -> Any:
        import boto3
        from botocore.config import Config

        config = Config(retries={"max_attempts": 1}, read_timeout=60)
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=DUMMY_AWS_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=DUMMY_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
            config=config,
            **kwargs,
        )

    def cli(self, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, "--port", str(self.port), state_dir=self.state_dir, **extra_env)
