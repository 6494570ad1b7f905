"""Every Moorage policy: name, default enforcement level, rationale and check.

This module is pure (no engine), so docs and tests can read the catalogue; the
:mod:`moorage_policy.pack` module turns it into a pulumi-policy ``PolicyPack``.
Enforcement levels can be changed per stack with a policy config file
(``policy/config/<stack>.json``): ``{"<policy>": "advisory"}`` or
``{"<policy>": {"enforcementLevel": "mandatory", ...settings}}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from moorage_policy import availability, clusters, network, secrets, storage, workloads
from moorage_policy.availability import StackResource
from moorage_policy.props import Finding

MANDATORY = "mandatory"
ADVISORY = "advisory"

ResourceCheck = Callable[[str, Mapping[str, Any], Mapping[str, Any]], list[Finding]]
"""(resource type, props, policy config) -> findings."""
StackCheck = Callable[
    [Sequence[StackResource], Mapping[str, Any]], list[tuple[StackResource, Finding]]
]


@dataclass(frozen=True)
class ResourcePolicy:
    """A check of one resource at a time."""

    name: str
    description: str
    level: str
    rationale: str
    applies_to: Callable[[str], bool]
    check: ResourceCheck
    config: dict[str, dict[str, Any]] = field(default_factory=dict)
    """JSON-schema properties of the policy's settings (besides enforcementLevel)."""


@dataclass(frozen=True)
class StackPolicy:
    """A check across every resource of the stack."""

    name: str
    description: str
    level: str
    rationale: str
    check: StackCheck
    config: dict[str, dict[str, Any]] = field(default_factory=dict)


def _props_only(check: Callable[[Mapping[str, Any]], list[Finding]]) -> ResourceCheck:
    return lambda _type, props, _config: check(props)


def _only(resource_type: str) -> Callable[[str], bool]:
    return lambda t: t == resource_type


RESOURCE_POLICIES: tuple[ResourcePolicy, ...] = (
    ResourcePolicy(
        name="deployment-resources",
        description="Every container of a Deployment sets CPU/memory requests and limits.",
        level=MANDATORY,
        rationale="Without requests the scheduler overpacks nodes; without a memory limit "
        "one leaking pod can evict its neighbours.",
        applies_to=workloads.is_deployment,
        check=lambda _t, props, config: workloads.check_resources(
            props, bool(config.get("requireCpuLimit", True))
        ),
        config={
            "requireCpuLimit": {
                "type": "boolean",
                "default": True,
                "description": "Also require limits.cpu (false if you run without CPU limits).",
            }
        },
    ),
    ResourcePolicy(
        name="deployment-probes",
        description="Every container has readiness and liveness probes, and they differ.",
        level=MANDATORY,
        rationale="Without readiness, traffic reaches pods that are not ready; a liveness "
        "probe identical to readiness restarts pods that are only busy.",
        applies_to=workloads.is_deployment,
        check=_props_only(workloads.check_probes),
    ),
    ResourcePolicy(
        name="deployment-security-context",
        description="Containers run as non-root, without privilege escalation, with a "
        "read-only root filesystem and all capabilities dropped.",
        level=MANDATORY,
        rationale="The Pod Security 'restricted' profile: a compromised process cannot "
        "become root, write to its image or use kernel capabilities.",
        applies_to=workloads.is_deployment,
        check=_props_only(workloads.check_security),
    ),
    ResourcePolicy(
        name="deployment-image-pinned",
        description="Container images are pinned by a tag other than 'latest', or by digest.",
        level=MANDATORY,
        rationale="A mutable tag makes rollbacks and new nodes run different code than "
        "the preview showed.",
        applies_to=workloads.is_deployment,
        check=_props_only(workloads.check_images),
    ),
    ResourcePolicy(
        name="deployment-no-secret-env-value",
        description="No secret-looking literal value in a container's env.",
        level=MANDATORY,
        rationale="A literal env value is stored in the Deployment, the Pulumi state and "
        "every rendered manifest; secrets belong in a Secret (secretKeyRef).",
        applies_to=workloads.is_deployment,
        check=lambda _t, props, config: secrets.check_env_secrets(
            props, [str(n) for n in config.get("allowedNames", [])]
        ),
        config={
            "allowedNames": {
                "type": "array",
                "items": {"type": "string"},
                "default": [],
                "description": "Variable names that look secret but are not (e.g. TOKEN_AUDIENCE).",
            }
        },
    ),
    ResourcePolicy(
        name="hpa-replica-bounds",
        description="An HPA's minReplicas <= maxReplicas, and minReplicas >= 2 in production.",
        level=MANDATORY,
        rationale="The API server rejects min > max at apply time (the preview should say "
        "so first); one replica in production is one eviction away from an outage.",
        applies_to=availability.is_hpa,
        check=lambda _t, props, config: availability.check_hpa(
            props, str(config.get("environment", "development"))
        ),
        config={
            "environment": {
                "type": "string",
                "enum": ["development", "staging", "production"],
                "default": "development",
                "description": "The stack's environment; 'production' requires minReplicas >= 2.",
            }
        },
    ),
    ResourcePolicy(
        name="load-balancer-allow-list",
        description="A LoadBalancer Service lists loadBalancerSourceRanges or is annotated "
        f'{network.PUBLIC_LOAD_BALANCER_ANNOTATION}: "true".',
        level=MANDATORY,
        rationale="A LoadBalancer is reachable from the whole internet unless source ranges "
        "are listed; being public should be a visible decision.",
        applies_to=network.is_service,
        check=_props_only(network.check_load_balancer),
    ),
    ResourcePolicy(
        name="eks-secrets-encryption",
        description="EKS clusters encrypt Kubernetes Secrets with a KMS key.",
        level=MANDATORY,
        rationale="Envelope encryption keeps Secrets unreadable in etcd backups and lets "
        "you revoke access by disabling the key.",
        applies_to=_only(clusters.EKS_CLUSTER),
        check=_props_only(clusters.check_eks_encryption),
    ),
    ResourcePolicy(
        name="eks-control-plane-logging",
        description="EKS control-plane logs (api, audit, authenticator) are enabled.",
        level=ADVISORY,
        rationale="Without audit logs nobody can tell who changed the cluster; advisory by "
        "default because the logs cost money in throwaway clusters (mandatory in the "
        "shipped staging/production configs).",
        applies_to=_only(clusters.EKS_CLUSTER),
        check=lambda _t, props, config: clusters.check_eks_logging(
            props, [str(t) for t in config.get("requiredLogTypes", clusters.EKS_LOG_TYPES)]
        ),
        config={
            "requiredLogTypes": {
                "type": "array",
                "items": {"type": "string"},
                "default": list(clusters.EKS_LOG_TYPES),
                "description": "Log types that must be enabled.",
            }
        },
    ),
    ResourcePolicy(
        name="eks-endpoint-access",
        description="An EKS API endpoint is private, or public only to listed CIDRs.",
        level=MANDATORY,
        rationale="AWS defaults to a public endpoint open to 0.0.0.0/0: every leaked "
        "credential is then usable from anywhere.",
        applies_to=_only(clusters.EKS_CLUSTER),
        check=_props_only(clusters.check_eks_endpoint),
    ),
    ResourcePolicy(
        name="gke-workload-identity",
        description="GKE clusters enable Workload Identity and node pools use its "
        "metadata server (GKE_METADATA).",
        level=MANDATORY,
        rationale="Without it every pod can use the node's service account credentials.",
        applies_to=lambda t: t in (clusters.GKE_CLUSTER, clusters.GKE_NODE_POOL),
        check=lambda resource_type, props, _config: clusters.check_gke_workload_identity(
            resource_type, props
        ),
    ),
    ResourcePolicy(
        name="gke-legacy-metadata-disabled",
        description="GKE nodes keep the legacy metadata endpoints disabled.",
        level=MANDATORY,
        rationale="The legacy endpoints answer without the Metadata-Flavor header, which "
        "makes node credentials an easy SSRF target.",
        applies_to=lambda t: t in (clusters.GKE_CLUSTER, clusters.GKE_NODE_POOL),
        check=_props_only(clusters.check_gke_legacy_metadata),
    ),
)

STACK_POLICIES: tuple[StackPolicy, ...] = (
    StackPolicy(
        name="deployment-pod-disruption-budget",
        description="A Deployment that can run 2+ replicas has a PodDisruptionBudget "
        "selecting its pods.",
        level=MANDATORY,
        rationale="Without a PDB a node drain or cluster upgrade may evict every replica at once.",
        check=lambda resources, _config: availability.check_pdbs(resources),
    ),
    StackPolicy(
        name="single-attach-claim-one-pod",
        description="A Deployment mounting a ReadWriteOnce PersistentVolumeClaim can run "
        "only one pod.",
        level=MANDATORY,
        rationale="A ReadWriteOnce volume attaches to one node: further pods never start "
        "(Multi-Attach error).",
        check=lambda resources, _config: storage.check_shared_claims(resources),
    ),
)


def all_policies() -> list[ResourcePolicy | StackPolicy]:
    """Resource policies, then stack policies, in the order the docs list them."""
    return [*RESOURCE_POLICIES, *STACK_POLICIES]


def check_resource(
    resource_type: str, props: Mapping[str, Any], config: Mapping[str, Mapping[str, Any]]
) -> dict[str, list[Finding]]:
    """Run every resource policy on one resource; {policy name: findings} (non-empty only).

    ``config`` maps policy names to their settings, as in a policy config file.
    """
    results = {}
    for policy in RESOURCE_POLICIES:
        if policy.applies_to(resource_type):
            findings = policy.check(resource_type, props, config.get(policy.name, {}))
            if findings:
                results[policy.name] = findings
    return results
