"""CloudWatch Logs patches."""

from __future__ import annotations

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import set_attr


@once
def associate_and_disassociate_kms_key() -> None:
    """AssociateKmsKey and DisassociateKmsKey set and clear a log group's KMS key, as AWS does.

    AWS: ``AssociateKmsKey(logGroupName, kmsKeyId)`` makes DescribeLogGroups report ``kmsKeyId``
    for the group; ``DisassociateKmsKey(logGroupName)`` removes it; both answer
    ``ResourceNotFoundException`` for an unknown group.
    moto 5.2.5: neither action exists in ``LogsResponse`` (moto/logs/responses.py) nor in
    ``LogsBackend`` (moto/logs/models.py); the key is only ever set by CreateLogGroup
    (moto/logs/models.py:408), so converging the key of an existing group fails.
    Fix: the two actions, storing the key on moto's own ``LogGroup.kms_key_id`` attribute
    that DescribeLogGroups already reports (moto/logs/models.py:623).
    """
    from moto.logs.exceptions import ResourceNotFoundException
    from moto.logs.models import LogsBackend
    from moto.logs.responses import LogsResponse

    def set_group_key(self, log_group_name, kms_key_id):
        if log_group_name not in self.groups:
            raise ResourceNotFoundException()
        self.groups[log_group_name].kms_key_id = kms_key_id

    def associate_kms_key(self):
        self.logs_backend.set_log_group_kms_key(self._get_param("logGroupName"), self._get_param("kmsKeyId"))
        return ""

    def disassociate_kms_key(self):
        self.logs_backend.set_log_group_kms_key(self._get_param("logGroupName"), None)
        return ""

    set_attr(LogsBackend, "set_log_group_kms_key", set_group_key)
    set_attr(LogsResponse, "associate_kms_key", associate_kms_key)
    set_attr(LogsResponse, "disassociate_kms_key", disassociate_kms_key)


PATCHES = [associate_and_disassociate_kms_key]
