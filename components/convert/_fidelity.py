"""Compare the rendered objects with the input, field by field, and say why each differs.

Values Kubernetes fills in itself (``protocol: TCP``, a probe's ``periodSeconds: 10``, the
fields the API server assigns) are not differences; a port named on one side and numbered
on the other is the same port. Every other difference gets a cause
(:mod:`._causes`) and whether ``--exact`` can remove it: everything but renamed
objects and the references to them, the Secret, and objects Moorage always adds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import _causes as causes
from ._diff import MISSING, Change, changes, dotted
from ._input import KubeObject
from ._mapping import Converted, ConvertedService
from ._rendering import RenderedService

KUBERNETES_FILLS = {
    "protocol": "TCP",
    "successThreshold": 1,
    "periodSeconds": 10,
    "timeoutSeconds": 1,
    "failureThreshold": 3,
    "initialDelaySeconds": 0,
    "terminationGracePeriodSeconds": 30,
    "progressDeadlineSeconds": 600,
    "revisionHistoryLimit": 10,
    "dnsPolicy": "ClusterFirst",
    "schedulerName": "default-scheduler",
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
    "sessionAffinity": "None",
    "scheme": "HTTP",
    "readOnly": False,
}
"""A field left out of the input equals this value (Kubernetes' own default)."""
SERVER_ASSIGNED = (
    "clusterIP",
    "clusterIPs",
    "ipFamilies",
    "ipFamilyPolicy",
    "internalTrafficPolicy",
)
REMOVABLE_OBJECTS = ("NetworkPolicy", "ServiceAccount")
KEPT = re.compile(r"^metadata\.name$|pulumi\.com/patchForce|secretKeyRef|secretRef")
"""Paths --exact leaves as rendered: the names, the adoption, the references to secrets."""


@dataclass(frozen=True)
class Difference:
    """One field that differs between an input object and its rendered object."""

    kind: str
    name: str
    namespace: str
    change: Change
    cause: causes.Cause
    removable: bool

    @property
    def path(self) -> str:
        return dotted(self.change.path)


@dataclass(frozen=True)
class ObjectChange:
    """An object only one side has: added by Moorage, or in the input and not rendered."""

    ref: str
    added: bool
    cause: causes.Cause
    removable: bool


@dataclass
class ServiceFidelity:
    """The comparison of one service."""

    name: str
    namespace: str
    mapped: list[str] = field(default_factory=list)
    """The input objects the service stands for."""
    differences: list[Difference] = field(default_factory=list)
    objects: list[ObjectChange] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        """Differences ``--exact`` cannot remove."""
        return sum(not d.removable for d in self.differences) + sum(
            not o.removable for o in self.objects
        )


def compare(converted: Converted, rendered: Mapping[str, RenderedService]) -> list[ServiceFidelity]:
    """Each service's differences, then the namespaces' (as the service ``""``)."""
    out = [_service(converted.services[name], rendered[name]) for name in converted.services]
    namespaces = ServiceFidelity("", "")
    for (kind, name), body in rendered[""].objects.items():
        source = converted.namespace_sources.get(name)
        if source is None:
            namespaces.objects.append(
                ObjectChange(f"Namespace {name}", True, causes.added_object_cause(kind), False)
            )
            continue
        namespaces.mapped.append(source.ref)
        for change in changes(_normal(source.body, {}), _normal(body, {})):
            namespaces.differences.append(_difference(kind, name, "", change, set(), set()))
    out.append(namespaces)
    return out


def _service(service: ConvertedService, rendered: RenderedService) -> ServiceFidelity:
    result = ServiceFidelity(service.name, service.namespace)
    result.gaps = [f"{g.where}: {g.reason}" for g in service.gaps]
    given = set(_given_paths(service.args))
    renamed = _renamed_names(service)
    input_ports = _port_numbers(service.sources.get(("Deployment", service.name)))
    rendered_ports = _port_numbers_of(rendered.objects.get(("Deployment", service.name)))
    for key, body in rendered.objects.items():
        kind, name = key
        source = service.sources.get(key)
        ref = f"{kind} {rendered.namespace}/{name}" if kind != "Namespace" else f"Namespace {name}"
        if source is None:
            result.objects.append(
                ObjectChange(ref, True, causes.added_object_cause(kind), kind in REMOVABLE_OBJECTS)
            )
            continue
        result.mapped.append(source.ref)
        before = _normal(source.body, input_ports)
        after = _normal(body, rendered_ports, rendered=True)
        for change in changes(before, after):
            if _filled_by_kubernetes(change):
                continue
            difference = _difference(kind, name, rendered.namespace, change, given, renamed)
            result.differences.append(difference)
    for key, source in service.sources.items():
        if key not in rendered.objects:
            result.mapped.append(source.ref)
            result.objects.append(
                ObjectChange(
                    source.ref,
                    False,
                    causes.Cause(causes.NOT_EXPRESSIBLE, "Moorage renders none for this service"),
                    False,
                )
            )
    result.mapped += sorted({f"Secret {service.namespace}/{u.secret}" for u in service.secret_uses})
    return result


def _difference(
    kind: str, name: str, namespace: str, change: Change, given: set[str], renamed: set[str]
) -> Difference:
    path = dotted(change.path)
    cause = causes.cause(kind, path, change, given)
    removable = (
        kind not in ("Secret", "Namespace")
        and not KEPT.search(path)
        and not _mentions(change.before, renamed)
        and not _mentions(change.after, renamed)
    )
    return Difference(kind, name, namespace, change, cause, removable)


def _renamed_names(service: ConvertedService) -> set[str]:
    """Names that change with the conversion: references to them stay as rendered."""
    names: set[str] = set()
    if "config" in service.args:
        names.add(f"{service.name}-config")
    if service.secret_uses:
        names |= {f"{service.name}-secrets", *(u.secret for u in service.secret_uses)}
    config = service.sources.get(("ConfigMap", f"{service.name}-config"))
    if config is not None:
        names.add(config.name)
    return names


def _mentions(value: Any, names: set[str]) -> bool:
    if value is MISSING or not names:
        return False
    text = json.dumps(value, default=str)
    return any(f'"{n}"' in text for n in names)


def _filled_by_kubernetes(change: Change) -> bool:
    last = change.path[-1] if change.path else None
    if not isinstance(last, str):
        return False
    one_side = change.before if change.after is MISSING else change.after
    if change.before is not MISSING and change.after is not MISSING:
        return False
    if one_side in ({}, []):
        return True
    if last == "type" and one_side == "ClusterIP" and len(change.path) == 2:
        return True
    if last == "restartPolicy" and one_side == "Always" and len(change.path) == 4:
        return True
    return last in KUBERNETES_FILLS and KUBERNETES_FILLS[last] == one_side


def _port_numbers(obj: KubeObject | None) -> dict[str, int]:
    return _port_numbers_of(obj.body if obj is not None else None)


def _port_numbers_of(body: Mapping[str, Any] | None) -> dict[str, int]:
    """Container port names -> numbers of a Deployment's pods."""
    if body is None:
        return {}
    pod = ((body.get("spec") or {}).get("template") or {}).get("spec") or {}
    out: dict[str, int] = {}
    for container in [*(pod.get("containers") or []), *(pod.get("initContainers") or [])]:
        for port in container.get("ports") or []:
            if port.get("name"):
                out[str(port["name"])] = int(port["containerPort"])
    return out


def _normal(body: Mapping[str, Any], ports: Mapping[str, int], rendered: bool = False) -> Any:
    """``body`` with named ports as numbers, quantities as text and server fields left out."""
    out = _walk(dict(body), ports)  # a copy: the input is left as it is
    out.pop("apiVersion", None)
    spec = out.get("spec")
    if out.get("kind") == "Service" and isinstance(spec, dict):
        for name in SERVER_ASSIGNED:
            spec.pop(name, None)
        for port in spec.get("ports") or []:
            if isinstance(port, dict):
                port.setdefault("targetPort", port.get("port"))
    return out


def _walk(value: Any, ports: Mapping[str, int], key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _walk(v, ports, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, ports, key) for v in value]
    if key in ("targetPort", "port") and isinstance(value, str) and value in ports:
        return ports[value]
    if key in ("cpu", "memory", "ephemeral-storage") and isinstance(value, int | float):
        return str(value)
    return value


def _given_paths(args: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Every dotted path the converted args set (mappings only)."""
    out: list[str] = []
    for key, value in args.items():
        out.append(f"{prefix}{key}")
        if isinstance(value, Mapping):
            out += _given_paths(value, f"{prefix}{key}.")
    return out
