"""Where a cloud identity is created: the cluster's cloud, its name and its cloud provider.

Each cluster component hands one of these out (``cluster.identity_target()``), so code that
creates identities for pods never needs to know which cluster class it runs on.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

CLOUDS = ("local", "eks", "gke")


@dataclass(frozen=True)
class AwsTarget:
    """An EKS cluster: Pod Identity associations name it; IAM ARNs use its partition."""

    cluster_name: pulumi.Input[str]
    partition: str
    provider: pulumi.ProviderResource
    """The cluster's own aws.Provider (its region; default providers may be disabled)."""


@dataclass(frozen=True)
class GcpTarget:
    """A GKE cluster: service accounts live in ``project``; pods map through ``workload_pool``."""

    project: str
    workload_pool: str
    cluster_name: str
    provider: pulumi.ProviderResource


@dataclass(frozen=True)
class IdentityTarget:
    """The cloud (one of :data:`CLOUDS`) and, for a cloud cluster, how to reach it."""

    cloud: str
    aws: AwsTarget | None = None
    gcp: GcpTarget | None = None


LOCAL = IdentityTarget("local")
"""A local cluster: no cloud identity exists there."""
