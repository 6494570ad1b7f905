"""Env values that name another converted Service become service references.

``cartservice:7070`` (the Service's name and port, as plain manifests write it within a
namespace) becomes ``{service_short_address: cartservice, wait: false}``;
``cart.shop.svc.cluster.local:7070`` becomes ``{service_address: cart, wait: false}`` and
``cart.shop.svc.cluster.local`` ``{service_host: cart, wait: false}``. References do not
wait for their target (the app ran without that order before); the stack layer resolves
them to the same text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..application import find_cycle
from ._containers import Gap
from ._mapping import ConvertedService

CLUSTER_DOMAIN = "svc.cluster.local"


def with_references(services: Mapping[str, ConvertedService]) -> int:
    """Replace every env value that names a converted Service; the number replaced."""
    replaced = 0
    for service in services.values():
        env = service.args.get("env")
        if not isinstance(env, dict):
            continue
        for variable, value in list(env.items()):
            ref = reference(str(value), service.namespace, services)
            if ref is not None:
                env[variable] = ref
                replaced += 1
    return replaced - _break_cycles(services)


def _break_cycles(services: Mapping[str, ConvertedService]) -> int:
    """Keep as plain text one reference of each cycle (services cannot refer in a circle);
    the number kept."""
    kept = 0
    while True:
        graph = {name: [t for _, t in _targets(s)] for name, s in services.items()}
        cycle = find_cycle(graph)
        if not cycle:
            return kept
        source, target = services[cycle[0]], cycle[1]
        for variable, name in _targets(source):
            if name == target:
                env = source.args["env"]
                env[variable] = _text(env[variable], services[target])
                source.gaps.append(
                    Gap(
                        f"env.{variable}",
                        f"kept as plain text: references to {target} form a cycle",
                    )
                )
                kept += 1
                break


def _targets(service: ConvertedService) -> list[tuple[str, str]]:
    env = service.args.get("env") or {}
    return [
        (variable, next(v for k, v in value.items() if k != "wait"))
        for variable, value in env.items()
        if isinstance(value, dict)
    ]


def _text(ref: dict[str, Any], target: ConvertedService) -> str:
    """The plain value a reference stands for."""
    port = target.args.get("service_port")
    if "service_short_address" in ref:
        return f"{target.name}:{port}"
    host = f"{target.name}.{target.namespace}.{CLUSTER_DOMAIN}"
    return f"{host}:{port}" if "service_address" in ref else host


def reference(
    value: str, namespace: str, services: Mapping[str, ConvertedService]
) -> dict[str, Any] | None:
    """The reference ``value`` stands for, or None for a plain value."""
    host, _, port = value.partition(":")
    if port and not port.isdigit():
        return None
    if "." not in host:
        target = services.get(host)
        if target is None or target.namespace != namespace or not port:
            return None
        kind = "service_short_address"
    else:
        name, _, rest = host.partition(".")
        target = services.get(name)
        if target is None or rest != f"{target.namespace}.{CLUSTER_DOMAIN}":
            return None
        kind = "service_address" if port else "service_host"
    if target.args.get("worker"):
        return None
    if port and int(port) != target.args.get("service_port"):
        return None
    return {kind: target.name, "wait": False}
