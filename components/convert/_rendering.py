"""Render a converted stack config in process, the way the stack would apply it.

The same readers and renderer as ``pulumi up``: the stack-config parser
(:func:`~moorage._stack_config.parse_stack_settings`), then each service's spec
(:func:`~moorage.webservice._spec.read_spec`) and its bodies
(:func:`~moorage.webservice._render.render`), then ``selector_labels``, ``adopt`` and
``patches`` as the component's transform applies them. No engine, no cluster: a hundred
services render in well under a second. Secret values are placeholders.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._stack_config import parse_stack_settings
from ..application import REFERENCED, namespace_labels
from ..application_plan import NamespacePlan
from ..webservice import _adoption as adoption
from ..webservice import _config as config
from ..webservice import _patches as patches
from ..webservice import _ports as ports
from ..webservice._identity import selector_labels
from ..webservice._render import Manifests, render
from ..webservice._spec import ServiceSpec, read_spec
from ..webservice._workload import can_run_two_or_more

SECRET_PLACEHOLDER = "[secret]"
SECRETS_CHECKSUM_PLACEHOLDER = "[the Secret's resourceVersion]"
API_VERSIONS = {
    "Namespace": "v1",
    "ServiceAccount": "v1",
    "ConfigMap": "v1",
    "Secret": "v1",
    "Service": "v1",
    "Deployment": "apps/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "PodDisruptionBudget": "policy/v1",
    "NetworkPolicy": "networking.k8s.io/v1",
    "Ingress": "networking.k8s.io/v1",
}

ObjectKey = tuple[str, str]
"""(kind, name) of a rendered object."""


@dataclass(frozen=True)
class RenderedService:
    """A service's objects as the stack would apply them, by (kind, name)."""

    name: str
    namespace: str
    objects: dict[ObjectKey, dict[str, Any]]


def render_stack(
    stack_config: Mapping[str, Any],
    secret_keys: Mapping[str, list[str]] | None = None,
    application: str = "app",
) -> dict[str, RenderedService]:
    """Every service of ``stack_config`` (a stack file's ``config`` mapping) rendered, with
    ``secret_keys`` (per service) standing in for ``moorage:serviceSecrets``. Namespaces
    the stack declares are rendered under the key ``""``."""
    raw = {
        k: v if isinstance(v, str) else json.dumps(v)
        for k, v in stack_config.items()
        if k.startswith("moorage:")
    }
    if secret_keys:
        raw["moorage:serviceSecrets"] = json.dumps(
            {s: dict.fromkeys(keys, SECRET_PLACEHOLDER) for s, keys in secret_keys.items() if keys}
        )
    settings = parse_stack_settings(raw)
    app = settings.application
    specs: dict[str, ServiceSpec] = {}
    out: dict[str, RenderedService] = {}
    for name in app.order:
        args = dict(app.services[name])
        if args.get("namespace") in app.namespaces:
            args["create_namespace"] = False
        refs = app.service_refs.get(name, {})
        if refs:
            env = dict(args.get("env") or {})
            for variable, ref in refs.items():
                env[variable] = REFERENCED[ref["value"]](_url(specs[ref["service"]]))
            args["env"] = env
        elif args.get("env") == {}:
            del args["env"]
        keys = app.secret_keys.get(name)
        if keys:
            args["secrets"] = dict.fromkeys(keys, SECRET_PLACEHOLDER)
        spec = read_spec(name, args)  # type: ignore[arg-type]
        specs[name] = spec
        out[name] = RenderedService(name, str(spec.identity.namespace), service_objects(spec))
    namespaces = {
        ("Namespace", ns): {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": ns,
                "labels": namespace_labels(_namespace_plan(ns, values or {}), application),
                **(
                    {"annotations": values["annotations"]}
                    if (values or {}).get("annotations")
                    else {}
                ),
            },
        }
        for ns, values in app.namespaces.items()
    }
    out[""] = RenderedService("", "", namespaces)
    return out


def _namespace_plan(name: str, values: Mapping[str, Any]) -> NamespacePlan:
    return NamespacePlan(
        name=name,
        labels=dict(values.get("labels") or {}),
        annotations=dict(values.get("annotations") or {}),
        pod_security=str(values.get("pod_security") or "restricted"),
        retain_on_delete=bool(values.get("retain_on_delete", False)),
    )


def _url(spec: ServiceSpec) -> str:
    main = spec.ports.main
    port = main.service_port if main is not None else 0
    return (
        f"{spec.ports.url_scheme}://{spec.name}.{spec.identity.namespace}.svc.cluster.local:{port}"
    )


def service_objects(spec: ServiceSpec) -> dict[ObjectKey, dict[str, Any]]:
    """The objects of one WebService (rolling release), after its transform."""
    checksums = dict(config.checksums(spec.config, None))
    if spec.config.secrets:
        checksums[config.SECRETS_CHECKSUM] = SECRETS_CHECKSUM_PLACEHOLDER
    m = render(spec, checksums)
    ns, name = spec.identity.namespace, spec.name
    bodies: list[tuple[str, dict[str, Any]]] = []
    if spec.identity.create_namespace:
        bodies.append(("Namespace", {"metadata": m.namespace_metadata}))
    if spec.identity.service_account_name is None:
        meta = m.metadata(name, ns, spec.identity.service_account_annotations)
        bodies.append(("ServiceAccount", {"metadata": meta, "automountServiceAccountToken": False}))
    if spec.config.config:
        meta = m.metadata(spec.config.config_map_name, ns)
        bodies.append(("ConfigMap", {"metadata": meta, "data": dict(spec.config.config)}))
    if spec.config.secrets:
        meta = m.metadata(spec.config.secret_name, ns)
        data = dict.fromkeys(spec.config.secrets, SECRET_PLACEHOLDER)
        bodies.append(("Secret", {"metadata": meta, "type": "Opaque", "stringData": data}))
    meta = m.workload_metadata(name, ns, spec.workload.deployment_annotations)
    bodies.append(("Deployment", {"metadata": meta, "spec": m.deployment}))
    bodies += _services(m, spec)
    if spec.autoscaling is not None:
        bodies.append(
            ("HorizontalPodAutoscaler", {"metadata": m.metadata(name, ns), "spec": m.hpa()})
        )
    if can_run_two_or_more(spec.workload):
        bodies.append(("PodDisruptionBudget", {"metadata": m.metadata(name, ns), "spec": m.pdb}))
    if spec.network_policy is not None:
        meta = m.metadata(name, ns)
        bodies.append(("NetworkPolicy", {"metadata": meta, "spec": m.network_policy}))
    if spec.exposure is not None:
        meta = m.metadata(name, ns, spec.exposure.annotations)
        bodies.append(("Ingress", {"metadata": meta, "spec": m.ingress}))
    return {
        (kind, str(body["metadata"]["name"])): {
            "apiVersion": API_VERSIONS[kind],
            "kind": kind,
            **_transformed(spec, kind, body),
        }
        for kind, body in bodies
    }


def _services(m: Manifests, spec: ServiceSpec) -> list[tuple[str, dict[str, Any]]]:
    ns, name = spec.identity.namespace, spec.name
    out: list[tuple[str, dict[str, Any]]] = []
    if spec.services.has_service:
        meta = m.metadata(name, ns, spec.services.annotations)
        out.append(("Service", {"metadata": meta, "spec": m.service()}))
    for extra in spec.services.extra:
        meta = m.metadata(ports.extra_service_name(spec.services, extra), ns, extra.annotations)
        out.append(("Service", {"metadata": meta, "spec": m.extra_service(extra)}))
    return out


def _transformed(spec: ServiceSpec, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """What the component's transform makes of ``body``: the kept selector, the adoption
    annotation, then the patches (a Secret is never patched)."""
    if spec.selector_labels is not None:
        body = adoption.with_selector(kind, body, selector_labels(spec.name), spec.selector_labels)
    if spec.adopt:
        body = adoption.forced(body)
    if kind == "Secret":
        return body
    return patches.patched(spec.patches, f'WebService "{spec.name}"', kind, body)
