"""freelancer.platform.cognito_user_pool_client against moto in-process: check, create without a
secret, idempotency, updates that keep unspecified settings, the secret that cannot change,
delete, and inputs refused before any AWS call."""

from __future__ import annotations

import json

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import cognito_user_pool_client

NAME = "test-freelancer-platform-freelancers-web"


def idp():
    return boto3.client("cognito-idp", region_name="us-east-2")


@pytest.fixture
def pool_id(mocked_aws):
    return idp().create_user_pool(PoolName="test-freelancer-platform-freelancers")["UserPool"]["Id"]


def clients(pool_id):
    return [
        c
        for c in idp().list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
        if c["ClientName"] == NAME
    ]


def describe(pool_id):
    (found,) = clients(pool_id)
    return idp().describe_user_pool_client(UserPoolId=pool_id, ClientId=found["ClientId"])["UserPoolClient"]


def args(pool_id, **extra):
    base = {
        "user_pool_id": pool_id,
        "name": NAME,
        "generate_secret": False,
        "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "access_token_validity": 60,
        "id_token_validity": 60,
        "refresh_token_validity": 30,
        "token_validity_units": {"access_token": "minutes", "id_token": "minutes", "refresh_token": "days"},
        "prevent_user_existence_errors": "ENABLED",
        "enable_token_revocation": True,
        "read_attributes": ["email", "email_verified", "custom:user_type"],
        "write_attributes": ["email", "custom:user_type"],
        "supported_identity_providers": ["COGNITO"],
        "region": "us-east-2",
    }
    base.update(extra)
    return base


@pytest.fixture
def no_aws_call(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("the module called AWS before refusing its input")

    monkeypatch.setattr(cognito_user_pool_client.AnsibleAWSModule, "client", refuse)


def test_check_mode_on_nothing_reports_a_change_and_creates_nothing(run_module, pool_id):
    result, failed = run_module(cognito_user_pool_client, args(pool_id), check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["user_pool_client"]["client_name"] == NAME
    assert "client_id" not in result["user_pool_client"]
    assert clients(pool_id) == []


def test_create_without_a_secret_then_reruns_change_nothing(run_module, pool_id):
    result, failed = run_module(cognito_user_pool_client, args(pool_id))
    assert not failed, result
    assert result["changed"] is True
    created = result["user_pool_client"]
    assert created["client_id"] and created["generate_secret"] is False
    assert created["explicit_auth_flows"] == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
    assert created["prevent_user_existence_errors"] == "ENABLED"
    assert created["token_validity_units"] == {
        "access_token": "minutes",
        "id_token": "minutes",
        "refresh_token": "days",
    }

    described = describe(pool_id)
    assert "ClientSecret" not in described
    assert described["AccessTokenValidity"] == 60 and described["RefreshTokenValidity"] == 30
    assert sorted(described["ReadAttributes"]) == ["custom:user_type", "email", "email_verified"]

    again, failed = run_module(cognito_user_pool_client, args(pool_id))
    assert not failed and again["changed"] is False
    assert again["user_pool_client"]["client_id"] == created["client_id"]

    preview, _ = run_module(cognito_user_pool_client, args(pool_id), check_mode=True, diff=True)
    assert preview["changed"] is False and preview["diff"]["before"] == preview["diff"]["after"]


def test_defaults_on_creation_are_the_secure_ones(run_module, pool_id):
    result, failed = run_module(
        cognito_user_pool_client, {"user_pool_id": pool_id, "name": NAME, "region": "us-east-2"}
    )
    assert not failed, result
    described = describe(pool_id)
    assert sorted(described["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
    assert described["PreventUserExistenceErrors"] == "ENABLED"
    assert described["EnableTokenRevocation"] is True
    assert "ClientSecret" not in described


def test_update_of_one_setting_keeps_every_unspecified_one(run_module, pool_id):
    first, _ = run_module(cognito_user_pool_client, args(pool_id))
    flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"]
    result, failed = run_module(
        cognito_user_pool_client,
        {"user_pool_id": pool_id, "name": NAME, "explicit_auth_flows": flows, "region": "us-east-2"},
        diff=True,
    )
    assert not failed, result
    assert result["changed"] is True
    assert "ALLOW_USER_PASSWORD_AUTH" not in result["diff"]["before"]["explicit_auth_flows"]
    assert "ALLOW_USER_PASSWORD_AUTH" in result["diff"]["after"]["explicit_auth_flows"]
    described = describe(pool_id)
    assert described["ClientId"] == first["user_pool_client"]["client_id"]
    assert sorted(described["ExplicitAuthFlows"]) == sorted(flows)
    assert described["AccessTokenValidity"] == 60
    assert described["TokenValidityUnits"] == {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}
    assert sorted(described["WriteAttributes"]) == ["custom:user_type", "email"]
    assert described["PreventUserExistenceErrors"] == "ENABLED"

    again, _ = run_module(cognito_user_pool_client, args(pool_id, explicit_auth_flows=flows))
    assert again["changed"] is False

    shorter, _ = run_module(
        cognito_user_pool_client, args(pool_id, explicit_auth_flows=flows, access_token_validity=15)
    )
    assert shorter["changed"] is True and describe(pool_id)["AccessTokenValidity"] == 15


def test_the_secret_cannot_change_and_is_never_returned(run_module, pool_id):
    run_module(cognito_user_pool_client, args(pool_id))
    result, failed = run_module(cognito_user_pool_client, args(pool_id, generate_secret=True))
    assert failed
    assert "was created without a secret and generate_secret: True was requested" in result["msg"]
    assert "remove it (state: absent) and create it again" in result["msg"]
    assert "ClientSecret" not in describe(pool_id)

    other = "test-freelancer-platform-backend"
    with_secret, failed = run_module(
        cognito_user_pool_client,
        {"user_pool_id": pool_id, "name": other, "generate_secret": True, "region": "us-east-2"},
        diff=True,
    )
    assert not failed, with_secret
    assert with_secret["user_pool_client"]["generate_secret"] is True
    client_id = with_secret["user_pool_client"]["client_id"]
    secret = idp().describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]["ClientSecret"]
    assert secret not in json.dumps(with_secret)
    rerun, _ = run_module(
        cognito_user_pool_client,
        {"user_pool_id": pool_id, "name": other, "generate_secret": True, "region": "us-east-2"},
        diff=True,
    )
    assert rerun["changed"] is False and secret not in json.dumps(rerun)


def test_absent_deletes_then_is_idempotent(run_module, pool_id):
    run_module(cognito_user_pool_client, args(pool_id))
    preview, _ = run_module(cognito_user_pool_client, args(pool_id, state="absent"), check_mode=True)
    assert preview["changed"] is True and len(clients(pool_id)) == 1
    result, failed = run_module(cognito_user_pool_client, args(pool_id, state="absent"))
    assert not failed and result["changed"] is True and clients(pool_id) == []
    again, _ = run_module(cognito_user_pool_client, args(pool_id, state="absent"))
    assert again["changed"] is False


def test_a_missing_pool_fails_clearly_and_absent_is_a_no_op(run_module, mocked_aws):
    missing = "us-east-2_doesnotexist0"
    result, failed = run_module(cognito_user_pool_client, args(missing))
    assert failed and f"User pool {missing} does not exist" in result["msg"]
    gone, failed = run_module(cognito_user_pool_client, args(missing, state="absent"))
    assert not failed and gone["changed"] is False


def test_two_clients_with_the_name_fail_without_choosing(run_module, pool_id):
    for _ in range(2):
        idp().create_user_pool_client(UserPoolId=pool_id, ClientName=NAME)
    result, failed = run_module(cognito_user_pool_client, args(pool_id))
    assert failed and f"2 app clients of user pool {pool_id} are named {NAME}" in result["msg"]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            {"access_token_validity": 4, "token_validity_units": {"access_token": "minutes"}},
            "access_token_validity 4 minutes is out of range: AWS accepts 5 minutes to 1 day",
        ),
        ({"access_token_validity": 25}, "access_token_validity 25 hours is out of range"),
        (
            {"id_token_validity": 2, "token_validity_units": {"id_token": "days"}},
            "id_token_validity 2 days is out of range",
        ),
        (
            {"refresh_token_validity": 3651},
            "refresh_token_validity 3651 days is out of range: AWS accepts 60 minutes to 10 years",
        ),
        (
            {"refresh_token_validity": 59, "token_validity_units": {"refresh_token": "minutes"}},
            "refresh_token_validity 59 minutes is out of range",
        ),
        ({"auth_session_validity": 20}, "auth_session_validity must be from 3 to 15 minutes, got 20"),
        ({"callback_urls": ["http://app.example.com/cb"]}, "must be an HTTPS URL"),
        ({"default_redirect_uri": "https://app.example.com/cb"}, "default_redirect_uri must be one of callback_urls"),
        ({"user_pool_id": "not-a-pool"}, "user_pool_id 'not-a-pool' is not a user pool id"),
    ],
)
def test_bad_input_fails_before_any_aws_call(run_module, pool_id, no_aws_call, extra, expected):
    result, failed = run_module(
        cognito_user_pool_client, {"user_pool_id": pool_id, "name": NAME, "region": "us-east-2", **extra}
    )
    assert failed
    assert expected in result["msg"], result["msg"]
    assert result["msg"].startswith("Invalid input, nothing was sent to AWS")


def test_the_limits_themselves_are_accepted(run_module, pool_id):
    limits = {
        "access_token_validity": 5,
        "id_token_validity": 1,
        "refresh_token_validity": 60,
        "token_validity_units": {"access_token": "minutes", "id_token": "days", "refresh_token": "minutes"},
        "callback_urls": ["https://app.example.com/cb", "http://localhost:3000/cb"],
        "default_redirect_uri": "https://app.example.com/cb",
    }
    result, failed = run_module(
        cognito_user_pool_client, {"user_pool_id": pool_id, "name": NAME, "region": "us-east-2", **limits}
    )
    assert not failed, result
    assert describe(pool_id)["RefreshTokenValidity"] == 60
    longest, failed = run_module(
        cognito_user_pool_client,
        {"user_pool_id": pool_id, "name": NAME, "refresh_token_validity": 3650, "region": "us-east-2"},
    )
    assert not failed and longest["changed"] is True
    assert describe(pool_id)["TokenValidityUnits"]["RefreshToken"] == "days"
