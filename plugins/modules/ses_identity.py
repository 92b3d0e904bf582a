#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: ses_identity
short_description: Manage an Amazon SES email or domain identity, with Easy DKIM for domains (SES v1 API)
version_added: 1.0.0
description:
  - "Creates (starts the verification of), converges or deletes one SES identity:
    an email address, or a domain with Easy DKIM."
  - For a domain, returns the verification token and the DKIM tokens, with the
    DNS records to publish (RV(identity.dns_records)), so that they can be written
    to the zone by another task or by hand.
  - Unlike M(community.aws.ses_identity), manages DKIM, returns a diff, and does
    not sleep after creating an identity.
  - Check mode and diff supported.
author:
  - Platform team
options:
  identity:
    description:
      - The email address or the domain. A value with an C(@) is an email address.
      - Checked before any AWS call.
    type: str
    required: true
    aliases: [name]
  dkim_enabled:
    description:
      - For a domain, sign its email with Easy DKIM (VerifyDomainDkim, SetIdentityDkimEnabled).
      - Ignored for an email address, which uses the DKIM of its domain.
    type: bool
    default: true
  state:
    description: Whether the identity should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Creating an identity starts its verification; AWS marks it verified once the
    DNS records are published (a domain) or the link in the verification email is
    followed (an address). The module does not wait for that.
  - SES v1 identities cannot be tagged.
"""

EXAMPLES = r"""
- name: A domain identity with Easy DKIM
  freelancer.platform.ses_identity:
    identity: dev.freelancer-platform.example.com
    dkim_enabled: true
  register: domain

- name: Show the DNS records to publish
  ansible.builtin.debug:
    var: domain.identity.dns_records

- name: A sender address
  freelancer.platform.ses_identity:
    identity: notifications@dev.freelancer-platform.example.com

- name: Remove it
  freelancer.platform.ses_identity:
    identity: notifications@dev.freelancer-platform.example.com
    state: absent
"""

RETURN = r"""
identity:
  description: The identity with its verification and DKIM attributes, in snake case. Empty when absent.
  returned: always
  type: dict
  contains:
    identity:
      description: The address or domain.
      type: str
      sample: dev.freelancer-platform.example.com
    identity_type:
      description: domain or email_address.
      type: str
      sample: domain
    verification_status:
      description: Pending, Success, Failed, TemporaryFailure or NotStarted.
      type: str
      sample: Pending
    verification_token:
      description: For a domain, the value of the C(_amazonses.<domain>) TXT record.
      type: str
    dkim_enabled:
      description: Whether SES signs the identity's email with DKIM.
      type: bool
      sample: true
    dkim_verification_status:
      description: Pending, Success, Failed, TemporaryFailure or NotStarted.
      type: str
      sample: Pending
    dkim_tokens:
      description: For a domain, the three DKIM tokens.
      type: list
      elements: str
    dns_records:
      description: For a domain, the records to publish (the TXT verification record and the three DKIM CNAMEs).
      type: list
      elements: dict
      contains:
        name:
          description: The record name.
          type: str
          sample: abcdef._domainkey.dev.freelancer-platform.example.com
        type:
          description: TXT or CNAME.
          type: str
          sample: CNAME
        value:
          description: The record value.
          type: str
          sample: abcdef.dkim.amazonses.com
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.freelancer.platform.plugins.module_utils.notifications import is_domain
from ansible_collections.freelancer.platform.plugins.module_utils.notifications import is_email_address


def is_address(identity):
    return "@" in identity


def validate(module):
    identity = module.params["identity"]
    if is_address(identity):
        if not is_email_address(identity):
            module.fail_json(msg=f"identity {identity!r} is not an email address")
    elif not is_domain(identity):
        module.fail_json(msg=f"identity {identity!r} is neither an email address nor a DNS domain")


def describe(client, module, identity):
    try:
        verification = client.get_identity_verification_attributes(aws_retry=True, Identities=[identity])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not read the verification of {identity}")
    attributes = verification.get("VerificationAttributes", {}).get(identity)
    if attributes is None:
        return {}
    try:
        dkim = client.get_identity_dkim_attributes(aws_retry=True, Identities=[identity])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not read the DKIM attributes of {identity}")
    dkim = dkim.get("DkimAttributes", {}).get(identity, {})
    return normalise(identity, attributes, dkim)


def describe_created(client, module, identity, attempts=6, delay=2):
    """Describe an identity just created: AWS may take a moment to list it (bounded wait, none when listed)."""
    for attempt in range(attempts):
        found = describe(client, module, identity)
        if found or attempt == attempts - 1:
            return found
        time.sleep(delay)
    return {}


def normalise(identity, attributes, dkim):
    result = {
        "identity": identity,
        "identity_type": "email_address" if is_address(identity) else "domain",
        "verification_status": attributes.get("VerificationStatus", "NotStarted"),
        "dkim_enabled": bool(dkim.get("DkimEnabled", False)),
        "dkim_verification_status": dkim.get("DkimVerificationStatus", "NotStarted"),
    }
    if not is_address(identity):
        tokens = list(dkim.get("DkimTokens") or [])
        result["verification_token"] = attributes.get("VerificationToken", "")
        result["dkim_tokens"] = tokens
        result["dns_records"] = dns_records(identity, result["verification_token"], tokens)
    return result


def dns_records(domain, verification_token, dkim_tokens):
    records = []
    if verification_token:
        records.append({"name": f"_amazonses.{domain}", "type": "TXT", "value": verification_token})
    for token in dkim_tokens:
        records.append(
            {"name": f"{token}._domainkey.{domain}", "type": "CNAME", "value": f"{token}.dkim.amazonses.com"}
        )
    return records


def comparable(identity, dkim_wanted):
    """What the module converges: existence and, for a domain, DKIM signing (and its tokens when wanted)."""
    if not identity:
        return {}
    view = {"identity": identity["identity"]}
    if identity["identity_type"] == "domain":
        view["dkim_enabled"] = identity["dkim_enabled"]
        if dkim_wanted:
            view["dkim_tokens_issued"] = bool(identity["dkim_tokens"])
    return view


def desired(module):
    identity = module.params["identity"]
    view = {"identity": identity}
    if not is_address(identity):
        view["dkim_enabled"] = module.params["dkim_enabled"]
        if module.params["dkim_enabled"]:
            view["dkim_tokens_issued"] = True
    return view


def apply(client, module, before):
    identity = module.params["identity"]
    step = "start the verification of"
    try:
        if not before:
            if is_address(identity):
                client.verify_email_identity(aws_retry=True, EmailAddress=identity)
            else:
                client.verify_domain_identity(aws_retry=True, Domain=identity)
        if is_address(identity):
            return
        dkim = module.params["dkim_enabled"]
        current = describe_created(client, module, identity) or before
        if dkim and not current.get("dkim_tokens"):
            step = "issue the DKIM tokens of"
            client.verify_domain_dkim(aws_retry=True, Domain=identity)
            current = describe_created(client, module, identity)
        if current.get("dkim_enabled") != dkim:
            step = "switch DKIM signing of"
            set_dkim(client, module, identity, dkim)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not {step} {identity}")


def set_dkim(client, module, identity, enabled):
    try:
        client.set_identity_dkim_enabled(aws_retry=True, Identity=identity, DkimEnabled=enabled)
    except is_boto3_error_code("InvalidParameterValue") as e:
        if not enabled:
            raise
        # AWS turns signing on by itself once the DKIM CNAMEs verify.
        module.warn(f"DKIM signing of {identity} starts once its DKIM records verify: {e}")


def main():
    argument_spec = dict(
        identity=dict(type="str", required=True, aliases=["name"]),
        dkim_enabled=dict(type="bool", default=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    client = module.client("ses", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    identity = module.params["identity"]

    before = describe(client, module, identity)

    if module.params["state"] == "absent":
        changed = bool(before)
        if changed and not module.check_mode:
            try:
                client.delete_identity(aws_retry=True, Identity=identity)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg=f"Could not delete identity {identity}")
        result = dict(changed=changed, identity={})
        if module._diff:
            result["diff"] = dict(before=before, after={})
        module.exit_json(**result)

    changed = comparable(before, module.params["dkim_enabled"]) != desired(module)
    if changed and not module.check_mode:
        apply(client, module, before)
        after = describe_created(client, module, identity)
    elif changed:
        after = dict(before) if before else normalise(identity, {"VerificationStatus": "Pending"}, {})
        if not is_address(identity):
            after["dkim_enabled"] = module.params["dkim_enabled"]
    else:
        after = before
    result = dict(changed=changed, identity=after)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
