"""LocalCluster: a kind cluster where Docker runs, a kwok cluster where it does not."""

import os
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import pulumi
import pulumi.dynamic
from typing_extensions import NotRequired

from .. import _rules as rule
from .._defaults import Computed
from .._errors import ValidationError
from .._fields import Fields
from ..addons import ADDON_DEFAULTS, AddonContext, ClusterAddonsArgs, install_addons, read_addons
from ..identity import LOCAL
from . import _local_provider as local_provider
from ._base import KubernetesCluster
from ._kubernetes_provider import kubernetes_provider
from ._local_cli import RUNTIMES
from ._local_provider import LocalClusterProvider

TYPE_TOKEN = "moorage:index:LocalCluster"
MAX_NODES = 100

DEFAULTS: dict[str, Any] = {
    "runtime": "auto",
    "cluster_name": Computed("the component name"),
    "nodes": 3,
    "zones": ["zone-a", "zone-b", "zone-c"],
    "tools_bin_dir": Computed("the MOORAGE_TOOLS_BIN environment variable, else PATH"),
    "delete_unreachable": False,
    "gateway_api_crds": True,
    **ADDON_DEFAULTS,
}
"""Every LocalClusterArgs default (see components/_defaults.py)."""


class LocalClusterArgs(TypedDict):
    """Arguments of :class:`moorage.LocalCluster`."""

    runtime: NotRequired[pulumi.Input[str]]
    """"kind" (needs a Docker engine), "kwok" (simulated nodes, no Docker) or "auto"
    (kind when a Docker engine answers and kind is installed, else kwok)."""
    cluster_name: NotRequired[pulumi.Input[str]]
    """Name of the kind/kwok cluster (DNS-1123 label)."""
    nodes: NotRequired[pulumi.Input[int]]
    """Worker nodes (simulated on kwok), 1-100."""
    zones: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Zones the nodes are spread over (the topology.kubernetes.io/zone label), so
    topology spread and PodDisruptionBudgets mean something."""
    tools_bin_dir: NotRequired[pulumi.Input[str]]
    """Directory holding kwokctl and the control-plane binaries."""
    delete_unreachable: NotRequired[pulumi.Input[bool]]
    """Let `destroy` succeed when the cluster is already gone."""
    gateway_api_crds: NotRequired[pulumi.Input[bool]]
    """Install the pinned Gateway API v1 CRDs (standard channel) so routes apply: applied
    server-side on every `up`, never touching CRDs someone else installed. Off when the
    gateway add-on is on (its chart brings its own)."""
    addons: NotRequired[pulumi.Input[ClusterAddonsArgs]]
    """Helm charts to install once the cluster runs: metrics_server, cert_manager, gateway
    (Envoy Gateway) and prometheus (docs/clusters.md, "Add-ons")."""


class _LocalClusterResource(pulumi.dynamic.Resource, module="moorage", name="LocalCluster"):
    kubeconfig: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    resolved_runtime: pulumi.Output[str]
    cluster_name: pulumi.Output[str]

    def __init__(self, name: str, props: Mapping[str, Any], opts: pulumi.ResourceOptions) -> None:
        super().__init__(
            LocalClusterProvider(),
            name,
            {**props, "kubeconfig": None, "endpoint": None, "resolved_runtime": None},
            pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=["kubeconfig"])
            ),
        )


def validate_local_args(name: str, args: LocalClusterArgs) -> dict[str, Any]:
    """Check LocalClusterArgs and apply defaults; raises ValidationError."""
    component = f'LocalCluster "{name}"'
    fields = Fields(component, args)
    fields.reject_unknown(LocalClusterArgs.__annotations__, "LocalClusterArgs")
    addons = read_addons(fields, "addons", "local")
    runtime = rule.one_of(component, "runtime", args.get("runtime", DEFAULTS["runtime"]), RUNTIMES)
    cluster_name = rule.dns_label(component, "cluster_name", args.get("cluster_name", name))
    nodes = rule.positive_int(component, "nodes", args.get("nodes", DEFAULTS["nodes"]))
    if nodes > MAX_NODES:
        raise ValidationError(component, "nodes", nodes, f"must be at most {MAX_NODES}")
    zones = list(args.get("zones") or DEFAULTS["zones"])  # type: ignore[arg-type]
    for i, zone in enumerate(zones):
        rule.dns_label(component, f"zones[{i}]", zone)
    return {
        "runtime": runtime,
        "cluster_name": cluster_name,
        "nodes": nodes,
        "zones": zones,
        "tools_bin_dir": args.get("tools_bin_dir") or os.environ.get("MOORAGE_TOOLS_BIN", ""),
        "delete_unreachable": rule.boolean(
            component,
            "delete_unreachable",
            args.get("delete_unreachable", DEFAULTS["delete_unreachable"]),
        ),
        "gateway_api_crds": rule.boolean(
            component,
            "gateway_api_crds",
            args.get("gateway_api_crds", DEFAULTS["gateway_api_crds"]),
        )
        and not any(spec.addon.key == "gateway" for spec in addons),
        "addons": addons,
    }


class LocalCluster(KubernetesCluster):
    """A local Kubernetes cluster: kind with Docker, kwok (simulated nodes) without.

    The cluster is a Pulumi resource with create, read, update and delete: `up`
    starts it (adopting a cluster of the same name that already runs), `refresh`
    notices when it is gone, and `destroy` stops every process and removes its
    files.

    LoadBalancer Services get an address: on kwok a simulated one (see
    docs/clusters.md), on kind from cloud-provider-kind, which must be running
    (the Moorage program refuses a LoadBalancer on kind without it).
    """

    resolved_runtime: pulumi.Output[str]
    """The runtime actually used: "kind" or "kwok"."""

    @staticmethod
    def load_balancer_problem(name: str, args: LocalClusterArgs) -> str | None:
        """Why a LoadBalancer Service on this LocalCluster would get no address, or None.

        Call it before creating anything (a WebService does not know its cluster; the
        Moorage program does this for you). On kwok the cluster simulates addresses,
        so the answer is None; on kind (or "auto" where Docker and kind are found)
        cloud-provider-kind must be running. Raises ValidationError for bad ``args``.
        """
        settings = validate_local_args(name, args)
        return local_provider.load_balancer_problem(settings["runtime"], settings["tools_bin_dir"])

    def _gateway_api_crds(self, wanted: bool, bin_dir: str) -> str:
        """The CRD directory the cluster applies ("" for none), with a warning when
        bootstrap-tools left none beside the tools."""
        if not wanted:
            return ""
        found = local_provider.gateway_api_crd_dir(bin_dir)
        if not found:
            pulumi.log.warn(
                "no Gateway API CRDs beside the tools (run scripts/bootstrap-tools): the "
                "cluster starts without them, and routes apply only where they are installed",
                resource=self,
            )
        return found

    def __init__(
        self,
        name: str,
        args: LocalClusterArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        settings = validate_local_args(name, args)
        delete_unreachable = settings.pop("delete_unreachable")
        addons = settings.pop("addons")
        local_provider.require_tools(settings["runtime"], settings["tools_bin_dir"])
        settings["gateway_api_crds"] = self._gateway_api_crds(
            settings["gateway_api_crds"], settings["tools_bin_dir"]
        )
        cluster = _LocalClusterResource(
            f"{name}-cluster", settings, pulumi.ResourceOptions(parent=self)
        )
        self.kubeconfig = pulumi.Output.secret(cluster.kubeconfig)
        self.endpoint = cluster.endpoint
        self.cluster_name = cluster.cluster_name
        self.resolved_runtime = cluster.resolved_runtime
        self.provider = kubernetes_provider(
            name, self.kubeconfig, self, delete_unreachable=delete_unreachable
        )
        install_addons(
            name,
            addons,
            AddonContext("local", LOCAL, cluster.cluster_name),
            pulumi.ResourceOptions(parent=self, provider=self.provider),
        )
        self.register_outputs(
            {
                "kubeconfig": self.kubeconfig,
                "endpoint": self.endpoint,
                "cluster_name": self.cluster_name,
                "resolved_runtime": self.resolved_runtime,
            }
        )
