"""Narrow patches that make moto 5.2.5 answer the way AWS does where the project depends on it.

Each patch is a small function whose docstring names the AWS behaviour it restores and moto's
root cause (file:line in moto 5.2.5); each has a unit test under ``tests/unit/emulator/``.
Patches import moto lazily, are idempotent, are applied together by :func:`apply_all`
and undone by :func:`restore_all`.
"""

from __future__ import annotations

from freelancer_emulator.patches import applicationautoscaling
from freelancer_emulator.patches import awslambda
from freelancer_emulator.patches import budgets
from freelancer_emulator.patches import cloudfront
from freelancer_emulator.patches import cloudwatch
from freelancer_emulator.patches import cognitoidp
from freelancer_emulator.patches import dynamodb
from freelancer_emulator.patches import ec2
from freelancer_emulator.patches import ecs
from freelancer_emulator.patches import elasticache
from freelancer_emulator.patches import elbv2
from freelancer_emulator.patches import kms
from freelancer_emulator.patches import logs
from freelancer_emulator.patches import logs_queries
from freelancer_emulator.patches import moto_api
from freelancer_emulator.patches import rds
from freelancer_emulator.patches import secretsmanager
from freelancer_emulator.patches import ses
from freelancer_emulator.patches import wafv2
from freelancer_emulator.patches._base import Patch
from freelancer_emulator.patches._base import restore_all

PATCHES: list[Patch] = [
    *ec2.PATCHES,
    *dynamodb.PATCHES,
    *ecs.PATCHES,
    *applicationautoscaling.PATCHES,
    *elbv2.PATCHES,
    *wafv2.PATCHES,
    *awslambda.PATCHES,
    *moto_api.PATCHES,
    *elasticache.PATCHES,
    *rds.PATCHES,
    *cloudfront.PATCHES,
    *kms.PATCHES,
    *cognitoidp.PATCHES,
    *ses.PATCHES,
    *logs.PATCHES,
    *logs_queries.PATCHES,
    *cloudwatch.PATCHES,
    *budgets.PATCHES,
    *secretsmanager.PATCHES,
]


__all__ = ["PATCHES", "apply_all", "restore_all"]


def apply_all() -> list[str]:
    """Apply every patch (once) and return their names."""
    names = []
    for patch in PATCHES:
        patch()
        names.append(f"{patch.__module__.rsplit('.', 1)[-1]}.{patch.__name__}")
    return names
