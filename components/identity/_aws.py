"""AWS identity for pods: an IAM role EKS Pod Identity hands to one ServiceAccount.

The policy documents are pure functions (tests read them); :func:`pod_identity_role` only
wires them to resources.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from ._target import AwsTarget

POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
POD_IDENTITY_ACTIONS = ("sts:AssumeRole", "sts:TagSession")


def trust_policy(service: str, actions: Sequence[str]) -> str:
    """A trust policy that lets one AWS service principal assume the role."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": list(actions)}
            ],
        }
    )


def pod_identity_trust_policy() -> str:
    """EKS Pod Identity: the agent assumes the role for a ServiceAccount (no OIDC per role)."""
    return trust_policy(POD_IDENTITY_PRINCIPAL, POD_IDENTITY_ACTIONS)


def permissions_policy(statements: Sequence[Mapping[str, Any]]) -> str:
    """An IAM policy document from its statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": [dict(s) for s in statements]})


def pod_identity_role(
    name: str,
    target: AwsTarget,
    *,
    namespace: pulumi.Input[str],
    service_account: pulumi.Input[str],
    policy_arns: Sequence[pulumi.Input[str]] = (),
    policy: pulumi.Input[str] | None = None,
    opts: pulumi.ResourceOptions,
) -> aws.iam.Role:
    """The role of :func:`pod_identity` (its association is not needed by the caller)."""
    return pod_identity(
        name,
        target,
        namespace=namespace,
        service_account=service_account,
        policy_arns=policy_arns,
        policy=policy,
        opts=opts,
    )[0]


def pod_identity(
    name: str,
    target: AwsTarget,
    *,
    namespace: pulumi.Input[str],
    service_account: pulumi.Input[str],
    policy_arns: Sequence[pulumi.Input[str]] = (),
    policy: pulumi.Input[str] | None = None,
    opts: pulumi.ResourceOptions,
) -> tuple[aws.iam.Role, aws.eks.PodIdentityAssociation]:
    """A role with the given permissions, associated with ``namespace/service_account``.

    ``policy`` is an inline policy document (JSON); ``policy_arns`` are attached. The Pod
    Identity association is created after the permissions, so pods never start with a
    role that cannot yet do its job.
    """
    cloud = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(provider=target.provider))
    role = aws.iam.Role(name, assume_role_policy=pod_identity_trust_policy(), opts=cloud)
    permissions: list[pulumi.Resource] = [
        aws.iam.RolePolicyAttachment(
            f"{name}-{i}", role=role.name, policy_arn=policy_arn, opts=cloud
        )
        for i, policy_arn in enumerate(policy_arns)
    ]
    if policy is not None:
        permissions.append(
            aws.iam.RolePolicy(f"{name}-policy", role=role.name, policy=policy, opts=cloud)
        )
    association = aws.eks.PodIdentityAssociation(
        name,
        cluster_name=target.cluster_name,
        namespace=namespace,
        service_account=service_account,
        role_arn=role.arn,
        opts=pulumi.ResourceOptions.merge(cloud, pulumi.ResourceOptions(depends_on=permissions)),
    )
    return role, association
