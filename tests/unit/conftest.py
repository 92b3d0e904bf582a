"""Shared fixtures of the unit tests: the collection loader for
``ansible_collections.freelancer.platform``, a runner for our modules, and
moto in-process for the AWS API."""

from __future__ import annotations

import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

# The same loader ansible uses, so that our plugins import by their FQCN.
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

_finder = _AnsibleCollectionFinder(paths=[str(ROOT / "collections")], scan_sys_paths=True)
_finder._install()


class ModuleExit(Exception):
    """What a module returned, raised by exit_json/fail_json."""

    def __init__(self, result, failed):
        super().__init__(result.get("msg", ""))
        self.result = result
        self.failed = failed


def _use_dummy_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-2",
        "AWS_REGION": "us-east-2",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def aws_env(monkeypatch):
    """Dummy credentials and region for moto in-process, and no endpoint override."""
    _use_dummy_aws_env(monkeypatch)


@pytest.fixture(scope="module")
def module_aws_env():
    """``aws_env`` for a whole test module (module-scoped moto fixtures): yields the
    ``MonkeyPatch``, which undoes after the module what was set with it."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        _use_dummy_aws_env(monkeypatch)
        yield monkeypatch


@pytest.fixture
def mocked_aws(aws_env):
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture
def run_module(monkeypatch):
    """``run_module(module, args, check_mode=False, diff=False)`` -> (result, failed)."""
    from ansible.module_utils import basic
    from ansible.module_utils.testing import patch_module_args

    def exit_json(self, **kwargs):
        raise ModuleExit(kwargs, failed=False)

    def fail_json(self, **kwargs):
        raise ModuleExit(kwargs, failed=True)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)

    def run(module, args, check_mode=False, diff=False):
        full = dict(args)
        full["_ansible_check_mode"] = check_mode
        full["_ansible_diff"] = diff
        with patch_module_args(full):
            try:
                module.main()
            except ModuleExit as done:
                return done.result, done.failed
        raise AssertionError("the module returned without exit_json or fail_json")

    return run


os.environ.setdefault("ANSIBLE_CONFIG", str(ROOT / "ansible.cfg"))
