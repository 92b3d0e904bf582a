"""ID-4 on moto in-process: two pools made by cognito_user_pool and cognito_user_pool_client,
a user signed in to each, and roles/cognito/files/token_verifier.py accepting a token only
for the pool that issued it (issuer, audience, token_use, signature, expiry, user type)."""

from __future__ import annotations

import importlib.util
import pathlib
import sys
import time
import uuid

import boto3
import pytest
import requests
from ansible_collections.freelancer.platform.plugins.modules import cognito_user_pool
from ansible_collections.freelancer.platform.plugins.modules import cognito_user_pool_client
from joserfc import jwk
from joserfc import jwt

ROOT = pathlib.Path(__file__).resolve().parents[4]
_spec = importlib.util.spec_from_file_location(
    "token_verifier", ROOT / "roles" / "cognito" / "files" / "token_verifier.py"
)
token_verifier = importlib.util.module_from_spec(_spec)
sys.modules["token_verifier"] = token_verifier  # dataclasses look their module up
_spec.loader.exec_module(token_verifier)

PASSWORD = "Correct-Horse-42-battery"  # a throwaway user on moto
USER_TYPES = ("freelancer", "client")


def idp():
    return boto3.client("cognito-idp", region_name="us-east-2")


def fetch_through_moto(url):
    """The pool's JWKS as moto serves it at the AWS address (requests is intercepted by mock_aws)."""
    response = requests.get(url, timeout=5)
    response.raise_for_status()
    return response.json()


@pytest.fixture
def platform(run_module, mocked_aws):
    """Both pools and their app clients, as the role makes them: {user type: PoolTrust}."""
    trusts = {}
    for user_type in USER_TYPES:
        pool, failed = run_module(
            cognito_user_pool,
            {
                "name": f"test-freelancer-platform-{user_type}s",
                "username_attributes": ["email"],
                "auto_verified_attributes": ["email"],
                "custom_attributes": [{"name": "user_type", "mutable": False, "min_length": 1, "max_length": 16}],
                "region": "us-east-2",
            },
        )
        assert not failed, pool
        app, failed = run_module(
            cognito_user_pool_client,
            {
                "user_pool_id": pool["user_pool"]["id"],
                "name": f"test-freelancer-platform-{user_type}s-web",
                "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"],
                "read_attributes": ["email", "custom:user_type"],
                "write_attributes": ["email", "custom:user_type"],
                "region": "us-east-2",
            },
        )
        assert not failed, app
        trusts[user_type] = token_verifier.PoolTrust(
            user_type=user_type, issuer=pool["user_pool"]["issuer"], client_id=app["user_pool_client"]["client_id"]
        )
    return trusts


def verifier(trust, **kwargs):
    return token_verifier.TokenVerifier(trust, fetch=fetch_through_moto, **kwargs)


def sign_in(trust, user_type_claim):
    """Sign a new user up through the app client, confirm it as an administrator, sign in: the tokens."""
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    cognito = idp()
    cognito.sign_up(
        ClientId=trust.client_id,
        Username=email,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "custom:user_type", "Value": user_type_claim}],
    )
    pool_id = trust.issuer.rsplit("/", 1)[1]
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username=email)
    answer = cognito.initiate_auth(
        ClientId=trust.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )
    return answer["AuthenticationResult"]


@pytest.fixture
def moto_signing_key():
    from moto.utilities.utils import load_resource

    return jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))


@pytest.mark.parametrize("user_type", USER_TYPES)
def test_a_token_is_accepted_by_its_own_pool_and_names_the_role(platform, user_type):
    tokens = sign_in(platform[user_type], user_type)
    identity = verifier(platform[user_type]).verify(tokens["IdToken"])
    assert identity.user_type == user_type
    assert identity.claims["custom:user_type"] == user_type
    assert identity.claims["token_use"] == "id" and identity.user_id
    access = verifier(platform[user_type]).verify(tokens["AccessToken"], use="access")
    assert access.user_id == identity.user_id and access.user_type == user_type


@pytest.mark.parametrize(("user_type", "other"), [("freelancer", "client"), ("client", "freelancer")])
def test_a_token_is_rejected_by_the_other_pool(platform, user_type, other):
    tokens = sign_in(platform[user_type], user_type)
    with pytest.raises(token_verifier.TokenRejected, match="issuer"):
        verifier(platform[other]).verify(tokens["IdToken"])
    with pytest.raises(token_verifier.TokenRejected, match="issuer"):
        verifier(platform[other]).verify(tokens["AccessToken"], use="access")
    # Even a verifier that trusted the other pool's issuer would refuse another audience.
    borrowed = token_verifier.PoolTrust(other, platform[user_type].issuer, platform[other].client_id)
    with pytest.raises(token_verifier.TokenRejected, match="aud"):
        verifier(borrowed).verify(tokens["IdToken"])
    identity = token_verifier.identify(tokens["IdToken"], [verifier(t) for t in platform.values()])
    assert identity.user_type == user_type


def test_a_user_who_wrote_another_type_is_refused(platform):
    tokens = sign_in(platform["freelancer"], "client")
    with pytest.raises(token_verifier.TokenRejected, match="does not match the pool's user type 'freelancer'"):
        verifier(platform["freelancer"]).verify(tokens["IdToken"])
    with pytest.raises(token_verifier.TokenRejected, match="no user pool accepts the token"):
        token_verifier.identify(tokens["IdToken"], [verifier(t) for t in platform.values()])


def test_token_use_must_be_the_expected_one(platform):
    tokens = sign_in(platform["client"], "client")
    with pytest.raises(token_verifier.TokenRejected, match="token_use 'access' where 'id' is expected"):
        verifier(platform["client"]).verify(tokens["AccessToken"])
    with pytest.raises(token_verifier.TokenRejected, match="token_use 'id' where 'access' is expected"):
        verifier(platform["client"]).verify(tokens["IdToken"], use="access")


def test_expired_forged_and_malformed_tokens_are_refused(platform, moto_signing_key):
    trust = platform["freelancer"]
    tokens = sign_in(trust, "freelancer")
    claims = dict(jwt.decode(tokens["IdToken"], moto_signing_key).claims)

    expired = jwt.encode({"alg": "RS256", "kid": "dummy"}, {**claims, "exp": int(time.time()) - 3600}, moto_signing_key)
    with pytest.raises(token_verifier.TokenRejected, match="expired"):
        verifier(trust).verify(expired)

    intruder = jwk.RSAKey.generate_key(2048)
    forged = jwt.encode({"alg": "RS256", "kid": "dummy"}, claims, intruder)
    with pytest.raises(token_verifier.TokenRejected, match="signature not valid"):
        verifier(trust).verify(forged)

    unknown_key = jwt.encode({"alg": "RS256", "kid": "rotated-away"}, claims, moto_signing_key)
    with pytest.raises(token_verifier.TokenRejected, match="'rotated-away' is not one of the keys"):
        verifier(trust).verify(unknown_key)

    header, payload, signature = tokens["IdToken"].split(".")
    with pytest.raises(token_verifier.TokenRejected, match="algorithm 'none'"):
        verifier(trust).verify("eyJhbGciOiJub25lIiwia2lkIjoiZHVtbXkifQ." + payload + ".")
    with pytest.raises(token_verifier.TokenRejected, match="malformed"):
        verifier(trust).verify("not a token")
    assert verifier(trust).verify(f"{header}.{payload}.{signature}").user_type == "freelancer"


def test_keys_are_fetched_once_and_again_only_for_an_unknown_key(platform):
    calls = []

    def counting(url):
        calls.append(url)
        return fetch_through_moto(url)

    trust = platform["client"]
    check = token_verifier.TokenVerifier(trust, fetch=counting)
    for _ in range(3):
        check.verify(sign_in(trust, "client")["IdToken"])
    assert calls == [f"{trust.issuer}/.well-known/jwks.json"]
