"""EksCluster IAM (eks/_iam.py): cluster, node and Pod Identity roles and their policies."""

from __future__ import annotations

import json

from ...conftest import RecordingMocks
from .conftest import ACCOUNT, ATTACHMENT, CLUSTER, POD_IDENTITY, ROLE, base_args, build


def test_roles_get_only_the_eks_managed_policies(eks):
    build(eks, base_args())

    assert policies_by_role(eks) == {
        "staging-cluster-role": {"AmazonEKSClusterPolicy"},
        "staging-node-role": {
            "AmazonEKSWorkerNodePolicy",
            "AmazonEC2ContainerRegistryReadOnly",
            "AmazonEKS_CNI_Policy",
        },
        "staging-ebs-csi": {"service-role/AmazonEBSCSIDriverPolicy"},
    }
    roles = {
        r.name: json.loads(r.inputs["assumeRolePolicy"]) for r in eks.of_type("aws:iam/role:Role")
    }
    assert roles["staging-cluster-role"]["Statement"][0]["Principal"] == {
        "Service": "eks.amazonaws.com"
    }
    assert roles["staging-node-role"]["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"
    }


def policies_by_role(mocks: RecordingMocks) -> dict[str, set[str]]:
    """AWS managed policies attached to each role, by role name."""
    by_role: dict[str, set[str]] = {}
    for attachment in mocks.of_type(ATTACHMENT):
        arn = attachment.inputs["policyArn"]
        assert arn.startswith("arn:aws:iam::aws:policy/")
        by_role.setdefault(attachment.inputs["role"], set()).add(arn.split(":policy/")[1])
    return by_role


def test_cluster_autoscaler_role_resizes_only_this_clusters_groups(eks):
    cluster = build(eks, base_args())

    association = eks.one(POD_IDENTITY).inputs
    assert (association["namespace"], association["serviceAccount"]) == (
        "kube-system",
        "cluster-autoscaler",
    )
    assert association["roleArn"] == f"arn:aws:iam::{ACCOUNT}:role/staging-cluster-autoscaler"
    policy = json.loads(
        eks.resource("aws:iam/rolePolicy:RolePolicy", "staging-cluster-autoscaler-policy").inputs[
            "policy"
        ]
    )
    read, resize = policy["Statement"]
    assert "eks:DescribeNodegroup" in read["Action"]
    assert all(not action.startswith("autoscaling:Set") for action in read["Action"])
    assert resize["Action"] == [
        "autoscaling:SetDesiredCapacity",
        "autoscaling:TerminateInstanceInAutoScalingGroup",
    ]
    assert resize["Condition"] == {
        "StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/staging": "owned"}
    }
    assert eks.settle(cluster.cluster_autoscaler_role_arn) == association["roleArn"]


def test_cluster_autoscaler_can_be_left_out(eks):
    cluster = build(eks, base_args(cluster_autoscaler=False))

    assert eks.of_type(POD_IDENTITY) == []
    assert "staging-cluster-autoscaler" not in {r.name for r in eks.of_type(ROLE)}
    assert eks.settle(cluster.cluster_autoscaler_role_arn) == ""


def test_auto_mode_roles_have_the_policies_it_needs(eks):
    build(eks, base_args(compute="auto"))

    assert policies_by_role(eks) == {
        "staging-cluster-role": {
            "AmazonEKSClusterPolicy",
            "AmazonEKSComputePolicy",
            "AmazonEKSBlockStoragePolicy",
            "AmazonEKSLoadBalancingPolicy",
            "AmazonEKSNetworkingPolicy",
        },
        "staging-node-role": {
            "AmazonEKSWorkerNodeMinimalPolicy",
            "AmazonEC2ContainerRegistryPullOnly",
        },
    }
    trust = json.loads(eks.resource(ROLE, "staging-cluster-role").inputs["assumeRolePolicy"])
    assert "sts:TagSession" in trust["Statement"][0]["Action"]
    # The cluster waits for every policy, the node role's included: Auto Mode launches
    # nodes as soon as the cluster exists.
    cluster = eks.resource(CLUSTER, "staging-cluster")
    assert cluster.depends_on(ATTACHMENT, "staging-cluster-AmazonEKSComputePolicy")
    assert cluster.depends_on(ATTACHMENT, "staging-node-AmazonEKSWorkerNodeMinimalPolicy")
