"""Patches of moto's own API (``/moto-api/``)."""

from __future__ import annotations

import json
from typing import Any

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import set_attr
from freelancer_emulator.patches._base import set_item

_UNREADABLE = object()


def _read(instance: Any, attr: str) -> Any:
    try:
        return getattr(instance, attr)
    except Exception:  # a property that fails to read is skipped
        return _UNREADABLE


def _serialisable(value: Any) -> bool:
    try:
        json.dumps(value)
    except Exception:
        return False
    return True


@once
def model_data_skips_unserialisable() -> None:
    """``GET /moto-api/data.json`` answers once a Lambda function or an RDS cluster exists.

    AWS: no AWS API is involved; this is moto's own model dump, where tests read the SES mail the platform sent
    (``data["ses"]["Message"]``).
    moto 5.2.5: ``MotoAPIResponse.model_data`` (moto/moto_api/_internal/responses.py:52-77) reads every
    public attribute of every model and only catches TypeError / AttributeError / ValueError around
    ``json.dumps(getattr(...))``; reading ``LambdaFunction.docker_client`` raises DockerException without a
    Docker engine (moto/utilities/docker_utilities.py:26) and ``DBCluster.master_user_password`` raises
    NotImplementedError (moto/rds/models.py:736), so the whole page answers HTTP 500.
    Fix: read each attribute inside one guard that skips whatever cannot be read or serialised. The url map
    (moto/moto_api/_internal/urls.py:12) holds a bound method, so it is re-pointed too.
    """
    from moto.moto_api._internal import urls
    from moto.moto_api._internal.responses import MotoAPIResponse

    def model_data(self: MotoAPIResponse, request: Any, full_url: str, headers: Any) -> Any:
        from moto.core.model_instances import model_data as tracked

        results: dict[str, dict[str, list[Any]]] = {}
        for service in sorted(tracked):
            results[service] = {}
            for name in sorted(tracked[service]):
                instances = []
                for instance in list(tracked[service][name].instances_tracked):  # type: ignore[attr-defined]
                    entry = {}
                    for attr in dir(instance):
                        if attr.startswith("_") or attr == "docker_client":
                            continue
                        value = _read(instance, attr)
                        if value is not _UNREADABLE and not callable(value) and _serialisable(value):
                            entry[attr] = value
                    instances.append(entry)
                results[service][name] = instances
        return 200, {"Content-Type": "application/javascript"}, json.dumps(results)

    set_attr(MotoAPIResponse, "model_data", model_data)
    set_item(urls.url_paths, "{0}/moto-api/data.json", urls.response_instance.model_data)


PATCHES = [model_data_skips_unserialisable]
