"""A service's ``identity`` in the stack config, under mocks: the program creates the IAM
role and Pod Identity association (EKS), or the Google service account, its roles and the
Workload Identity binding (GKE), for that service's ServiceAccount; locally, nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from moorage._errors import ValidationError
from moorage._program import deploy
from moorage._stack_config import parse_stack_settings

from .clusters.eks.conftest import ADMIN, aws_calls, aws_outputs
from .clusters.gke.conftest import PROJECT, gcp_calls, gcp_outputs
from .conftest import RecordingMocks

S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
API = {"image": "ghcr.io/acme/api:1.4.2", "namespace": "shop", "service_type": "ClusterIP"}
NAMESPACES = json.dumps({"shop": {}})


def stack(cloud: str, cluster: dict[str, Any], identity: dict[str, Any]) -> dict[str, str]:
    return {
        "moorage:cloud": cloud,
        "moorage:cluster": json.dumps(cluster),
        "moorage:namespaces": NAMESPACES,
        "moorage:services": json.dumps({"api": {**API, "identity": identity}}),
    }


EKS = {"region": "us-west-2", "admin_principal_arns": [ADMIN]}
GKE = {"project": PROJECT, "region": "us-central1"}
LOCAL = {"runtime": "kwok", "nodes": 1}


def named(mocks: RecordingMocks, typ: str, name: str) -> Any:
    (found,) = [r for r in mocks.of_type(typ) if r.name == name]
    return found


def test_an_eks_service_identity_creates_a_pod_identity_role_for_its_service_account(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    config = stack("eks", EKS, {"aws": {"policy_arns": [S3_READ]}})
    mocks = make_mocks(call_handler=aws_calls, resource_outputs=aws_outputs, config=config)
    mocks.run(lambda: deploy(parse_stack_settings(config)))

    role = named(mocks, "aws:iam/role:Role", "api-identity")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert role.parent.endswith("moorage:index:Application::test")
    attached = named(mocks, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "api-identity-0")
    assert attached.inputs["policyArn"] == S3_READ
    link = named(mocks, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "api-identity")
    assert (link.inputs["namespace"], link.inputs["serviceAccount"]) == ("shop", "api")
    assert link.inputs["clusterName"] == mocks.one("aws:eks/cluster:Cluster").inputs["name"]
    # Pods get credentials only if created after the association: the Deployment waits.
    deployment = mocks.one("kubernetes:apps/v1:Deployment")
    assert deployment.depends_on(
        "aws:eks/podIdentityAssociation:PodIdentityAssociation", "api-identity"
    )
    account = mocks.one("kubernetes:core/v1:ServiceAccount")
    assert account.inputs["metadata"]["name"] == "api"
    assert "annotations" not in account.inputs["metadata"]  # Pod Identity needs none


def test_a_gke_service_identity_creates_a_google_account_bound_to_its_service_account(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    config = stack("gke", GKE, {"gcp": {"roles": ["roles/storage.objectViewer"]}})
    mocks = make_mocks(call_handler=gcp_calls, resource_outputs=gcp_outputs, config=config)
    mocks.run(lambda: deploy(parse_stack_settings(config)))

    google = named(mocks, "gcp:serviceaccount/account:Account", "api-identity")
    assert google.parent.endswith("moorage:index:Application::test")
    email = f"{google.inputs['accountId']}@{PROJECT}.iam.gserviceaccount.com"
    role = named(mocks, "gcp:projects/iAMMember:IAMMember", "api-identity-storage.objectViewer")
    assert (role.inputs["role"], role.inputs["member"]) == (
        "roles/storage.objectViewer",
        f"serviceAccount:{email}",
    )
    binding = named(
        mocks, "gcp:serviceaccount/iAMMember:IAMMember", "api-identity-workload-identity"
    )
    assert binding.inputs["role"] == "roles/iam.workloadIdentityUser"
    assert binding.inputs["member"] == f"serviceAccount:{PROJECT}.svc.id.goog[shop/api]"
    account = mocks.one("kubernetes:core/v1:ServiceAccount")
    assert account.inputs["metadata"]["annotations"] == {"iam.gke.io/gcp-service-account": email}


@pytest.mark.usefixtures("kwok_tools_on_path")
def test_a_local_service_identity_creates_nothing_and_says_so_once(
    make_mocks: Callable[..., RecordingMocks], monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    monkeypatch.setattr(pulumi.log, "info", lambda message, **_: said.append(message))
    config = stack("local", LOCAL, {"gcp": {"roles": ["roles/storage.objectViewer"]}})
    mocks = make_mocks(config=config)
    mocks.run(lambda: deploy(parse_stack_settings(config)))

    assert not [r for r in mocks.resources if r.typ.startswith(("aws:", "gcp:"))]
    assert [m for m in said if "identity" in m] == [
        "api: identity.gcp is accepted and ignored on a local cluster "
        "(no cloud identity exists there)"
    ]


@pytest.mark.parametrize(
    ("config", "field", "rule"),
    [
        (
            stack("eks", EKS, {"gcp": {"roles": ["roles/storage.objectViewer"]}}),
            "moorage:services.api.identity.gcp",
            "is for GKE clusters",
        ),
        (
            stack("gke", GKE, {"gcp": {"roles": ["roles/editor"]}}),
            "moorage:services.api.identity.gcp.roles[0]",
            "is a basic role",
        ),
        (
            {
                "moorage:cloud": "eks",
                "moorage:cluster": json.dumps(EKS),
                "moorage:serviceName": "api",
                "moorage:service": json.dumps({**API, "namespace": "api", "identity": {"aws": {}}}),
            },
            "moorage:service.identity.aws.policy_arns",
            "or statements must be set",
        ),
        (
            {
                **stack("eks", EKS, {"aws": {"policy_arns": [S3_READ]}}),
                "moorage:serviceIdentities": json.dumps({"api": "arn:aws:iam::1:role/x"}),
            },
            "moorage:services.api.identity",
            "cannot be combined with moorage:serviceIdentities.api",
        ),
    ],
    ids=["wrong-cloud", "basic-role", "shorthand-empty", "both-forms"],
)
def test_bad_identity_fails_before_any_resource(
    make_mocks: Callable[..., RecordingMocks], config: dict[str, str], field: str, rule: str
) -> None:
    mocks = make_mocks(call_handler=aws_calls, config=config)
    with pytest.raises(ValidationError) as raised:
        mocks.run(lambda: deploy(parse_stack_settings(config)))
    assert raised.value.field == field
    assert rule in raised.value.rule
    assert mocks.resources == []
