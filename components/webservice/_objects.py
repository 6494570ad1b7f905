"""The Kubernetes objects a WebService creates, by kind and name, from its spec.

Each name comes from the facet that gives it (the release's Deployments, the extra and
track Services, the config objects, the claim, the routes), so the Application can
refuse two services whose objects would be the same object. The ServiceMonitor,
PodMonitor and PrometheusRule are named after the service, as the ServiceAccount, HPA,
PDB, NetworkPolicy and Ingress are.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import _ports as ports
from . import _routes as routes
from . import _workload as workload
from . import release
from ._spec import ServiceSpec


@dataclass(frozen=True)
class ObjectName:
    """One object a service creates."""

    kind: str
    name: str
    field: str
    """The WebService field that makes it, e.g. ``extra_services[0].name``; "" when it
    is named after the service alone."""
    namespaced: bool = True


def object_names(spec: ServiceSpec) -> list[ObjectName]:
    """Every object ``spec`` declares whose name is known now (names that are Outputs,
    such as a namespace given as one, are left out)."""
    name = spec.name
    found: list[ObjectName] = []
    if spec.identity.create_namespace and isinstance(spec.identity.namespace, str):
        found.append(ObjectName("Namespace", spec.identity.namespace, "namespace", False))
    if spec.identity.service_account_name is None:
        found.append(ObjectName("ServiceAccount", name, ""))
    if spec.config.config:
        found.append(ObjectName("ConfigMap", spec.config.config_map_name, "config"))
    if spec.config.secrets:
        found.append(ObjectName("Secret", spec.config.secret_name, "secrets"))
    if spec.persistence is not None:
        found.append(
            ObjectName("PersistentVolumeClaim", spec.persistence.claim_name, "persistence")
        )
    strategy = "" if spec.release.strategy == "rolling" else "strategy"
    found += [
        ObjectName("Deployment", deployment, strategy)
        for deployment in release.deployment_names(spec.release).values()
    ]
    if spec.services.has_service:
        found.append(ObjectName("Service", name, ""))
    found += [
        ObjectName(
            "Service", ports.extra_service_name(spec.services, extra), f"extra_services[{i}].name"
        )
        for i, extra in enumerate(spec.services.extra)
    ]
    if spec.routes and spec.release.strategy == "canary":
        found += [
            ObjectName("Service", routes.track_service_name(name, track), "routes")
            for track in release.TRACKS
        ]
    found += [
        ObjectName(route.kind, routes.object_name(name, route), f"routes[{i}].name")
        for i, route in enumerate(spec.routes)
    ]
    if spec.autoscaling is not None:
        found.append(ObjectName("HorizontalPodAutoscaler", name, ""))
    if workload.can_run_two_or_more(spec.workload):
        found.append(ObjectName("PodDisruptionBudget", name, ""))
    if spec.network_policy is not None:
        found.append(ObjectName("NetworkPolicy", name, ""))
    if spec.exposure is not None:
        found.append(ObjectName("Ingress", name, ""))
    return found
