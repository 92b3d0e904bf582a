# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0
"""Input checks shared by the notification modules and the role's preflight.

One definition of what an email address, an SMS number (E.164) and a
well-formed SES template variable are, used both by ``meta``-level validation
in the ``notifications`` role (through the filter and test plugins) and by the
modules before any AWS call, so the two can never disagree.
"""

from __future__ import annotations

import re

# Deliberately simple: one @, a non-empty local part without spaces, and a
# domain with at least one dot and a letter-only top-level label. SES and SNS
# do their own checks; this catches typos before any AWS call.
EMAIL_PATTERN = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
# E.164: a plus, a country code that does not start with 0, at most 15 digits.
E164_PATTERN = re.compile(r"^\+[1-9][0-9]{1,14}$")
# A DNS domain SES can verify: labels of letters, digits and hyphens, a letter-only TLD.
DOMAIN_PATTERN = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")

# What SES templates accept between {{ and }} (the Handlebars subset SES documents):
# a variable path, the block helpers if/unless/each/with and their closing tags,
# else, and comments.
_PATH = r"(?:\.\./)*(?:this|@?[A-Za-z_][A-Za-z0-9_-]*)(?:\.[A-Za-z_][A-Za-z0-9_-]*)*"
_BLOCK_HELPERS = ("if", "unless", "each", "with")
_VARIABLE = re.compile(rf"^{_PATH}$")
_OPEN_BLOCK = re.compile(rf"^#({'|'.join(_BLOCK_HELPERS)})\s+({_PATH})$")
_CLOSE_BLOCK = re.compile(rf"^/({'|'.join(_BLOCK_HELPERS)})$")
# A variable that lost one of its opening braces: {name}} .
_HALF_OPEN = re.compile(r"(?<!\{)\{[A-Za-z_][A-Za-z0-9_.-]*\}\}")


def is_email_address(value):
    """True when ``value`` looks like an email address."""
    return isinstance(value, str) and len(value) <= 254 and bool(EMAIL_PATTERN.match(value))


def is_e164(value):
    """True when ``value`` is a phone number in E.164 form, for example +15555550100."""
    return isinstance(value, str) and bool(E164_PATTERN.match(value))


def is_domain(value):
    """True when ``value`` is a DNS domain name SES can verify."""
    return isinstance(value, str) and len(value) <= 253 and bool(DOMAIN_PATTERN.match(value))


def _line_of(text, position):
    return text.count("\n", 0, position) + 1


def handlebars_errors(text, label="template"):
    """Every malformed ``{{...}}`` tag of ``text``, as messages naming ``label`` and the line.

    An empty list means the text is a well-formed SES template: every ``{{``
    is closed, every tag holds a variable path (``{{projectName}}``,
    ``{{user.firstName}}``, ``{{{rawHtml}}}``), ``else``, a comment or a block
    helper, and block helpers are closed in order.
    """
    if text is None:
        return []
    if not isinstance(text, str):
        return [f"{label}: must be a string"]
    errors = []
    blocks = []
    position = 0
    while True:
        start = text.find("{{", position)
        if start < 0:
            break
        line = _line_of(text, start)
        triple = text.startswith("{{{", start)
        opener = "{{{" if triple else "{{"
        closer = "}}}" if triple else "}}"
        end = text.find(closer, start + len(opener))
        if end < 0:
            snippet = text[start : start + 40].splitlines()[0]
            errors.append(f"{label} line {line}: {snippet!r} is never closed with {closer}")
            break
        raw = text[start : end + len(closer)]
        inner = text[start + len(opener) : end]
        position = end + len(closer)
        if inner.startswith("!"):
            continue
        content = inner.strip().strip("~").strip()
        if "{" in inner or "}" in inner or "\n" in inner:
            errors.append(f"{label} line {line}: {raw!r} is not a well-formed variable")
            continue
        if not content:
            errors.append(f"{label} line {line}: {raw!r} is empty")
            continue
        if triple:
            if not _VARIABLE.match(content):
                errors.append(f"{label} line {line}: {raw!r} is not a well-formed variable")
            continue
        opened = _OPEN_BLOCK.match(content)
        closed = _CLOSE_BLOCK.match(content)
        if opened:
            blocks.append((opened.group(1), line))
        elif closed:
            if not blocks:
                errors.append(f"{label} line {line}: {raw!r} closes a block that was never opened")
            elif blocks[-1][0] != closed.group(1):
                errors.append(f"{label} line {line}: {raw!r} closes #{blocks[-1][0]} opened on line {blocks[-1][1]}")
                blocks.pop()
            else:
                blocks.pop()
        elif content == "else":
            if not blocks:
                errors.append(f"{label} line {line}: {raw!r} outside an #if, #unless or #each block")
        elif not _VARIABLE.match(content):
            errors.append(f"{label} line {line}: {raw!r} is not a well-formed variable")
    for helper, line in blocks:
        errors.append(f"{label} line {line}: {{{{#{helper}}}}} is never closed with {{{{/{helper}}}}}")
    for match in _HALF_OPEN.finditer(text):
        errors.append(f"{label} line {_line_of(text, match.start())}: {match.group(0)!r} is missing an opening brace")
    return errors


def template_variables(text):
    """The variable names a template uses (paths of ``{{name}}`` tags and block helpers), sorted."""
    names = set()
    for match in re.finditer(r"\{\{\{?\s*([#/]?)([^{}]*?)\s*\}?\}\}", text or ""):
        content = match.group(2).strip()
        if match.group(1) == "#":
            parts = content.split(None, 1)
            content = parts[1] if len(parts) == 2 else ""
        elif match.group(1) == "/" or content in ("else", "this") or content.startswith("!"):
            continue
        if _VARIABLE.match(content) and not content.startswith(("@", "this", "../")):
            names.add(content.split(".", 1)[0])
    return sorted(names)
