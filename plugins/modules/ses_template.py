#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: ses_template
short_description: Manage an Amazon SES email template (SES v1 API)
version_added: 1.0.0
description:
  - Creates, updates or deletes one SES email template, with its subject, HTML
    and text parts, through the SES v1 API (CreateTemplate, UpdateTemplate,
    DeleteTemplate).
  - The template is read first and changed only when a part differs; the diff
    shows each part before and after.
  - Before any AWS call, the subject must be non-empty, at least one of
    O(html) and O(text) must be given, and every C({{...}}) tag of the three
    parts must be a well-formed Handlebars tag as SES accepts it (a variable
    path such as C({{projectName}}), C({{{rawHtml}}}), C(else), a comment, or the
    block helpers C(if), C(unless), C(each), C(with) closed in order).
  - Check mode and diff supported.
author:
  - Platform team
options:
  name:
    description:
      - The template name. Letters, digits, underscores and hyphens, at most 64 characters.
    type: str
    required: true
    aliases: [template_name]
  subject:
    description:
      - The subject line; may use template variables.
      - Required when O(state=present).
    type: str
  html:
    description:
      - The HTML body. At least one of O(html) and O(text) is required when O(state=present).
    type: str
  text:
    description:
      - The plain-text body. At least one of O(html) and O(text) is required when O(state=present).
    type: str
  state:
    description: Whether the template should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - SES templates cannot be tagged.
  - The SES v1 and v2 APIs share templates; this module uses v1, which the
    project's emulator implements.
"""

EXAMPLES = r"""
- name: A project update email
  freelancer.platform.ses_template:
    name: dev-freelancer-platform-project-update
    subject: "Update on {{projectName}}"
    html: "<p>Hello {{recipientName}},</p><p>{{updateSummary}}</p>"
    text: "Hello {{recipientName}},\n\n{{updateSummary}}\n"

- name: Templates kept as files in a role
  freelancer.platform.ses_template:
    name: "{{ prefix }}-milestone-completed"
    subject: "{{ lookup('ansible.builtin.file', 'ses_templates/milestone-completed/subject.txt') }}"
    html: "{{ lookup('ansible.builtin.file', 'ses_templates/milestone-completed/body.html') }}"
    text: "{{ lookup('ansible.builtin.file', 'ses_templates/milestone-completed/body.txt') }}"

- name: Remove a template
  freelancer.platform.ses_template:
    name: dev-freelancer-platform-project-update
    state: absent
"""

RETURN = r"""
template:
  description: The template as GetTemplate returns it, in snake case, with the variables it uses. Empty when absent.
  returned: always
  type: dict
  contains:
    template_name:
      description: The name.
      type: str
      sample: dev-freelancer-platform-project-update
    subject_part:
      description: The subject.
      type: str
      sample: "Update on {{projectName}}"
    html_part:
      description: The HTML body.
      type: str
      sample: "<p>Hello {{recipientName}},</p>"
    text_part:
      description: The text body.
      type: str
      sample: "Hello {{recipientName}},"
    variables:
      description: The variable names the three parts use, sorted.
      type: list
      elements: str
      sample: ["projectName", "recipientName", "updateSummary"]
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

import re

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.freelancer.platform.plugins.module_utils.notifications import handlebars_errors
from ansible_collections.freelancer.platform.plugins.module_utils.notifications import template_variables

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
PARTS = (("subject", "SubjectPart"), ("html", "HtmlPart"), ("text", "TextPart"))


def validate(module):
    """Fail, naming the parameter, on input SES would refuse or render wrongly; no AWS call is made before."""
    params = module.params
    if not NAME_PATTERN.match(params["name"]):
        module.fail_json(
            msg=f"name {params['name']!r} is invalid: use letters, digits, underscores and hyphens, at most 64 characters"
        )
    if params["state"] != "present":
        return
    if not (params["subject"] or "").strip():
        module.fail_json(msg=f"subject of template {params['name']} must not be empty")
    if not (params["html"] or params["text"]):
        module.fail_json(msg=f"template {params['name']} needs html or text (or both)")
    errors = []
    for option, _key in PARTS:
        errors.extend(handlebars_errors(params[option], label=option))
    if errors:
        module.fail_json(msg=f"template {params['name']} has malformed variables: {'; '.join(errors)}", errors=errors)


def describe(client, module, name):
    try:
        return client.get_template(aws_retry=True, TemplateName=name)["Template"]
    except is_boto3_error_code("TemplateDoesNotExist"):
        return None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not read template {name}")


def normalise(template):
    """Snake-case view of a template; a missing part and an empty part are the same."""
    if not template:
        return {}
    result = {"template_name": template.get("TemplateName", "")}
    for _option, key in PARTS:
        result[key.replace("Part", "_part").lower()] = template.get(key) or ""
    result["variables"] = template_variables(" ".join(result[k] for k in ("subject_part", "html_part", "text_part")))
    return result


def desired(params):
    template = {"TemplateName": params["name"]}
    for option, key in PARTS:
        if params[option]:
            template[key] = params[option]
    return template


def text_diff(name, before, after):
    """One unified diff per part, so that a changed HTML body reads line by line."""
    diff = []
    for option, key in PARTS:
        field = key.replace("Part", "_part").lower()
        old, new = before.get(field, ""), after.get(field, "")
        diff.append(
            dict(
                before_header=f"{name} {option}" if before else "(absent)",
                after_header=f"{name} {option}" if after else "(absent)",
                before=old if old.endswith("\n") or not old else old + "\n",
                after=new if new.endswith("\n") or not new else new + "\n",
            )
        )
    return diff


def main():
    argument_spec = dict(
        name=dict(type="str", required=True, aliases=["template_name"]),
        subject=dict(type="str"),
        html=dict(type="str"),
        text=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = module.client("ses", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    name = module.params["name"]

    existing = describe(client, module, name)
    before = normalise(existing)

    if module.params["state"] == "absent":
        changed = existing is not None
        if changed and not module.check_mode:
            try:
                client.delete_template(aws_retry=True, TemplateName=name)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg=f"Could not delete template {name}")
        result = dict(changed=changed, template={})
        if module._diff:
            result["diff"] = text_diff(name, before, {})
        module.exit_json(**result)

    wanted = desired(module.params)
    after = normalise(wanted)
    changed = before != after
    if changed and not module.check_mode:
        try:
            if existing is None:
                client.create_template(aws_retry=True, Template=wanted)
            else:
                client.update_template(aws_retry=True, Template=wanted)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Could not {'create' if existing is None else 'update'} template {name}")
        after = normalise(describe(client, module, name))
    result = dict(changed=changed, template=after)
    if module._diff:
        result["diff"] = text_diff(name, before, after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
