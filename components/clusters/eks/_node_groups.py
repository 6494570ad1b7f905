"""Managed node groups: a hardened launch template and a node group per EksNodeGroupSpec."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from .._shared import with_opts
from ._validation import EksNodeGroupSpec, EksSpec

NODE_GROUP_IGNORE_CHANGES = ["scalingConfig.desiredSize"]
"""The cluster autoscaler owns the desired size once the node group exists."""


def create_node_group(
    name: str,
    spec: EksSpec,
    group: EksNodeGroupSpec,
    *,
    cluster: aws.eks.Cluster,
    node_role: aws.iam.Role,
    subnet_ids: Sequence[pulumi.Input[str]],
    depends_on: Sequence[pulumi.Resource],
    opts: pulumi.ResourceOptions,
    first: bool = False,
) -> aws.eks.NodeGroup:
    """One managed node group: AL2023 for its architecture, IMDSv2 required, encrypted gp3.

    ``first``: the group takes over the names of the single node group EksCluster had
    before node groups were a list (``<name>-nodes``), so an existing stack keeps it."""
    prefix = f"{name}-{group.name}"

    def renamed(old: str) -> pulumi.ResourceOptions:
        return with_opts(opts, aliases=[pulumi.Alias(name=old)] if first else None)

    launch_template = aws.ec2.LaunchTemplate(
        f"{prefix}-lt",
        description=f"Nodes of group {group.name} of EKS cluster {spec.cluster_name}",
        update_default_version=True,
        metadata_options={
            "http_endpoint": "enabled",
            "http_tokens": "required",
            "http_put_response_hop_limit": group.metadata_hop_limit,
        },
        block_device_mappings=[
            {
                "device_name": "/dev/xvda",
                "ebs": {
                    "volume_size": group.disk_size_gib,
                    "volume_type": "gp3",
                    "encrypted": "true",
                    "delete_on_termination": "true",
                },
            }
        ],
        opts=renamed(f"{name}-nodes-lt"),
    )
    return aws.eks.NodeGroup(
        prefix,
        cluster_name=cluster.name,
        version=cluster.version,
        node_role_arn=node_role.arn,
        subnet_ids=list(subnet_ids),
        ami_type=group.ami_type,
        capacity_type=group.capacity_type,
        instance_types=group.instance_types,
        labels=group.node_labels,
        taints=[
            {"key": taint.key, "value": taint.value or None, "effect": taint.cloud_effect}
            for taint in group.taints
        ],
        scaling_config={
            "min_size": group.min_size,
            "max_size": group.max_size,
            "desired_size": group.desired_size,
        },
        update_config={"max_unavailable": 1},
        launch_template={
            "id": launch_template.id,
            "version": launch_template.latest_version.apply(str),
        },
        opts=with_opts(
            renamed(f"{name}-nodes"),
            ignore_changes=NODE_GROUP_IGNORE_CHANGES,
            depends_on=list(depends_on),
        ),
    )
