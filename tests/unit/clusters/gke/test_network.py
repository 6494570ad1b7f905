"""GkeNetwork (gke/_network.py): VPC-native ranges, Cloud NAT, existing and Shared VPCs."""

from __future__ import annotations

from moorage.clusters.gke import (
    validate_gke_args,
)

from .conftest import CLUSTER, EXISTING_NETWORK, PROJECT, base_args, build


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


def test_without_cloud_nat_no_router_is_created(gke):
    build(gke, base_args(cloud_nat=False))

    assert gke.of_type("gcp:compute/router:Router") == []
    assert gke.of_type("gcp:compute/routerNat:RouterNat") == []


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
