"""ECS patches."""

from __future__ import annotations

import copy
from typing import Any

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import wrap

# What AWS reports for a REPLICA service created without a deploymentConfiguration.
DEFAULT_DEPLOYMENT_CONFIGURATION: dict[str, Any] = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}


@once
def cluster_capacity_providers_always_listed() -> None:
    """A cluster always carries ``capacityProviders`` and ``defaultCapacityProviderStrategy`` lists.

    AWS: CreateCluster / DescribeClusters return both keys, as empty lists when none are set.
    moto 5.2.5: ``Cluster.__init__`` keeps ``None`` (moto/ecs/models.py:64-65) and the serializer drops
    the keys; amazon.aws ecs_cluster then fails on its second run with ``KeyError: 'capacityProviders'``.
    Fix: start both as empty lists.
    """
    from moto.ecs.models import Cluster

    def make(original: Any) -> Any:
        def __init__(self: Cluster, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            if self.capacity_providers is None:
                self.capacity_providers = []
            if self.default_capacity_provider_strategy is None:
                self.default_capacity_provider_strategy = []

        return __init__

    wrap(Cluster, "__init__", make)


@once
def create_service_keeps_settings() -> None:
    """CreateService keeps ``healthCheckGracePeriodSeconds``, ``enableExecuteCommand`` and ``deploymentConfiguration``.

    AWS: the created service reports what was sent; ``enableExecuteCommand`` defaults to false and
    ``deploymentConfiguration`` to 200 % / 100 % with the circuit breaker off (sent keys win).
    moto 5.2.5: ``create_service`` (moto/ecs/responses.py:288-319) never reads these three parameters and
    ``Service.__init__`` (moto/ecs/models.py:473) has no place for them, while UpdateService sets them (it
    copies every parameter onto the model, moto/ecs/models.py:1721-1723). amazon.aws ecs_service therefore
    reports a change on the second run only.
    Fix: after CreateService, set the three attributes the way UpdateService would.
    """
    from moto.ecs.responses import EC2ContainerServiceResponse

    def make(original: Any) -> Any:
        def create_service(self: EC2ContainerServiceResponse) -> Any:
            result = original(self)
            service = result.result["service"]
            grace = self._get_param("healthCheckGracePeriodSeconds")
            if grace is not None:
                service.health_check_grace_period_seconds = int(grace)
            service.enable_execute_command = bool(self._get_param("enableExecuteCommand", False))
            deployment = copy.deepcopy(DEFAULT_DEPLOYMENT_CONFIGURATION)
            deployment.update(self._get_param("deploymentConfiguration") or {})
            service.deployment_configuration = deployment
            return result

        return create_service

    wrap(EC2ContainerServiceResponse, "create_service", make)


@once
def service_without_security_groups() -> None:
    """CreateService accepts an ``awsvpcConfiguration`` without ``securityGroups``.

    AWS: ``securityGroups`` is optional (the VPC's default security group is then used).
    moto 5.2.5: ``Service._validate_network`` reads ``c["securityGroups"]`` unconditionally
    (moto/ecs/models.py:585): KeyError, HTTP 500.
    Fix: validate subnets as before and skip the security-group lookup when none were sent; the
    network configuration is stored as sent.
    """
    from moto.ecs.models import Service

    def make(original: Any) -> Any:
        def _validate_network(self: Service, nc: dict[str, Any]) -> dict[str, Any]:
            config = nc.get("awsvpcConfiguration") or {}
            if "securityGroups" in config:
                return original(self, nc)
            original(self, {"awsvpcConfiguration": {**config, "securityGroups": []}})
            return nc

        return _validate_network

    wrap(Service, "_validate_network", make)


PATCHES = [cluster_capacity_providers_always_listed, create_service_keeps_settings, service_without_security_groups]
