"""The emulator's SES patch, applied in process for the module tests that plain moto cannot serve.

moto 5.2.5 has no UpdateConfigurationSetEventDestination, DeleteConfigurationSetEventDestination,
UpdateConfigurationSetSendingEnabled or SetIdentityDkimEnabled, and never reports ReputationOptions.
The patch that adds them is ``freelancer_emulator.patches.ses`` once merged into the emulator, and
until then the proposal ``docs/proposed-patches/ses.py``.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import pathlib
from collections.abc import Iterator

PROPOSAL = pathlib.Path(__file__).resolve().parents[4] / "docs" / "proposed-patches" / "ses.py"


def _patch_module():
    try:
        return importlib.import_module("freelancer_emulator.patches.ses")
    except ImportError:
        spec = importlib.util.spec_from_file_location("proposed_ses_patch", PROPOSAL)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


@contextlib.contextmanager
def applied() -> Iterator[None]:
    from freelancer_emulator.patches import _base

    for patch in _patch_module().PATCHES:
        patch()
    try:
        yield
    finally:
        _base.restore_all()
