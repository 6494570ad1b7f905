"""Per-service cloud identity: an IAM role with Pod Identity (EKS), or a Google service
account with Workload Identity (GKE). Internal: import the Args from ``moorage``.

Use: ``read_identity`` while checking Args (before anything exists), then
``create_identity`` with the cluster's ``identity_target()``.
"""

from ._args import AwsIdentityArgs, GcpIdentityArgs, IdentityArgs
from ._create import CreatedIdentity, create_identity
from ._read import IdentitySpec, read_identity
from ._target import LOCAL, AwsTarget, GcpTarget, IdentityTarget

__all__ = [
    "LOCAL",
    "AwsIdentityArgs",
    "AwsTarget",
    "CreatedIdentity",
    "GcpIdentityArgs",
    "GcpTarget",
    "IdentityArgs",
    "IdentitySpec",
    "IdentityTarget",
    "create_identity",
    "read_identity",
]
