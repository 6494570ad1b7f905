"""Google identity for pods: a Google service account, its project roles, and the Workload
Identity binding that lets one Kubernetes ServiceAccount act as it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp

from ._target import GcpTarget

WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"
SERVICE_ACCOUNT_ANNOTATION = "iam.gke.io/gcp-service-account"
"""The annotation on the Kubernetes ServiceAccount that names the Google service account."""


def service_account_id(cluster_name: str, purpose: str) -> str:
    """A 6-30 character account id, stable for (cluster, purpose), e.g. ``prod-api-1a2b3c``."""
    digest = hashlib.sha256(f"{cluster_name}/{purpose}".encode()).hexdigest()[:6]
    stem = f"{cluster_name[:10].rstrip('-')}-{purpose[:12].rstrip('-')}".strip("-")
    return f"{stem}-{digest}"


def workload_identity_member(workload_pool: str, namespace: str, service_account: str) -> str:
    """The IAM member for one Kubernetes ServiceAccount under Workload Identity."""
    return f"serviceAccount:{workload_pool}[{namespace}/{service_account}]"


def workload_identity(
    name: str,
    target: GcpTarget,
    *,
    purpose: str,
    namespace: str,
    service_account: str,
    roles: Sequence[str],
    opts: pulumi.ResourceOptions,
) -> gcp.serviceaccount.Account:
    """A Google service account with ``roles`` on the project, usable by
    ``namespace/service_account`` through Workload Identity."""
    cloud = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(provider=target.provider))
    account = gcp.serviceaccount.Account(
        name,
        account_id=service_account_id(target.cluster_name, purpose),
        display_name=f"{namespace}/{service_account} on {target.cluster_name}",
        project=target.project,
        opts=cloud,
    )
    for role in roles:
        gcp.projects.IAMMember(
            f"{name}-{role.rsplit('/', 1)[-1]}",
            project=target.project,
            role=role,
            member=account.email.apply(lambda email: f"serviceAccount:{email}"),
            opts=cloud,
        )
    gcp.serviceaccount.IAMMember(
        f"{name}-workload-identity",
        service_account_id=account.name,
        role=WORKLOAD_IDENTITY_USER,
        member=workload_identity_member(target.workload_pool, namespace, service_account),
        opts=cloud,
    )
    return account
