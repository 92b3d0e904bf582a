"""freelancer.platform.budget against moto in-process: check, apply, idempotency, update, delete, bad input."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import budget

NAME = "test-monthly"
ACCOUNT = "123456789012"
ARN = f"arn:aws:budgets::{ACCOUNT}:budget/{NAME}"


@pytest.fixture
def budgets(mocked_aws):
    """moto with the emulator's patches (UpdateBudget, subscribers, tags), undone after the test."""
    from freelancer_emulator import patches

    patches.apply_all()
    yield boto3.client("budgets", region_name="us-east-2")
    patches.restore_all()


def notification(kind, threshold, *addresses):
    return {
        "notification_type": kind,
        "threshold": threshold,
        "subscribers": [{"address": a} for a in addresses],
    }


def args(**extra):
    base = {
        "name": NAME,
        "limit_amount": 200,
        "cost_filters": {"TagKeyValue": ["user:Environment$test"]},
        "notifications": [
            notification("ACTUAL", 80, "ops@example.com"),
            notification("FORECASTED", 100, "ops@example.com"),
        ],
        "tags": {"Environment": "test"},
        "region": "us-east-2",
    }
    base.update(extra)
    return base


def described(budgets):
    found = budgets.describe_budget(AccountId=ACCOUNT, BudgetName=NAME)["Budget"]
    notifications = {}
    for n in budgets.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName=NAME)["Notifications"]:
        subscribers = budgets.describe_subscribers_for_notification(AccountId=ACCOUNT, BudgetName=NAME, Notification=n)
        notifications[(n["NotificationType"], float(n["Threshold"]))] = sorted(
            s["Address"] for s in subscribers["Subscribers"]
        )
    tags = {t["Key"]: t["Value"] for t in budgets.list_tags_for_resource(ResourceARN=ARN)["ResourceTags"]}
    return found, notifications, tags


def test_check_mode_on_nothing_reports_a_change_and_creates_nothing(run_module, budgets):
    result, failed = run_module(budget, args(), check_mode=True, diff=True)
    assert not failed and result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["budget"]["budget_arn"] == ARN
    assert [n["threshold"] for n in result["budget"]["notifications"]] == [80.0, 100.0]
    assert budgets.describe_budgets(AccountId=ACCOUNT)["Budgets"] == []


def test_create_then_idempotent_then_check_reports_nothing(run_module, budgets):
    result, failed = run_module(budget, args())
    assert not failed and result["changed"] is True
    found, notifications, tags = described(budgets)
    assert float(found["BudgetLimit"]["Amount"]) == 200 and found["TimeUnit"] == "MONTHLY"
    assert found["CostFilters"] == {"TagKeyValue": ["user:Environment$test"]}
    assert notifications == {("ACTUAL", 80.0): ["ops@example.com"], ("FORECASTED", 100.0): ["ops@example.com"]}
    assert tags == {"Environment": "test"}

    again, _ = run_module(budget, args(limit_amount=200.0))
    assert again["changed"] is False

    preview, _ = run_module(budget, args(), check_mode=True, diff=True)
    assert preview["changed"] is False
    assert preview["diff"]["before"] == preview["diff"]["after"]


def test_limit_change_updates_in_place_and_keeps_notifications(run_module, budgets):
    run_module(budget, args())
    preview, _ = run_module(budget, args(limit_amount=350), check_mode=True, diff=True)
    assert preview["changed"] is True and float(described(budgets)[0]["BudgetLimit"]["Amount"]) == 200
    assert float(preview["diff"]["after"]["budget_limit"]["amount"]) == 350

    result, _ = run_module(budget, args(limit_amount=350))
    assert result["changed"] is True
    found, notifications, _ = described(budgets)
    assert float(found["BudgetLimit"]["Amount"]) == 350
    assert len(notifications) == 2


def test_subscribers_and_notifications_are_converged(run_module, budgets):
    run_module(budget, args())
    changed = args(
        notifications=[
            notification("ACTUAL", 80, "ops@example.com", "finance@example.com"),
            notification("FORECASTED", 120, "ops@example.com"),
        ]
    )
    result, _ = run_module(budget, changed)
    assert result["changed"] is True
    assert described(budgets)[1] == {
        ("ACTUAL", 80.0): ["finance@example.com", "ops@example.com"],
        ("FORECASTED", 120.0): ["ops@example.com"],
    }
    again, _ = run_module(budget, changed)
    assert again["changed"] is False

    fewer, _ = run_module(budget, args(notifications=[notification("ACTUAL", 80, "finance@example.com")]))
    assert fewer["changed"] is True
    assert described(budgets)[1] == {("ACTUAL", 80.0): ["finance@example.com"]}


def test_tags_are_converged(run_module, budgets):
    run_module(budget, args())
    result, _ = run_module(budget, args(tags={"Environment": "test", "Owner": "team"}))
    assert result["changed"] is True and described(budgets)[2] == {"Environment": "test", "Owner": "team"}
    run_module(budget, args(tags={"Owner": "team"}))
    assert described(budgets)[2] == {"Owner": "team"}


def test_absent_deletes_then_is_idempotent(run_module, budgets):
    run_module(budget, args())
    absent = {"name": NAME, "state": "absent", "region": "us-east-2"}
    preview, _ = run_module(budget, absent, check_mode=True)
    assert preview["changed"] is True and len(budgets.describe_budgets(AccountId=ACCOUNT)["Budgets"]) == 1
    result, _ = run_module(budget, absent)
    assert result["changed"] is True and budgets.describe_budgets(AccountId=ACCOUNT)["Budgets"] == []
    again, _ = run_module(budget, absent)
    assert again["changed"] is False


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"limit_amount": 0}, "limit_amount must be a positive number"),
        ({"limit_amount": -5}, "limit_amount must be a positive number"),
        ({"limit_amount": "lots"}, "limit_amount"),
        ({"name": "a:b"}, "name 'a:b' is invalid"),
        ({"account_id": "12345"}, "account_id"),
        ({"notifications": [notification("ACTUAL", 80, "not-an-email")]}, "notifications[0].subscribers[0].address"),
        (
            {"notifications": [notification("ACTUAL", 0, "ops@example.com")]},
            "notifications[0].threshold must be positive",
        ),
        ({"notifications": [notification("ACTUAL", 80)]}, "notifications[0].subscribers must list"),
        (
            {
                "notifications": [
                    notification("ACTUAL", 80, "a@example.com"),
                    notification("ACTUAL", 80, "b@example.com"),
                ]
            },
            "notifications[1] repeats",
        ),
        ({"cost_filters": {"TagKeyValue": "user:Environment$test"}}, "cost_filters.TagKeyValue"),
    ],
)
def test_bad_input_fails_before_any_call(run_module, budgets, extra, message):
    result, failed = run_module(budget, args(**extra))
    assert failed and message in result["msg"]
    assert budgets.describe_budgets(AccountId=ACCOUNT)["Budgets"] == []
