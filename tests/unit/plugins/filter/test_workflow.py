"""The workflow role's definition renderer and validator (WF-1, WF-2): the role's own
template renders with exactly the variables the role supplies and passes every rule; a
template or a definition that breaks a rule fails, naming what is wrong."""

from __future__ import annotations

import copy
import json
import pathlib

import pytest
import yaml
from ansible_collections.freelancer.platform.plugins.filter.workflow import FilterModule
from ansible_collections.freelancer.platform.plugins.filter.workflow import StateMachineDefinitionError
from ansible_collections.freelancer.platform.plugins.filter.workflow import state_machine_problems

ROOT = pathlib.Path(__file__).resolve().parents[4]
ROLE = ROOT / "roles" / "workflow"
TEMPLATE = (ROLE / "templates" / "project_lifecycle.asl.json.j2").read_text()
ROLE_VARS = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())
FILTERS = FilterModule().filters()
render = FILTERS["render_state_machine"]
validate = FILTERS["validate_state_machine"]

LIFECYCLE = ROLE_VARS["workflow__lifecycle_states"]
REQUIRED_RETRY = ROLE_VARS["workflow__required_retry_errors"]
FUNCTION = "arn:aws:lambda:us-east-2:123456789012:function:unit-freelancer-platform-workflow-tasks"
APPROVALS = "arn:aws:sns:us-east-2:123456789012:unit-freelancer-platform-milestone-approvals"


def variables() -> dict:
    """What workflow__definition_vars gives the template, with example values."""
    return {
        "partition": "aws",
        "tasks_function_arn": FUNCTION,
        "approvals_topic_arn": APPROVALS,
        "failure_topic_arn": APPROVALS,
        "sender": "notifications@unit.example.com",
        "configuration_set": "unit-freelancer-platform-events",
        "templates": {
            "project_update": "unit-freelancer-platform-project-update",
            "milestone_completed": "unit-freelancer-platform-milestone-completed",
        },
        "timeouts": {"bidding": 300, "selection": 301, "approval": 302, "payment": 303, "execution": 3600},
        "retry": {
            "errors": ["Lambda.ServiceException", "Lambda.TooManyRequestsException", "TransientError"],
            "interval_seconds": 2,
            "max_attempts": 4,
            "backoff_rate": 2.0,
            "max_delay_seconds": 60,
        },
        "notify_retry": {
            "errors": ["States.TaskFailed"],
            "interval_seconds": 1,
            "max_attempts": 2,
            "backoff_rate": 2.0,
        },
    }


def rendered() -> dict:
    return render(TEMPLATE, variables(), "project_lifecycle.asl.json.j2")


def problems(definition) -> list[str]:
    return state_machine_problems(definition, LIFECYCLE, REQUIRED_RETRY, (0, 10))


# ---------------------------------------------------------------- the role's template


def test_the_role_supplies_exactly_the_variables_the_tests_render_with():
    assert set(ROLE_VARS["workflow__definition_vars"]) == set(variables())
    for key in ("timeouts", "retry", "notify_retry"):
        assert set(ROLE_VARS["workflow__definition_vars"][key]) == set(variables()[key]), key
    assert ROLE_VARS["workflow__definition_vars"]["templates"] == "{{ workflow__templates }}"
    assert set(ROLE_VARS["workflow__templates"]) == set(variables()["templates"])


def test_the_role_template_renders_to_a_sound_definition():
    definition = rendered()
    assert problems(definition) == []
    assert validate(definition, LIFECYCLE, REQUIRED_RETRY, [0, 10]) == definition
    assert definition["StartAt"] == "ProjectCreated"
    assert definition["TimeoutSeconds"] == 3600


def test_every_wait_is_a_lambda_callback_with_its_timeout_and_the_task_token():
    states = rendered()["States"]
    waits = {name: s for name, s in states.items() if s.get("Resource", "").endswith(".waitForTaskToken")}
    assert {name: s["TimeoutSeconds"] for name, s in waits.items()} == {
        "BiddingOpen": 300,
        "AwaitFreelancerSelection": 301,
        "MilestoneApproval": 302,
        "AwaitMilestonePayment": 303,
    }
    for state in waits.values():
        assert state["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
        assert state["Parameters"]["FunctionName"] == FUNCTION
        assert state["Parameters"]["Payload"]["taskToken.$"] == "$$.Task.Token"


def test_bidding_that_times_out_closes_and_other_failures_take_the_failure_path():
    states = rendered()["States"]
    catchers = states["BiddingOpen"]["Catch"]
    assert catchers[0] == {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.biddingTimeout", "Next": "BiddingClosed"}
    assert catchers[-1] == {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "DescribeFailure"}
    path = [states["DescribeFailure"]["Next"], states["RecordFailure"]["Next"], states["NotifyFailure"]["Next"]]
    assert path == ["RecordFailure", "NotifyFailure", "WorkflowFailed"]
    assert states["RecordFailure"]["Catch"][-1]["Next"] == "NotifyFailure"
    assert states["WorkflowFailed"]["Type"] == "Fail"
    assert states["NotifyFailure"]["Resource"] == "arn:aws:states:::sns:publish"


def test_lambda_tasks_retry_transient_errors_with_exponential_backoff():
    states = rendered()["States"]
    lambda_tasks = {
        n: s for n, s in states.items() if s.get("Resource") == FUNCTION or "lambda:invoke" in s.get("Resource", "")
    }
    assert len(lambda_tasks) == 14
    for name, state in lambda_tasks.items():
        retry = state["Retry"][0]
        assert retry["ErrorEquals"] == variables()["retry"]["errors"], name
        assert (retry["IntervalSeconds"], retry["MaxAttempts"], retry["BackoffRate"]) == (2, 4, 2.0), name
        assert retry["MaxDelaySeconds"] == 60 and retry["JitterStrategy"] == "FULL"


def test_the_choices_branch_on_bids_decision_and_milestones_left():
    states = rendered()["States"]
    assert states["HasBids"]["Choices"][0]["Next"] == "AwaitFreelancerSelection"
    assert states["HasBids"]["Default"] == "CancelForNoBids"
    assert states["IsMilestoneApproved"]["Choices"][0]["Next"] == "NotifyMilestoneApproved"
    assert states["IsMilestoneApproved"]["Default"] == "NotifyReworkRequested"
    assert states["NotifyReworkRequested"]["Next"] == "WorkInProgress"
    assert states["HasMoreMilestones"]["Choices"][0]["Next"] == "WorkInProgress"
    assert states["HasMoreMilestones"]["Default"] == "ProjectCompleted"


def test_email_and_sns_integrations_use_the_sdk_and_the_configuration_set():
    states = rendered()["States"]
    emails = [s for s in states.values() if s.get("Resource") == "arn:aws:states:::aws-sdk:ses:sendTemplatedEmail"]
    assert len(emails) == 6
    for state in emails:
        assert state["Parameters"]["Source"] == "notifications@unit.example.com"
        assert state["Parameters"]["ConfigurationSetName"] == "unit-freelancer-platform-events"
        assert state["Parameters"]["Template"] in variables()["templates"].values()
        assert state["Parameters"]["TemplateData.$"].startswith("States.JsonToString(")
    publishes = [s for s in states.values() if s.get("Resource") == "arn:aws:states:::sns:publish"]
    assert {s["Parameters"]["TopicArn"] for s in publishes} == {APPROVALS}


def test_the_happy_path_visits_the_lifecycle_in_order():
    """Follow Next (and the approved / done branches) from StartAt: the lifecycle states come in order."""
    states = rendered()["States"]
    branch = {"HasBids": 0, "IsMilestoneApproved": 0, "HasMoreMilestones": None}
    name, walked = "ProjectCreated", []
    while name:
        walked.append(name)
        state = states[name]
        if state["Type"] == "Choice":
            index = branch[name]
            name = state["Choices"][index]["Next"] if index is not None else state["Default"]
        else:
            name = state.get("Next")
    assert [s for s in walked if s in LIFECYCLE] == LIFECYCLE
    assert walked[-1] == "LifecycleComplete"


# ---------------------------------------------------------------- the renderer


def test_a_variable_the_renderer_does_not_supply_fails_naming_it():
    template = TEMPLATE.replace(
        '"StartAt": "ProjectCreated",', '"StartAt": "ProjectCreated", "X": {{ region | json }},'
    )
    with pytest.raises(StateMachineDefinitionError) as error:
        render(template, variables(), "lifecycle.j2")
    assert "lifecycle.j2 refers to region, which the renderer does not supply" in str(error.value)


def test_a_missing_key_of_a_supplied_variable_is_named_with_its_path():
    values = variables()
    del values["timeouts"]["payment"]
    with pytest.raises(StateMachineDefinitionError) as error:
        render(TEMPLATE, values, "lifecycle.j2")
    assert "refers to timeouts.payment" in str(error.value)


def test_the_renderer_sees_only_what_it_is_given():
    with pytest.raises(StateMachineDefinitionError, match="refers to lookup"):
        render('{"a": {{ lookup("env", "HOME") | json }}}', {}, "t")


def test_a_rendering_that_is_not_json_fails_naming_the_line():
    with pytest.raises(StateMachineDefinitionError, match=r"does not render to valid JSON: .* line 2"):
        render('{\n  "a": {{ x }}\n}', {"x": "not-quoted"}, "t")


def test_a_template_syntax_error_fails_naming_the_line():
    with pytest.raises(StateMachineDefinitionError, match="t line 1"):
        render("{{ x ", {"x": 1}, "t")


# ---------------------------------------------------------------- the validator


def broken(change) -> list[str]:
    definition = copy.deepcopy(rendered())
    change(definition["States"])
    return problems(definition)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["BiddingClosed"].update(Next="Nowhere"), "state BiddingClosed: Next 'Nowhere' is not a state"),
        (lambda s: s["HasBids"].pop("Default"), "state HasBids: a Choice state needs a Default"),
        (
            lambda s: s["HasBids"]["Choices"][0].update(Next="Gone"),
            "state HasBids: Choices[0].Next 'Gone' is not a state",
        ),
        (lambda s: s["FreelancerSelected"].pop("Retry"), "state FreelancerSelected: every Task needs a Retry"),
        (
            lambda s: s["FreelancerSelected"].pop("Catch"),
            "every Task needs a Catch whose last entry catches States.ALL",
        ),
        (
            lambda s: s["BiddingOpen"]["Catch"].reverse(),
            "States.ALL must appear alone, in the last Catch entry",
        ),
        (
            lambda s: s["FreelancerSelected"]["Retry"][0].update(ErrorEquals=["Lambda.ServiceException"]),
            "does not cover the transient errors Lambda.TooManyRequestsException, TransientError",
        ),
        (lambda s: s["BiddingOpen"].pop("TimeoutSeconds"), "a callback wait needs a positive TimeoutSeconds"),
        (lambda s: s["MilestoneApproval"].update(TimeoutSeconds=0), "TimeoutSeconds must be a positive integer, got 0"),
        (lambda s: s["MilestoneApproval"].update(TimeoutSeconds="60"), "TimeoutSeconds must be a positive integer"),
        (
            lambda s: s["AwaitMilestonePayment"]["Parameters"]["Payload"].pop("taskToken.$"),
            "a callback wait must pass $$.Task.Token",
        ),
        (
            lambda s: s["WorkInProgress"]["Retry"][0].update(MaxAttempts=11),
            "MaxAttempts must be an integer from 0 to 10, got 11",
        ),
        (
            lambda s: s["WorkInProgress"]["Retry"][0].update(IntervalSeconds=0),
            "IntervalSeconds must be a positive integer",
        ),
        (
            lambda s: s["WorkInProgress"]["Retry"][0].update(BackoffRate=0.5),
            "BackoffRate must be a number of at least 1.0",
        ),
        (lambda s: s.update(Orphan={"Type": "Succeed"}), "state Orphan is not reachable from StartAt ProjectCreated"),
        (
            lambda s: s.pop("PaymentProcessed") and s["AwaitMilestonePayment"].update(Next="EmailPaymentReleased"),
            "the lifecycle state PaymentProcessed is missing",
        ),
        (lambda s: s["LifecycleComplete"].update(Next="ProjectCreated"), "a Succeed state ends the execution"),
        (lambda s: s["DescribeFailure"].pop("Next"), "state DescribeFailure: needs exactly one of Next or End"),
        (lambda s: s["DescribeFailure"].update(Type="Teleport"), "Type 'Teleport' is not one of"),
    ],
)
def test_each_broken_rule_is_named(change, expected):
    found = broken(change)
    assert any(expected in p for p in found), found


def test_validate_fails_listing_every_problem():
    definition = copy.deepcopy(rendered())
    definition["States"]["BiddingOpen"].pop("TimeoutSeconds")
    definition["States"]["WorkInProgress"]["Retry"][0]["MaxAttempts"] = 12
    with pytest.raises(StateMachineDefinitionError) as error:
        validate(definition, LIFECYCLE, REQUIRED_RETRY, [0, 10])
    message = str(error.value)
    assert message.startswith("the state machine definition is not valid:")
    assert "state BiddingOpen" in message and "state WorkInProgress" in message


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ("{not json", "the definition is not valid JSON"),
        ([], "the definition is not a JSON object"),
        ({"StartAt": "A"}, "the definition has no States"),
        ({"StartAt": "B", "States": {"A": {"Type": "Succeed"}}}, "StartAt 'B' is not a state"),
        (
            {"StartAt": "A", "TimeoutSeconds": -1, "States": {"A": {"Type": "Succeed"}}},
            "the execution TimeoutSeconds must be a positive integer",
        ),
    ],
)
def test_malformed_documents(definition, expected):
    assert any(expected in p for p in state_machine_problems(definition)), state_machine_problems(definition)


def test_a_json_string_is_accepted():
    definition = rendered()
    assert validate(json.dumps(definition), LIFECYCLE, REQUIRED_RETRY, [0, 10]) == definition
