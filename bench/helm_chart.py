"""A generic Helm chart that renders the same objects as N WebServices.

The templates are written from one service's manifests (bench/programs.py), with
the per-service values (name, image, replicas, version, config) turned into
template expressions; ``values.yaml`` lists the N services. So ``helm template``
does the work a typical "one chart, many services" setup does: parse the
templates once, execute them per service, write YAML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bench import programs

_NAME_PREFIX = "zzname"
_NAME = f"{_NAME_PREFIX}0"
_IMAGE = "zzimage"
_VERSION = "zzversion"
_CHECKSUM = "zzchecksum"
_REPLACEMENTS = {
    _IMAGE: "{{ $svc.image }}",
    _VERSION: "{{ $svc.version | quote }}",
    _CHECKSUM: "{{ toJson $svc.config | sha256sum }}",
    "replicas: 424242": "replicas: {{ $svc.replicas }}",
    "data: zzconfig": "data:\n  {{- toYaml $svc.config | nindent 2 }}",
    _NAME: "{{ $svc.name }}",
}


def _objects() -> list[dict[str, Any]]:
    """One service's objects, with placeholders where the values go."""
    svc = programs.raw_manifests(1, prefix=_NAME_PREFIX)[0]
    name = svc["name"]
    labels = {**svc["labels"], "app.kubernetes.io/version": _VERSION}
    deployment = svc["deployment"]
    deployment["replicas"] = 424242
    template_meta = deployment["template"]["metadata"]
    template_meta["labels"] = labels
    template_meta["annotations"] = {**template_meta.get("annotations", {})}
    for key in template_meta["annotations"]:
        if key.startswith("checksum/"):
            template_meta["annotations"][key] = _CHECKSUM
    deployment["template"]["spec"]["containers"][0]["image"] = _IMAGE

    def meta(object_name: str) -> dict[str, Any]:
        return {"name": object_name, "namespace": name, "labels": labels}

    namespace_labels = {**svc["namespace_labels"], "app.kubernetes.io/version": _VERSION}
    return [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "labels": namespace_labels},
        },
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": meta(name),
            "automountServiceAccountToken": False,
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": meta(f"{name}-config"),
            "data": "zzconfig",
        },
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(name), "spec": deployment},
        {"apiVersion": "v1", "kind": "Service", "metadata": meta(name), "spec": svc["service"]},
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": meta(name),
            "spec": svc["pdb"],
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta(name),
            "spec": svc["network_policy"],
        },
    ]


def template_text() -> str:
    """The chart's one template: every object, for every service in ``.Values.services``."""
    body = "".join("---\n" + yaml.safe_dump(obj, sort_keys=False, width=1000) for obj in _objects())
    for placeholder, expression in _REPLACEMENTS.items():
        body = body.replace(placeholder, expression)
    return "{{- range $svc := .Values.services }}\n" + body + "{{- end }}\n"


def values(n: int, prefix: str) -> dict[str, Any]:
    """``values.yaml``: the N services, with the benchmark's arguments."""
    args = programs.SERVICE_ARGS
    return {
        "services": [
            {
                "name": name,
                "image": args["image"],
                "version": args["image"].rsplit(":", 1)[-1],
                "replicas": args["replicas"],
                "config": dict(args["config"]),
            }
            for name in programs.service_names(n, prefix)
        ]
    }


def write_chart(directory: Path, n: int, prefix: str = "svc") -> Path:
    """Write the chart for N services into ``directory``; return it."""
    (directory / "templates").mkdir(parents=True, exist_ok=True)
    (directory / "Chart.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v2",
                "name": "generic-service",
                "version": "0.1.0",
                "type": "application",
            }
        )
    )
    (directory / "values.yaml").write_text(yaml.safe_dump(values(n, prefix), sort_keys=False))
    (directory / "templates" / "services.yaml").write_text(template_text())
    return directory
