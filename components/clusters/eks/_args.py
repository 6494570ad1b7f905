"""EksCluster's Args types and their defaults (one DEFAULTS table, dotted field paths)."""

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


class EksNodeGroupArgs(TypedDict):
    """One managed node group (AL2023, IMDSv2 required, encrypted gp3 root volume)."""

    name: pulumi.Input[str]
    """Name of the group, a DNS label unique in the cluster (e.g. "general", "arm-spot").
    Nodes carry it as the label moorage.dev/node-group, for WebService node_selector."""
    instance_types: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """EC2 instance types, all of the group's architecture (e.g. ["m7g.large"] for arm64).
    List several for SPOT so a reclaimed type can be replaced by another."""
    capacity_type: NotRequired[pulumi.Input[str]]
    """"ON_DEMAND" or "SPOT" (up to 90% cheaper; a node can be reclaimed at 2 minutes'
    notice)."""
    architecture: NotRequired[pulumi.Input[str]]
    """"x86_64" (AL2023_x86_64_STANDARD AMI) or "arm64" (AL2023_ARM_64_STANDARD, Graviton
    instance types)."""
    labels: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Kubernetes labels on every node of the group (not in the kubernetes.io or k8s.io
    domains)."""
    taints: NotRequired[pulumi.Input[Sequence[pulumi.Input[NodeTaintArgs]]]]
    """Taints on every node of the group; only pods that tolerate them run there. At least
    one group must stay untainted for the cluster's system pods."""
    min_size: NotRequired[pulumi.Input[int]]
    """Fewest nodes (0 or more)."""
    max_size: NotRequired[pulumi.Input[int]]
    """Most nodes the cluster autoscaler may add (at least 1, and at least min_size)."""
    desired_size: NotRequired[pulumi.Input[int]]
    """Nodes at creation, between min_size and max_size. Later changes are ignored so the
    cluster autoscaler owns it."""
    disk_size_gib: NotRequired[pulumi.Input[int]]
    """Encrypted gp3 root volume size per node, 20-16384 GiB."""
    metadata_hop_limit: NotRequired[pulumi.Input[int]]
    """IMDSv2 response hop limit: 1 keeps pods (other than host-network ones) away from the
    node's instance credentials; 2 lets pods reach IMDS."""


class EksAddonArgs(TypedDict):
    """An EKS managed addon: one of the defaults (to pin or configure it) or any other."""

    name: pulumi.Input[str]
    """Addon name as EKS knows it, e.g. "vpc-cni", "aws-efs-csi-driver", "amazon-cloudwatch-
    observability"."""
    version: NotRequired[pulumi.Input[str]]
    """Pinned addon version, e.g. "v1.19.0-eksbuild.1"."""
    configuration: NotRequired[pulumi.Input[Mapping[str, Any]]]
    """Configuration values (the addon's JSON schema, as a mapping). For a default addon it is
    merged over Moorage's own configuration (vpc-cni: {"enableNetworkPolicy": "true"})."""


class EksClusterArgs(TypedDict):
    """Arguments of EksCluster. Snake_case keys, exactly as in the stack config.

    Fields are ``pulumi.Input``s, but only ``vpc_id``, the items of ``admin_principal_arns``,
    ``private_subnet_ids`` and ``public_subnet_ids``, each addon's ``version``,
    ``delete_unreachable`` and ``tags`` may be Outputs. Every other value must be known when
    the program runs, because it is validated before anything is created or decides which
    resources exist.
    """

    region: pulumi.Input[str]
    """AWS region, e.g. "us-west-2". Required: the component creates its own aws.Provider."""
    admin_principal_arns: pulumi.Input[Sequence[pulumi.Input[str]]]
    """IAM role or user ARNs made cluster admins through EKS access entries. Required and
    non-empty: the creator is not made admin implicitly, so list the role Pulumi deploys with."""
    cluster_name: NotRequired[pulumi.Input[str]]
    """Name of the EKS cluster in AWS."""
    kubernetes_version: NotRequired[pulumi.Input[str]]
    """Pinned Kubernetes minor version ("1.33"-"1.36")."""
    compute: NotRequired[pulumi.Input[str]]
    """"managed": managed node groups (node_groups), with the EBS CSI driver addon and IAM for
    the Cluster Autoscaler. "auto": EKS Auto Mode, where AWS runs and scales the nodes
    (Karpenter), EBS storage and load balancers; node_groups are not used."""
    vpc_cidr: NotRequired[pulumi.Input[str]]
    """Private range of the VPC Moorage creates, /16 to /20."""
    availability_zone_count: NotRequired[pulumi.Input[int]]
    """How many availability zones get a public and a private subnet, 2-6."""
    nat_gateway_per_az: NotRequired[pulumi.Input[bool]]
    """One NAT gateway per availability zone (resilient) instead of one shared (cheaper)."""
    vpc_id: NotRequired[pulumi.Input[str]]
    """Bring your own VPC: its id. Needs private_subnet_ids; no network resources are created."""
    private_subnet_ids: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Bring your own VPC: private subnets (two or more AZs, with NAT egress) for the control
    plane ENIs and nodes."""
    public_subnet_ids: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Bring your own VPC: public subnets, reported as an output (tag them
    kubernetes.io/role/elb=1 for internet-facing load balancers)."""
    public_access_cidrs: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """CIDRs allowed to reach a public API endpoint. Empty means the endpoint is private only."""
    allow_public_endpoint_from_anywhere: NotRequired[pulumi.Input[bool]]
    """Accept 0.0.0.0/0 in public_access_cidrs."""
    kms_key_deletion_window_days: NotRequired[pulumi.Input[int]]
    """Waiting period, 7-30 days, before the secrets KMS key is deleted."""
    log_retention_days: NotRequired[pulumi.Input[int]]
    """Retention of the control-plane log group (a CloudWatch-accepted value)."""
    node_groups: NotRequired[pulumi.Input[Sequence[pulumi.Input[EksNodeGroupArgs]]]]
    """Managed node groups (compute "managed" only), e.g. an on-demand x86 group for system
    pods and a tainted arm64 Spot group for batch work."""
    managed_addons: NotRequired[pulumi.Input[Sequence[pulumi.Input[EksAddonArgs]]]]
    """EKS managed addons to pin, configure or add (called ``addons`` before Helm add-ons
    existed). Always installed with managed node groups: vpc-cni
    (NetworkPolicy enforced), kube-proxy, eks-pod-identity-agent, coredns, metrics-server and
    aws-ebs-csi-driver; with Auto Mode only metrics-server (AWS runs the rest). Unpinned
    addons get the most recent version for kubernetes_version."""
    addons: NotRequired[pulumi.Input[ClusterAddonsArgs]]
    """Helm charts installed once the nodes exist, with their IAM wired through Pod
    Identity: cluster_autoscaler, load_balancer_controller, external_dns, cert_manager,
    gateway (Envoy Gateway) and prometheus (docs/clusters.md, "Add-ons")."""
    cluster_autoscaler: NotRequired[pulumi.Input[bool]]
    """Create the IAM role (Pod Identity, kube-system/cluster-autoscaler) the Cluster
    Autoscaler needs to resize the node groups; ``addons.cluster_autoscaler`` installs its
    chart. Managed node groups only."""
    deletion_protection: NotRequired[pulumi.Input[bool]]
    """Refuse to delete the cluster (turn it on in production stacks)."""
    delete_unreachable: NotRequired[pulumi.Input[bool]]
    """Let the Kubernetes provider drop resources of a cluster that is already gone, so a
    throwaway stack can be destroyed."""
    tags: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Tags added to every AWS resource (through the provider's default_tags)."""


DEFAULTS: dict[str, Any] = {
    "cluster_name": Computed("the component name"),
    "kubernetes_version": DEFAULT_KUBERNETES_VERSION,
    "compute": "managed",
    "vpc_cidr": "10.0.0.0/16",
    "availability_zone_count": 3,
    "nat_gateway_per_az": False,
    "vpc_id": Computed("none: Moorage creates the VPC"),
    "private_subnet_ids": [],
    "public_subnet_ids": [],
    "public_access_cidrs": [],
    "allow_public_endpoint_from_anywhere": False,
    "kms_key_deletion_window_days": 30,
    "log_retention_days": 90,
    "node_groups": [{"name": "general"}],
    "node_groups.instance_types": Computed('["t3.medium"], or ["t4g.medium"] for arm64'),
    "node_groups.capacity_type": "ON_DEMAND",
    "node_groups.architecture": "x86_64",
    "node_groups.labels": {},
    "node_groups.taints": [],
    "node_groups.taints.value": TAINT_DEFAULTS["value"],
    "node_groups.taints.effect": TAINT_DEFAULTS["effect"],
    "node_groups.min_size": 2,
    "node_groups.max_size": 4,
    "node_groups.desired_size": Computed("min_size"),
    "node_groups.disk_size_gib": 50,
    "node_groups.metadata_hop_limit": 1,
    "managed_addons": [],
    "managed_addons.version": Computed("the most recent version for kubernetes_version"),
    "managed_addons.configuration": {},
    **ADDON_DEFAULTS,
    "cluster_autoscaler": Computed('true with compute "managed"'),
    "deletion_protection": False,
    "delete_unreachable": False,
    "tags": {},
}
"""Default of every EksClusterArgs field, by dotted path (list items included)."""
