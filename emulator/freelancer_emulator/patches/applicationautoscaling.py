"""Application Auto Scaling patches.

Why the platform needs ``scalable_target_tags`` (role ``ecs_service``): every taggable resource
carries the platform's tags (SPEC section 2), and a scalable target is taggable. The module
``freelancer.platform.scalable_target`` reads a target's tags with ListTagsForResource and
converges them with TagResource / UntagResource, none of which moto 5.2.5 implements.
"""

from __future__ import annotations

import json
from typing import Any

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import set_attr
from freelancer_emulator.patches._base import wrap


def _targets(backend: Any) -> list[Any]:
    return [target for by_resource in backend.targets.values() for target in by_resource.values()]


def _target_by_arn(backend: Any, arn: str) -> Any:
    from moto.core.exceptions import JsonRESTError

    for target in _targets(backend):
        if target.arn == arn:
            return target
    raise JsonRESTError("ResourceNotFoundException", f"No scalable target found for ARN {arn}")


@once
def scalable_target_tags() -> None:
    """Scalable targets have tags: RegisterScalableTarget ``Tags``, TagResource, UntagResource, ListTagsForResource.

    AWS: RegisterScalableTarget accepts ``Tags`` (a map) when it creates a target; TagResource
    (``ResourceARN``, ``Tags`` map) adds or overwrites tags, UntagResource (``ResourceARN``,
    ``TagKeys``) removes them, ListTagsForResource answers ``{"Tags": {...}}``; an unknown ARN is
    ``ResourceNotFoundException``. Tags go with the target when it is deregistered.
    moto 5.2.5: ``ApplicationAutoScalingResponse`` has no ``tag_resource``, ``untag_resource`` or
    ``list_tags_for_resource`` (moto/applicationautoscaling/responses.py), so each call is HTTP 500,
    and ``register_scalable_target`` never reads ``Tags`` (moto/applicationautoscaling/responses.py:46).
    Fix: keep a tag map on each ``FakeScalableTarget``, fill it from ``Tags`` when a target is created,
    and answer the three tagging actions from it.
    """
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse

    def make_register(original: Any) -> Any:
        def register_scalable_target(self: ApplicationAutoScalingResponse) -> str:
            backend = self.applicationautoscaling_backend
            existed = backend._scalable_target_exists(
                self._get_param("ResourceId"), self._get_param("ScalableDimension")
            )
            answer = original(self)
            target = _target_by_arn(backend, json.loads(answer)["ScalableTargetARN"])
            if not hasattr(target, "tags"):
                target.tags = {}
            if not existed:
                target.tags.update(self._get_param("Tags") or {})
            return answer

        return register_scalable_target

    def tag_resource(self: ApplicationAutoScalingResponse) -> str:
        target = _target_by_arn(self.applicationautoscaling_backend, self._get_param("ResourceARN"))
        target.tags = {**getattr(target, "tags", {}), **(self._get_param("Tags") or {})}
        return json.dumps({})

    def untag_resource(self: ApplicationAutoScalingResponse) -> str:
        target = _target_by_arn(self.applicationautoscaling_backend, self._get_param("ResourceARN"))
        keys = set(self._get_param("TagKeys") or [])
        target.tags = {k: v for k, v in getattr(target, "tags", {}).items() if k not in keys}
        return json.dumps({})

    def list_tags_for_resource(self: ApplicationAutoScalingResponse) -> str:
        target = _target_by_arn(self.applicationautoscaling_backend, self._get_param("ResourceARN"))
        return json.dumps({"Tags": dict(getattr(target, "tags", {}))})

    wrap(ApplicationAutoScalingResponse, "register_scalable_target", make_register)
    set_attr(ApplicationAutoScalingResponse, "tag_resource", tag_resource)
    set_attr(ApplicationAutoScalingResponse, "untag_resource", untag_resource)
    set_attr(ApplicationAutoScalingResponse, "list_tags_for_resource", list_tags_for_resource)


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


PATCHES = [describe_scaling_policies_filters, scalable_target_tags]
