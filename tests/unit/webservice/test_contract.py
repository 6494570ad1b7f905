"""Issue 23: every value checked before anything is created, no secret echoed.

- Output values: no child is registered until every check of an Output has passed.
- A secret Output's bad value shows as ``[secret]``, in the error and in every log line.
- Nested fields get the API server's rules: mount paths, probe headers, extra Service
  ports, claim sizes, Prometheus durations, env size.
- Pod Security ``restricted``: refused in a namespace the service creates, else warned.
- Names put in PromQL follow Prometheus' grammar.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pulumi
import pytest
from moorage import ValidationError
from moorage.webservice import WebService

from .helpers import (
    DEPLOYMENT,
    IMAGE,
    RESTRICTED_FORBIDDEN,
    SIDECAR,
    container,
    inputs,
    kubernetes_resources,
    plain,
    spec,
)

HTTP_PROBE = {"kind": "http", "path": "/ready"}


@pytest.fixture(autouse=True)
def _collect_failed_futures() -> Iterator[None]:
    """Finalise the Futures failed Outputs leave behind while this test owns them (see
    test_validation.collect_failed_futures)."""
    yield
    log = logging.getLogger("asyncio")
    was_disabled, log.disabled = log.disabled, True
    try:
        gc.collect()
    finally:
        log.disabled = was_disabled


def _run_failing(mocks: Any, fields: dict[str, Any]) -> tuple[str, list[str]]:
    """Run a WebService whose Args fail; the error message and every log line."""
    lines: list[str] = []

    def record(message: Any, *args: Any, **kwargs: Any) -> None:
        lines.append(str(message))

    patches = [
        mock.patch.object(pulumi.log, level, side_effect=record)
        for level in ("debug", "info", "warn", "error")
    ]
    for patch in patches:
        patch.start()
    try:
        with pytest.raises(ValueError) as caught:  # Pulumi wraps the ValidationError
            mocks.run(lambda: WebService("api", {"image": IMAGE, **fields()}))  # type: ignore[typeddict-item]
    finally:
        for patch in patches:
            patch.stop()
    return str(caught.value), lines


def _out(value: Any) -> pulumi.Output[Any]:
    return pulumi.Output.from_input(value)


# -- 3: no child before every check of an Output has passed --------------------------------

GATED = [
    pytest.param(
        lambda: {"ports": [{"name": "admin", "port": _out(70000)}]}, "ports[0].port", id="ports"
    ),
    pytest.param(lambda: {"metrics": {"port": _out(70000)}}, "metrics.port", id="metrics-port"),
    pytest.param(
        lambda: {"probes": {"liveness": {"success_threshold": _out(2)}}},
        "probes.liveness.success_threshold",
        id="liveness-success-threshold",
    ),
    pytest.param(
        lambda: {"sidecars": [{**SIDECAR, "env": {"A": _out(5)}}]},
        "sidecars[0].env.A",
        id="sidecar-env",
    ),
    pytest.param(
        lambda: {"volumes": [{"name": "cache", "mount_path": _out("/tmp/"), "empty_dir": True}]},
        "volumes[0].mount_path",
        id="output-mount-path",
    ),
    pytest.param(lambda: {"labels": {"team": _out("a b")}}, "labels.team", id="label"),
]


@pytest.mark.parametrize(("fields", "field"), GATED)
def test_a_bad_output_value_registers_no_child(mocks: Any, fields: Any, field: str) -> None:
    message, _ = _run_failing(mocks, fields)

    assert f'WebService "api": {field} (' in message
    assert kubernetes_resources(mocks) == []


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param(
            lambda: {
                "persistence": {"size": _out("1Gi"), "storage_class": _out("fast")},
                "replicas": 1,
            },
            id="persistence",
        ),
        pytest.param(
            lambda: {
                "metrics": {
                    "service_monitor": True,
                    "scrape_interval": _out("15s"),
                    "labels": {"release": _out("prom")},
                }
            },
            id="monitoring",
        ),
        pytest.param(
            lambda: {
                "probes": {"readiness": {**HTTP_PROBE, "http_headers": _out({"X-Probe": "1"})}}
            },
            id="probe-headers",
        ),
    ],
)
def test_fields_typed_input_accept_outputs(mocks: Any, fields: Any) -> None:
    mocks.run(lambda: WebService("api", {"image": IMAGE, **fields()}))  # type: ignore[typeddict-item]

    assert mocks.of_type(DEPLOYMENT)
    resources = {r.typ: plain(r.inputs) for r in mocks.resources}
    claim = resources.get("kubernetes:core/v1:PersistentVolumeClaim")
    if claim is not None:
        assert claim["spec"]["resources"]["requests"]["storage"] == "1Gi"
        assert claim["spec"]["storageClassName"] == "fast"
    monitor = resources.get("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")
    if monitor is not None:
        assert monitor["spec"]["endpoints"][0]["interval"] == "15s"
        assert monitor["metadata"]["labels"]["release"] == "prom"


def test_output_probe_headers_reach_the_probe(mocks: Any) -> None:
    mocks.run(
        lambda: WebService(
            "api",
            {
                "image": IMAGE,
                "probes": {"readiness": {**HTTP_PROBE, "http_headers": _out({"X-Probe": "1"})}},
            },  # type: ignore[typeddict-item]
        )
    )

    get = plain(container(mocks))["readinessProbe"]["httpGet"]
    assert get["httpHeaders"] == [{"name": "X-Probe", "value": "1"}]


# -- 4: a secret Output is never echoed -----------------------------------------------------

SECRET_CASES = [
    pytest.param(lambda: {"labels": {"t": pulumi.Output.secret("tok+en/==")}}, id="labels"),
    pytest.param(lambda: {"env": {"A": pulumi.Output.secret(["tok+en/=="])}}, id="env"),
    pytest.param(
        lambda: {"container_args": [pulumi.Output.secret(["tok+en/=="])]}, id="container_args"
    ),
    pytest.param(lambda: {"image": pulumi.Output.secret("tok+en/==:latest")}, id="image"),
    pytest.param(lambda: {"config": {"A": pulumi.Output.secret(["tok+en/=="])}}, id="config"),
    pytest.param(
        lambda: {"ingress": {"host": pulumi.Output.secret("tok+en/==")}}, id="ingress.host"
    ),
]


@pytest.mark.parametrize("fields", SECRET_CASES)
def test_a_secret_output_is_shown_as_secret(mocks: Any, fields: Any) -> None:
    message, lines = _run_failing(mocks, fields)

    assert "[secret]" in message
    assert "tok+en" not in message
    assert not [line for line in lines if "tok+en" in line]


def test_a_plain_output_still_shows_its_value(mocks: Any) -> None:
    message, _ = _run_failing(mocks, lambda: {"labels": {"t": _out("tok+en/==")}})

    assert "labels.t ('tok+en/==')" in message


# -- 5: nested fields get the server's rules ------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"volumes": [{"name": "a", "mount_path": "/a/../tmp", "empty_dir": True}]}, "volumes[0]"),
        ({"volumes": [{"name": "a", "mount_path": "/tmp/", "empty_dir": True}]}, "volumes[0]"),
        ({"volumes": [{"name": "a", "mount_path": "/", "empty_dir": True}]}, "volumes[0]"),
        (
            {
                "config": {"A": "1"},
                "config_mount_path": "/etc/app",
                "config_as_env": False,
                "volumes": [{"name": "a", "mount_path": "/etc/x/../app/", "empty_dir": True}],
            },
            "volumes[0]",
        ),
        ({"persistence": {"size": "1Gi", "mount_path": "/tmp/."}, "replicas": 1}, "persistence"),
        ({"persistence": {"size": "1Gi", "mount_path": "/"}, "replicas": 1}, "persistence"),
        ({"secrets": {"A": "1"}, "secrets_as_files": True, "secrets_mount_path": "/"}, "secrets"),
        (
            {
                "sidecars": [{**SIDECAR, "volume_mounts": [{"name": "tmp2", "mount_path": "/"}]}],
                "volumes": [{"name": "tmp2", "mount_path": "/scratch", "empty_dir": True}],
            },
            "sidecars[0].volume_mounts[0]",
        ),
    ],
)
def test_mount_paths_are_unique_after_normalising_and_never_root(
    fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        spec(**fields)

    assert caught.value.field.startswith(field)
    assert caught.value.field.endswith("mount_path")


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        (
            {"probes": {"readiness": {**HTTP_PROBE, "http_headers": {"X_Probe": "1"}}}},
            "probes.readiness.http_headers.X_Probe",
            "letters, digits and '-'",
        ),
        (
            {"probes": {"readiness": {**HTTP_PROBE, "http_headers": {"X-Probe": 1}}}},
            "probes.readiness.http_headers.X-Probe",
            "must be a string",
        ),
        (
            {"extra_services": [{"name": "admin", "ports": []}]},
            "extra_services[0].ports",
            "at least one",
        ),
        ({"persistence": {"size": "0"}, "replicas": 1}, "persistence.size", "greater than zero"),
        (
            {"metrics": {"service_monitor": True, "scrape_interval": "5s1m"}},
            "metrics.scrape_interval",
            "Prometheus duration",
        ),
        (
            {"metrics": {"alerts": {"for_duration": "1m1h"}}},
            "metrics.alerts.for_duration",
            "Prometheus duration",
        ),
        ({"env": {"BIG": "x" * (2 * 1024 * 1024)}}, "env", "1 MiB"),
    ],
)
def test_nested_fields_follow_the_server(fields: dict[str, Any], field: str, rule: str) -> None:
    with pytest.raises(ValidationError) as caught:
        spec(**fields)

    assert caught.value.field == field
    assert rule in str(caught.value)


def test_durations_in_order_still_pass() -> None:
    built = spec(metrics={"service_monitor": True, "scrape_interval": "1m30s"})

    assert built.monitoring is not None and built.monitoring.scrape_interval == "1m30s"


# -- 6: Pod Security restricted ---------------------------------------------------------------

FORBIDDEN = RESTRICTED_FORBIDDEN


@pytest.mark.parametrize(("fields", "field"), FORBIDDEN)
def test_a_created_restricted_namespace_refuses_what_it_would_not_admit(
    fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        spec(**fields)  # no namespace: the service creates its own, restricted

    assert caught.value.field == field
    assert '"restricted"' in str(caught.value)


@pytest.mark.parametrize(("fields", "field"), FORBIDDEN)
def test_an_unmanaged_namespace_gets_a_warning(
    mocks: Any, fields: dict[str, Any], field: str
) -> None:
    with mock.patch.object(pulumi.log, "warn") as warn:
        mocks.run(lambda: WebService("api", {"image": IMAGE, "namespace": "shop", **fields}))  # type: ignore[typeddict-item]

    warnings = [str(call.args[0]) for call in warn.call_args_list]
    assert any(field in w and '"restricted"' in w for w in warnings), warnings
    assert inputs(mocks, DEPLOYMENT)


def test_net_bind_service_is_allowed_in_a_restricted_namespace() -> None:
    built = spec(sidecars=[{**SIDECAR, "capabilities_add": ["NET_BIND_SERVICE"]}])

    assert built.containers.sidecars[0].security["capabilities"]["add"] == ["NET_BIND_SERVICE"]


# -- 10: names put in PromQL -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alerts", "field"),
    [
        ({"status_label": 'code=~"5.."}) or vector(1) #'}, "metrics.alerts.status_label"),
        ({"status_label": "1code"}, "metrics.alerts.status_label"),
        ({"request_metric": 'http_requests_total{job="x"}'}, "metrics.alerts.request_metric"),
    ],
)
def test_promql_names_follow_prometheus_grammar(alerts: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        spec(metrics={"alerts": {"error_rate_percent": 5, **alerts}})

    assert caught.value.field == field
    assert "Prometheus" in caught.value.rule


def test_valid_promql_names_pass() -> None:
    built = spec(
        metrics={
            "alerts": {
                "error_rate_percent": 5,
                "request_metric": "http:requests_total",
                "status_label": "status_code",
            }
        }
    )

    assert built.monitoring is not None and built.monitoring.alerts is not None
