"""Identities and keys of a GkeCluster: the nodes' least-privilege service account and the
Cloud KMS key that encrypts Secrets at the application layer."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from .._shared import with_opts
from ._validation import GkeSpec, node_service_account_id

NODE_SERVICE_ACCOUNT_ROLES = (
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/artifactregistry.reader",
)
"""The only project roles the nodes get (never the default compute account's Editor)."""
KMS_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
"""The one role the GKE service agent gets, on the secrets key only (CIS GKE 5.3.1)."""
SECONDS_PER_DAY = 86400


def member(email: str) -> str:
    return f"serviceAccount:{email}"


def gke_service_agent(project_number: str) -> str:
    """The GKE service agent of a project, the identity that calls Cloud KMS for GKE."""
    return f"service-{project_number}@container-engine-robot.iam.gserviceaccount.com"


@dataclass
class NodeIdentity:
    email: pulumi.Output[str]
    ready: list[pulumi.Resource]


def create_node_identity(name: str, spec: GkeSpec, opts: pulumi.ResourceOptions) -> NodeIdentity:
    """A dedicated node identity with only the roles nodes need."""
    account = gcp.serviceaccount.Account(
        f"{name}-nodes",
        account_id=node_service_account_id(spec.cluster_name),
        display_name=f"GKE nodes of {spec.cluster_name}",
        opts=opts,
    )
    roles: list[pulumi.Resource] = [
        gcp.projects.IAMMember(
            f"{name}-nodes-{role.removeprefix('roles/').replace('.', '-')}",
            project=spec.project,
            role=role,
            member=account.email.apply(member),
            opts=opts,
        )
        for role in NODE_SERVICE_ACCOUNT_ROLES
    ]
    return NodeIdentity(account.email, roles)


@dataclass
class SecretsKey:
    key_name: pulumi.Input[str]
    """The key's id, projects/P/locations/L/keyRings/R/cryptoKeys/K."""
    ready: list[pulumi.Resource]
    """The service agent's grant: the cluster cannot be created before it."""


def create_secrets_key(
    name: str,
    spec: GkeSpec,
    opts: pulumi.ResourceOptions,
    invoke: pulumi.InvokeOutputOptions,
) -> SecretsKey:
    """The key (created with rotation, or the user's) and the service agent's grant on it."""
    key_name: pulumi.Input[str]
    if spec.secrets_encryption_key is not None:
        key_name = spec.secrets_encryption_key
    else:
        # Key rings cannot be deleted in Cloud KMS; destroying the stack only forgets it.
        ring = gcp.kms.KeyRing(
            f"{name}-secrets",
            name=f"{spec.cluster_name}-secrets",
            location=spec.region,
            opts=opts,
        )
        key = gcp.kms.CryptoKey(
            f"{name}-secrets-key",
            name=f"{spec.cluster_name}-secrets",
            key_ring=ring.id,
            purpose="ENCRYPT_DECRYPT",
            rotation_period=f"{spec.kms_key_rotation_days * SECONDS_PER_DAY}s",
            opts=opts,
        )
        key_name = key.id
    project = gcp.organizations.get_project_output(project_id=spec.project, opts=invoke)
    grant = gcp.kms.CryptoKeyIAMMember(
        f"{name}-secrets-gke-agent",
        crypto_key_id=key_name,
        role=KMS_ROLE,
        member=project.number.apply(lambda number: member(gke_service_agent(number))),
        opts=with_opts(opts),
    )
    return SecretsKey(key_name, [grant])
