"""KMS patches."""

from __future__ import annotations

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import wrap


def _resolving_key_id(original):
    def replacement(self, key_id, *args, **kwargs):
        return original(self, self.any_id_to_key_id(key_id), *args, **kwargs)

    return replacement


@once
def key_deletion_accepts_a_key_arn() -> None:
    """ScheduleKeyDeletion and CancelKeyDeletion accept a key ARN as well as a key id, as AWS does.

    AWS: ``KeyId`` of both calls is "the key ID or key ARN of the KMS key".
    moto 5.2.5: the backend indexes ``self.keys`` with the raw parameter
    (moto/kms/models.py:577 and :582), so a key ARN raises ``KeyError`` and the server answers 500.
    amazon.aws.kms_key passes the key ARN when deleting, so teardown of a key fails.
    Fix: resolve the parameter with moto's own ``any_id_to_key_id`` before the lookup.
    """
    from moto.kms.models import KmsBackend

    wrap(KmsBackend, "schedule_key_deletion", _resolving_key_id)
    wrap(KmsBackend, "cancel_key_deletion", _resolving_key_id)


@once
def enable_and_disable_accept_a_key_arn() -> None:
    """EnableKey and DisableKey accept a key ARN as well as a key id, as AWS does.

    AWS: ``KeyId`` of both calls is "the key ID or key ARN of the KMS key".
    moto 5.2.5: ``disable_key`` and ``enable_key`` index ``self.keys`` with the raw parameter
    (moto/kms/models.py:569 and :573), so a key ARN raises ``KeyError`` and the server answers 500.
    amazon.aws.kms_key cancels a pending deletion and then enables the key by its ARN, so converging
    an environment again after a teardown (keys pending deletion come back) failed.
    Fix: resolve the parameter with moto's own ``any_id_to_key_id`` before the lookup.
    """
    from moto.kms.models import KmsBackend

    wrap(KmsBackend, "disable_key", _resolving_key_id)
    wrap(KmsBackend, "enable_key", _resolving_key_id)


PATCHES = [key_deletion_accepts_a_key_arn, enable_and_disable_accept_a_key_arn]
