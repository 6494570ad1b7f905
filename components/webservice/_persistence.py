"""Persistent storage of a WebService: one PersistentVolumeClaim, made and mounted.

``persistence`` (:class:`PersistenceArgs`) creates a claim named ``<name>-data`` in the
service's namespace and mounts it into the main container. A ReadWriteOnce (or
ReadWriteOncePod) claim can be attached by one pod only, so more than one replica, an
autoscaler or a two-Deployment release strategy is refused before anything is created,
and the Deployment is rolled with ``Recreate`` (a surge pod could never attach the
volume). The claim is retained when the service is removed (``retain_on_delete``): the
data outlives the stack unless the user asks otherwise.
"""

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
import pulumi_kubernetes as k8s
from typing_extensions import NotRequired

from .. import _rules as rule
from .._errors import ValidationError
from .._fields import Fields

VOLUME_NAME = "data"
ACCESS_MODES = ("ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany", "ReadOnlyMany")
SINGLE_ATTACH = ("ReadWriteOnce", "ReadWriteOncePod")
RESERVED_MOUNTS = ("/tmp",)

DEFAULTS: dict[str, object] = {
    "persistence.mount_path": "/data",
    "persistence.access_mode": "ReadWriteOnce",
    "persistence.retain_on_delete": True,
}


class PersistenceArgs(TypedDict):
    """A PersistentVolumeClaim made for the service and mounted into its container."""

    size: pulumi.Input[str]
    """Requested capacity, a Kubernetes quantity such as "1Gi"."""
    mount_path: NotRequired[pulumi.Input[str]]
    """Absolute path of the volume in the container."""
    storage_class: NotRequired[pulumi.Input[str]]
    """StorageClass of the claim. Unset: the cluster's default class (on a local
    stack, the class Moorage makes for it)."""
    access_mode: NotRequired[pulumi.Input[str]]
    """ReadWriteOnce, ReadWriteOncePod, ReadWriteMany or ReadOnlyMany."""
    retain_on_delete: NotRequired[pulumi.Input[bool]]
    """Keep the claim (and its data) when the service or the stack is removed. Pulumi then
    forgets it; delete it with kubectl when the data is no longer wanted."""


@dataclass(frozen=True)
class PersistenceSpec:
    """A validated ``persistence`` section."""

    claim_name: str
    size: pulumi.Input[str]
    mount_path: str
    access_mode: str
    storage_class: pulumi.Input[str] | None
    retain_on_delete: bool

    @property
    def single_attach(self) -> bool:
        return self.access_mode in SINGLE_ATTACH


def claim_name(service: str) -> str:
    """The PersistentVolumeClaim's name: ``<service>-data``."""
    return f"{service}-data"


def read(name: str, args: Mapping[str, Any]) -> PersistenceSpec | None:
    """Validate ``args["persistence"]`` of the WebService ``name`` against its other args.

    Every value here decides what is created, so each must be known up front.
    """
    if args.get("persistence") is None:
        return None
    component = rule.component_label(name)
    top = Fields(component, args)
    f = top.section("persistence")
    f.reject_unknown(PersistenceArgs.__annotations__, "PersistenceArgs")
    if f.raw("size") in (None, ""):
        raise f.fail("size", f.raw("size"), "is required")
    size = f.value("size", None, rule.pvc_size)
    mount_path = rule.mount_path(
        component,
        f.field("mount_path"),
        f.text("mount_path", str(DEFAULTS["persistence.mount_path"])),
    )
    if mount_path in RESERVED_MOUNTS or mount_path == args.get("config_mount_path"):
        raise f.fail(
            "mount_path", mount_path, "is already a mount path (/tmp or config_mount_path)"
        )
    for i, volume in enumerate(args.get("volumes") or []):
        if isinstance(volume, Mapping) and volume.get("mount_path") == mount_path:
            raise f.fail("mount_path", mount_path, f"is already the mount path of volumes[{i}]")
        if isinstance(volume, Mapping) and volume.get("name") == VOLUME_NAME:
            raise ValidationError(
                component,
                f"volumes[{i}].name",
                VOLUME_NAME,
                "is the volume name persistence uses; pick another name",
            )
    access_mode = rule.one_of(
        component,
        f.field("access_mode"),
        f.text("access_mode", str(DEFAULTS["persistence.access_mode"])),
        ACCESS_MODES,
    )
    storage_class = f.optional("storage_class", rule.dns_subdomain)
    spec = PersistenceSpec(
        claim_name=claim_name(name),
        size=size,
        mount_path=mount_path,
        access_mode=access_mode,
        storage_class=storage_class,
        retain_on_delete=f.boolean(
            "retain_on_delete", bool(DEFAULTS["persistence.retain_on_delete"])
        ),
    )
    if spec.single_attach:
        _check_single_pod(component, top, access_mode)
    return spec


def _check_single_pod(component: str, top: Fields, access_mode: str) -> None:
    """A single-attach claim cannot be shared by several pods: refuse, naming the fix."""
    fix = (
        "set replicas: 1 (and no autoscaling), or use persistence.access_mode "
        "ReadWriteMany with a storage class that supports it"
    )
    field = "persistence.access_mode"
    if top.present("autoscaling"):
        raise ValidationError(
            component,
            field,
            access_mode,
            "cannot be shared by the pods of a HorizontalPodAutoscaler (autoscaling is set): "
            + fix,
        )
    replicas = top.raw("replicas", 2)
    rule.known(component, "replicas", replicas, "a ReadWriteOnce claim allows one pod")
    if isinstance(replicas, int) and replicas > 1:
        raise ValidationError(
            component,
            field,
            access_mode,
            f"cannot be shared by {replicas} replicas (replicas defaults to 2): {fix}",
        )
    strategy = top.raw("strategy", "rolling")
    if strategy != "rolling":
        raise ValidationError(
            component,
            field,
            access_mode,
            f"cannot be shared by the two Deployments of strategy {strategy}: use strategy "
            "rolling, or persistence.access_mode ReadWriteMany",
        )


def claim_spec(spec: PersistenceSpec) -> dict[str, Any]:
    """The PersistentVolumeClaim's spec."""
    body: dict[str, Any] = {
        "accessModes": [spec.access_mode],
        "resources": {"requests": {"storage": spec.size}},
    }
    if spec.storage_class is not None:
        body["storageClassName"] = spec.storage_class
    return body


def mounted(template: Mapping[str, Any], spec: PersistenceSpec) -> dict[str, Any]:
    """A copy of the pod template with the claim as a volume, mounted in the main container."""
    result = copy.copy(dict(template))
    pod = dict(result["spec"])
    pod["volumes"] = [
        *pod.get("volumes", []),
        {"name": VOLUME_NAME, "persistentVolumeClaim": {"claimName": spec.claim_name}},
    ]
    containers = [dict(c) for c in pod["containers"]]
    main = containers[0]
    main["volumeMounts"] = [
        *main.get("volumeMounts", []),
        {"name": VOLUME_NAME, "mountPath": spec.mount_path},
    ]
    pod["containers"] = containers
    result["spec"] = pod
    return result


def deployment_strategy(spec: PersistenceSpec | None) -> dict[str, Any] | None:
    """``Recreate`` for a single-attach claim: a surge pod could never attach it."""
    if spec is None or not spec.single_attach:
        return None
    return {"type": "Recreate"}


def claim_options(spec: PersistenceSpec, parent: pulumi.Resource) -> pulumi.ResourceOptions:
    """Retained by default: removing the service from the program leaves the data."""
    return pulumi.ResourceOptions(parent=parent, retain_on_delete=spec.retain_on_delete)


def declare_claim(
    name: str,
    spec: PersistenceSpec,
    metadata: Mapping[str, Any],
    parent: pulumi.Resource,
) -> k8s.core.v1.PersistentVolumeClaim:
    """The claim, as a child of ``parent``; retained on delete unless the user opted out."""
    return k8s.core.v1.PersistentVolumeClaim(
        f"{name}-data",
        metadata=dict(metadata),
        spec=claim_spec(spec),
        opts=claim_options(spec, parent),
    )


def mounts(spec: PersistenceSpec | None) -> list[dict[str, Any]]:
    """The main container's mount of the claim."""
    return [] if spec is None else [{"name": VOLUME_NAME, "mountPath": spec.mount_path}]


def pod_volumes(spec: PersistenceSpec | None) -> list[dict[str, Any]]:
    """The pod volume of the claim."""
    if spec is None:
        return []
    return [{"name": VOLUME_NAME, "persistentVolumeClaim": {"claimName": spec.claim_name}}]
