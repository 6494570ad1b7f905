"""One input container -> the fields Moorage has for it (main container, init container or
sidecar): env and envFrom, probes, resources, security context and volume mounts.

What a field cannot say is recorded as a :class:`Gap` (field and reason), never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

PROBES = {"readinessProbe": "readiness", "livenessProbe": "liveness", "startupProbe": "startup"}
TIMINGS = {
    "initialDelaySeconds": "initial_delay_seconds",
    "periodSeconds": "period_seconds",
    "timeoutSeconds": "timeout_seconds",
    "failureThreshold": "failure_threshold",
    "successThreshold": "success_threshold",
}
RESOURCES = {"cpu": "cpu", "memory": "memory", "ephemeral-storage": "ephemeral_storage"}
RESERVED_VOLUMES = ("tmp", "config", "secrets")


@dataclass(frozen=True)
class Gap:
    """Something of the input that the converted service does not express."""

    where: str
    """The input field, e.g. ``containers[api].lifecycle``."""
    reason: str


@dataclass
class EnvSources:
    """What the input's env refers to, resolved against the input objects."""

    config_maps: Mapping[str, Mapping[str, str]]
    """ConfigMaps of the namespace by name -> data."""
    secrets: Mapping[str, Mapping[str, str]]
    """Secrets of the namespace by name -> {key: key} (values are never read here)."""
    main_config_map: str | None = None
    """The ConfigMap that becomes the service's ``config``."""


@dataclass
class SecretUse:
    """An env variable that becomes a key of ``moorage:serviceSecrets``."""

    variable: str
    secret: str
    key: str


@dataclass
class MappedContainer:
    """The fields of one container and what they could not say."""

    fields: dict[str, Any] = field(default_factory=dict)
    secret_uses: list[SecretUse] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


def env_fields(
    where: str, container: Mapping[str, Any], sources: EnvSources, out: MappedContainer
) -> None:
    """``env`` (plain values, ConfigMap keys inlined) and ``env_from``; secret keys become
    :class:`SecretUse` entries."""
    env: dict[str, str] = {}
    for item in container.get("env") or []:
        name = str(item.get("name"))
        if "value" in item or "valueFrom" not in item:
            env[name] = str(item.get("value", ""))
            continue
        source = item["valueFrom"]
        if "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            data = sources.config_maps.get(str(ref.get("name")))
            if data is not None and ref.get("key") in data:
                env[name] = str(data[ref["key"]])
                continue
        if "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            if ref.get("key") in sources.secrets.get(str(ref.get("name")), {}):
                out.secret_uses.append(SecretUse(name, str(ref["name"]), str(ref["key"])))
                continue
        out.gaps.append(
            Gap(f"{where}.env.{name}", f"valueFrom {sorted(source)[0]} is not expressible")
        )
    if env:
        out.fields["env"] = env
    env_from: list[dict[str, Any]] = []
    for item in container.get("envFrom") or []:
        prefix = item.get("prefix")
        if "configMapRef" in item:
            name = str(item["configMapRef"].get("name"))
            if name == sources.main_config_map and not prefix:
                out.fields["_config_as_env"] = True
                continue
            entry: dict[str, Any] = {"config_map_name": name}
        elif "secretRef" in item:
            name = str(item["secretRef"].get("name"))
            keys = sources.secrets.get(name)
            if keys is not None and all(_c_identifier(f"{prefix or ''}{k}") for k in keys):
                out.secret_uses += [SecretUse(f"{prefix or ''}{k}", name, k) for k in keys]
                continue
            entry = {"secret_name": name}
        else:
            continue
        if prefix:
            entry["prefix"] = prefix
        ref = item.get("configMapRef") or item.get("secretRef") or {}
        if ref.get("optional"):
            entry["optional"] = True
        env_from.append(entry)
    if env_from:
        out.fields["env_from"] = env_from


def _c_identifier(name: str) -> bool:
    return bool(name) and (name[0].isalpha() or name[0] == "_") and name.replace("_", "a").isalnum()


def resources(container: Mapping[str, Any]) -> dict[str, Any]:
    """``resources`` in Moorage's flat form; a missing limit is left to Moorage."""
    out: dict[str, Any] = {}
    given = container.get("resources") or {}
    for section, suffix in (("requests", "request"), ("limits", "limit")):
        for kube, flat in RESOURCES.items():
            value = (given.get(section) or {}).get(kube)
            if value is not None:
                out[f"{flat}_{suffix}"] = str(value)
    return out


def probe(
    where: str,
    spec: Mapping[str, Any],
    port_name: Callable[[Any], str | None],
    gaps: list[Gap],
) -> dict[str, Any] | None:
    """One probe as ProbeArgs; ``port_name`` turns a port (number or name) into the name
    of a declared port."""
    out: dict[str, Any] = {}
    if "httpGet" in spec:
        get = spec["httpGet"]
        out["kind"] = "http"
        out["path"] = str(get.get("path") or "/")
        headers = {str(h["name"]): str(h["value"]) for h in get.get("httpHeaders") or []}
        if headers:
            out["http_headers"] = headers
        if str(get.get("scheme", "HTTP")).upper() == "HTTPS":
            gaps.append(Gap(f"{where}.httpGet.scheme", "HTTPS probes are not expressible"))
        port: Any = get.get("port")
    elif "tcpSocket" in spec:
        out["kind"] = "tcp"
        port = spec["tcpSocket"].get("port")
    elif "grpc" in spec:
        out["kind"] = "grpc"
        port = spec["grpc"].get("port")
        if spec["grpc"].get("service"):
            out["grpc_service"] = str(spec["grpc"]["service"])
    elif "exec" in spec:
        return {"kind": "exec", "command": [str(c) for c in spec["exec"].get("command") or []]} | {
            flat: spec[kube] for kube, flat in TIMINGS.items() if kube in spec
        }
    else:
        gaps.append(Gap(where, "a probe without a handler is not expressible"))
        return None
    name = port_name(port)
    if name is None:
        gaps.append(Gap(f"{where}.port", f"port {port!r} is not a declared container port"))
        return None
    out["port"] = name
    out.update({flat: spec[kube] for kube, flat in TIMINGS.items() if kube in spec})
    return out


def volume_mounts(
    container: Mapping[str, Any], renamed: Mapping[str, str], skipped: set[str]
) -> list[dict[str, Any]]:
    """A container's ``volume_mounts`` (volumes Moorage provides itself are left out)."""
    out = []
    for mount in container.get("volumeMounts") or []:
        name = str(mount.get("name"))
        if name in skipped:
            continue
        entry: dict[str, Any] = {
            "name": renamed.get(name, name),
            "mount_path": str(mount.get("mountPath")),
        }
        if mount.get("readOnly"):
            entry["read_only"] = True
        out.append(entry)
    return out


def security(where: str, container: Mapping[str, Any], gaps: list[Gap]) -> dict[str, Any]:
    """The securityContext settings an init container or sidecar may weaken."""
    context = container.get("securityContext") or {}
    out: dict[str, Any] = {}
    if context.get("privileged"):
        out["privileged"] = True
    if "runAsUser" in context:
        out["run_as_user"] = context["runAsUser"]
    if context.get("readOnlyRootFilesystem") is False:
        out["read_only_root_filesystem"] = False
    if context.get("allowPrivilegeEscalation"):
        out["allow_privilege_escalation"] = True
    added = (context.get("capabilities") or {}).get("add")
    if added:
        out["capabilities_add"] = [str(c) for c in added]
    return out


def common(where: str, container: Mapping[str, Any], out: MappedContainer) -> None:
    """Fields every container kind shares: command, args, working dir, pull policy."""
    if container.get("command"):
        out.fields["command"] = [str(c) for c in container["command"]]
    if container.get("args"):
        out.fields["args"] = [str(c) for c in container["args"]]
    if container.get("workingDir"):
        out.fields["working_dir"] = str(container["workingDir"])
    if container.get("imagePullPolicy"):
        out.fields["image_pull_policy"] = str(container["imagePullPolicy"])
    for unsupported in ("lifecycle", "stdin", "tty", "terminationMessagePolicy", "resizePolicy"):
        if unsupported in container and where != "main":
            out.gaps.append(Gap(f"{where}.{unsupported}", "is not expressible"))
