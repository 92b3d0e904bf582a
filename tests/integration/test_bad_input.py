"""Bad input fails before any AWS call, with a message naming the variable.

The playbooks run against a port where nothing listens: had any AWS call been
made, the failure would be a connection error, not the validation message.
"""

from __future__ import annotations

import pytest
from conftest import run_playbook


@pytest.mark.parametrize(
    ("extra", "variable"),
    [
        ("vpc_cidr=10.36.0.0/33", "vpc_cidr"),
        ("vpc_cidr=10.36.0.1/16", "vpc_cidr"),
        ("vpc_cidr=not-a-cidr", "vpc_cidr"),
        ("platform_env=Dev_Env", "platform_env"),
        ("platform_env=averyveryverylongname", "platform_env"),
        ("platform_env=9lives", "platform_env"),
        ("platform_az_count=7", "platform_az_count"),
    ],
)
def test_invalid_value_stops_the_run_naming_the_variable(closed_port, extra, variable):
    result = run_playbook("site.yml", "-e", extra, port=closed_port)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert variable in output
    assert "Could not connect" not in output and "EndpointConnectionError" not in output
    assert "changed=0" in output


def test_protected_environment_requires_its_variables(closed_port):
    result = run_playbook("site.yml", port=closed_port, inventory="inventories/prod")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "platform_alarm_email is required in the protected environment prod" in output
    assert "Could not connect" not in output


def test_teardown_refuses_a_protected_environment(closed_port):
    result = run_playbook("playbooks/teardown.yml", port=closed_port, inventory="inventories/prod")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "prod is protected" in output and "teardown_allow_protected" in output
