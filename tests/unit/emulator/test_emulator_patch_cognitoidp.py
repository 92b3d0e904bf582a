"""Cognito user pools: create-only settings survive UpdateUserPool, deletion protection is
honoured .

Each test states the AWS behaviour; ``test_plain_moto_*`` show that moto 5.2.5 differs without the patch.
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws


@pytest.fixture
def patched_aws(patched: list[str]) -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def plain() -> Iterator[None]:
    with mock_aws():
        yield


def _pool(**extra):
    idp = boto3.client("cognito-idp")
    pool_id = idp.create_user_pool(
        PoolName="pool",
        UsernameAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        **extra,
    )["UserPool"]["Id"]
    return idp, pool_id


def _sign_up(idp, pool_id: str) -> str:
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web")["UserPoolClient"]["ClientId"]
    idp.sign_up(ClientId=client_id, Username="ann@example.com", Password="Long-enough-1!")
    return client_id


def test_update_user_pool_keeps_username_attributes_and_case_sensitivity(patched_aws: None) -> None:
    """AWS: UpdateUserPool cannot change UsernameAttributes or UsernameConfiguration; they stay as created."""
    idp, pool_id = _pool()
    _sign_up(idp, pool_id)
    idp.update_user_pool(UserPoolId=pool_id, Policies={"PasswordPolicy": {"MinimumLength": 10}})
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 10
    # Users are still found by their email.
    assert idp.admin_get_user(UserPoolId=pool_id, Username="ann@example.com")["UserAttributes"]


def test_update_user_pool_mfa_configuration_is_one_value(patched_aws: None) -> None:
    """AWS: after UpdateUserPool(MfaConfiguration=...), DescribeUserPool and GetUserPoolMfaConfig agree."""
    idp, pool_id = _pool()
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    idp.update_user_pool(UserPoolId=pool_id, MfaConfiguration="OFF")
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["MfaConfiguration"] == "OFF"
    assert idp.get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] == "OFF"


def test_delete_user_pool_refuses_a_protected_pool(patched_aws: None) -> None:
    """AWS: InvalidParameterException while DeletionProtection is ACTIVE; deleted once INACTIVE."""
    idp, pool_id = _pool(DeletionProtection="ACTIVE")
    with pytest.raises(ClientError) as refused:
        idp.delete_user_pool(UserPoolId=pool_id)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "deletion protection is activated" in refused.value.response["Error"]["Message"]
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"] == pool_id

    idp.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
    idp.delete_user_pool(UserPoolId=pool_id)
    assert idp.list_user_pools(MaxResults=10)["UserPools"] == []


def test_plain_moto_forgets_username_attributes_on_update(plain: None) -> None:
    """Why the patch: moto 5.2.5 drops the create-only settings on any UpdateUserPool."""
    idp, pool_id = _pool()
    idp.update_user_pool(UserPoolId=pool_id, Policies={"PasswordPolicy": {"MinimumLength": 10}})
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert "UsernameAttributes" not in pool and "UsernameConfiguration" not in pool


def test_plain_moto_deletes_a_protected_pool(plain: None) -> None:
    """Why the patch: moto 5.2.5 deletes a pool whose deletion protection is ACTIVE."""
    idp, pool_id = _pool(DeletionProtection="ACTIVE")
    idp.delete_user_pool(UserPoolId=pool_id)
    assert idp.list_user_pools(MaxResults=10)["UserPools"] == []
