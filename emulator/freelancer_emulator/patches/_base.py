"""Helpers shared by the patch modules: apply-once, recorded changes, and method wrapping.

Every change a patch makes goes through :func:`set_attr`, :func:`set_item` or :func:`wrap`,
which record how to undo it, so :func:`restore_all` can give moto back its original
behaviour (the unit tests apply and restore the patches around each test).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from collections.abc import MutableMapping
from typing import Any

Patch = Callable[[], None]
Undo = list[Callable[[], None]]

_MISSING = object()
_applied: set[str] = set()
_undo: Undo = []


def once(func: Patch) -> Patch:
    """Make a patch idempotent: a second call does nothing (until :func:`restore_all`)."""

    @functools.wraps(func)
    def apply() -> None:
        key = f"{func.__module__}.{func.__qualname__}"
        if key in _applied:
            return
        func()
        _applied.add(key)

    return apply


def set_attr(obj: Any, name: str, value: Any, undo: Undo | None = None) -> None:
    """``setattr`` that records how to put back the object's own previous attribute (or its absence)."""
    previous = vars(obj).get(name, _MISSING)
    setattr(obj, name, value)

    def restore() -> None:
        if previous is _MISSING:
            delattr(obj, name)
        else:
            setattr(obj, name, previous)

    (_undo if undo is None else undo).append(restore)


def set_item(mapping: MutableMapping[Any, Any], key: Any, value: Any, undo: Undo | None = None) -> None:
    """``mapping[key] = value`` that records how to put back the previous value (or its absence)."""
    previous = mapping.get(key, _MISSING)
    mapping[key] = value

    def restore() -> None:
        if previous is _MISSING:
            mapping.pop(key, None)
        else:
            mapping[key] = previous

    (_undo if undo is None else undo).append(restore)


def wrap(cls: type, name: str, make: Callable[[Any], Any], undo: Undo | None = None) -> None:
    """Replace ``cls.name`` by ``make(original)``; the result keeps the original's name and docstring."""
    original = getattr(cls, name)
    replacement = make(original)
    if callable(replacement) and not isinstance(replacement, property):
        functools.update_wrapper(replacement, original)
    set_attr(cls, name, replacement, undo)


def undo_all(undo: Undo) -> None:
    while undo:
        undo.pop()()


def restore_all() -> None:
    """Undo every patch, newest first."""
    undo_all(_undo)
    _applied.clear()
