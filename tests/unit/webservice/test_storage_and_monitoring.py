"""WebService persistence (a claim made and mounted) and Prometheus Operator objects."""

from __future__ import annotations

from typing import Any

import pytest
from moorage import ValidationError, WebService

from tests.unit.conftest import RecordingMocks

IMAGE = "redis:7.4.1-alpine"
COMPONENT = "moorage:index:WebService"
CACHE: dict[str, Any] = {
    "image": IMAGE,
    "replicas": 1,
    "persistence": {"size": "1Gi", "mount_path": "/data", "storage_class": "fast"},
}


def build(mocks: RecordingMocks, args: dict[str, Any], name: str = "cache") -> WebService:
    return mocks.run(lambda: WebService(name, args))  # type: ignore[arg-type]


def test_persistence_creates_a_claim_and_mounts_it(mocks: RecordingMocks) -> None:
    build(mocks, CACHE)
    claim = mocks.one("kubernetes:core/v1:PersistentVolumeClaim")
    assert claim.metadata["name"] == "cache-data"
    assert claim.metadata["namespace"] == "cache"
    assert claim.inputs["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "1Gi"}},
        "storageClassName": "fast",
    }
    deployment = mocks.one("kubernetes:apps/v1:Deployment")
    pod = deployment.inputs["spec"]["template"]["spec"]
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "cache-data"}} in pod["volumes"]
    assert {"name": "data", "mountPath": "/data"} in pod["containers"][0]["volumeMounts"]
    # A surge pod could never attach a ReadWriteOnce volume: replace, do not surge.
    assert deployment.inputs["spec"]["strategy"] == {"type": "Recreate"}
    assert deployment.depends_on("kubernetes:core/v1:PersistentVolumeClaim", "cache-data")


def test_the_claim_is_retained_by_default_and_can_opt_out(
    make_mocks: Any,
) -> None:
    mocks = make_mocks()
    build(mocks, CACHE)
    assert mocks.requests[("kubernetes:core/v1:PersistentVolumeClaim", "cache-data")].retainOnDelete
    mocks = make_mocks()
    build(mocks, {**CACHE, "persistence": {**CACHE["persistence"], "retain_on_delete": False}})
    assert not mocks.requests[
        ("kubernetes:core/v1:PersistentVolumeClaim", "cache-data")
    ].retainOnDelete


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ({"replicas": 3}, "cannot be shared by 3 replicas"),
        ({"replicas": None}, "cannot be shared by 2 replicas"),
        (
            {"replicas": None, "autoscaling": {"min_replicas": 1, "max_replicas": 3}},
            "HorizontalPodAutoscaler",
        ),
        ({"strategy": "blue_green"}, "two Deployments"),
    ],
)
def test_a_read_write_once_claim_is_never_shared(
    mocks: RecordingMocks, override: dict[str, Any], words: str
) -> None:
    args = {k: v for k, v in {**CACHE, **override}.items() if v is not None}
    with pytest.raises(ValidationError) as error:
        build(mocks, args)
    message = str(error.value)
    assert "persistence.access_mode" in message and words in message
    assert "replicas: 1" in message or "ReadWriteMany" in message
    assert [r.typ for r in mocks.resources] == [COMPONENT]


def test_read_write_many_may_be_shared(mocks: RecordingMocks) -> None:
    persistence = {"size": "5Gi", "access_mode": "ReadWriteMany"}
    build(mocks, {"image": IMAGE, "replicas": 3, "persistence": persistence})
    deployment = mocks.one("kubernetes:apps/v1:Deployment")
    assert deployment.inputs["spec"]["strategy"]["type"] == "RollingUpdate"


@pytest.mark.parametrize(
    ("persistence", "field"),
    [
        ({}, "persistence.size"),
        ({"size": "1 GB"}, "persistence.size"),
        ({"size": "1Gi", "mount_path": "/tmp"}, "persistence.mount_path"),
        ({"size": "1Gi", "access_mode": "Shared"}, "persistence.access_mode"),
        ({"size": "1Gi", "sise": "2Gi"}, "persistence.sise"),
    ],
)
def test_bad_persistence_names_the_field(
    mocks: RecordingMocks, persistence: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        build(mocks, {"image": IMAGE, "replicas": 1, "persistence": persistence})
    assert field in str(error.value)


WEB: dict[str, Any] = {
    "image": "ghcr.io/acme/web:1.0.0",
    "namespace": "shop",
    "metrics": {
        "path": "/metrics",
        "service_monitor": True,
        "labels": {"release": "prom"},
        "alerts": {"error_rate_percent": 5},
    },
}


def test_service_monitor_and_alert_rules_are_typed_custom_resources(
    mocks: RecordingMocks,
) -> None:
    build(mocks, WEB, "web")
    monitor = mocks.resource(
        "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "web-service-monitor"
    )
    assert monitor.inputs["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor.metadata["labels"]["release"] == "prom"
    assert monitor.inputs["spec"] == {
        "selector": {
            "matchLabels": {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web"}
        },
        "namespaceSelector": {"matchNames": ["shop"]},
        "endpoints": [{"port": "http", "path": "/metrics", "interval": "30s"}],
    }
    rule = mocks.resource("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "web-alerts")
    rules = rule.inputs["spec"]["groups"][0]["rules"]
    assert [r["alert"] for r in rules] == ["WebUnavailable", "WebHighErrorRate"]
    assert 'deployment="web"' in rules[0]["expr"]
    assert "> 0.05" in rules[1]["expr"] and rules[1]["for"] == "5m"


def test_metrics_on_a_port_of_their_own_get_a_pod_monitor(mocks: RecordingMocks) -> None:
    build(mocks, {**WEB, "metrics": {"port": 9090, "service_monitor": True}}, "web")
    monitor = mocks.resource("kubernetes:monitoring.coreos.com/v1:PodMonitor", "web-pod-monitor")
    assert monitor.inputs["spec"]["podMetricsEndpoints"][0]["port"] == "metrics"


def test_plain_metrics_make_no_custom_resource(mocks: RecordingMocks) -> None:
    build(mocks, {**WEB, "metrics": {"path": "/metrics"}}, "web")
    assert not [r for r in mocks.resources if "monitoring.coreos.com" in r.typ]


@pytest.mark.parametrize(
    ("metrics", "field"),
    [
        ({"service_monitor": "yes"}, "metrics.service_monitor"),
        ({"service_monitor": True, "scrape_interval": "30 seconds"}, "metrics.scrape_interval"),
        ({"alerts": {"error_rate_percent": 500}}, "metrics.alerts.error_rate_percent"),
        ({"alerts": {"severity": "page"}}, "metrics.alerts.severity"),
        ({"alerts": {"availabilty": True}}, "metrics.alerts.availabilty"),
    ],
)
def test_bad_monitoring_names_the_field(
    mocks: RecordingMocks, metrics: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        build(mocks, {**WEB, "metrics": metrics}, "web")
    assert field in str(error.value)
    assert [r.typ for r in mocks.resources] == [COMPONENT]


def test_metrics_on_one_of_the_ports_are_scraped_through_the_service(
    mocks: RecordingMocks,
) -> None:
    args = {
        **WEB,
        "ports": [{"name": "admin", "port": 9901}],
        "metrics": {"port": 9901, "service_monitor": True},
    }
    build(mocks, args, "web")
    monitor = mocks.resource(
        "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "web-service-monitor"
    )
    assert monitor.inputs["spec"]["endpoints"][0]["port"] == "admin"
