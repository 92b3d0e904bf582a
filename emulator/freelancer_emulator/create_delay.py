"""Slow resources on purpose: new RDS clusters/instances, ElastiCache replication groups and
CloudFront distributions stay in their "being created" state for a while, as on AWS.

moto makes these resources ready at once, which hides whether a playbook starts slow resources
early and waits for them late.  With a delay of N seconds (``--create-delay N`` or
``FREELANCER_EMULATOR_CREATE_DELAY=N``):

* RDS DB clusters and DB instances report ``creating`` until N seconds after creation, then
  ``available`` (operations that need ``available``, such as ModifyDBCluster, are refused until then,
  as on AWS);
* ElastiCache replication groups report ``creating``, then ``available``;
* CloudFront distributions report ``InProgress``, then ``Deployed`` (moto's own state manager,
  ``cloudfront::distribution`` with a time progression).

A delay of 0 (the default) leaves moto's behaviour unchanged.  The delay is read when a resource
is created, so :func:`configure` can change it while the emulator runs.
"""

from __future__ import annotations

import time
from typing import Any

from freelancer_emulator.patches._base import Undo
from freelancer_emulator.patches._base import set_attr
from freelancer_emulator.patches._base import undo_all
from freelancer_emulator.patches._base import wrap

_state: dict[str, Any] = {"delay": 0.0, "installed": False}
_undo: Undo = []

READY_AT = "_emulator_ready_at"


def delay() -> float:
    return float(_state["delay"])


def configure(seconds: float) -> None:
    """Set the delay (seconds) for resources created from now on."""
    seconds = max(0.0, float(seconds))
    _state["delay"] = seconds
    if seconds > 0:
        _install()
    _configure_cloudfront(seconds)


def _configure_cloudfront(seconds: float) -> None:
    from moto.moto_api import state_manager

    if seconds > 0:
        state_manager.set_transition("cloudfront::distribution", {"progression": "time", "seconds": seconds})
    else:
        state_manager.unset_transition("cloudfront::distribution")


def _pending(obj: Any) -> bool:
    ready_at = obj.__dict__.get(READY_AT)
    return ready_at is not None and time.monotonic() < ready_at


def _stamp(cls: type) -> None:
    def make(original: Any) -> Any:
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            if _state["delay"] > 0:
                self.__dict__[READY_AT] = time.monotonic() + _state["delay"]

        return __init__

    wrap(cls, "__init__", make, _undo)


def _delayed_status_property(cls: type, storage: str, pending: str, ready: str) -> None:
    """Give ``cls`` a ``status`` property that reports ``pending`` instead of ``ready`` while delayed.

    ``storage`` is where the real status lives: an existing property (``DBCluster.status``) keeps its
    getter and setter; a plain attribute (``status`` set in ``__init__``) moves to ``__dict__[storage]``.
    """
    existing = cls.__dict__.get("status")
    if isinstance(existing, property):
        getter, setter = existing.fget, existing.fset
    else:

        def getter(self: Any) -> Any:
            # Objects created before the property existed keep their status in __dict__["status"].
            return self.__dict__.get(storage, self.__dict__.get("status"))

        def setter(self: Any, value: Any) -> None:
            self.__dict__[storage] = value

    def get_status(self: Any) -> Any:
        value = getter(self)
        if value == ready and _pending(self):
            return pending
        return value

    set_attr(cls, "status", property(get_status, setter), _undo)


def _install() -> None:
    if _state["installed"]:
        return
    from moto.elasticache.models import ReplicationGroup
    from moto.rds.models import DBCluster
    from moto.rds.models import DBInstance

    for cls in (DBCluster, DBInstance, ReplicationGroup):
        _stamp(cls)
    _delayed_status_property(DBCluster, "_status", "creating", "available")
    _delayed_status_property(DBInstance, "_emulator_status", "creating", "available")
    _delayed_status_property(ReplicationGroup, "_emulator_status", "creating", "available")
    _state["installed"] = True


def uninstall() -> None:
    """Set the delay to 0 and give the classes back their own status handling."""
    configure(0)
    undo_all(_undo)
    _state["installed"] = False
