"""The helpers of the modules that manage one tagged resource (``module_utils/tagged_resource.py``)."""

from __future__ import annotations

import pytest
from ansible_collections.freelancer.platform.plugins.module_utils import tagged_resource as T


def params(tags, purge_tags=True):
    return {"tags": tags, "purge_tags": purge_tags}


def test_the_argument_spec_adds_tags_purge_tags_and_state():
    spec = T.resource_argument_spec(name=dict(type="str", required=True))
    assert spec == {
        "name": {"type": "str", "required": True},
        "tags": {"type": "dict", "aliases": ["resource_tags"]},
        "purge_tags": {"type": "bool", "default": True},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
    }


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        (params(None), {"a": "1", "b": "2"}),
        (params({"b": "3"}), {"b": "3"}),
        (params({"b": "3", "c": "4"}, purge_tags=False), {"a": "1", "b": "3", "c": "4"}),
        (params({}), {}),
    ],
)
def test_desired_tags(wanted, expected):
    assert T.desired_tags({"a": "1", "b": "2"}, wanted) == expected


def test_tags_to_change_is_nothing_without_tags():
    assert T.tags_to_change({"a": "1"}, params(None)) == ({}, [])
    assert T.tags_to_change({"a": "1", "b": "2"}, params({"b": "3"})) == ({"b": "3"}, ["a"])
    assert T.tags_to_change({"a": "1", "b": "2"}, params({"b": "3"}, purge_tags=False)) == ({"b": "3"}, [])


class RecordingClient:
    def __init__(self):
        self.calls = []

    def __getattr__(self, operation):
        return lambda **request: self.calls.append((operation, request))


def test_ecs_tags_are_removed_then_set_as_key_value_lists():
    client = RecordingClient()
    assert T.update_ecs_tags(client, "arn:x", {"a": "1", "b": "2"}, params({"b": "3"})) is True
    assert client.calls == [
        ("untag_resource", {"aws_retry": True, "resourceArn": "arn:x", "tagKeys": ["a"]}),
        ("tag_resource", {"aws_retry": True, "resourceArn": "arn:x", "tags": [{"key": "b", "value": "3"}]}),
    ]
    assert T.ecs_tag_dict([{"key": "b", "value": "3"}]) == {"b": "3"} and T.ecs_tag_dict(None) == {}


def test_elasticache_tags_use_the_capitalised_calls():
    client = RecordingClient()
    assert T.update_elasticache_tags(client, "arn:x", {"a": "1"}, params({"b": "2"})) is True
    assert client.calls == [
        ("remove_tags_from_resource", {"aws_retry": True, "ResourceName": "arn:x", "TagKeys": ["a"]}),
        ("add_tags_to_resource", {"aws_retry": True, "ResourceName": "arn:x", "Tags": [{"Key": "b", "Value": "2"}]}),
    ]


def test_nothing_is_called_when_the_tags_match_or_are_not_given():
    client = RecordingClient()
    assert T.update_ecs_tags(client, "arn:x", {"a": "1"}, params({"a": "1"})) is False
    assert T.update_elasticache_tags(client, "arn:x", {"a": "1"}, params(None)) is False
    assert client.calls == []


class Exited(Exception):
    pass


class FakeModule:
    def __init__(self, diff):
        self._diff = diff

    def exit_json(self, **result):
        raise Exited(result)


@pytest.mark.parametrize("diff", [False, True])
def test_exit_with_diff(diff):
    with pytest.raises(Exited) as exited:
        T.exit_with_diff(FakeModule(diff), True, {"x": 1}, {}, thing={})
    expected = {"changed": True, "thing": {}}
    if diff:
        expected["diff"] = {"before": {"x": 1}, "after": {}}
    assert exited.value.args[0] == expected
