"""EC2 patches."""

from __future__ import annotations

from freelancer_emulator.patches._base import once


@once
def nat_gateway_tag_resource_type() -> None:
    """DescribeTags reports a NAT gateway's ``ResourceType`` as ``natgateway``, as AWS does.

    AWS: NAT gateway tags have resource type ``natgateway`` (the same word used in
    TagSpecifications and in the ``resource-type`` filter of DescribeTags).
    moto 5.2.5: the prefix map names it ``nat-gateway`` (moto/ec2/utils.py:43), and DescribeTags
    derives the type from the reverse map ``EC2_PREFIX_TO_RESOURCE`` (moto/ec2/utils.py:80, used by
    moto/ec2/models/tags.py:117 and :137). amazon.aws filters tags by ``resource-type: natgateway``
    (module_utils/ec2.py:1669), finds none, and re-tags the gateway on every run.
    Fix: map the ``nat`` prefix back to ``natgateway``. The forward map (used to make ids) is unchanged.
    """
    from moto.ec2 import utils

    utils.EC2_PREFIX_TO_RESOURCE[utils.EC2_RESOURCE_TO_PREFIX["nat-gateway"]] = "natgateway"


PATCHES = [nat_gateway_tag_resource_type]
