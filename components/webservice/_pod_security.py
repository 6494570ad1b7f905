"""Pod Security: the container settings the ``restricted`` profile forbids.

A namespace the WebService creates enforces the profile (see ``_identity``), so a pod
with such a setting would never be admitted and ``up`` would wait for a rollout that
cannot happen: :func:`check` refuses it, naming the field; the Application refuses it
the same way in a namespace it declares ``restricted``. In a namespace Moorage does
not manage, :func:`warnings` says which settings an enforcing namespace would refuse.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._errors import ValidationError
from ._containers import ContainerSpec, ContainersSpec

ALLOWED_CAPABILITIES = ("NET_BIND_SERVICE",)
"""The only capability the restricted profile lets a container add."""

_RULE = 'is forbidden by the Pod Security "restricted" profile'


def violations(spec: ContainersSpec) -> Iterator[tuple[str, Any]]:
    """(field, value) of each setting of any container that the profile forbids."""
    for prefix, container in _containers(spec):
        yield from _container_violations(prefix, container.security)


CREATED_NAMESPACE = (
    "the namespace this service creates enforces: its pods would never be admitted (set "
    "create_namespace: false to deploy into a namespace with a looser profile)"
)
"""Why :func:`check` refuses, for a WebService that creates its namespace."""


def check(
    component: str, spec: ContainersSpec, *, enforced: bool, why: str = CREATED_NAMESPACE
) -> None:
    """Refuse the first forbidden setting when the namespace enforces the profile; ``why``
    says which namespace (the one the service creates, or an Application's)."""
    for field, value in violations(spec) if enforced else ():
        raise ValidationError(component, field, value, f"{_RULE}, which {why}")


def warnings(component: str, spec: ContainersSpec) -> list[str]:
    """One warning per forbidden setting (for a namespace Moorage does not manage)."""
    return [
        f"{component}: {field} ({value!r}) {_RULE}; a namespace enforcing it will not "
        "admit the pods"
        for field, value in violations(spec)
    ]


def _containers(spec: ContainersSpec) -> Iterator[tuple[str, ContainerSpec]]:
    yield "", spec.main
    for i, sidecar in enumerate(spec.sidecars):
        yield f"sidecars[{i}].", sidecar
    for i, init in enumerate(spec.init):
        yield f"init_containers[{i}].", init


def _container_violations(prefix: str, security: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    if security.get("privileged") is True:
        yield f"{prefix}privileged", True
    if security.get("allowPrivilegeEscalation") is True:
        yield f"{prefix}allow_privilege_escalation", True
    if security.get("runAsUser") == 0:
        yield f"{prefix}run_as_user", 0
    elif security.get("runAsNonRoot") is False:
        yield f"{prefix}run_as_non_root", False
    added = (security.get("capabilities") or {}).get("add") or []
    forbidden = [c for c in added if c not in ALLOWED_CAPABILITIES]
    if forbidden:
        yield f"{prefix}capabilities_add", forbidden
