"""Fixtures for the emulator's tests.

* ``patched``: the patches applied in this process for one test that uses moto's ``mock_aws``;
* ``emulator``: one real emulator for the session (``python -m freelancer_emulator start``
  on a free port, own state directory), stopped at the end;
* ``launch``: start more emulators from a test (each stopped afterwards).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from emulator_helpers import DUMMY_AWS_ENV
from emulator_helpers import Emulator
from emulator_helpers import free_port


@pytest.fixture(autouse=True)
def _dummy_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never reach real AWS or the developer's credentials from these tests."""
    for key, value in DUMMY_AWS_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@pytest.fixture
def patched() -> Iterator[list[str]]:
    """The patches, applied in this process for one test and undone after it (moto is shared with other tests)."""
    from freelancer_emulator import patches

    yield patches.apply_all()
    patches.restore_all()


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Callable[..., Emulator]]:
    """Start an emulator (``launch(*extra_start_args)``); every one started is stopped after the test."""
    started: list[Emulator] = []

    def _launch(*extra: str, state_dir: Path | None = None) -> Emulator:
        emulator = Emulator(free_port(), state_dir or tmp_path / "state")
        result = emulator.cli("start", *extra)
        assert result.returncode == 0, result.stdout + result.stderr
        started.append(emulator)
        return emulator

    yield _launch
    for emulator in started:
        emulator.cli("stop")


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    instance = Emulator(free_port(), tmp_path_factory.mktemp("emulator-state"))
    result = instance.cli("start")
    assert result.returncode == 0, result.stdout + result.stderr
    try:
        yield instance
    finally:
        stopped = instance.cli("stop")
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
