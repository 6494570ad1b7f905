"""The Args of cluster add-ons: ``addons`` on LocalCluster, EksCluster and GkeCluster."""

import sys
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import pulumi

if sys.version_info >= (3, 11):
    from typing import NotRequired
else:  # pragma: no cover
    from typing_extensions import NotRequired


class AddonArgs(TypedDict):
    """One add-on: on or off, its pinned chart, its namespace and values."""

    enabled: NotRequired[pulumi.Input[bool]]
    """Install it. Off unless set (the eks-staging and gke-prod stacks turn on what a
    day-one cluster needs)."""
    version: NotRequired[pulumi.Input[str]]
    """Exact chart version; Moorage pins a tested one (docs/clusters.md lists them)."""
    repository: NotRequired[pulumi.Input[str]]
    """Chart repository (https:// or oci://), to use a mirror of the default one."""
    path: NotRequired[pulumi.Input[str]]
    """A local chart directory to install instead of downloading (air-gapped clusters);
    its Chart.yaml must match the chart and version."""
    namespace: NotRequired[pulumi.Input[str]]
    """Namespace to install into; each add-on has its own by default."""
    values: NotRequired[pulumi.Input[Mapping[str, Any]]]
    """Chart values merged over the ones Moorage sets (cloud wiring, security defaults)."""
    domain_filters: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """external_dns only: the domains it may manage, e.g. ["example.com"]. Required when
    it is enabled."""
    hosted_zone_ids: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """external_dns on EKS only: the Route 53 hosted zones it may change (least privilege).
    Default: every zone of the account."""
    cluster_issuer_email: NotRequired[pulumi.Input[str]]
    """cert_manager only: create a ClusterIssuer named "acme" (HTTP-01 through Ingress)
    that registers with this e-mail. Not set: no ClusterIssuer."""
    cluster_issuer_server: NotRequired[pulumi.Input[str]]
    """cert_manager only: the ACME directory URL. Default Let's Encrypt production."""


class ClusterAddonsArgs(TypedDict):
    """The add-ons a cluster can install (snake_case keys, as in stack config)."""

    metrics_server: NotRequired[pulumi.Input[AddonArgs]]
    """metrics-server, for HorizontalPodAutoscalers and `kubectl top` (local and EKS; GKE
    runs its own)."""
    cluster_autoscaler: NotRequired[pulumi.Input[AddonArgs]]
    """Cluster Autoscaler for EKS managed node groups, using the cluster's
    cluster_autoscaler IAM role (EKS with compute "managed" only)."""
    load_balancer_controller: NotRequired[pulumi.Input[AddonArgs]]
    """AWS Load Balancer Controller: NLBs for LoadBalancer Services, ALBs for Ingress (EKS
    with compute "managed" only; Auto Mode has its own)."""
    external_dns: NotRequired[pulumi.Input[AddonArgs]]
    """external-dns with Route 53 (EKS) or Cloud DNS (GKE) access."""
    cert_manager: NotRequired[pulumi.Input[AddonArgs]]
    """cert-manager, its CRDs applied server-side, and an optional ACME ClusterIssuer."""
    gateway: NotRequired[pulumi.Input[AddonArgs]]
    """A Gateway API implementation: Envoy Gateway (local and EKS), or GKE's own Gateway
    controller switched on in the cluster (no chart)."""
    prometheus: NotRequired[pulumi.Input[AddonArgs]]
    """kube-prometheus-stack: the Prometheus Operator (which reads ServiceMonitors),
    Prometheus, Alertmanager and Grafana."""
