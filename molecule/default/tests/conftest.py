"""Fixtures for the scenario's verify step: boto3 against the emulator, the
environment's inventory values and the outputs file of the converge."""

from __future__ import annotations

import json
import pathlib
import sys

import pytest
import yaml

SCENARIO = pathlib.Path(__file__).resolve().parents[1]
PROJECT = SCENARIO.parents[1]
sys.path.insert(0, str(SCENARIO))

import inventory_of_resources


@pytest.fixture(scope="session")
def inventory_vars() -> dict:
    """The local inventory's environment values (the ones that are plain data)."""
    path = PROJECT / "inventories" / "local" / "group_vars" / "platform" / "main.yml"
    return yaml.safe_load(path.read_text())


@pytest.fixture(scope="session")
def platform_env(inventory_vars) -> str:
    return inventory_vars["platform_env"]


@pytest.fixture(scope="session")
def prefix(platform_env) -> str:
    return f"{platform_env}-freelancer-platform"


@pytest.fixture(scope="session")
def outputs(platform_env) -> dict:
    return json.loads((PROJECT / "outputs" / f"{platform_env}.json").read_text())


@pytest.fixture(scope="session")
def aws():
    """``aws("ec2")`` -> a boto3 client on the emulator the scenario converged."""
    return inventory_of_resources.client


@pytest.fixture(scope="session")
def expected_tags(platform_env, inventory_vars) -> dict:
    tags = dict(inventory_vars.get("platform_extra_tags", {}))
    tags.update(Environment=platform_env, Project="freelancer-platform", ManagedBy="Ansible", CostCenter="engineering")
    return tags


def tag_dict(tags) -> dict:
    return {t["Key"]: t["Value"] for t in tags or []}
