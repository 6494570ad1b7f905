"""The Args of a per-service cloud identity (``identity`` on a service)."""

import sys
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import pulumi

if sys.version_info >= (3, 11):
    from typing import NotRequired
else:  # pragma: no cover
    from typing_extensions import NotRequired


class AwsIdentityArgs(TypedDict):
    """An IAM role for the service's ServiceAccount, handed over by EKS Pod Identity."""

    policy_arns: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """IAM policies to attach, e.g. ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]."""
    statements: NotRequired[pulumi.Input[Sequence[pulumi.Input[Mapping[str, Any]]]]]
    """IAM policy statements of an inline policy, as IAM spells them: {"Effect": "Allow",
    "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::acme-assets/*"]}."""


class GcpIdentityArgs(TypedDict):
    """A Google service account for the service, bound through Workload Identity."""

    roles: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Project roles granted to it, e.g. ["roles/storage.objectViewer"]. Basic roles
    (owner, editor, viewer) are refused: grant what the service needs."""


class IdentityArgs(TypedDict):
    """The cloud identity of one service: ``aws`` on EKS, ``gcp`` on GKE. On a local
    cluster either is accepted and nothing is created."""

    aws: NotRequired[pulumi.Input[AwsIdentityArgs]]
    """The IAM role and Pod Identity association (EKS)."""
    gcp: NotRequired[pulumi.Input[GcpIdentityArgs]]
    """The Google service account, its roles and its Workload Identity binding (GKE)."""
