"""Bad monitoring input fails in preflight, before any AWS call, naming the input.

Like test_bad_input.py, the playbook runs against a port where nothing listens.
"""

from __future__ import annotations

import pytest
from conftest import run_playbook

UNDEFINED_IN_TEMPLATE = (
    '{"widgets": [{"type": "text", "x": 0, "y": 0, "width": 6, "height": 2,'
    ' "properties": {"markdown": "{{ monitoring_no_such_input }}"}}]}'
)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("monitoring_aurora_cpu_threshold=lots", "monitoring_aurora_cpu_threshold' is of type str"),
        (
            "platform_alarm_email=not-an-address",
            "platform_alarm_email (monitoring_alarm_email) not-an-address is not an email",
        ),
        ("monitoring_budget_amount=0", "monitoring_budget_amount must be a positive number"),
    ],
)
def test_invalid_monitoring_value_stops_the_run_naming_it(closed_port, extra, expected):
    result = run_playbook("site.yml", "-e", extra, port=closed_port)
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert expected in output
    assert "Could not connect" not in output and "EndpointConnectionError" not in output


def test_dashboard_template_using_an_unsupplied_variable_stops_the_run(closed_port, tmp_path):
    template = tmp_path / "dashboard.json.j2"
    template.write_text(UNDEFINED_IN_TEMPLATE)
    result = run_playbook("site.yml", "-e", f"monitoring_dashboard_template={template}", port=closed_port)
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert f"monitoring_dashboard_template {template} does not render" in output
    assert "monitoring_no_such_input" in output and "is undefined" in output
    assert "Could not connect" not in output
