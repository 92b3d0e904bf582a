"""Application Auto Scaling patches."""

from __future__ import annotations

import json
from typing import Any

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import wrap


@once
def describe_scaling_policies_filters() -> None:
    """DescribeScalingPolicies honours ``PolicyNames`` and matches ``ResourceId`` exactly.

    AWS: ``PolicyNames`` limits the answer to the named policies; ``ResourceId`` and
    ``ScalableDimension`` are exact filters.
    moto 5.2.5: the response never reads ``PolicyNames`` (moto/applicationautoscaling/responses.py:86-101),
    and the backend compares with ``in`` against the filter string, a substring test
    (moto/applicationautoscaling/models.py:216-225), so ``service/c/api`` also matches ``service/c/api-2``.
    amazon.aws application_autoscaling_policy looks its policy up by name and, given every policy of the
    resource, sees a change on every run as soon as a resource has two policies.
    Fix: filter by names and by exact resource id / dimension before paginating.
    """
    from moto.applicationautoscaling.models import ApplicationAutoscalingBackend
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
    from moto.applicationautoscaling.responses import _build_policy

    def describe_scaling_policies(
        self: ApplicationAutoscalingBackend,
        service_namespace: str,
        resource_id: str | None,
        scalable_dimension: str | None,
        max_results: int | None,
        next_token: str | None,
        policy_names: list[str] | None = None,
    ) -> tuple[str | None, list[Any]]:
        max_results = max_results or 100
        policies = [
            policy
            for policy in self.policies.values()
            if policy.service_namespace == service_namespace
            and (not resource_id or policy.resource_id == resource_id)
            and (not scalable_dimension or policy.scalable_dimension == scalable_dimension)
            and (not policy_names or policy.policy_name in policy_names)
        ]
        start = int(next_token) if next_token else 0
        end = start + max_results
        return (str(end) if end < len(policies) else None), policies[start:end]

    def make_response(original: Any) -> Any:
        def describe(self: ApplicationAutoScalingResponse) -> str:
            next_token, page = self.applicationautoscaling_backend.describe_scaling_policies(
                service_namespace=self._get_param("ServiceNamespace"),
                resource_id=self._get_param("ResourceId"),
                scalable_dimension=self._get_param("ScalableDimension"),
                max_results=self._get_int_param("MaxResults"),
                next_token=self._get_param("NextToken"),
                policy_names=self._get_param("PolicyNames"),
            )
            return json.dumps({"ScalingPolicies": [_build_policy(p) for p in page], "NextToken": next_token})

        return describe

    wrap(ApplicationAutoscalingBackend, "describe_scaling_policies", lambda original: describe_scaling_policies)
    wrap(ApplicationAutoScalingResponse, "describe_scaling_policies", make_response)


PATCHES = [describe_scaling_policies_filters]
