"""GkeCluster under mocks: what it registers, its secure defaults, and its validation."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pytest
from moorage._errors import ValidationError
from moorage.clusters.gke import (
    NODE_SERVICE_ACCOUNT_ROLES,
    GkeCluster,
    GkeClusterArgs,
    GkeMaintenanceWindowArgs,
    GkeNetworkArgs,
    GkeNodePoolArgs,
    node_service_account_id,
    validate_gke_args,
)
from moorage.clusters.kubeconfig import gke_kubeconfig
from pulumi.runtime.sync_await import _sync_await

from ._paths import with_output_at
from .conftest import RecordingMocks, with_outputs

PROJECT = "acme-prod"
MASTER_IP = "34.118.10.20"
CA_DATA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUVMVENDQXBXZ0F3SUJBZ0lSQU"
COMPONENT = "$moorage:index:GkeCluster::prod"

CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
SERVICE_ACCOUNT = "gcp:serviceaccount/account:Account"
IAM_MEMBER = "gcp:projects/iAMMember:IAMMember"
K8S_PROVIDER = "pulumi:providers:kubernetes"
NETWORK_COMPONENT = "moorage:index:GkeCluster$moorage:index:GkeNetwork::prod-vpc"
KEY_RING = "gcp:kms/keyRing:KeyRing"
CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey"
KEY_MEMBER = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
PROJECT_NUMBER = "318273645012"
GET_PROJECT = "gcp:organizations/getProject:getProject"
GKE_AGENT = (
    f"serviceAccount:service-{PROJECT_NUMBER}@container-engine-robot.iam.gserviceaccount.com"
)


def gcp_calls(token: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The one invoke GkeCluster makes: the project's number, for the GKE service agent."""
    assert token == GET_PROJECT, token
    return {"id": f"projects/{args['projectId']}", "projectId": args["projectId"],
            "number": PROJECT_NUMBER}  # fmt: skip


def gcp_outputs(args: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    """Outputs GCP computes that the component reads (mocks only echo inputs)."""
    if args.typ == CLUSTER:
        return {
            "endpoint": MASTER_IP,
            "masterAuth": {"clusterCaCertificate": CA_DATA},
            "selfLink": f"https://container.googleapis.com/v1/projects/{PROJECT}/clusters/x",
        }
    if args.typ == SERVICE_ACCOUNT:
        return {"email": f"{args.inputs['accountId']}@{PROJECT}.iam.gserviceaccount.com"}
    if args.typ == "gcp:compute/router:Router":
        return {"name": args.name}
    return {}


@pytest.fixture
def gke(make_mocks: Callable[..., RecordingMocks]) -> RecordingMocks:
    return make_mocks(call_handler=gcp_calls, resource_outputs=gcp_outputs)


def base_args(**overrides: Any) -> dict[str, Any]:
    return {"project": PROJECT, "region": "us-central1", **overrides}


def build(mocks: RecordingMocks, args: dict[str, Any], name: str = "prod") -> GkeCluster:
    """Run GkeCluster(name, args), with each ``AsOutput`` in args made an Output."""
    return mocks.run(lambda: GkeCluster(name, with_outputs(args)))


# --- resources, parents, providers ------------------------------------------------


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


def test_vpc_native_network_with_pod_and_service_ranges(gke):
    build(gke, base_args())

    assert gke.one("gcp:compute/network:Network").inputs["autoCreateSubnetworks"] is False
    subnet = gke.one("gcp:compute/subnetwork:Subnetwork").inputs
    assert subnet["ipCidrRange"] == "10.0.0.0/20"
    assert subnet["privateIpGoogleAccess"] is True
    assert subnet["secondaryIpRanges"] == [
        {"rangeName": "pods", "ipCidrRange": "10.4.0.0/14"},
        {"rangeName": "services", "ipCidrRange": "10.8.0.0/20"},
    ]
    cluster = gke.one(CLUSTER).inputs
    assert cluster["ipAllocationPolicy"] == {
        "clusterSecondaryRangeName": "pods",
        "servicesSecondaryRangeName": "services",
    }
    assert cluster["network"] == "prod-network-id"
    assert cluster["subnetwork"] == "prod-subnet-id"


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


def test_node_pool_is_hardened_autoscaling_and_auto_managed(gke):
    build(gke, base_args())

    pool = gke.one(NODE_POOL).inputs
    assert pool["name"] == "general"
    assert pool["cluster"] == "prod-cluster-id"
    assert pool["autoscaling"] == {
        "totalMinNodeCount": 1,
        "totalMaxNodeCount": 3,
        "locationPolicy": "BALANCED",
    }
    assert pool["management"] == {"autoRepair": True, "autoUpgrade": True}
    config = pool["nodeConfig"]
    assert config["machineType"] == "e2-standard-4"
    assert config["spot"] is False
    assert config["serviceAccount"] == f"prod-nodes@{PROJECT}.iam.gserviceaccount.com"
    assert config["oauthScopes"] == ["https://www.googleapis.com/auth/cloud-platform"]
    assert config["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
    assert config["shieldedInstanceConfig"] == {
        "enableSecureBoot": True,
        "enableIntegrityMonitoring": True,
    }
    assert config["metadata"] == {"disable-legacy-endpoints": "true"}
    # Nodes wait for their IAM roles and for NAT egress.
    assert gke.resource(NODE_POOL, "prod-general").depends_on(
        IAM_MEMBER, "prod-nodes-logging-logWriter"
    )
    assert gke.resource(NODE_POOL, "prod-general").depends_on(
        "gcp:compute/routerNat:RouterNat", "prod-nat"
    )


def test_spot_machine_type_and_sizes_can_be_overridden(gke):
    build(
        gke,
        base_args(
            node_pools=[
                {
                    "name": "general",
                    "spot": True,
                    "machine_type": "e2-standard-8",
                    "min_nodes": 3,
                    "max_nodes": 10,
                }
            ]
        ),
    )

    pool = gke.one(NODE_POOL).inputs
    assert pool["nodeConfig"]["spot"] is True
    assert pool["autoscaling"]["locationPolicy"] == "ANY"  # Spot: wherever capacity is
    assert pool["nodeConfig"]["machineType"] == "e2-standard-8"
    assert pool["autoscaling"]["totalMinNodeCount"] == 3
    assert pool["autoscaling"]["totalMaxNodeCount"] == 10


def test_node_service_account_has_only_the_four_roles(gke):
    build(gke, base_args())

    account = gke.one(SERVICE_ACCOUNT).inputs
    assert account["accountId"] == "prod-nodes"
    members = gke.of_type(IAM_MEMBER)
    assert (
        {m.inputs["role"] for m in members}
        == set(NODE_SERVICE_ACCOUNT_ROLES)
        == {
            "roles/logging.logWriter",
            "roles/monitoring.metricWriter",
            "roles/monitoring.viewer",
            "roles/artifactregistry.reader",
        }
    )
    assert {m.inputs["member"] for m in members} == {
        f"serviceAccount:prod-nodes@{PROJECT}.iam.gserviceaccount.com"
    }
    assert {m.inputs["project"] for m in members} == {PROJECT}


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


def test_without_cloud_nat_no_router_is_created(gke):
    build(gke, base_args(cloud_nat=False))

    assert gke.of_type("gcp:compute/router:Router") == []
    assert gke.of_type("gcp:compute/routerNat:RouterNat") == []


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


# --- validation: raised before anything is registered --------------------------------

# Only the labels and delete_unreachable may be Outputs; every other value is validated
# before anything is created (or decides which resources exist), so it must be plain.
FULL_ARGS = base_args(
    zone="us-central1-a",
    cluster_name="prod",
    kubernetes_version="1.36",
    release_channel="REGULAR",
    autopilot=False,
    deletion_protection=True,
    subnet_cidr="10.0.0.0/20",
    pods_cidr="10.4.0.0/14",
    services_cidr="10.8.0.0/20",
    master_ipv4_cidr_block="172.16.0.0/28",
    enable_private_endpoint=False,
    master_authorized_networks=["203.0.113.0/24"],
    allow_public_endpoint_from_anywhere=False,
    cloud_nat=True,
    node_pools=[
        {
            "name": "general",
            "machine_type": "e2-standard-4",
            "min_nodes": 1,
            "max_nodes": 3,
            "spot": False,
            "disk_size_gb": 50,
            "labels": {"team": "web"},
            "taints": [{"key": "dedicated", "value": "web", "effect": "PreferNoSchedule"}],
        }
    ],
    maintenance_window={"days": ["SA", "SU"], "start_time": "02:00", "duration_hours": 6},
    managed_prometheus=True,
    kms_key_rotation_days=90,
    delete_unreachable=True,
    labels={"team": "platform"},
)
"""Valid args that set every field but the existing-network and own-key ones."""
EXISTING_NETWORK = base_args(
    network={
        "network": "prod-vpc",
        "subnetwork": "gke-us-central1",
        "host_project": "acme-network",
        "pods_range_name": "gke-pods",
        "services_range_name": "gke-services",
    },
    secrets_encryption_key=f"projects/{PROJECT}/locations/us-central1/keyRings/gke/cryptoKeys/s",
)
"""Valid Shared VPC args with a key of the user's."""
OUTPUTS_ALLOWED = ("delete_unreachable", "labels", "secrets_encryption_key")
PLAIN_ONLY = [
    *(key for key in GkeClusterArgs.__annotations__ if key not in OUTPUTS_ALLOWED),
    *(f"node_pools[0].{key}" for key in GkeNodePoolArgs.__annotations__),
    *(f"network.{key}" for key in GkeNetworkArgs.__annotations__),
    *(f"maintenance_window.{key}" for key in GkeMaintenanceWindowArgs.__annotations__),
    "master_authorized_networks[0]",
    "node_pools[0]",
    "node_pools[0].taints[0].effect",
    "maintenance_window.days[1]",
]


def args_for(path: str) -> dict[str, Any]:
    """FULL_ARGS or EXISTING_NETWORK, whichever sets the field at ``path``."""
    return FULL_ARGS if path.split(".")[0].split("[")[0] in FULL_ARGS else EXISTING_NETWORK


def pool(**fields: Any) -> dict[str, Any]:
    """Args with one node pool named "general" with ``fields``."""
    return base_args(node_pools=[{"name": "general", **fields}])


BAD_ARGS = [
    pytest.param({"region": "us-central1"}, "project", "is required", id="missing-project"),
    pytest.param({"project": PROJECT}, "region", "is required", id="missing-region"),
    pytest.param(base_args(project="Acme_Prod"), "project", "GCP project id", id="bad-project"),
    pytest.param(
        base_args(zone="europe-west1-b"), "zone", "zone of us-central1", id="zone-elsewhere"
    ),
    pytest.param(
        pool(min_nodes=5, max_nodes=3),
        "node_pools[0].min_nodes",
        "greater than node_pools[0].max_nodes (3)",
        id="min-above-max",
    ),
    pytest.param(
        pool(min_nodes=0, max_nodes=0),
        "node_pools[0].max_nodes",
        "at least 1",
        id="zero-max",
    ),
    pytest.param(
        base_args(pods_cidr="10.4.0.0"), "pods_cidr", "valid IPv4 CIDR", id="cidr-no-prefix"
    ),
    pytest.param(
        base_args(pods_cidr="10.4.0.300/14"), "pods_cidr", "valid IPv4 CIDR", id="cidr-garbage"
    ),
    pytest.param(
        base_args(services_cidr="10.5.0.0/20"),
        "pods_cidr",
        "overlaps services_cidr",
        id="overlapping-ranges",
    ),
    pytest.param(
        base_args(master_ipv4_cidr_block="172.16.0.0/24"),
        "master_ipv4_cidr_block",
        "/28",
        id="master-not-28",
    ),
    pytest.param(
        base_args(subnet_cidr="8.8.0.0/20"), "subnet_cidr", "private", id="public-subnet-range"
    ),
    pytest.param(
        base_args(master_authorized_networks=["0.0.0.0/0"]),
        "master_authorized_networks[0]",
        "allow_public_endpoint_from_anywhere",
        id="anywhere-without-flag",
    ),
    pytest.param(
        base_args(kubernetes_version="1.32"),
        "kubernetes_version",
        "not supported",
        id="unsupported",
    ),
    pytest.param(
        base_args(kubernetes_version="v1.34"), "kubernetes_version", "minor version", id="v-prefix"
    ),
    pytest.param(
        base_args(release_channel="regular"), "release_channel", "REGULAR", id="bad-channel"
    ),
    pytest.param(
        base_args(autopilot=True, zone="us-central1-a"),
        "zone",
        "always regional",
        id="zonal-autopilot",
    ),
    pytest.param(
        base_args(autopilot=True, node_pools=[{"name": "general"}]),
        "node_pools",
        "Autopilot manages",
        id="autopilot-with-pool",
    ),
    pytest.param(
        base_args(deletion_protection="true"),
        "deletion_protection",
        "true or false",
        id="string-bool",
    ),
    pytest.param(
        base_args(cluster_name="Prod_1"), "cluster_name", "lowercase", id="bad-cluster-name"
    ),
    pytest.param(pool(max_node=4), "node_pools[0].max_node", "not a known field", id="typo"),
    pytest.param(
        base_args(node_pool={"min_nodes": 1}),
        "node_pool",
        'did you mean "node_pools"?',
        id="old-node-pool-field",
    ),
    pytest.param(
        pool(taints=[{"key": "dedicated", "value": "batch"}]),
        "node_pools",
        "CoreDNS",
        id="taints-without-tolerations-on-system-pods",
    ),
    pytest.param(
        base_args(node_pools=[{"name": "a"}, {"name": "a"}]),
        "node_pools[1].name",
        "unique",
        id="duplicate-pool",
    ),
    pytest.param(
        pool(labels={"cloud.google.com/gke-nodepool": "x"}),
        "node_pools[0].labels.cloud.google.com/gke-nodepool",
        "reserved domain cloud.google.com",
        id="reserved-label",
    ),
    pytest.param(
        base_args(
            network={
                "network": "projects/acme-network/global/networks/prod-vpc",
                "subnetwork": "projects/acme-network/regions/us-central1/subnetworks/gke",
            }
        ),
        "network.network",
        "a Shared VPC needs host_project: acme-network",
        id="shared-vpc-without-host-project",
    ),
    pytest.param(
        base_args(network={"network": "vpc", "subnetwork": "gke", "host_project": PROJECT}),
        "network.host_project",
        "only for a Shared VPC",
        id="host-project-is-own-project",
    ),
    pytest.param(
        base_args(
            network={
                "network": "vpc",
                "subnetwork": "projects/acme-network/regions/europe-west1/subnetworks/gke",
                "host_project": "acme-network",
            }
        ),
        "network.subnetwork",
        "is in europe-west1, not us-central1",
        id="subnetwork-in-another-region",
    ),
    pytest.param(
        base_args(network={"network": "vpc"}),
        "network.subnetwork",
        "is required",
        id="network-without-subnetwork",
    ),
    pytest.param(
        base_args(network={"network": "vpc", "subnetwork": "gke"}, pods_cidr="10.4.0.0/14"),
        "pods_cidr",
        "only applies to the network Moorage creates",
        id="existing-network-with-cidrs",
    ),
    pytest.param(
        base_args(network={"network": "vpc", "subnetwork": "gke"}, cloud_nat=True),
        "cloud_nat",
        "only applies to the network Moorage creates",
        id="existing-network-with-nat",
    ),
    pytest.param(
        base_args(maintenance_window={"days": ["SAT"]}),
        "maintenance_window.days[0]",
        "MO, TU",
        id="bad-day",
    ),
    pytest.param(
        base_args(maintenance_window={"days": ["SU"], "duration_hours": 4}),
        "maintenance_window.duration_hours",
        "GKE needs at least 48",
        id="window-too-short",
    ),
    pytest.param(
        base_args(maintenance_window={"start_time": "2am"}),
        "maintenance_window.start_time",
        "HH:MM",
        id="bad-start-time",
    ),
    pytest.param(
        base_args(autopilot=True, managed_prometheus=False),
        "managed_prometheus",
        "Autopilot always runs it",
        id="autopilot-without-prometheus",
    ),
    pytest.param(
        base_args(
            secrets_encryption_key="projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k"
        ),
        "secrets_encryption_key",
        "GKE needs a key in the cluster's region us-central1",
        id="key-in-another-region",
    ),
    pytest.param(
        base_args(secrets_encryption_key="my-key"),
        "secrets_encryption_key",
        "Cloud KMS key",
        id="malformed-key",
    ),
    pytest.param(
        base_args(
            secrets_encryption_key="projects/p/locations/us-central1/keyRings/r/cryptoKeys/k",
            kms_key_rotation_days=30,
        ),
        "kms_key_rotation_days",
        "only applies to the key Moorage creates",
        id="rotation-for-own-key",
    ),
    *(
        pytest.param(
            with_output_at(args_for(path), path), path, "must be known when the program", id=path
        )
        for path in PLAIN_ONLY
    ),
]


@pytest.mark.parametrize(("args", "field", "rule"), BAD_ARGS)
def test_bad_args_raise_before_any_resource_is_registered(gke, args, field, rule):
    with pytest.raises(ValidationError) as raised:
        build(gke, args)

    assert gke.resources == []
    error = raised.value
    assert error.component == 'GkeCluster "prod"'
    assert error.field == field
    assert rule in error.rule
    assert str(error).startswith(f'GkeCluster "prod": {field} (')


def test_anywhere_is_accepted_only_with_the_explicit_flag(gke):
    build(
        gke,
        base_args(
            master_authorized_networks=["0.0.0.0/0"], allow_public_endpoint_from_anywhere=True
        ),
    )

    blocks = gke.one(CLUSTER).inputs["masterAuthorizedNetworksConfig"]["cidrBlocks"]
    assert blocks == [{"cidrBlock": "0.0.0.0/0", "displayName": "allowed-0"}]


def test_full_args_set_every_field():
    assert set(FULL_ARGS) | set(EXISTING_NETWORK) == set(GkeClusterArgs.__annotations__)
    assert set(FULL_ARGS["node_pools"][0]) == set(GkeNodePoolArgs.__annotations__)
    assert set(EXISTING_NETWORK["network"]) == set(GkeNetworkArgs.__annotations__)


@pytest.mark.parametrize("field", OUTPUTS_ALLOWED)
def test_labels_and_delete_unreachable_may_be_outputs(make_mocks, field):
    # make_mocks replaces the previous mocks, so each run starts right after its own.
    runs = []
    for args in (args_for(field), with_output_at(args_for(field), field)):
        runs.append(make_mocks(call_handler=gcp_calls, resource_outputs=gcp_outputs))
        build(runs[-1], args)

    assert runs[0].of_type(CLUSTER)
    assert runs[1].inputs_by_resource() == runs[0].inputs_by_resource()


# --- pure functions ------------------------------------------------------------------


def test_gke_spec_defaults():
    spec = validate_gke_args("prod", base_args())
    assert spec.location == "us-central1"
    assert spec.release_channel == "REGULAR"
    assert spec.autopilot is False
    assert spec.deletion_protection is False
    assert spec.cloud_nat is True
    assert spec.master_authorized_networks == []
    [general] = spec.node_pools
    assert (general.name, general.machine_type, general.min_nodes, general.max_nodes) == (
        "general",
        "e2-standard-4",
        1,
        3,
    )
    assert general.spot is False and general.taints == []
    assert spec.kubernetes_version == "1.36"
    assert spec.maintenance_window.days == ["SA", "SU"]
    assert spec.managed_prometheus is False
    assert spec.secrets_encryption_key is None and spec.kms_key_rotation_days == 90
    assert spec.network is None


@pytest.mark.parametrize(
    ("cluster_name", "expected"),
    [
        ("a", "a-nodes"),
        ("prod", "prod-nodes"),
        ("a-very-long-cluster-name-that-goes-on", "a-very-long-cluster-name-nodes"),
        ("abcdefghijklmnopqrstuvw-xyz", "abcdefghijklmnopqrstuvw-nodes"),
    ],
)
def test_node_service_account_id_fits_gcp_limits(cluster_name, expected):
    account_id = node_service_account_id(cluster_name)
    assert account_id == expected
    assert 6 <= len(account_id) <= 30
    assert "--" not in account_id


def test_gke_kubeconfig_adds_https_once():
    with_scheme = gke_kubeconfig(cluster_name="c", endpoint="https://10.0.0.2", ca_data="Q0E=")
    bare = gke_kubeconfig(cluster_name="c", endpoint="10.0.0.2", ca_data="Q0E=")
    assert with_scheme == bare
    assert json.loads(bare)["clusters"][0]["cluster"]["server"] == "https://10.0.0.2"


# --- the gke-prod stack through the real program -----------------------------------------


def test_gke_prod_stack_deploys_the_service_with_workload_identity(gke):
    """stacks/Pulumi.gke-prod.yaml, read as the engine passes it, through moorage._program."""
    from pathlib import Path

    import yaml
    from moorage._program import deploy
    from moorage._stack_config import parse_stack_settings

    path = Path(__file__).resolve().parents[2] / "stacks" / "Pulumi.gke-prod.yaml"
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


# --- secrets encryption, maintenance, Prometheus, networks, pools (issues 13 and 17) ---


def test_secrets_are_encrypted_with_a_rotating_key_moorage_creates(gke):
    """CIS GKE 5.3.1: application-layer Secrets encryption with a Cloud KMS key."""
    cluster = build(gke, base_args())

    ring = gke.one(KEY_RING).inputs
    assert (ring["name"], ring["location"]) == ("prod-secrets", "us-central1")
    key = gke.one(CRYPTO_KEY).inputs
    assert key["keyRing"] == "prod-secrets-id"
    assert key["purpose"] == "ENCRYPT_DECRYPT"
    assert key["rotationPeriod"] == "7776000s"  # 90 days
    inputs = gke.one(CLUSTER).inputs
    assert inputs["databaseEncryption"] == {"state": "ENCRYPTED", "keyName": "prod-secrets-key-id"}
    assert gke.settle(cluster.secrets_encryption_key) == "prod-secrets-key-id"


def test_the_gke_service_agent_gets_exactly_encrypter_decrypter_on_the_key(gke):
    build(gke, base_args())

    [grant] = gke.of_type(KEY_MEMBER)
    assert grant.inputs == {
        "cryptoKeyId": "prod-secrets-key-id",
        "role": "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        "member": GKE_AGENT,
    }
    # Nothing else grants the agent anything, and the project lookup names the project.
    assert all(m.inputs["member"] != GKE_AGENT for m in gke.of_type(IAM_MEMBER))
    assert [args["projectId"] for token, args in gke.calls if token == GET_PROJECT] == [PROJECT]
    # GKE checks its access to the key when the cluster is created.
    assert gke.resource(CLUSTER, "prod-cluster").depends_on(KEY_MEMBER, "prod-secrets-gke-agent")


def test_a_key_of_the_users_is_used_and_granted(gke):
    key = f"projects/{PROJECT}/locations/us-central1/keyRings/gke/cryptoKeys/secrets"
    build(gke, base_args(secrets_encryption_key=key))

    assert gke.of_type(KEY_RING) == [] and gke.of_type(CRYPTO_KEY) == []
    assert gke.one(CLUSTER).inputs["databaseEncryption"] == {"state": "ENCRYPTED", "keyName": key}
    assert gke.one(KEY_MEMBER).inputs["cryptoKeyId"] == key
    assert gke.one(KEY_MEMBER).inputs["member"] == GKE_AGENT


def test_autopilot_encrypts_secrets_too(gke):
    build(gke, base_args(autopilot=True))

    assert gke.one(CLUSTER).inputs["databaseEncryption"]["state"] == "ENCRYPTED"


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


def test_shared_vpc_uses_the_host_projects_network_and_creates_none(gke):
    cluster = build(gke, EXISTING_NETWORK)

    assert [r for r in gke.resources if r.typ.startswith("gcp:compute/")] == []
    assert gke.of_type("moorage:index:GkeNetwork") == []
    inputs = gke.one(CLUSTER).inputs
    assert inputs["network"] == "projects/acme-network/global/networks/prod-vpc"
    assert inputs["subnetwork"] == (
        "projects/acme-network/regions/us-central1/subnetworks/gke-us-central1"
    )
    assert inputs["ipAllocationPolicy"] == {
        "clusterSecondaryRangeName": "gke-pods",
        "servicesSecondaryRangeName": "gke-services",
    }
    assert gke.settle(cluster.network) == "projects/acme-network/global/networks/prod-vpc"


def test_an_existing_network_in_the_same_project():
    spec = validate_gke_args("prod", base_args(network={"network": "vpc", "subnetwork": "gke"}))
    assert spec.network is not None
    assert spec.network.network == f"projects/{PROJECT}/global/networks/vpc"
    assert spec.network.subnetwork == f"projects/{PROJECT}/regions/us-central1/subnetworks/gke"
    assert (spec.network.pods_range_name, spec.network.services_range_name) == (
        "pods",
        "services",
    )
    assert spec.network.shared_vpc(PROJECT) is False
    assert spec.cloud_nat is False


def test_node_pools_are_a_list_with_labels_and_taints(gke):
    build(
        gke,
        base_args(
            node_pools=[
                {"name": "general", "min_nodes": 2, "max_nodes": 6},
                {
                    "name": "arm",
                    "machine_type": "t2a-standard-4",
                    "spot": True,
                    "min_nodes": 0,
                    "labels": {"workload": "batch"},
                    "taints": [{"key": "workload", "value": "batch", "effect": "NoSchedule"}],
                },
            ]
        ),
    )

    pools = {p.name: p.inputs for p in gke.of_type(NODE_POOL)}
    assert set(pools) == {"prod-general", "prod-arm"}
    arm = pools["prod-arm"]
    assert arm["name"] == "arm"
    assert arm["nodeConfig"]["machineType"] == "t2a-standard-4"
    assert arm["nodeConfig"]["labels"] == {"workload": "batch"}
    assert arm["nodeConfig"]["taints"] == [
        {"key": "workload", "value": "batch", "effect": "NO_SCHEDULE"}
    ]
    assert arm["autoscaling"]["totalMinNodeCount"] == 0
    general = pools["prod-general"]
    assert "taints" not in general["nodeConfig"]
    assert all(p["nodeConfig"]["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
               for p in pools.values())  # fmt: skip
    provider = gke.resource(K8S_PROVIDER, "prod-k8s")
    assert provider.depends_on(NODE_POOL, "prod-arm") and provider.depends_on(
        NODE_POOL, "prod-general"
    )


def test_network_resources_keep_their_identity_from_before_the_child_component(gke):
    """The network moved under GkeNetwork: an alias to the old parent (the GkeCluster)
    keeps an existing stack from replacing it."""
    build(gke, base_args())

    for typ, name in [
        ("gcp:compute/network:Network", "prod-network"),
        ("gcp:compute/subnetwork:Subnetwork", "prod-subnet"),
    ]:
        [alias] = gke.requests[(typ, name)].aliases
        assert alias.spec.parentUrn.endswith("moorage:index:GkeCluster::prod"), name
