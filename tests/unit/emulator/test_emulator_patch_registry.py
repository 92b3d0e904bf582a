"""Every patch is registered, documented (AWS behaviour + moto root cause with file:line) and tested."""

from __future__ import annotations

import re
from pathlib import Path

import moto

HERE = Path(__file__).resolve().parent
MOTO_ROOT = Path(moto.__file__).resolve().parent

# (patch, test file, test) for the test that states the AWS behaviour it restores (and fails without it).
PATCH_TESTS = [
    (
        "ses.configuration_set_event_destinations",
        "test_emulator_patch_ses.py",
        "test_update_and_delete_an_event_destination",
    ),
    (
        "ses.configuration_set_sending_enabled",
        "test_emulator_patch_ses.py",
        "test_reputation_options_are_reported_and_sending_can_be_switched",
    ),
    (
        "ses.identity_dkim_enabled",
        "test_emulator_patch_ses.py",
        "test_dkim_signing_can_be_switched_off_and_on",
    ),
    (
        "ses.templated_email_keeps_configuration_set",
        "test_emulator_patch_ses.py",
        "test_templated_email_records_its_configuration_set",
    ),
    (
        "cognitoidp.update_user_pool_keeps_create_only_settings",
        "test_emulator_patch_cognitoidp.py",
        "test_update_user_pool_keeps_username_attributes_and_case_sensitivity",
    ),
    (
        "cognitoidp.delete_user_pool_honours_deletion_protection",
        "test_emulator_patch_cognitoidp.py",
        "test_delete_user_pool_refuses_a_protected_pool",
    ),
    (
        "ec2.flow_log_tag_resource_type",
        "test_emulator_patch_ec2.py",
        "test_flow_log_tags_have_resource_type_vpc_flow_log",
    ),
    (
        "kms.key_deletion_accepts_a_key_arn",
        "test_emulator_patch_kms.py",
        "test_schedule_and_cancel_key_deletion_by_arn",
    ),
    (
        "kms.enable_and_disable_accept_a_key_arn",
        "test_emulator_patch_kms.py",
        "test_enable_and_disable_key_by_arn",
    ),
    (
        "logs.associate_and_disassociate_kms_key",
        "test_emulator_patch_logs.py",
        "test_associate_then_disassociate_kms_key",
    ),
    (
        "ec2.nat_gateway_tag_resource_type",
        "test_emulator_patch_ec2.py",
        "test_nat_gateway_tags_have_resource_type_natgateway",
    ),
    (
        "dynamodb.describe_table_table_id",
        "test_emulator_patch_dynamodb.py",
        "test_describe_table_returns_a_stable_table_id",
    ),
    (
        "ecs.cluster_capacity_providers_always_listed",
        "test_emulator_patch_ecs.py",
        "test_cluster_lists_capacity_providers_even_when_empty",
    ),
    (
        "ecs.create_service_keeps_settings",
        "test_emulator_patch_ecs.py",
        "test_create_service_keeps_grace_period_exec_and_deployment_configuration",
    ),
    (
        "ecs.service_without_security_groups",
        "test_emulator_patch_ecs.py",
        "test_service_without_security_groups_is_created",
    ),
    (
        "applicationautoscaling.describe_scaling_policies_filters",
        "test_emulator_patch_applicationautoscaling.py",
        "test_describe_scaling_policies_honours_policy_names_and_exact_resource_id",
    ),
    (
        "applicationautoscaling.scalable_target_tags",
        "test_emulator_patch_applicationautoscaling.py",
        "test_tag_and_untag_resource_converge_the_tags",
    ),
    (
        "elbv2.target_group_default_attributes",
        "test_emulator_patch_elbv2.py",
        "test_http_target_group_default_attributes",
    ),
    (
        "elbv2.load_balancer_default_attributes",
        "test_emulator_patch_elbv2.py",
        "test_application_load_balancer_default_attributes",
    ),
    ("wafv2.list_resources_for_web_acl", "test_emulator_patch_wafv2.py", "test_list_resources_for_web_acl"),
    (
        "awslambda.dead_letter_and_tracing_config",
        "test_emulator_patch_awslambda_config.py",
        "test_update_function_configuration_applies_dead_letter_and_tracing",
    ),
    (
        "awslambda.invoke_without_docker",
        "test_emulator_lambda_runner.py",
        "test_exception_is_a_function_error_with_the_standard_payload",
    ),
    (
        "moto_api.model_data_skips_unserialisable",
        "test_emulator_patch_moto_api.py",
        "test_data_json_serialises_with_lambda_and_rds_and_shows_sent_mail",
    ),
    (
        "elasticache.show_cache_node_info",
        "test_emulator_patch_elasticache.py",
        "test_show_cache_node_info_lists_cache_nodes",
    ),
    (
        "elasticache.replication_group_num_cache_clusters",
        "test_emulator_patch_elasticache.py",
        "test_num_cache_clusters_makes_that_many_members",
    ),
    (
        "elasticache.modify_replication_group_snapshot_window",
        "test_emulator_patch_elasticache.py",
        "test_modify_replication_group_applies_snapshot_window",
    ),
    (
        "elasticache.delete_replication_group_removes_group",
        "test_emulator_patch_elasticache.py",
        "test_deleted_replication_group_is_gone",
    ),
    (
        "elasticache.cache_subnet_group_modify_and_delete",
        "test_emulator_patch_elasticache.py",
        "test_cache_subnet_group_can_be_modified_and_deleted_once_unused",
    ),
    (
        "elasticache.replication_group_reader_endpoint",
        "test_emulator_patch_elasticache.py",
        "test_node_group_has_a_reader_endpoint",
    ),
    (
        "elasticache.replication_group_member_clusters",
        "test_emulator_patch_elasticache.py",
        "test_member_clusters_are_described_with_the_group_settings",
    ),
    (
        "elasticache.modify_replication_group_member_settings",
        "test_emulator_patch_elasticache.py",
        "test_modify_replication_group_applies_member_settings_and_auth",
    ),
    (
        "elasticache.replica_count_changes",
        "test_emulator_patch_elasticache.py",
        "test_replica_count_can_be_increased_and_decreased",
    ),
    (
        "rds.cluster_parameter_group_engine_defaults",
        "test_emulator_patch_rds.py",
        "test_cluster_parameters_can_be_modified_like_the_module_does",
    ),
    (
        "rds.delete_db_cluster_removes_automated_snapshots",
        "test_emulator_patch_rds.py",
        "test_deleted_cluster_can_be_created_again_at_once",
    ),
    (
        "cloudfront.distribution_config_as_sent",
        "test_emulator_patch_cloudfront.py",
        "test_distribution_config_round_trips_what_was_sent",
    ),
    (
        "cloudfront.s3_origin_config_returned",
        "test_emulator_patch_cloudfront.py",
        "test_an_s3_origin_is_answered_with_its_s3_origin_config",
    ),
    (
        "logs_queries.query_definitions",
        "test_emulator_patch_logs_queries.py",
        "test_put_describe_and_delete_query_definitions",
    ),
    (
        "logs_queries.metric_filter_pattern_test",
        "test_emulator_patch_logs_queries.py",
        "test_metric_filter_evaluates_json_patterns_and_extracts_values",
    ),
    ("cloudwatch.dashboard_tags", "test_emulator_patch_cloudwatch.py", "test_dashboards_can_be_tagged_and_untagged"),
    (
        "budgets.update_budget",
        "test_emulator_patch_budgets.py",
        "test_update_budget_replaces_the_definition_and_keeps_notifications",
    ),
    (
        "budgets.notification_subscribers",
        "test_emulator_patch_budgets.py",
        "test_subscribers_of_a_notification_are_listed_added_and_removed",
    ),
    ("budgets.resource_tags", "test_emulator_patch_budgets.py", "test_budget_resource_tags"),
    (
        "secretsmanager.rotate_secret_reuses_the_configured_function",
        "test_emulator_patch_secretsmanager.py",
        "test_rotate_secret_without_a_function_uses_the_configured_one",
    ),
]

MOTO_REF = re.compile(r"moto/([\w/]+\.py):(\d+)(?:-(\d+))?")


def _patches():
    from freelancer_emulator import patches

    return {f"{p.__module__.rsplit('.', 1)[-1]}.{p.__name__}": p for p in patches.PATCHES}


def test_every_patch_has_a_test() -> None:
    assert set(_patches()) == {name for name, _, _ in PATCH_TESTS}
    for name, filename, test in PATCH_TESTS:
        assert f"def {test}(" in (HERE / filename).read_text(), name


def test_every_patch_names_the_aws_behaviour_and_the_moto_root_cause() -> None:
    for name, patch in _patches().items():
        doc = patch.__doc__ or ""
        assert "AWS" in doc, name
        assert "moto 5.2.5:" in doc, name
        assert "Fix:" in doc, name
        refs = MOTO_REF.findall(doc)
        assert refs, f"{name} names no moto file:line"
        for path, first, last in refs:
            source = MOTO_ROOT / path
            assert source.is_file(), f"{name}: {path}"
            lines = len(source.read_text().splitlines())
            assert int(last or first) <= lines, f"{name}: {path}:{first} is past the end ({lines} lines)"


def test_moto_is_the_version_the_patches_were_written_for() -> None:
    assert moto.__version__ == "5.2.5"


def test_apply_all_is_idempotent_and_restore_all_undoes_it() -> None:
    from freelancer_emulator import patches
    from moto.dynamodb.models.table import Table
    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE
    from moto.wafv2.responses import WAFV2Response

    original = Table.describe
    names = patches.apply_all()
    try:
        patched_describe = Table.describe
        assert patched_describe is not original
        assert patches.apply_all() == names
        assert Table.describe is patched_describe, "a second apply_all must not wrap again"
        assert EC2_PREFIX_TO_RESOURCE["nat"] == "natgateway"
    finally:
        patches.restore_all()
    assert Table.describe is original
    assert EC2_PREFIX_TO_RESOURCE["nat"] == "nat-gateway"
    assert not hasattr(WAFV2Response, "list_resources_for_web_acl")
