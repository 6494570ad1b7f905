"""Workload shapes: named ports, workers without a Service, extra Services, the url."""

from __future__ import annotations

from typing import Any

import pulumi_kubernetes as k8s
import pytest
from moorage._errors import ValidationError
from moorage.webservice import build_spec, render

from tests.unit.webservice.helpers import (
    DEPLOYMENT,
    INGRESS,
    NETWORK_POLICY,
    SERVICE,
    container,
    inputs,
    plain,
    web_service,
)

IMAGE = "ghcr.io/acme/api:1.4.2"


def fails(field: str, rule: str, **args: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        build_spec("api", {"image": IMAGE, **args})  # type: ignore[typeddict-item]
    assert str(caught.value).startswith(f'WebService "api": {field} (')
    assert rule in str(caught.value)


def test_extra_ports_reach_the_container_the_service_and_the_network_policy(mocks):
    web_service(
        mocks,
        app_protocol="grpc",
        port=50051,
        service_port=50051,
        ports=[
            {"name": "admin", "port": 9000, "service_port": 90, "app_protocol": "http"},
            {"name": "stats", "port": 8125, "protocol": "UDP"},
            {"name": "debug", "port": 6060, "expose": False},
        ],
    )
    assert [p["name"] for p in container(mocks)["ports"]] == ["grpc", "admin", "stats", "debug"]
    assert inputs(mocks, SERVICE)["spec"]["ports"] == [
        {
            "name": "grpc",
            "port": 50051,
            "targetPort": "grpc",
            "protocol": "TCP",
            "appProtocol": "grpc",
        },
        {
            "name": "admin",
            "port": 90,
            "targetPort": "admin",
            "protocol": "TCP",
            "appProtocol": "http",
        },
        {"name": "stats", "port": 8125, "targetPort": "stats", "protocol": "UDP"},
    ]
    (rule,) = inputs(mocks, NETWORK_POLICY)["spec"]["ingress"]
    assert rule["ports"] == [
        {"protocol": "TCP", "port": 50051},
        {"protocol": "TCP", "port": 9000},
        {"protocol": "UDP", "port": 8125},
    ]


def test_http2_uses_the_kubernetes_name_for_h2c_on_the_service():
    spec = build_spec("api", {"image": IMAGE, "app_protocol": "http2"})
    assert render(spec).service()["ports"][0]["appProtocol"] == "kubernetes.io/h2c"


@pytest.mark.parametrize(
    ("fields", "url"),
    [
        (
            {"app_protocol": "grpc", "port": 50051, "service_port": 50051},
            "grpc://api.shop.svc.cluster.local:50051",
        ),
        ({"app_protocol": "tcp", "service_port": 6379}, "tcp://api.shop.svc.cluster.local:6379"),
        ({"app_protocol": "https", "service_port": 443}, "https://api.shop.svc.cluster.local:443"),
        ({"app_protocol": "http2"}, "http://api.shop.svc.cluster.local:80"),
    ],
)
def test_the_url_scheme_follows_the_main_ports_protocol(mocks, fields, url):
    ws = web_service(mocks, namespace="shop", **fields)
    assert mocks.settle(ws.url) == url


def test_a_worker_has_no_service_and_admits_no_traffic(mocks):
    ws = web_service(mocks, worker=True)

    assert ws.service is None
    assert mocks.of_type(SERVICE) == []
    assert mocks.of_type(INGRESS) == []
    assert mocks.settle(ws.url) == ""
    assert mocks.settle(ws.service_name) == ""
    assert "ports" not in container(mocks)
    policy = inputs(mocks, NETWORK_POLICY)["spec"]
    assert policy["policyTypes"] == ["Ingress"]
    assert policy["ingress"] == []  # deny all
    # No endpoints to leave: no preStop delay.
    assert "lifecycle" not in container(mocks)
    assert isinstance(ws.deployment, k8s.apps.v1.Deployment)


def test_a_worker_with_metrics_opens_only_the_metrics_port(mocks):
    web_service(mocks, worker=True, metrics={"port": 9090})
    (rule,) = inputs(mocks, NETWORK_POLICY)["spec"]["ingress"]
    assert rule["ports"] == [{"protocol": "TCP", "port": 9090}]


@pytest.mark.parametrize(
    "key", ["port", "service_type", "ingress", "extra_services", "service_annotations"]
)
def test_service_fields_do_not_apply_to_a_worker(key):
    value: Any = {
        "port": 80,
        "service_type": "LoadBalancer",
        "ingress": {"host": "a.example.com"},
        "extra_services": [{"name": "x"}],
        "service_annotations": {"a": "b"},
    }[key]
    fails(
        key,
        "does not apply to a worker (it has no main port or Service)",
        worker=True,
        **{key: value},
    )


def test_a_worker_cannot_use_a_traffic_switching_strategy():
    fails("strategy", "is not available for a worker", worker=True, strategy="blue_green")


def test_an_extra_load_balancer_beside_the_cluster_ip(mocks):
    ws = web_service(
        mocks,
        ports=[{"name": "admin", "port": 9000}],
        service_annotations={"internal.example.com/only": "true"},
        extra_services=[
            {
                "name": "public",
                "type": "LoadBalancer",
                "ports": ["http"],
                "annotations": {
                    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"
                },
                "load_balancer_source_ranges": ["203.0.113.0/24"],
            }
        ],
    )
    main, extra = (plain(r.inputs) for r in mocks.of_type(SERVICE))
    assert main["metadata"]["name"] == "api"
    assert main["spec"]["type"] == "ClusterIP"
    assert [p["name"] for p in main["spec"]["ports"]] == ["http", "admin"]
    assert "internal.example.com/only" in main["metadata"]["annotations"]

    assert extra["metadata"]["name"] == "api-public"
    assert extra["spec"]["type"] == "LoadBalancer"
    assert extra["spec"]["selector"] == main["spec"]["selector"]
    assert [p["name"] for p in extra["spec"]["ports"]] == ["http"]
    assert extra["spec"]["loadBalancerSourceRanges"] == ["203.0.113.0/24"]
    assert "internal.example.com/only" not in extra["metadata"].get("annotations", {})
    assert set(ws.extra_services) == {"public"}


def test_an_extra_service_publishes_every_exposed_port_by_default():
    spec = build_spec(
        "api",
        {
            "image": IMAGE,
            "ports": [
                {"name": "admin", "port": 9000},
                {"name": "debug", "port": 6060, "expose": False},
            ],
            "extra_services": [{"name": "all"}],
        },
    )
    (extra,) = spec.services.extra
    assert [p["name"] for p in render(spec).extra_service(extra)["ports"]] == ["http", "admin"]


@pytest.mark.parametrize(
    ("args", "field", "rule"),
    [
        (
            {"ports": [{"name": "http", "port": 9000}]},
            "ports[0].name",
            "is already the name of another port",
        ),
        (
            {"ports": [{"name": "admin", "port": 8080}]},
            "ports[0].port",
            "is already the container port of port 'http'",
        ),
        ({"ports": [{"name": "Admin_Port", "port": 9000}]}, "ports[0].name", "must be a port name"),
        ({"ports": [{"name": "1234", "port": 9000}]}, "ports[0].name", "at least one letter"),
        ({"ports": [{"name": "admin"}]}, "ports[0].port", "is required"),
        (
            {"ports": [{"name": "q", "port": 1, "protocol": "QUIC"}]},
            "ports[0].protocol",
            "one of TCP, UDP, SCTP",
        ),
        ({"app_protocol": "soap"}, "app_protocol", "must be one of http, https, http2, grpc, tcp"),
        (
            {"extra_services": [{"name": "pub", "ports": ["nope"]}]},
            "extra_services[0].ports[0]",
            "is not an exposed port",
        ),
        (
            {"extra_services": [{"name": "pub", "load_balancer_source_ranges": ["10.0.0.0/8"]}]},
            "extra_services[0].load_balancer_source_ranges",
            "only be used with type LoadBalancer",
        ),
        (
            {"extra_services": [{"name": "a"}, {"name": "a"}]},
            "extra_services[1].name",
            "already the name",
        ),
        (
            {"ingress": {"host": "a.example.com", "port": "nope"}},
            "ingress.port",
            "is not a Service port",
        ),
    ],
)
def test_port_and_service_errors(args, field, rule):
    fails(field, rule, **args)


def test_the_ingress_may_route_to_another_named_port(mocks):
    web_service(
        mocks,
        ports=[{"name": "web", "port": 3000}],
        ingress={"host": "a.example.com", "port": "web"},
        network_policy={"allow_from_namespaces": ["ingress-nginx"]},
    )
    backend = inputs(mocks, INGRESS)["spec"]["rules"][0]["http"]["paths"][0]["backend"]
    assert backend == {"service": {"name": "api", "port": {"name": "web"}}}


def test_container_name_and_per_object_annotations(mocks):
    web_service(
        mocks,
        container_name="app",
        annotations={"team": "shop"},
        deployment_annotations={"deploy.example.com/x": "1"},
        pod_annotations={"sidecar.istio.io/inject": "false"},
        service_annotations={"svc.example.com/y": "2"},
    )
    deployment = inputs(mocks, DEPLOYMENT)
    assert container(mocks)["name"] == "app"
    assert deployment["metadata"]["annotations"] == {"team": "shop", "deploy.example.com/x": "1"}
    pod = deployment["spec"]["template"]["metadata"]["annotations"]
    assert pod == {"team": "shop", "sidecar.istio.io/inject": "false"}
    assert inputs(mocks, SERVICE)["metadata"]["annotations"] == {
        "team": "shop",
        "svc.example.com/y": "2",
    }


def test_metrics_on_one_of_the_ports_add_no_port_of_their_own():
    spec = build_spec(
        "api",
        {"image": IMAGE, "ports": [{"name": "admin", "port": 9000}], "metrics": {"port": 9000}},
    )
    assert [p.name for p in spec.containers.main.ports] == ["http", "admin"]
    assert render(spec).pod_template["metadata"]["annotations"]["prometheus.io/port"] is not None
