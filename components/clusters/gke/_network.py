"""GkeNetwork: the VPC-native network a GkeCluster runs in, as a reusable child component.

A custom-mode network, one subnet with secondary ranges for pods and Services and Private
Google Access, and (optionally) a Cloud Router with NAT for private nodes. Clusters on an
existing network or a Shared VPC skip it and use the paths they were given.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from .._shared import moved_children
from ._validation import GkeSpec

TYPE_TOKEN = "moorage:index:GkeNetwork"
POD_RANGE = "pods"
SERVICE_RANGE = "services"


@dataclass
class NetworkRefs:
    """What the cluster needs from its network, created or brought in."""

    network: pulumi.Input[str]
    subnetwork: pulumi.Input[str]
    pods_range_name: str
    services_range_name: str
    egress: list[pulumi.Resource]
    """Resources private nodes need to reach registries outside Google (Cloud NAT)."""


def existing_network(spec: GkeSpec) -> NetworkRefs | None:
    """The refs of an existing (or Shared VPC) network, or None when one is created."""
    if spec.network is None:
        return None
    return NetworkRefs(
        spec.network.network,
        spec.network.subnetwork,
        spec.network.pods_range_name,
        spec.network.services_range_name,
        [],
    )


class GkeNetwork(pulumi.ComponentResource):
    """A VPC-native network for GKE: subnet with pod and Service ranges, optional Cloud NAT."""

    network: pulumi.Output[str]
    """Id of the network."""
    subnetwork: pulumi.Output[str]
    """Id of the subnetwork."""

    def __init__(
        self,
        name: str,
        spec: GkeSpec,
        opts: pulumi.ResourceOptions | None = None,
        *,
        prefix: str | None = None,
    ) -> None:
        """``prefix`` names the children (default ``name``): GkeCluster passes its own name so
        the resources keep the names they had before this component existed."""
        super().__init__(TYPE_TOKEN, name, None, opts)
        name = prefix or name
        child = moved_children(self, opts)
        network = gcp.compute.Network(
            f"{name}-network",
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
            opts=child,
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
            opts=child,
        )
        egress: list[pulumi.Resource] = []
        if spec.cloud_nat:
            router = gcp.compute.Router(
                f"{name}-router", network=network.id, region=spec.region, opts=child
            )
            egress.append(
                gcp.compute.RouterNat(
                    f"{name}-nat",
                    router=router.name,
                    region=spec.region,
                    nat_ip_allocate_option="AUTO_ONLY",
                    source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
                    log_config={"enable": True, "filter": "ERRORS_ONLY"},
                    opts=child,
                )
            )
        self.refs = NetworkRefs(network.id, subnet.id, POD_RANGE, SERVICE_RANGE, egress)
        self.network = network.id
        self.subnetwork = subnet.id
        self.register_outputs({"network": self.network, "subnetwork": self.subnetwork})
