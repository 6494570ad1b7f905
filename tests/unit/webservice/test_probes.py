"""Probes of every kind, defaults that follow the main port's protocol, and clear errors.

kwok runs no probes, so these assertions are the only place the probe kinds are pinned.
"""

from __future__ import annotations

from typing import Any

import pytest
from moorage._errors import ValidationError
from moorage.webservice import build_spec, render

from tests.unit.webservice.helpers import container, spec, web_service

IMAGE = "ghcr.io/acme/api:1.4.2"


def probes(**args: Any) -> dict[str, Any]:
    spec = build_spec("api", {"image": IMAGE, **args})  # type: ignore[typeddict-item]
    return render(spec).container


def fails(field: str, rule: str, **args: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        build_spec("api", {"image": IMAGE, **args})  # type: ignore[typeddict-item]
    assert str(caught.value).startswith(f'WebService "api": {field} (')
    assert rule in str(caught.value)


@pytest.mark.parametrize(
    ("app_protocol", "readiness"),
    [
        ("http", {"httpGet": {"path": "/", "port": "http"}}),
        ("http2", {"httpGet": {"path": "/", "port": "http"}}),
        ("https", {"httpGet": {"path": "/", "port": "http", "scheme": "HTTPS"}}),
        ("grpc", {"grpc": {"port": 8080}}),
        ("tcp", {"tcpSocket": {"port": "http"}}),
    ],
)
def test_the_default_readiness_probe_follows_the_main_ports_protocol(app_protocol, readiness):
    c = probes(app_protocol=app_protocol)
    assert {k: v for k, v in c["readinessProbe"].items() if not k.endswith(("Seconds", "old"))} == (
        readiness
    )
    # Liveness and startup repeat the readiness check (a gRPC server gets gRPC checks).
    check = {k: v for k, v in c["readinessProbe"].items() if not k.endswith(("Seconds", "old"))}
    for which in ("livenessProbe", "startupProbe"):
        assert {k: v for k, v in c[which].items() if not k.endswith(("Seconds", "old"))} == check


def test_a_grpc_probe_names_the_port_by_number_because_the_api_wants_an_int32():
    c = probes(app_protocol="grpc", port=50051, probes={"readiness": {"grpc_service": "cart"}})
    assert c["readinessProbe"]["grpc"] == {"port": 50051, "service": "cart"}
    assert c["ports"][0] == {"name": "grpc", "containerPort": 50051, "protocol": "TCP"}


def test_every_kind_with_its_own_timing():
    c = probes(
        ports=[{"name": "admin", "port": 9000}],
        probes={
            "readiness": {
                "kind": "http",
                "path": "/ready",
                "port": "admin",
                "http_headers": {"X-Probe": "1"},
                "initial_delay_seconds": 3,
                "period_seconds": 7,
                "timeout_seconds": 4,
                "failure_threshold": 2,
                "success_threshold": 2,
            },
            "liveness": {"kind": "exec", "command": ["/bin/health"], "period_seconds": 30},
            "startup": {"kind": "tcp", "failure_threshold": 60},
        },
    )
    assert c["readinessProbe"] == {
        "httpGet": {
            "path": "/ready",
            "port": "admin",
            "httpHeaders": [{"name": "X-Probe", "value": "1"}],
        },
        "initialDelaySeconds": 3,
        "periodSeconds": 7,
        "timeoutSeconds": 4,
        "failureThreshold": 2,
        "successThreshold": 2,
    }
    # A probe the user writes takes Kubernetes' defaults for the timings left out.
    assert c["livenessProbe"] == {
        "exec": {"command": ["/bin/health"]},
        "periodSeconds": 30,
        "timeoutSeconds": 1,
        "failureThreshold": 3,
    }
    assert c["startupProbe"] == {
        "tcpSocket": {"port": "http"},
        "periodSeconds": 10,
        "timeoutSeconds": 1,
        "failureThreshold": 60,
    }


def test_liveness_follows_readiness_kind_and_port_unless_set():
    c = probes(
        ports=[{"name": "admin", "port": 9000}],
        probes={"readiness": {"kind": "tcp", "port": "admin"}},
    )
    assert c["livenessProbe"]["tcpSocket"] == {"port": "admin"}
    assert c["startupProbe"]["tcpSocket"] == {"port": "admin"}
    grpc = probes(app_protocol="grpc", port=9555, probes={"readiness": {"grpc_service": "x"}})
    assert grpc["livenessProbe"]["grpc"] == {"port": 9555, "service": "x"}
    own = probes(
        probes={"readiness": {"kind": "tcp"}, "liveness": {"kind": "exec", "command": ["ok"]}}
    )
    assert own["livenessProbe"]["exec"] == {"command": ["ok"]}


def test_a_written_probe_takes_kubernetes_timings_and_flat_keys_still_win():
    written = probes(app_protocol="grpc", port=9555, probes={"readiness": {"kind": "grpc"}})
    assert written["readinessProbe"] == {
        "grpc": {"port": 9555},
        "periodSeconds": 10,
        "timeoutSeconds": 1,
        "failureThreshold": 3,
        "successThreshold": 1,
    }
    # Liveness was not written: Moorage's (listed) defaults, twice readiness' failures.
    assert written["livenessProbe"]["timeoutSeconds"] == 2
    assert written["livenessProbe"]["failureThreshold"] == 6
    flat = probes(probes={"timeout_seconds": 5, "readiness": {"path": "/ready"}})
    assert flat["readinessProbe"]["timeoutSeconds"] == 5


def test_every_default_that_differs_from_kubernetes_names_a_real_field_and_a_reason():
    from moorage.webservice import DEFAULTS, KUBERNETES_DIFFERENCES

    for path, difference in KUBERNETES_DIFFERENCES.items():
        assert path in DEFAULTS, path
        assert difference.reason and difference.kubernetes != difference.moorage


def test_kind_none_leaves_the_probe_out():
    c = probes(probes={"startup": {"kind": "none"}})
    assert "startupProbe" not in c
    assert "readinessProbe" in c


def test_the_flat_keys_still_work_and_feed_the_sections():
    c = probes(
        probes={"readiness_path": "/ready", "liveness_path": "/live", "failure_threshold": 5}
    )
    assert c["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert c["livenessProbe"]["httpGet"]["path"] == "/live"
    assert c["livenessProbe"]["failureThreshold"] == 10
    assert c["startupProbe"]["httpGet"]["path"] == "/live"


def test_a_worker_has_no_probes_by_default_but_may_have_exec_probes():
    assert "readinessProbe" not in probes(worker=True)
    c = probes(worker=True, probes={"liveness": {"kind": "exec", "command": ["pgrep", "w"]}})
    assert c["livenessProbe"]["exec"] == {"command": ["pgrep", "w"]}
    assert "startupProbe" in c  # follows liveness


@pytest.mark.parametrize(
    ("args", "field", "rule"),
    [
        (
            {"probes": {"readiness": {"kind": "exec"}}},
            "probes.readiness.command",
            'is required with kind exec: the command to run in the container, e.g. ["redis-cli"',
        ),
        (
            {"worker": True, "probes": {"readiness": {"kind": "tcp"}}},
            "probes.readiness.port",
            "is required for a tcp probe here (there is no main port to default to): name "
            "one of ports[].name, or use kind exec or none",
        ),
        (
            {"probes": {"readiness": {"kind": "tcp", "path": "/x"}}},
            "probes.readiness.path",
            "only applies to kind http (kind is tcp)",
        ),
        (
            {"probes": {"readiness": {"kind": "soap"}}},
            "probes.readiness.kind",
            "must be one of http, tcp, grpc, exec, none",
        ),
        (
            {"probes": {"liveness": {"port": "admin"}}},
            "probes.liveness.port",
            "is not a port of the container; expected one of: http",
        ),
        (
            {
                "ports": [{"name": "dns", "port": 5353, "protocol": "UDP"}],
                "probes": {"readiness": {"kind": "tcp", "port": "dns"}},
            },
            "probes.readiness.port",
            "is a UDP port; tcp probes need a TCP port",
        ),
        (
            {"probes": {"liveness": {"success_threshold": 2}}},
            "probes.liveness.success_threshold",
            "must be 1 for a liveness probe",
        ),
        (
            {"probes": {"readiness_path": "/a", "readiness": {"path": "/b"}}},
            "probes.readiness.path",
            "cannot be set together with probes.readiness_path",
        ),
        (
            {"probes": {"readiness": {"http_headers": {"bad header": "x"}}}},
            "probes.readiness.http_headers.bad header",
            "HTTP header name",
        ),
        (
            {"probes": {"readiness": {"periodSeconds": 5}}},
            "probes.readiness.periodSeconds",
            'not a known field of ProbeArgs; did you mean "period_seconds"?',
        ),
    ],
)
def test_probe_errors_say_what_to_set(args, field, rule):
    fails(field, rule, **args)


def test_a_sidecar_may_have_probes_on_its_own_ports():
    spec = build_spec(
        "api",
        {
            "image": IMAGE,
            "sidecars": [
                {
                    "name": "proxy",
                    "image": "ghcr.io/acme/proxy:2.0",
                    "ports": [{"name": "proxy-admin", "port": 15021}],
                    "probes": {
                        "readiness": {"kind": "http", "port": "proxy-admin", "path": "/ready"},
                        "startup": {"kind": "tcp", "port": "proxy-admin"},
                    },
                }
            ],
        },
    )
    (proxy,) = render(spec).init_containers
    assert proxy["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "proxy-admin"}
    assert proxy["startupProbe"]["tcpSocket"] == {"port": "proxy-admin"}
    assert "livenessProbe" not in proxy  # none unless set


def test_init_containers_cannot_have_probes():
    fails(
        "init_containers[0].probes",
        "only sidecars have probes",
        init_containers=[{"name": "m", "image": IMAGE, "probes": {"readiness": {"kind": "exec"}}}],
    )


# -- the defaults and overrides the Deployment gets ----------------------------------------


def test_readiness_liveness_and_startup_probes_are_set_and_distinct(mocks):
    web_service(mocks)
    c = container(mocks)
    port_names = {p["name"] for p in c["ports"]}

    readiness, liveness, startup = c["readinessProbe"], c["livenessProbe"], c["startupProbe"]

    assert readiness["httpGet"]["path"] == "/"
    assert readiness["httpGet"]["port"] in port_names
    # A liveness probe identical to readiness restarts pods that are merely busy.
    assert liveness != readiness
    assert liveness["failureThreshold"] > readiness["failureThreshold"]
    assert liveness["httpGet"]["port"] in port_names  # the readiness check, more patient
    # The startup probe gives slow starters a budget before liveness takes over.
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 60


def test_probe_settings_can_be_changed(mocks):
    web_service(
        mocks,
        probes={
            "readiness_path": "/ready",
            "liveness_path": "/livez",
            "period_seconds": 15,
            "timeout_seconds": 3,
            "failure_threshold": 4,
            "startup_period_seconds": 2,
            "startup_failure_threshold": 90,
        },
    )
    c = container(mocks)

    assert c["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert c["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert "tcpSocket" not in c["livenessProbe"]
    assert c["readinessProbe"]["periodSeconds"] == c["livenessProbe"]["periodSeconds"] == 15
    assert c["readinessProbe"]["timeoutSeconds"] == 3
    assert c["readinessProbe"]["failureThreshold"] == 4
    assert (c["startupProbe"]["periodSeconds"], c["startupProbe"]["failureThreshold"]) == (2, 90)


def test_liveness_tolerates_more_failures_than_readiness():
    probes = render(spec(probes={"failure_threshold": 4})).container

    assert probes["readinessProbe"]["failureThreshold"] == 4
    assert probes["livenessProbe"]["failureThreshold"] > 4
