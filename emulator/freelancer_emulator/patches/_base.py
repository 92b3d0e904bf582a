"""Helpers shared by the patch modules: apply-once and method wrapping."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

Patch = Callable[[], None]

_applied: set[str] = set()


def once(func: Patch) -> Patch:
    """Make a patch idempotent: a second call does nothing."""

    @functools.wraps(func)
    def apply() -> None:
        key = f"{func.__module__}.{func.__qualname__}"
        if key in _applied:
            return
        func()
        _applied.add(key)

    return apply


def wrap(cls: type, name: str, make: Callable[[Any], Any]) -> None:
    """Replace ``cls.name`` by ``make(original)``; the result keeps the original's name and docstring."""
    original = getattr(cls, name)
    replacement = make(original)
    if callable(replacement) and not isinstance(replacement, property):
        functools.update_wrapper(replacement, original)
    setattr(cls, name, replacement)
