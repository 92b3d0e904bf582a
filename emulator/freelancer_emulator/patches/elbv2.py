"""Elastic Load Balancing v2 patches."""

from __future__ import annotations

from typing import Any

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import set_attr
from freelancer_emulator.patches._base import wrap

# DescribeTargetGroupAttributes of a new target group, by the load balancer family it serves.
_TARGET_GROUP_HEALTH = {
    "target_group_health.dns_failover.minimum_healthy_targets.count": "1",
    "target_group_health.dns_failover.minimum_healthy_targets.percentage": "off",
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": "1",
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage": "off",
}
ALB_TARGET_GROUP_DEFAULTS: dict[str, str] = {
    "deregistration_delay.timeout_seconds": "300",
    "load_balancing.algorithm.type": "round_robin",
    "load_balancing.algorithm.anomaly_mitigation": "off",
    "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
    "slow_start.duration_seconds": "0",
    "stickiness.enabled": "false",
    "stickiness.type": "lb_cookie",
    "stickiness.lb_cookie.duration_seconds": "86400",
    "stickiness.app_cookie.cookie_name": "",
    "stickiness.app_cookie.duration_seconds": "86400",
    **_TARGET_GROUP_HEALTH,
}
NLB_TARGET_GROUP_DEFAULTS: dict[str, str] = {
    "deregistration_delay.timeout_seconds": "300",
    "deregistration_delay.connection_termination.enabled": "false",
    "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
    "proxy_protocol_v2.enabled": "false",
    "stickiness.enabled": "false",
    "stickiness.type": "source_ip",
    "target_health_state.unhealthy.connection_termination.enabled": "true",
    "target_health_state.unhealthy.draining_interval_seconds": "0",
    **_TARGET_GROUP_HEALTH,
}

# DescribeLoadBalancerAttributes of a new load balancer, by type.
ALB_DEFAULTS: dict[str, str] = {
    "access_logs.s3.enabled": "false",
    "access_logs.s3.bucket": "",
    "access_logs.s3.prefix": "",
    "client_keep_alive.seconds": "3600",
    "connection_logs.s3.enabled": "false",
    "connection_logs.s3.bucket": "",
    "connection_logs.s3.prefix": "",
    "deletion_protection.enabled": "false",
    "health_check_logs.s3.enabled": "false",
    "health_check_logs.s3.bucket": "",
    "health_check_logs.s3.prefix": "",
    "idle_timeout.timeout_seconds": "60",
    "load_balancing.cross_zone.enabled": "true",
    "routing.http.desync_mitigation_mode": "defensive",
    "routing.http.drop_invalid_header_fields.enabled": "false",
    "routing.http.preserve_host_header.enabled": "false",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
    "routing.http.xff_client_port.enabled": "false",
    "routing.http.xff_header_processing.mode": "append",
    "routing.http2.enabled": "true",
    "waf.fail_open.enabled": "false",
    "zonal_shift.config.enabled": "false",
}
NLB_DEFAULTS: dict[str, str] = {
    "access_logs.s3.enabled": "false",
    "access_logs.s3.bucket": "",
    "access_logs.s3.prefix": "",
    "deletion_protection.enabled": "false",
    "dns_record.client_routing_policy": "any_availability_zone",
    "load_balancing.cross_zone.enabled": "false",
    "zonal_shift.config.enabled": "false",
}


@once
def target_group_default_attributes() -> None:
    """A new target group reports AWS's full default attribute set.

    AWS: DescribeTargetGroupAttributes on a new HTTP/HTTPS target group lists, among others,
    ``stickiness.lb_cookie.duration_seconds=86400``, ``stickiness.app_cookie.*``,
    ``load_balancing.algorithm.anomaly_mitigation=off`` and the ``target_group_health.*`` thresholds;
    a TCP/UDP/TLS group lists ``proxy_protocol_v2.enabled``, ``preserve_client_ip.enabled``,
    ``deregistration_delay.connection_termination.enabled`` and the ``target_health_state.*`` keys.
    moto 5.2.5: ``FakeTargetGroup.__init__`` (moto/elbv2/models.py:165-178) sets only six of them;
    community.aws elb_target_group then fails with ``KeyError: 'stickiness_lb_cookie_duration_seconds'``.
    Fix: add the missing defaults (values moto already set, or that a request set, are kept).
    """
    from moto.elbv2.models import FakeTargetGroup

    def make(original: Any) -> Any:
        def __init__(self: FakeTargetGroup, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            if self.target_type == "lambda":
                return
            if self.protocol in ("HTTP", "HTTPS"):
                defaults = ALB_TARGET_GROUP_DEFAULTS
            elif self.protocol in ("TCP", "UDP", "TCP_UDP", "TLS"):
                defaults = dict(NLB_TARGET_GROUP_DEFAULTS)
                # Client IP preservation is on for instance targets and for UDP / TCP_UDP; off for ip + TCP/TLS.
                preserve = self.target_type == "instance" or self.protocol in ("UDP", "TCP_UDP")
                defaults["preserve_client_ip.enabled"] = "true" if preserve else "false"
            else:
                return
            for key, value in defaults.items():
                self.attributes.setdefault(key, value)

        return __init__

    wrap(FakeTargetGroup, "__init__", make)


@once
def load_balancer_default_attributes() -> None:
    """A new load balancer reports AWS's full default attribute set.

    AWS: DescribeLoadBalancerAttributes on a new Application Load Balancer lists
    ``idle_timeout.timeout_seconds=60``, ``routing.http2.enabled=true``,
    ``routing.http.desync_mitigation_mode=defensive``, ``access_logs.s3.enabled=false``,
    ``load_balancing.cross_zone.enabled=true`` (always on for ALBs) and the other ``routing.http.*``,
    ``client_keep_alive``, ``connection_logs``, ``waf.fail_open`` and ``zonal_shift`` keys; a Network
    Load Balancer lists ``dns_record.client_routing_policy`` and cross-zone ``false``. Both list
    ``ipv6.deny_all_igw_traffic`` (``false`` internet-facing, ``true`` internal).
    moto 5.2.5: ``FakeLoadBalancer.__init__`` (moto/elbv2/models.py:618-625) sets four keys and leaves
    ``idle_timeout.timeout_seconds`` and ``access_logs.s3.enabled`` commented out; amazon.aws
    elb_application_lb fails with ``KeyError: 'idle_timeout_timeout_seconds'`` before it creates listeners.
    Fix: add the defaults for the balancer's type; also accept the ``health_check_logs.s3.bucket`` /
    ``.prefix`` keys in ModifyLoadBalancerAttributes (moto/elbv2/models.py:565).
    """
    from moto.elbv2.models import FakeLoadBalancer

    valid = FakeLoadBalancer.VALID_ATTRS | {"health_check_logs.s3.bucket", "health_check_logs.s3.prefix"}
    set_attr(FakeLoadBalancer, "VALID_ATTRS", valid)

    def make(original: Any) -> Any:
        def __init__(self: FakeLoadBalancer, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            if self.type == "application":
                defaults = ALB_DEFAULTS
            elif self.type == "network":
                defaults = NLB_DEFAULTS
            else:
                return
            self.attrs.update(defaults)
            self.attrs["ipv6.deny_all_igw_traffic"] = "true" if self.scheme == "internal" else "false"

        return __init__

    wrap(FakeLoadBalancer, "__init__", make)


PATCHES = [target_group_default_attributes, load_balancer_default_attributes]
