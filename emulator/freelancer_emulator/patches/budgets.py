"""AWS Budgets patches: updating a budget, the subscribers of a notification, and resource tags."""

from __future__ import annotations

import json
import re
from typing import Any

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import set_attr
from freelancer_emulator.patches._base import wrap

BUDGET_ARN = re.compile(r"^arn:[a-z-]+:budgets::(?P<account>\d{12}):budget/(?P<name>.+)$")


def notification_key(notification: dict[str, Any]) -> tuple[str, str, float, str]:
    """How AWS identifies a budget notification: type, operator, threshold and threshold type."""
    return (
        notification.get("NotificationType", ""),
        notification.get("ComparisonOperator", ""),
        float(notification.get("Threshold", 0)),
        notification.get("ThresholdType") or "PERCENTAGE",
    )


def _budget(backend: Any, account_id: str, name: str, action: str) -> Any:
    from moto.budgets.exceptions import NotFoundException

    budget = backend.budgets[account_id].get(name)
    if budget is None:
        raise NotFoundException(f"Unable to {action}: {name} - the budget doesn't exist.")
    return budget


def _notification(budget: Any, wanted: dict[str, Any], action: str) -> Any:
    from moto.budgets.exceptions import NotFoundException

    for notification in budget.notifications:
        if notification_key(notification.details) == notification_key(wanted):
            return notification
    raise NotFoundException(f"Unable to {action} - the notification doesn't exist.")


@once
def update_budget() -> None:
    """UpdateBudget replaces a budget's definition and keeps its notifications.

    AWS: ``UpdateBudget(AccountId, NewBudget)`` replaces the budget named ``NewBudget.BudgetName``
    (limit, cost filters, cost types, time unit); its notifications and subscribers stay; an unknown
    budget answers ``NotFoundException``; a budget without a limit ``InvalidParameterException``.
    moto 5.2.5: ``BudgetsResponse`` has no ``update_budget`` (moto/budgets/responses.py:8-72), so
    ``BaseResponse.call_action`` raises NotImplementedError (moto/core/responses.py:483): HTTP 500.
    Fix: the action, replacing moto's stored budget dict (``Budget.budget``, moto/budgets/models.py:26)
    and keeping its time period when the new definition has none.
    """
    from moto.budgets.exceptions import BudgetMissingLimit
    from moto.budgets.responses import BudgetsResponse
    from moto.core.utils import unix_time

    def update(self: BudgetsResponse) -> str:
        new = dict(self._get_param("NewBudget") or {})
        budget = _budget(self.backend, self._get_param("AccountId"), new.get("BudgetName", ""), "update budget")
        if "BudgetLimit" not in new and "PlannedBudgetLimits" not in new:
            raise BudgetMissingLimit()
        new.setdefault("TimePeriod", budget.budget.get("TimePeriod"))
        new["LastUpdatedTime"] = unix_time()
        budget.budget = new
        return json.dumps({})

    set_attr(BudgetsResponse, "update_budget", update)


@once
def notification_subscribers() -> None:
    """Subscribers of a budget notification can be listed, added and removed; notifications are found by identity.

    AWS: a notification is identified by its ``NotificationType``, ``ComparisonOperator``,
    ``Threshold`` and ``ThresholdType`` (``NotificationState`` is not part of it).
    ``DescribeSubscribersForNotification`` lists its subscribers (``SubscriptionType``, ``Address``);
    ``CreateSubscriber`` adds one (``DuplicateRecordException`` if present); ``DeleteSubscriber`` and
    ``DeleteNotification`` remove one; each answers ``NotFoundException`` for an unknown budget,
    notification or subscriber; ``CreateNotification`` refuses a duplicate notification.
    moto 5.2.5: the three subscriber actions do not exist (moto/budgets/responses.py:8-72, HTTP 500 from
    moto/core/responses.py:483); ``DeleteNotification`` compares the whole request dict and silently
    does nothing when it differs, for example by a ``NotificationState`` (moto/budgets/models.py:70);
    ``CreateNotification`` appends duplicates (moto/budgets/models.py:64-67).
    Fix: the three actions on moto's ``Notification.subscribers``, and notifications matched by identity.
    """
    from moto.budgets.exceptions import DuplicateRecordException
    from moto.budgets.models import Budget
    from moto.budgets.models import BudgetsBackend
    from moto.budgets.responses import BudgetsResponse

    def params(self: BudgetsResponse, action: str) -> tuple[Any, Any]:
        budget = _budget(self.backend, self._get_param("AccountId"), self._get_param("BudgetName"), action)
        return budget, _notification(budget, self._get_param("Notification") or {}, action)

    def describe_subscribers_for_notification(self: BudgetsResponse) -> str:
        _, notification = params(self, "describe subscribers")
        return json.dumps({"Subscribers": list(notification.subscribers)})

    def create_subscriber(self: BudgetsResponse) -> str:
        _, notification = params(self, "create subscriber")
        subscriber = self._get_param("Subscriber")
        if subscriber in notification.subscribers:
            raise DuplicateRecordException(record_type="subscriber", record_name=subscriber.get("Address", ""))
        notification.subscribers = [*notification.subscribers, subscriber]
        return json.dumps({})

    def delete_subscriber(self: BudgetsResponse) -> str:
        from moto.budgets.exceptions import NotFoundException

        _, notification = params(self, "delete subscriber")
        subscriber = self._get_param("Subscriber")
        if subscriber not in notification.subscribers:
            raise NotFoundException("Unable to delete subscriber - the subscriber doesn't exist.")
        notification.subscribers = [s for s in notification.subscribers if s != subscriber]
        return json.dumps({})

    def delete_notification(
        self: BudgetsBackend, account_id: str, budget_name: str, notification: dict[str, Any]
    ) -> None:
        budget = _budget(self, account_id, budget_name, "delete notification")
        found = _notification(budget, notification, "delete notification")
        budget.notifications = [n for n in budget.notifications if n is not found]

    def add_notification(original: Any) -> Any:
        def add(self: Budget, details: dict[str, Any], subscribers: Any) -> None:
            if any(notification_key(n.details) == notification_key(details) for n in self.notifications):
                raise DuplicateRecordException(
                    record_type="notification", record_name=details.get("NotificationType", "")
                )
            original(self, details, subscribers)

        return add

    set_attr(BudgetsResponse, "describe_subscribers_for_notification", describe_subscribers_for_notification)
    set_attr(BudgetsResponse, "create_subscriber", create_subscriber)
    set_attr(BudgetsResponse, "delete_subscriber", delete_subscriber)
    set_attr(BudgetsBackend, "delete_notification", delete_notification)
    wrap(Budget, "add_notification", add_notification)


@once
def resource_tags() -> None:
    """Budgets carry resource tags: set by CreateBudget, listed, added and removed by ARN.

    AWS: ``CreateBudget(ResourceTags=[{Key, Value}])`` tags the new budget;
    ``ListTagsForResource``, ``TagResource`` and ``UntagResource`` take the budget ARN
    ``arn:aws:budgets::<account>:budget/<name>`` (``ResourceTags``, ``ResourceTagKeys``); an unknown
    budget answers ``NotFoundException``; deleting the budget deletes its tags.
    moto 5.2.5: ``CreateBudget`` ignores ``ResourceTags`` (moto/budgets/responses.py:16-23) and the
    three tag actions do not exist, so ``BaseResponse.call_action`` raises NotImplementedError
    (moto/core/responses.py:483): HTTP 500.
    Fix: tags kept on moto's ``Budget`` object (so DeleteBudget drops them with it) and the three actions.
    """
    from moto.budgets.responses import BudgetsResponse

    def tags_of(budget: Any) -> dict[str, str]:
        return budget.__dict__.setdefault("freelancer_resource_tags", {})

    def by_arn(self: BudgetsResponse) -> Any:
        from moto.budgets.exceptions import NotFoundException

        arn = self._get_param("ResourceARN") or ""
        match = BUDGET_ARN.match(arn)
        if not match:
            raise NotFoundException(f"Unable to find resource {arn}")
        return _budget(self.backend, match["account"], match["name"], "find resource")

    def create_budget(original: Any) -> Any:
        def create(self: BudgetsResponse) -> str:
            answer = original(self)
            budget = self.backend.budgets[self._get_param("AccountId")][self._get_param("Budget")["BudgetName"]]
            tags_of(budget).update({t["Key"]: t["Value"] for t in self._get_param("ResourceTags") or []})
            return answer

        return create

    def list_tags_for_resource(self: BudgetsResponse) -> str:
        tags = tags_of(by_arn(self))
        return json.dumps({"ResourceTags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]})

    def tag_resource(self: BudgetsResponse) -> str:
        tags_of(by_arn(self)).update({t["Key"]: t["Value"] for t in self._get_param("ResourceTags") or []})
        return json.dumps({})

    def untag_resource(self: BudgetsResponse) -> str:
        tags = tags_of(by_arn(self))
        for key in self._get_param("ResourceTagKeys") or []:
            tags.pop(key, None)
        return json.dumps({})

    wrap(BudgetsResponse, "create_budget", create_budget)
    set_attr(BudgetsResponse, "list_tags_for_resource", list_tags_for_resource)
    set_attr(BudgetsResponse, "tag_resource", tag_resource)
    set_attr(BudgetsResponse, "untag_resource", untag_resource)


PATCHES = [update_budget, notification_subscribers, resource_tags]
