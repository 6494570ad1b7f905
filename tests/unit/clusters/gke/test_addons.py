"""GkeCluster's add-ons (addons/ wired in gke/_cluster.py): Google identities through
Workload Identity, and GKE's own Gateway controller."""

from __future__ import annotations

import pytest
from moorage import ValidationError

from ...conftest import RecordingMocks
from .conftest import CLUSTER, IAM_MEMBER, PROJECT, SERVICE_ACCOUNT, base_args, build

CHART = "kubernetes:helm.sh/v4:Chart"
RELEASE = "kubernetes:helm.sh/v3:Release"
WORKLOAD_IDENTITY = "gcp:serviceaccount/iAMMember:IAMMember"


def test_external_dns_gets_a_google_account_with_dns_admin_bound_to_its_service_account(
    gke: RecordingMocks,
) -> None:
    build(
        gke,
        base_args(addons={"external_dns": {"enabled": True, "domain_filters": ["example.com"]}}),
    )

    (account,) = [a for a in gke.of_type(SERVICE_ACCOUNT) if a.name == "prod-external-dns-identity"]
    assert 6 <= len(account.inputs["accountId"]) <= 30
    assert account.inputs["project"] == PROJECT
    (grant,) = [
        m for m in gke.of_type(IAM_MEMBER) if m.name.startswith("prod-external-dns-identity")
    ]
    assert grant.inputs["role"] == "roles/dns.admin"
    binding = gke.one(WORKLOAD_IDENTITY)
    assert binding.inputs["role"] == "roles/iam.workloadIdentityUser"
    assert binding.inputs["member"] == (
        f"serviceAccount:{PROJECT}.svc.id.goog[external-dns/external-dns]"
    )
    values = gke.one(CHART).inputs["values"]
    assert values["provider"] == {"name": "google"}
    assert values["extraArgs"] == [f"--google-project={PROJECT}"]
    assert values["serviceAccount"]["name"] == "external-dns"
    email = f"{account.inputs['accountId']}@{PROJECT}.iam.gserviceaccount.com"
    assert values["serviceAccount"]["annotations"] == {"iam.gke.io/gcp-service-account": email}
    assert "$pulumi:providers:gcp::prod-gcp::" in binding.provider


def test_the_gateway_addon_switches_on_gkes_own_controller_and_installs_no_chart(
    gke: RecordingMocks,
) -> None:
    build(gke, base_args(addons={"gateway": {"enabled": True}, "cert_manager": {"enabled": True}}))

    assert gke.one(CLUSTER).inputs["gatewayApiConfig"] == {"channel": "CHANNEL_STANDARD"}
    assert [r.name for r in gke.of_type(CHART)] == ["prod-cert-manager"]
    assert gke.of_type(RELEASE) == []


def test_without_the_gateway_addon_the_cluster_has_no_gateway_config(gke: RecordingMocks) -> None:
    build(gke, base_args())
    assert "gatewayApiConfig" not in gke.one(CLUSTER).inputs


@pytest.mark.parametrize(
    ("addons", "rule"),
    [
        ({"metrics_server": {"enabled": True}}, "GKE runs metrics-server itself"),
        ({"cluster_autoscaler": {"enabled": True}}, "node pools autoscale themselves"),
        ({"load_balancer_controller": {"enabled": True}}, "AWS controller"),
    ],
)
def test_addons_gke_does_not_take_fail_before_anything_exists(
    gke: RecordingMocks, addons: dict[str, object], rule: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        build(gke, base_args(addons=addons))
    assert gke.resources == []
    assert rule in raised.value.rule
