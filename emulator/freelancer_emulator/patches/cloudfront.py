"""CloudFront patches.

``s3_origin_config_returned``: ``freelancer.platform.cloudfront_distribution`` also reads an origin
that has neither ``S3OriginConfig`` nor ``CustomOriginConfig`` as an S3 origin without an origin
access identity (what plain moto answers); with the patch the emulator answers as AWS does and
an origin access identity (``portfolio_cdn_origin_access=oai``, on an emulator that has the OAI
API) is kept.
"""

from __future__ import annotations

from typing import Any

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import wrap


def _as_sent(behaviour: Any, config: dict[str, Any]) -> None:
    """Make a moto cache behaviour report what was sent, the way GetDistributionConfig does on AWS."""
    for key, attr in (
        ("CachePolicyId", "cache_policy_id"),
        ("OriginRequestPolicyId", "origin_request_policy_id"),
        ("ResponseHeadersPolicyId", "response_headers_policy_id"),
    ):
        if not config.get(key):
            setattr(behaviour, attr, None)
    for signers in (behaviour.trusted_signers, behaviour.trusted_key_groups):
        if not signers.items:
            signers.items = None
    if config.get("CachePolicyId"):
        # A behaviour with a cache policy has no legacy cache settings unless they were sent.
        if "ForwardedValues" not in config:
            behaviour.forwarded_values = None
        for key, attr in (("MinTTL", "min_ttl"), ("DefaultTTL", "default_ttl"), ("MaxTTL", "max_ttl")):
            if key not in config:
                setattr(behaviour, attr, None)


@once
def distribution_config_as_sent() -> None:
    """GetDistribution / GetDistributionConfig return the origins and cache behaviours as they were sent.

    AWS: an origin keeps its ``OriginAccessControlId`` (``""`` when none); ``CachePolicyId``,
    ``OriginRequestPolicyId`` and ``ResponseHeadersPolicyId`` appear only when set; a ``TrustedSigners`` /
    ``TrustedKeyGroups`` list with ``Quantity: 0`` has no ``Items``; a behaviour that uses a cache policy has
    no ``ForwardedValues`` or TTLs unless they were sent.
    moto 5.2.5: ``Origin`` drops ``OriginAccessControlId`` (moto/cloudfront/models.py:164-191);
    ``DefaultCacheBehaviour`` / ``CacheBehaviour`` answer ``CachePolicyId: ""``, ``Items: []`` and default
    ``ForwardedValues`` / TTLs (moto/cloudfront/models.py:95-127). community.aws cloudfront_distribution
    compares the two and updates the distribution on every run.
    Fix: keep ``OriginAccessControlId`` and leave unsent keys out.
    """
    from moto.cloudfront.models import CacheBehaviour
    from moto.cloudfront.models import DefaultCacheBehaviour
    from moto.cloudfront.models import Origin

    def make_origin(original: Any) -> Any:
        def __init__(self: Origin, origin: dict[str, Any]) -> None:
            original(self, origin)
            self.origin_access_control_id = origin.get("OriginAccessControlId") or ""

        return __init__

    def make_behaviour(original: Any) -> Any:
        def __init__(self: Any, config: dict[str, Any]) -> None:
            original(self, config)
            _as_sent(self, config)

        return __init__

    wrap(Origin, "__init__", make_origin)
    wrap(DefaultCacheBehaviour, "__init__", make_behaviour)
    wrap(CacheBehaviour, "__init__", make_behaviour)


@once
def s3_origin_config_returned() -> None:
    """GetDistribution / GetDistributionConfig return an S3 origin's ``S3OriginConfig``.

    AWS: an S3 origin is answered with ``S3OriginConfig: {OriginAccessIdentity: <"origin-access-identity/
    cloudfront/ID" or "">}``, as sent.
    moto 5.2.5: ``Origin`` stores the identity as ``s3_access_identity`` (moto/cloudfront/models.py:181), an
    attribute the response serializer does not map to ``S3OriginConfig``, so the answer has neither
    ``S3OriginConfig`` nor ``CustomOriginConfig``, and an origin access identity is lost.
    Fix: keep ``s3_origin_config`` on the origin, which the serializer returns as ``S3OriginConfig``.
    """
    from moto.cloudfront.models import Origin

    def make(original: Any) -> Any:
        def __init__(self: Origin, origin: dict[str, Any]) -> None:
            original(self, origin)
            if "S3OriginConfig" in origin:
                identity = (origin["S3OriginConfig"] or {}).get("OriginAccessIdentity") or ""
                self.s3_origin_config = {"OriginAccessIdentity": identity}

        return __init__

    wrap(Origin, "__init__", make)


PATCHES = [distribution_config_as_sent, s3_origin_config_returned]
