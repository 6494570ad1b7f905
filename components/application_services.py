"""Checks across the services of an Application, on the specs they are built from.

- A reference must name a service that has a Service (a worker has none: no URL).
- A referrer whose egress is restricted may still reach what it refers to: its
  ``network_policy.egress.allow_to_pods`` gets the target's pods and ports.
- No two services may create the same object (same kind and name in one namespace).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pulumi

from ._errors import ValidationError
from ._fields import is_deferred
from .webservice import ServiceSpec, egress_to_service, object_names

if TYPE_CHECKING:
    from .application_plan import ServicePlan


def check_targets_serve(
    component: str, plan: ServicePlan, specs: Mapping[str, ServiceSpec]
) -> None:
    """Refuse a reference to a worker: it has no Service, so its URL would be empty."""
    for variable, (target, _) in sorted(plan.refs.items()):
        if not specs[target].services.has_service:
            raise ValidationError(
                component,
                f"service_refs.{plan.name}.{variable}.service",
                target,
                "is a worker: it has no Service, so there is no URL, host or address to "
                "refer to; refer to a service that serves a port",
            )


def with_egress_to_targets(
    component: str,
    plan: ServicePlan,
    specs: Mapping[str, ServiceSpec],
    namespaces: Mapping[str, str],
) -> ServicePlan:
    """``plan`` whose ``network_policy.egress`` (when given) also allows the pods of every
    service it refers to, on their Services' ports. Without ``egress`` nothing changes:
    outgoing connections are not restricted."""
    policy = plan.args.get("network_policy")
    egress = policy.get("egress") if isinstance(policy, Mapping) else None
    if not plan.refs or policy is None or (isinstance(policy, Mapping) and egress is None):
        return plan
    existing = egress.get("allow_to_pods") if isinstance(egress, Mapping) else None
    if not isinstance(egress, Mapping) or is_deferred(existing):
        pulumi.log.warn(
            f"{component}: services.{plan.name}.network_policy.egress (or its allow_to_pods) "
            "is an Output, so the egress its references need cannot be added to it; list "
            "the services it refers to in network_policy.egress.allow_to_pods yourself"
        )
        return plan
    added: list[Any] = []
    for target in sorted({target for target, _ in plan.refs.values()}):
        added += egress_to_service(target, namespaces[target], specs[target].services.ports)
    egress = {**egress, "allow_to_pods": [*(existing or []), *added]}
    return replace(plan, args={**plan.args, "network_policy": {**policy, "egress": egress}})


def check_object_names(
    component: str, specs: Mapping[str, ServiceSpec], namespaces: Mapping[str, str]
) -> None:
    """Refuse two services that would create the same object (kind, name, namespace)."""
    seen: dict[tuple[str | None, str, str], tuple[str, str]] = {}
    for service in sorted(specs):
        for made in object_names(specs[service]):
            namespace = namespaces[service] if made.namespaced else None
            key = (namespace, made.kind, made.name)
            other = seen.get(key)
            if other is None:
                seen[key] = (service, made.field)
                continue
            first, second = (service, made.field), other
            if not made.field:  # name the field that derives the clashing name, if any
                first, second = other, (service, made.field)
            where = f' in namespace "{namespace}"' if namespace is not None else ""
            raise ValidationError(
                component,
                _field(*first),
                made.name,
                f'names the {made.kind} "{made.name}"{where}, which {_field(*second)} also '
                "names: the two services would overwrite each other's object; rename one "
                "of them",
            )


def _field(service: str, field: str) -> str:
    return f"services.{service}.{field}" if field else f"services.{service}"
