"""Jinja tests of the notifications role: ``x is freelancer.platform.email_address``."""

from __future__ import annotations

from ansible_collections.freelancer.platform.plugins.module_utils.notifications import is_domain
from ansible_collections.freelancer.platform.plugins.module_utils.notifications import is_e164
from ansible_collections.freelancer.platform.plugins.module_utils.notifications import is_email_address


class TestModule:
    """Tests of freelancer.platform for notification endpoints."""

    def tests(self):
        return {"email_address": is_email_address, "e164_phone_number": is_e164, "dns_domain": is_domain}
