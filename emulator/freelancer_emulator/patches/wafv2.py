"""WAFv2 patches."""

from __future__ import annotations

import json
import re
from typing import Any

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import set_attr

# ResourceType of ListResourcesForWebACL -> how the ARNs of that type look.
RESOURCE_TYPE_PATTERNS: dict[str, str] = {
    "APPLICATION_LOAD_BALANCER": r"^arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:loadbalancer/app/",
    "API_GATEWAY": r"^arn:[^:]+:apigateway:",
    "APPSYNC": r"^arn:[^:]+:appsync:",
    "COGNITO_USER_POOL": r"^arn:[^:]+:cognito-idp:",
    "APP_RUNNER_SERVICE": r"^arn:[^:]+:apprunner:",
    "VERIFIED_ACCESS_INSTANCE": r"^arn:[^:]+:ec2:[^:]*:[^:]*:verified-access-instance/",
    "AMPLIFY": r"^arn:[^:]+:amplify:",
}


@once
def list_resources_for_web_acl() -> None:
    """ListResourcesForWebACL lists the resources associated with a regional web ACL.

    AWS: returns ``{"ResourceArns": [...]}`` for the given ``WebACLArn``, limited to ``ResourceType``
    (``APPLICATION_LOAD_BALANCER`` when omitted); an unknown web ACL raises
    ``WAFNonexistentItemException``.
    moto 5.2.5: the action does not exist on ``WAFV2Response`` (moto/wafv2/responses.py), so moto
    raises NotImplementedError, HTTP 500; community.aws wafv2_resources calls it on every run.
    Fix: answer from the associations moto already keeps (``FakeWebACL.associated_resources``,
    filled by AssociateWebACL, moto/wafv2/models.py:472-480).
    """
    from moto.wafv2.exceptions import WAFNonexistentItemException
    from moto.wafv2.responses import WAFV2Response

    def list_resources_for_web_acl(self: WAFV2Response) -> Any:
        body = json.loads(self.body or "{}")
        web_acl = self.wafv2_backend.wacls.get(body.get("WebACLArn", ""))
        if web_acl is None:
            raise WAFNonexistentItemException()
        pattern = re.compile(RESOURCE_TYPE_PATTERNS.get(body.get("ResourceType") or "APPLICATION_LOAD_BALANCER", "$^"))
        arns = [arn for arn in web_acl.associated_resources if pattern.search(arn)]
        return 200, {"Content-Type": "application/json"}, json.dumps({"ResourceArns": arns})

    set_attr(WAFV2Response, "list_resources_for_web_acl", list_resources_for_web_acl)


PATCHES = [list_resources_for_web_acl]
