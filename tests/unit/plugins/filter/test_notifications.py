"""The checks the notifications role and modules share: email addresses, E.164 numbers, domains,
and well-formed SES (Handlebars) template variables."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.freelancer.platform.plugins.filter.notifications import FilterModule
from ansible_collections.freelancer.platform.plugins.module_utils.notifications import handlebars_errors
from ansible_collections.freelancer.platform.plugins.module_utils.notifications import template_variables
from ansible_collections.freelancer.platform.plugins.test.notifications import TestModule as NotificationTests

TESTS = NotificationTests().tests()
FILTERS = FilterModule().filters()


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("ops@example.com", True),
        ("first.last+tag@mail.example.co.uk", True),
        ("ops.example.com", False),
        ("ops@example", False),
        ("ops@@example.com", False),
        ("o ps@example.com", False),
        ("@example.com", False),
        ("", False),
        (None, False),
    ],
)
def test_email_address(value, ok):
    assert TESTS["email_address"](value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("+15555550100", True),
        ("+447700900123", True),
        ("15555550100", False),
        ("+1 555 555 0100", False),
        ("+1-555-555-0100", False),
        ("+05555550100", False),
        ("+1234567890123456", False),
        (15555550100, False),
    ],
)
def test_e164_phone_number(value, ok):
    assert TESTS["e164_phone_number"](value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("example.com", True),
        ("dev.freelancer-platform.example.com", True),
        ("example", False),
        ("-bad.example.com", False),
        ("exa mple.com", False),
        ("ops@example.com", False),
    ],
)
def test_dns_domain(value, ok):
    assert TESTS["dns_domain"](value) is ok


@pytest.mark.parametrize(
    "text",
    [
        "Update on {{projectName}}",
        "{{ projectName }} and {{user.firstName}} and {{{rawHtml}}}",
        "{{#if paid}}Paid{{else}}Due {{dueDate}}{{/if}}",
        "{{#each items}}<li>{{this.name}} {{@index}}</li>{{/each}}",
        "{{! a comment with {braces} }}No variables at all",
        "<style>@media (max-width:600px){.x{width:100%}}</style>",
        "",
        None,
    ],
)
def test_well_formed_templates_have_no_errors(text):
    assert handlebars_errors(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi {{project Name}}", "line 1: '{{project Name}}' is not a well-formed variable"),
        ("Hi {{projectName}", "line 1: '{{projectName}' is never closed with }}"),
        ("Hi {projectName}}", "line 1: '{projectName}}' is missing an opening brace"),
        ("Hi {{}}", "line 1: '{{}}' is empty"),
        ("Hi {{9lives}}", "'{{9lives}}' is not a well-formed variable"),
        ("a\nb\n{{#if paid}}x", "line 3: {{#if}} is never closed with {{/if}}"),
        ("{{#if a}}x{{/each}}", "'{{/each}}' closes #if opened on line 1"),
        ("x{{/if}}", "'{{/if}}' closes a block that was never opened"),
        ("{{else}}", "'{{else}}' outside an #if, #unless or #each block"),
        ("{{{raw}}", "is never closed with }}}"),
        ("{{format date}}", "'{{format date}}' is not a well-formed variable"),
    ],
)
def test_malformed_templates_are_named_with_their_line(text, expected):
    errors = handlebars_errors(text, "body.html")
    assert errors, text
    assert any(expected in e for e in errors), errors
    assert all(e.startswith("body.html line ") for e in errors)


def test_template_variables_are_the_names_used():
    text = "{{#if paid}}{{amount}} {{currency}}{{/if}} {{user.firstName}} {{#each items}}{{this}}{{/each}} {{@index}}"
    assert template_variables(text) == ["amount", "currency", "items", "paid", "user"]


def test_filters_through_jinja_names():
    assert FILTERS["handlebars_errors"]("{{a b}}", "subject.txt") == [
        "subject.txt line 1: '{{a b}}' is not a well-formed variable"
    ]
    assert FILTERS["handlebars_variables"]("{{b}} {{a}}") == ["a", "b"]
    with pytest.raises(AnsibleFilterError, match="must be a string"):
        FILTERS["handlebars_errors"](["not", "text"], "subject.txt")
