"""Proposed Application Auto Scaling patch for the emulator (not applied yet).

Written in the shape of ``emulator/freelancer_emulator/patches/applicationautoscaling.py``:
the patch is a function whose docstring names the AWS behaviour, moto 5.2.5's root cause
(file:line) and the fix; ``test_applicationautoscaling.py`` beside this file states the AWS
behaviour and fails without it. To adopt it, move the function into the emulator's module,
append it to its ``PATCHES``, move the test to
``tests/unit/emulator/test_emulator_patch_applicationautoscaling.py`` (with ``patched``) and
list it in ``test_emulator_patch_registry.py`` and ``docs/emulator.md``.

Why the platform needs it (role ``ecs_service``): every taggable resource carries the
platform's tags (SPEC section 2), and a scalable target is taggable. The module
``freelancer.platform.scalable_target`` reads a target's tags with ListTagsForResource and
converges them with TagResource / UntagResource; on the emulator each of these answers
HTTP 500, so ``inventories/local`` sets ``ecs_service_scaling_target_tags: null`` until this
patch is applied (then that line is removed).
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


PATCHES = [scalable_target_tags]
