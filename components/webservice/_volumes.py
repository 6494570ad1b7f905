"""Extra volumes of the pod (``volumes``): one source each, unique names and paths.

An emptyDir may omit its size (``empty_dir: true``): it is then bounded by the pod's
ephemeral-storage limit.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
from typing_extensions import NotRequired

from .. import _rules as rule
from .._defaults import Computed
from .._errors import ValidationError
from .._fields import Fields, cross_checked

DEFAULTS: dict[str, Any] = {
    "volumes.read_only": Computed("true for ConfigMaps and Secrets, false otherwise"),
}
"""The defaults of this facet's fields, by dotted path (the reference prints them)."""


class VolumeArgs(TypedDict):
    """A volume mounted into the container. Set exactly one source."""

    name: pulumi.Input[str]
    """Volume name (DNS-1123 label)."""
    mount_path: pulumi.Input[str]
    """Absolute path in the container."""
    empty_dir: NotRequired[pulumi.Input[bool]]
    """Source: an emptyDir (with ``empty_dir_size_limit`` to cap it, or unbounded up to
    the pod's ephemeral-storage limit)."""
    empty_dir_size_limit: NotRequired[pulumi.Input[str]]
    """Source: an emptyDir of this size, e.g. "256Mi"."""
    config_map_name: NotRequired[pulumi.Input[str]]
    """Source: an existing ConfigMap."""
    secret_name: NotRequired[pulumi.Input[str]]
    """Source: an existing Secret."""
    persistent_volume_claim_name: NotRequired[pulumi.Input[str]]
    """Source: an existing PersistentVolumeClaim."""
    read_only: NotRequired[pulumi.Input[bool]]
    """Mount read-only (by default true for ConfigMaps and Secrets, false otherwise)."""


@dataclass(frozen=True)
class VolumeSpec:
    name: pulumi.Input[str]
    mount_path: pulumi.Input[str]
    source: dict[str, Any]
    read_only: pulumi.Input[bool]


_VOLUME_SOURCES = (
    "empty_dir",
    "empty_dir_size_limit",
    "config_map_name",
    "secret_name",
    "persistent_volume_claim_name",
)


def read(
    r: Fields, reserved_paths: Sequence[Any], reserved_names: Sequence[str]
) -> list[VolumeSpec]:
    """The ``volumes`` list: one source each, unique names and mount paths."""
    volumes = []
    seen: set[str] = set()
    mount_paths: set[object] = {"/tmp", *(p for p in reserved_paths if isinstance(p, str))}
    c = r.component
    for i, v in enumerate(r.sections("volumes", VolumeArgs)):
        prefix = f"volumes[{i}]"
        name = rule.dns_label(c, f"{prefix}.name", v.raw("name"))
        if name in seen or name in reserved_names:
            raise ValidationError(c, f"{prefix}.name", name, "is already used by another volume")
        seen.add(name)
        mount_path = v.value("mount_path", None, rule.mount_path)
        if isinstance(mount_path, str):
            if mount_path in mount_paths:
                raise ValidationError(
                    c,
                    f"{prefix}.mount_path",
                    mount_path,
                    "is already a mount path (/tmp, config_mount_path, secrets_mount_path "
                    "or another volume)",
                )
            mount_paths.add(mount_path)
        source_key, source = _source(v, prefix)
        read_only_default = source_key in ("config_map_name", "secret_name")
        volumes.append(
            VolumeSpec(
                name=name,
                mount_path=mount_path,
                source=source,
                read_only=v.value("read_only", read_only_default, rule.boolean),
            )
        )
    return volumes


def _empty_dir(v: Fields) -> bool:
    """``empty_dir``: a boolean (the upstream spelling ``empty_dir: {}`` gets a hint), not
    contradicting ``empty_dir_size_limit``."""
    spelled = v.known("empty_dir")
    if isinstance(spelled, Mapping):
        limit = spelled.get("sizeLimit", spelled.get("size_limit"))
        hint = f'empty_dir_size_limit: "{limit}"' if limit else "empty_dir: true"
        raise v.fail("empty_dir", spelled, f"is a boolean here; did you mean {hint}?")
    empty_dir = v.boolean("empty_dir", False)
    if v.present("empty_dir") and not empty_dir and v.present("empty_dir_size_limit"):
        raise v.fail(
            "empty_dir", False, "contradicts empty_dir_size_limit (which makes an emptyDir)"
        )
    return empty_dir


def _source(v: Fields, prefix: str) -> tuple[str, dict[str, Any]]:
    """The one source of a volume: (its Args key, its Kubernetes volume source)."""
    empty_dir = _empty_dir(v)
    sources = [k for k in _VOLUME_SOURCES if v.present(k) and k != "empty_dir"]
    if empty_dir and "empty_dir_size_limit" not in sources:
        sources.append("empty_dir")
    if len(sources) != 1:
        raise ValidationError(
            v.component,
            prefix,
            sorted(sources),
            "must set exactly one of "
            + ", ".join(k for k in _VOLUME_SOURCES if k != "empty_dir_size_limit")
            + " (empty_dir may carry empty_dir_size_limit)",
        )
    key = sources[0]
    if key == "empty_dir":
        return key, {"emptyDir": {}}
    if key == "empty_dir_size_limit":
        return key, {"emptyDir": {"sizeLimit": v.value(key, None, rule.quantity_str)}}
    value = v.value(key, None, rule.dns_subdomain)
    return key, {
        "config_map_name": lambda x: {"configMap": {"name": x}},
        "secret_name": lambda x: {"secret": {"secretName": x}},
        "persistent_volume_claim_name": lambda x: {"persistentVolumeClaim": {"claimName": x}},
    }[key](value)


def pod_volumes(volumes: Sequence[VolumeSpec]) -> list[dict[str, Any]]:
    return [{"name": v.name, **v.source} for v in volumes]


def mounts(volumes: Sequence[VolumeSpec]) -> list[dict[str, Any]]:
    return [{"name": v.name, "mountPath": v.mount_path, "readOnly": v.read_only} for v in volumes]


def check_mount_paths(component: str, paths: Sequence[tuple[str, Any]]) -> None:
    """The main container's mount paths (field, path): none is '/', and none is /tmp or
    another's once normalised (``/a/../tmp``, ``/tmp/``); Outputs once they resolve."""
    fields = [field for field, _ in paths]

    def check(*resolved: Any) -> None:
        seen = {"/tmp": "/tmp (the writable tmp volume)"}
        for field, path in zip(fields, resolved, strict=True):
            normal = rule.normal_path(rule.mount_path(component, field, path))
            if normal in seen:
                raise ValidationError(
                    component,
                    field,
                    path,
                    f"is the same directory as {seen[normal]} once normalised; "
                    "each mount needs a path of its own",
                )
            seen[normal] = f"{field} ({path!r})"

    cross_checked([path for _, path in paths], check)
