"""freelancer.platform.ses_template against moto in-process: check, apply, idempotency, update, delete, bad input."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import ses_template

NAME = "test-project-update"
SUBJECT = "Update on {{projectName}}"
HTML = "<p>Hello {{recipientName}},</p>\n<p>{{updateSummary}}</p>\n"
TEXT = "Hello {{recipientName}},\n\n{{updateSummary}}\n"


def args(**extra):
    base = {"name": NAME, "subject": SUBJECT, "html": HTML, "text": TEXT, "region": "us-east-2"}
    base.update(extra)
    return base


def templates():
    ses = boto3.client("ses", region_name="us-east-2")
    return [t["Name"] for t in ses.list_templates()["TemplatesMetadata"]]


def stored(name=NAME):
    return boto3.client("ses", region_name="us-east-2").get_template(TemplateName=name)["Template"]


def test_check_mode_on_nothing_reports_a_change_and_creates_nothing(run_module, mocked_aws):
    result, failed = run_module(ses_template, args(), check_mode=True, diff=True)
    assert not failed
    assert result["changed"] is True
    assert result["template"]["subject_part"] == SUBJECT
    assert result["template"]["variables"] == ["projectName", "recipientName", "updateSummary"]
    html_diff = result["diff"][1]
    assert html_diff["before"] == "" and html_diff["after"] == HTML
    assert templates() == []


def test_create_then_idempotent_then_check_reports_nothing(run_module, mocked_aws):
    result, failed = run_module(ses_template, args())
    assert not failed and result["changed"] is True
    assert stored() == {"TemplateName": NAME, "SubjectPart": SUBJECT, "HtmlPart": HTML, "TextPart": TEXT}

    again, _ = run_module(ses_template, args())
    assert again["changed"] is False
    assert again["template"] == result["template"]

    preview, _ = run_module(ses_template, args(), check_mode=True, diff=True)
    assert preview["changed"] is False
    assert all(part["before"] == part["after"] for part in preview["diff"])


def test_changed_html_is_updated_and_the_diff_shows_the_lines(run_module, mocked_aws):
    run_module(ses_template, args())
    new_html = HTML.replace("</p>\n<p>", "</p>\n<p>Milestone: {{milestoneName}}</p>\n<p>")

    preview, _ = run_module(ses_template, args(html=new_html), check_mode=True, diff=True)
    assert preview["changed"] is True
    assert stored()["HtmlPart"] == HTML

    result, failed = run_module(ses_template, args(html=new_html), diff=True)
    assert not failed and result["changed"] is True
    assert stored()["HtmlPart"] == new_html
    subject_diff, html_diff, text_diff = result["diff"]
    assert subject_diff["before"] == subject_diff["after"]
    assert "{{milestoneName}}" in html_diff["after"] and "{{milestoneName}}" not in html_diff["before"]
    assert text_diff["before"] == text_diff["after"]
    assert "milestoneName" in result["template"]["variables"]


def test_removing_the_text_part_is_a_change(run_module, mocked_aws):
    run_module(ses_template, args())
    result, _ = run_module(ses_template, args(text=None))
    assert result["changed"] is True
    assert not stored().get("TextPart")
    again, _ = run_module(ses_template, args(text=None))
    assert again["changed"] is False


def test_absent_deletes_then_is_idempotent(run_module, mocked_aws):
    run_module(ses_template, args())
    preview, _ = run_module(ses_template, {"name": NAME, "state": "absent", "region": "us-east-2"}, check_mode=True)
    assert preview["changed"] is True and templates() == [NAME]
    result, _ = run_module(ses_template, {"name": NAME, "state": "absent", "region": "us-east-2"}, diff=True)
    assert result["changed"] is True and templates() == []
    assert result["diff"][0]["before"] == SUBJECT + "\n" and result["diff"][0]["after"] == ""
    again, _ = run_module(ses_template, {"name": NAME, "state": "absent", "region": "us-east-2"})
    assert again["changed"] is False


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"subject": "  "}, "subject of template test-project-update must not be empty"),
        ({"subject": None}, "subject of template test-project-update must not be empty"),
        ({"html": None, "text": None}, "needs html or text"),
        ({"html": "<p>{{project Name}}</p>"}, "html line 1: '{{project Name}}' is not a well-formed variable"),
        ({"text": "Hi {{recipientName}\n"}, "text line 1: '{{recipientName}' is never closed with }}"),
        ({"subject": "About {projectName}}"}, "subject line 1: '{projectName}}' is missing an opening brace"),
        ({"html": "{{#if paid}}<p>Paid</p>"}, "html line 1: {{#if}} is never closed with {{/if}}"),
        ({"name": "bad name!"}, "name 'bad name!' is invalid"),
    ],
)
def test_bad_input_fails_before_any_call(run_module, mocked_aws, extra, expected):
    result, failed = run_module(ses_template, args(**extra))
    assert failed
    assert expected in result["msg"]
    assert templates() == []


def test_block_helpers_and_triple_braces_are_accepted(run_module, mocked_aws):
    html = "{{#if paid}}<p>{{{receiptHtml}}}</p>{{else}}<p>Due {{dueDate}}</p>{{/if}}{{! a comment }}"
    result, failed = run_module(ses_template, args(html=html))
    assert not failed, result.get("msg")
    assert stored()["HtmlPart"] == html
    assert {"paid", "receiptHtml", "dueDate"} <= set(result["template"]["variables"])
