"""GkeCluster: a private, Workload Identity enabled GKE cluster built from pulumi-gcp.

Defaults follow terraform-google-kubernetes-engine's "safer-cluster": regional
control plane, REGULAR release channel, Workload Identity, shielded nodes with
the legacy metadata endpoint off, the default node pool removed in favour of a
separate autoscaling pool with a least-privilege service account, private nodes,
network policy (through Dataplane V2) and an allow-list for the API endpoint.
Every default can be overridden; deletion protection is per stack.
"""

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
import pulumi_gcp as gcp

from .base import KubernetesCluster
from .cluster_validation import (
    DEFAULT_KUBERNETES_VERSION,
    Fields,
    check_allow_list,
    check_kubernetes_version,
    check_no_overlap,
    check_node_bounds,
    check_one_of,
    check_pattern,
    check_private_cidr,
    check_range,
    component_label,
)
from .kubeconfig import gke_kubeconfig
from .provider import kubernetes_provider

if sys.version_info >= (3, 11):
    from typing import NotRequired
else:  # pragma: no cover
    from typing_extensions import NotRequired

TYPE_TOKEN = "moorage:index:GkeCluster"

RELEASE_CHANNELS = ("RAPID", "REGULAR", "STABLE", "EXTENDED")
NODE_SERVICE_ACCOUNT_ROLES = (
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/artifactregistry.reader",
)
"""The only project roles the nodes get (never the default compute account's Editor)."""
OAUTH_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
"""Access is limited by the service account's IAM roles, as Google recommends."""
DATAPATH_PROVIDER = "ADVANCED_DATAPATH"
"""Dataplane V2 (eBPF/Cilium). It enforces NetworkPolicy itself, so there is no Calico
add-on to run and upgrade; it is what Autopilot always uses, so both modes behave the same;
and it cannot be switched on after creation, so it has to be the default."""
POD_RANGE = "pods"
SERVICE_RANGE = "services"

_PROJECT = r"[a-z][a-z0-9-]{4,28}[a-z0-9]"
_REGION = r"[a-z]+-[a-z]+\d+"
_CLUSTER_NAME = r"[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?"


class GkeNodePoolArgs(TypedDict):
    """The autoscaling node pool of a Standard (non-Autopilot) cluster."""

    machine_type: NotRequired[pulumi.Input[str]]
    """Compute Engine machine type. Default "e2-standard-4"."""
    min_nodes: NotRequired[pulumi.Input[int]]
    """Fewest nodes in the pool, across all its zones (0 or more). Default 1."""
    max_nodes: NotRequired[pulumi.Input[int]]
    """Most nodes in the pool, across all its zones (at least 1 and at least min_nodes).
    Default 3."""
    spot: NotRequired[pulumi.Input[bool]]
    """Use Spot VMs (much cheaper, can be reclaimed at any time). Default false."""
    disk_size_gb: NotRequired[pulumi.Input[int]]
    """Boot disk (pd-balanced) size per node, 10-65536 GB. Default 50."""


class GkeClusterArgs(TypedDict):
    """Arguments of GkeCluster. Snake_case keys, exactly as in the stack config.

    Fields are ``pulumi.Input``s, but only ``delete_unreachable`` and ``labels`` may be
    Outputs. Every other value, node_pool and its fields included, must be known when the
    program runs, because it is validated before anything is created or decides which
    resources exist.
    """

    project: pulumi.Input[str]
    """GCP project id, e.g. "acme-prod". Required: the component creates its own gcp.Provider."""
    region: pulumi.Input[str]
    """GCP region, e.g. "us-central1". Required."""
    zone: NotRequired[pulumi.Input[str]]
    """Make the cluster zonal in this zone of the region (cheaper, no HA control plane).
    Default: regional."""
    cluster_name: NotRequired[pulumi.Input[str]]
    """Name of the GKE cluster. Default: the component name."""
    kubernetes_version: NotRequired[pulumi.Input[str]]
    """Minimum control-plane version ("1.32"-"1.35"); the release channel upgrades from there.
    Default "1.34"."""
    release_channel: NotRequired[pulumi.Input[str]]
    """RAPID, REGULAR, STABLE or EXTENDED. Default "REGULAR"."""
    autopilot: NotRequired[pulumi.Input[bool]]
    """Create an Autopilot cluster: Google manages the nodes, and no node pool is created.
    Default false."""
    deletion_protection: NotRequired[pulumi.Input[bool]]
    """Refuse to delete the cluster (turn it on in production stacks only). Default false."""
    subnet_cidr: NotRequired[pulumi.Input[str]]
    """Primary range of the subnet (node IPs). Default "10.0.0.0/20"."""
    pods_cidr: NotRequired[pulumi.Input[str]]
    """Secondary range for pod IPs. Default "10.4.0.0/14"."""
    services_cidr: NotRequired[pulumi.Input[str]]
    """Secondary range for Service cluster IPs. Default "10.8.0.0/20"."""
    master_ipv4_cidr_block: NotRequired[pulumi.Input[str]]
    """/28 range for the control plane's private endpoint. Default "172.16.0.0/28"."""
    enable_private_endpoint: NotRequired[pulumi.Input[bool]]
    """Serve the API on its private IP only (reach it from inside the VPC). Default false."""
    master_authorized_networks: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """CIDRs allowed to reach the API endpoint from outside Google Cloud. Empty means none.
    Default []."""
    allow_public_endpoint_from_anywhere: NotRequired[pulumi.Input[bool]]
    """Accept 0.0.0.0/0 in master_authorized_networks. Default false."""
    cloud_nat: NotRequired[pulumi.Input[bool]]
    """Create a Cloud Router and NAT so private nodes can pull images from outside Google
    (e.g. ghcr.io). Default true."""
    node_pool: NotRequired[pulumi.Input[GkeNodePoolArgs]]
    """The node pool (Standard clusters only). Default: 1-3 e2-standard-4 nodes."""
    delete_unreachable: NotRequired[pulumi.Input[bool]]
    """Let the Kubernetes provider drop resources of a cluster that is already gone, so a
    throwaway stack can be destroyed. Default false."""
    labels: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Labels added to every GCP resource (through the provider's default_labels)."""


@dataclass(frozen=True)
class GkeSpec:
    """GkeClusterArgs after validation, with every default filled in."""

    label: str
    project: str
    region: str
    zone: str | None
    cluster_name: str
    kubernetes_version: str
    release_channel: str
    autopilot: bool
    deletion_protection: bool
    subnet_cidr: str
    pods_cidr: str
    services_cidr: str
    master_ipv4_cidr_block: str
    enable_private_endpoint: bool
    master_authorized_networks: list[str]
    cloud_nat: bool
    machine_type: str
    min_nodes: int
    max_nodes: int
    spot: bool
    disk_size_gb: int
    delete_unreachable: pulumi.Input[bool]
    labels: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None

    @property
    def location(self) -> str:
        """Where the cluster lives: the region (regional) or the zone (zonal)."""
        return self.zone or self.region

    @property
    def workload_pool(self) -> str:
        return f"{self.project}.svc.id.goog"


def node_service_account_id(cluster_name: str) -> str:
    """A 6-30 character service account id derived from the cluster name."""
    return f"{cluster_name[:24].rstrip('-')}-nodes"


def validate_gke_args(name: str, args: Mapping[str, Any]) -> GkeSpec:
    """Validate GkeClusterArgs; raise ValidationError before anything is created."""
    label = component_label("GkeCluster", name)
    fields = Fields(label, args)
    fields.reject_unknown(GkeClusterArgs.__annotations__, "GkeClusterArgs")
    pool = fields.section("node_pool")
    pool.reject_unknown(GkeNodePoolArgs.__annotations__, "GkeNodePoolArgs")

    project = check_pattern(
        fields,
        "project",
        fields.required_text("project"),
        _PROJECT,
        'a GCP project id like "acme-prod" (6-30 lowercase letters, digits or hyphens)',
    )
    region = check_pattern(
        fields, "region", fields.required_text("region"), _REGION, 'a GCP region like "us-central1"'
    )
    zone = fields.optional_text("zone")
    if zone is not None:
        check_pattern(
            fields, "zone", zone, rf"{region}-[a-z]", f'a zone of {region}, like "{region}-a"'
        )
    autopilot = fields.boolean("autopilot", False)
    if autopilot and zone is not None:
        raise fields.fail("zone", zone, "cannot be set: Autopilot clusters are always regional")
    if autopilot and fields.present("node_pool"):
        raise fields.fail(
            "node_pool", fields.raw("node_pool"), "cannot be set: Autopilot manages the nodes"
        )
    cluster_name = check_pattern(
        fields,
        "cluster_name",
        fields.text("cluster_name", name),
        _CLUSTER_NAME,
        "1-40 lowercase letters, digits or hyphens, starting with a letter "
        "and not ending with a hyphen",
    )
    version = check_kubernetes_version(
        fields, "kubernetes_version", fields.text("kubernetes_version", DEFAULT_KUBERNETES_VERSION)
    )
    channel = check_one_of(
        fields, "release_channel", fields.text("release_channel", "REGULAR"), RELEASE_CHANNELS
    )

    subnet = check_private_cidr(
        fields, "subnet_cidr", fields.text("subnet_cidr", "10.0.0.0/20"), 8, 29
    )
    pods = check_private_cidr(fields, "pods_cidr", fields.text("pods_cidr", "10.4.0.0/14"), 8, 24)
    services = check_private_cidr(
        fields, "services_cidr", fields.text("services_cidr", "10.8.0.0/20"), 8, 27
    )
    master = check_private_cidr(
        fields,
        "master_ipv4_cidr_block",
        fields.text("master_ipv4_cidr_block", "172.16.0.0/28"),
        28,
        28,
    )
    check_no_overlap(
        fields,
        {
            "subnet_cidr": subnet,
            "pods_cidr": pods,
            "services_cidr": services,
            "master_ipv4_cidr_block": master,
        },
    )
    allow_anywhere = fields.boolean("allow_public_endpoint_from_anywhere", False)
    authorized = check_allow_list(
        fields,
        "master_authorized_networks",
        fields.texts("master_authorized_networks"),
        allow_anywhere=allow_anywhere,
        flag="allow_public_endpoint_from_anywhere",
    )

    min_nodes = pool.integer("min_nodes", 1)
    max_nodes = pool.integer("max_nodes", 3)
    check_node_bounds(
        pool, min_key="min_nodes", min_value=min_nodes, max_key="max_nodes", max_value=max_nodes
    )
    machine_type = check_pattern(
        pool,
        "machine_type",
        pool.text("machine_type", "e2-standard-4"),
        r"[a-z][a-z0-9]*-[a-z0-9-]+",
        'a Compute Engine machine type like "e2-standard-4"',
    )

    return GkeSpec(
        label=label,
        project=project,
        region=region,
        zone=zone,
        cluster_name=cluster_name,
        kubernetes_version=version,
        release_channel=channel,
        autopilot=autopilot,
        deletion_protection=fields.boolean("deletion_protection", False),
        subnet_cidr=str(subnet),
        pods_cidr=str(pods),
        services_cidr=str(services),
        master_ipv4_cidr_block=str(master),
        enable_private_endpoint=fields.boolean("enable_private_endpoint", False),
        master_authorized_networks=authorized,
        cloud_nat=fields.boolean("cloud_nat", True),
        machine_type=machine_type,
        min_nodes=min_nodes,
        max_nodes=max_nodes,
        spot=pool.boolean("spot", False),
        disk_size_gb=check_range(pool, "disk_size_gb", pool.integer("disk_size_gb", 50), 10, 65536),
        delete_unreachable=fields.raw("delete_unreachable", False),
        labels=fields.raw("labels"),
    )


def _node_config(spec: GkeSpec, service_account: pulumi.Input[str]) -> Any:
    """Hardened node settings: own service account, Workload Identity metadata server,
    shielded VM, no legacy metadata endpoint.

    Typed ``Any`` because the same dict serves Cluster.node_config and
    NodePool.node_config, whose TypedDicts differ only in name.
    """
    return {
        "machine_type": spec.machine_type,
        "spot": spec.spot,
        "disk_size_gb": spec.disk_size_gb,
        "disk_type": "pd-balanced",
        "image_type": "COS_CONTAINERD",
        "service_account": service_account,
        "oauth_scopes": OAUTH_SCOPES,
        "workload_metadata_config": {"mode": "GKE_METADATA"},
        "shielded_instance_config": {
            "enable_secure_boot": True,
            "enable_integrity_monitoring": True,
        },
        "metadata": {"disable-legacy-endpoints": "true"},
    }


def _with(base: pulumi.ResourceOptions, **extra: Any) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions.merge(base, pulumi.ResourceOptions(**extra))


def _member(email: str) -> str:
    return f"serviceAccount:{email}"


class GkeCluster(KubernetesCluster):
    """A GKE cluster (Standard with one autoscaling pool, or Autopilot) and a ready Provider."""

    @classmethod
    def identity_annotations(cls, identity: pulumi.Input[str]) -> Mapping[str, pulumi.Input[str]]:
        """Workload Identity: ``identity`` is a Google service account e-mail granted
        roles/iam.workloadIdentityUser on the Kubernetes ServiceAccount."""
        return {"iam.gke.io/gcp-service-account": identity}

    workload_pool: pulumi.Output[str]
    """Workload Identity pool, "<project>.svc.id.goog"; use it in a Google service account's
    roles/iam.workloadIdentityUser binding."""
    location: pulumi.Output[str]
    """The cluster's region (regional) or zone (zonal)."""
    network: pulumi.Output[str]
    """Id of the cluster's VPC network."""
    node_service_account_email: pulumi.Output[str]
    """The nodes' least-privilege Google service account."""

    def __init__(
        self, name: str, args: GkeClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        spec = validate_gke_args(name, args)
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        gcp_provider = gcp.Provider(
            f"{name}-gcp",
            project=spec.project,
            region=spec.region,
            default_labels=spec.labels,
            opts=child,
        )
        cloud = _with(child, provider=gcp_provider)

        # VPC-native networking: nodes in the subnet, pods and Services in secondary ranges.
        network = gcp.compute.Network(
            f"{name}-network",
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
            opts=cloud,
        )
        subnet = gcp.compute.Subnetwork(
            f"{name}-subnet",
            network=network.id,
            region=spec.region,
            ip_cidr_range=spec.subnet_cidr,
            private_ip_google_access=True,
            secondary_ip_ranges=[
                {"range_name": POD_RANGE, "ip_cidr_range": spec.pods_cidr},
                {"range_name": SERVICE_RANGE, "ip_cidr_range": spec.services_cidr},
            ],
            opts=cloud,
        )
        egress: list[pulumi.Resource] = []
        if spec.cloud_nat:
            router = gcp.compute.Router(
                f"{name}-router", network=network.id, region=spec.region, opts=cloud
            )
            egress.append(
                gcp.compute.RouterNat(
                    f"{name}-nat",
                    router=router.name,
                    region=spec.region,
                    nat_ip_allocate_option="AUTO_ONLY",
                    source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
                    log_config={"enable": True, "filter": "ERRORS_ONLY"},
                    opts=cloud,
                )
            )

        # A dedicated node identity with only the roles nodes need.
        node_account = gcp.serviceaccount.Account(
            f"{name}-nodes",
            account_id=node_service_account_id(spec.cluster_name),
            display_name=f"GKE nodes of {spec.cluster_name}",
            opts=cloud,
        )
        node_roles = [
            gcp.projects.IAMMember(
                f"{name}-nodes-{role.removeprefix('roles/').replace('.', '-')}",
                project=spec.project,
                role=role,
                member=node_account.email.apply(_member),
                opts=cloud,
            )
            for role in NODE_SERVICE_ACCOUNT_ROLES
        ]

        common: dict[str, Any] = {
            "name": spec.cluster_name,
            "location": spec.location,
            "network": network.id,
            "subnetwork": subnet.id,
            "min_master_version": spec.kubernetes_version,
            "release_channel": {"channel": spec.release_channel},
            "ip_allocation_policy": {
                "cluster_secondary_range_name": POD_RANGE,
                "services_secondary_range_name": SERVICE_RANGE,
            },
            "private_cluster_config": {
                "enable_private_nodes": True,
                "enable_private_endpoint": spec.enable_private_endpoint,
                "master_ipv4_cidr_block": spec.master_ipv4_cidr_block,
            },
            "master_authorized_networks_config": {
                "cidr_blocks": [
                    {"cidr_block": cidr, "display_name": f"allowed-{i}"}
                    for i, cidr in enumerate(spec.master_authorized_networks)
                ],
                "gcp_public_cidrs_access_enabled": False,
            },
            "deletion_protection": spec.deletion_protection,
        }
        node_pool: gcp.container.NodePool | None = None
        if spec.autopilot:
            # Autopilot always has Workload Identity, shielded nodes and Dataplane V2.
            cluster = gcp.container.Cluster(
                f"{name}-cluster",
                enable_autopilot=True,
                cluster_autoscaling={
                    "auto_provisioning_defaults": {
                        "service_account": node_account.email,
                        "oauth_scopes": OAUTH_SCOPES,
                    }
                },
                **common,
                opts=_with(cloud, depends_on=node_roles),
            )
        else:
            cluster = gcp.container.Cluster(
                f"{name}-cluster",
                remove_default_node_pool=True,
                initial_node_count=1,
                # The default pool lives only until it is removed; even so it runs as the
                # node account, not the default compute account (Editor).
                node_config=_node_config(spec, node_account.email),
                enable_shielded_nodes=True,
                workload_identity_config={"workload_pool": spec.workload_pool},
                datapath_provider=DATAPATH_PROVIDER,
                **common,
                # After the default pool is removed GKE reports no node config; without
                # this a refresh would plan to replace the cluster.
                opts=_with(cloud, depends_on=node_roles, ignore_changes=["nodeConfig"]),
            )
            node_pool = gcp.container.NodePool(
                f"{name}-pool",
                cluster=cluster.id,
                location=spec.location,
                initial_node_count=1,
                autoscaling={
                    "total_min_node_count": spec.min_nodes,
                    "total_max_node_count": spec.max_nodes,
                    "location_policy": "BALANCED",
                },
                management={"auto_repair": True, "auto_upgrade": True},
                upgrade_settings={"max_surge": 1, "max_unavailable": 0},
                node_config=_node_config(spec, node_account.email),
                opts=_with(cloud, depends_on=[*node_roles, *egress]),
            )

        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(
                cluster.name,
                cluster.endpoint,
                cluster.master_auth.apply(lambda auth: auth.cluster_ca_certificate),
            ).apply(
                lambda values: gke_kubeconfig(
                    cluster_name=values[0], endpoint=values[1], ca_data=values[2]
                )
            )
        )
        # app -> provider -> nodes (and NAT egress) -> cluster.
        ready: list[pulumi.Resource] = [node_pool if node_pool is not None else cluster]
        self.provider = kubernetes_provider(
            name,
            self.kubeconfig,
            self,
            delete_unreachable=spec.delete_unreachable,
            depends_on=[*ready, *egress],
        )
        self.cluster_name = cluster.name
        self.endpoint = cluster.endpoint.apply(lambda host: f"https://{host}")
        self.workload_pool = pulumi.Output.from_input(spec.workload_pool)
        self.location = cluster.location
        self.network = network.id
        self.node_service_account_email = node_account.email
        self.register_outputs(
            {
                "kubeconfig": self.kubeconfig,
                "cluster_name": self.cluster_name,
                "endpoint": self.endpoint,
                "workload_pool": self.workload_pool,
                "location": self.location,
                "network": self.network,
                "node_service_account_email": self.node_service_account_email,
            }
        )
