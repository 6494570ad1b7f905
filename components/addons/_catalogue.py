"""The add-ons Moorage knows: chart, pinned version, namespace, where each one runs, and
why it is installed the way it is. Pure data; nothing here creates resources.

Versions were pinned when this table was last reviewed (see docs/clusters.md, "Add-ons");
bump them here, or per stack with ``addons.<name>.version``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._defaults import Computed

LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory"
"""Let's Encrypt production, the default ACME server of the ClusterIssuer."""

PLATFORMS = ("local", "eks", "eks-auto", "gke", "gke-autopilot")
"""Where an add-on may be asked for: the cloud, and the compute mode where it matters."""


@dataclass(frozen=True)
class ChartRef:
    """A chart in a repository (or an oci:// chart with ``repository`` None)."""

    chart: str
    version: str
    repository: str | None = None


@dataclass(frozen=True)
class Addon:
    """One add-on Moorage can install."""

    key: str
    """Its key under ``addons`` in the cluster Args."""
    chart: ChartRef
    namespace: str
    supported: tuple[str, ...]
    """Platforms it installs on (from :data:`PLATFORMS`)."""
    refused: Mapping[str, str] = field(default_factory=dict)
    """Platform -> why it is not installed there (the error says so)."""
    run_hooks: bool = False
    """Install with helm.v3.Release (hooks run) rather than helm.v4.Chart (hooks dropped)."""
    crds: ChartRef | None = None
    """A CRD-only chart installed first with helm.v4.Chart, so CRDs are applied server-side
    (and upgraded) even when the main chart runs as a Release with skip_crds."""
    service_account: str | None = None
    """The ServiceAccount its cloud identity is bound to, where it needs one."""
    install: str = ""
    """Why it is installed this way (helm.v4.Chart or helm.v3.Release), for the docs."""


_ENVOY_GATEWAY_VERSION = "v1.5.4"

ADDONS: dict[str, Addon] = {
    a.key: a
    for a in (
        Addon(
            key="metrics_server",
            chart=ChartRef(
                "metrics-server", "3.13.0", "https://kubernetes-sigs.github.io/metrics-server/"
            ),
            namespace="metrics-server",
            supported=("local",),
            refused={
                "eks": "EKS runs it as a managed addon (see managed_addons)",
                "eks-auto": "EKS runs it as a managed addon (see managed_addons)",
                "gke": "GKE runs metrics-server itself",
                "gke-autopilot": "GKE runs metrics-server itself",
            },
            install="helm.v4.Chart: no hooks, no CRDs.",
        ),
        Addon(
            key="cluster_autoscaler",
            chart=ChartRef(
                "cluster-autoscaler", "9.50.1", "https://kubernetes.github.io/autoscaler"
            ),
            # The Pod Identity association of cluster_autoscaler: true names kube-system,
            # where the autoscaler's system-cluster-critical pods conventionally run.
            namespace="kube-system",
            supported=("eks",),
            refused={
                "eks-auto": "Auto Mode scales the nodes itself",
                "gke": "GKE node pools autoscale themselves (min_nodes/max_nodes)",
                "gke-autopilot": "Autopilot scales the nodes itself",
                "local": "a local cluster has a fixed number of nodes",
            },
            service_account="cluster-autoscaler",
            install="helm.v4.Chart: no hooks, no CRDs.",
        ),
        Addon(
            key="load_balancer_controller",
            chart=ChartRef(
                "aws-load-balancer-controller", "1.14.0", "https://aws.github.io/eks-charts"
            ),
            namespace="aws-load-balancer-controller",
            supported=("eks",),
            refused={
                "eks-auto": "Auto Mode has its own load balancer controller",
                "gke": "it is an AWS controller",
                "gke-autopilot": "it is an AWS controller",
                "local": "it is an AWS controller",
            },
            service_account="aws-load-balancer-controller",
            run_hooks=True,
            install=(
                "helm.v3.Release: the chart generates its webhook certificate in a template, "
                "so helm.v4.Chart would render a new one (and a diff) on every preview. Its "
                "two CRDs come from the chart's crds/ folder, created by Helm (no CRD-only "
                "chart exists)."
            ),
        ),
        Addon(
            key="external_dns",
            chart=ChartRef(
                "external-dns", "1.19.0", "https://kubernetes-sigs.github.io/external-dns/"
            ),
            namespace="external-dns",
            supported=("eks", "eks-auto", "gke", "gke-autopilot"),
            refused={"local": "a local cluster has no DNS zone to manage"},
            service_account="external-dns",
            install="helm.v4.Chart: no hooks.",
        ),
        Addon(
            key="cert_manager",
            chart=ChartRef("cert-manager", "v1.19.1", "https://charts.jetstack.io"),
            namespace="cert-manager",
            supported=("local", "eks", "eks-auto", "gke", "gke-autopilot"),
            install=(
                "helm.v4.Chart with crds.enabled (its CRDs are templates, applied "
                "server-side) and startupapicheck off: that post-install hook Job only "
                "waits for the webhook, which Pulumi's await already does."
            ),
        ),
        Addon(
            key="gateway",
            chart=ChartRef("oci://docker.io/envoyproxy/gateway-helm", _ENVOY_GATEWAY_VERSION),
            namespace="envoy-gateway-system",
            supported=("local", "eks", "eks-auto", "gke", "gke-autopilot"),
            run_hooks=True,
            crds=ChartRef("oci://docker.io/envoyproxy/gateway-crds-helm", _ENVOY_GATEWAY_VERSION),
            install=(
                "Envoy Gateway: helm.v3.Release with skip_crds, because its certgen Job is a "
                "pre-install/pre-upgrade hook; the Gateway API and Envoy Gateway CRDs come "
                "from gateway-crds-helm through helm.v4.Chart (server-side apply). On GKE "
                "no chart: the cluster's own Gateway controller is switched on."
            ),
        ),
        Addon(
            key="prometheus",
            chart=ChartRef(
                "kube-prometheus-stack",
                "77.13.0",
                "https://prometheus-community.github.io/helm-charts",
            ),
            namespace="monitoring",
            supported=("local", "eks", "eks-auto", "gke", "gke-autopilot"),
            run_hooks=True,
            crds=ChartRef(
                "prometheus-operator-crds",
                "24.0.0",
                "https://prometheus-community.github.io/helm-charts",
            ),
            install=(
                "helm.v3.Release with skip_crds, because the operator's admission webhook "
                "certificate is made by pre-install hook Jobs; the monitoring.coreos.com "
                "CRDs (ServiceMonitor...) come from prometheus-operator-crds through "
                "helm.v4.Chart (server-side apply: they are too large for client-side apply)."
            ),
        ),
    )
}
"""Every add-on, by its key under ``addons``."""

BUILT_IN: dict[tuple[str, str], str] = {
    ("gateway", "gke"): "gateway_api_config",
    ("gateway", "gke-autopilot"): "gateway_api_config",
}
"""(add-on, platform) pairs the cluster provides itself when asked: no chart is installed."""


def _addon_defaults(prefix: str) -> dict[str, Any]:
    """The DEFAULTS entries of an ``addons`` field at ``prefix`` (e.g. "addons")."""
    table: dict[str, Any] = {prefix: {}}
    for key, addon in ADDONS.items():
        at = f"{prefix}.{key}"
        table.update(
            {
                at: Computed("off"),
                f"{at}.enabled": False,
                f"{at}.version": addon.chart.version,
                f"{at}.repository": addon.chart.repository
                or Computed(f"none: the chart is {addon.chart.chart}"),
                f"{at}.path": Computed("none: the chart is downloaded"),
                f"{at}.namespace": addon.namespace,
                f"{at}.values": {},
            }
        )
        for own in ("domain_filters", "hosted_zone_ids", "cluster_issuer_email"):
            table[f"{at}.{own}"] = Computed(f"not used by {key}")
        table[f"{at}.cluster_issuer_server"] = Computed(f"not used by {key}")
    table[f"{prefix}.external_dns.domain_filters"] = Computed("required when enabled")
    table[f"{prefix}.external_dns.hosted_zone_ids"] = Computed("every hosted zone (EKS)")
    table[f"{prefix}.cert_manager.cluster_issuer_email"] = Computed("no ClusterIssuer")
    table[f"{prefix}.cert_manager.cluster_issuer_server"] = LETS_ENCRYPT
    return table


ADDON_DEFAULTS = _addon_defaults("addons")
"""The DEFAULTS entries of the clusters' ``addons`` field (see components/_defaults.py)."""
