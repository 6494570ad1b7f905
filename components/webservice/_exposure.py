"""Exposure: how traffic from outside the cluster reaches the Service (an Ingress today).

Routes (Gateway API) belong here too, beside the Ingress.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
from typing_extensions import NotRequired

from .. import _rules as rule
from .._defaults import Computed
from .._fields import Fields
from ._maps import annotation_map
from ._ports import PortSpec

DEFAULTS: dict[str, Any] = {
    "ingress.path": "/",
    "ingress.port": Computed("the main port (port_name)"),
}
"""The defaults of this facet's fields, by dotted path (the reference prints them)."""


class IngressArgs(TypedDict):
    """An optional networking.k8s.io/v1 Ingress in front of the Service."""

    host: pulumi.Input[str]
    """Host name, e.g. "api.example.com"."""
    path: NotRequired[pulumi.Input[str]]
    """Path prefix."""
    tls_secret_name: NotRequired[pulumi.Input[str]]
    """Name of a kubernetes.io/tls Secret for the host; unset means no TLS."""
    ingress_class_name: NotRequired[pulumi.Input[str]]
    """IngressClass to use, e.g. "nginx"; unset means the cluster default."""
    annotations: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Extra annotations for the Ingress, e.g. cert-manager issuers."""
    port: NotRequired[pulumi.Input[str]]
    """Name of the Service port to route to."""


@dataclass(frozen=True)
class IngressSpec:
    host: pulumi.Input[str]
    path: pulumi.Input[str]
    tls_secret_name: pulumi.Input[str] | None
    ingress_class_name: pulumi.Input[str] | None
    annotations: Mapping[str, pulumi.Input[str]]
    port_name: str = "http"


def read(r: Fields, main: PortSpec | None, service_ports: Sequence[str]) -> IngressSpec | None:
    ing = r.nested("ingress", IngressArgs)
    if ing is None:
        return None
    if not ing.present("host"):
        raise ing.fail("host", None, "is required")
    assert main is not None  # a worker with ingress is rejected earlier
    port_name = ing.text("port", main.name)
    if port_name not in service_ports:
        raise ing.fail(
            "port", port_name, f"is not a Service port; expected one of: {', '.join(service_ports)}"
        )
    return IngressSpec(
        host=ing.value("host", None, rule.ingress_host),
        path=ing.value("path", DEFAULTS["ingress.path"], rule.ingress_path),
        tls_secret_name=ing.optional("tls_secret_name", rule.dns_subdomain),
        ingress_class_name=ing.optional("ingress_class_name", rule.dns_subdomain),
        annotations=annotation_map(ing, "annotations"),
        port_name=port_name,
    )


def ingress_spec(ing: IngressSpec, service_name: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "rules": [
            {
                "host": ing.host,
                "http": {
                    "paths": [
                        {
                            "path": ing.path,
                            "pathType": "Prefix",
                            "backend": {
                                "service": {"name": service_name, "port": {"name": ing.port_name}}
                            },
                        }
                    ]
                },
            }
        ]
    }
    if ing.ingress_class_name is not None:
        body["ingressClassName"] = ing.ingress_class_name
    if ing.tls_secret_name is not None:
        body["tls"] = [{"hosts": [ing.host], "secretName": ing.tls_secret_name}]
    return body
