"""Shared helpers of the convert tests: the fixtures and the intent of a Deployment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from moorage.convert import Conversion, ConvertOptions, convert_files

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "convert"
KUBERNETES_PROBE_DEFAULTS = {
    "periodSeconds": 10,
    "timeoutSeconds": 1,
    "failureThreshold": 3,
    "successThreshold": 1,
    "initialDelaySeconds": 0,
}


def converted(name: str, **options: Any) -> Conversion:
    return convert_files([str(FIXTURES / name)], ConvertOptions(**options))


def _ports(container: dict[str, Any]) -> list[tuple[str | None, int]]:
    return sorted((p.get("name"), int(p["containerPort"])) for p in container.get("ports") or [])


def _probe(probe: dict[str, Any] | None, ports: dict[str, int]) -> dict[str, Any] | None:
    """A probe with named ports as numbers and Kubernetes' own defaults left out."""
    if probe is None:
        return None
    out = {k: v for k, v in probe.items() if KUBERNETES_PROBE_DEFAULTS.get(k) != v}
    for handler in ("httpGet", "tcpSocket", "grpc"):
        if handler in out:
            h = dict(out[handler])
            h["port"] = ports.get(h.get("port"), h.get("port"))
            h.pop("scheme", None)
            out[handler] = h
    return out


def intent(deployment: dict[str, Any]) -> dict[str, Any]:
    """What a Deployment's pods are meant to be: per container its image, ports, env
    (variable -> value, or the secret variable's name), probes and the resources it sets;
    the pod's volumes (without Moorage's /tmp) and the selector."""
    pod = deployment["spec"]["template"]["spec"]
    ports = {
        p["name"]: int(p["containerPort"])
        for c in [*pod.get("containers", []), *pod.get("initContainers", [])]
        for p in c.get("ports") or []
        if p.get("name")
    }
    containers = {}
    for c in [*pod.get("containers", []), *pod.get("initContainers", [])]:
        env = {}
        for e in c.get("env") or []:
            source = e.get("valueFrom") or {}
            env[e["name"]] = e.get("value", "from secret" if "secretKeyRef" in source else source)
        containers[c["name"]] = {
            "image": c["image"],
            "ports": _ports(c),
            "env": env,
            "probes": {k: _probe(c.get(k), ports) for k in ("readinessProbe", "livenessProbe")},
            "resources": c.get("resources") or {},
        }
    volumes = {
        v["name"]: {k: x for k, x in v.items() if k != "name"}
        for v in pod.get("volumes") or []
        if v["name"] != "tmp"
    }
    return {
        "containers": containers,
        "volumes": volumes,
        "selector": deployment["spec"]["selector"],
        "template_labels": deployment["spec"]["template"]["metadata"]["labels"],
    }
