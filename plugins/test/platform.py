"""Jinja tests of freelancer.platform: ``x is freelancer.platform.valid_vpc_cidr``."""

from ansible_collections.freelancer.platform.plugins.filter.platform import has_main_association
from ansible_collections.freelancer.platform.plugins.filter.platform import valid_platform_env
from ansible_collections.freelancer.platform.plugins.filter.platform import valid_vpc_cidr


class TestModule:
    """Tests of freelancer.platform."""

    def tests(self):
        return {
            "has_main_association": has_main_association,
            "valid_platform_env": valid_platform_env,
            "valid_vpc_cidr": valid_vpc_cidr,
        }
