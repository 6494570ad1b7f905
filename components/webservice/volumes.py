"""Extra volumes of the pod (``volumes``): one source each, unique names and paths.

An emptyDir may omit its size (``empty_dir: true``): it is then bounded by the pod's
ephemeral-storage limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from .. import _rules as rule
from .._errors import ValidationError
from .._fields import Fields
from .args import VolumeArgs


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


def build_volumes(
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
        mount_path = v.value("mount_path", None, rule.absolute_path)
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
        empty_dir = v.boolean("empty_dir", False)
        if v.present("empty_dir") and not empty_dir and v.present("empty_dir_size_limit"):
            raise v.fail(
                "empty_dir", False, "contradicts empty_dir_size_limit (which makes an emptyDir)"
            )
        sources = [k for k in _VOLUME_SOURCES if v.present(k) and k != "empty_dir"]
        if empty_dir and "empty_dir_size_limit" not in sources:
            sources.append("empty_dir")
        if len(sources) != 1:
            raise ValidationError(
                c,
                prefix,
                sorted(sources),
                "must set exactly one of "
                + ", ".join(k for k in _VOLUME_SOURCES if k != "empty_dir_size_limit")
                + " (empty_dir may carry empty_dir_size_limit)",
            )
        source_key = sources[0]
        source: dict[str, Any]
        if source_key == "empty_dir":
            source = {"emptyDir": {}}
        elif source_key == "empty_dir_size_limit":
            source = {"emptyDir": {"sizeLimit": v.value(source_key, None, rule.quantity_str)}}
        else:
            value = v.value(source_key, None, rule.dns_subdomain)
            source = {
                "config_map_name": lambda x: {"configMap": {"name": x}},
                "secret_name": lambda x: {"secret": {"secretName": x}},
                "persistent_volume_claim_name": lambda x: {
                    "persistentVolumeClaim": {"claimName": x}
                },
            }[source_key](value)
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
