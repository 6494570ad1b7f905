"""Named ports: the main port, extra ports and sidecar ports, and where each one goes.

A port is declared once (:class:`PortSpec`) and renders itself for the container, the
Service and the NetworkPolicy, so adding a port never touches three builders.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
from typing_extensions import NotRequired

from .. import _rules as rule
from .._defaults import Computed
from .._errors import ValidationError
from .._fields import Fields, cross_checked
from ._identity import selector_labels
from ._maps import annotation_map

DEFAULTS: dict[str, Any] = {
    "worker": False,
    "port": 8080,
    "port_name": Computed('"http", or "grpc" when app_protocol is grpc'),
    "app_protocol": Computed(
        'what port_name announces ("grpc", "tcp-redis", "redis", "mongo", "mysql", "amqp" '
        '-> grpc or tcp), else "http"'
    ),
    "service_port": 80,
    "ports.service_port": Computed("the port"),
    "ports.protocol": "TCP",
    "ports.expose": True,
    "service_type": "ClusterIP",
    "extra_services.type": "ClusterIP",
    "extra_services.ports": Computed("every exposed port"),
}
"""The defaults of this facet's fields, by dotted path (the reference prints them)."""


class PortArgs(TypedDict):
    """An extra named port of the main container (or of a sidecar)."""

    name: pulumi.Input[str]
    """Port name (IANA service name: at most 15 lowercase letters, digits and '-', with at
    least one letter), e.g. "admin". Probes, extra Services and Ingress refer to it."""
    port: pulumi.Input[int]
    """Port the container listens on (1-65535)."""
    service_port: NotRequired[pulumi.Input[int]]
    """Port the Service exposes for it (1-65535)."""
    protocol: NotRequired[pulumi.Input[str]]
    """"TCP" | "UDP" | "SCTP"."""
    app_protocol: NotRequired[pulumi.Input[str]]
    """Application protocol on the Service port (``appProtocol``): "http" | "https" |
    "http2" | "grpc" | "tcp", or a prefixed name such as "example.com/custom"."""
    expose: NotRequired[pulumi.Input[bool]]
    """Put the port on the Service and open it in the NetworkPolicy. False keeps it
    inside the pod (e.g. a debug port)."""


class ExtraServiceArgs(TypedDict):
    """An additional Service for the same pods, e.g. a LoadBalancer beside the ClusterIP."""

    name: pulumi.Input[str]
    """Suffix of the Service name: the Service is called ``<component name>-<name>``."""
    type: NotRequired[pulumi.Input[str]]
    """ClusterIP, NodePort or LoadBalancer."""
    ports: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Names of the exposed ports to publish."""
    annotations: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Annotations of this Service only (e.g. load-balancer settings)."""
    load_balancer_source_ranges: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """CIDRs allowed to reach it (type LoadBalancer only)."""


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


# The protocol a port's name announces, as Kubernetes tools (Istio) read it:
# "<protocol>[-<suffix>]", e.g. "grpc", "tcp-redis", "redis".
_NAMED_PROTOCOLS = {
    "grpc": "grpc",
    "http2": "http2",
    "https": "https",
    "http": "http",
    "tcp": "tcp",
    "redis": "tcp",
    "mongo": "tcp",
    "mysql": "tcp",
    "amqp": "tcp",
}


def default_app_protocol(r: Fields) -> str:
    """``app_protocol`` when unset: what ``port_name`` announces, else "http"."""
    name = r.known("port_name")
    if isinstance(name, str):
        announced = _NAMED_PROTOCOLS.get(name.split("-", 1)[0])
        if announced is not None:
            return announced
    return "http"


def main_port(r: Fields) -> PortSpec:
    """The main port from ``port``, ``port_name``, ``app_protocol`` and ``service_port``."""
    given = r.known("app_protocol")
    protocol = r.text("app_protocol", default_app_protocol(r))
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


# -- the main container's ports ------------------------------------------------------------

NOT_FOR_WORKERS = (
    "port",
    "port_name",
    "app_protocol",
    "service_port",
    "service_type",
    "load_balancer_source_ranges",
    "extra_services",
    "service_annotations",
    "ingress",
)
"""Fields that describe the main port or the Service: a worker has neither."""


@dataclass(frozen=True)
class PortsSpec:
    """The main container's own ports (metrics and sidecar ports are added by their facets)."""

    worker: bool
    app_protocol: str
    main: PortSpec | None
    """None for a worker."""
    extra: Sequence[PortSpec]
    """``ports``."""

    @property
    def url_scheme(self) -> str:
        return url_scheme(self.main, self.app_protocol)


def read(r: Fields) -> PortsSpec:
    """``worker``, the main port and ``ports``."""
    worker = r.boolean("worker", DEFAULTS["worker"])
    if worker:
        for key in NOT_FOR_WORKERS:
            if r.present(key):
                raise r.fail(
                    key, r.raw(key), "does not apply to a worker (it has no main port or Service)"
                )
    main = None if worker else main_port(r)
    return PortsSpec(
        worker=worker,
        app_protocol=r.text("app_protocol", default_app_protocol(r)),
        main=main,
        extra=extra_ports(r, "ports"),
    )


# -- Services ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtraServiceSpec:
    """One more Service for the same pods."""

    suffix: str
    type: pulumi.Input[str]
    port_names: Sequence[str]
    annotations: Mapping[str, pulumi.Input[str]]
    load_balancer_source_ranges: Sequence[pulumi.Input[str]]


@dataclass(frozen=True)
class ServicesSpec:
    """The main Service (none for a worker) and ``extra_services``."""

    name: str
    type: pulumi.Input[str]
    load_balancer_source_ranges: Sequence[pulumi.Input[str]]
    annotations: Mapping[str, pulumi.Input[str]]
    ports: Sequence[PortSpec]
    """Every port the Services expose: the main port, exposed ``ports``, sidecar ports."""
    extra: Sequence[ExtraServiceSpec]
    has_service: bool

    @property
    def port_names(self) -> list[str]:
        return [p.name for p in self.ports]


def read_services(
    r: Fields, name: str, ports: PortsSpec, pod_ports: Sequence[PortSpec]
) -> ServicesSpec:
    """``service_type`` and its source ranges, ``service_annotations``, ``extra_services``.

    ``pod_ports`` are every port of the pod; the exposed ones are the Service's.
    """
    service_type = r.value(
        "service_type",
        DEFAULTS["service_type"],
        lambda c, f, v: rule.one_of(c, f, v, rule.SERVICE_TYPES),
    )
    ranges, service_type = _source_ranges(r, service_type)
    exposed = [p for p in pod_ports if p.expose]
    names = [p.name for p in exposed]
    return ServicesSpec(
        name=name,
        type=service_type,
        load_balancer_source_ranges=ranges,
        annotations=annotation_map(r, "service_annotations"),
        ports=exposed,
        extra=_extra_services(r, name, names),
        has_service=ports.main is not None,
    )


def _source_ranges(
    r: Fields, service_type: pulumi.Input[str]
) -> tuple[list[Any], pulumi.Input[str]]:
    """Source ranges are only valid on a LoadBalancer Service.

    Returns the ranges and the service type checked against them: the Service gets
    that checked value, so it is never registered with a type the ranges forbid.
    """
    ranges = r.checked_items("load_balancer_source_ranges", rule.cidr)
    if not ranges:
        return ranges, service_type
    c = r.component

    def load_balancer_only(kind: str) -> None:
        if kind != "LoadBalancer":
            raise ValidationError(
                c,
                "load_balancer_source_ranges",
                "[...]",
                f"can only be used with service_type LoadBalancer (not {kind})",
            )

    (checked_type,) = cross_checked([service_type], load_balancer_only)
    return ranges, checked_type


def _extra_services(r: Fields, name: str, service_ports: Sequence[str]) -> list[ExtraServiceSpec]:
    out: list[ExtraServiceSpec] = []
    for s in r.sections("extra_services", ExtraServiceArgs):
        suffix = rule.dns_label(r.component, s.field("name"), s.required_text("name"))
        full = f"{name}-{suffix}"
        if len(full) > 63:
            raise s.fail(
                "name", suffix, f"makes the Service name {full!r} longer than 63 characters"
            )
        if any(e.suffix == suffix for e in out):
            raise s.fail("name", suffix, "is already the name of another extra Service")
        kind = s.text("type", DEFAULTS["extra_services.type"])
        rule.one_of(r.component, s.field("type"), kind, rule.SERVICE_TYPES)
        names = s.texts("ports", service_ports)
        if s.present("ports") and not names:
            raise s.fail(
                "ports", [], "must name at least one port; leave it out to expose every port"
            )
        for i, port in enumerate(names):
            if port not in service_ports:
                raise s.fail(
                    f"ports[{i}]",
                    port,
                    f"is not an exposed port; expected one of: {', '.join(service_ports)}",
                )
        ranges = s.checked_items("load_balancer_source_ranges", rule.cidr)
        if ranges and kind != "LoadBalancer":
            raise s.fail(
                "load_balancer_source_ranges",
                "[...]",
                f"can only be used with type LoadBalancer (not {kind})",
            )
        out.append(
            ExtraServiceSpec(
                suffix=suffix,
                type=kind,
                port_names=names,
                annotations=annotation_map(s, "annotations"),
                load_balancer_source_ranges=ranges,
            )
        )
    return out


def service_spec(
    spec: ServicesSpec, release_labels: Mapping[str, pulumi.Input[str]] | None = None
) -> dict[str, Any]:
    """The Service; ``release_labels`` narrow it to one colour for blue/green."""
    s: dict[str, Any] = {
        "type": spec.type,
        "selector": {**selector_labels(spec.name), **(release_labels or {})},
        "ports": [p.service_port_entry() for p in spec.ports],
    }
    if spec.load_balancer_source_ranges:
        s["loadBalancerSourceRanges"] = list(spec.load_balancer_source_ranges)
    return s


def extra_service_name(spec: ServicesSpec, extra: ExtraServiceSpec) -> str:
    return f"{spec.name}-{extra.suffix}"


def extra_service_spec(
    spec: ServicesSpec,
    extra: ExtraServiceSpec,
    release_labels: Mapping[str, pulumi.Input[str]] | None = None,
) -> dict[str, Any]:
    """One of ``extra_services``: the same pods, the ports it names, its own type."""
    by_name = {p.name: p for p in spec.ports}
    s: dict[str, Any] = {
        "type": extra.type,
        "selector": {**selector_labels(spec.name), **(release_labels or {})},
        "ports": [by_name[n].service_port_entry() for n in extra.port_names],
    }
    if extra.load_balancer_source_ranges:
        s["loadBalancerSourceRanges"] = list(extra.load_balancer_source_ranges)
    return s
