"""Naming, tagging and addressing filters shared by every role.

One place decides how a resource is named (``<env>-freelancer-platform-<resource>``),
how it is tagged, and how subnet CIDRs are derived from the VPC CIDR, so that
every role and every environment agree.
"""

from __future__ import annotations

import ipaddress
import re

from ansible.errors import AnsibleFilterError

PROJECT = "freelancer-platform"
ENV_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,15}$")
RESOURCE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
TIERS = ("public", "app", "data")
MAX_AZS = 4


def valid_platform_env(value):
    """Return True when ``value`` is a usable environment name."""
    return isinstance(value, str) and bool(ENV_PATTERN.match(value)) and not value.endswith("-")


def _check_env(platform_env):
    if not valid_platform_env(platform_env):
        raise AnsibleFilterError(
            f"platform_env {platform_env!r} is invalid: use lowercase letters, digits and hyphens, "
            "start with a letter, at most 16 characters"
        )


def resource_name(resource, platform_env):
    """``'vpc' | resource_name('dev')`` -> ``dev-freelancer-platform-vpc``."""
    _check_env(platform_env)
    if not isinstance(resource, str) or not RESOURCE_PATTERN.match(resource):
        raise AnsibleFilterError(f"resource name part {resource!r} must be lowercase letters, digits and hyphens")
    return f"{platform_env}-{PROJECT}-{resource}"


def resource_tags(platform_env, extra_tags=None, cost_center="engineering", **more):
    """The tags every taggable resource carries, plus extra inventory tags.

    Mandatory tags win over extra tags of the same key, so an inventory cannot
    mislabel a resource's environment or owner.
    """
    _check_env(platform_env)
    extra_tags = extra_tags or {}
    if not isinstance(extra_tags, dict):
        raise AnsibleFilterError("platform_extra_tags must be a mapping of tag names to values")
    tags = {str(k): str(v) for k, v in extra_tags.items()}
    tags.update({str(k): str(v) for k, v in more.items()})
    tags.update(
        {
            "Environment": platform_env,
            "Project": PROJECT,
            "ManagedBy": "Ansible",
            "CostCenter": str(cost_center),
        }
    )
    return tags


def valid_vpc_cidr(value):
    """True for an IPv4 network with a prefix AWS accepts for a VPC here (/16 to /24)."""
    try:
        net = ipaddress.IPv4Network(str(value), strict=True)
    except (ValueError, TypeError):
        return False
    return 16 <= net.prefixlen <= 24 and "/" in str(value)


def tier_subnets(vpc_cidr, azs, tiers=TIERS):
    """Derive one subnet per tier per AZ from the VPC CIDR.

    The VPC is split in four equal tier blocks (public, app, data, one spare),
    and each tier block in four AZ slots, so a /16 gives /20 subnets and any AZ
    count up to four keeps its addresses when AZs are added later.
    Returns a list of ``{tier, az, az_index, cidr}`` in tier then AZ order.
    """
    if not valid_vpc_cidr(vpc_cidr):
        raise AnsibleFilterError(
            f"vpc_cidr {vpc_cidr!r} is invalid: give an IPv4 network address with a prefix from /16 to /24, "
            "for example 10.36.0.0/16"
        )
    if isinstance(azs, str) or not isinstance(azs, (list, tuple)) or not azs:
        raise AnsibleFilterError("the availability zone list must be a non-empty list")
    if len(azs) > MAX_AZS:
        raise AnsibleFilterError(f"at most {MAX_AZS} availability zones are supported, got {len(azs)}")
    if len(set(azs)) != len(azs):
        raise AnsibleFilterError(f"availability zones must be distinct, got {list(azs)}")
    unknown = [t for t in tiers if t not in TIERS]
    if unknown:
        raise AnsibleFilterError(f"unknown subnet tiers {unknown}; known tiers are {list(TIERS)}")
    vpc = ipaddress.IPv4Network(vpc_cidr)
    tier_blocks = list(vpc.subnets(prefixlen_diff=2))
    result = []
    for tier in tiers:
        az_blocks = list(tier_blocks[TIERS.index(tier)].subnets(prefixlen_diff=2))
        for index, az in enumerate(azs):
            result.append({"tier": tier, "az": az, "az_index": index, "cidr": str(az_blocks[index])})
    return result


def subnet_ids_of_tier(tier, subnets):
    """Ids of the subnets tagged ``Tier=<tier>``, in availability zone order."""
    chosen = [s for s in subnets if (s.get("tags") or {}).get("Tier") == tier]
    return [s["id"] for s in sorted(chosen, key=lambda s: s.get("availability_zone", ""))]


def security_group_id_of(role, groups, name_prefix):
    """Id of the group named ``<prefix>-<role>-sg`` among ``groups``, or an empty string."""
    wanted = f"{name_prefix}-{role}-sg"
    for group in groups:
        if group.get("group_name") == wanted:
            return group["group_id"]
    return ""


def has_main_association(associations):
    """True when a route table's associations make it the VPC's main table."""
    return any(a.get("main") for a in associations or [])


class FilterModule:
    """Filters of freelancer.platform."""

    def filters(self):
        return {
            "resource_name": resource_name,
            "resource_tags": resource_tags,
            "tier_subnets": tier_subnets,
            "valid_platform_env": valid_platform_env,
            "valid_vpc_cidr": valid_vpc_cidr,
            "subnet_ids_of_tier": subnet_ids_of_tier,
            "security_group_id_of": security_group_id_of,
        }
