"""Shared mocks, constants and helpers of the EksCluster tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pytest
from moorage.clusters.eks import (
    EksCluster,
)

from ...conftest import RecordingMocks, with_outputs

ACCOUNT = "123456789012"

ADMIN = f"arn:aws:iam::{ACCOUNT}:role/deploy"

ZONES = ["us-west-2a", "us-west-2b", "us-west-2c"]

ADDON_VERSION = "v1.19.0-eksbuild.1"

ISSUER = "https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"

ENDPOINT = "https://EXAMPLED539D4633E53DE1B71EXAMPLE.gr7.us-west-2.eks.amazonaws.com"

CA_DATA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcw"

COMPONENT = "$moorage:index:EksCluster::staging"

NETWORK = "moorage:index:EksCluster$moorage:index:EksNetwork::staging-network"

AZ_TOKEN = "aws:index/getAvailabilityZones:getAvailabilityZones"

ADDON_TOKEN = "aws:eks/getAddonVersion:getAddonVersion"

VPC = "aws:ec2/vpc:Vpc"

SUBNET = "aws:ec2/subnet:Subnet"

NAT = "aws:ec2/natGateway:NatGateway"

ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"

CLUSTER = "aws:eks/cluster:Cluster"

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"

LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"

ADDON = "aws:eks/addon:Addon"

ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"

ACCESS_POLICY = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"

POD_IDENTITY = "aws:eks/podIdentityAssociation:PodIdentityAssociation"

STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"

ROLE = "aws:iam/role:Role"

ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"

K8S_PROVIDER = "pulumi:providers:kubernetes"


def aws_calls(token: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """Realistic answers to the two invokes EksCluster makes."""
    if token == AZ_TOKEN:
        return {
            "id": "us-west-2",
            "names": ZONES,
            "zoneIds": ["usw2-az1", "usw2-az2", "usw2-az3"],
            "groupNames": ["us-west-2"],
        }
    if token == ADDON_TOKEN:
        return {
            "id": args["addonName"],
            "addonName": args["addonName"],
            "kubernetesVersion": args["kubernetesVersion"],
            "version": ADDON_VERSION,
        }
    raise AssertionError(f"unexpected invoke {token}")


def aws_outputs(args: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    """Outputs AWS computes that the component reads (mocks only echo inputs)."""
    if args.typ == CLUSTER:
        return {
            "arn": f"arn:aws:eks:us-west-2:{ACCOUNT}:cluster/{args.inputs['name']}",
            "endpoint": ENDPOINT,
            "certificateAuthority": {"data": CA_DATA},
            "identities": [{"oidcs": [{"issuer": ISSUER}]}],
        }
    if args.typ == LAUNCH_TEMPLATE:
        return {"latestVersion": 1}
    if args.typ == "aws:iam/role:Role":
        return {"arn": f"arn:aws:iam::{ACCOUNT}:role/{args.name}", "name": args.name}
    if args.typ == "aws:kms/key:Key":
        return {"arn": f"arn:aws:kms:us-west-2:{ACCOUNT}:key/{args.name}"}
    if args.typ == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
        return {"arn": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{args.inputs['url'][8:]}"}
    if args.typ == "aws:ec2/eip:Eip":
        return {"allocationId": f"eipalloc-{args.name}"}
    return {}


@pytest.fixture
def eks(make_mocks: Callable[..., RecordingMocks]) -> RecordingMocks:
    return make_mocks(call_handler=aws_calls, resource_outputs=aws_outputs)


def base_args(**overrides: Any) -> dict[str, Any]:
    return {"region": "us-west-2", "admin_principal_arns": [ADMIN], **overrides}


def build(mocks: RecordingMocks, args: Mapping[str, Any], name: str = "staging") -> EksCluster:
    """Run EksCluster(name, args), with each ``AsOutput`` in args made an Output."""
    return mocks.run(lambda: EksCluster(name, with_outputs(args)))


def addon_inputs(mocks: RecordingMocks) -> dict[str, dict[str, Any]]:
    return {a.inputs["addonName"]: a.inputs for a in mocks.of_type(ADDON)}
