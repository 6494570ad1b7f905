"""EKS managed node groups (eks/_node_groups.py): AMI, IMDSv2, sizes, Spot, architecture."""

from __future__ import annotations

import pytest
from moorage.clusters.eks import (
    NODE_GROUP_IGNORE_CHANGES,
    validate_eks_args,
)

from .conftest import ADDON, LAUNCH_TEMPLATE, NODE_GROUP, base_args, build


def test_node_group_is_al2023_with_imdsv2_and_autoscaler_owned_desired_size(eks):
    build(eks, base_args())

    nodes = eks.one(NODE_GROUP).inputs
    assert nodes["amiType"] == "AL2023_x86_64_STANDARD"
    assert nodes["capacityType"] == "ON_DEMAND"
    assert nodes["instanceTypes"] == ["t3.medium"]
    assert nodes["scalingConfig"] == {"minSize": 2, "maxSize": 4, "desiredSize": 2}
    assert nodes["subnetIds"] == [f"staging-private-{i}-id" for i in range(3)]
    assert nodes["launchTemplate"] == {"id": "staging-general-lt-id", "version": "1"}
    assert nodes["labels"] == {"moorage.dev/node-group": "general"}
    assert "taints" not in nodes or nodes["taints"] == []

    template = eks.one(LAUNCH_TEMPLATE).inputs
    assert template["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1,
    }
    assert template["blockDeviceMappings"][0]["ebs"]["encrypted"] == "true"

    nodes_registered = eks.resource(NODE_GROUP, "staging-general")
    assert nodes_registered.ignore_changes == ["scalingConfig.desiredSize"]
    assert nodes_registered.ignore_changes == NODE_GROUP_IGNORE_CHANGES
    # Nodes wait for their NAT route, their IAM policies and the node-level addons.
    assert eks.resource(NODE_GROUP, "staging-general").depends_on(
        "aws:ec2/routeTableAssociation:RouteTableAssociation", "staging-private-rta-2"
    )
    assert eks.resource(NODE_GROUP, "staging-general").depends_on(ADDON, "staging-vpc-cni")


def test_spot_capacity_and_sizes_can_be_overridden(eks):
    build(
        eks,
        base_args(
            node_groups=[
                {
                    "name": "spot",
                    "capacity_type": "SPOT",
                    "instance_types": ["m6i.large", "m5.large"],
                    "min_size": 1,
                    "max_size": 10,
                    "desired_size": 3,
                    "metadata_hop_limit": 2,
                }
            ]
        ),
    )

    nodes = eks.one(NODE_GROUP).inputs
    assert nodes["capacityType"] == "SPOT"
    assert nodes["instanceTypes"] == ["m6i.large", "m5.large"]
    assert nodes["scalingConfig"] == {"minSize": 1, "maxSize": 10, "desiredSize": 3}
    assert eks.one(LAUNCH_TEMPLATE).inputs["metadataOptions"]["httpPutResponseHopLimit"] == 2


def test_node_groups_are_a_list_with_architecture_capacity_labels_and_taints(eks):
    build(
        eks,
        base_args(
            node_groups=[
                {"name": "system", "instance_types": ["m7i.large"], "min_size": 2},
                {
                    "name": "arm-spot",
                    "architecture": "arm64",
                    "capacity_type": "SPOT",
                    "instance_types": ["m7g.large", "m6g.large", "c7g.xlarge"],
                    "labels": {"workload": "batch"},
                    "taints": [{"key": "workload", "value": "batch", "effect": "NoExecute"}],
                    "min_size": 0,
                    "max_size": 20,
                },
            ]
        ),
    )

    groups = {g.name: g.inputs for g in eks.of_type(NODE_GROUP)}
    assert set(groups) == {"staging-system", "staging-arm-spot"}
    system, arm = groups["staging-system"], groups["staging-arm-spot"]
    assert (system["amiType"], system["capacityType"]) == ("AL2023_x86_64_STANDARD", "ON_DEMAND")
    assert (arm["amiType"], arm["capacityType"]) == ("AL2023_ARM_64_STANDARD", "SPOT")
    assert arm["instanceTypes"] == ["m7g.large", "m6g.large", "c7g.xlarge"]
    assert arm["labels"] == {"moorage.dev/node-group": "arm-spot", "workload": "batch"}
    assert arm["taints"] == [{"key": "workload", "value": "batch", "effect": "NO_EXECUTE"}]
    assert arm["scalingConfig"] == {"minSize": 0, "maxSize": 20, "desiredSize": 0}
    # Each group has its own hardened launch template.
    templates = {t.name for t in eks.of_type(LAUNCH_TEMPLATE)}
    assert templates == {"staging-system-lt", "staging-arm-spot-lt"}
    assert all(
        eks.resource(NODE_GROUP, g).ignore_changes == ["scalingConfig.desiredSize"] for g in groups
    )


def test_arm64_groups_default_to_a_graviton_type():
    spec = validate_eks_args(
        "staging", base_args(node_groups=[{"name": "arm", "architecture": "arm64"}])
    )
    assert spec.node_groups[0].instance_types == ["t4g.medium"]


def test_the_first_node_group_takes_over_the_single_group_of_earlier_versions(eks):
    build(eks, base_args(node_groups=[{"name": "general"}, {"name": "other"}]))

    [alias] = eks.requests[(NODE_GROUP, "staging-general")].aliases
    assert alias.spec.name == "staging-nodes"
    [alias] = eks.requests[(LAUNCH_TEMPLATE, "staging-general-lt")].aliases
    assert alias.spec.name == "staging-nodes-lt"
    assert list(eks.requests[(NODE_GROUP, "staging-other")].aliases) == []


@pytest.mark.parametrize(
    ("instance_type", "architecture"),
    [
        ("t4g.medium", "arm64"),
        ("m7g.large", "arm64"),
        ("m6gd.xlarge", "arm64"),
        ("c6gn.2xlarge", "arm64"),
        ("c7gn.large", "arm64"),
        ("x2gd.large", "arm64"),
        ("im4gn.large", "arm64"),
        ("is4gen.large", "arm64"),
        ("g5g.xlarge", "arm64"),
        ("a1.large", "arm64"),
        ("t3.medium", "x86_64"),
        ("m7i-flex.large", "x86_64"),
        ("m5dn.large", "x86_64"),
        ("g4dn.xlarge", "x86_64"),
        ("g4ad.xlarge", "x86_64"),
        ("c7a.large", "x86_64"),
        ("r7iz.large", "x86_64"),
        ("u-6tb1.metal", "x86_64"),
    ],
)
def test_instance_architecture_recognises_graviton_types(instance_type, architecture):
    from moorage.clusters.eks import instance_architecture

    assert instance_architecture(instance_type) == architecture
