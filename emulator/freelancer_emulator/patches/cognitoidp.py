"""Cognito user pool patches."""

from __future__ import annotations

from typing import Any

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import wrap

# Settings CreateUserPool accepts and UpdateUserPool does not: fixed for the pool's life.
CREATE_ONLY = ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration")


@once
def update_user_pool_keeps_create_only_settings() -> None:
    """UpdateUserPool keeps the settings fixed at creation, and MfaConfiguration stays one value.

    AWS: UpdateUserPool has no UsernameAttributes, AliasAttributes or UsernameConfiguration
    parameter; those stay as the pool was created. When it is given MfaConfiguration,
    DescribeUserPool and GetUserPoolMfaConfig answer the same new value.
    moto 5.2.5: ``CognitoIdpUserPool.update_extended_config`` (moto/cognitoidp/models.py:470),
    called by ``CognitoIdpBackend.update_user_pool`` (models.py:1043), rebuilds the whole
    extended configuration from the defaults and the request, so the create-only settings are
    lost; an MfaConfiguration in the request lands in that configuration and shadows
    ``mfa_config``, which GetUserPoolMfaConfig reads (models.py:496, 1023).
    Fix: carry the create-only settings over, and move MfaConfiguration into ``mfa_config``.
    """
    from moto.cognitoidp.models import CognitoIdpBackend

    def make(original: Any) -> Any:
        def update_user_pool(self: CognitoIdpBackend, user_pool_id: str, extended_config: dict[str, Any]) -> None:
            pool = self.describe_user_pool(user_pool_id)
            kept = {k: pool.extended_config[k] for k in CREATE_ONLY if k in pool.extended_config}
            request = dict(extended_config or {})
            mfa = request.pop("MfaConfiguration", None)
            original(self, user_pool_id, {**request, **kept})
            if mfa:
                pool.mfa_config = mfa

        return update_user_pool

    wrap(CognitoIdpBackend, "update_user_pool", make)


@once
def delete_user_pool_honours_deletion_protection() -> None:
    """DeleteUserPool refuses a pool whose deletion protection is ACTIVE.

    AWS: ``InvalidParameterException`` "The user pool cannot be deleted because deletion
    protection is activated. Deletion protection must be inactivated first."; the pool stays
    until UpdateUserPool sets ``DeletionProtection: INACTIVE``.
    moto 5.2.5: ``CognitoIdpBackend.delete_user_pool`` (moto/cognitoidp/models.py:1049) stores
    DeletionProtection but deletes the pool without reading it.
    Fix: raise the AWS error while the pool's DeletionProtection is ACTIVE.
    """
    from moto.cognitoidp.exceptions import InvalidParameterException
    from moto.cognitoidp.models import CognitoIdpBackend

    def make(original: Any) -> Any:
        def delete_user_pool(self: CognitoIdpBackend, user_pool_id: str) -> None:
            pool = self.describe_user_pool(user_pool_id)
            if pool.extended_config.get("DeletionProtection") == "ACTIVE":
                raise InvalidParameterException(
                    "The user pool cannot be deleted because deletion protection is activated. "
                    "Deletion protection must be inactivated first."
                )
            original(self, user_pool_id)

        return delete_user_pool

    wrap(CognitoIdpBackend, "delete_user_pool", make)


PATCHES = [update_user_pool_keeps_create_only_settings, delete_user_pool_honours_deletion_protection]
