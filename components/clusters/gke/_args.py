"""GkeCluster's Args types and their defaults (one DEFAULTS table, dotted field paths)."""

import sys
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import pulumi

from ..._defaults import Computed
from ...addons import ADDON_DEFAULTS, ClusterAddonsArgs
from .._nodes import TAINT_DEFAULTS, NodeTaintArgs
from .._versions import DEFAULT_KUBERNETES_VERSION

if sys.version_info >= (3, 11):
    from typing import NotRequired
else:  # pragma: no cover
    from typing_extensions import NotRequired


class GkeNodePoolArgs(TypedDict):
    """One autoscaling node pool of a Standard (non-Autopilot) cluster."""

    name: pulumi.Input[str]
    """Name of the pool, a DNS label unique in the cluster (e.g. "general", "batch-spot").
    Nodes carry it as the label cloud.google.com/gke-nodepool, for WebService node_selector."""
    machine_type: NotRequired[pulumi.Input[str]]
    """Compute Engine machine type; ARM types (t2a-, c4a-) make an arm64 pool, which GKE taints
    kubernetes.io/arch=arm64:NoSchedule."""
    spot: NotRequired[pulumi.Input[bool]]
    """Use Spot VMs (60-91% cheaper, can be reclaimed at any time)."""
    min_nodes: NotRequired[pulumi.Input[int]]
    """Fewest nodes in the pool, across all its zones (0 or more)."""
    max_nodes: NotRequired[pulumi.Input[int]]
    """Most nodes in the pool, across all its zones (at least 1 and at least min_nodes)."""
    disk_size_gb: NotRequired[pulumi.Input[int]]
    """Boot disk (pd-balanced) size per node, 10-65536 GB."""
    labels: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Kubernetes labels on every node of the pool (not in the kubernetes.io, k8s.io, gke.io or
    cloud.google.com domains)."""
    taints: NotRequired[pulumi.Input[Sequence[pulumi.Input[NodeTaintArgs]]]]
    """Taints on every node of the pool; only pods that tolerate them run there. At least one
    pool must stay untainted for the cluster's system pods."""


class GkeNetworkArgs(TypedDict):
    """An existing VPC network and subnetwork (in this project, or a Shared VPC host
    project), with secondary ranges for pods and Services."""

    network: pulumi.Input[str]
    """Network name, or its path "projects/HOST/global/networks/NAME"."""
    subnetwork: pulumi.Input[str]
    """Subnetwork name in the cluster's region, or its path
    "projects/HOST/regions/REGION/subnetworks/NAME"."""
    host_project: NotRequired[pulumi.Input[str]]
    """Shared VPC host project that owns the network. Its admin must grant this project's GKE
    service agent roles/container.hostServiceAgentUser and roles/compute.networkUser."""
    pods_range_name: NotRequired[pulumi.Input[str]]
    """Name of the subnetwork's secondary range for pod IPs."""
    services_range_name: NotRequired[pulumi.Input[str]]
    """Name of the subnetwork's secondary range for Service cluster IPs."""


class GkeMaintenanceWindowArgs(TypedDict):
    """When GKE may upgrade the control plane and nodes automatically (UTC)."""

    days: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Days of the week, as "MO", "TU", "WE", "TH", "FR", "SA", "SU"."""
    start_time: NotRequired[pulumi.Input[str]]
    """Start of the window each day, "HH:MM" in UTC."""
    duration_hours: NotRequired[pulumi.Input[int]]
    """Length of the window, 4-24 hours; GKE needs at least 48 hours in any 32 days."""


class GkeClusterArgs(TypedDict):
    """Arguments of GkeCluster. Snake_case keys, exactly as in the stack config.

    Fields are ``pulumi.Input``s, but only ``secrets_encryption_key``,
    ``delete_unreachable`` and ``labels`` may be Outputs. Every other value must be known
    when the program runs, because it is validated before anything is created or decides
    which resources exist.
    """

    project: pulumi.Input[str]
    """GCP project id, e.g. "acme-prod". Required: the component creates its own gcp.Provider."""
    region: pulumi.Input[str]
    """GCP region, e.g. "us-central1". Required."""
    zone: NotRequired[pulumi.Input[str]]
    """Make the cluster zonal in this zone of the region (cheaper, no HA control plane)."""
    cluster_name: NotRequired[pulumi.Input[str]]
    """Name of the GKE cluster."""
    kubernetes_version: NotRequired[pulumi.Input[str]]
    """Minimum control-plane version ("1.33"-"1.36"); the release channel upgrades from there."""
    release_channel: NotRequired[pulumi.Input[str]]
    """RAPID, REGULAR, STABLE or EXTENDED."""
    autopilot: NotRequired[pulumi.Input[bool]]
    """Create an Autopilot cluster: Google manages the nodes, and no node pool is created."""
    deletion_protection: NotRequired[pulumi.Input[bool]]
    """Refuse to delete the cluster (turn it on in production stacks only)."""
    network: NotRequired[pulumi.Input[GkeNetworkArgs]]
    """Use an existing network (or a Shared VPC) instead of creating one."""
    subnet_cidr: NotRequired[pulumi.Input[str]]
    """Primary range of the subnet Moorage creates (node IPs)."""
    pods_cidr: NotRequired[pulumi.Input[str]]
    """Secondary range for pod IPs, in the subnet Moorage creates."""
    services_cidr: NotRequired[pulumi.Input[str]]
    """Secondary range for Service cluster IPs, in the subnet Moorage creates."""
    master_ipv4_cidr_block: NotRequired[pulumi.Input[str]]
    """/28 range for the control plane's private endpoint."""
    enable_private_endpoint: NotRequired[pulumi.Input[bool]]
    """Serve the API on its private IP only (reach it from inside the VPC, e.g. a CI runner
    or a bastion there)."""
    master_authorized_networks: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """CIDRs allowed to reach the API endpoint from outside Google Cloud. Empty means none."""
    allow_public_endpoint_from_anywhere: NotRequired[pulumi.Input[bool]]
    """Accept 0.0.0.0/0 in master_authorized_networks."""
    cloud_nat: NotRequired[pulumi.Input[bool]]
    """Create a Cloud Router and NAT so private nodes can pull images from outside Google
    (e.g. ghcr.io). Only for the network Moorage creates."""
    node_pools: NotRequired[pulumi.Input[Sequence[pulumi.Input[GkeNodePoolArgs]]]]
    """Node pools (Standard clusters only), e.g. an on-demand pool for system pods and a
    tainted Spot pool for batch work."""
    maintenance_window: NotRequired[pulumi.Input[GkeMaintenanceWindowArgs]]
    """When automatic upgrades may run."""
    managed_prometheus: NotRequired[pulumi.Input[bool]]
    """Google Cloud Managed Service for Prometheus: scrape PodMonitoring resources into Cloud
    Monitoring (billed per sample ingested). Always on in Autopilot."""
    secrets_encryption_key: NotRequired[pulumi.Input[str]]
    """Cloud KMS key that encrypts Secrets at the application layer, as
    "projects/P/locations/REGION/keyRings/R/cryptoKeys/K" in the cluster's region."""
    kms_key_rotation_days: NotRequired[pulumi.Input[int]]
    """Rotation period of the key Moorage creates, 1-365 days."""
    delete_unreachable: NotRequired[pulumi.Input[bool]]
    """Let the Kubernetes provider drop resources of a cluster that is already gone, so a
    throwaway stack can be destroyed."""
    labels: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Labels added to every GCP resource (through the provider's default_labels)."""
    addons: NotRequired[pulumi.Input[ClusterAddonsArgs]]
    """Helm add-ons with their Google identities wired through Workload Identity:
    external_dns, cert_manager and prometheus; gateway switches on GKE's own Gateway
    controller (docs/clusters.md, "Add-ons")."""


DEFAULTS: dict[str, Any] = {
    "zone": Computed("none: a regional cluster"),
    "cluster_name": Computed("the component name"),
    "kubernetes_version": DEFAULT_KUBERNETES_VERSION,
    "release_channel": "REGULAR",
    "autopilot": False,
    "deletion_protection": False,
    "network": Computed("a new VPC-native network and subnet"),
    "network.host_project": Computed("project (no Shared VPC)"),
    "network.pods_range_name": "pods",
    "network.services_range_name": "services",
    "subnet_cidr": "10.0.0.0/20",
    "pods_cidr": "10.4.0.0/14",
    "services_cidr": "10.8.0.0/20",
    "master_ipv4_cidr_block": "172.16.0.0/28",
    "enable_private_endpoint": False,
    "master_authorized_networks": [],
    "allow_public_endpoint_from_anywhere": False,
    "cloud_nat": Computed("true for the network Moorage creates"),
    "node_pools": [{"name": "general"}],
    "node_pools.machine_type": "e2-standard-4",
    "node_pools.spot": False,
    "node_pools.min_nodes": 1,
    "node_pools.max_nodes": 3,
    "node_pools.disk_size_gb": 50,
    "node_pools.labels": {},
    "node_pools.taints": [],
    "node_pools.taints.value": TAINT_DEFAULTS["value"],
    "node_pools.taints.effect": TAINT_DEFAULTS["effect"],
    "maintenance_window.days": ["SA", "SU"],
    "maintenance_window.start_time": "02:00",
    "maintenance_window.duration_hours": 6,
    "managed_prometheus": Computed("false (always on in Autopilot)"),
    **ADDON_DEFAULTS,
    "secrets_encryption_key": Computed("a key Moorage creates in the cluster's region"),
    "kms_key_rotation_days": 90,
    "delete_unreachable": False,
    "labels": {},
}
"""Default of every GkeClusterArgs field, by dotted path (list items included)."""
