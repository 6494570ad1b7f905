"""The component's outputs and typed child attributes."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
import pytest
from pulumi.runtime.sync_await import _sync_await

from tests.unit.webservice_helpers import DEPLOYMENT, SERVICE, inputs, web_service


@pytest.mark.parametrize(
    ("fields", "url"),
    [
        ({}, "http://api.api.svc.cluster.local:80"),
        ({"namespace": "shop"}, "http://api.shop.svc.cluster.local:80"),
        ({"namespace": "shop", "service_port": 8080}, "http://api.shop.svc.cluster.local:8080"),
    ],
)
def test_url_is_the_in_cluster_dns_name_of_the_service(mocks, fields, url):
    ws = web_service(mocks, **fields)
    service = inputs(mocks, SERVICE)
    meta = service["metadata"]

    assert mocks.settle(ws.url) == url
    # ...which is exactly what the registered Service answers to.
    assert url == (
        f"http://{meta['name']}.{meta['namespace']}.svc.cluster.local:"
        f"{service['spec']['ports'][0]['port']}"
    )


def test_url_with_a_port_known_only_at_deploy_time_depends_on_the_service(mocks):
    ws = web_service(mocks, namespace="shop", service_port=pulumi.Output.from_input(8443))

    assert mocks.settle(ws.url) == "http://api.shop.svc.cluster.local:8443"
    assert ws.service in _sync_await(ws.url.resources())


@pytest.mark.parametrize(("fields", "namespace"), [({}, "api"), ({"namespace": "shop"}, "shop")])
def test_namespace_deployment_and_service_name_outputs(mocks, fields, namespace):
    ws = web_service(mocks, **fields)

    assert mocks.settle(ws.namespace) == namespace
    assert (
        mocks.settle(ws.deployment_name) == inputs(mocks, DEPLOYMENT)["metadata"]["name"] == "api"
    )
    assert mocks.settle(ws.service_name) == inputs(mocks, SERVICE)["metadata"]["name"] == "api"


def test_minimal_service_typed_children(mocks):
    ws = web_service(mocks)

    assert isinstance(ws.namespace_resource, k8s.core.v1.Namespace)
    assert isinstance(ws.service_account, k8s.core.v1.ServiceAccount)
    assert isinstance(ws.deployment, k8s.apps.v1.Deployment)
    assert isinstance(ws.service, k8s.core.v1.Service)
    assert isinstance(ws.pod_disruption_budget, k8s.policy.v1.PodDisruptionBudget)
    assert isinstance(ws.network_policy, k8s.networking.v1.NetworkPolicy)
    assert ws.config_map is None
    assert ws.secret is None
    assert ws.horizontal_pod_autoscaler is None
    assert ws.ingress is None


def test_optional_typed_children_exist_when_configured(mocks):
    ws = web_service(
        mocks,
        namespace="shop",
        config={"A": "1"},
        secrets={"B": "2"},
        autoscaling={},
        ingress={"host": "api.example.com"},
    )

    assert ws.namespace_resource is None
    assert isinstance(ws.config_map, k8s.core.v1.ConfigMap)
    assert isinstance(ws.secret, k8s.core.v1.Secret)
    assert isinstance(ws.horizontal_pod_autoscaler, k8s.autoscaling.v2.HorizontalPodAutoscaler)
    assert isinstance(ws.ingress, k8s.networking.v1.Ingress)


def test_child_attributes_are_the_registered_resources(mocks):
    ws = web_service(mocks)

    assert mocks.settle(ws.deployment.metadata.name) == "api"
    assert mocks.settle(ws.service.spec.type) == "ClusterIP"
