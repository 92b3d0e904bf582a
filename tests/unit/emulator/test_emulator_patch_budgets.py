"""AWS Budgets: UpdateBudget, the subscribers of a notification, notifications by identity, resource tags."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

ACCOUNT = "123456789012"
ACTUAL = {
    "NotificationType": "ACTUAL",
    "ComparisonOperator": "GREATER_THAN",
    "Threshold": 80.0,
    "ThresholdType": "PERCENTAGE",
}
OPS = {"SubscriptionType": "EMAIL", "Address": "ops@example.com"}
FINANCE = {"SubscriptionType": "EMAIL", "Address": "finance@example.com"}


def budget(amount: str = "100") -> dict:
    return {
        "BudgetName": "monthly",
        "BudgetType": "COST",
        "TimeUnit": "MONTHLY",
        "BudgetLimit": {"Amount": amount, "Unit": "USD"},
    }


def create(client, **extra) -> None:
    client.create_budget(
        AccountId=ACCOUNT,
        Budget=budget(),
        NotificationsWithSubscribers=[{"Notification": ACTUAL, "Subscribers": [OPS]}],
        **extra,
    )


def error_code(call) -> str:
    with pytest.raises(ClientError) as error:
        call()
    return error.value.response["Error"]["Code"]


def test_update_budget_replaces_the_definition_and_keeps_notifications(patched) -> None:
    """AWS: UpdateBudget changes the limit; notifications stay; an unknown budget is NotFoundException."""
    with mock_aws():
        client = boto3.client("budgets")
        create(client)
        period = client.describe_budget(AccountId=ACCOUNT, BudgetName="monthly")["Budget"]["TimePeriod"]

        client.update_budget(AccountId=ACCOUNT, NewBudget=budget("250"))

        described = client.describe_budget(AccountId=ACCOUNT, BudgetName="monthly")["Budget"]
        assert described["BudgetLimit"] == {"Amount": "250", "Unit": "USD"}
        assert described["TimePeriod"] == period
        assert client.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName="monthly")["Notifications"] == [
            ACTUAL
        ]
        missing = dict(budget(), BudgetName="other")
        assert error_code(lambda: client.update_budget(AccountId=ACCOUNT, NewBudget=missing)) == "NotFoundException"


def test_subscribers_of_a_notification_are_listed_added_and_removed(patched) -> None:
    """AWS: DescribeSubscribersForNotification, CreateSubscriber, DeleteSubscriber on a notification
    identified by type, operator, threshold and threshold type (NotificationState is ignored)."""
    with mock_aws():
        client = boto3.client("budgets")
        create(client)
        described = dict(ACTUAL, NotificationState="OK")
        common = {"AccountId": ACCOUNT, "BudgetName": "monthly", "Notification": described}

        assert client.describe_subscribers_for_notification(**common)["Subscribers"] == [OPS]
        client.create_subscriber(**common, Subscriber=FINANCE)
        assert client.describe_subscribers_for_notification(**common)["Subscribers"] == [OPS, FINANCE]
        assert error_code(lambda: client.create_subscriber(**common, Subscriber=FINANCE)) == "DuplicateRecordException"

        client.delete_subscriber(**common, Subscriber=OPS)
        assert client.describe_subscribers_for_notification(**common)["Subscribers"] == [FINANCE]
        assert error_code(lambda: client.delete_subscriber(**common, Subscriber=OPS)) == "NotFoundException"

        other = dict(ACTUAL, Threshold=90.0)
        assert (
            error_code(lambda: client.describe_subscribers_for_notification(**dict(common, Notification=other)))
            == "NotFoundException"
        )


def test_notifications_are_deleted_by_identity_and_not_duplicated(patched) -> None:
    """AWS: DeleteNotification finds the notification without its NotificationState; a duplicate
    CreateNotification is DuplicateRecordException; deleting an unknown one is NotFoundException."""
    with mock_aws():
        client = boto3.client("budgets")
        create(client)
        common = {"AccountId": ACCOUNT, "BudgetName": "monthly"}
        assert (
            error_code(lambda: client.create_notification(**common, Notification=ACTUAL, Subscribers=[OPS]))
            == "DuplicateRecordException"
        )
        client.delete_notification(**common, Notification=dict(ACTUAL, NotificationState="ALARM"))
        assert client.describe_notifications_for_budget(**common)["Notifications"] == []
        assert error_code(lambda: client.delete_notification(**common, Notification=ACTUAL)) == "NotFoundException"


def test_budget_resource_tags(patched) -> None:
    """AWS: CreateBudget ResourceTags are listed by ARN; TagResource and UntagResource change them;
    a deleted budget's ARN is NotFoundException."""
    with mock_aws():
        client = boto3.client("budgets")
        create(client, ResourceTags=[{"Key": "Environment", "Value": "dev"}])
        arn = f"arn:aws:budgets::{ACCOUNT}:budget/monthly"
        assert client.list_tags_for_resource(ResourceARN=arn)["ResourceTags"] == [
            {"Key": "Environment", "Value": "dev"}
        ]

        client.tag_resource(ResourceARN=arn, ResourceTags=[{"Key": "Owner", "Value": "team"}])
        client.untag_resource(ResourceARN=arn, ResourceTagKeys=["Environment"])
        assert client.list_tags_for_resource(ResourceARN=arn)["ResourceTags"] == [{"Key": "Owner", "Value": "team"}]

        client.delete_budget(AccountId=ACCOUNT, BudgetName="monthly")
        assert error_code(lambda: client.list_tags_for_resource(ResourceARN=arn)) == "NotFoundException"
