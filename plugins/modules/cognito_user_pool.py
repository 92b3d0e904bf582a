#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: cognito_user_pool
short_description: Manage an Amazon Cognito user pool
version_added: 1.0.0
description:
  - Creates, converges or deletes a Cognito user pool, identified by its name.
    Two pools with the same name are an error, as the module does not guess.
  - C(UpdateUserPool) resets every setting it is not given to its default. The
    module therefore builds each update from the pool's whole current
    configuration with the requested settings laid over it, and calls it only
    when something differs. An option that is not given is left as it is.
  - Custom attributes can be added to an existing pool (C(AddCustomAttributes)),
    but AWS can neither change nor remove one. Asking for either fails with a
    message naming the attribute, before anything is changed.
  - The username attributes and the case sensitivity of usernames are fixed when
    the pool is created; a different request fails with a message naming the option.
  - MFA is set with C(SetUserPoolMfaConfig) (software token, TOTP), after the
    pool exists, since AWS refuses to create a pool with MFA on before a factor is enabled.
  - A pool with deletion protection is only deleted when O(deletion_protection=false)
    is given with O(state=absent); protection is then switched off first, and the pool
    is deleted. Without it the module fails and deletes nothing.
  - Check mode and diff supported.
author:
  - Platform team
options:
  name:
    description: The user pool name.
    type: str
    required: true
    aliases: [pool_name]
  state:
    description: Whether the pool should exist.
    type: str
    choices: [present, absent]
    default: present
  password_policy:
    description:
      - The password policy. Sub-options not given keep their current value
        (the AWS default for a new pool).
    type: dict
    suboptions:
      minimum_length:
        description: Minimum password length, 6 to 99.
        type: int
      require_uppercase:
        description: Require an uppercase letter.
        type: bool
      require_lowercase:
        description: Require a lowercase letter.
        type: bool
      require_numbers:
        description: Require a digit.
        type: bool
      require_symbols:
        description: Require a symbol.
        type: bool
      temporary_password_validity_days:
        description: Days an administrator-set temporary password stays valid, 0 to 365.
        type: int
      password_history_size:
        description: Number of previous passwords a user cannot reuse, 0 to 24 (Essentials tier and above).
        type: int
  mfa_configuration:
    description:
      - V(OFF), V(OPTIONAL) (each user chooses) or V(ON) (required at sign-in).
      - V(OPTIONAL) and V(ON) need O(software_token_mfa=true), the factor this module configures.
    type: str
    choices: ["OFF", "OPTIONAL", "ON"]
  software_token_mfa:
    description: Enable software token (TOTP) MFA. Requires O(mfa_configuration) V(OPTIONAL) or V(ON).
    type: bool
  auto_verified_attributes:
    description: Attributes Cognito verifies by sending a code at sign-up. An empty list verifies none.
    type: list
    elements: str
    choices: [email, phone_number]
  username_attributes:
    description:
      - Attributes users sign in with instead of a username. Fixed at creation.
    type: list
    elements: str
    choices: [email, phone_number]
  username_case_sensitive:
    description: Whether usernames are case sensitive. Fixed at creation.
    type: bool
  account_recovery:
    description:
      - Account recovery mechanisms in priority order.
      - V(admin_only) must be alone.
    type: list
    elements: str
    choices: [verified_email, verified_phone_number, admin_only]
  email_configuration:
    description: How Cognito sends email. Replaces the whole email configuration when given.
    type: dict
    suboptions:
      email_sending_account:
        description: V(COGNITO_DEFAULT) (low quota, for development) or V(DEVELOPER) (your SES identity).
        type: str
        choices: [COGNITO_DEFAULT, DEVELOPER]
        default: COGNITO_DEFAULT
      source_arn:
        description: ARN of the verified SES identity; required with V(DEVELOPER).
        type: str
      from_address:
        description: Sender address, for example C(Freelancer Platform <no-reply@example.com>).
        type: str
      reply_to_address:
        description: Reply-to address.
        type: str
      configuration_set:
        description: SES configuration set for event publishing.
        type: str
  verification_message:
    description:
      - The verification message template. Sub-options not given keep their current value.
      - Messages by code must contain C({####}); messages by link must contain C({##Verify Email##}).
    type: dict
    suboptions:
      default_email_option:
        description: Verify email with a code or a link.
        type: str
        choices: [CONFIRM_WITH_CODE, CONFIRM_WITH_LINK]
      email_subject:
        description: Subject of the verification email (code).
        type: str
      email_message:
        description: Body of the verification email (code).
        type: str
      email_subject_by_link:
        description: Subject of the verification email (link).
        type: str
      email_message_by_link:
        description: Body of the verification email (link).
        type: str
      sms_message:
        description: Verification SMS.
        type: str
  custom_attributes:
    description:
      - The pool's custom attributes, named without the C(custom:) prefix.
      - New ones are added. One that exists with other properties, or that exists
        on the pool and is missing here, fails the module, since AWS cannot change or remove them.
      - Omitted leaves the attributes as they are.
    type: list
    elements: dict
    suboptions:
      name:
        description: 1 to 20 word characters (letters, digits, underscore), without the C(custom:) prefix.
        type: str
        required: true
      data_type:
        description: The attribute type.
        type: str
        choices: [String, Number, Boolean, DateTime]
        default: String
      mutable:
        description: Whether the value can change after the user is created.
        type: bool
        default: true
      min_length:
        description: Minimum length of a String value, 0 to 2048.
        type: int
      max_length:
        description: Maximum length of a String value, 0 to 2048.
        type: int
      min_value:
        description: Minimum of a Number value.
        type: int
      max_value:
        description: Maximum of a Number value.
        type: int
  deletion_protection:
    description:
      - With O(state=present), turn deletion protection on or off.
      - With O(state=absent), V(false) switches protection off so the pool can be deleted.
        Without it, deleting a protected pool fails.
    type: bool
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
notes:
  - SMS configuration and SMS MFA are not managed; C(SetUserPoolMfaConfig) is a full
    replace, so converging MFA configures the software token factor only.
"""

EXAMPLES = r"""
- name: A user pool where freelancers sign in with their email
  freelancer.platform.cognito_user_pool:
    name: dev-freelancer-platform-freelancers
    username_attributes: [email]
    username_case_sensitive: false
    auto_verified_attributes: [email]
    account_recovery: [verified_email]
    password_policy:
      minimum_length: 12
      require_uppercase: true
      require_lowercase: true
      require_numbers: true
      require_symbols: true
      temporary_password_validity_days: 3
    mfa_configuration: OPTIONAL
    software_token_mfa: true
    verification_message:
      email_subject: Your verification code
      email_message: "Your verification code is {####}."
    custom_attributes:
      - name: user_type
        mutable: false
        min_length: 1
        max_length: 16
      - name: hourly_rate
        data_type: Number
        min_value: 0
        max_value: 10000
    deletion_protection: false
    tags:
      Environment: dev

- name: Delete a protected pool, switching its protection off first
  freelancer.platform.cognito_user_pool:
    name: prod-freelancer-platform-freelancers
    deletion_protection: false
    state: absent
"""

RETURN = r"""
user_pool:
  description:
    - The pool as DescribeUserPool returns it, in snake case, with its custom
      attributes, MFA configuration, tags and token issuer. Empty when absent.
    - In check mode, what the pool would be (no id for a pool not created yet).
  returned: always
  type: dict
  contains:
    id:
      description: The user pool id.
      type: str
      sample: us-east-2_AbCdEfGhI
    arn:
      description: The user pool ARN.
      type: str
      sample: arn:aws:cognito-idp:us-east-2:123456789012:userpool/us-east-2_AbCdEfGhI
    name:
      description: The name.
      type: str
      sample: dev-freelancer-platform-freelancers
    issuer:
      description: The C(iss) claim of the pool's tokens; its JWKS is at C(<issuer>/.well-known/jwks.json).
      type: str
      sample: https://cognito-idp.us-east-2.amazonaws.com/us-east-2_AbCdEfGhI
    custom_attributes:
      description: The custom attributes, as in C(SchemaAttributes).
      type: list
      elements: dict
      sample: [{"name": "custom:user_type", "attribute_data_type": "String", "mutable": false,
                "string_attribute_constraints": {"min_length": "1", "max_length": "16"}}]
    policies:
      description: The password policy (and sign-in policy where AWS returns one).
      type: dict
      sample: {"password_policy": {"minimum_length": 12, "require_symbols": true}}
    mfa_configuration:
      description: OFF, OPTIONAL or ON, from GetUserPoolMfaConfig.
      type: str
      sample: OPTIONAL
    software_token_mfa_enabled:
      description: Whether the software token (TOTP) factor is enabled.
      type: bool
      sample: true
    auto_verified_attributes:
      description: Attributes verified at sign-up.
      type: list
      elements: str
      sample: [email]
    username_attributes:
      description: Attributes users sign in with.
      type: list
      elements: str
      sample: [email]
    account_recovery_setting:
      description: Recovery mechanisms with their priority.
      type: dict
      sample: {"recovery_mechanisms": [{"name": "verified_email", "priority": 1}]}
    deletion_protection:
      description: ACTIVE or INACTIVE.
      type: str
      sample: INACTIVE
    tags:
      description: Tags as a dict.
      type: dict
      sample: {"Environment": "dev"}
custom_attributes_added:
  description: Names of the custom attributes this run added (or would add in check mode).
  returned: always
  type: list
  elements: str
  sample: [portfolio_links]
"""

import copy
import re

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.freelancer.platform.plugins.module_utils.cognito import issuer_url
from ansible_collections.freelancer.platform.plugins.module_utils.cognito import list_all
from ansible_collections.freelancer.platform.plugins.module_utils.cognito import operation_members
from ansible_collections.freelancer.platform.plugins.module_utils.cognito import request_view
from ansible_collections.freelancer.platform.plugins.module_utils.cognito import scrub

PASSWORD_POLICY = {
    "minimum_length": "MinimumLength",
    "require_uppercase": "RequireUppercase",
    "require_lowercase": "RequireLowercase",
    "require_numbers": "RequireNumbers",
    "require_symbols": "RequireSymbols",
    "temporary_password_validity_days": "TemporaryPasswordValidityDays",
    "password_history_size": "PasswordHistorySize",
}
EMAIL_CONFIGURATION = {
    "email_sending_account": "EmailSendingAccount",
    "source_arn": "SourceArn",
    "from_address": "From",
    "reply_to_address": "ReplyToEmailAddress",
    "configuration_set": "ConfigurationSet",
}
VERIFICATION_MESSAGE = {
    "default_email_option": "DefaultEmailOption",
    "email_subject": "EmailSubject",
    "email_message": "EmailMessage",
    "email_subject_by_link": "EmailSubjectByLink",
    "email_message_by_link": "EmailMessageByLink",
    "sms_message": "SmsMessage",
}
# The older top-level fields that mirror the template; kept equal to it so AWS sees one message.
LEGACY_VERIFICATION = {
    "EmailMessage": "EmailVerificationMessage",
    "EmailSubject": "EmailVerificationSubject",
    "SmsMessage": "SmsVerificationMessage",
}
# Read-only or volatile parts of a description: never compared, never sent.
VOLATILE = (
    "CreationDate",
    "LastModifiedDate",
    "EstimatedNumberOfUsers",
    "Status",
    "SmsConfigurationFailure",
    "EmailConfigurationFailure",
)
# MFA goes through SetUserPoolMfaConfig only: UpdateUserPool refuses to turn it on.
NOT_SENT = ("UserPoolId", "MfaConfiguration", "PoolName")
ATTRIBUTE_NAME = re.compile(r"^\w{1,20}$")
MAX_CUSTOM_ATTRIBUTES = 50
POOL_NAME = re.compile(r"^[\w\s+=,.@-]{1,128}$")


# ---------------------------------------------------------------- validation


def validation_errors(params):
    """Every input AWS would refuse, named by its option; checked before any AWS call."""
    errors = []
    if not POOL_NAME.match(params["name"]):
        errors.append(f"name {params['name']!r} must be 1 to 128 letters, digits, spaces or + = , . @ - _")
    if params["state"] == "absent":
        return errors

    policy = params["password_policy"] or {}
    if policy.get("minimum_length") is not None and not 6 <= policy["minimum_length"] <= 99:
        errors.append(f"password_policy.minimum_length must be from 6 to 99, got {policy['minimum_length']}")
    days = policy.get("temporary_password_validity_days")
    if days is not None and not 0 <= days <= 365:
        errors.append(f"password_policy.temporary_password_validity_days must be from 0 to 365, got {days}")
    history = policy.get("password_history_size")
    if history is not None and not 0 <= history <= 24:
        errors.append(f"password_policy.password_history_size must be from 0 to 24, got {history}")

    mfa, token = params["mfa_configuration"], params["software_token_mfa"]
    if mfa in ("ON", "OPTIONAL") and token is not True:
        errors.append(
            f"mfa_configuration {mfa} requires software_token_mfa: true (TOTP is the MFA factor this module configures)"
        )
    if mfa == "OFF" and token:
        errors.append("software_token_mfa: true needs mfa_configuration OPTIONAL or ON, not OFF")
    if token is not None and mfa is None:
        errors.append("software_token_mfa needs mfa_configuration")

    recovery = params["account_recovery"]
    if recovery is not None:
        if len(set(recovery)) != len(recovery) or not 1 <= len(recovery) <= 2:
            errors.append(f"account_recovery must list one or two distinct mechanisms, got {recovery}")
        if "admin_only" in recovery and len(recovery) > 1:
            errors.append("account_recovery: admin_only must be the only mechanism")

    email = params["email_configuration"]
    if email and email["email_sending_account"] == "DEVELOPER" and not email.get("source_arn"):
        errors.append("email_configuration.source_arn is required when email_sending_account is DEVELOPER")

    message = params["verification_message"] or {}
    for key in ("email_message", "sms_message"):
        if message.get(key) is not None and "{####}" not in message[key]:
            errors.append(f"verification_message.{key} must contain the code placeholder {{####}}")
    if message.get("email_message_by_link") is not None and "{##" not in message["email_message_by_link"]:
        errors.append("verification_message.email_message_by_link must contain the link placeholder {##Verify Email##}")

    errors.extend(custom_attribute_errors(params["custom_attributes"]))
    return errors


def custom_attribute_errors(attributes):
    if attributes is None:
        return []
    errors = []
    names = [a["name"] for a in attributes]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        errors.append(f"custom_attributes names must be unique, repeated: {', '.join(duplicates)}")
    if len(attributes) > MAX_CUSTOM_ATTRIBUTES:
        errors.append(f"custom_attributes: AWS allows at most {MAX_CUSTOM_ATTRIBUTES}, got {len(attributes)}")
    for index, attribute in enumerate(attributes):
        where = f"custom_attributes[{index}]"
        name = attribute["name"]
        if name.startswith(("custom:", "dev:")):
            errors.append(f"{where}.name {name!r}: give the name without the custom: prefix")
            continue
        if not ATTRIBUTE_NAME.match(name):
            errors.append(f"{where}.name {name!r} must be 1 to 20 letters, digits or underscores")
        kind = attribute["data_type"]
        lengths = [attribute.get("min_length"), attribute.get("max_length")]
        values = [attribute.get("min_value"), attribute.get("max_value")]
        if kind != "String" and any(v is not None for v in lengths):
            errors.append(f"{where} ({name}): min_length and max_length apply to String attributes only")
        if kind != "Number" and any(v is not None for v in values):
            errors.append(f"{where} ({name}): min_value and max_value apply to Number attributes only")
        for key, value in zip(("min_length", "max_length"), lengths, strict=True):
            if value is not None and not 0 <= value <= 2048:
                errors.append(f"{where}.{key} ({name}) must be from 0 to 2048, got {value}")
        if None not in lengths and lengths[0] > lengths[1]:
            errors.append(f"{where} ({name}): min_length {lengths[0]} is above max_length {lengths[1]}")
        if None not in values and values[0] > values[1]:
            errors.append(f"{where} ({name}): min_value {values[0]} is above max_value {values[1]}")
    return errors


# ---------------------------------------------------------------- reading


def find_pool(client, module, name):
    """The pool named ``name`` (DescribeUserPool) with its MFA configuration, or (None, None)."""
    try:
        pools = [p for p in list_all(client, "list_user_pools", "UserPools") if p.get("Name") == name]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not list the user pools")
    if len(pools) > 1:
        module.fail_json(
            msg=f"{len(pools)} user pools are named {name}: {', '.join(sorted(p['Id'] for p in pools))}. "
            "Delete or rename all but one by hand; this module will not choose.",
        )
    if not pools:
        return None, None
    return describe_pool(client, module, pools[0]["Id"])


def describe_pool(client, module, pool_id):
    try:
        pool = client.describe_user_pool(aws_retry=True, UserPoolId=pool_id)["UserPool"]
        mfa = client.get_user_pool_mfa_config(aws_retry=True, UserPoolId=pool_id)
    except is_boto3_error_code("ResourceNotFoundException"):
        return None, None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not describe user pool {pool_id}")
    return pool, mfa_state(mfa)


def mfa_state(answer):
    """``{"mode": OFF|OPTIONAL|ON, "token": bool}`` from GetUserPoolMfaConfig, the authority on MFA."""
    mode = (answer or {}).get("MfaConfiguration") or "OFF"
    token = bool(((answer or {}).get("SoftwareTokenMfaConfiguration") or {}).get("Enabled"))
    return {"mode": mode, "token": token and mode != "OFF"}


def custom_attributes_of(pool):
    """``{short name: schema}`` of the pool's custom attributes (``custom:x`` and developer-only ``dev:custom:x``)."""
    found = {}
    for attribute in (pool or {}).get("SchemaAttributes", []):
        name = attribute.get("Name", "")
        if name.startswith("dev:custom:"):
            found[name[len("dev:custom:") :]] = attribute
        elif name.startswith("custom:"):
            found[name[len("custom:") :]] = attribute
    return found


def normalise(pool, mfa):
    """The pool as returned and diffed: snake case, without volatile fields, custom attributes and MFA resolved."""
    if not pool:
        return {}
    view = {
        k: v for k, v in pool.items() if k not in (*VOLATILE, "SchemaAttributes", "UserPoolTags", "MfaConfiguration")
    }
    result = camel_dict_to_snake_dict(scrub(view))
    result["custom_attributes"] = [
        camel_dict_to_snake_dict(scrub(attribute)) for _, attribute in sorted(custom_attributes_of(pool).items())
    ]
    result["tags"] = dict(pool.get("UserPoolTags") or {})
    result["mfa_configuration"] = mfa["mode"]
    result["software_token_mfa_enabled"] = mfa["token"]
    if pool.get("Id"):
        result["issuer"] = issuer_url(pool["Id"])
    return result


# ---------------------------------------------------------------- desired state


def attribute_schema(attribute):
    schema = {
        "Name": attribute["name"],
        "AttributeDataType": attribute["data_type"],
        "DeveloperOnlyAttribute": False,
        "Mutable": attribute["mutable"],
        "Required": False,
    }
    if attribute["data_type"] == "String":
        constraints = {"MinLength": attribute.get("min_length"), "MaxLength": attribute.get("max_length")}
        constraints = {k: str(v) for k, v in constraints.items() if v is not None}
        if constraints:
            schema["StringAttributeConstraints"] = constraints
    if attribute["data_type"] == "Number":
        constraints = {"MinValue": attribute.get("min_value"), "MaxValue": attribute.get("max_value")}
        constraints = {k: str(v) for k, v in constraints.items() if v is not None}
        if constraints:
            schema["NumberAttributeConstraints"] = constraints
    return schema


def attribute_differences(wanted, existing):
    """How an existing custom attribute differs from the requested one (only what was requested is compared)."""
    differences = []
    if existing.get("Name", "").startswith("dev:"):
        differences.append("it is a developer-only attribute")
    if existing.get("AttributeDataType") != wanted["AttributeDataType"]:
        differences.append(
            f"data_type is {existing.get('AttributeDataType')} on the pool, {wanted['AttributeDataType']} requested"
        )
    if bool(existing.get("Mutable", True)) != wanted["Mutable"]:
        differences.append(f"mutable is {existing.get('Mutable')} on the pool, {wanted['Mutable']} requested")
    for group in ("StringAttributeConstraints", "NumberAttributeConstraints"):
        current = existing.get(group) or {}
        for key, value in (wanted.get(group) or {}).items():
            if str(current.get(key)) != value:
                option = re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower()
                differences.append(f"{option} is {current.get(key)} on the pool, {value} requested")
    return differences


def plan_custom_attributes(pool, requested):
    """(schemas to add, problems): problems are changes and removals AWS cannot make."""
    if requested is None:
        return [], []
    existing = custom_attributes_of(pool)
    wanted = {a["name"]: attribute_schema(a) for a in requested}
    problems = []
    for name in sorted(set(existing) - set(wanted)):
        problems.append(
            f"custom attribute {name} (custom:{name}) exists on the pool but is not in custom_attributes: "
            "AWS cannot remove a custom attribute, so add it back to custom_attributes"
        )
    for name in sorted(set(existing) & set(wanted)):
        differences = attribute_differences(wanted[name], existing[name])
        if differences:
            problems.append(
                f"custom attribute {name} (custom:{name}) cannot be changed, AWS keeps a custom attribute as it was "
                f"created: {'; '.join(differences)}. Keep its definition, or add a new attribute under another name"
            )
    to_add = [wanted[a["name"]] for a in requested if a["name"] not in existing]
    return to_add, problems


def create_only_problems(pool, params):
    """Settings AWS fixes at creation that differ from the request."""
    problems = []
    if params["username_attributes"] is not None:
        current = sorted(pool.get("UsernameAttributes") or [])
        if current != sorted(params["username_attributes"]):
            problems.append(
                f"username_attributes is {current} on the pool and {sorted(params['username_attributes'])} requested: "
                "AWS fixes it when the pool is created; create a new pool to change it"
            )
    if params["username_case_sensitive"] is not None:
        # A pool created without UsernameConfiguration has case-sensitive usernames.
        current = (pool.get("UsernameConfiguration") or {}).get("CaseSensitive", True)
        if current != params["username_case_sensitive"]:
            problems.append(
                f"username_case_sensitive is {current} on the pool and {params['username_case_sensitive']} requested: "
                "AWS fixes it when the pool is created; create a new pool to change it"
            )
    return problems


def overlay(pool, params):
    """A copy of the pool (CamelCase, as described) with the requested settings laid over it."""
    desired = copy.deepcopy(pool) if pool else {"Name": params["name"]}

    policy = {k: v for k, v in (params["password_policy"] or {}).items() if v is not None}
    if policy:
        current = desired.setdefault("Policies", {}).setdefault("PasswordPolicy", {})
        current.update({PASSWORD_POLICY[k]: v for k, v in policy.items()})

    if params["auto_verified_attributes"] is not None:
        desired["AutoVerifiedAttributes"] = sorted(params["auto_verified_attributes"])
    if params["account_recovery"] is not None:
        desired["AccountRecoverySetting"] = {
            "RecoveryMechanisms": [{"Priority": i + 1, "Name": n} for i, n in enumerate(params["account_recovery"])]
        }
    if params["email_configuration"] is not None:
        desired["EmailConfiguration"] = scrub(
            {EMAIL_CONFIGURATION[k]: v for k, v in params["email_configuration"].items()}
        )
    message = {k: v for k, v in (params["verification_message"] or {}).items() if v is not None}
    if message:
        template = desired.setdefault("VerificationMessageTemplate", {})
        for key, value in message.items():
            template[VERIFICATION_MESSAGE[key]] = value
            if VERIFICATION_MESSAGE[key] in LEGACY_VERIFICATION:
                desired[LEGACY_VERIFICATION[VERIFICATION_MESSAGE[key]]] = value
    if params["deletion_protection"] is not None:
        desired["DeletionProtection"] = "ACTIVE" if params["deletion_protection"] else "INACTIVE"
    if params["tags"] is not None:
        current_tags = dict(desired.get("UserPoolTags") or {})
        to_set, to_unset = compare_aws_tags(current_tags, params["tags"], purge_tags=params["purge_tags"])
        for key in to_unset:
            current_tags.pop(key, None)
        current_tags.update(to_set)
        desired["UserPoolTags"] = current_tags

    if not pool:
        # Create-only settings, compared (not overlaid) on an existing pool.
        if params["username_attributes"]:
            desired["UsernameAttributes"] = sorted(params["username_attributes"])
        if params["username_case_sensitive"] is not None:
            desired["UsernameConfiguration"] = {"CaseSensitive": params["username_case_sensitive"]}
    return desired


def desired_mfa(current, params):
    if params["mfa_configuration"] is None:
        return dict(current)
    mode = params["mfa_configuration"]
    return {"mode": mode, "token": mode != "OFF" and bool(params["software_token_mfa"])}


def comparable(view):
    """An update view with set-like lists sorted, for comparison."""
    view = copy.deepcopy(view)
    if "AutoVerifiedAttributes" in view:
        view["AutoVerifiedAttributes"] = sorted(view["AutoVerifiedAttributes"])
    admin = view.get("AdminCreateUserConfig")
    if admin:
        # Deprecated: AWS refuses it next to PasswordPolicy.TemporaryPasswordValidityDays.
        admin.pop("UnusedAccountValidityDays", None)
    return scrub(view)


# ---------------------------------------------------------------- writing


def mfa_request(pool_id, mfa):
    request = {"UserPoolId": pool_id, "MfaConfiguration": mfa["mode"]}
    if mfa["mode"] != "OFF":
        # A full replace: the factor is sent with the mode, or AWS drops it.
        request["SoftwareTokenMfaConfiguration"] = {"Enabled": mfa["token"]}
    return request


def create_pool(client, module, desired, mfa, schemas):
    request = request_view(desired, operation_members(client, "CreateUserPool"), exclude=NOT_SENT)
    request = comparable(request)
    request["PoolName"] = module.params["name"]
    if schemas:
        request["Schema"] = schemas
    try:
        pool = client.create_user_pool(aws_retry=True, **request)["UserPool"]
        if mfa["mode"] != "OFF":
            client.set_user_pool_mfa_config(aws_retry=True, **mfa_request(pool["Id"], mfa))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not create user pool {module.params['name']}")
    return pool["Id"]


def update_pool(client, module, pool_id, name, view):
    try:
        client.update_user_pool(aws_retry=True, UserPoolId=pool_id, PoolName=name, **view)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not update user pool {name} ({pool_id})")


def delete_pool(client, module, pool):
    pool_id = pool["Id"]
    try:
        # AWS refuses to delete a pool that still has a hosted UI domain.
        for domain in {pool.get("Domain"), pool.get("CustomDomain")} - {None, ""}:
            client.delete_user_pool_domain(aws_retry=True, Domain=domain, UserPoolId=pool_id)
        client.delete_user_pool(aws_retry=True, UserPoolId=pool_id)
    except is_boto3_error_code("ResourceNotFoundException"):
        return
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not delete user pool {pool.get('Name')} ({pool_id})")


def absent(client, module, pool, mfa):
    before = normalise(pool, mfa)
    if not pool:
        module.exit_json(changed=False, user_pool={}, custom_attributes_added=[], **diff(module, before, {}))
    if pool.get("DeletionProtection") == "ACTIVE":
        if module.params["deletion_protection"] is not False:
            module.fail_json(
                msg=f"User pool {pool['Name']} ({pool['Id']}) has deletion protection ACTIVE, so it was not deleted. "
                "To delete it and every user in it, run again with deletion_protection: false."
            )
        if not module.check_mode:
            view = comparable(request_view(pool, operation_members(client, "UpdateUserPool"), exclude=NOT_SENT))
            view["DeletionProtection"] = "INACTIVE"
            update_pool(client, module, pool["Id"], pool["Name"], view)
    if not module.check_mode:
        delete_pool(client, module, pool)
    module.exit_json(changed=True, user_pool={}, custom_attributes_added=[], **diff(module, before, {}))


def diff(module, before, after):
    return {"diff": {"before": before, "after": after}} if module._diff else {}


def present(client, module, pool, mfa):
    params = module.params
    before = normalise(pool, mfa)
    to_add, problems = plan_custom_attributes(pool, params["custom_attributes"])
    if pool:
        problems = create_only_problems(pool, params) + problems
    if problems:
        module.fail_json(
            msg=f"User pool {params['name']}: {len(problems)} requested change(s) AWS cannot make, nothing was changed: "
            + " | ".join(problems),
            problems=problems,
        )

    desired = overlay(pool, params)
    wanted_mfa = desired_mfa(mfa or {"mode": "OFF", "token": False}, params)
    added = [s["Name"] for s in to_add]

    if not pool:
        if module.check_mode:
            desired["SchemaAttributes"] = [dict(s, Name=f"custom:{s['Name']}") for s in to_add]
            after = normalise(desired, wanted_mfa)
            module.exit_json(
                changed=True, user_pool=after, custom_attributes_added=added, **diff(module, before, after)
            )
        pool_id = create_pool(client, module, desired, wanted_mfa, to_add)
        pool, mfa = describe_pool(client, module, pool_id)
        after = normalise(pool, mfa)
        module.exit_json(changed=True, user_pool=after, custom_attributes_added=added, **diff(module, before, after))

    members = operation_members(client, "UpdateUserPool")
    current_view = comparable(request_view(pool, members, exclude=NOT_SENT))
    desired_view = comparable(request_view(desired, members, exclude=NOT_SENT))
    config_changed = current_view != desired_view
    mfa_changed = wanted_mfa != mfa
    changed = config_changed or mfa_changed or bool(to_add)

    if not changed:
        module.exit_json(changed=False, user_pool=before, custom_attributes_added=[], **diff(module, before, before))

    if module.check_mode:
        desired["SchemaAttributes"] = list(pool.get("SchemaAttributes", [])) + [
            dict(s, Name=f"custom:{s['Name']}") for s in to_add
        ]
        after = normalise(desired, wanted_mfa)
        module.exit_json(changed=True, user_pool=after, custom_attributes_added=added, **diff(module, before, after))

    pool_id = pool["Id"]
    if mfa_changed:
        try:
            client.set_user_pool_mfa_config(aws_retry=True, **mfa_request(pool_id, wanted_mfa))
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Could not set the MFA configuration of user pool {params['name']}")
    if config_changed:
        update_pool(client, module, pool_id, pool["Name"], desired_view)
    if to_add:
        try:
            client.add_custom_attributes(aws_retry=True, UserPoolId=pool_id, CustomAttributes=to_add)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(
                e, msg=f"Could not add custom attributes {', '.join(added)} to user pool {params['name']}"
            )
    pool, mfa = describe_pool(client, module, pool_id)
    after = normalise(pool, mfa)
    module.exit_json(changed=True, user_pool=after, custom_attributes_added=added, **diff(module, before, after))


def main():
    argument_spec = dict(
        name=dict(type="str", required=True, aliases=["pool_name"]),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        password_policy=dict(
            type="dict",
            options=dict(
                minimum_length=dict(type="int"),
                require_uppercase=dict(type="bool"),
                require_lowercase=dict(type="bool"),
                require_numbers=dict(type="bool"),
                require_symbols=dict(type="bool"),
                temporary_password_validity_days=dict(type="int", no_log=False),
                password_history_size=dict(type="int", no_log=False),
            ),
            no_log=False,
        ),
        mfa_configuration=dict(type="str", choices=["OFF", "OPTIONAL", "ON"]),
        software_token_mfa=dict(type="bool"),
        auto_verified_attributes=dict(type="list", elements="str", choices=["email", "phone_number"]),
        username_attributes=dict(type="list", elements="str", choices=["email", "phone_number"]),
        username_case_sensitive=dict(type="bool"),
        account_recovery=dict(
            type="list", elements="str", choices=["verified_email", "verified_phone_number", "admin_only"]
        ),
        email_configuration=dict(
            type="dict",
            options=dict(
                email_sending_account=dict(
                    type="str", default="COGNITO_DEFAULT", choices=["COGNITO_DEFAULT", "DEVELOPER"]
                ),
                source_arn=dict(type="str"),
                from_address=dict(type="str"),
                reply_to_address=dict(type="str"),
                configuration_set=dict(type="str"),
            ),
        ),
        verification_message=dict(
            type="dict",
            options=dict(
                default_email_option=dict(type="str", choices=["CONFIRM_WITH_CODE", "CONFIRM_WITH_LINK"]),
                email_subject=dict(type="str"),
                email_message=dict(type="str"),
                email_subject_by_link=dict(type="str"),
                email_message_by_link=dict(type="str"),
                sms_message=dict(type="str"),
            ),
        ),
        custom_attributes=dict(
            type="list",
            elements="dict",
            options=dict(
                name=dict(type="str", required=True),
                data_type=dict(type="str", default="String", choices=["String", "Number", "Boolean", "DateTime"]),
                mutable=dict(type="bool", default=True),
                min_length=dict(type="int"),
                max_length=dict(type="int"),
                min_value=dict(type="int"),
                max_value=dict(type="int"),
            ),
        ),
        deletion_protection=dict(type="bool"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    errors = validation_errors(module.params)
    if errors:
        module.fail_json(msg="Invalid input, nothing was sent to AWS: " + "; ".join(errors), errors=errors)

    client = module.client("cognito-idp", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    pool, mfa = find_pool(client, module, module.params["name"])
    if module.params["state"] == "absent":
        absent(client, module, pool, mfa)
    present(client, module, pool, mfa)


if __name__ == "__main__":
    main()
