"""Canary steps run by `pulumi up` on kwok, gated by a real Prometheus.

Prometheus (built from its pinned Go module by ``scripts/bootstrap-tools --only
prometheus``) scrapes a small exporter this test runs, whose error rate the test sets.
During each ``up`` an EndpointSlice watch checks the service never has zero ready
endpoints, and a route watch reads the HTTPRoute's weights back from the API server.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import psutil
import pytest
import yaml
from kubernetes import client, config
from pulumi import automation as auto

from .harness import ROOT, EndpointWatcher, engine_stack
from .test_release_strategies import SERVICE_ONLY, Cluster, configure

pytestmark = pytest.mark.engine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Exporter:
    """Serves ``http_requests_total`` for the canary track; ``error_rate`` is the test's."""

    def __init__(self, namespace: str, service: str) -> None:
        self.error_rate = 0.0
        self.ok = self.failed = 0.0
        labels = f'namespace="{namespace}",service="{service}-canary"'
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = (
                    "# TYPE http_requests_total counter\n"
                    f'http_requests_total{{{labels},code="200"}} {owner.ok}\n'
                    f'http_requests_total{{{labels},code="500"}} {owner.failed}\n'
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        self._stop = threading.Event()
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        threading.Thread(target=self._traffic, daemon=True).start()

    def _traffic(self) -> None:
        while not self._stop.wait(0.1):
            self.ok += 10 * (1 - self.error_rate)
            self.failed += 10 * self.error_rate

    def close(self) -> None:
        self._stop.set()
        self.server.shutdown()


@pytest.fixture
def prometheus_binary(env: dict[str, str]) -> Path:
    found = Path(env["MOORAGE_TOOLS_BIN"]) / "prometheus"
    if not found.exists():
        done = subprocess.run(
            [str(ROOT / "scripts" / "bootstrap-tools"), "--only", "prometheus"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    assert found.exists(), f"no {found}"
    return found


class Prometheus:
    """A real Prometheus scraping ``targets`` every second."""

    def __init__(self, binary: Path, targets: list[str]) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="prom-"))
        cfg = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "scrape_configs": [
                {"job_name": "app", "honor_labels": True, "static_configs": [{"targets": targets}]}
            ],
        }
        (self.dir / "prometheus.yml").write_text(yaml.safe_dump(cfg))
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [
                str(binary),
                f"--config.file={self.dir / 'prometheus.yml'}",
                f"--storage.tsdb.path={self.dir / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "Prometheus did not become ready"
            time.sleep(0.3)

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class RouteWatcher:
    """Reads an HTTPRoute's (stable, canary) weights from the API server as they change."""

    def __init__(self, kubeconfig: str, namespace: str, name: str) -> None:
        api = config.new_client_from_config_dict(yaml.safe_load(kubeconfig))
        self.custom = client.CustomObjectsApi(api)
        self.namespace, self.name = namespace, name
        self.seen: list[tuple[int, int]] = []
        self.on_change: Any = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def weights(self) -> tuple[int, int]:
        route: Any = self.custom.get_namespaced_custom_object(
            "gateway.networking.k8s.io", "v1", self.namespace, "httproutes", self.name
        )
        refs = {r["name"]: r.get("weight", 1) for r in route["spec"]["rules"][0]["backendRefs"]}
        service = self.name.rsplit("-", 1)[0]
        return refs[f"{service}-stable"], refs[f"{service}-canary"]

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            try:
                now = self.weights()
            except Exception:  # the route may not exist yet
                continue
            if not self.seen or self.seen[-1] != now:
                self.seen.append(now)
                if self.on_change is not None:
                    self.on_change(now)

    def __enter__(self) -> RouteWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def analysis(url: str) -> dict[str, Any]:
    return {
        "prometheus_url": url,
        "success_rate_percent": 95,
        "window": "5s",
        "interval": "1s",
    }


def release(
    stack: Any,
    kubeconfig: str,
    name: str,
    image: str,
    steps: list[Any],
    retry: bool = False,
    **extra: Any,
):
    configure(
        stack,
        kubeconfig,
        name,
        image=image,
        strategy="canary",
        canary={"steps": steps, **({"retry": True} if retry else {})},
        routes=[{"gateway": "public", "hostnames": [f"{name}.example.com"]}],
        **{"replicas": 4, **extra},
    )


def test_a_healthy_release_promotes_through_every_step(
    env: dict[str, str], work_dir: Path, gateway_api: str, prometheus_binary: Path
) -> None:
    name = "steps-ok"
    cluster = Cluster(gateway_api, name)
    exporter = Exporter(name, name)
    prometheus = Prometheus(prometheus_binary, [f"127.0.0.1:{exporter.port}"])
    steps = [
        {"weight": 10, "pause": "4s", "analysis": analysis(prometheus.url)},
        {"weight": 50, "pause": "4s", "analysis": analysis(prometheus.url)},
        {"weight": 100},
    ]
    try:
        with engine_stack(work_dir, env, SERVICE_ONLY) as stack:
            release(stack, gateway_api, name, "registry.local/app:1.0.0", steps)
            stack.up()
            time.sleep(6)  # two scrapes in the rate window
            release(stack, gateway_api, name, "registry.local/app:2.0.0", steps)
            with (
                EndpointWatcher(gateway_api, name, name) as endpoints,
                RouteWatcher(gateway_api, name, f"{name}-http") as route,
            ):
                stack.up()
            assert endpoints.minimum > 0, endpoints.samples
            assert [w for w in route.seen if w != (100, 0)] == [(90, 10), (50, 50), (0, 100)]
            assert "step 2: 50% to the canary" in "".join(stack.log)
            # The last step (100%) passed: promoted within the same up.
            assert route.seen[-1] == (100, 0)
            assert cluster.deployment(name) == (4, 4, "registry.local/app:2.0.0")
            assert cluster.deployment(f"{name}-canary")[0] == 0
            # The next up reads the promotion into the ledger; then nothing is left to do.
            stack.up()
            stack.preview(expect_no_changes=True)
            assert cluster.deployment(name) == (4, 4, "registry.local/app:2.0.0")
    finally:
        prometheus.close()
        exporter.close()


def test_an_error_rise_at_step_2_aborts_while_stable_keeps_serving(
    env: dict[str, str], work_dir: Path, gateway_api: str, prometheus_binary: Path
) -> None:
    name = "steps-bad"
    cluster = Cluster(gateway_api, name)
    exporter = Exporter(name, name)
    prometheus = Prometheus(prometheus_binary, [f"127.0.0.1:{exporter.port}"])
    steps = [
        {"weight": 10, "pause": "4s", "analysis": analysis(prometheus.url)},
        {"weight": 50, "pause": "8s", "analysis": analysis(prometheus.url)},
        {"weight": 100},
    ]

    def errors_at_step_2(weights: tuple[int, int]) -> None:
        if weights == (50, 50):
            exporter.error_rate = 0.5

    try:
        with engine_stack(work_dir, env, SERVICE_ONLY) as stack:
            release(stack, gateway_api, name, "registry.local/app:1.0.0", steps)
            stack.up()
            time.sleep(6)
            release(stack, gateway_api, name, "registry.local/app:2.0.0", steps)
            with (
                EndpointWatcher(gateway_api, name, f"{name}-stable") as endpoints,
                RouteWatcher(gateway_api, name, f"{name}-http") as route,
            ):
                route.on_change = errors_at_step_2
                with pytest.raises(auto.CommandError) as failure:
                    stack.up()
            assert "canary aborted at step 2: success rate % is" in str(failure.value)
            assert "below the minimum 95" in str(failure.value)
            assert endpoints.minimum > 0, endpoints.samples
            assert route.seen[-1] == (100, 0)
            assert cluster.deployment(name) == (4, 4, "registry.local/app:1.0.0")
            assert cluster.deployment(f"{name}-canary")[0] == 0

            # The ledger records the failure: the same revision is not retried blindly ...
            with pytest.raises(auto.CommandError) as refused:
                stack.up()
            assert "canary.retry (False) is not set" in str(refused.value)
            assert "already failed its analysis (step 2: success rate % is" in str(refused.value)
            assert cluster.deployment(name)[2] == "registry.local/app:1.0.0"

            # ... unless asked: canary.retry runs its steps again (healthy now: promoted).
            exporter.error_rate = 0.0
            time.sleep(6)  # the errors leave the rate window
            release(stack, gateway_api, name, "registry.local/app:2.0.0", steps, retry=True)
            stack.up()
            assert cluster.deployment(name) == (4, 4, "registry.local/app:2.0.0")
    finally:
        prometheus.close()
        exporter.close()


def test_an_unreachable_prometheus_aborts_with_a_clear_error(
    env: dict[str, str], work_dir: Path, gateway_api: str
) -> None:
    name = "steps-blind"
    cluster = Cluster(gateway_api, name)
    steps = [
        {"weight": 20, "pause": "2s", "analysis": analysis(f"http://127.0.0.1:{_free_port()}")},
        {"weight": 100},
    ]
    with engine_stack(work_dir, env, SERVICE_ONLY) as stack:
        release(stack, gateway_api, name, "registry.local/app:1.0.0", steps)
        stack.up()
        release(stack, gateway_api, name, "registry.local/app:2.0.0", steps)
        with (
            EndpointWatcher(gateway_api, name, name) as endpoints,
            pytest.raises(auto.CommandError) as failure,
        ):
            stack.up()
        assert "canary aborted at step 1: success rate %: Prometheus at" in str(failure.value)
        assert "cannot be asked" in str(failure.value)
        assert endpoints.minimum > 0, endpoints.samples
        assert cluster.deployment(f"{name}-canary")[0] == 0
        assert cluster.deployment(name)[2] == "registry.local/app:1.0.0"


def test_an_hpa_scaled_stable_keeps_its_replicas_during_the_canary(
    env: dict[str, str], work_dir: Path, gateway_api: str
) -> None:
    name = "steps-hpa"
    cluster = Cluster(gateway_api, name)
    steps = [{"weight": 25, "pause": "1s"}, {"weight": 50, "pause": "1s"}, {"weight": 100}]
    with engine_stack(work_dir, env, SERVICE_ONLY) as stack:

        def hpa_release(image: str) -> None:
            release(
                stack,
                gateway_api,
                name,
                image,
                steps,
                replicas=None,
                autoscaling={"min_replicas": 2, "max_replicas": 8},
            )

        hpa_release("registry.local/app:1.0.0")
        stack.up()
        cluster.scale(name, 6)  # as the HPA would under load
        cluster.wait_ready(name, 6)
        hpa_release("registry.local/app:2.0.0")
        stable_seen: list[int] = []
        canary_seen: dict[tuple[int, int], int] = {}

        def sizes(weights: tuple[int, int]) -> None:
            stable_seen.append(cluster.deployment(name)[0])
            canary_seen[weights] = cluster.deployment(f"{name}-canary")[0]

        with RouteWatcher(gateway_api, name, f"{name}-http") as route:
            route.on_change = sizes
            stack.up()
        assert [w for w in route.seen if w != (100, 0)] == [(75, 25), (50, 50), (0, 100)]
        assert set(stable_seen) == {6}  # promoted too, with the replicas its HPA set
        assert canary_seen[(0, 100)] == 6  # sized from stable's 6, not 8


def test_a_killed_up_during_a_step_pause_is_finished_by_the_next_up(
    env: dict[str, str], work_dir: Path, gateway_api: str
) -> None:
    name = "steps-killed"
    cluster = Cluster(gateway_api, name)
    steps = [{"weight": 20, "pause": "20s"}, {"weight": 100}]
    with engine_stack(work_dir, env, SERVICE_ONLY) as stack:
        release(stack, gateway_api, name, "registry.local/app:1.0.0", steps)
        stack.up()
        release(stack, gateway_api, name, "registry.local/app:2.0.0", steps)
        process = subprocess.Popen(
            ["pulumi", "up", "--yes", "--stack", stack.name, "--non-interactive"],
            cwd=stack.project_dir,
            env={**os.environ, **stack.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        plugins: list[psutil.Process] = []
        try:
            with RouteWatcher(gateway_api, name, f"{name}-http") as route:
                deadline = time.monotonic() + 600
                while (80, 20) not in route.seen:  # step 1 holds its pause
                    assert process.poll() is None, "the up ended before step 1"
                    assert time.monotonic() < deadline, route.seen
                    time.sleep(0.2)
            plugins = psutil.Process(process.pid).children(recursive=True)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=120)
        finally:
            # A killed CLI leaves its plugins (the one running the steps) behind: a
            # supervisor removes them, as in the blue/green interrupted-up test.
            for plugin in plugins:
                with contextlib.suppress(psutil.NoSuchProcess):
                    plugin.kill()
        assert cluster.deployment(name)[2] == "registry.local/app:1.0.0"
        cancelled = stack.pulumi("cancel", "--yes")
        assert cancelled.returncode == 0, cancelled.stderr

        # docs/release-strategies.md: the next up runs the steps again from the first.
        with EndpointWatcher(gateway_api, name, name) as endpoints:
            stack.up(refresh=True)
        assert endpoints.minimum > 0, endpoints.samples
        assert cluster.deployment(name) == (4, 4, "registry.local/app:2.0.0")
        assert cluster.deployment(f"{name}-canary")[0] == 0
