"""GkeCluster: a private, Workload Identity enabled GKE cluster built from pulumi-gcp.

Defaults follow terraform-google-kubernetes-engine's "safer-cluster": regional control
plane, REGULAR release channel, Workload Identity, shielded nodes with the legacy metadata
endpoint off, the default node pool removed in favour of separate autoscaling pools with a
least-privilege service account, private nodes, network policy (through Dataplane V2), an
allow-list for the API endpoint, Secrets encrypted with a Cloud KMS key, and automatic
upgrades only in a weekend maintenance window. Every default can be overridden; deletion
protection is per stack.
"""

import dataclasses
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_gcp as gcp

from ...addons import AddonContext, install_addons
from ...identity import GcpTarget, IdentityTarget
from .._base import KubernetesCluster
from .._kubeconfig import gke_kubeconfig
from .._kubernetes_provider import kubernetes_provider
from .._shared import with_opts
from ._args import GkeClusterArgs
from ._iam import create_node_identity, create_secrets_key
from ._network import GkeNetwork, NetworkRefs, existing_network
from ._node_pools import OAUTH_SCOPES, create_node_pool, node_config
from ._validation import GkeSpec, gateway_enabled, validate_gke_args

TYPE_TOKEN = "moorage:index:GkeCluster"
GATEWAY_API_CHANNEL = "CHANNEL_STANDARD"
"""The Gateway API channel GKE installs when the gateway add-on is on."""
DATAPATH_PROVIDER = "ADVANCED_DATAPATH"
"""Dataplane V2 (eBPF/Cilium). It enforces NetworkPolicy itself, so there is no Calico
add-on to run and upgrade; it is what Autopilot always uses, so both modes behave the same;
and it cannot be switched on after creation, so it has to be the default."""


class GkeCluster(KubernetesCluster):
    """A GKE cluster (Standard with autoscaling pools, or Autopilot) and a ready Provider."""

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
    """Id (or path) of the cluster's VPC network."""
    node_service_account_email: pulumi.Output[str]
    """The nodes' least-privilege Google service account."""
    secrets_encryption_key: pulumi.Output[str]
    """Cloud KMS key that encrypts Kubernetes Secrets at the application layer."""

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
        cloud = with_opts(child, provider=gcp_provider)
        invoke = pulumi.InvokeOutputOptions(parent=self, provider=gcp_provider)

        network = existing_network(spec) or self._network(name, spec, gcp_provider)
        nodes = create_node_identity(name, spec, cloud)
        key = create_secrets_key(name, spec, cloud, invoke)
        common = _cluster_settings(spec, network, key.key_name)

        pools: list[pulumi.Resource] = []
        if spec.autopilot:
            # Autopilot always has Workload Identity, shielded nodes, Dataplane V2 and
            # managed Prometheus.
            cluster = gcp.container.Cluster(
                f"{name}-cluster",
                enable_autopilot=True,
                cluster_autoscaling={
                    "auto_provisioning_defaults": {
                        "service_account": nodes.email,
                        "oauth_scopes": OAUTH_SCOPES,
                    }
                },
                **common,
                opts=with_opts(cloud, depends_on=[*nodes.ready, *key.ready]),
            )
        else:
            cluster = gcp.container.Cluster(
                f"{name}-cluster",
                remove_default_node_pool=True,
                initial_node_count=1,
                # The default pool lives only until it is removed; even so it runs as the
                # node account, not the default compute account (Editor).
                node_config=node_config(
                    dataclasses.replace(spec.node_pools[0], labels={}, taints=[]), nodes.email
                ),
                enable_shielded_nodes=True,
                workload_identity_config={"workload_pool": spec.workload_pool},
                datapath_provider=DATAPATH_PROVIDER,
                monitoring_config={
                    "enable_components": ["SYSTEM_COMPONENTS"],
                    "managed_prometheus": {"enabled": spec.managed_prometheus},
                },
                **common,
                # After the default pool is removed GKE reports no node config; without
                # this a refresh would plan to replace the cluster.
                opts=with_opts(
                    cloud, depends_on=[*nodes.ready, *key.ready], ignore_changes=["nodeConfig"]
                ),
            )
            pools = [
                create_node_pool(
                    name,
                    spec,
                    pool,
                    cluster=cluster,
                    service_account=nodes.email,
                    depends_on=[*nodes.ready, *network.egress],
                    opts=cloud,
                )
                for pool in spec.node_pools
            ]

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
        self.provider = kubernetes_provider(
            name,
            self.kubeconfig,
            self,
            delete_unreachable=spec.delete_unreachable,
            depends_on=[cluster, *pools, *network.egress],
        )
        self._identity_target = IdentityTarget(
            "gke",
            gcp=GcpTarget(spec.project, spec.workload_pool, spec.cluster_name, gcp_provider),
        )
        install_addons(
            name,
            spec.addons,
            AddonContext(
                "gke-autopilot" if spec.autopilot else "gke",
                self._identity_target,
                spec.cluster_name,
                region=spec.region,
                project=spec.project,
            ),
            pulumi.ResourceOptions(parent=self, provider=self.provider),
        )
        self.cluster_name = cluster.name
        self.endpoint = cluster.endpoint.apply(lambda host: f"https://{host}")
        self.workload_pool = pulumi.Output.from_input(spec.workload_pool)
        self.location = cluster.location
        self.network = pulumi.Output.from_input(network.network)
        self.node_service_account_email = nodes.email
        self.secrets_encryption_key = pulumi.Output.from_input(key.key_name)
        self.register_outputs(
            {
                "kubeconfig": self.kubeconfig,
                "cluster_name": self.cluster_name,
                "endpoint": self.endpoint,
                "workload_pool": self.workload_pool,
                "location": self.location,
                "network": self.network,
                "node_service_account_email": self.node_service_account_email,
                "secrets_encryption_key": self.secrets_encryption_key,
            }
        )

    def _network(self, name: str, spec: GkeSpec, gcp_provider: gcp.Provider) -> NetworkRefs:
        network = GkeNetwork(
            f"{name}-vpc",
            spec,
            pulumi.ResourceOptions(parent=self, providers=[gcp_provider]),
            prefix=name,
        )
        return network.refs


def _cluster_settings(
    spec: GkeSpec, network: NetworkRefs, key_name: pulumi.Input[str]
) -> dict[str, Any]:
    """Settings both Standard and Autopilot clusters share."""
    start, end = spec.maintenance_window.bounds()
    return {
        "name": spec.cluster_name,
        "location": spec.location,
        "network": network.network,
        "subnetwork": network.subnetwork,
        "min_master_version": spec.kubernetes_version,
        "release_channel": {"channel": spec.release_channel},
        "ip_allocation_policy": {
            "cluster_secondary_range_name": network.pods_range_name,
            "services_secondary_range_name": network.services_range_name,
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
        "database_encryption": {"state": "ENCRYPTED", "key_name": key_name},
        "maintenance_policy": {
            "recurring_window": {
                "start_time": start,
                "end_time": end,
                "recurrence": spec.maintenance_window.recurrence,
            }
        },
        "deletion_protection": spec.deletion_protection,
        # The gateway add-on on GKE: GKE's own Gateway controller and the Gateway API CRDs.
        "gateway_api_config": {"channel": GATEWAY_API_CHANNEL} if gateway_enabled(spec) else None,
    }
