"""Creating a service's identity (identity/_create.py) under mocks: the IAM role and Pod
Identity association on EKS, the Google account and Workload Identity binding on GKE,
nothing locally."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_gcp as gcp
import pytest
from moorage._fields import Fields
from moorage.identity import (
    LOCAL,
    AwsTarget,
    CreatedIdentity,
    GcpTarget,
    IdentityTarget,
    create_identity,
    read_identity,
)

from ..conftest import RecordingMocks

S3_READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::assets/*"}


def create(identity: dict[str, Any], target: IdentityTarget) -> CreatedIdentity:
    spec = read_identity(
        Fields('WebService "api"', {"identity": identity}), "identity", target.cloud
    )
    assert spec is not None
    return create_identity(
        "api",
        spec,
        namespace="shop",
        service_account="api",
        target=target,
        opts=pulumi.ResourceOptions(),
    )


def eks_target() -> IdentityTarget:
    provider = aws.Provider("cluster-aws", region="eu-west-1")
    return IdentityTarget("eks", aws=AwsTarget("prod", "aws", provider))


def gke_target() -> IdentityTarget:
    provider = gcp.Provider("cluster-gcp", project="acme-prod")
    return IdentityTarget(
        "gke", gcp=GcpTarget("acme-prod", "acme-prod.svc.id.goog", "prod", provider)
    )


def test_eks_creates_a_role_its_permissions_and_the_pod_identity_association(
    mocks: RecordingMocks,
) -> None:
    arn = "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess"
    created = mocks.run(
        lambda: create({"aws": {"policy_arns": [arn], "statements": [S3_READ]}}, eks_target())
    )

    role = mocks.one("aws:iam/role:Role")
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "pods.eks.amazonaws.com"
    }
    assert mocks.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs["policyArn"] == arn
    inline = json.loads(mocks.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    assert inline == {"Version": "2012-10-17", "Statement": [S3_READ]}
    link = mocks.one("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert (
        link.inputs["clusterName"],
        link.inputs["namespace"],
        link.inputs["serviceAccount"],
    ) == (
        "prod",
        "shop",
        "api",
    )
    assert link.depends_on("aws:iam/rolePolicy:RolePolicy", "api-identity-policy")
    assert all("cluster-aws" in r.provider for r in mocks.resources if r.typ.startswith("aws:iam"))
    assert created.annotations == {}  # Pod Identity needs no ServiceAccount annotation
    assert created.role_arn is not None


def test_gke_creates_a_google_account_its_roles_and_the_workload_identity_binding(
    mocks: RecordingMocks,
) -> None:
    created = mocks.run(
        lambda: create(
            {"gcp": {"roles": ["roles/storage.objectViewer", "roles/pubsub.subscriber"]}},
            gke_target(),
        )
    )

    account = mocks.one("gcp:serviceaccount/account:Account")
    assert account.inputs["project"] == "acme-prod"
    assert 6 <= len(account.inputs["accountId"]) <= 30
    roles = {m.inputs["role"] for m in mocks.of_type("gcp:projects/iAMMember:IAMMember")}
    assert roles == {"roles/storage.objectViewer", "roles/pubsub.subscriber"}
    binding = mocks.one("gcp:serviceaccount/iAMMember:IAMMember")
    assert binding.inputs["role"] == "roles/iam.workloadIdentityUser"
    assert binding.inputs["member"] == "serviceAccount:acme-prod.svc.id.goog[shop/api]"
    assert set(created.annotations) == {"iam.gke.io/gcp-service-account"}
    assert created.google_service_account is not None


def test_a_local_cluster_creates_nothing_and_says_so_once(
    mocks: RecordingMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    monkeypatch.setattr(pulumi.log, "info", lambda message, **_: said.append(message))
    created = mocks.run(lambda: create({"aws": {"statements": [S3_READ]}}, LOCAL))

    assert mocks.resources == []
    assert created == CreatedIdentity()
    assert said == [
        "api: identity.aws is accepted and ignored on a local cluster "
        "(no cloud identity exists there)"
    ]
