"""Application ``identities`` from Python: created on the cluster's identity target, named
after the service, bound to its own or its named ServiceAccount; checked before anything."""

from __future__ import annotations

from collections.abc import Callable

import pulumi
import pulumi_gcp as gcp
import pytest
from moorage import Application, ApplicationArgs, ValidationError
from moorage.identity import GcpTarget, IdentityTarget

from .conftest import RecordingMocks

IMAGE = "ghcr.io/acme/app:1.0.0"
VIEWER = {"gcp": {"roles": ["roles/storage.objectViewer"]}}


def gke_target() -> IdentityTarget:
    provider = gcp.Provider("cluster-gcp", project="acme-prod")
    return IdentityTarget(
        "gke", gcp=GcpTarget("acme-prod", "acme-prod.svc.id.goog", "prod", provider)
    )


def test_identities_need_the_cluster_they_are_created_for(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    args: ApplicationArgs = {"services": {"api": {"image": IMAGE}}, "identities": {"api": VIEWER}}
    mocks = make_mocks()
    with pytest.raises(ValidationError) as raised:
        mocks.run(lambda: Application("shop", args))
    assert raised.value.field == "identities"
    assert "identity_target=cluster.identity_target()" in raised.value.rule
    assert [r.typ for r in mocks.resources] == ["moorage:index:Application"]


@pytest.mark.parametrize(
    ("service", "identities", "field", "rule"),
    [
        ({"image": IMAGE}, {"cart": VIEWER}, "identities.cart", "is not a service"),
        (
            {"image": IMAGE, "service_account_name": "shared"},
            {"api": VIEWER},
            "identities.api.gcp",
            "remove service_account_name",
        ),
        (
            {
                "image": IMAGE,
                "service_account_annotations": {"iam.gke.io/gcp-service-account": "x"},
            },
            {"api": VIEWER},
            "services.api.service_account_annotations.iam.gke.io/gcp-service-account",
            "set it in one place",
        ),
    ],
    ids=["unknown-service", "existing-account-on-gke", "annotation-twice"],
)
def test_bad_identities_fail_before_any_child(
    make_mocks: Callable[..., RecordingMocks],
    service: dict[str, object],
    identities: dict[str, object],
    field: str,
    rule: str,
) -> None:
    args: ApplicationArgs = {
        "services": {"api": service},  # type: ignore[dict-item]
        "identities": identities,  # type: ignore[typeddict-item]
    }
    mocks = make_mocks()
    with pytest.raises(ValidationError) as raised:
        mocks.run(lambda: Application("shop", args, identity_target=gke_target()))
    assert (raised.value.field, rule in raised.value.rule) == (field, True)
    assert not [r for r in mocks.resources if r.typ.startswith(("gcp:serviceaccount", "kube"))]


def test_a_gke_identity_annotates_the_service_account_it_creates(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    args: ApplicationArgs = {"services": {"api": {"image": IMAGE}}, "identities": {"api": VIEWER}}
    mocks = make_mocks(
        resource_outputs=lambda a: (
            {"email": f"{a.inputs['accountId']}@acme-prod.iam.gserviceaccount.com"}
            if a.typ == "gcp:serviceaccount/account:Account"
            else {}
        )
    )
    mocks.run(
        lambda: Application("shop", args, pulumi.ResourceOptions(), identity_target=gke_target())
    )
    google = mocks.one("gcp:serviceaccount/account:Account")
    annotations = mocks.one("kubernetes:core/v1:ServiceAccount").inputs["metadata"]["annotations"]
    email = f"{google.inputs['accountId']}@acme-prod.iam.gserviceaccount.com"
    assert annotations == {"iam.gke.io/gcp-service-account": email}
    binding = mocks.one("gcp:serviceaccount/iAMMember:IAMMember")
    assert binding.inputs["member"] == "serviceAccount:acme-prod.svc.id.goog[api/api]"


def test_the_annotation_is_the_one_gke_reads() -> None:
    from moorage.application_identity import SERVICE_ACCOUNT_ANNOTATION
    from moorage.identity._gcp import SERVICE_ACCOUNT_ANNOTATION as GKE_READS

    assert SERVICE_ACCOUNT_ANNOTATION == GKE_READS
