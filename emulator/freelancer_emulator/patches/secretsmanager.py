"""Secrets Manager patches.

Why the platform needs ``rotate_secret_reuses_the_configured_function`` (role ``aurora``): the
credentials secret ``<prefix>/aurora/credentials`` rotates through the rotation Lambda (SEC-2).
The role always names the function when it turns rotation on; an operator who rotates by hand
(``aws secretsmanager rotate-secret --secret-id ...``, as ``docs/runbooks/aurora.md`` describes)
does not, and on plain moto that call silently breaks the secret instead of rotating it.
"""

from __future__ import annotations

from typing import Any

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import wrap


@once
def rotate_secret_reuses_the_configured_function() -> None:
    """RotateSecret without ``RotationLambdaARN`` rotates with the function already configured.

    AWS: ``RotationLambdaARN`` is optional once rotation is configured; RotateSecret then
    starts a rotation with the configured function (the four steps run and the new version
    becomes AWSCURRENT with a value).
    moto 5.2.5: ``rotate_secret`` overwrites the configured function with the missing argument
    (``secret.rotation_lambda_arn = rotation_lambda_arn or ""``, moto/secretsmanager/models.py:921),
    then, having no function, marks the new, value-less version AWSCURRENT
    (moto/secretsmanager/models.py:966-973): GetSecretValue answers ResourceNotFoundException
    from then on.
    Fix: when no ``RotationLambdaARN`` is given, pass the secret's configured function.
    """
    from moto.secretsmanager.models import SecretsManagerBackend

    def make(original: Any) -> Any:
        def rotate_secret(
            self: SecretsManagerBackend,
            secret_id: str,
            client_request_token: str | None = None,
            rotation_lambda_arn: str | None = None,
            rotation_rules: dict[str, Any] | None = None,
            rotate_immediately: bool = True,
        ) -> str:
            if not rotation_lambda_arn and self._is_valid_identifier(secret_id):
                rotation_lambda_arn = getattr(self.secrets[secret_id], "rotation_lambda_arn", "") or None
            return original(
                self, secret_id, client_request_token, rotation_lambda_arn, rotation_rules, rotate_immediately
            )

        return rotate_secret

    wrap(SecretsManagerBackend, "rotate_secret", make)


PATCHES = [rotate_secret_reuses_the_configured_function]
