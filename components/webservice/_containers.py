"""Containers: the main container, init containers and native sidecars share one model.

One spec (:class:`ContainerSpec`), one set of readers (env, command and args, resources,
security context, mounts) and one renderer (:func:`render_container`). The kind of a
container decides only what Kubernetes decides:

- the main container's fields sit flat on ``WebServiceArgs`` (``container_name`` and
  ``container_args`` for ``name`` and ``args``), its security context is always the
  hardened one, and only it has ``lifecycle`` hooks and service references in ``env``;
- init containers run to completion before the pod starts, so they have no ports and
  no probes;
- sidecars are native sidecars (``restartPolicy: Always``): started before the main
  container and stopped after it; they may have ports and probes.

Every container gets the same defaults (resources, hardened context) unless it sets its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from .. import _rules as rule
from .._errors import ValidationError
from .._fields import Fields, checked, cross_checked
from .args import VolumeMountArgs
from .defaults import DEFAULTS
from .ports import PortSpec
from .probes import ProbesSpec

MAIN = "main"
INIT = "init"
SIDECAR = "sidecar"
KINDS = (MAIN, INIT, SIDECAR)

TMP_MOUNT = {"name": "tmp", "mountPath": "/tmp"}
"""Every container mounts the pod's small writable /tmp (its root filesystem is read-only)."""

HARDENED_CONTEXT: dict[str, Any] = {
    "allowPrivilegeEscalation": False,
    "privileged": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}
"""The securityContext of every container (Pod Security "restricted")."""


@dataclass(frozen=True)
class ResourcesSpec:
    cpu_request: pulumi.Input[str]
    cpu_limit: pulumi.Input[str] | None
    memory_request: pulumi.Input[str]
    memory_limit: pulumi.Input[str]
    ephemeral_storage_request: pulumi.Input[str]
    ephemeral_storage_limit: pulumi.Input[str]

    def manifest(self) -> dict[str, Any]:
        limits: dict[str, Any] = {
            "memory": self.memory_limit,
            "ephemeral-storage": self.ephemeral_storage_limit,
        }
        if self.cpu_limit is not None:
            limits["cpu"] = self.cpu_limit
        return {
            "requests": {
                "cpu": self.cpu_request,
                "memory": self.memory_request,
                "ephemeral-storage": self.ephemeral_storage_request,
            },
            "limits": limits,
        }


@dataclass(frozen=True)
class ContainerSpec:
    """One container of the pod, of any kind, validated and with defaults applied."""

    name: str
    image: pulumi.Input[str]
    image_pull_policy: pulumi.Input[str]
    kind: str
    resources: ResourcesSpec
    command: Sequence[pulumi.Input[str]] | None = None
    args: Sequence[pulumi.Input[str]] | None = None
    env: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    secret_env: Sequence[str] = ()
    """Keys of the service's Secret passed as ``secretKeyRef`` variables of the same name."""
    env_from: Sequence[Mapping[str, Any]] = ()
    ports: Sequence[PortSpec] = ()
    mounts: Sequence[Mapping[str, Any]] = ()
    """Mounts after /tmp."""
    security: Mapping[str, Any] = field(default_factory=lambda: dict(HARDENED_CONTEXT))
    probes: ProbesSpec | None = None
    lifecycle: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sidecar(self) -> bool:
        return self.kind == SIDECAR


def render_container(spec: ContainerSpec, secret_name: str) -> dict[str, Any]:
    """The container in the Kubernetes API's shape; ``secret_name`` is the service's Secret."""
    c: dict[str, Any] = {
        "name": spec.name,
        "image": spec.image,
        "imagePullPolicy": spec.image_pull_policy,
        "resources": spec.resources.manifest(),
        "securityContext": dict(spec.security),
        "volumeMounts": [dict(TMP_MOUNT), *spec.mounts],
    }
    if spec.sidecar:
        # A native sidecar: started before the main container, stopped after it.
        c["restartPolicy"] = "Always"
    if spec.probes is not None:
        c.update(spec.probes.manifest())
    if spec.ports:
        c["ports"] = [p.container_port() for p in spec.ports]
    if spec.lifecycle:
        c["lifecycle"] = dict(spec.lifecycle)
    variables: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in sorted(spec.env.items())]
    variables += [
        {"name": k, "valueFrom": {"secretKeyRef": {"name": secret_name, "key": k}}}
        for k in spec.secret_env
    ]
    if variables:
        c["env"] = variables
    if spec.env_from:
        c["envFrom"] = list(spec.env_from)
    if spec.command is not None:
        c["command"] = list(spec.command)
    if spec.args is not None:
        c["args"] = list(spec.args)
    return c


# -- readers shared by every kind ------------------------------------------------------


def read_env(s: Fields, kind: str, key: str = "env") -> dict[str, Any]:
    """Plain environment variables: valid names, string values (Outputs checked on resolve).

    Service references reach only the main container (the Application resolves them to
    URLs before the WebService sees them); anywhere else one is refused here, by name.
    """
    values = s.mapping(key)
    out: dict[str, Any] = {}
    for name, value in values.items():
        rule.env_name(s.component, s.field(f"{key}.{name}"), name)
        if kind != MAIN and isinstance(value, Mapping):
            raise s.fail(
                f"{key}.{name}",
                value,
                "must be a string; service references (service_url, service_host, "
                "service_address) are only available in the main container's env",
            )
        out[name] = checked(value, s.item_check(rule.text, f"{key}.{name}"))
    return out


def read_command(s: Fields, key: str) -> list[Any] | None:
    """``command`` or ``args``: None when unset, else a list of strings."""
    return s.strings(key) if s.present(key) else None


def read_resources(res: Fields) -> ResourcesSpec:
    """Requests and limits with the defaults of the DEFAULTS table (``resources.*``)."""
    c = res.component

    def default(key: str) -> Any:
        return DEFAULTS[f"resources.{key}"]

    def pair(kind: str) -> list[Any]:
        request = res.value(f"{kind}_request", default(f"{kind}_request"), rule.quantity_str)
        limit = res.value(f"{kind}_limit", default(f"{kind}_limit"), rule.quantity_str)
        return cross_checked(
            [request, limit],
            lambda q, lim: _request_within_limit(c, res.prefix, kind, q, lim),
        )

    if res.boolean("cpu_limit_enabled", default("cpu_limit_enabled")):
        cpu_request, cpu_limit = pair("cpu")
    else:
        cpu_request = res.value("cpu_request", default("cpu_request"), rule.quantity_str)
        cpu_limit = None
    memory_request, memory_limit = pair("memory")
    storage_request, storage_limit = pair("ephemeral_storage")
    return ResourcesSpec(
        cpu_request, cpu_limit, memory_request, memory_limit, storage_request, storage_limit
    )


def _request_within_limit(c: str, prefix: str, kind: str, request: str, limit: str) -> None:
    if prefix == "resources.":
        rule.request_within_limit(c, kind, request, limit)
        return
    if rule.quantity(c, f"{prefix}{kind}_request", request) > rule.quantity(
        c, f"{prefix}{kind}_limit", limit
    ):
        raise ValidationError(
            c,
            f"{prefix}{kind}_request",
            request,
            f"is greater than {prefix}{kind}_limit ({limit!r})",
        )


def read_image(s: Fields, allow_unpinned: bool) -> pulumi.Input[str]:
    """The image, pinned unless ``allow_unpinned_image``; an Output is checked on resolve."""
    if not s.present("image"):
        raise s.fail("image", None, "is required")
    field_name = s.field("image")
    c = s.component

    def pinned(value: object) -> str:
        try:
            return rule.image(c, value, allow_unpinned)
        except ValidationError as error:
            raise ValidationError(c, field_name, value, error.rule) from None

    image: pulumi.Input[str] = checked(s.raw("image"), pinned)
    return image


def read_pull_policy(s: Fields, default: pulumi.Input[str]) -> pulumi.Input[str]:
    return s.value(
        "image_pull_policy", default, lambda c, f, v: rule.one_of(c, f, v, rule.PULL_POLICIES)
    )


def read_mounts(s: Fields, volumes: Mapping[str, bool]) -> list[dict[str, Any]]:
    """``volume_mounts`` of an init container or sidecar: volumes of the pod, once each."""
    mounts = []
    paths = {"/tmp"}
    for m in s.sections("volume_mounts", VolumeMountArgs):
        name = m.required_text("name")
        if name == "tmp":
            raise m.fail("name", name, "is mounted at /tmp already")
        if name not in volumes:
            raise m.fail(
                "name",
                name,
                f"is not a volume of the pod; expected one of: {', '.join(sorted(volumes))}",
            )
        path = rule.absolute_path(s.component, m.field("mount_path"), m.known("mount_path"))
        if path in paths:
            raise m.fail("mount_path", path, "is already a mount path of this container")
        paths.add(path)
        mounts.append(
            {
                "name": name,
                "mountPath": path,
                "readOnly": m.boolean("read_only", DEFAULTS["sidecars.volume_mounts.read_only"]),
            }
        )
    return mounts


def read_security(s: Fields) -> dict[str, Any]:
    """The hardened context, weakened only where the user asked (the policy pack flags it)."""
    context = {**HARDENED_CONTEXT, "capabilities": {"drop": ["ALL"]}}
    privileged = s.boolean("privileged", DEFAULTS["sidecars.privileged"])
    escalation = s.boolean(
        "allow_privilege_escalation", privileged or DEFAULTS["sidecars.allow_privilege_escalation"]
    )
    if privileged and not escalation:
        raise s.fail(
            "allow_privilege_escalation",
            False,
            "cannot be false for a privileged container (Kubernetes rejects the pair)",
        )
    context["privileged"] = privileged
    context["allowPrivilegeEscalation"] = escalation
    context["readOnlyRootFilesystem"] = s.boolean(
        "read_only_root_filesystem", DEFAULTS["sidecars.read_only_root_filesystem"]
    )
    if s.present("run_as_user"):
        user = rule.non_negative_int(s.component, s.field("run_as_user"), s.known("run_as_user"))
        context["runAsUser"] = user
        if user == 0:
            context["runAsNonRoot"] = False
    added = s.texts("capabilities_add")
    if added:
        context["capabilities"] = {"drop": ["ALL"], "add": [a.upper() for a in added]}
    return context
