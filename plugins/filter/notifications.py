"""Filters of the notifications role: ``text | freelancer.platform.handlebars_errors('label')``."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.freelancer.platform.plugins.module_utils.notifications import handlebars_errors as _errors
from ansible_collections.freelancer.platform.plugins.module_utils.notifications import template_variables as _variables


def handlebars_errors(text, label="template"):
    """The malformed ``{{...}}`` tags of an SES template part, as messages; empty when it is well formed."""
    if text is not None and not isinstance(text, str):
        raise AnsibleFilterError(f"{label}: an SES template part must be a string")
    return _errors(text, label)


def handlebars_variables(text):
    """The variable names an SES template part uses, sorted."""
    return _variables(text)


class FilterModule:
    """Filters of freelancer.platform for SES templates."""

    def filters(self):
        return {"handlebars_errors": handlebars_errors, "handlebars_variables": handlebars_variables}
