"""Bad workflow input stops the run, naming the input, before any AWS call.

Through ``site.yml`` (preflight runs the role's ``validate`` entry point): the
playbook runs against a port where nothing listens, so had any AWS call been made
the failure would be a connection error, not the validation message. The other
bad settings go through the same ``validate`` entry point in one playbook run,
each case rescued and its message checked.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml
from conftest import ROOT
from conftest import run_playbook

TEMPLATE = ROOT / "roles" / "workflow" / "templates" / "project_lifecycle.asl.json.j2"


def assert_stopped_before_aws(result, *expected):
    output = result.stdout + result.stderr
    assert result.returncode != 0
    for text in expected:
        assert text in output, output[-3000:]
    assert "Could not connect" not in output and "EndpointConnectionError" not in output
    assert "changed=0" in output


def test_a_template_variable_the_renderer_does_not_supply_stops_site_yml(closed_port, tmp_path):
    template = tmp_path / "lifecycle.asl.json.j2"
    template.write_text(
        TEMPLATE.read_text().replace("{{ timeouts.execution | json }}", "{{ timeouts.execution_limit | json }}")
    )
    result = run_playbook("site.yml", "-e", f"workflow_definition_template={template}", port=closed_port)
    assert_stopped_before_aws(
        result,
        "workflow_definition_template lifecycle.asl.json.j2 refers to timeouts.execution_limit, "
        "which the renderer does not supply",
    )


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            {"workflow_approval_timeout_seconds": 0},
            "workflow_approval_timeout_seconds must be a positive whole number of seconds",
        ),
        ({"workflow_retry_max_attempts": 11}, "workflow_retry_max_attempts must be from 0 to 10 (got 11)"),
    ],
)
def test_a_bad_setting_stops_site_yml(closed_port, extra, expected):
    result = run_playbook("site.yml", "-e", json.dumps(extra), port=closed_port)
    assert_stopped_before_aws(result, expected)


CASES = [
    (
        "workflow_payment_timeout_seconds",
        -60,
        "workflow_payment_timeout_seconds must be a positive whole number of seconds",
    ),
    ("workflow_bidding_timeout_seconds", "two weeks", "workflow_bidding_timeout_seconds"),
    # longer than the local inventory's execution timeout (3600 s)
    ("workflow_selection_timeout_seconds", 7200, "workflow_selection_timeout_seconds must be a positive whole number"),
    ("workflow_execution_timeout_seconds", 40000000, "workflow_execution_timeout_seconds must be from 1 to 31536000"),
    ("workflow_retry_max_attempts", -1, "workflow_retry_max_attempts must be from 0 to 10 (got -1)"),
    ("workflow_notify_retry_max_attempts", 50, "workflow_notify_retry_max_attempts must be from 0 to 10 (got 50)"),
    ("workflow_retry_backoff_rate", 0.5, "workflow_retry_backoff_rate at least 1.0 (got 0.5)"),
    ("workflow_retry_interval_seconds", 0, "workflow_retry_interval_seconds a positive whole number (got 0)"),
    ("workflow_log_level", "VERBOSE", "workflow_log_level"),
    ("workflow_sender_address", "notifications.example.com", "workflow_sender_address must be an email address"),
    (
        "workflow_retry_errors",
        ["Lambda.ServiceException", "Lambda.TooManyRequestsException"],
        "its Retry does not cover the transient errors TransientError",
    ),
]


# the failed task's message, and each failed item's for a loop
FAILURE_MESSAGES = (
    "{{ ([ansible_failed_result.msg] + (ansible_failed_result.results | default([])"
    " | selectattr('failed', 'defined') | selectattr('failed') | map(attribute='msg') | list)) | join(' | ') }}"
)


def test_each_bad_setting_is_named_by_the_validate_entry_point(closed_port, tmp_path):
    tasks = []
    for index, (variable, value, _) in enumerate(CASES):
        tasks.append(
            {
                "name": f"Case {index}",
                "block": [
                    {
                        "name": f"Validate with {variable}",
                        "ansible.builtin.include_role": {"name": "workflow", "tasks_from": "validate"},
                        "vars": {variable: value},
                    },
                    {"name": "Say it passed", "ansible.builtin.debug": {"msg": f"CASE {index} PASSED"}},
                ],
                "rescue": [
                    {
                        "name": "Report the message",
                        "ansible.builtin.debug": {"msg": f"CASE {index} FAILED: {FAILURE_MESSAGES}"},
                    }
                ],
            }
        )
    playbook = tmp_path / "validate_cases.yml"
    play = {
        "hosts": "platform",
        "gather_facts": False,
        # what a playbook of the repository gets from group_vars/all
        "vars_files": [str(ROOT / "group_vars" / "all" / "platform.yml")],
        "tasks": tasks,
    }
    playbook.write_text(yaml.safe_dump([play], sort_keys=False))
    result = run_playbook(str(playbook), port=closed_port)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    for index, (variable, _, expected) in enumerate(CASES):
        assert f"CASE {index} PASSED" not in output, variable
        match = re.search(rf"CASE {index} FAILED: (.*?)(?:\n\S|\Z)", output, re.S)
        assert match, (variable, output[-3000:])
        assert expected in " ".join(match.group(1).split()), (variable, match.group(1))
