"""Routes: Gateway API HTTPRoutes and GRPCRoutes that attach the Service to a Gateway.

Each entry of ``routes`` becomes one route object (``<service>-<name>``) with one rule:
its matches (paths, methods, headers, gRPC services), an optional request header
modifier and, for HTTPRoutes, timeouts. Values are checked with the CRDs' own patterns
and CEL rules (standard channel), so the API server never refuses what Moorage accepted.

The rule's ``backendRefs`` are the Service alone, or, with a canary whose traffic is
split by weight, the stable and canary Services with their weights
(:func:`backend_refs`).
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

import pulumi
import pulumi_kubernetes as k8s
from typing_extensions import NotRequired

from .. import _grammar as grammar
from .. import _rules as rule
from .._defaults import Computed
from .._errors import ValidationError
from .._fields import Fields, checked
from ._ports import PortSpec, PortsSpec

GATEWAY_API_VERSION = "gateway.networking.k8s.io/v1"
HTTP_ROUTE = "HTTPRoute"
GRPC_ROUTE = "GRPCRoute"
KINDS = (HTTP_ROUTE, GRPC_ROUTE)
PATH_TYPES = ("PathPrefix", "Exact", "RegularExpression")
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH")
MAX_HOSTNAMES = 16
MAX_MATCHES = 64
MAX_HEADERS = 16
"""Limits of the CRDs: hostnames per route, matches per rule, headers per match or
modifier list."""

DEFAULTS: dict[str, Any] = {
    "routes.kind": Computed('"GRPCRoute" when app_protocol is grpc, else "HTTPRoute"'),
    "routes.name": Computed('"grpc" for a GRPCRoute, else "http"'),
    "routes.gateway_namespace": Computed("the route's (the service's) namespace"),
    "routes.port": Computed("the main port (port_name)"),
    "routes.matches": Computed('every request (an HTTPRoute matches the path prefix "/")'),
    "routes.matches.path_type": "PathPrefix",
}
"""The defaults of this facet's fields, by dotted path (the reference prints them)."""


class RouteMatchArgs(TypedDict):
    """One way a request matches a route; every field given must match."""

    path: NotRequired[pulumi.Input[str]]
    """HTTPRoute: the request path (see ``path_type``), e.g. "/api"."""
    path_type: NotRequired[pulumi.Input[str]]
    """HTTPRoute: "PathPrefix", "Exact" or "RegularExpression"."""
    method: NotRequired[pulumi.Input[str]]
    """HTTPRoute: an HTTP method such as "GET"; GRPCRoute: a gRPC method such as "GetCart"."""
    service: NotRequired[pulumi.Input[str]]
    """GRPCRoute: a fully qualified gRPC service such as "shop.v1.Cart"."""
    headers: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Request headers that must have exactly these values."""


class RequestHeadersArgs(TypedDict):
    """Changes to the request headers before the request reaches the service."""

    set: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Headers to set (replacing any value)."""
    add: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Headers to add (beside any value)."""
    remove: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Headers to remove."""


class RouteArgs(TypedDict):
    """A Gateway API route (HTTPRoute or GRPCRoute) from a Gateway to the Service."""

    gateway: pulumi.Input[str]
    """Name of the Gateway the route attaches to (``parentRefs``)."""
    gateway_namespace: NotRequired[pulumi.Input[str]]
    """Namespace of that Gateway; its listeners must allow routes from this namespace."""
    section_name: NotRequired[pulumi.Input[str]]
    """Name of one listener of the Gateway; unset: every listener that allows the route."""
    kind: NotRequired[pulumi.Input[str]]
    """"HTTPRoute" or "GRPCRoute"."""
    name: NotRequired[pulumi.Input[str]]
    """Suffix of the route's object name, ``<service>-<name>`` (unique per service)."""
    hostnames: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Host names the route answers for (at most 16), e.g. "api.example.com" or
    "*.example.com"; unset: every host name of the listener."""
    matches: NotRequired[pulumi.Input[Sequence[pulumi.Input[RouteMatchArgs]]]]
    """Requests the route takes (any one of them, at most 64)."""
    port: NotRequired[pulumi.Input[str]]
    """Name of the Service port the route sends to."""
    timeout: NotRequired[pulumi.Input[str]]
    """HTTPRoute: how long the Gateway waits for the whole request, e.g. "10s"."""
    backend_timeout: NotRequired[pulumi.Input[str]]
    """HTTPRoute: how long one try to the service may take (at most ``timeout``)."""
    request_headers: NotRequired[pulumi.Input[RequestHeadersArgs]]
    """Request header changes (a RequestHeaderModifier filter)."""


@dataclass(frozen=True)
class RouteSpec:
    """One route, validated."""

    name: str
    kind: str
    gateway: str
    gateway_namespace: str | None
    section_name: str | None
    hostnames: list[str]
    matches: list[dict[str, Any]]
    port: int
    timeouts: dict[str, str] = field(default_factory=dict)
    header_modifier: dict[str, Any] = field(default_factory=dict)


def read(r: Fields, ports: PortsSpec, service_ports: Sequence[PortSpec]) -> list[RouteSpec]:
    """``routes``: every route, checked as the API server checks it."""
    sections = r.sections("routes", RouteArgs)
    if not sections:
        return []
    main = ports.main
    if main is None:
        raise r.fail("routes", "[...]", "needs a Service: a worker has none")
    default_kind = GRPC_ROUTE if ports.app_protocol == "grpc" else HTTP_ROUTE
    routes = [_route(s, default_kind, main, service_ports) for s in sections]
    seen: set[str] = set()
    for i, route in enumerate(routes):
        if route.name in seen:
            raise r.fail(f"routes[{i}].name", route.name, "is used by another route")
        seen.add(route.name)
    return routes


def _route(
    s: Fields, default_kind: str, main: PortSpec, service_ports: Sequence[PortSpec]
) -> RouteSpec:
    c = s.component
    kind = s.text("kind", default_kind)
    rule.one_of(c, s.field("kind"), kind, KINDS)
    name = s.text("name", "grpc" if kind == GRPC_ROUTE else "http")
    rule.dns_label(c, s.field("name"), name)
    gateway = s.required_text("gateway")
    rule.dns_subdomain(c, s.field("gateway"), gateway)
    gateway_namespace = s.optional_text("gateway_namespace")
    if gateway_namespace is not None:
        rule.dns_label(c, s.field("gateway_namespace"), gateway_namespace)
    section = s.optional_text("section_name")
    if section is not None:
        rule.dns_subdomain(c, s.field("section_name"), section)
    hostnames = s.texts("hostnames")
    if len(hostnames) > MAX_HOSTNAMES:
        raise s.fail("hostnames", f"[{len(hostnames)} items]", f"may hold at most {MAX_HOSTNAMES}")
    for i, host in enumerate(hostnames):
        _check(s, f"hostnames[{i}]", host, grammar.is_route_hostname, _HOSTNAME_RULE)
    matches = [_match(m, kind) for m in s.sections("matches", RouteMatchArgs)]
    if len(matches) > MAX_MATCHES:
        raise s.fail("matches", f"[{len(matches)} items]", f"may hold at most {MAX_MATCHES}")
    port_name = s.text("port", main.name)
    by_name = {p.name: p for p in service_ports}
    if port_name not in by_name:
        raise s.fail(
            "port", port_name, f"is not a Service port; expected one of: {', '.join(by_name)}"
        )
    port = by_name[port_name].service_port
    rule.known(c, s.field("port"), port, "a route names the Service port by number")
    return RouteSpec(
        name=name,
        kind=kind,
        gateway=gateway,
        gateway_namespace=gateway_namespace,
        section_name=section,
        hostnames=hostnames,
        matches=matches,
        port=int(port),  # type: ignore[arg-type]
        timeouts=_timeouts(s, kind),
        header_modifier=_header_modifier(s),
    )


_HOSTNAME_RULE = (
    "must be a host name: lowercase DNS labels of at most 63 letters, digits or '-', "
    "optionally starting with '*.', at most 253 characters, not an IP address"
)
_PATH_RULE = (
    "must be a path starting with '/', at most 1024 characters of letters, digits, "
    "\"-._~!$&'()*+,;=:@/\" or %XX escapes, without '//', '/./', '/../', '%2f' or '#', "
    "not ending in '/.' or '/..'"
)
_HEADER_RULE = "must be an HTTP header name (an RFC 9110 token of at most 256 characters)"
_DURATION_RULE = 'must be a Gateway API duration such as "10s", "1m30s" or "500ms"'


def _check(s: Fields, key: str, value: Any, valid: Any, message: str) -> None:
    if not isinstance(value, str) or not valid(value):
        raise s.fail(key, value, message)


def _match(m: Fields, kind: str) -> dict[str, Any]:
    """One match, in the route kind's own shape."""
    headers = m.mapping("headers")
    if len(headers) > MAX_HEADERS:
        raise m.fail("headers", "{...}", f"may hold at most {MAX_HEADERS} headers")
    for name in headers:
        _check(m, f"headers.{name}", name, grammar.is_route_header_name, _HEADER_RULE)
    body: dict[str, Any] = {}
    if headers:
        body["headers"] = [
            {
                "type": "Exact",
                "name": k,
                "value": checked(v, m.item_check(rule.text, f"headers.{k}")),
            }
            for k, v in headers.items()
        ]
    if kind == GRPC_ROUTE:
        return _grpc_match(m, body)
    for key in ("service",):
        if m.present(key):
            raise m.fail(key, m.raw(key), "only applies to a GRPCRoute")
    path = m.optional_text("path")
    path_type = m.text("path_type", DEFAULTS["routes.matches.path_type"])
    rule.one_of(m.component, m.field("path_type"), path_type, PATH_TYPES)
    if path is not None:
        if path_type == "RegularExpression":
            if not path or len(path) > 1024:
                raise m.fail("path", path, "must be a regular expression of 1 to 1024 characters")
        else:
            _check(m, "path", path, grammar.is_route_path, _PATH_RULE)
        body["path"] = {"type": path_type, "value": path}
    elif m.present("path_type"):
        raise m.fail("path_type", path_type, "needs a path")
    method = m.optional_text("method")
    if method is not None:
        rule.one_of(m.component, m.field("method"), method, HTTP_METHODS)
        body["method"] = method
    return body


def _grpc_match(m: Fields, body: dict[str, Any]) -> dict[str, Any]:
    for key in ("path", "path_type"):
        if m.present(key):
            raise m.fail(
                key,
                m.raw(key),
                "only applies to an HTTPRoute (a GRPCRoute matches service and method)",
            )
    service = m.optional_text("service")
    method = m.optional_text("method")
    if service is not None:
        _check(
            m,
            "service",
            service,
            grammar.is_grpc_service,
            'must be a fully qualified gRPC service such as "shop.v1.Cart"',
        )
    if method is not None:
        _check(
            m,
            "method",
            method,
            grammar.is_grpc_method,
            'must be a gRPC method name such as "GetCart"',
        )
    if service is not None or method is not None:
        body["method"] = {
            "type": "Exact",
            **({"service": service} if service is not None else {}),
            **({"method": method} if method is not None else {}),
        }
    return body


def _timeouts(s: Fields, kind: str) -> dict[str, str]:
    timeouts: dict[str, str] = {}
    for key, api_key in (("timeout", "request"), ("backend_timeout", "backendRequest")):
        value = s.optional_text(key)
        if value is None:
            continue
        if kind != HTTP_ROUTE:
            raise s.fail(key, value, "only applies to an HTTPRoute (GRPCRoute has no timeouts)")
        _check(s, key, value, grammar.is_gateway_duration, _DURATION_RULE)
        timeouts[api_key] = value
    request, backend = timeouts.get("request"), timeouts.get("backendRequest")
    if (
        request is not None
        and backend is not None
        and grammar.gateway_duration_seconds(backend) > grammar.gateway_duration_seconds(request)
        and grammar.gateway_duration_seconds(request) != 0
    ):
        raise s.fail("backend_timeout", backend, f"cannot be longer than timeout ({request})")
    return timeouts


def _header_modifier(s: Fields) -> dict[str, Any]:
    h = s.nested("request_headers", RequestHeadersArgs)
    if h is None:
        return {}
    modifier: dict[str, Any] = {}
    for key in ("set", "add"):
        values = h.mapping(key)
        if len(values) > MAX_HEADERS:
            raise h.fail(key, "{...}", f"may hold at most {MAX_HEADERS} headers")
        for name in values:
            _check(h, f"{key}.{name}", name, grammar.is_route_header_name, _HEADER_RULE)
        if values:
            modifier[key] = [
                {"name": k, "value": checked(v, h.item_check(rule.text, f"{key}.{k}"))}
                for k, v in values.items()
            ]
    remove = h.texts("remove")
    if len(remove) > MAX_HEADERS:
        raise h.fail("remove", "[...]", f"may hold at most {MAX_HEADERS} headers")
    for i, name in enumerate(remove):
        _check(h, f"remove[{i}]", name, grammar.is_route_header_name, _HEADER_RULE)
    if remove:
        modifier["remove"] = remove
    _no_header_twice(h, modifier)
    return modifier


def _no_header_twice(h: Fields, modifier: Mapping[str, Any]) -> None:
    """The CRDs key each list by header name, case-insensitively: one entry per name."""
    for key in ("set", "add"):
        names = [e["name"].lower() for e in modifier.get(key, [])]
        for name in names:
            if names.count(name) > 1:
                raise h.fail(key, name, "names a header twice (header names ignore case)")


def backend_refs(
    route: RouteSpec, backends: Sequence[tuple[pulumi.Input[str], pulumi.Input[int]]]
) -> list[dict[str, Any]]:
    """The rule's backendRefs: each (Service name, weight) on the route's port."""
    return [{"name": service, "port": route.port, "weight": weight} for service, weight in backends]


def route_spec(
    route: RouteSpec, backends: Sequence[tuple[pulumi.Input[str], pulumi.Input[int]]]
) -> dict[str, Any]:
    """The body (``spec``) of the route object, sending to ``backends``."""
    parent: dict[str, Any] = {
        "group": "gateway.networking.k8s.io",
        "kind": "Gateway",
        "name": route.gateway,
    }
    if route.gateway_namespace is not None:
        parent["namespace"] = route.gateway_namespace
    if route.section_name is not None:
        parent["sectionName"] = route.section_name
    the_rule: dict[str, Any] = {"backendRefs": backend_refs(route, backends)}
    if route.matches:
        the_rule["matches"] = route.matches
    elif route.kind == HTTP_ROUTE:
        the_rule["matches"] = [{"path": {"type": "PathPrefix", "value": "/"}}]
    if route.header_modifier:
        the_rule["filters"] = [
            {"type": "RequestHeaderModifier", "requestHeaderModifier": route.header_modifier}
        ]
    if route.timeouts:
        the_rule["timeouts"] = dict(route.timeouts)
    body: dict[str, Any] = {"parentRefs": [parent], "rules": [the_rule]}
    if route.hostnames:
        body["hostnames"] = list(route.hostnames)
    return body


def object_name(service: str, route: RouteSpec) -> str:
    """The route object's name."""
    return f"{service}-{route.name}"


def check_weight(component: str, field_name: str, value: object) -> int:
    """A backend weight the CRDs accept (0 to 1,000,000)."""
    if not isinstance(value, int) or not grammar.is_route_weight(value):
        raise ValidationError(
            component, field_name, value, f"must be an integer from 0 to {grammar.ROUTE_WEIGHT_MAX}"
        )
    return value


def declare_routes(
    owner: pulumi.Resource,
    service: str,
    bodies: Sequence[tuple[RouteSpec, dict[str, Any]]],
    metadata_for: Callable[[str], dict[str, Any]],
) -> list[k8s.apiextensions.CustomResource]:
    """One route object per route, children of ``owner``, named after ``service``."""
    return [
        k8s.apiextensions.CustomResource(
            f"{service}-route-{route.name}",
            api_version=GATEWAY_API_VERSION,
            kind=route.kind,
            metadata=metadata_for(object_name(service, route)),
            spec=body,
            opts=pulumi.ResourceOptions(parent=owner),
        )
        for route, body in bodies
    ]


def track_service_name(service: str, track: str) -> str:
    """The Service of one canary track ("stable" or "canary")."""
    return f"{service}-{track}"


def track_service_spec(main: Mapping[str, Any]) -> dict[str, Any]:
    """A track's Service: the main Service's ports and selector (narrowed to the track),
    always ClusterIP (the Gateway is the way in)."""
    return {"type": "ClusterIP", "selector": main["selector"], "ports": main["ports"]}


def track_backends(
    service: str, canary_weight: pulumi.Output[int]
) -> list[tuple[pulumi.Input[str], pulumi.Input[int]]]:
    """The backends of a canary's routes: stable and canary, weighted in percent."""
    return [
        (track_service_name(service, "stable"), canary_weight.apply(lambda w: 100 - w)),
        (track_service_name(service, "canary"), canary_weight),
    ]


def check_track_names(r: Fields, canary: bool, extra_suffixes: Sequence[str]) -> None:
    """A canary with routes names its track Services ``<service>-stable`` and
    ``<service>-canary``: no extra Service may take those names."""
    if not canary:
        return
    for i, suffix in enumerate(extra_suffixes):
        if suffix in ("stable", "canary"):
            raise r.fail(
                f"extra_services[{i}].name",
                suffix,
                "is taken: a canary with routes names its track Services "
                "<service>-stable and <service>-canary",
            )
