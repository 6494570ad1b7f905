"""What a local cluster lacks for a realistic application: storage and monitoring CRDs.

kwok (and any cluster without a volume provisioner) leaves a PersistentVolumeClaim
Pending for ever, and the scheduler never places a pod whose claim is unbound. So on
``cloud: local`` every claim without a storage class gets the class ``moorage-local``
(no provisioner, Immediate binding, reclaim policy Retain) and a hostPath
PersistentVolume made for it and pre-bound to it (``claimRef``); the controller manager
binds the pair, the scheduler places the pod. On kind the data lives in the node
container; on kwok nothing is written (the pods are simulated).

``moorage:monitoringCrds: true`` installs stub CustomResourceDefinitions of the
Prometheus Operator kinds Moorage writes (no schema, no operator), so a local stack
accepts the same ServiceMonitors and PrometheusRules as a cloud one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .webservice import PERSISTENCE_DEFAULTS, claim_name

STORAGE_CLASS = "moorage-local"
_DEFAULT_ACCESS_MODE = PERSISTENCE_DEFAULTS["persistence.access_mode"]
HOST_PATH_ROOT = "/var/lib/moorage/volumes"
MONITORING_GROUP = "monitoring.coreos.com"
MONITORING_KINDS = {
    "ServiceMonitor": "servicemonitors",
    "PodMonitor": "podmonitors",
    "PrometheusRule": "prometheusrules",
}


@dataclass(frozen=True)
class LocalClaim:
    """A claim that needs a static volume on a local cluster."""

    namespace: str
    claim: str
    size: str
    access_mode: str


def with_local_storage(
    services: Mapping[str, Mapping[str, Any]],
) -> tuple[dict[str, dict[str, Any]], list[LocalClaim]]:
    """Services whose unclassed claims use ``moorage-local``, and the volumes they need."""
    result: dict[str, dict[str, Any]] = {}
    claims: list[LocalClaim] = []
    for name, args in services.items():
        persistence = args.get("persistence")
        if not isinstance(persistence, Mapping) or persistence.get("storage_class") not in (
            None,
            STORAGE_CLASS,
        ):
            result[name] = dict(args)
            continue
        result[name] = {**args, "persistence": {**persistence, "storage_class": STORAGE_CLASS}}
        claims.append(
            LocalClaim(
                namespace=str(args.get("namespace") or name),
                claim=claim_name(name),
                size=str(persistence.get("size")),
                access_mode=str(
                    persistence.get("access_mode")
                    or PERSISTENCE_DEFAULTS["persistence.access_mode"]
                ),
            )
        )
    return result, claims


def volume_manifest(claim: LocalClaim) -> dict[str, Any]:
    """A hostPath PersistentVolume pre-bound to ``claim``; kept when the claim goes."""
    return {
        "capacity": {"storage": claim.size},
        "accessModes": [claim.access_mode],
        "persistentVolumeReclaimPolicy": "Retain",
        "storageClassName": STORAGE_CLASS,
        "hostPath": {
            "path": f"{HOST_PATH_ROOT}/{claim.namespace}/{claim.claim}",
            "type": "DirectoryOrCreate",
        },
        "claimRef": {"namespace": claim.namespace, "name": claim.claim},
    }


def declare_local_storage(
    stack: str, claims: list[LocalClaim], opts: pulumi.ResourceOptions
) -> list[pulumi.Resource]:
    """The StorageClass and one PersistentVolume per claim (nothing when no claim)."""
    if not claims:
        return []
    created: list[pulumi.Resource] = [
        k8s.storage.v1.StorageClass(
            f"{stack}-storage-class",
            metadata={"name": STORAGE_CLASS, "labels": {"app.kubernetes.io/managed-by": "pulumi"}},
            provisioner="kubernetes.io/no-provisioner",
            volume_binding_mode="Immediate",
            reclaim_policy="Retain",
            opts=opts,
        )
    ]
    for claim in claims:
        created.append(
            k8s.core.v1.PersistentVolume(
                f"{stack}-volume-{claim.namespace}-{claim.claim}",
                metadata={
                    "name": f"{claim.namespace}-{claim.claim}",
                    "labels": {"app.kubernetes.io/managed-by": "pulumi"},
                },
                spec=volume_manifest(claim),
                # Kept like the claim it serves (persistence.retain_on_delete).
                opts=pulumi.ResourceOptions.merge(
                    opts, pulumi.ResourceOptions(retain_on_delete=True, depends_on=created[:1])
                ),
            )
        )
    return created


def crd_manifest(kind: str, plural: str) -> dict[str, Any]:
    """A schema-less stub CRD of one Prometheus Operator kind (monitoring.coreos.com/v1)."""
    return {
        "group": MONITORING_GROUP,
        "names": {
            "kind": kind,
            "plural": plural,
            "singular": kind.lower(),
            "listKind": f"{kind}List",
        },
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "x-kubernetes-preserve-unknown-fields": True,
                    }
                },
            }
        ],
    }


def declare_monitoring_crds(stack: str, opts: pulumi.ResourceOptions) -> list[pulumi.Resource]:
    """Stub CRDs for ServiceMonitor, PodMonitor and PrometheusRule."""
    return [
        k8s.apiextensions.v1.CustomResourceDefinition(
            f"{stack}-crd-{plural}",
            metadata={
                "name": f"{plural}.{MONITORING_GROUP}",
                "labels": {"app.kubernetes.io/managed-by": "pulumi"},
            },
            spec=crd_manifest(kind, plural),
            opts=opts,
        )
        for kind, plural in MONITORING_KINDS.items()
    ]
