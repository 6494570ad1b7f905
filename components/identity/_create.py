"""Create the identity a :class:`IdentitySpec` asks for, on the cluster's cloud."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from ._read import IdentitySpec
from ._target import IdentityTarget


@dataclass(frozen=True)
class CreatedIdentity:
    """What a service's ServiceAccount needs to use its identity."""

    annotations: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """ServiceAccount annotations (GKE: the Google service account; EKS Pod Identity needs
    none)."""
    role_arn: pulumi.Output[str] | None = None
    """The IAM role (EKS)."""
    google_service_account: pulumi.Output[str] | None = None
    """The Google service account's e-mail (GKE)."""
    ready: tuple[pulumi.Resource, ...] = ()
    """What the service's pods must wait for: the Pod Identity association (EKS), whose
    webhook gives credentials only to pods created after it."""


def create_identity(
    name: str,
    spec: IdentitySpec,
    *,
    namespace: str,
    service_account: str,
    target: IdentityTarget,
    opts: pulumi.ResourceOptions,
) -> CreatedIdentity:
    """The role or service account for ``namespace/service_account``, named from ``name``.

    On a local cluster nothing is created and one line says so.
    """
    if target.cloud == "eks" and target.aws is not None:
        from ._aws import permissions_policy, pod_identity

        role, association = pod_identity(
            f"{name}-identity",
            target.aws,
            namespace=namespace,
            service_account=service_account,
            policy_arns=spec.policy_arns,
            policy=permissions_policy(spec.statements) if spec.statements else None,
            opts=opts,
        )
        return CreatedIdentity(role_arn=role.arn, ready=(association,))
    if target.cloud == "gke" and target.gcp is not None:
        from ._gcp import SERVICE_ACCOUNT_ANNOTATION, workload_identity

        account = workload_identity(
            f"{name}-identity",
            target.gcp,
            purpose=name,
            namespace=namespace,
            service_account=service_account,
            roles=spec.roles,
            opts=opts,
        )
        return CreatedIdentity(
            annotations={SERVICE_ACCOUNT_ANNOTATION: account.email},
            google_service_account=account.email,
        )
    pulumi.log.info(
        f"{name}: identity.{spec.section} is accepted and ignored on a local cluster "
        "(no cloud identity exists there)",
        resource=opts.parent,
    )
    return CreatedIdentity()
