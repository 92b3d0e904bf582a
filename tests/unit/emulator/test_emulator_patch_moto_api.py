"""moto's /moto-api/data.json answers with a Lambda function and an RDS cluster present."""

from __future__ import annotations

import io
import json
import urllib.request
import zipfile


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def test_data_json_serialises_with_lambda_and_rds_and_shows_sent_mail(emulator) -> None:
    """What it restores: the model dump tests read sent SES mail from; it must not fail because some model has an
    attribute that cannot be read (Lambda's Docker client, an RDS cluster's master password)."""
    role = emulator.client("iam").create_role(RoleName="data-json", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    emulator.client("lambda").create_function(
        FunctionName="data-json", Runtime="python3.11", Role=role, Handler="app.handler", Code={"ZipFile": _zip()}
    )
    emulator.client("rds").create_db_cluster(
        DBClusterIdentifier="data-json", Engine="aurora-mysql", MasterUsername="admin", MasterUserPassword="pw-123456"
    )
    ses = emulator.client("ses")
    ses.verify_email_identity(EmailAddress="noreply@example.com")
    ses.send_email(
        Source="noreply@example.com",
        Destination={"ToAddresses": ["client@example.com"]},
        Message={"Subject": {"Data": "Your invoice"}, "Body": {"Text": {"Data": "Invoice 42 is ready."}}},
    )

    with urllib.request.urlopen(f"http://127.0.0.1:{emulator.port}/moto-api/data.json", timeout=30) as response:
        assert response.status == 200
        data = json.loads(response.read())

    assert any(f.get("function_name") == "data-json" for f in data["awslambda"]["LambdaFunction"])
    assert any(c.get("db_cluster_identifier") == "data-json" for c in data["rds"]["DBCluster"])
    messages = data["ses"]["Message"]
    assert any(m.get("subject") == "Your invoice" and "Invoice 42" in m.get("body", "") for m in messages)
