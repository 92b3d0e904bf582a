#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the freelancer.platform collection
# Apache License 2.0

DOCUMENTATION = r"""
---
module: cognito_user_pool_client
short_description: Manage an app client of an Amazon Cognito user pool
version_added: 1.0.0
description:
  - Creates, converges or deletes an app client, identified by its user pool id
    and its name. Two clients with the same name in the pool are an error.
  - C(UpdateUserPoolClient) resets every setting it is not given. The module builds
    each update from the client's whole current configuration with the requested
    settings laid over it, and calls it only when something differs. An option that
    is not given is left as it is (or takes the default stated below when the client is created).
  - Whether the client has a secret is fixed at creation. Asking for the other
    fails with a clear message; the module never returns a client secret.
  - Check mode and diff supported.
author:
  - Platform team
options:
  user_pool_id:
    description: The id of the user pool the client belongs to.
    type: str
    required: true
  name:
    description: The client name, unique in its pool.
    type: str
    required: true
    aliases: [client_name]
  state:
    description: Whether the client should exist.
    type: str
    choices: [present, absent]
    default: present
  generate_secret:
    description:
      - Whether the client has a secret. Browser and mobile clients must not (V(false)).
      - Fixed at creation; defaults to V(false) when the client is created.
    type: bool
  explicit_auth_flows:
    description:
      - Authentication flows the client allows.
      - Defaults to V(ALLOW_USER_SRP_AUTH) and V(ALLOW_REFRESH_TOKEN_AUTH) when the client is created.
      - V(ALLOW_USER_PASSWORD_AUTH) sends the password to Cognito; keep it for tests and local environments.
    type: list
    elements: str
    choices:
      - ALLOW_USER_SRP_AUTH
      - ALLOW_REFRESH_TOKEN_AUTH
      - ALLOW_USER_PASSWORD_AUTH
      - ALLOW_CUSTOM_AUTH
      - ALLOW_ADMIN_USER_PASSWORD_AUTH
      - ALLOW_USER_AUTH
  access_token_validity:
    description: Access token lifetime, in O(token_validity_units.access_token); 5 minutes to 1 day.
    type: int
  id_token_validity:
    description: ID token lifetime, in O(token_validity_units.id_token); 5 minutes to 1 day.
    type: int
  refresh_token_validity:
    description: Refresh token lifetime, in O(token_validity_units.refresh_token); 60 minutes to 10 years.
    type: int
  token_validity_units:
    description:
      - Units of the token lifetimes. A unit applies only with its lifetime.
    type: dict
    suboptions:
      access_token:
        description: Unit of O(access_token_validity).
        type: str
        choices: [seconds, minutes, hours, days]
        default: hours
      id_token:
        description: Unit of O(id_token_validity).
        type: str
        choices: [seconds, minutes, hours, days]
        default: hours
      refresh_token:
        description: Unit of O(refresh_token_validity).
        type: str
        choices: [seconds, minutes, hours, days]
        default: days
  prevent_user_existence_errors:
    description:
      - V(ENABLED) answers a sign-in or recovery for an unknown user like one with a wrong password,
        so that the API does not reveal which users exist.
      - Defaults to V(ENABLED) when the client is created.
    type: str
    choices: [ENABLED, LEGACY]
  enable_token_revocation:
    description: Whether refresh tokens can be revoked. Defaults to V(true) when the client is created.
    type: bool
  auth_session_validity:
    description: Minutes an authentication session token stays valid, 3 to 15.
    type: int
  read_attributes:
    description: User attributes the client can read (and that appear in its ID tokens).
    type: list
    elements: str
  write_attributes:
    description: User attributes the client can write (at sign-up and afterwards, if mutable).
    type: list
    elements: str
  supported_identity_providers:
    description: Identity providers of the client, for example V(COGNITO).
    type: list
    elements: str
  callback_urls:
    description: Allowed redirect URLs after sign-in (HTTPS, or http://localhost).
    type: list
    elements: str
  logout_urls:
    description: Allowed redirect URLs after sign-out (HTTPS, or http://localhost).
    type: list
    elements: str
  default_redirect_uri:
    description: The default redirect URL; one of O(callback_urls).
    type: str
  allowed_oauth_flows:
    description: OAuth flows of the hosted UI.
    type: list
    elements: str
    choices: [code, implicit, client_credentials]
  allowed_oauth_scopes:
    description: OAuth scopes the client may request.
    type: list
    elements: str
  allowed_oauth_flows_user_pool_client:
    description: Whether the client may use the OAuth flows.
    type: bool
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: A browser app client without a secret, SRP sign-in and refresh
  freelancer.platform.cognito_user_pool_client:
    user_pool_id: us-east-2_AbCdEfGhI
    name: dev-freelancer-platform-freelancers-web
    generate_secret: false
    explicit_auth_flows: [ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
    access_token_validity: 60
    id_token_validity: 60
    refresh_token_validity: 30
    token_validity_units:
      access_token: minutes
      id_token: minutes
      refresh_token: days
    prevent_user_existence_errors: ENABLED
    enable_token_revocation: true
    read_attributes: [email, email_verified, "custom:user_type"]
    write_attributes: [email, "custom:user_type"]
    supported_identity_providers: [COGNITO]

- name: Remove it
  freelancer.platform.cognito_user_pool_client:
    user_pool_id: us-east-2_AbCdEfGhI
    name: dev-freelancer-platform-freelancers-web
    state: absent
"""

RETURN = r"""
user_pool_client:
  description:
    - The client as DescribeUserPoolClient returns it, in snake case, without its secret. Empty when absent.
    - In check mode, what the client would be (no id for a client not created yet).
  returned: always
  type: dict
  contains:
    client_id:
      description: The app client id, the C(aud) claim of its ID tokens.
      type: str
      sample: 1example23456789
    client_name:
      description: The name.
      type: str
      sample: dev-freelancer-platform-freelancers-web
    user_pool_id:
      description: The user pool.
      type: str
      sample: us-east-2_AbCdEfGhI
    generate_secret:
      description: Whether the client has a secret (never returned).
      type: bool
      sample: false
    explicit_auth_flows:
      description: Allowed authentication flows.
      type: list
      elements: str
      sample: [ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH]
    access_token_validity:
      description: Access token lifetime.
      type: int
      sample: 60
    id_token_validity:
      description: ID token lifetime.
      type: int
      sample: 60
    refresh_token_validity:
      description: Refresh token lifetime.
      type: int
      sample: 30
    token_validity_units:
      description: Units of the lifetimes.
      type: dict
      sample: {"access_token": "minutes", "id_token": "minutes", "refresh_token": "days"}
    prevent_user_existence_errors:
      description: ENABLED or LEGACY.
      type: str
      sample: ENABLED
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
from ansible_collections.freelancer.platform.plugins.module_utils.cognito import list_all
from ansible_collections.freelancer.platform.plugins.module_utils.cognito import operation_members
from ansible_collections.freelancer.platform.plugins.module_utils.cognito import request_view
from ansible_collections.freelancer.platform.plugins.module_utils.cognito import scrub

UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
# (option, request field, unit key, minimum seconds, maximum seconds)
TOKENS = (
    ("access_token", "AccessTokenValidity", "AccessToken", 5 * 60, 86400),
    ("id_token", "IdTokenValidity", "IdToken", 5 * 60, 86400),
    ("refresh_token", "RefreshTokenValidity", "RefreshToken", 60 * 60, 10 * 365 * 86400),
)
RANGES = {
    "access_token": "5 minutes to 1 day",
    "id_token": "5 minutes to 1 day",
    "refresh_token": "60 minutes to 10 years",
}
LISTS = {
    "explicit_auth_flows": "ExplicitAuthFlows",
    "read_attributes": "ReadAttributes",
    "write_attributes": "WriteAttributes",
    "supported_identity_providers": "SupportedIdentityProviders",
    "callback_urls": "CallbackURLs",
    "logout_urls": "LogoutURLs",
    "allowed_oauth_flows": "AllowedOAuthFlows",
    "allowed_oauth_scopes": "AllowedOAuthScopes",
}
SCALARS = {
    "default_redirect_uri": "DefaultRedirectURI",
    "allowed_oauth_flows_user_pool_client": "AllowedOAuthFlowsUserPoolClient",
    "prevent_user_existence_errors": "PreventUserExistenceErrors",
    "enable_token_revocation": "EnableTokenRevocation",
    "auth_session_validity": "AuthSessionValidity",
}
CREATE_DEFAULTS = {
    "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    "prevent_user_existence_errors": "ENABLED",
    "enable_token_revocation": True,
}
NOT_SENT = ("UserPoolId", "ClientId", "ClientSecret", "GenerateSecret")
NAME = re.compile(r"^[\w\s+=,.@-]{1,128}$")
POOL_ID = re.compile(r"^[\w-]+_[0-9a-zA-Z]+$")


def validation_errors(params):
    """Every input AWS would refuse, named by its option; checked before any AWS call."""
    errors = []
    if not NAME.match(params["name"]):
        errors.append(f"name {params['name']!r} must be 1 to 128 letters, digits, spaces or + = , . @ - _")
    if not POOL_ID.match(params["user_pool_id"]):
        errors.append(f"user_pool_id {params['user_pool_id']!r} is not a user pool id (<region>_<id>)")
    if params["state"] == "absent":
        return errors

    units = params["token_validity_units"] or {}
    for option, _, _, low, high in TOKENS:
        value = params[f"{option}_validity"]
        unit = units.get(option) or ("days" if option == "refresh_token" else "hours")
        if value is None:
            continue
        seconds = value * UNIT_SECONDS[unit]
        if not low <= seconds <= high:
            errors.append(f"{option}_validity {value} {unit} is out of range: AWS accepts {RANGES[option]}")

    session = params["auth_session_validity"]
    if session is not None and not 3 <= session <= 15:
        errors.append(f"auth_session_validity must be from 3 to 15 minutes, got {session}")
    for option in ("callback_urls", "logout_urls"):
        for url in params[option] or []:
            if not (url.startswith("https://") or re.match(r"^http://localhost(:\d+)?(/|$)", url)):
                errors.append(f"{option}: {url!r} must be an HTTPS URL (or http://localhost)")
    redirect = params["default_redirect_uri"]
    if redirect is not None and redirect not in (params["callback_urls"] or []):
        errors.append("default_redirect_uri must be one of callback_urls")
    return errors


def find_client(client, module):
    """(pool exists, the client described or None)."""
    pool_id, name = module.params["user_pool_id"], module.params["name"]
    try:
        clients = [
            c
            for c in list_all(client, "list_user_pool_clients", "UserPoolClients", UserPoolId=pool_id)
            if c.get("ClientName") == name
        ]
    except is_boto3_error_code("ResourceNotFoundException"):
        return False, None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not list the app clients of user pool {pool_id}")
    if len(clients) > 1:
        module.fail_json(
            msg=f"{len(clients)} app clients of user pool {pool_id} are named {name}: "
            f"{', '.join(sorted(c['ClientId'] for c in clients))}. Delete all but one by hand; this module will not choose."
        )
    if not clients:
        return True, None
    return True, describe_client(client, module, pool_id, clients[0]["ClientId"])


def describe_client(client, module, pool_id, client_id):
    try:
        return client.describe_user_pool_client(aws_retry=True, UserPoolId=pool_id, ClientId=client_id)[
            "UserPoolClient"
        ]
    except is_boto3_error_code("ResourceNotFoundException"):
        return None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not describe app client {client_id} of user pool {pool_id}")


def normalise(app_client):
    """The client as returned and diffed: snake case, no secret, no timestamps."""
    if not app_client:
        return {}
    view = {k: v for k, v in app_client.items() if k not in ("ClientSecret", "CreationDate", "LastModifiedDate")}
    result = camel_dict_to_snake_dict(comparable(view))
    result["generate_secret"] = bool(app_client.get("ClientSecret") or app_client.get("GenerateSecret"))
    return result


def comparable(view):
    view = scrub(copy.deepcopy(view))
    for field in LISTS.values():
        if field in view:
            view[field] = sorted(view[field])
    return view


def overlay(app_client, params):
    """A copy of the client (CamelCase, as described) with the requested settings laid over it."""
    creating = not app_client
    desired = (
        copy.deepcopy(app_client)
        if app_client
        else {"ClientName": params["name"], "UserPoolId": params["user_pool_id"]}
    )
    values = dict(params)
    if creating:
        for option, default in CREATE_DEFAULTS.items():
            if values[option] is None:
                values[option] = default
    for option, field in LISTS.items():
        if values[option] is not None:
            desired[field] = sorted(values[option])
    for option, field in SCALARS.items():
        if values[option] is not None:
            desired[field] = values[option]
    units = values["token_validity_units"] or {}
    for option, field, unit_key, _, _ in TOKENS:
        if values[f"{option}_validity"] is not None:
            desired[field] = values[f"{option}_validity"]
            desired.setdefault("TokenValidityUnits", {})[unit_key] = units.get(option) or (
                "days" if option == "refresh_token" else "hours"
            )
    return desired


def diff(module, before, after):
    return {"diff": {"before": before, "after": after}} if module._diff else {}


def main():
    argument_spec = dict(
        user_pool_id=dict(type="str", required=True),
        name=dict(type="str", required=True, aliases=["client_name"]),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        generate_secret=dict(type="bool", no_log=False),
        explicit_auth_flows=dict(
            type="list",
            elements="str",
            choices=[
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
                "ALLOW_USER_PASSWORD_AUTH",
                "ALLOW_CUSTOM_AUTH",
                "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                "ALLOW_USER_AUTH",
            ],
        ),
        access_token_validity=dict(type="int", no_log=False),
        id_token_validity=dict(type="int", no_log=False),
        refresh_token_validity=dict(type="int", no_log=False),
        token_validity_units=dict(
            type="dict",
            no_log=False,
            options=dict(
                access_token=dict(
                    type="str", default="hours", choices=["seconds", "minutes", "hours", "days"], no_log=False
                ),
                id_token=dict(
                    type="str", default="hours", choices=["seconds", "minutes", "hours", "days"], no_log=False
                ),
                refresh_token=dict(
                    type="str", default="days", choices=["seconds", "minutes", "hours", "days"], no_log=False
                ),
            ),
        ),
        prevent_user_existence_errors=dict(type="str", choices=["ENABLED", "LEGACY"]),
        enable_token_revocation=dict(type="bool", no_log=False),
        auth_session_validity=dict(type="int"),
        read_attributes=dict(type="list", elements="str"),
        write_attributes=dict(type="list", elements="str"),
        supported_identity_providers=dict(type="list", elements="str"),
        callback_urls=dict(type="list", elements="str"),
        logout_urls=dict(type="list", elements="str"),
        default_redirect_uri=dict(type="str"),
        allowed_oauth_flows=dict(type="list", elements="str", choices=["code", "implicit", "client_credentials"]),
        allowed_oauth_scopes=dict(type="list", elements="str"),
        allowed_oauth_flows_user_pool_client=dict(type="bool"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    errors = validation_errors(module.params)
    if errors:
        module.fail_json(msg="Invalid input, nothing was sent to AWS: " + "; ".join(errors), errors=errors)

    params = module.params
    pool_id, name = params["user_pool_id"], params["name"]
    client = module.client("cognito-idp", retry_decorator=AWSRetry.jittered_backoff(retries=10))
    pool_exists, current = find_client(client, module)
    before = normalise(current)

    if params["state"] == "absent":
        if current and not module.check_mode:
            try:
                client.delete_user_pool_client(aws_retry=True, UserPoolId=pool_id, ClientId=current["ClientId"])
            except is_boto3_error_code("ResourceNotFoundException"):
                pass
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
                module.fail_json_aws(e, msg=f"Could not delete app client {name} of user pool {pool_id}")
        module.exit_json(changed=bool(current), user_pool_client={}, **diff(module, before, {}))

    if not pool_exists:
        module.fail_json(msg=f"User pool {pool_id} does not exist: create it before its app client {name}")

    has_secret = bool(current and current.get("ClientSecret"))
    if current and params["generate_secret"] is not None and params["generate_secret"] != has_secret:
        module.fail_json(
            msg=f"App client {name} ({current['ClientId']}) was created {'with' if has_secret else 'without'} a secret and "
            f"generate_secret: {params['generate_secret']} was requested. AWS cannot change that on an existing client: "
            "remove it (state: absent) and create it again, knowing that its client id changes and every app using it "
            "must be updated. Nothing was changed."
        )

    desired = overlay(current, params)
    if not current:
        after = normalise(desired)
        after["generate_secret"] = bool(params["generate_secret"])
        if not module.check_mode:
            request = request_view(desired, operation_members(client, "CreateUserPoolClient"), exclude=NOT_SENT)
            try:
                created = client.create_user_pool_client(
                    aws_retry=True,
                    UserPoolId=pool_id,
                    GenerateSecret=bool(params["generate_secret"]),
                    **request,
                )["UserPoolClient"]
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg=f"Could not create app client {name} in user pool {pool_id}")
            after = normalise(describe_client(client, module, pool_id, created["ClientId"]))
        module.exit_json(changed=True, user_pool_client=after, **diff(module, before, after))

    members = operation_members(client, "UpdateUserPoolClient")
    current_view = comparable(request_view(current, members, exclude=NOT_SENT))
    desired_view = comparable(request_view(desired, members, exclude=NOT_SENT))
    if current_view == desired_view:
        module.exit_json(changed=False, user_pool_client=before, **diff(module, before, before))

    after = normalise(desired)
    if not module.check_mode:
        try:
            client.update_user_pool_client(
                aws_retry=True, UserPoolId=pool_id, ClientId=current["ClientId"], **desired_view
            )
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Could not update app client {name} of user pool {pool_id}")
        after = normalise(describe_client(client, module, pool_id, current["ClientId"]))
    module.exit_json(changed=True, user_pool_client=after, **diff(module, before, after))


if __name__ == "__main__":
    main()
