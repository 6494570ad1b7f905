"""IAM for EksCluster: the cluster and node roles, and the Pod Identity roles of addons.

Policy documents are pure functions (tests read them); the ``create_*`` functions only
wire them to resources. AWS managed policies are used wherever AWS maintains one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ._validation import EksSpec

CLUSTER_ROLE_POLICIES = ("AmazonEKSClusterPolicy",)
AUTO_MODE_CLUSTER_ROLE_POLICIES = (
    "AmazonEKSClusterPolicy",
    "AmazonEKSComputePolicy",
    "AmazonEKSBlockStoragePolicy",
    "AmazonEKSLoadBalancingPolicy",
    "AmazonEKSNetworkingPolicy",
)
"""What EKS needs to run Auto Mode's nodes, EBS volumes and load balancers for you."""
NODE_ROLE_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonEKS_CNI_Policy",
)
AUTO_MODE_NODE_ROLE_POLICIES = (
    "AmazonEKSWorkerNodeMinimalPolicy",
    "AmazonEC2ContainerRegistryPullOnly",
)
"""Auto Mode nodes run no CNI or storage driver of their own, so they need less."""
EBS_CSI_POLICY = "service-role/AmazonEBSCSIDriverPolicy"
EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa"
CLUSTER_AUTOSCALER_NAMESPACE = "kube-system"
CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler"


def assume_role_policy(service: str, actions: Sequence[str]) -> str:
    """Trust policy letting one AWS service assume the role."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": list(actions)}
            ],
        }
    )


POD_IDENTITY_TRUST = ("pods.eks.amazonaws.com", ("sts:AssumeRole", "sts:TagSession"))
"""EKS Pod Identity: the agent assumes the role for a service account (no OIDC per role)."""


def kms_use_policy(key_arn: str) -> str:
    """Lets the cluster role use (only) its own secrets key."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                    "Resource": key_arn,
                }
            ],
        }
    )


def cluster_autoscaler_policy(cluster_name: str) -> str:
    """What the Cluster Autoscaler needs: read every group, resize only this cluster's.

    EKS tags each managed node group's Auto Scaling group with
    ``k8s.io/cluster-autoscaler/<cluster>=owned``; the write actions are limited to those.
    ``eks:DescribeNodegroup`` lets it read labels and taints to scale a group from zero.
    """
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Read",
                    "Effect": "Allow",
                    "Action": [
                        "autoscaling:DescribeAutoScalingGroups",
                        "autoscaling:DescribeAutoScalingInstances",
                        "autoscaling:DescribeLaunchConfigurations",
                        "autoscaling:DescribeScalingActivities",
                        "autoscaling:DescribeTags",
                        "ec2:DescribeImages",
                        "ec2:DescribeInstanceTypes",
                        "ec2:DescribeLaunchTemplateVersions",
                        "ec2:GetInstanceTypesFromInstanceRequirements",
                        "eks:DescribeNodegroup",
                    ],
                    "Resource": "*",
                },
                {
                    "Sid": "ResizeOwnGroups",
                    "Effect": "Allow",
                    "Action": [
                        "autoscaling:SetDesiredCapacity",
                        "autoscaling:TerminateInstanceInAutoScalingGroup",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {
                            f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"
                        }
                    },
                },
            ],
        }
    )


@dataclass
class ClusterIam:
    """The roles the control plane and the nodes run as."""

    cluster_role: aws.iam.Role
    node_role: aws.iam.Role
    ready: list[pulumi.Resource]
    """Policy attachments the cluster needs before it is created."""
    node_ready: list[pulumi.Resource]
    """Policy attachments nodes need before they join."""


def _policy_arn(spec: EksSpec, policy: str) -> str:
    return f"arn:{spec.partition}:iam::aws:policy/{policy}"


def create_cluster_iam(name: str, spec: EksSpec, opts: pulumi.ResourceOptions) -> ClusterIam:
    """Cluster and node roles with the AWS managed policies for the compute mode."""
    cluster_role = aws.iam.Role(
        f"{name}-cluster-role",
        assume_role_policy=assume_role_policy(
            "eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]
        ),
        opts=opts,
    )
    cluster_policies = AUTO_MODE_CLUSTER_ROLE_POLICIES if spec.auto_mode else CLUSTER_ROLE_POLICIES
    ready: list[pulumi.Resource] = [
        aws.iam.RolePolicyAttachment(
            f"{name}-cluster-{policy}",
            role=cluster_role.name,
            policy_arn=_policy_arn(spec, policy),
            opts=opts,
        )
        for policy in cluster_policies
    ]
    node_role = aws.iam.Role(
        f"{name}-node-role",
        assume_role_policy=assume_role_policy("ec2.amazonaws.com", ["sts:AssumeRole"]),
        opts=opts,
    )
    node_policies = AUTO_MODE_NODE_ROLE_POLICIES if spec.auto_mode else NODE_ROLE_POLICIES
    node_ready: list[pulumi.Resource] = [
        aws.iam.RolePolicyAttachment(
            f"{name}-node-{policy}",
            role=node_role.name,
            policy_arn=_policy_arn(spec, policy),
            opts=opts,
        )
        for policy in node_policies
    ]
    if spec.auto_mode:
        # Auto Mode launches nodes as this role when the cluster is created.
        ready += node_ready
    return ClusterIam(cluster_role, node_role, ready, node_ready)


def create_pod_identity_role(
    name: str,
    spec: EksSpec,
    *,
    managed_policy: str | None = None,
    inline_policy: str | None = None,
    opts: pulumi.ResourceOptions,
) -> tuple[aws.iam.Role, list[pulumi.Resource]]:
    """A role that EKS Pod Identity hands to one service account, with its permissions."""
    service, actions = POD_IDENTITY_TRUST
    role = aws.iam.Role(name, assume_role_policy=assume_role_policy(service, actions), opts=opts)
    permissions: list[pulumi.Resource] = []
    if managed_policy is not None:
        permissions.append(
            aws.iam.RolePolicyAttachment(
                f"{name}-policy",
                role=role.name,
                policy_arn=_policy_arn(spec, managed_policy),
                opts=opts,
            )
        )
    if inline_policy is not None:
        permissions.append(
            aws.iam.RolePolicy(f"{name}-policy", role=role.name, policy=inline_policy, opts=opts)
        )
    return role, permissions
