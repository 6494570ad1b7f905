"""Networking: the Service (ports, type, load-balancer source ranges), the Ingress, how
metrics are exposed, and the NetworkPolicy that decides who may reach the pods."""

from __future__ import annotations

import pytest
from moorage._errors import ValidationError
from moorage.webservice import render

from tests.unit.webservice.helpers import (
    INGRESS,
    NETWORK_POLICY,
    SERVICE,
    container,
    inputs,
    kubernetes_resources,
    pod_annotations,
    spec,
    web_service,
)

# -- Service -------------------------------------------------------------------------------


def test_service_defaults_to_cluster_ip_on_port_80_targeting_the_named_container_port(mocks):
    web_service(mocks)
    spec = inputs(mocks, SERVICE)["spec"]
    (port,) = spec["ports"]
    container_ports = {p["name"]: p["containerPort"] for p in container(mocks)["ports"]}

    assert spec["type"] == "ClusterIP"
    assert (port["name"], port["port"]) == ("http", 80)
    assert container_ports[port["targetPort"]] == 8080
    assert "loadBalancerSourceRanges" not in spec


def test_ports_can_be_changed(mocks):
    web_service(mocks, port=3000, service_port=8443)

    (port,) = inputs(mocks, SERVICE)["spec"]["ports"]
    container_ports = {p["name"]: p["containerPort"] for p in container(mocks)["ports"]}

    assert port["port"] == 8443
    assert container_ports[port["targetPort"]] == 3000


def test_load_balancer_service_restricts_source_ranges(mocks):
    ranges = ["203.0.113.0/24", "2001:db8::/32"]
    web_service(mocks, service_type="LoadBalancer", load_balancer_source_ranges=ranges)

    spec = inputs(mocks, SERVICE)["spec"]

    assert spec["type"] == "LoadBalancer"
    assert spec["loadBalancerSourceRanges"] == ranges


def test_node_port_service(mocks):
    web_service(mocks, service_type="NodePort")

    assert inputs(mocks, SERVICE)["spec"]["type"] == "NodePort"


def test_service_spec_omits_source_ranges_unless_given():
    assert "loadBalancerSourceRanges" not in render(spec()).service()


@pytest.mark.parametrize("service_type", ["ClusterIP", "NodePort"])
def test_source_ranges_require_a_load_balancer(mocks, service_type):
    with pytest.raises(ValidationError, match="load_balancer_source_ranges"):
        web_service(
            mocks, service_type=service_type, load_balancer_source_ranges=["203.0.113.0/24"]
        )
    assert kubernetes_resources(mocks) == []


# -- Ingress -------------------------------------------------------------------------------


def test_ingress_routes_host_and_path_to_the_service_with_tls_and_class(mocks):
    web_service(
        mocks,
        ingress={
            "host": "api.example.com",
            "path": "/v1",
            "tls_secret_name": "api-tls",
            "ingress_class_name": "nginx",
            "annotations": {"cert-manager.io/cluster-issuer": "letsencrypt"},
        },
    )
    ingress = inputs(mocks, INGRESS)
    service = inputs(mocks, SERVICE)
    (rule,) = ingress["spec"]["rules"]
    (path,) = rule["http"]["paths"]
    backend = path["backend"]["service"]

    assert rule["host"] == "api.example.com"
    assert (path["path"], path["pathType"]) == ("/v1", "Prefix")
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
    assert ingress["spec"]["tls"] == [{"hosts": ["api.example.com"], "secretName": "api-tls"}]
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["metadata"]["annotations"] == {"cert-manager.io/cluster-issuer": "letsencrypt"}
    # Ingress-specific annotations stay on the Ingress.
    assert "annotations" not in service["metadata"]


def test_ingress_without_tls_or_class_uses_the_cluster_defaults(mocks):
    web_service(mocks, ingress={"host": "api.example.com"})

    spec = inputs(mocks, INGRESS)["spec"]

    assert spec["rules"][0]["http"]["paths"][0]["path"] == "/"
    assert "tls" not in spec
    assert "ingressClassName" not in spec


# -- metrics -------------------------------------------------------------------------------


def test_metrics_on_a_separate_port_are_annotated_and_exposed(mocks):
    web_service(mocks, metrics={"port": 9090, "path": "/prom"})

    ports = {p["name"]: p["containerPort"] for p in container(mocks)["ports"]}
    annotations = pod_annotations(mocks)

    assert ports == {"http": 8080, "metrics": 9090}
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == "9090"
    assert annotations["prometheus.io/path"] == "/prom"


@pytest.mark.parametrize("metrics", [{}, {"port": 8080}], ids=["default-port", "same-port"])
def test_metrics_on_the_main_port_add_no_extra_port(mocks, metrics):
    web_service(mocks, metrics=metrics)

    assert [p["name"] for p in container(mocks)["ports"]] == ["http"]
    assert pod_annotations(mocks)["prometheus.io/port"] == "8080"
    assert pod_annotations(mocks)["prometheus.io/path"] == "/metrics"


def test_no_scrape_annotations_without_metrics(mocks):
    web_service(mocks)

    assert not any(k.startswith("prometheus.io/") for k in pod_annotations(mocks))


# -- NetworkPolicy -------------------------------------------------------------------------


def test_network_policy_admits_only_same_namespace_pods_on_the_container_port(mocks):
    web_service(mocks, port=8080, service_port=80)

    spec = inputs(mocks, NETWORK_POLICY)["spec"]
    (rule,) = spec["ingress"]

    assert spec["policyTypes"] == ["Ingress"]
    # Pods receive traffic on the container port; the Service port is never seen by them.
    assert rule["ports"] == [{"protocol": "TCP", "port": 8080}]
    # A bare podSelector (no namespaceSelector) means: any pod in this namespace.
    assert rule["from"] == [{"podSelector": {}}]


def test_network_policy_uses_the_container_port_not_the_service_port():
    policy = render(spec(port=9000, service_port=80)).network_policy

    assert policy["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 9000}]


def test_network_policy_allows_listed_namespaces_pod_labels_and_cidrs(mocks):
    web_service(
        mocks,
        network_policy={
            "allow_from_namespaces": ["ingress-nginx", "monitoring"],
            "allow_from_pod_labels": {"role": "frontend"},
            "allow_cidrs": ["10.0.0.0/16"],
        },
    )

    peers = inputs(mocks, NETWORK_POLICY)["spec"]["ingress"][0]["from"]
    only_frontends = {"matchLabels": {"role": "frontend"}}

    assert {"podSelector": only_frontends} in peers
    for ns in ("ingress-nginx", "monitoring"):
        assert {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}},
            "podSelector": only_frontends,
        } in peers
    assert {"ipBlock": {"cidr": "10.0.0.0/16"}} in peers
    assert len(peers) == 4


def test_network_policy_admits_a_separate_metrics_port(mocks):
    web_service(mocks, metrics={"port": 9090})

    ports = inputs(mocks, NETWORK_POLICY)["spec"]["ingress"][0]["ports"]

    assert sorted(p["port"] for p in ports) == [8080, 9090]


INGRESS_BLOCKED = "an ingress controller running in another namespace cannot reach it"


def test_ingress_behind_a_same_namespace_policy_warns_in_the_preview(mocks, caplog):
    with caplog.at_level("WARNING"):
        web_service(mocks, ingress={"host": "api.example.com"})

    warnings = [r.getMessage() for r in caplog.records if INGRESS_BLOCKED in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].startswith('WebService "api": ingress is set')
    assert "network_policy.allow_from_namespaces" in warnings[0]


@pytest.mark.parametrize(
    "fields",
    [
        {
            "ingress": {"host": "api.example.com"},
            "network_policy": {"allow_from_namespaces": ["ingress-nginx"]},
        },
        {"ingress": {"host": "api.example.com"}, "network_policy": {"allow_cidrs": ["10.0.0.0/8"]}},
        {"ingress": {"host": "api.example.com"}, "network_policy": {"enabled": False}},
        {},
    ],
)
def test_no_ingress_warning_when_the_controller_can_reach_the_pods(mocks, caplog, fields):
    with caplog.at_level("WARNING"):
        web_service(mocks, **fields)

    assert not [r for r in caplog.records if INGRESS_BLOCKED in r.getMessage()]


def test_network_policy_can_be_disabled(mocks):
    ws = web_service(mocks, network_policy={"enabled": False})

    assert mocks.of_type(NETWORK_POLICY) == []
    assert ws.network_policy is None
