"""Secrets Manager: RotateSecret without a function rotates with the configured one.

Each test states the AWS behaviour and fails on plain moto 5.2.5.
"""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest
from moto import mock_aws


@pytest.fixture
def rotation(patched, monkeypatch):
    """moto in-process with the patches, a secret and a rotation function.

    The function's invocations run a minimal single-user rotation in-process (no Docker): the
    test is about what RotateSecret does, not about the function.
    """
    with mock_aws():
        from moto.awslambda.models import LambdaBackend

        secrets = boto3.client("secretsmanager")
        steps = []

        def invoke(self, function_name, qualifier, body, headers, response_headers):
            event = json.loads(body)
            steps.append(event["Step"])
            secret, token = event["SecretId"], event["ClientRequestToken"]
            if event["Step"] == "createSecret":
                value = json.loads(secrets.get_secret_value(SecretId=secret)["SecretString"])
                value["password"] = f"rotated-{token}"
                secrets.put_secret_value(
                    SecretId=secret,
                    ClientRequestToken=token,
                    SecretString=json.dumps(value),
                    VersionStages=["AWSPENDING"],
                )
            elif event["Step"] == "finishSecret":
                stages = secrets.describe_secret(SecretId=secret)["VersionIdsToStages"]
                current = next(v for v, s in stages.items() if "AWSCURRENT" in s)
                secrets.update_secret_version_stage(
                    SecretId=secret, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
                )
                secrets.update_secret_version_stage(
                    SecretId=secret, VersionStage="AWSPENDING", RemoveFromVersionId=token
                )
            return b"null"

        monkeypatch.setattr(LambdaBackend, "invoke", invoke)
        role = boto3.client("iam").create_role(RoleName="rotation", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as archive:
            archive.writestr("rotation.py", "")
        arn = boto3.client("lambda").create_function(
            FunctionName="rotation",
            Runtime="python3.12",
            Role=role,
            Handler="rotation.handler",
            Code={"ZipFile": code.getvalue()},
        )["FunctionArn"]
        secrets.create_secret(Name="app/aurora/credentials", SecretString=json.dumps({"password": "initial"}))
        secrets.rotate_secret(
            SecretId="app/aurora/credentials", RotationLambdaARN=arn, RotationRules={"AutomaticallyAfterDays": 30}
        )
        yield secrets, arn, steps


def test_rotate_secret_without_a_function_uses_the_configured_one(rotation):
    """AWS: once rotation is configured, RotateSecret without RotationLambdaARN runs the configured function's
    four steps and the new version, with its value, becomes AWSCURRENT."""
    secrets, arn, steps = rotation
    first = json.loads(secrets.get_secret_value(SecretId="app/aurora/credentials")["SecretString"])["password"]
    steps.clear()
    secrets.rotate_secret(SecretId="app/aurora/credentials")
    assert steps == ["createSecret", "setSecret", "testSecret", "finishSecret"]
    second = json.loads(secrets.get_secret_value(SecretId="app/aurora/credentials")["SecretString"])["password"]
    assert second not in (first, "initial")
    assert secrets.describe_secret(SecretId="app/aurora/credentials")["RotationLambdaARN"] == arn
