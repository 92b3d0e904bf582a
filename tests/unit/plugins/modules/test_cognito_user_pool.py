"""freelancer.platform.cognito_user_pool against moto in-process: check, create, idempotency,
updates that keep unspecified settings, custom attributes (add, refuse change and removal),
MFA, deletion protection, delete, and inputs refused before any AWS call."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.freelancer.platform.plugins.modules import cognito_user_pool

NAME = "test-freelancer-platform-freelancers"


def idp():
    return boto3.client("cognito-idp", region_name="us-east-2")


def pools_named(name=NAME):
    return [p for p in idp().list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == name]


def describe(name=NAME):
    (pool,) = pools_named(name)
    return idp().describe_user_pool(UserPoolId=pool["Id"])["UserPool"]


def args(**extra):
    base = {
        "name": NAME,
        "password_policy": {
            "minimum_length": 12,
            "require_uppercase": True,
            "require_lowercase": True,
            "require_numbers": True,
            "require_symbols": True,
            "temporary_password_validity_days": 3,
        },
        "mfa_configuration": "OPTIONAL",
        "software_token_mfa": True,
        "auto_verified_attributes": ["email"],
        "account_recovery": ["verified_email"],
        "verification_message": {
            "email_subject": "Your verification code",
            "email_message": "Your code is {####}.",
        },
        "custom_attributes": [
            {"name": "user_type", "mutable": False, "min_length": 1, "max_length": 16},
            {"name": "skills", "max_length": 2048},
            {"name": "hourly_rate", "data_type": "Number", "min_value": 0, "max_value": 10000},
        ],
        "deletion_protection": False,
        "tags": {"Environment": "test", "Project": "freelancer-platform"},
        "region": "us-east-2",
    }
    base.update(extra)
    return base


def custom(result, name):
    (attribute,) = [a for a in result["user_pool"]["custom_attributes"] if a["name"] == f"custom:{name}"]
    return attribute


@pytest.fixture
def no_aws_call(monkeypatch):
    """Fail the test if the module creates an AWS client: validation must come first."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("the module called AWS before refusing its input")

    monkeypatch.setattr(cognito_user_pool.AnsibleAWSModule, "client", refuse)


def test_check_mode_on_nothing_reports_a_change_and_creates_nothing(run_module, mocked_aws):
    result, failed = run_module(cognito_user_pool, args(), check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["user_pool"]["name"] == NAME
    assert "id" not in result["user_pool"]
    assert custom(result, "user_type")["mutable"] is False
    assert sorted(result["custom_attributes_added"]) == ["hourly_rate", "skills", "user_type"]
    assert pools_named() == []


def test_create_returns_the_pool_then_reruns_change_nothing(run_module, mocked_aws):
    result, failed = run_module(cognito_user_pool, args())
    assert not failed, result
    assert result["changed"] is True
    pool = result["user_pool"]
    assert pool["id"].startswith("us-east-2_")
    assert pool["arn"].endswith(f":userpool/{pool['id']}")
    assert pool["issuer"] == f"https://cognito-idp.us-east-2.amazonaws.com/{pool['id']}"
    assert pool["policies"]["password_policy"]["minimum_length"] == 12
    assert pool["policies"]["password_policy"]["temporary_password_validity_days"] == 3
    assert pool["mfa_configuration"] == "OPTIONAL" and pool["software_token_mfa_enabled"] is True
    assert pool["auto_verified_attributes"] == ["email"]
    assert pool["account_recovery_setting"]["recovery_mechanisms"] == [{"name": "verified_email", "priority": 1}]
    assert pool["tags"] == {"Environment": "test", "Project": "freelancer-platform"}
    assert custom(result, "user_type")["mutable"] is False
    assert custom(result, "hourly_rate")["number_attribute_constraints"] == {"min_value": "0", "max_value": "10000"}

    answer = idp().get_user_pool_mfa_config(UserPoolId=pool["id"])
    assert answer["MfaConfiguration"] == "OPTIONAL"
    assert answer["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert describe()["VerificationMessageTemplate"]["EmailMessage"] == "Your code is {####}."

    again, failed = run_module(cognito_user_pool, args())
    assert not failed and again["changed"] is False
    assert again["user_pool"]["id"] == pool["id"]

    preview, _ = run_module(cognito_user_pool, args(), check_mode=True, diff=True)
    assert preview["changed"] is False
    assert preview["diff"]["before"] == preview["diff"]["after"]
    assert len(pools_named()) == 1


def test_update_of_one_setting_keeps_every_unspecified_one(run_module, mocked_aws):
    first, _ = run_module(cognito_user_pool, args())
    # Only the name and one password setting: UpdateUserPool would reset the rest if the
    # module did not resend the current configuration.
    result, failed = run_module(
        cognito_user_pool, {"name": NAME, "password_policy": {"minimum_length": 14}, "region": "us-east-2"}, diff=True
    )
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"]["policies"]["password_policy"]["minimum_length"] == 12
    assert result["diff"]["after"]["policies"]["password_policy"]["minimum_length"] == 14
    pool = describe()
    assert pool["Id"] == first["user_pool"]["id"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 14
    assert pool["Policies"]["PasswordPolicy"]["RequireSymbols"] is True
    assert pool["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"] == 3
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["AccountRecoverySetting"] == {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]}
    assert pool["VerificationMessageTemplate"]["EmailMessage"] == "Your code is {####}."
    assert pool["EmailVerificationMessage"] == "Your code is {####}."
    assert pool["UserPoolTags"] == {"Environment": "test", "Project": "freelancer-platform"}
    assert pool["DeletionProtection"] == "INACTIVE"
    assert idp().get_user_pool_mfa_config(UserPoolId=pool["Id"])["MfaConfiguration"] == "OPTIONAL"

    again, _ = run_module(cognito_user_pool, args(password_policy={"minimum_length": 14}))
    assert again["changed"] is False


def test_tags_are_converged_and_purged(run_module, mocked_aws):
    run_module(cognito_user_pool, args())
    result, _ = run_module(cognito_user_pool, args(tags={"Environment": "test", "Owner": "team"}))
    assert result["changed"] is True
    assert describe()["UserPoolTags"] == {"Environment": "test", "Owner": "team"}
    kept, _ = run_module(cognito_user_pool, args(tags={"Extra": "1"}, purge_tags=False))
    assert kept["changed"] is True
    assert describe()["UserPoolTags"] == {"Environment": "test", "Owner": "team", "Extra": "1"}


def test_a_new_custom_attribute_is_added(run_module, mocked_aws):
    run_module(cognito_user_pool, args())
    attributes = [*args()["custom_attributes"], {"name": "portfolio_links", "max_length": 2048}]

    preview, _ = run_module(cognito_user_pool, args(custom_attributes=attributes), check_mode=True, diff=True)
    assert preview["changed"] is True and preview["custom_attributes_added"] == ["portfolio_links"]
    assert "custom:portfolio_links" not in {a["Name"] for a in describe()["SchemaAttributes"]}

    result, failed = run_module(cognito_user_pool, args(custom_attributes=attributes))
    assert not failed, result
    assert result["changed"] is True and result["custom_attributes_added"] == ["portfolio_links"]
    assert custom(result, "portfolio_links")["attribute_data_type"] == "String"
    assert "custom:portfolio_links" in {a["Name"] for a in describe()["SchemaAttributes"]}

    again, _ = run_module(cognito_user_pool, args(custom_attributes=attributes))
    assert again["changed"] is False


def test_changing_an_attribute_fails_naming_it_and_changes_nothing(run_module, mocked_aws):
    run_module(cognito_user_pool, args())
    before = describe()
    attributes = [dict(a) for a in args()["custom_attributes"]]
    attributes[0]["mutable"] = True  # user_type
    attributes[2]["max_value"] = 20000  # hourly_rate
    attributes.append({"name": "industry"})
    result, failed = run_module(
        cognito_user_pool, args(custom_attributes=attributes, password_policy={"minimum_length": 20})
    )
    assert failed
    assert "custom attribute user_type (custom:user_type) cannot be changed" in result["msg"]
    assert "mutable is False on the pool, True requested" in result["msg"]
    assert (
        "custom attribute hourly_rate" in result["msg"]
        and "max_value is 10000 on the pool, 20000 requested" in result["msg"]
    )
    assert "nothing was changed" in result["msg"]
    after = describe()
    assert after["SchemaAttributes"] == before["SchemaAttributes"]
    assert after["Policies"] == before["Policies"]


def test_removing_an_attribute_fails_naming_it(run_module, mocked_aws):
    run_module(cognito_user_pool, args())
    attributes = [a for a in args()["custom_attributes"] if a["name"] != "skills"]
    result, failed = run_module(cognito_user_pool, args(custom_attributes=attributes))
    assert failed
    assert "custom attribute skills (custom:skills) exists on the pool but is not in custom_attributes" in result["msg"]
    assert "AWS cannot remove a custom attribute" in result["msg"]
    assert "custom:skills" in {a["Name"] for a in describe()["SchemaAttributes"]}


def test_mfa_on_with_a_software_token(run_module, mocked_aws):
    result, failed = run_module(cognito_user_pool, args(mfa_configuration="ON"))
    assert not failed, result
    assert result["user_pool"]["mfa_configuration"] == "ON"
    pool_id = result["user_pool"]["id"]
    answer = idp().get_user_pool_mfa_config(UserPoolId=pool_id)
    assert answer["MfaConfiguration"] == "ON"
    assert answer["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    again, _ = run_module(cognito_user_pool, args(mfa_configuration="ON"))
    assert again["changed"] is False

    relaxed, _ = run_module(cognito_user_pool, args(mfa_configuration="OPTIONAL"), diff=True)
    assert relaxed["changed"] is True
    assert relaxed["diff"]["before"]["mfa_configuration"] == "ON"
    assert idp().get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] == "OPTIONAL"


def test_username_attributes_are_fixed_at_creation(run_module, mocked_aws):
    result, failed = run_module(cognito_user_pool, args(username_attributes=["email"], username_case_sensitive=False))
    assert not failed, result
    assert describe()["UsernameAttributes"] == ["email"]
    assert describe()["UsernameConfiguration"] == {"CaseSensitive": False}
    again, _ = run_module(cognito_user_pool, args(username_attributes=["email"], username_case_sensitive=False))
    assert again["changed"] is False

    changed, failed = run_module(
        cognito_user_pool, args(username_attributes=["phone_number"], username_case_sensitive=True)
    )
    assert failed
    assert "username_attributes is ['email'] on the pool and ['phone_number'] requested" in changed["msg"]
    assert "username_case_sensitive is False on the pool and True requested" in changed["msg"]
    assert describe()["UsernameAttributes"] == ["email"]


def test_deletion_protection_must_be_switched_off_explicitly(run_module, mocked_aws):
    created, _ = run_module(cognito_user_pool, args(deletion_protection=True))
    assert describe()["DeletionProtection"] == "ACTIVE"

    refused, failed = run_module(cognito_user_pool, {"name": NAME, "state": "absent", "region": "us-east-2"})
    assert failed
    assert "deletion protection ACTIVE" in refused["msg"] and "deletion_protection: false" in refused["msg"]
    assert len(pools_named()) == 1

    preview, failed = run_module(
        cognito_user_pool,
        {"name": NAME, "state": "absent", "deletion_protection": False, "region": "us-east-2"},
        check_mode=True,
    )
    assert not failed and preview["changed"] is True
    assert describe()["DeletionProtection"] == "ACTIVE"

    removed, failed = run_module(
        cognito_user_pool,
        {"name": NAME, "state": "absent", "deletion_protection": False, "region": "us-east-2"},
        diff=True,
    )
    assert not failed, removed
    assert removed["changed"] is True
    assert removed["diff"]["before"]["id"] == created["user_pool"]["id"] and removed["diff"]["after"] == {}
    assert pools_named() == []


def test_absent_deletes_then_is_idempotent(run_module, mocked_aws):
    run_module(cognito_user_pool, args())
    preview, _ = run_module(
        cognito_user_pool, {"name": NAME, "state": "absent", "region": "us-east-2"}, check_mode=True
    )
    assert preview["changed"] is True and len(pools_named()) == 1
    result, failed = run_module(cognito_user_pool, {"name": NAME, "state": "absent", "region": "us-east-2"})
    assert not failed and result["changed"] is True and pools_named() == []
    again, _ = run_module(cognito_user_pool, {"name": NAME, "state": "absent", "region": "us-east-2"})
    assert again["changed"] is False


def test_two_pools_with_the_name_fail_without_choosing(run_module, mocked_aws):
    ids = sorted(idp().create_user_pool(PoolName=NAME)["UserPool"]["Id"] for _ in range(2))
    result, failed = run_module(cognito_user_pool, args())
    assert failed
    assert f"2 user pools are named {NAME}" in result["msg"] and all(i in result["msg"] for i in ids)
    assert len(pools_named()) == 2


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"custom_attributes": [{"name": "custom:user_type"}]}, "give the name without the custom: prefix"),
        ({"custom_attributes": [{"name": "a_name_of_twenty_one_"}]}, "must be 1 to 20 letters, digits or underscores"),
        ({"custom_attributes": [{"name": "hourly-rate"}]}, "'hourly-rate' must be 1 to 20 letters"),
        ({"custom_attributes": [{"name": "skills"}, {"name": "skills"}]}, "repeated: skills"),
        (
            {"custom_attributes": [{"name": "rate", "data_type": "Number", "max_length": 3}]},
            "apply to String attributes only",
        ),
        ({"custom_attributes": [{"name": "bio", "max_length": 4096}]}, "max_length (bio) must be from 0 to 2048"),
        (
            {"custom_attributes": [{"name": "rate", "data_type": "Number", "min_value": 9, "max_value": 1}]},
            "min_value 9",
        ),
        ({"password_policy": {"minimum_length": 5}}, "password_policy.minimum_length must be from 6 to 99, got 5"),
        ({"password_policy": {"minimum_length": 100}}, "password_policy.minimum_length must be from 6 to 99, got 100"),
        (
            {"password_policy": {"temporary_password_validity_days": 366}},
            "password_policy.temporary_password_validity_days must be from 0 to 365, got 366",
        ),
        (
            {"mfa_configuration": "ON", "software_token_mfa": False},
            "mfa_configuration ON requires software_token_mfa: true",
        ),
        ({"mfa_configuration": "OFF", "software_token_mfa": True}, "needs mfa_configuration OPTIONAL or ON"),
        ({"account_recovery": ["admin_only", "verified_email"]}, "admin_only must be the only mechanism"),
        (
            {"verification_message": {"email_message": "no code here"}},
            "verification_message.email_message must contain",
        ),
        ({"email_configuration": {"email_sending_account": "DEVELOPER"}}, "email_configuration.source_arn is required"),
    ],
)
def test_bad_input_fails_before_any_aws_call(run_module, mocked_aws, no_aws_call, extra, expected):
    result, failed = run_module(cognito_user_pool, args(**extra))
    assert failed
    assert expected in result["msg"]
    assert result["msg"].startswith("Invalid input, nothing was sent to AWS")
