"""GkeCluster (gke/_cluster.py): secure defaults, Autopilot, kubeconfig, provider, maintenance."""

from __future__ import annotations

import json

from moorage.clusters import gke_kubeconfig
from moorage.clusters.gke import (
    validate_gke_args,
)
from pulumi.runtime.sync_await import _sync_await

from .conftest import (
    CA_DATA,
    CLUSTER,
    COMPONENT,
    CRYPTO_KEY,
    IAM_MEMBER,
    K8S_PROVIDER,
    KEY_MEMBER,
    KEY_RING,
    MASTER_IP,
    NETWORK_COMPONENT,
    NODE_POOL,
    PROJECT,
    SERVICE_ACCOUNT,
    base_args,
    build,
    gcp_calls,
    gcp_outputs,
)


def test_registers_network_cluster_pool_and_identity_parented_to_the_component(gke):
    build(gke, base_args())

    counts: dict[str, int] = {}
    for resource in gke.resources:
        counts[resource.typ] = counts.get(resource.typ, 0) + 1
    assert counts == {
        "moorage:index:GkeCluster": 1,
        "pulumi:providers:gcp": 1,
        "moorage:index:GkeNetwork": 1,
        "gcp:compute/network:Network": 1,
        "gcp:compute/subnetwork:Subnetwork": 1,
        "gcp:compute/router:Router": 1,
        "gcp:compute/routerNat:RouterNat": 1,
        SERVICE_ACCOUNT: 1,
        IAM_MEMBER: 4,
        KEY_RING: 1,
        CRYPTO_KEY: 1,
        KEY_MEMBER: 1,
        CLUSTER: 1,
        NODE_POOL: 1,
        K8S_PROVIDER: 1,
    }
    for resource in gke.resources:
        if resource.typ == "moorage:index:GkeCluster":
            continue
        network_part = resource.typ.startswith("gcp:compute/")
        assert resource.parent.endswith(NETWORK_COMPONENT if network_part else COMPONENT)
        assert resource.name.startswith("prod-"), resource.name
        if resource.typ.startswith("gcp:"):
            assert "$pulumi:providers:gcp::prod-gcp::" in resource.provider, resource
    provider = gke.one("pulumi:providers:gcp").inputs
    assert (provider["project"], provider["region"]) == (PROJECT, "us-central1")


def test_cluster_secure_defaults(gke):
    build(gke, base_args())

    cluster = gke.one(CLUSTER).inputs
    assert cluster["name"] == "prod"
    assert cluster["location"] == "us-central1"  # regional
    assert cluster["releaseChannel"] == {"channel": "REGULAR"}
    assert cluster["minMasterVersion"] == "1.36"
    assert cluster["removeDefaultNodePool"] is True
    assert cluster["initialNodeCount"] == 1
    assert cluster["workloadIdentityConfig"] == {"workloadPool": "acme-prod.svc.id.goog"}
    assert cluster["enableShieldedNodes"] is True
    assert cluster["datapathProvider"] == "ADVANCED_DATAPATH"
    assert cluster["privateClusterConfig"] == {
        "enablePrivateNodes": True,
        "enablePrivateEndpoint": False,
        "masterIpv4CidrBlock": "172.16.0.0/28",
    }
    assert cluster["masterAuthorizedNetworksConfig"] == {
        "cidrBlocks": [],
        "gcpPublicCidrsAccessEnabled": False,
    }
    assert cluster["deletionProtection"] is False
    # Even the short-lived default pool runs as the dedicated node account.
    assert (
        cluster["nodeConfig"]["serviceAccount"] == f"prod-nodes@{PROJECT}.iam.gserviceaccount.com"
    )
    assert cluster["nodeConfig"]["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
    assert gke.resource(CLUSTER, "prod-cluster").ignore_changes == ["nodeConfig"]


def test_authorized_networks_private_endpoint_and_deletion_protection(gke):
    build(
        gke,
        base_args(
            master_authorized_networks=["203.0.113.0/24", "198.51.100.0/24"],
            enable_private_endpoint=True,
            deletion_protection=True,
        ),
    )

    cluster = gke.one(CLUSTER).inputs
    assert cluster["masterAuthorizedNetworksConfig"]["cidrBlocks"] == [
        {"cidrBlock": "203.0.113.0/24", "displayName": "allowed-0"},
        {"cidrBlock": "198.51.100.0/24", "displayName": "allowed-1"},
    ]
    assert cluster["privateClusterConfig"]["enablePrivateEndpoint"] is True
    assert cluster["deletionProtection"] is True


def test_zone_makes_the_cluster_zonal(gke):
    build(gke, base_args(zone="us-central1-b"))

    assert gke.one(CLUSTER).inputs["location"] == "us-central1-b"
    assert gke.one(NODE_POOL).inputs["location"] == "us-central1-b"
    # The secrets key lives in the cluster's region.
    assert gke.one(KEY_RING).inputs["location"] == "us-central1"


def test_autopilot_creates_no_node_pool(gke):
    cluster = build(gke, base_args(autopilot=True))

    assert gke.of_type(NODE_POOL) == []
    inputs = gke.one(CLUSTER).inputs
    assert inputs["enableAutopilot"] is True
    assert "removeDefaultNodePool" not in inputs
    assert inputs["clusterAutoscaling"]["autoProvisioningDefaults"]["serviceAccount"] == (
        f"prod-nodes@{PROJECT}.iam.gserviceaccount.com"
    )
    assert inputs["privateClusterConfig"]["enablePrivateNodes"] is True
    assert gke.resource(K8S_PROVIDER, "prod-k8s").depends_on(CLUSTER, "prod-cluster")
    assert gke.settle(cluster.workload_pool) == "acme-prod.svc.id.goog"


def test_kubeconfig_is_a_secret_exec_config_without_a_token(gke):
    cluster = build(gke, base_args())

    assert _sync_await(cluster.kubeconfig.is_secret()) is True
    text = gke.settle(cluster.kubeconfig)
    config = json.loads(text)
    assert config["clusters"][0]["cluster"] == {
        "server": f"https://{MASTER_IP}",
        "certificate-authority-data": CA_DATA,
    }
    user = config["users"][0]["user"]
    assert set(user) == {"exec"}
    assert user["exec"]["command"] == "gke-gcloud-auth-plugin"
    assert user["exec"]["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert user["exec"]["provideClusterInfo"] is True
    assert "token" not in text.lower()
    assert gke.settle(cluster.endpoint) == f"https://{MASTER_IP}"
    assert gke.settle(cluster.cluster_name) == "prod"


def test_provider_waits_for_the_node_pool_and_identity_hooks(gke):
    cluster = build(gke, base_args(delete_unreachable=True))

    provider = gke.one(K8S_PROVIDER)
    assert provider.name == "prod-k8s"
    assert provider.inputs["deleteUnreachable"] == "true"
    assert gke.resource(K8S_PROVIDER, "prod-k8s").depends_on(NODE_POOL, "prod-general")
    email = f"api@{PROJECT}.iam.gserviceaccount.com"
    assert cluster.workload_identity_annotations(email) == {"iam.gke.io/gcp-service-account": email}
    assert gke.settle(cluster.workload_pool) == "acme-prod.svc.id.goog"


def test_labels_become_provider_default_labels(gke):
    build(gke, base_args(labels={"team": "platform"}))

    assert json.loads(gke.one("pulumi:providers:gcp").inputs["defaultLabels"]) == {
        "team": "platform"
    }


def test_gke_kubeconfig_adds_https_once():
    with_scheme = gke_kubeconfig(cluster_name="c", endpoint="https://10.0.0.2", ca_data="Q0E=")
    bare = gke_kubeconfig(cluster_name="c", endpoint="10.0.0.2", ca_data="Q0E=")
    assert with_scheme == bare
    assert json.loads(bare)["clusters"][0]["cluster"]["server"] == "https://10.0.0.2"


def test_gke_prod_stack_deploys_the_service_with_workload_identity(gke):
    """stacks/Pulumi.gke-prod.yaml, read as the engine passes it, through moorage._program."""
    from pathlib import Path

    import yaml
    from moorage._program import deploy
    from moorage._stack_config import parse_stack_settings

    path = Path(__file__).resolve().parents[4] / "stacks" / "Pulumi.gke-prod.yaml"
    config = yaml.safe_load(path.read_text())["config"]
    raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    outputs = gke.run(lambda: deploy(parse_stack_settings(raw)))

    cluster = gke.one(CLUSTER).inputs
    assert (cluster["name"], cluster["location"]) == ("moorage-prod", "us-central1")
    assert cluster["deletionProtection"] is True
    pools = {p.inputs["name"]: p.inputs for p in gke.of_type(NODE_POOL)}
    assert pools["general"]["autoscaling"]["totalMaxNodeCount"] == 10
    assert pools["batch-spot"]["nodeConfig"]["spot"] is True
    assert pools["batch-spot"]["nodeConfig"]["taints"] == [
        {"key": "workload", "value": "batch", "effect": "NO_SCHEDULE"}
    ]
    assert cluster["monitoringConfig"]["managedPrometheus"] == {"enabled": True}
    assert cluster["maintenancePolicy"]["recurringWindow"]["recurrence"] == (
        "FREQ=WEEKLY;BYDAY=SA,SU"
    )
    assert cluster["databaseEncryption"]["state"] == "ENCRYPTED"
    account = gke.one("kubernetes:core/v1:ServiceAccount").metadata
    assert account["annotations"]["iam.gke.io/gcp-service-account"] == (
        "api@acme-prod.iam.gserviceaccount.com"
    )
    workloads = [r for r in gke.resources if r.typ.startswith("kubernetes:")]
    assert all("$pulumi:providers:kubernetes::test-k8s::" in r.provider for r in workloads)
    assert _sync_await(outputs["kubeconfig"].is_secret()) is True


def test_maintenance_window_defaults_to_weekends(gke):
    build(gke, base_args())

    window = gke.one(CLUSTER).inputs["maintenancePolicy"]["recurringWindow"]
    assert window == {
        "startTime": "2026-01-05T02:00:00Z",
        "endTime": "2026-01-05T08:00:00Z",
        "recurrence": "FREQ=WEEKLY;BYDAY=SA,SU",
    }


def test_maintenance_window_can_cross_midnight():
    spec = validate_gke_args(
        "prod",
        base_args(
            maintenance_window={"days": ["TU", "MO"], "start_time": "22:30", "duration_hours": 8}
        ),
    )
    assert spec.maintenance_window.recurrence == "FREQ=WEEKLY;BYDAY=MO,TU"
    assert spec.maintenance_window.bounds() == ("2026-01-05T22:30:00Z", "2026-01-06T06:30:00Z")


def test_managed_prometheus_is_an_option(gke):
    build(gke, base_args())
    assert gke.one(CLUSTER).inputs["monitoringConfig"] == {
        "enableComponents": ["SYSTEM_COMPONENTS"],
        "managedPrometheus": {"enabled": False},
    }


def test_managed_prometheus_on(make_mocks):
    mocks = make_mocks(call_handler=gcp_calls, resource_outputs=gcp_outputs)
    build(mocks, base_args(managed_prometheus=True))
    assert mocks.one(CLUSTER).inputs["monitoringConfig"]["managedPrometheus"] == {"enabled": True}
