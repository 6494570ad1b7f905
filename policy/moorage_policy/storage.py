"""Storage: a single-attach PersistentVolumeClaim is never shared by several pods.

A ReadWriteOnce (or ReadWriteOncePod) volume attaches to one node (one pod); a
Deployment that can run two or more pods mounting it leaves the extra pods stuck in
ContainerCreating (Multi-Attach error) on a real cluster. WebService refuses this before
anything is created; this stack policy catches it in any program.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from moorage_policy.availability import StackResource, is_hpa, most_replicas
from moorage_policy.props import Finding, dig, is_unknown, items, name_of
from moorage_policy.workloads import is_deployment

SINGLE_ATTACH = ("ReadWriteOnce", "ReadWriteOncePod")


def is_claim(resource_type: str) -> bool:
    return resource_type.startswith("kubernetes:") and resource_type.endswith(
        ":PersistentVolumeClaim"
    )


def _key(props: Mapping[str, Any]) -> tuple[Any, Any]:
    namespace = dig(props, "metadata", "namespace")
    return (namespace if namespace is not None else "default", dig(props, "metadata", "name"))


def single_attach_claims(resources: Sequence[StackResource]) -> set[tuple[Any, Any]]:
    """(namespace, name) of every claim whose access modes allow one node only."""
    found = set()
    for resource in resources:
        if not is_claim(resource.type):
            continue
        modes = items(dig(resource.props, "spec", "accessModes"))
        if modes and all(mode in SINGLE_ATTACH for mode in modes):
            found.add(_key(resource.props))
    return found


def check_shared_claims(
    resources: Sequence[StackResource],
) -> list[tuple[StackResource, Finding]]:
    """Every Deployment mounting a single-attach claim can run one pod only."""
    claims = single_attach_claims(resources)
    hpas = [r.props for r in resources if is_hpa(r.type)]
    findings = []
    for resource in resources:
        if not is_deployment(resource.type) or not claims:
            continue
        props = resource.props
        namespace = _key(props)[0]
        mounted = [
            dig(volume, "persistentVolumeClaim", "claimName")
            for volume in items(dig(props, "spec", "template", "spec", "volumes"))
        ]
        shared = [name for name in mounted if (namespace, name) in claims]
        most = most_replicas(props, hpas)
        if not shared or is_unknown(most) or not isinstance(most, int) or most < 2:
            continue
        findings.append(
            (
                resource,
                Finding(
                    f"Deployment {name_of(props, resource.name)} can run {most} pods but mounts "
                    f"the ReadWriteOnce claim {shared[0]}, which one node can attach at a time",
                    "run one replica with no HorizontalPodAutoscaler (WebService: `replicas`: 1), "
                    "or use a ReadWriteMany claim (WebService: `persistence.access_mode`)",
                ),
            )
        )
    return findings
