"""Canary steps: weights over time, each gated by an analysis (PromQL queries with
thresholds against a real HTTP endpoint, or an HTTP check), aborting at the first failure."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from moorage._errors import ValidationError
from moorage.webservice.release import (
    AnalysisFailed,
    PlannedStep,
    describe,
    plan_steps,
    run_analysis,
    run_steps,
)

from tests.unit.webservice.helpers import spec
from tests.unit.webservice.release.test_release import KUBECONFIG

STEPS = [
    {"weight": 10, "pause": "2m", "analysis": {"http_check": "http://api.example/healthz"}},
    {"weight": 50, "pause": "5m"},
    {"weight": 100},
]


def canary(**settings: Any) -> Any:
    built = spec(
        strategy="canary", replicas=4, namespace="shop", kubeconfig=KUBECONFIG, canary=settings
    )
    return built.release.canary


# -- reading -------------------------------------------------------------------------------


def test_steps_are_read_with_their_pauses_and_checks():
    steps = canary(steps=STEPS).steps

    assert [(s.weight, s.pause_seconds) for s in steps] == [(10, 120), (50, 300), (100, 0)]
    assert steps[0].analysis.describe() == ("http://api.example/healthz answers 2xx",)
    assert steps[1].analysis is None


def test_ready_made_queries_use_the_request_metric_monitoring_names():
    (step,) = canary(
        steps=[
            {
                "weight": 20,
                "pause": "1m",
                "analysis": {
                    "prometheus_url": "http://prometheus:9090",
                    "success_rate_percent": 99,
                    "max_latency_ms": 250,
                },
            }
        ]
    ).steps
    success, latency = step.analysis.queries

    assert 'http_requests_total{namespace="shop",service="api-canary",code!~"5.."}' in (
        success.promql
    )
    assert success.minimum == 99
    assert "histogram_quantile(0.99" in latency.promql
    assert "http_request_duration_seconds_bucket" in latency.promql
    assert latency.maximum == 250


@pytest.mark.parametrize(
    ("steps", "field", "rule"),
    [
        ([{"weight": 50}, {"weight": 20}], "canary.steps[1].weight", "must be above"),
        ([{"weight": 0}], "canary.steps[0].weight", "from 1 to 100"),
        ([{"weight": 10, "pause": "2 minutes"}], "canary.steps[0].pause", "duration"),
        (
            [{"weight": 10, "pause": "1m", "analysis": {"success_rate_percent": 99}}],
            "prometheus_url",
            "is required",
        ),
        ([{"weight": 10, "pause": "1m", "analysis": {}}], "analysis", "checks something"),
        (
            [{"weight": 10, "analysis": {"http_check": "http://x/"}}, {"weight": 20}],
            "canary.steps[0].pause",
            "runs during the pause",
        ),
        (
            [{"weight": 10, "pause": "1m", "analysis": {"http_check": "ftp://x/"}}],
            "http_check",
            "http:// or https://",
        ),
    ],
)
def test_bad_steps_are_refused_before_anything_is_created(steps, field, rule):
    with pytest.raises(ValidationError) as error:
        canary(steps=steps)

    assert field in str(error.value)
    assert rule in str(error.value)


def test_steps_need_the_kubeconfig_up_runs_them_with():
    with pytest.raises(ValidationError, match=r"kubeconfig .* is required with canary.steps"):
        spec(strategy="canary", replicas=4, canary={"steps": STEPS})


def test_steps_replace_the_single_weight():
    with pytest.raises(ValidationError, match="cannot be set together with steps"):
        canary(weight=20, steps=STEPS)


# -- planning ------------------------------------------------------------------------------


def test_with_routes_stable_keeps_its_replicas_and_the_weights_split_the_traffic():
    planned = plan_steps(canary(steps=STEPS).steps, stable_running=6, total=2, routed=True)

    assert [(p.stable_replicas, p.canary_replicas) for p in planned] == [(6, 1), (6, 6), (6, 6)]
    assert [p.backend_weights for p in planned] == [
        {"stable": 90, "canary": 10},
        {"stable": 50, "canary": 50},
        {"stable": 0, "canary": 100},
    ]


def test_without_routes_the_replica_ratio_splits_the_traffic():
    planned = plan_steps(canary(steps=STEPS).steps, stable_running=4, total=4, routed=False)

    assert [(p.stable_replicas, p.canary_replicas) for p in planned] == [(3, 1), (2, 2), (0, 4)]
    assert all(p.backend_weights == {} for p in planned)


def test_the_preview_lists_every_planned_step():
    planned = plan_steps(canary(steps=STEPS).steps, stable_running=4, total=4, routed=True)

    assert describe(planned).splitlines() == [
        "step 1: 10% to the canary (route weights stable 90 / canary 10), hold 120s, "
        "check http://api.example/healthz answers 2xx",
        "step 2: 50% to the canary (route weights stable 50 / canary 50), hold 300s",
        "step 3: 100% to the canary (route weights stable 0 / canary 100)",
    ]


# -- analysis against an HTTP endpoint ------------------------------------------------------


class FakePrometheus:
    """A Prometheus HTTP API (``/api/v1/query``) answering what the test sets."""

    def __init__(self) -> None:
        self.values: dict[str, float] = {}
        self.asked: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                if url.path == "/healthz":
                    self.send_response(owner.values.get("healthz", 200))
                    self.end_headers()
                    return
                query = parse_qs(url.query)["query"][0]
                owner.asked.append(query)
                result = (
                    []
                    if query not in owner.values
                    else [{"metric": {}, "value": [0, str(owner.values[query])]}]
                )
                body = {"status": "success", "data": {"resultType": "vector", "result": result}}
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def prometheus() -> Iterator[FakePrometheus]:
    fake = FakePrometheus()
    yield fake
    fake.server.shutdown()


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def analysis(url: str, **extra: Any) -> Any:
    (step,) = canary(
        steps=[
            {
                "weight": 10,
                "pause": "30s",
                "analysis": {"prometheus_url": url, "interval": "10s", **extra},
            }
        ]
    ).steps
    return step.analysis


def test_a_healthy_query_passes_at_every_interval_of_the_pause(prometheus):
    spec_ = analysis(prometheus.url, queries=[{"name": "errors", "query": "errs", "max": 1}])
    prometheus.values["errs"] = 0.5
    clock = FakeClock()

    rounds = run_analysis(0, spec_, 30, clock=clock, sleep=clock.sleep)

    assert rounds == 4  # at 0, 10, 20 and 30 s
    assert prometheus.asked == ["errs"] * 4


def test_a_failed_query_names_the_step_the_query_the_value_and_the_threshold(prometheus):
    spec_ = analysis(prometheus.url, success_rate_percent=99)
    (query,) = spec_.queries
    prometheus.values[query.promql] = 81.5
    clock = FakeClock()

    with pytest.raises(AnalysisFailed) as failure:
        run_analysis(1, spec_, 30, clock=clock, sleep=clock.sleep)

    message = str(failure.value)
    assert message.startswith("step 2: success rate % is 81.5, below the minimum 99")
    assert query.promql in message


def test_an_unreachable_prometheus_fails_safe():
    spec_ = analysis("http://127.0.0.1:9", queries=[{"name": "errors", "query": "e", "max": 1}])

    with pytest.raises(AnalysisFailed, match=r"step 1: errors: Prometheus at .* cannot be asked"):
        run_analysis(0, spec_, 0)


def test_a_query_without_data_fails(prometheus):
    spec_ = analysis(prometheus.url, queries=[{"name": "errors", "query": "none", "max": 1}])

    with pytest.raises(AnalysisFailed, match="returned no data"):
        run_analysis(0, spec_, 0)


def test_the_http_check_needs_a_2xx(prometheus):
    (step,) = canary(
        steps=[
            {"weight": 5, "pause": "1s", "analysis": {"http_check": f"{prometheus.url}/healthz"}}
        ]
    ).steps
    assert run_analysis(0, step.analysis, 0) == 1
    prometheus.values["healthz"] = 503

    with pytest.raises(AnalysisFailed, match="answered 503 \\(expected 2xx\\)"):
        run_analysis(0, step.analysis, 0)


# -- running -------------------------------------------------------------------------------


class RecordingActions:
    def __init__(self) -> None:
        self.log: list[str] = []

    def apply(self, step: PlannedStep) -> None:
        self.log.append(f"apply {step.weight}")

    def abort(self) -> None:
        self.log.append("abort")


def test_a_healthy_release_goes_through_every_step(prometheus):
    steps = canary(steps=STEPS).steps
    planned = plan_steps(steps, stable_running=4, total=4, routed=True)
    actions, clock = RecordingActions(), FakeClock()

    result = run_steps(
        steps, planned, actions, clock=clock, sleep=clock.sleep, analyze=lambda *a, **k: 1
    )

    assert result.failed is None and result.completed_steps == 3
    assert actions.log == ["apply 10", "apply 50", "apply 100"]
    assert clock.now == 300  # step 2's pause (step 1's is the analysis's)


def test_a_failed_analysis_aborts_at_its_step(prometheus):
    steps = canary(
        steps=[
            {"weight": 10, "pause": "10s"},
            {"weight": 50, "pause": "10s", "analysis": {"http_check": f"{prometheus.url}/healthz"}},
            {"weight": 100},
        ]
    ).steps
    planned = plan_steps(steps, stable_running=4, total=4, routed=True)
    prometheus.values["healthz"] = 500
    actions, clock = RecordingActions(), FakeClock()

    result = run_steps(steps, planned, actions, clock=clock, sleep=clock.sleep)

    assert actions.log == ["apply 10", "apply 50", "abort"]
    assert result.completed_steps == 1
    assert result.failed is not None and result.failed.startswith("step 2: http check")
