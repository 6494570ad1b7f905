"""Config and secrets: the ConfigMap, the Secret, how the main container sees them, and the
checksums that roll the pods when either changes.

Owns ``config``, ``config_as_env``, ``config_mount_path``, ``secrets``, ``secrets_as_files``
and ``secrets_mount_path``. Secrets stay Pulumi secrets: the Secret's data is wrapped in
``Output.secret`` and the container refers to it by ``secretKeyRef`` (never a value).
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import pulumi

from .. import _rules as rule
from .._fields import Fields, checked

DEFAULTS: dict[str, Any] = {
    "config_as_env": True,
    "secrets_as_files": False,
    "secrets_mount_path": "/etc/secrets",
}
"""The defaults of this facet's fields, by dotted path (the reference prints them)."""


CONFIG_VOLUME = "config"
SECRETS_VOLUME = "secrets"
SECRETS_FILE_MODE = 0o440
"""Secret files readable by the owner and the pod's group (fsGroup), never by others."""
CONFIG_CHECKSUM = "checksum/config"
SECRETS_CHECKSUM = "checksum/secrets"
NO_RESOURCE_VERSION = "no-resource-version"
"""The secrets checksum when the Secret has no resourceVersion: only under unit-test mocks
that echo inputs (the API server always sets one). It reveals nothing about the secrets."""


@dataclass(frozen=True)
class ConfigSpec:
    name: str
    config: Mapping[str, pulumi.Input[str]]
    config_as_env: bool
    config_mount_path: pulumi.Input[str] | None
    secrets: Mapping[str, pulumi.Input[str]]
    secrets_as_files: bool
    secrets_mount_path: pulumi.Input[str]

    @property
    def config_map_name(self) -> str:
        return config_map_name(self.name)

    @property
    def secret_name(self) -> str:
        return secret_name(self.name)

    @property
    def config_mounted(self) -> bool:
        return bool(self.config) and self.config_mount_path is not None

    @property
    def secrets_mounted(self) -> bool:
        return bool(self.secrets) and self.secrets_as_files


def config_map_name(name: str) -> str:
    return f"{name}-config"


def secret_name(name: str) -> str:
    return f"{name}-secrets"


def read(r: Fields, name: str, env: Mapping[str, Any]) -> ConfigSpec:
    """``config`` and ``secrets``: valid keys, string values, no key set twice."""
    c = r.component
    secrets_as_files = r.boolean("secrets_as_files", DEFAULTS["secrets_as_files"])
    config = _keyed(r, "config")
    secrets = _keyed(r, "secrets", secret=True, env_names=not secrets_as_files)
    rule.no_shared_keys(c, "config", config, "secrets", secrets)
    config_as_env = r.boolean("config_as_env", DEFAULTS["config_as_env"])
    if config_as_env:
        for key in config:
            rule.config_env_key(c, f"config.{key}", key)
        rule.no_shared_keys(c, "config", config, "env", env)
    if not secrets_as_files:
        rule.no_shared_keys(c, "secrets", secrets, "env", env)
    return ConfigSpec(
        name=name,
        config=config,
        config_as_env=config_as_env,
        config_mount_path=r.optional("config_mount_path", rule.absolute_path),
        secrets=secrets,
        secrets_as_files=secrets_as_files,
        secrets_mount_path=r.value(
            "secrets_mount_path", DEFAULTS["secrets_mount_path"], rule.absolute_path
        ),
    )


def _keyed(r: Fields, key: str, *, secret: bool = False, env_names: bool = True) -> dict[str, Any]:
    """ConfigMap or Secret data: valid keys, string values (checked before any resource)."""
    values = r.mapping(key, secret=secret)
    value_rule = rule.secret_text if secret else rule.text
    checked_values: dict[str, Any] = {}
    for k, v in values.items():
        rule.config_key(r.component, f"{key}.{k}", k)
        if secret and env_names:
            rule.env_name(r.component, f"{key}.{k}", k)
        checked_values[k] = checked(v, r.item_check(value_rule, f"{key}.{k}"))
    rule.data_size(r.component, key, checked_values, secret=secret)
    return checked_values


# -- what the pod sees ---------------------------------------------------------------------


def mount_paths(spec: ConfigSpec) -> list[Any]:
    """The paths config and secrets take in the main container (other mounts avoid them)."""
    paths = [spec.config_mount_path] if spec.config_mounted else []
    return paths + ([spec.secrets_mount_path] if spec.secrets_mounted else [])


def volume_names(spec: ConfigSpec) -> list[str]:
    return [CONFIG_VOLUME] * spec.config_mounted + [SECRETS_VOLUME] * spec.secrets_mounted


def volumes(spec: ConfigSpec) -> list[dict[str, Any]]:
    """The pod volumes of mounted config and secret files."""
    out: list[dict[str, Any]] = []
    if spec.config_mounted:
        out.append({"name": CONFIG_VOLUME, "configMap": {"name": spec.config_map_name}})
    if spec.secrets_mounted:
        out.append(
            {
                "name": SECRETS_VOLUME,
                "secret": {"secretName": spec.secret_name, "defaultMode": SECRETS_FILE_MODE},
            }
        )
    return out


def mounts(spec: ConfigSpec) -> list[dict[str, Any]]:
    """The main container's read-only mounts of those volumes."""
    out: list[dict[str, Any]] = []
    if spec.config_mounted:
        out.append({"name": CONFIG_VOLUME, "mountPath": spec.config_mount_path, "readOnly": True})
    if spec.secrets_mounted:
        out.append({"name": SECRETS_VOLUME, "mountPath": spec.secrets_mount_path, "readOnly": True})
    return out


def env_from(spec: ConfigSpec) -> list[dict[str, Any]]:
    """The ConfigMap as environment variables (``config_as_env``)."""
    if spec.config and spec.config_as_env:
        return [{"configMapRef": {"name": spec.config_map_name}}]
    return []


def secret_env(spec: ConfigSpec) -> list[str]:
    """The Secret's keys the main container gets as ``secretKeyRef`` variables."""
    return [] if spec.secrets_as_files else sorted(spec.secrets)


def env(spec: ConfigSpec, plain: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Plain variables, then one secretKeyRef per secret key (never a value)."""
    variables: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in sorted(plain.items())]
    return variables + [
        {"name": k, "valueFrom": {"secretKeyRef": {"name": spec.secret_name, "key": k}}}
        for k in secret_env(spec)
    ]


def secret_values(spec: ConfigSpec) -> dict[str, pulumi.Output[str]]:
    """The Secret's data, every value a Pulumi secret."""
    return {k: pulumi.Output.secret(v) for k, v in spec.secrets.items()}


# -- checksums ----------------------------------------------------------------------------


def config_checksum(data: Mapping[str, str]) -> str:
    """SHA-256 of the config data; a change rolls the pods."""
    canonical = json.dumps(dict(data), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def secrets_checksum(resource_version: str | None) -> str:
    """The ``checksum/secrets`` value: the Secret's ``resourceVersion`` as the API server
    reported it when Pulumi last wrote the Secret.

    The server gives the Secret a new resourceVersion every time it is written, and Pulumi
    writes it only when its data (or metadata) changed; so the annotation changes, and the
    pods roll, exactly then, and stays put across updates that change nothing. It is
    derived from nothing secret, so it reveals nothing a guess could be checked against,
    however weak the secret, and needs no key. Under unit-test mocks that echo inputs
    there is no resourceVersion: the value is then :data:`NO_RESOURCE_VERSION`.
    """
    return str(resource_version) if resource_version else NO_RESOURCE_VERSION


def checksums(
    spec: ConfigSpec, secrets_annotation: pulumi.Input[str] | None
) -> dict[str, pulumi.Input[str]]:
    """Pod-template annotations that change whenever the config or the secrets do.

    ``secrets_annotation`` is :func:`secrets_checksum` of the Secret's resourceVersion (an
    Output of the Secret resource), needed when there are secrets.
    """
    out: dict[str, pulumi.Input[str]] = {}
    if spec.config:
        out[CONFIG_CHECKSUM] = _digest(spec.config, config_checksum)
    if spec.secrets and secrets_annotation is not None:
        out[SECRETS_CHECKSUM] = secrets_annotation
    return out


def _digest(
    data: Mapping[str, pulumi.Input[str]], fn: Callable[[Mapping[str, str]], str]
) -> pulumi.Input[str]:
    """Checksum ``data`` now when it is all plain, else when its Outputs resolve."""
    if any(isinstance(v, pulumi.Output) or inspect.isawaitable(v) for v in data.values()):
        return pulumi.Output.all(**data).apply(fn)
    return fn(cast(Mapping[str, str], data))
