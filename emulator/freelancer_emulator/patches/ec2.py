"""EC2 patches."""

from __future__ import annotations

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import set_item


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

    set_item(utils.EC2_PREFIX_TO_RESOURCE, utils.EC2_RESOURCE_TO_PREFIX["nat-gateway"], "natgateway")


@once
def flow_log_tag_resource_type() -> None:
    """DescribeTags reports a flow log's ``ResourceType`` as ``vpc-flow-log``, as AWS does.

    AWS: flow log tags have resource type ``vpc-flow-log`` (the word used in TagSpecifications
    of CreateFlowLogs and in the ``resource-type`` filter of DescribeTags).
    moto 5.2.5: the prefix map names it ``flow-logs`` (moto/ec2/utils.py:37) and DescribeTags
    derives the type from the reverse map ``EC2_PREFIX_TO_RESOURCE`` (moto/ec2/utils.py:80), so a
    ``resource-type: vpc-flow-log`` filter finds nothing and a module that filters on it re-tags
    the flow log on every run.
    Fix: map the ``fl`` prefix back to ``vpc-flow-log``. The forward map (used to make ids) is unchanged.
    """
    from moto.ec2 import utils

    set_item(utils.EC2_PREFIX_TO_RESOURCE, utils.EC2_RESOURCE_TO_PREFIX["flow-logs"], "vpc-flow-log")


PATCHES = [nat_gateway_tag_resource_type, flow_log_tag_resource_type]
