"""Cluster settings: EKS (``aws:eks/cluster:Cluster``) and GKE (``gcp:container/...``).

Properties arrive camelCase, as the providers name them (``encryptionConfig``,
``vpcConfig.publicAccessCidrs``, ``workloadIdentityConfig.workloadPool``). A value
that is unknown during a preview (a KMS key ARN, say) counts as set.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from moorage_policy.props import UNKNOWN, Finding, dig, is_unknown, items, mapping

EKS_CLUSTER = "aws:eks/cluster:Cluster"
GKE_CLUSTER = "gcp:container/cluster:Cluster"
GKE_NODE_POOL = "gcp:container/nodePool:NodePool"

EKS_LOG_TYPES = ("api", "audit", "authenticator")
"""Control-plane logs required by default: who called the API, and what they did."""

OPEN_CIDRS = frozenset({"0.0.0.0/0", "::/0"})


def _set(value: Any) -> bool:
    return is_unknown(value) or (value is not None and value != "" and value != [])


def check_eks_encryption(props: Mapping[str, Any]) -> list[Finding]:
    """Kubernetes Secrets are envelope-encrypted with a KMS key."""
    config = dig(props, "encryptionConfig")
    if is_unknown(config):
        return []
    # pulumi-aws v7 has one object; older majors had a list of them.
    configs = items(config) if isinstance(config, list) else [config]
    for entry in configs:
        resources = dig(entry, "resources")
        if _set(dig(entry, "provider", "keyArn")) and (
            is_unknown(resources) or "secrets" in items(resources)
        ):
            return []
    return [
        Finding(
            "EKS cluster does not encrypt Kubernetes Secrets with a KMS key",
            'set encryptionConfig {provider: {keyArn: <KMS key ARN>}, resources: ["secrets"]} '
            "with a key that has rotation on (EksCluster does this by default)",
        )
    ]


def check_eks_logging(
    props: Mapping[str, Any], required: Collection[str] = EKS_LOG_TYPES
) -> list[Finding]:
    """The control-plane log types in ``required`` are enabled."""
    enabled = dig(props, "enabledClusterLogTypes")
    if is_unknown(enabled):
        return []
    missing = [t for t in required if t not in items(enabled)]
    if not missing:
        return []
    return [
        Finding(
            f"EKS control-plane logging is off for {', '.join(missing)}",
            f"add {', '.join(missing)} to enabledClusterLogTypes (and create the "
            "/aws/eks/<cluster>/cluster log group with a retention first; EksCluster does both)",
        )
    ]


def check_eks_endpoint(props: Mapping[str, Any]) -> list[Finding]:
    """A public API endpoint is limited to listed CIDRs (AWS defaults to public, 0.0.0.0/0)."""
    vpc = dig(props, "vpcConfig")
    public = dig(vpc, "endpointPublicAccess")
    if is_unknown(vpc) or is_unknown(public) or public is False:
        return []
    cidrs = dig(vpc, "publicAccessCidrs")
    if is_unknown(cidrs) or any(is_unknown(c) for c in items(cidrs)):
        return []
    listed = [str(c) for c in items(cidrs)]
    if listed and not OPEN_CIDRS.intersection(listed):
        return []
    return [
        Finding(
            "EKS API endpoint is public to every address"
            + ("" if public is True else " (endpointPublicAccess defaults to true)"),
            "set vpcConfig.endpointPublicAccess: false (reach the API from inside the VPC), or "
            "list your office/VPN/CI egress ranges in vpcConfig.publicAccessCidrs (EksCluster: "
            "public_access_cidrs)",
        )
    ]


def _autopilot(props: Mapping[str, Any]) -> bool:
    return dig(props, "enableAutopilot") is True


def check_gke_workload_identity(resource_type: str, props: Mapping[str, Any]) -> list[Finding]:
    """Workload Identity on the cluster; no node pool opts out of its metadata server."""
    findings = []
    pool = dig(props, "workloadIdentityConfig", "workloadPool")
    if resource_type == GKE_CLUSTER and not _autopilot(props) and not _set(pool):
        findings.append(
            Finding(
                "GKE cluster has Workload Identity off, so pods use the node's service account",
                'set workloadIdentityConfig.workloadPool to "<project>.svc.id.goog" '
                "(GkeCluster does this)",
            )
        )
    mode = dig(props, "nodeConfig", "workloadMetadataConfig", "mode")
    if mode not in (None, UNKNOWN, "GKE_METADATA"):
        findings.append(
            Finding(
                f"GKE nodes use workload metadata mode {mode}, which exposes the node's "
                "credentials to pods",
                'set nodeConfig.workloadMetadataConfig.mode to "GKE_METADATA"',
            )
        )
    return findings


def check_gke_legacy_metadata(props: Mapping[str, Any]) -> list[Finding]:
    """The legacy (v0.1/v1beta1) metadata endpoints stay disabled on the nodes."""
    metadata = dig(props, "nodeConfig", "metadata")
    if is_unknown(metadata):
        return []
    value = mapping(metadata).get("disable-legacy-endpoints")
    if value is None or is_unknown(value) or str(value).lower() == "true":
        return []
    return [
        Finding(
            f'GKE nodes set disable-legacy-endpoints to "{value}", re-enabling the legacy '
            "metadata API (no Metadata-Flavor header needed, an SSRF target)",
            'set nodeConfig.metadata["disable-legacy-endpoints"] to "true" (GkeCluster does)',
        )
    ]
