"""GkeClusterArgs validation (gke/_validation.py): bad input fails before anything exists."""

from __future__ import annotations

from typing import Any

import pytest
from moorage._errors import ValidationError
from moorage.clusters.gke import (
    GkeClusterArgs,
    GkeMaintenanceWindowArgs,
    GkeNetworkArgs,
    GkeNodePoolArgs,
    node_service_account_id,
    validate_gke_args,
)

from ..._paths import with_output_at
from .conftest import (
    CLUSTER,
    EXISTING_NETWORK,
    PROJECT,
    base_args,
    build,
    gcp_calls,
    gcp_outputs,
    pool,
)

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
    addons={"external_dns": {"enabled": True, "domain_filters": ["example.com"]}},
)
"""Valid args that set every field but the existing-network and own-key ones."""
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
        base_args(pods_cidr="10.4.0.0"), "pods_cidr", "must be a CIDR block", id="cidr-no-prefix"
    ),
    pytest.param(
        base_args(pods_cidr="10.4.0.300/14"), "pods_cidr", "must be a CIDR block", id="cidr-garbage"
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
