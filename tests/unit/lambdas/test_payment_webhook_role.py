"""The lambda_webhook role refuses bad input before any AWS call, naming the variable.

preflight.yml runs every role's ``validate`` entry point; it is pointed at a port
where nothing listens, so an AWS call would fail with a connection error instead.
"""

from __future__ import annotations

import os
import pathlib
import socket
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def preflight(*extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "MOLECULE_", "AWS_"))}
    env.update(
        LOCAL_AWS_PORT=str(free_port()),
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        PATH=f"{pathlib.Path(sys.executable).parent}:{env.get('PATH', '')}",
    )
    args = [str(pathlib.Path(sys.executable).with_name("ansible-playbook")), "-i", "inventories/local"]
    args += ["playbooks/preflight.yml"] + [item for value in extra for item in ("-e", value)]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.parametrize(
    ("extra", "variable"),
    [
        ("lambda_webhook_timeout=0", "lambda_webhook_timeout"),
        ("lambda_webhook_memory=64", "lambda_webhook_memory"),
        ("lambda_webhook_signature_tolerance_seconds=0", "lambda_webhook_signature_tolerance_seconds"),
        ("lambda_webhook_runtime=nodejs18.x", "lambda_webhook_runtime"),
    ],
)
def test_bad_input_stops_the_run_naming_the_variable(extra, variable):
    result = preflight(extra)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-2000:]
    assert variable in output
    assert "Could not connect" not in output and "EndpointConnectionError" not in output
