"""CloudWatch: dashboards can be tagged, untagged, and lose their tags when deleted."""

from __future__ import annotations

import json

import boto3
from moto import mock_aws


def test_dashboards_can_be_tagged_and_untagged(patched) -> None:
    """AWS: TagResource / UntagResource / ListTagsForResource accept a dashboard ARN; untagging a
    dashboard without tags succeeds; DeleteDashboards removes the tags with the dashboard."""
    with mock_aws():
        cloudwatch = boto3.client("cloudwatch")
        cloudwatch.put_dashboard(DashboardName="overview", DashboardBody=json.dumps({"widgets": []}))
        arn = cloudwatch.get_dashboard(DashboardName="overview")["DashboardArn"]

        cloudwatch.untag_resource(ResourceARN=arn, TagKeys=["Nothing"])
        cloudwatch.tag_resource(
            ResourceARN=arn, Tags=[{"Key": "Environment", "Value": "dev"}, {"Key": "Owner", "Value": "x"}]
        )
        cloudwatch.untag_resource(ResourceARN=arn, TagKeys=["Owner"])
        assert cloudwatch.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "Environment", "Value": "dev"}]

        cloudwatch.delete_dashboards(DashboardNames=["overview"])
        cloudwatch.put_dashboard(DashboardName="overview", DashboardBody=json.dumps({"widgets": []}))
        assert cloudwatch.list_tags_for_resource(ResourceARN=arn)["Tags"] == []
