"""Shared helpers for the tests of the WebService facets (this module has no tests).

Inputs arrive at the mock engine as the engine sees them: camelCase, integers as
floats, and secret values wrapped in a signature dict. :func:`plain` undoes the last
two so tests can compare against ordinary Python values; tests about secrecy look at
the raw inputs instead.
"""

from __future__ import annotations

from typing import Any

import pulumi
from moorage.webservice import ServiceSpec, WebService, build_spec

SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270"

COMPONENT_TYPE = "moorage:index:WebService"
IMAGE = "ghcr.io/acme/api:1.4.2"
DIGEST = "sha256:" + "0123456789abcdef" * 4

NAMESPACE = "kubernetes:core/v1:Namespace"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
SECRET = "kubernetes:core/v1:Secret"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"

SIDECAR = {"name": "proxy", "image": "ghcr.io/acme/proxy:1.0.0"}
RESTRICTED_FORBIDDEN = [
    ({"sidecars": [{**SIDECAR, "privileged": True}]}, "sidecars[0].privileged"),
    (
        {"init_containers": [{**SIDECAR, "allow_privilege_escalation": True}]},
        "init_containers[0].allow_privilege_escalation",
    ),
    ({"sidecars": [{**SIDECAR, "run_as_user": 0}]}, "sidecars[0].run_as_user"),
    (
        {"sidecars": [{**SIDECAR, "capabilities_add": ["NET_ADMIN"]}]},
        "sidecars[0].capabilities_add",
    ),
]
"""Container settings the Pod Security restricted profile refuses, with the field each
error names (a sidecar, an init container)."""

SELECTOR_KEYS = {"app.kubernetes.io/name", "app.kubernetes.io/instance"}
STANDARD_LABEL_KEYS = SELECTOR_KEYS | {
    "app.kubernetes.io/version",
    "app.kubernetes.io/component",
    "app.kubernetes.io/managed-by",
}


def is_secret(value: Any) -> bool:
    """True when ``value`` is the engine's secret wrapper."""
    return isinstance(value, dict) and value.get(SECRET_SIG_KEY) == SECRET_SIG_VALUE


def plain(value: Any) -> Any:
    """Unwrap secrets and turn whole floats back into ints, recursively."""
    if is_secret(value):
        return plain(value["value"])
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def web_service(
    mocks: Any,
    name: str = "api",
    opts: pulumi.ResourceOptions | None = None,
    **fields: Any,
) -> WebService:
    """Run a program with one WebService (image defaults to ``IMAGE``) under mocks."""
    args = {"image": IMAGE, **fields}
    return mocks.run(lambda: WebService(name, args, opts))  # type: ignore[arg-type]


def spec(**fields: Any) -> ServiceSpec:
    """The spec of WebService "api" (image ``IMAGE``) for the pure builders: no mocks."""
    return build_spec("api", {"image": IMAGE, **fields})  # type: ignore[typeddict-item]


def kubernetes_resources(mocks: Any) -> list[Any]:
    return [r for r in mocks.resources if r.typ.startswith("kubernetes:")]


def inputs(mocks: Any, typ: str) -> dict[str, Any]:
    """The plain inputs of the one registered resource of ``typ``."""
    return plain(mocks.one(typ).inputs)


def pod_spec(mocks: Any) -> dict[str, Any]:
    return inputs(mocks, DEPLOYMENT)["spec"]["template"]["spec"]


def pod_annotations(mocks: Any) -> dict[str, str]:
    return inputs(mocks, DEPLOYMENT)["spec"]["template"]["metadata"].get("annotations", {})


def container(mocks: Any) -> dict[str, Any]:
    (only,) = pod_spec(mocks)["containers"]
    return only
