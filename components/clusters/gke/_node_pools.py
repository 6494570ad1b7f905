"""Node settings and autoscaling node pools of a Standard GkeCluster."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_gcp as gcp

from .._shared import with_opts
from ._validation import GkeNodePoolSpec, GkeSpec

OAUTH_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
"""Access is limited by the service account's IAM roles, as Google recommends."""


def node_config(pool: GkeNodePoolSpec, service_account: pulumi.Input[str]) -> Any:
    """Hardened node settings: own service account, Workload Identity metadata server,
    shielded VM, no legacy metadata endpoint; the pool's labels and taints.

    Typed ``Any`` because the same dict serves Cluster.node_config and
    NodePool.node_config, whose TypedDicts differ only in name.
    """
    return {
        "machine_type": pool.machine_type,
        "spot": pool.spot,
        "disk_size_gb": pool.disk_size_gb,
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
        "labels": pool.labels or None,
        "taints": [
            {"key": taint.key, "value": taint.value, "effect": taint.cloud_effect}
            for taint in pool.taints
        ]
        or None,
    }


def create_node_pool(
    name: str,
    spec: GkeSpec,
    pool: GkeNodePoolSpec,
    *,
    cluster: gcp.container.Cluster,
    service_account: pulumi.Input[str],
    depends_on: Sequence[pulumi.Resource],
    opts: pulumi.ResourceOptions,
) -> gcp.container.NodePool:
    """One autoscaling pool (totals across the location's zones), auto-repaired and
    auto-upgraded by surge."""
    return gcp.container.NodePool(
        f"{name}-{pool.name}",
        name=pool.name,
        cluster=cluster.id,
        location=spec.location,
        initial_node_count=1,
        autoscaling={
            "total_min_node_count": pool.min_nodes,
            "total_max_node_count": pool.max_nodes,
            "location_policy": "ANY" if pool.spot else "BALANCED",
        },
        management={"auto_repair": True, "auto_upgrade": True},
        upgrade_settings={"max_surge": 1, "max_unavailable": 0},
        node_config=node_config(pool, service_account),
        opts=with_opts(opts, depends_on=list(depends_on)),
    )
