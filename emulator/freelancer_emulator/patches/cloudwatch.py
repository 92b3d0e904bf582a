"""CloudWatch patches."""

from __future__ import annotations

from typing import Any

from freelancer_emulator.patches._base import once
from freelancer_emulator.patches._base import wrap


@once
def dashboard_tags() -> None:
    """Dashboards can be tagged and untagged by ARN; deleting a dashboard deletes its tags.

    AWS: TagResource, UntagResource and ListTagsForResource accept alarms, dashboards
    (``arn:aws:cloudwatch::<account>:dashboard/<name>``), metric streams and Contributor Insights
    rules; untagging a resource that has no tags succeeds; DeleteDashboards removes the tags too.
    moto 5.2.5: TagResource accepts alarm ARNs only and answers ``ResourceNotFoundException`` for a
    dashboard (moto/cloudwatch/models.py:1193-1198); UntagResource refuses any ARN that has no tags yet
    (moto/cloudwatch/models.py:1202-1204); DeleteDashboards leaves the tags behind
    (moto/cloudwatch/models.py:950).
    Fix: accept the ARNs of existing dashboards in both actions, and drop a dashboard's tags with it.
    """
    from moto.cloudwatch.models import CloudWatchBackend

    def dashboard_arns(backend: Any) -> set[str]:
        return {dashboard.arn for dashboard in backend.dashboards.values()}

    def tag_resource(original: Any) -> Any:
        def tag(self: CloudWatchBackend, arn: str, tags: dict[str, str]) -> None:
            if arn in dashboard_arns(self):
                self.tagger.tag_resource(arn, self.tagger.convert_dict_to_tags_input(tags))
                return
            original(self, arn, tags)

        return tag

    def untag_resource(original: Any) -> Any:
        def untag(self: CloudWatchBackend, arn: str, tag_keys: list[str]) -> None:
            if arn in dashboard_arns(self):
                self.tagger.untag_resource_using_names(arn, tag_keys)
                return
            original(self, arn, tag_keys)

        return untag

    def delete_dashboards(original: Any) -> Any:
        def delete(self: CloudWatchBackend, dashboards: list[str]) -> str | None:
            arns = {name: self.dashboards[name].arn for name in dashboards if name in self.dashboards}
            error = original(self, dashboards)
            if error is None:
                for arn in arns.values():
                    self.tagger.delete_all_tags_for_resource(arn)
            return error

        return delete

    wrap(CloudWatchBackend, "tag_resource", tag_resource)
    wrap(CloudWatchBackend, "untag_resource", untag_resource)
    wrap(CloudWatchBackend, "delete_dashboards", delete_dashboards)


PATCHES = [dashboard_tags]
