"""Copying inventories/local under a new name and CIDR gives a correctly named,
tagged and addressed environment, beside the local one, on one emulator."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys

import boto3
import pytest
from conftest import ROOT
from conftest import free_port
from conftest import run_playbook


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    port = free_port()
    state = tmp_path_factory.mktemp("emulator")
    env = dict(os.environ, FREELANCER_EMULATOR_STATE_DIR=str(state))
    cli = [sys.executable, "-m", "freelancer_emulator"]
    subprocess.run([*cli, "start", "--port", str(port)], cwd=ROOT, env=env, check=True, timeout=120)
    yield port
    subprocess.run([*cli, "stop", "--port", str(port)], cwd=ROOT, env=env, check=True, timeout=60)


def client(port, name):
    return boto3.client(
        name,
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_a_copied_inventory_converges_named_tagged_and_addressed(emulator, copied_inventory):
    inventory = copied_inventory("qa-7", vpc_cidr="10.50.0.0/16", network_nat_gateway_mode="per_az")
    converge = run_playbook("site.yml", "--tags", "security,network", port=emulator, inventory=str(inventory))
    assert converge.returncode == 0, converge.stdout[-3000:]

    ec2 = client(emulator, "ec2")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["qa-7-freelancer-platform-vpc"]}])["Vpcs"]
    assert len(vpcs) == 1
    vpc = vpcs[0]
    assert vpc["CidrBlock"] == "10.50.0.0/16"
    tags = {t["Key"]: t["Value"] for t in vpc["Tags"]}
    assert tags["Environment"] == "qa-7" and tags["Project"] == "freelancer-platform"
    assert tags["ManagedBy"] == "Ansible" and tags["CostCenter"] == "engineering"

    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
    assert len(subnets) == 6
    for subnet in subnets:
        assert ipaddress.ip_network(subnet["CidrBlock"]).subnet_of(ipaddress.ip_network("10.50.0.0/16"))
        name = {t["Key"]: t["Value"] for t in subnet["Tags"]}["Name"]
        assert name.startswith("qa-7-freelancer-platform-")
    nats = [
        n
        for n in ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["NatGateways"]
        if n["State"] in ("pending", "available")
    ]
    assert len(nats) == 2, "per_az gives one NAT gateway per AZ"
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["SecurityGroups"]
    assert {g["GroupName"] for g in groups} >= {f"qa-7-freelancer-platform-{r}-sg" for r in ("alb", "ecs", "aurora")}
    aliases = [a["AliasName"] for a in client(emulator, "kms").list_aliases()["Aliases"]]
    assert "alias/qa-7-freelancer-platform-logs" in aliases
    assert (ROOT / "outputs" / "qa-7.json").exists()

    teardown = run_playbook(
        "playbooks/teardown.yml", "--tags", "security,network", port=emulator, inventory=str(inventory)
    )
    assert teardown.returncode == 0, teardown.stdout[-3000:]
    assert ec2.describe_vpcs(Filters=[{"Name": "tag:Environment", "Values": ["qa-7"]}])["Vpcs"] == []
    # A teardown limited by tags keeps the outputs file: other roles may still exist.
    outputs = ROOT / "outputs" / "qa-7.json"
    assert outputs.exists(), teardown.stdout[-3000:]
    outputs.unlink()
