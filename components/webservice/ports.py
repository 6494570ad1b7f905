"""Named ports: the main port, extra ports and sidecar ports, and where each one goes.

A port is declared once (:class:`PortSpec`) and renders itself for the container, the
Service and the NetworkPolicy, so adding a port never touches three builders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from .. import _rules as rule
from .._errors import ValidationError
from .._fields import Fields, cross_checked
from .args import PortArgs
from .defaults import DEFAULTS

SERVICE_APP_PROTOCOL = {"http2": "kubernetes.io/h2c"}
"""Our app_protocol -> the Service port's appProtocol, where Kubernetes has its own name."""

URL_SCHEME = {"http": "http", "https": "https", "http2": "http", "grpc": "grpc", "tcp": "tcp"}
"""The scheme of the ``url`` output for each app_protocol of the main port."""


@dataclass(frozen=True)
class PortSpec:
    """One named container port."""

    name: str
    port: pulumi.Input[int]
    service_port: pulumi.Input[int]
    protocol: str
    app_protocol: str | None
    """Set when the user chose one; only then is it put on the Service port."""
    expose: bool
    container: str | None = None
    """The sidecar that owns the port, or None for the main container."""
    origin: str = ""
    """Where it was declared, for messages: "" for the main port, else e.g. "ports[1]."."""

    def field(self, key: str) -> str:
        """The user-facing field of ``key`` ("name", "port", "service_port")."""
        if not self.origin:
            return {"name": "port_name"}.get(key, key)
        return f"{self.origin}{key}"

    def container_port(self) -> dict[str, Any]:
        return {"name": self.name, "containerPort": self.port, "protocol": self.protocol}

    def service_port_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "name": self.name,
            "port": self.service_port,
            "targetPort": self.name,
            "protocol": self.protocol,
        }
        if self.app_protocol is not None:
            entry["appProtocol"] = SERVICE_APP_PROTOCOL.get(self.app_protocol, self.app_protocol)
        return entry

    def policy_port(self) -> dict[str, Any]:
        return {"protocol": self.protocol, "port": self.port}


def main_port(r: Fields) -> PortSpec:
    """The main port from ``port``, ``port_name``, ``app_protocol`` and ``service_port``."""
    given = r.known("app_protocol")
    protocol = r.text("app_protocol", DEFAULTS["app_protocol"])
    rule.one_of(r.component, "app_protocol", protocol, rule.APP_PROTOCOLS)
    name = r.text("port_name", "grpc" if protocol == "grpc" else "http")
    rule.port_name(r.component, "port_name", name)
    return PortSpec(
        name=name,
        port=r.value("port", DEFAULTS["port"], rule.port),
        service_port=r.value("service_port", DEFAULTS["service_port"], rule.port),
        protocol="TCP",
        app_protocol=protocol if given is not None else None,
        expose=True,
    )


def extra_ports(r: Fields, key: str, container: str | None = None) -> list[PortSpec]:
    """The ``ports`` list of the main container or of a sidecar."""
    result = []
    for i, p in enumerate(r.sections(key, PortArgs)):
        if not p.present("name"):
            raise p.fail("name", None, "is required")
        if not p.present("port"):
            raise p.fail("port", None, "is required")
        name = rule.port_name(r.component, p.field("name"), p.known("name"))
        port = p.value("port", None, rule.port)
        protocol = p.text("protocol", DEFAULTS["ports.protocol"])
        rule.one_of(r.component, p.field("protocol"), protocol, rule.PROTOCOLS)
        app = p.optional_text("app_protocol")
        if app is not None:
            rule.app_protocol(r.component, p.field("app_protocol"), app)
        result.append(
            PortSpec(
                name=name,
                port=port,
                service_port=p.value("service_port", port, rule.port),
                protocol=protocol,
                app_protocol=app,
                expose=p.boolean("expose", DEFAULTS["ports.expose"]),
                container=container,
                origin=r.field(f"{key}[{i}]."),
            )
        )
    return result


def check_unique(component: str, ports: Sequence[PortSpec], reserved: Sequence[str]) -> None:
    """Port names are unique in the pod; container and Service ports per protocol."""
    names: set[str] = set(reserved)
    for p in ports:
        if p.name in names:
            raise ValidationError(
                component,
                p.field("name"),
                p.name,
                "is already the name of another port (names are unique in the pod)",
            )
        names.add(p.name)
    _unique_numbers(component, ports, "port", lambda p: p.port, "container port")
    exposed = [p for p in ports if p.expose]
    _unique_numbers(component, exposed, "service_port", lambda p: p.service_port, "Service port")


def _unique_numbers(
    component: str, ports: Sequence[PortSpec], key: str, number: Any, what: str
) -> None:
    values = [number(p) for p in ports]

    def check(*resolved: int) -> None:
        seen: dict[tuple[int, str], str] = {}
        for p, value in zip(ports, resolved, strict=True):
            if (value, p.protocol) in seen:
                raise ValidationError(
                    component,
                    p.field(key),
                    value,
                    f"is already the {what} of port {seen[(value, p.protocol)]!r} ({p.protocol})",
                )
            seen[(value, p.protocol)] = p.name

    cross_checked(values, check)


def url_scheme(main: PortSpec | None, app_protocol: str) -> str:
    return URL_SCHEME[app_protocol] if main is not None else ""
