"""ID-1 to ID-4, asserted on the converged emulator: both user pools with their attributes and
policies, the app clients, and sign-up, confirmation and sign-in in each pool with tokens that
only their own pool's verification accepts."""

from __future__ import annotations

import importlib.util
import sys
import uuid

import inventory_of_resources
import pytest
import yaml
from conftest import PROJECT

ROLE = PROJECT / "roles" / "cognito"
_spec = importlib.util.spec_from_file_location("token_verifier", ROLE / "files" / "token_verifier.py")
token_verifier = importlib.util.module_from_spec(_spec)
sys.modules["token_verifier"] = token_verifier
_spec.loader.exec_module(token_verifier)

USER_TYPES = ("freelancer", "client")
ATTRIBUTES = {
    "freelancer": {"user_type", "skills", "hourly_rate", "portfolio_links", "experience_level"},
    "client": {"user_type", "company_name", "industry", "budget_preference"},
}
PASSWORD = "Verify-Me-2024-please!"


class _DefaultsLoader(yaml.SafeLoader):
    """Reads the role's defaults, where ``!unsafe`` marks strings Jinja must not template."""


_DefaultsLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


@pytest.fixture(scope="module")
def role_defaults():
    return yaml.load((ROLE / "defaults" / "main.yml").read_text(), Loader=_DefaultsLoader)  # noqa: S506 - SafeLoader subclass


@pytest.fixture(scope="module")
def idp(aws):
    return aws("cognito-idp")


@pytest.fixture(scope="module")
def pools(idp, prefix):
    """{user type: DescribeUserPool} for the environment's two pools, found by name."""
    every = [
        p
        for page in idp.get_paginator("list_user_pools").paginate(PaginationConfig={"PageSize": 60})
        for p in page["UserPools"]
    ]
    found = {}
    for user_type in USER_TYPES:
        named = [p for p in every if p["Name"] == f"{prefix}-{user_type}s"]
        assert len(named) == 1, f"expected exactly one user pool named {prefix}-{user_type}s"
        found[user_type] = idp.describe_user_pool(UserPoolId=named[0]["Id"])["UserPool"]
    return found


@pytest.fixture(scope="module")
def app_clients(idp, pools, prefix):
    found = {}
    for user_type, pool in pools.items():
        named = [
            c
            for c in idp.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)["UserPoolClients"]
            if c["ClientName"] == f"{prefix}-{user_type}s-web"
        ]
        assert len(named) == 1, f"expected one app client {prefix}-{user_type}s-web"
        found[user_type] = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=named[0]["ClientId"])[
            "UserPoolClient"
        ]
    return found


@pytest.fixture(scope="module")
def verifiers(pools, app_clients, outputs):
    """A token verifier per pool, reading the pool's JWKS from the emulator."""
    endpoint = inventory_of_resources.endpoint_url()
    return {
        user_type: token_verifier.TokenVerifier(
            token_verifier.PoolTrust(
                user_type=user_type,
                issuer=outputs[f"{user_type}_user_pool_issuer"],
                client_id=outputs[f"{user_type}_user_pool_client_id"],
                jwks_url=f"{endpoint}/{pools[user_type]['Id']}/.well-known/jwks.json",
            )
        )
        for user_type in USER_TYPES
    }


def sign_in(idp, pool, app_client, user_type_claim, extra=()):
    """Sign a new user up through the app client, confirm it as an administrator, sign in."""
    email = f"verify-{uuid.uuid4().hex[:10]}@example.com"
    attributes = [{"Name": "email", "Value": email}, {"Name": "custom:user_type", "Value": user_type_claim}, *extra]
    idp.sign_up(ClientId=app_client["ClientId"], Username=email, Password=PASSWORD, UserAttributes=attributes)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=email)
    answer = idp.initiate_auth(
        ClientId=app_client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )
    return answer["AuthenticationResult"]


def custom_attributes(pool):
    return {a["Name"][len("custom:") :]: a for a in pool["SchemaAttributes"] if a["Name"].startswith("custom:")}


def test_two_pools_with_their_custom_attributes(pools, outputs):
    assert pools["freelancer"]["Id"] != pools["client"]["Id"]
    for user_type, pool in pools.items():
        attributes = custom_attributes(pool)
        assert set(attributes) == ATTRIBUTES[user_type]
        assert attributes["user_type"]["AttributeDataType"] == "String"
        assert attributes["user_type"]["Mutable"] is False, "user_type must be immutable"
        assert all(a["Mutable"] for name, a in attributes.items() if name != "user_type")
        assert outputs[f"{user_type}_user_pool_id"] == pool["Id"]
        assert outputs[f"{user_type}_user_pool_issuer"] == f"https://cognito-idp.us-east-2.amazonaws.com/{pool['Id']}"
    rate = custom_attributes(pools["freelancer"])["hourly_rate"]
    assert rate["AttributeDataType"] == "Number"
    assert rate["NumberAttributeConstraints"] == {"MinValue": "0", "MaxValue": "10000"}


def test_password_policy_per_pool(pools, role_defaults):
    for user_type, pool in pools.items():
        policy = pool["Policies"]["PasswordPolicy"]
        wanted = role_defaults[f"cognito_{user_type}_password_policy"]
        assert policy["MinimumLength"] == wanted["minimum_length"] >= 12
        assert (
            policy["RequireUppercase"]
            and policy["RequireLowercase"]
            and policy["RequireNumbers"]
            and policy["RequireSymbols"]
        )
        assert policy["TemporaryPasswordValidityDays"] == wanted["temporary_password_validity_days"]
    assert pools["freelancer"]["Policies"] != pools["client"]["Policies"], "each pool has its own policy"


def test_mfa_is_totp_and_as_the_environment_says(idp, pools, inventory_vars):
    for pool in pools.values():
        answer = idp.get_user_pool_mfa_config(UserPoolId=pool["Id"])
        assert answer["MfaConfiguration"] == inventory_vars["cognito_mfa_configuration"] == "OPTIONAL"
        assert answer["SoftwareTokenMfaConfiguration"] == {"Enabled": True}


def test_email_sign_in_verification_and_recovery(pools, expected_tags, prefix):
    for user_type, pool in pools.items():
        assert pool["UsernameAttributes"] == ["email"]
        assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
        assert pool["AutoVerifiedAttributes"] == ["email"]
        template = pool["VerificationMessageTemplate"]
        assert template["DefaultEmailOption"] == "CONFIRM_WITH_CODE"
        assert "{####}" in template["EmailMessage"] and template["EmailSubject"]
        assert pool["AccountRecoverySetting"] == {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]}
        assert pool["DeletionProtection"] == "INACTIVE"
        tags = pool["UserPoolTags"]
        assert tags.items() >= expected_tags.items()
        assert tags["Name"] == f"{prefix}-{user_type}s" and tags["UserType"] == user_type


def test_app_clients_have_no_secret_and_set_token_lifetimes(app_clients, outputs, role_defaults):
    for user_type, app_client in app_clients.items():
        assert "ClientSecret" not in app_client
        assert outputs[f"{user_type}_user_pool_client_id"] == app_client["ClientId"]
        # USER_PASSWORD_AUTH only because the local inventory sets cognito_allow_password_auth for these tests.
        assert sorted(app_client["ExplicitAuthFlows"]) == [
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_USER_SRP_AUTH",
        ]
        assert app_client["AccessTokenValidity"] == role_defaults["cognito_access_token_validity_minutes"]
        assert app_client["IdTokenValidity"] == role_defaults["cognito_id_token_validity_minutes"]
        assert app_client["RefreshTokenValidity"] == role_defaults["cognito_refresh_token_validity_days"]
        assert app_client["TokenValidityUnits"] == {
            "AccessToken": "minutes",
            "IdToken": "minutes",
            "RefreshToken": "days",
        }
        assert app_client["PreventUserExistenceErrors"] == "ENABLED"
        assert app_client["EnableTokenRevocation"] is True
        assert "custom:user_type" in app_client["ReadAttributes"]


def test_jwks_is_served_per_pool(pools):
    endpoint = inventory_of_resources.endpoint_url()
    for pool in pools.values():
        keys = token_verifier.fetch_jwks(f"{endpoint}/{pool['Id']}/.well-known/jwks.json")["keys"]
        assert keys and all(k["kty"] == "RSA" and k["alg"] == "RS256" and k["kid"] for k in keys)


@pytest.mark.parametrize("user_type", USER_TYPES)
def test_sign_up_confirm_and_sign_in_then_the_role_is_in_the_token(idp, pools, app_clients, verifiers, user_type):
    extra = [{"Name": "custom:hourly_rate", "Value": "85"}] if user_type == "freelancer" else []
    tokens = sign_in(idp, pools[user_type], app_clients[user_type], user_type, extra)
    identity = verifiers[user_type].verify(tokens["IdToken"])
    assert identity.user_type == user_type
    assert identity.claims["custom:user_type"] == user_type
    assert identity.claims["aud"] == app_clients[user_type]["ClientId"]
    access = verifiers[user_type].verify(tokens["AccessToken"], use="access")
    assert access.user_id == identity.user_id
    assert token_verifier.identify(tokens["IdToken"], verifiers.values()).user_type == user_type

    refreshed = idp.initiate_auth(
        ClientId=app_clients[user_type]["ClientId"],
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )["AuthenticationResult"]
    assert verifiers[user_type].verify(refreshed["IdToken"]).user_id == identity.user_id


@pytest.mark.parametrize(("user_type", "other"), [("freelancer", "client"), ("client", "freelancer")])
def test_a_token_of_one_pool_is_rejected_by_the_other(idp, pools, app_clients, verifiers, user_type, other):
    tokens = sign_in(idp, pools[user_type], app_clients[user_type], user_type)
    with pytest.raises(token_verifier.TokenRejected, match="issuer"):
        verifiers[other].verify(tokens["IdToken"])
    with pytest.raises(token_verifier.TokenRejected, match="issuer"):
        verifiers[other].verify(tokens["AccessToken"], use="access")
    # The audience differs too: a verifier given this pool's issuer but the other pool's client refuses it.
    mixed = token_verifier.TokenVerifier(
        token_verifier.PoolTrust(
            other,
            verifiers[user_type].trust.issuer,
            app_clients[other]["ClientId"],
            verifiers[user_type].trust.jwks_url,
        )
    )
    with pytest.raises(token_verifier.TokenRejected, match="aud"):
        mixed.verify(tokens["IdToken"])


def test_a_user_type_written_into_the_wrong_pool_is_refused(idp, pools, app_clients, verifiers):
    tokens = sign_in(idp, pools["freelancer"], app_clients["freelancer"], "client")
    with pytest.raises(token_verifier.TokenRejected, match="does not match the pool's user type"):
        verifiers["freelancer"].verify(tokens["IdToken"])
    with pytest.raises(token_verifier.TokenRejected, match="no user pool accepts the token"):
        token_verifier.identify(tokens["IdToken"], verifiers.values())
