#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: budget
short_description: Manage an AWS Budgets budget with its notifications, subscribers and tags
version_added: 1.0.0
description:
  - Creates, converges or deletes one budget of the account, identified by its name.
  - The budget's limit, type, time unit, cost filters and cost types are converged with
    UpdateBudget; notifications are identified by type, comparison, threshold and
    threshold type (a changed threshold replaces the notification); subscribers of a
    kept notification are added and removed one by one, so the notification keeps its state.
  - Amounts are compared as decimals, so V(100) and V(100.0) are the same limit.
  - Check mode and diff supported. amazon.aws and community.aws have no budget module.
author:
  - Platform team
options:
  name:
    description: The budget name (no C(:) or C(\\); at most 100 characters).
    type: str
    required: true
    aliases: [budget_name]
  account_id:
    description:
      - The account that owns the budget. Defaults to the caller's account.
    type: str
  budget_type:
    description: What the budget tracks.
    type: str
    choices: [COST, USAGE, RI_UTILIZATION, RI_COVERAGE, SAVINGS_PLANS_UTILIZATION, SAVINGS_PLANS_COVERAGE]
    default: COST
  time_unit:
    description: The period the limit applies to.
    type: str
    choices: [DAILY, MONTHLY, QUARTERLY, ANNUALLY]
    default: MONTHLY
  limit_amount:
    description:
      - The limit per period, a positive number. Required when O(state=present).
    type: float
  limit_unit:
    description: The unit of O(limit_amount).
    type: str
    default: USD
  cost_filters:
    description:
      - 'Cost filters, for example C({"TagKeyValue": ["user:Environment$dev"]}). Omitted means the whole account.'
    type: dict
    default: {}
  cost_types:
    description:
      - Cost types (C(IncludeTax), C(UseBlended) ...), in the API's CamelCase. Omitted leaves the AWS defaults.
    type: dict
  notifications:
    description:
      - The notifications the budget should have, each with its subscribers. Others are removed.
    type: list
    elements: dict
    default: []
    suboptions:
      notification_type:
        description: Whether actual or forecasted spend is compared.
        type: str
        choices: [ACTUAL, FORECASTED]
        required: true
      comparison_operator:
        description: How spend is compared with the threshold.
        type: str
        choices: [GREATER_THAN, LESS_THAN, EQUAL_TO]
        default: GREATER_THAN
      threshold:
        description: The threshold, a percentage of the limit or an absolute amount (positive).
        type: float
        required: true
      threshold_type:
        description: How O(notifications[].threshold) is read.
        type: str
        choices: [PERCENTAGE, ABSOLUTE_VALUE]
        default: PERCENTAGE
      subscribers:
        description: Who is told (1 to 10 email addresses, at most one SNS topic).
        type: list
        elements: dict
        required: true
        suboptions:
          subscription_type:
            description: EMAIL or SNS.
            type: str
            choices: [EMAIL, SNS]
            default: EMAIL
          address:
            description: An email address, or an SNS topic ARN.
            type: str
            required: true
  state:
    description: Whether the budget should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: A monthly cost budget of 200 USD for the dev environment's resources
  freelancer.platform.budget:
    name: dev-freelancer-platform-monthly
    limit_amount: 200
    cost_filters:
      TagKeyValue: ["user:Environment$dev"]
    notifications:
      - notification_type: ACTUAL
        threshold: 80
        subscribers:
          - address: ops@example.com
      - notification_type: FORECASTED
        threshold: 100
        subscribers:
          - address: ops@example.com
    tags:
      Environment: dev

- name: Remove it
  freelancer.platform.budget:
    name: dev-freelancer-platform-monthly
    state: absent
"""

RETURN = r"""
budget:
  description: The budget, in snake case, with its notifications and tags. Empty when absent.
  returned: always
  type: dict
  contains:
    budget_name:
      description: The name.
      type: str
      sample: dev-freelancer-platform-monthly
    budget_arn:
      description: The ARN.
      type: str
      sample: arn:aws:budgets::123456789012:budget/dev-freelancer-platform-monthly
    budget_type:
      description: What the budget tracks.
      type: str
      sample: COST
    time_unit:
      description: The period.
      type: str
      sample: MONTHLY
    budget_limit:
      description: The limit, with its amount as a string, as AWS reports it.
      type: dict
      sample: {"amount": "200.0", "unit": "USD"}
    cost_filters:
      description: The cost filters (keys as AWS names them).
      type: dict
      sample: {"TagKeyValue": ["user:Environment$dev"]}
    notifications:
      description: The notifications, each with its subscribers, sorted.
      type: list
      elements: dict
      sample:
        - notification_type: ACTUAL
          comparison_operator: GREATER_THAN
          threshold: 80.0
          threshold_type: PERCENTAGE
          subscribers: [{"subscription_type": "EMAIL", "address": "ops@example.com"}]
    tags:
      description: Tags as a dict.
      type: dict
      sample: {"Environment": "dev"}
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

import re
from decimal import Decimal
from decimal import InvalidOperation

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

NAME_PATTERN = re.compile(r"^[^:\\]{1,100}$")
ACCOUNT_PATTERN = re.compile(r"^\d{12}$")
EMAIL_PATTERN = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
SNS_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")


def validate(module):
    """Fail, naming the option, on input AWS would refuse; no AWS call is made before."""
    params = module.params
    if not NAME_PATTERN.match(params["name"]):
        module.fail_json(msg=f"name {params['name']!r} is invalid: 1 to 100 characters, without ':' or '\\'")
    if params["account_id"] is not None and not ACCOUNT_PATTERN.match(params["account_id"]):
        module.fail_json(msg=f"account_id {params['account_id']!r} is not a 12-digit AWS account id")
    if params["state"] != "present":
        return
    if params["limit_amount"] is None or not params["limit_amount"] > 0:
        module.fail_json(msg=f"limit_amount must be a positive number, got {params['limit_amount']!r}")
    for key, values in params["cost_filters"].items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            module.fail_json(msg=f"cost_filters.{key} must be a list of strings")
    seen = set()
    for index, notification in enumerate(params["notifications"]):
        where = f"notifications[{index}]"
        if not notification["threshold"] > 0:
            module.fail_json(msg=f"{where}.threshold must be positive, got {notification['threshold']!r}")
        key = notification_key(camel_notification(notification))
        if key in seen:
            module.fail_json(
                msg=f"{where} repeats another notification (same type, comparison, threshold and threshold type)"
            )
        seen.add(key)
        subscribers = notification["subscribers"]
        emails = [s for s in subscribers if s["subscription_type"] == "EMAIL"]
        topics = [s for s in subscribers if s["subscription_type"] == "SNS"]
        if not subscribers or len(emails) > 10 or len(topics) > 1:
            module.fail_json(msg=f"{where}.subscribers must list 1 to 10 email addresses and at most one SNS topic")
        for number, subscriber in enumerate(subscribers):
            pattern = EMAIL_PATTERN if subscriber["subscription_type"] == "EMAIL" else SNS_ARN_PATTERN
            if not pattern.match(subscriber["address"]):
                kind = "an email address" if subscriber["subscription_type"] == "EMAIL" else "an SNS topic ARN"
                module.fail_json(msg=f"{where}.subscribers[{number}].address {subscriber['address']!r} is not {kind}")


def decimal(value):
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def camel_notification(notification):
    return {
        "NotificationType": notification["notification_type"],
        "ComparisonOperator": notification["comparison_operator"],
        "Threshold": float(notification["threshold"]),
        "ThresholdType": notification["threshold_type"],
    }


def notification_key(notification):
    """How AWS identifies a notification of a budget."""
    return (
        notification["NotificationType"],
        notification["ComparisonOperator"],
        float(notification["Threshold"]),
        notification.get("ThresholdType") or "PERCENTAGE",
    )


def subscriber_key(subscriber):
    return (subscriber["SubscriptionType"], subscriber["Address"])


def snake_notification(notification, subscribers):
    return {
        "notification_type": notification["NotificationType"],
        "comparison_operator": notification["ComparisonOperator"],
        "threshold": float(notification["Threshold"]),
        "threshold_type": notification.get("ThresholdType") or "PERCENTAGE",
        "subscribers": [
            {"subscription_type": t, "address": a} for t, a in sorted(subscriber_key(s) for s in subscribers)
        ],
    }


def budget_arn(module, account_id, name):
    partition = "aws"
    if module.region and module.region.startswith("cn-"):
        partition = "aws-cn"
    elif module.region and module.region.startswith("us-gov-"):
        partition = "aws-us-gov"
    return f"arn:{partition}:budgets::{account_id}:budget/{name}"


class Budgets:
    """The calls the module makes, each with retries and a message naming what failed."""

    def __init__(self, module, client, account_id):
        self.module = module
        self.client = client
        self.account_id = account_id

    def call(self, what, method, **kwargs):
        try:
            return getattr(self.client, method)(aws_retry=True, **kwargs)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg=f"Could not {what}")

    def paged(self, what, method, key, **kwargs):
        items, token = [], None
        while True:
            extra = {"NextToken": token} if token else {}
            answer = self.call(what, method, AccountId=self.account_id, **kwargs, **extra)
            items.extend(answer.get(key) or [])
            token = answer.get("NextToken")
            if not token:
                return items

    def describe(self, name):
        try:
            budget = self.client.describe_budget(aws_retry=True, AccountId=self.account_id, BudgetName=name)["Budget"]
        except is_boto3_error_code("NotFoundException"):
            return {}, []
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Could not describe budget {name}")
        notifications = []
        for notification in self.paged(
            f"list the notifications of budget {name}",
            "describe_notifications_for_budget",
            "Notifications",
            BudgetName=name,
        ):
            subscribers = self.paged(
                f"list the subscribers of a notification of budget {name}",
                "describe_subscribers_for_notification",
                "Subscribers",
                BudgetName=name,
                Notification=notification_identity(notification),
            )
            notifications.append((notification, subscribers))
        return budget, notifications

    def tags(self, arn):
        answer = self.call(f"list the tags of {arn}", "list_tags_for_resource", ResourceARN=arn)
        return boto3_tag_list_to_ansible_dict(answer.get("ResourceTags") or [])


def notification_identity(notification):
    """A notification as the API takes it back (without its state)."""
    return {
        "NotificationType": notification["NotificationType"],
        "ComparisonOperator": notification["ComparisonOperator"],
        "Threshold": float(notification["Threshold"]),
        "ThresholdType": notification.get("ThresholdType") or "PERCENTAGE",
    }


def view(module, account_id, budget, notifications, tags):
    """The budget as the module returns it (and as the diff shows it)."""
    if not budget:
        return {}
    limit = budget.get("BudgetLimit") or {}
    return {
        "budget_name": budget["BudgetName"],
        "budget_arn": budget_arn(module, account_id, budget["BudgetName"]),
        "budget_type": budget.get("BudgetType"),
        "time_unit": budget.get("TimeUnit"),
        "budget_limit": {"amount": str(limit.get("Amount", "")), "unit": limit.get("Unit", "")},
        "cost_filters": budget.get("CostFilters") or {},
        "cost_types": budget.get("CostTypes") or {},
        "notifications": sorted(
            (snake_notification(n, s) for n, s in notifications),
            key=lambda n: (n["notification_type"], n["comparison_operator"], n["threshold"], n["threshold_type"]),
        ),
        "tags": tags,
    }


def wanted_budget(module, current):
    params = module.params
    budget = {
        "BudgetName": params["name"],
        "BudgetType": params["budget_type"],
        "TimeUnit": params["time_unit"],
        "BudgetLimit": {"Amount": str(params["limit_amount"]), "Unit": params["limit_unit"]},
        "CostFilters": params["cost_filters"],
    }
    if params["cost_types"] is not None:
        budget["CostTypes"] = params["cost_types"]
    elif current.get("CostTypes"):
        budget["CostTypes"] = current["CostTypes"]
    return budget


def budget_differs(module, current):
    params = module.params
    limit = current.get("BudgetLimit") or {}
    if decimal(limit.get("Amount")) != decimal(params["limit_amount"]) or limit.get("Unit") != params["limit_unit"]:
        return True
    if current.get("BudgetType") != params["budget_type"] or current.get("TimeUnit") != params["time_unit"]:
        return True
    current_filters = {k: sorted(v) for k, v in (current.get("CostFilters") or {}).items()}
    if current_filters != {k: sorted(v) for k, v in params["cost_filters"].items()}:
        return True
    if params["cost_types"] is not None:
        current_types = current.get("CostTypes") or {}
        if any(current_types.get(k) != v for k, v in params["cost_types"].items()):
            return True
    return False


def plan_notifications(module, current_notifications):
    """(to create, to delete, subscribers to add, subscribers to remove) between what is and what should be."""
    wanted = {}
    for notification in module.params["notifications"]:
        camel = camel_notification(notification)
        subscribers = [
            {"SubscriptionType": s["subscription_type"], "Address": s["address"]} for s in notification["subscribers"]
        ]
        wanted[notification_key(camel)] = (camel, subscribers)
    current = {notification_key(n): (notification_identity(n), s) for n, s in current_notifications}
    to_create = [wanted[k] for k in sorted(set(wanted) - set(current))]
    to_delete = [current[k][0] for k in sorted(set(current) - set(wanted))]
    add, remove = [], []
    for key in sorted(set(wanted) & set(current)):
        identity, existing = current[key]
        have = {subscriber_key(s) for s in existing}
        want = {subscriber_key(s) for s in wanted[key][1]}
        add += [(identity, {"SubscriptionType": t, "Address": a}) for t, a in sorted(want - have)]
        remove += [(identity, {"SubscriptionType": t, "Address": a}) for t, a in sorted(have - want)]
    return to_create, to_delete, add, remove


def account_of(module):
    if module.params["account_id"]:
        return module.params["account_id"]
    try:
        return module.client("sts").get_caller_identity()["Account"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not read the caller identity")


def predicted(module, account_id, before):
    """What the budget will look like once converged (check mode)."""
    params = module.params
    notifications = [
        (
            camel_notification(n),
            [{"SubscriptionType": s["subscription_type"], "Address": s["address"]} for s in n["subscribers"]],
        )
        for n in params["notifications"]
    ]
    budget = wanted_budget(module, {})
    if params["cost_types"] is None and before:
        budget["CostTypes"] = before.get("cost_types", {})
    tags = dict(before.get("tags", {}))
    if params["tags"] is not None:
        to_set, to_remove = compare_aws_tags(tags, params["tags"], params["purge_tags"])
        tags = {k: v for k, v in tags.items() if k not in to_remove}
        tags.update(to_set)
    after = view(module, account_id, budget, notifications, tags)
    if before and decimal(before["budget_limit"]["amount"]) == decimal(params["limit_amount"]):
        after["budget_limit"]["amount"] = before["budget_limit"]["amount"]
    return after


def main():
    subscriber_spec = dict(
        subscription_type=dict(type="str", default="EMAIL", choices=["EMAIL", "SNS"]),
        address=dict(type="str", required=True),
    )
    notification_spec = dict(
        notification_type=dict(type="str", required=True, choices=["ACTUAL", "FORECASTED"]),
        comparison_operator=dict(type="str", default="GREATER_THAN", choices=["GREATER_THAN", "LESS_THAN", "EQUAL_TO"]),
        threshold=dict(type="float", required=True),
        threshold_type=dict(type="str", default="PERCENTAGE", choices=["PERCENTAGE", "ABSOLUTE_VALUE"]),
        subscribers=dict(type="list", elements="dict", required=True, options=subscriber_spec),
    )
    argument_spec = dict(
        name=dict(type="str", required=True, aliases=["budget_name"]),
        account_id=dict(type="str"),
        budget_type=dict(
            type="str",
            default="COST",
            choices=[
                "COST",
                "USAGE",
                "RI_UTILIZATION",
                "RI_COVERAGE",
                "SAVINGS_PLANS_UTILIZATION",
                "SAVINGS_PLANS_COVERAGE",
            ],
        ),
        time_unit=dict(type="str", default="MONTHLY", choices=["DAILY", "MONTHLY", "QUARTERLY", "ANNUALLY"]),
        limit_amount=dict(type="float"),
        limit_unit=dict(type="str", default="USD"),
        cost_filters=dict(type="dict", default={}),
        cost_types=dict(type="dict"),
        notifications=dict(type="list", elements="dict", default=[], options=notification_spec),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ["limit_amount"])],
    )
    validate(module)
    account_id = account_of(module)
    client = module.client("budgets", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    api = Budgets(module, client, account_id)
    name = module.params["name"]
    arn = budget_arn(module, account_id, name)

    current, current_notifications = api.describe(name)
    current_tags = api.tags(arn) if current else {}
    before = view(module, account_id, current, current_notifications, current_tags)

    if module.params["state"] == "absent":
        changed = bool(current)
        if changed and not module.check_mode:
            try:
                client.delete_budget(aws_retry=True, AccountId=account_id, BudgetName=name)
            except is_boto3_error_code("NotFoundException"):
                pass
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
                module.fail_json_aws(e, msg=f"Could not delete budget {name}")
        result = dict(changed=changed, budget={})
        if module._diff:
            result["diff"] = dict(before=before, after={})
        module.exit_json(**result)

    if not current:
        changed = True
        if not module.check_mode:
            request = dict(
                AccountId=account_id,
                Budget=wanted_budget(module, {}),
                NotificationsWithSubscribers=[
                    {"Notification": n, "Subscribers": s} for n, s in plan_notifications(module, [])[0]
                ],
            )
            if module.params["tags"]:
                request["ResourceTags"] = ansible_dict_to_boto3_tag_list(module.params["tags"])
            api.call(f"create budget {name}", "create_budget", **request)
    else:
        update = budget_differs(module, current)
        to_create, to_delete, add, remove = plan_notifications(module, current_notifications)
        tags_to_set, tags_to_remove = {}, []
        if module.params["tags"] is not None:
            tags_to_set, tags_to_remove = compare_aws_tags(
                current_tags, module.params["tags"], module.params["purge_tags"]
            )
        changed = bool(update or to_create or to_delete or add or remove or tags_to_set or tags_to_remove)
        if changed and not module.check_mode:
            common = dict(AccountId=account_id, BudgetName=name)
            if update:
                api.call(
                    f"update budget {name}",
                    "update_budget",
                    AccountId=account_id,
                    NewBudget=wanted_budget(module, current),
                )
            for notification in to_delete:
                api.call(f"delete a notification of {name}", "delete_notification", Notification=notification, **common)
            for notification, subscribers in to_create:
                api.call(
                    f"create a notification of {name}",
                    "create_notification",
                    Notification=notification,
                    Subscribers=subscribers,
                    **common,
                )
            for notification, subscriber in add:
                api.call(
                    f"subscribe {subscriber['Address']} to {name}",
                    "create_subscriber",
                    Notification=notification,
                    Subscriber=subscriber,
                    **common,
                )
            for notification, subscriber in remove:
                api.call(
                    f"unsubscribe {subscriber['Address']} from {name}",
                    "delete_subscriber",
                    Notification=notification,
                    Subscriber=subscriber,
                    **common,
                )
            if tags_to_remove:
                api.call(f"untag {name}", "untag_resource", ResourceARN=arn, ResourceTagKeys=tags_to_remove)
            if tags_to_set:
                api.call(
                    f"tag {name}",
                    "tag_resource",
                    ResourceARN=arn,
                    ResourceTags=ansible_dict_to_boto3_tag_list(tags_to_set),
                )

    if changed and not module.check_mode:
        current, current_notifications = api.describe(name)
        after = view(module, account_id, current, current_notifications, api.tags(arn))
    elif changed:
        after = predicted(module, account_id, before)
    else:
        after = before
    result = dict(changed=changed, budget=after)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
