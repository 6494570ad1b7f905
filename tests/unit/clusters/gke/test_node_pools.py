"""GKE node pools (gke/_node_pools.py): hardening, autoscaling, Spot, labels and taints."""

from __future__ import annotations

from .conftest import IAM_MEMBER, K8S_PROVIDER, NODE_POOL, PROJECT, base_args, build


def test_node_pool_is_hardened_autoscaling_and_auto_managed(gke):
    build(gke, base_args())

    pool = gke.one(NODE_POOL).inputs
    assert pool["name"] == "general"
    assert pool["cluster"] == "prod-cluster-id"
    assert pool["autoscaling"] == {
        "totalMinNodeCount": 1,
        "totalMaxNodeCount": 3,
        "locationPolicy": "BALANCED",
    }
    assert pool["management"] == {"autoRepair": True, "autoUpgrade": True}
    config = pool["nodeConfig"]
    assert config["machineType"] == "e2-standard-4"
    assert config["spot"] is False
    assert config["serviceAccount"] == f"prod-nodes@{PROJECT}.iam.gserviceaccount.com"
    assert config["oauthScopes"] == ["https://www.googleapis.com/auth/cloud-platform"]
    assert config["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
    assert config["shieldedInstanceConfig"] == {
        "enableSecureBoot": True,
        "enableIntegrityMonitoring": True,
    }
    assert config["metadata"] == {"disable-legacy-endpoints": "true"}
    # Nodes wait for their IAM roles and for NAT egress.
    assert gke.resource(NODE_POOL, "prod-general").depends_on(
        IAM_MEMBER, "prod-nodes-logging-logWriter"
    )
    assert gke.resource(NODE_POOL, "prod-general").depends_on(
        "gcp:compute/routerNat:RouterNat", "prod-nat"
    )


def test_spot_machine_type_and_sizes_can_be_overridden(gke):
    build(
        gke,
        base_args(
            node_pools=[
                {
                    "name": "general",
                    "spot": True,
                    "machine_type": "e2-standard-8",
                    "min_nodes": 3,
                    "max_nodes": 10,
                }
            ]
        ),
    )

    pool = gke.one(NODE_POOL).inputs
    assert pool["nodeConfig"]["spot"] is True
    assert pool["autoscaling"]["locationPolicy"] == "ANY"  # Spot: wherever capacity is
    assert pool["nodeConfig"]["machineType"] == "e2-standard-8"
    assert pool["autoscaling"]["totalMinNodeCount"] == 3
    assert pool["autoscaling"]["totalMaxNodeCount"] == 10


def test_node_pools_are_a_list_with_labels_and_taints(gke):
    build(
        gke,
        base_args(
            node_pools=[
                {"name": "general", "min_nodes": 2, "max_nodes": 6},
                {
                    "name": "arm",
                    "machine_type": "t2a-standard-4",
                    "spot": True,
                    "min_nodes": 0,
                    "labels": {"workload": "batch"},
                    "taints": [{"key": "workload", "value": "batch", "effect": "NoSchedule"}],
                },
            ]
        ),
    )

    pools = {p.name: p.inputs for p in gke.of_type(NODE_POOL)}
    assert set(pools) == {"prod-general", "prod-arm"}
    arm = pools["prod-arm"]
    assert arm["name"] == "arm"
    assert arm["nodeConfig"]["machineType"] == "t2a-standard-4"
    assert arm["nodeConfig"]["labels"] == {"workload": "batch"}
    assert arm["nodeConfig"]["taints"] == [
        {"key": "workload", "value": "batch", "effect": "NO_SCHEDULE"}
    ]
    assert arm["autoscaling"]["totalMinNodeCount"] == 0
    general = pools["prod-general"]
    assert "taints" not in general["nodeConfig"]
    assert all(p["nodeConfig"]["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
               for p in pools.values())  # fmt: skip
    provider = gke.resource(K8S_PROVIDER, "prod-k8s")
    assert provider.depends_on(NODE_POOL, "prod-arm") and provider.depends_on(
        NODE_POOL, "prod-general"
    )
