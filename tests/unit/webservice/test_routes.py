"""Routes: Gateway API HTTPRoutes and GRPCRoutes from a Gateway to the Service, beside the
Ingress, checked as the CRDs check them."""

from __future__ import annotations

import pytest
from moorage._errors import ValidationError

from tests.unit.webservice.helpers import INGRESS, inputs, spec, web_service

HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
GRPC_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:GRPCRoute"

PUBLIC = {"gateway": "public", "gateway_namespace": "gateways"}


def test_an_http_route_attaches_the_service_to_a_gateway_by_name_and_namespace(mocks):
    web_service(
        mocks,
        routes=[
            {
                **PUBLIC,
                "section_name": "https",
                "hostnames": ["api.example.com", "*.example.org"],
                "matches": [
                    {"path": "/v1", "headers": {"X-Env": "canary"}},
                    {"path": "/health", "path_type": "Exact", "method": "GET"},
                ],
                "timeout": "10s",
                "backend_timeout": "2s",
                "request_headers": {"set": {"X-From": "gateway"}, "remove": ["X-Debug"]},
            }
        ],
    )

    route = inputs(mocks, HTTP_ROUTE)
    (rule,) = route["spec"]["rules"]

    assert route["metadata"]["name"] == "api-http"
    assert route["spec"]["parentRefs"] == [
        {
            "group": "gateway.networking.k8s.io",
            "kind": "Gateway",
            "name": "public",
            "namespace": "gateways",
            "sectionName": "https",
        }
    ]
    assert route["spec"]["hostnames"] == ["api.example.com", "*.example.org"]
    assert rule["matches"] == [
        {
            "headers": [{"type": "Exact", "name": "X-Env", "value": "canary"}],
            "path": {"type": "PathPrefix", "value": "/v1"},
        },
        {"path": {"type": "Exact", "value": "/health"}, "method": "GET"},
    ]
    assert rule["timeouts"] == {"request": "10s", "backendRequest": "2s"}
    assert rule["filters"] == [
        {
            "type": "RequestHeaderModifier",
            "requestHeaderModifier": {
                "set": [{"name": "X-From", "value": "gateway"}],
                "remove": ["X-Debug"],
            },
        }
    ]
    assert rule["backendRefs"] == [{"name": "api", "port": 80, "weight": 1}]


def test_an_http_route_without_matches_takes_every_path(mocks):
    web_service(mocks, routes=[{"gateway": "public"}])

    (rule,) = inputs(mocks, HTTP_ROUTE)["spec"]["rules"]

    assert rule["matches"] == [{"path": {"type": "PathPrefix", "value": "/"}}]


def test_a_grpc_service_gets_a_grpc_route_matching_services_and_methods(mocks):
    web_service(
        mocks,
        app_protocol="grpc",
        routes=[{**PUBLIC, "matches": [{"service": "shop.v1.Cart", "method": "GetCart"}]}],
    )

    route = inputs(mocks, GRPC_ROUTE)
    (rule,) = route["spec"]["rules"]

    assert route["metadata"]["name"] == "api-grpc"
    assert rule["matches"] == [
        {"method": {"type": "Exact", "service": "shop.v1.Cart", "method": "GetCart"}}
    ]
    assert "timeouts" not in rule


def test_routes_to_another_port_and_the_ingress_live_side_by_side(mocks):
    web_service(
        mocks,
        ports=[{"name": "admin", "port": 9000, "service_port": 9001}],
        ingress={"host": "api.example.com"},
        routes=[
            {"gateway": "public", "hostnames": ["api.example.com"]},
            {"gateway": "internal", "name": "admin", "port": "admin"},
        ],
    )

    refs = {
        r.inputs["metadata"]["name"]: r.inputs["spec"]["rules"][0]["backendRefs"]
        for r in mocks.resources
        if r.typ == HTTP_ROUTE
    }

    assert mocks.one(INGRESS) is not None
    assert refs == {
        "api-http": [{"name": "api", "port": 80, "weight": 1}],
        "api-admin": [{"name": "api", "port": 9001, "weight": 1}],
    }


@pytest.mark.parametrize(
    ("route", "field", "rule"),
    [
        ({"hostnames": ["API.example.com"]}, "routes[0].hostnames[0]", "must be a host name"),
        ({"hostnames": ["10.0.0.1"]}, "routes[0].hostnames[0]", "not an IP address"),
        ({"hostnames": [f"h{i}.example.com" for i in range(17)]}, "routes[0].hostnames", "16"),
        ({"matches": [{"path": "/a//b"}]}, "routes[0].matches[0].path", "without '//'"),
        ({"matches": [{"path": "/a#b"}]}, "routes[0].matches[0].path", "'#'"),
        ({"matches": [{"path": "api"}]}, "routes[0].matches[0].path", "starting with '/'"),
        ({"matches": [{"path_type": "Prefix", "path": "/"}]}, "path_type", "must be one of"),
        ({"matches": [{"path_type": "Exact"}]}, "routes[0].matches[0].path_type", "needs a path"),
        ({"matches": [{"method": "FETCH"}]}, "routes[0].matches[0].method", "must be one of"),
        ({"matches": [{"headers": {"X Env": "a"}}]}, "matches[0].headers.X Env", "header name"),
        ({"matches": [{"service": "shop.Cart"}]}, "matches[0].service", "only applies to a GRPC"),
        ({"timeout": "10 seconds"}, "routes[0].timeout", "Gateway API duration"),
        ({"timeout": "1s", "backend_timeout": "2s"}, "routes[0].backend_timeout", "longer"),
        ({"port": "admin"}, "routes[0].port", "is not a Service port"),
        ({"kind": "TCPRoute"}, "routes[0].kind", "must be one of"),
        ({"gateway_namespace": "Gateways"}, "routes[0].gateway_namespace", "DNS-1123 label"),
        ({"request_headers": {"set": {"X-A": "1", "x-a": "2"}}}, "set", "twice"),
        ({"gateway": None}, "routes[0].gateway", "is required"),
        ({"hostname": "api.example.com"}, "routes[0].hostname", 'did you mean "hostnames"'),
    ],
)
def test_routes_are_checked_as_the_crds_check_them(route, field, rule):
    with pytest.raises(ValidationError) as error:
        spec(routes=[{"gateway": "public", **route}])

    assert field in str(error.value)
    assert rule in str(error.value)


def test_grpc_routes_have_no_paths_or_timeouts():
    with pytest.raises(ValidationError, match="only applies to an HTTPRoute"):
        spec(app_protocol="grpc", routes=[{"gateway": "g", "matches": [{"path": "/"}]}])
    with pytest.raises(ValidationError, match="GRPCRoute has no timeouts"):
        spec(app_protocol="grpc", routes=[{"gateway": "g", "timeout": "5s"}])


def test_two_routes_need_two_names():
    with pytest.raises(ValidationError, match=r"routes\[1\]\.name.*used by another route"):
        spec(routes=[{"gateway": "a"}, {"gateway": "b"}])


def test_a_worker_has_no_service_to_route_to():
    with pytest.raises(ValidationError, match=r"routes.*a worker has none"):
        spec(worker=True, routes=[{"gateway": "public"}])


def test_an_application_passes_routes_through_to_its_services(mocks):
    from moorage import Application

    mocks.run(
        lambda: Application(
            "shop",
            {
                "namespaces": {"shop": {}},
                "services": {
                    "web": {
                        "image": "ghcr.io/acme/app:1.0.0",
                        "namespace": "shop",
                        "routes": [{"gateway": "public", "hostnames": ["shop.example.com"]}],
                    }
                },
            },
        )
    )

    route = inputs(mocks, HTTP_ROUTE)
    assert route["metadata"]["name"] == "web-http"
    assert route["spec"]["hostnames"] == ["shop.example.com"]


def test_a_routed_canary_keeps_the_track_service_names_for_itself():
    with pytest.raises(ValidationError, match=r"extra_services\[0\]\.name.*is taken"):
        spec(
            strategy="canary",
            replicas=2,
            routes=[{"gateway": "public"}],
            extra_services=[{"name": "canary"}],
        )
