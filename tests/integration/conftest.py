"""Helpers for tests that run the project's playbooks as a user would."""

from __future__ import annotations

import os
import pathlib
import shutil
import socket
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ANSIBLE_PLAYBOOK = str(pathlib.Path(sys.executable).with_name("ansible-playbook"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_playbook(*args: str, port: int, inventory: str = "inventories/local", extra_env: dict | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "MOLECULE_"))}
    env.pop("AWS_ENDPOINT_URL", None)
    env.update(
        LOCAL_AWS_PORT=str(port),
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        PATH=f"{pathlib.Path(sys.executable).parent}:{env.get('PATH', '')}",
    )
    env.update(extra_env or {})
    return subprocess.run(
        [ANSIBLE_PLAYBOOK, "-i", inventory, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on: any AWS call would fail with a connection error."""
    return free_port()


@pytest.fixture
def copied_inventory(tmp_path):
    """``copied_inventory(name, **values)`` copies inventories/local under a new environment name."""

    def copy(env_name: str, **values) -> pathlib.Path:
        target = tmp_path / env_name
        shutil.copytree(ROOT / "inventories" / "local", target)
        main = target / "group_vars" / "platform" / "main.yml"
        text = main.read_text().replace("platform_env: local", f"platform_env: {env_name}")
        for key, value in values.items():
            lines = [line for line in text.splitlines() if not line.startswith(f"{key}:")]
            lines.append(f"{key}: {value}")
            text = "\n".join(lines) + "\n"
        main.write_text(text)
        return target

    return copy
