"""Canary steps: how long a 3-step release with 30 s pauses takes on kwok, and what one
analysis query costs, against a real Prometheus (``make bench`` runs it; never asserts).

    python bench/canary_steps.py [--pause 30s]

Prints the wall time of the `pulumi up` that runs the release (three steps, an analysis
every 10 s during each pause) and the median cost of one success-rate query.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))

from moorage.clusters._local_provider import gateway_api_crd_dir  # noqa: E402
from moorage.clusters.local_provider import LocalClusterProvider  # noqa: E402
from moorage.webservice.release import AnalysisSpec  # noqa: E402
from moorage.webservice.release._analysis import Query, check_once  # noqa: E402

from tests.engine.harness import engine_env, engine_stack, tools_bin  # noqa: E402
from tests.engine.test_canary_steps import Exporter, Prometheus, release  # noqa: E402
from tests.engine.test_release_strategies import SERVICE_ONLY  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pause", default="30s")
    args = parser.parse_args()
    bin_dir = tools_bin()
    work = Path(tempfile.mkdtemp(prefix="bench-canary-"))
    (work / "state").mkdir()
    (work / "kwok").mkdir()
    env = engine_env(bin_dir, work / "state", work / "kwok")
    os.environ.update(env)
    provider = LocalClusterProvider()
    props = {
        "cluster_name": f"bench-{uuid.uuid4().hex[:6]}",
        "runtime": "kwok",
        "nodes": 3,
        "zones": ["zone-a", "zone-b", "zone-c"],
        "tools_bin_dir": str(bin_dir),
        "gateway_api_crds": gateway_api_crd_dir(str(bin_dir)),  # as LocalCluster does
    }
    created = provider.create(props)
    assert created.outs is not None
    kubeconfig = created.outs["kubeconfig"]
    name = "bench"
    exporter = Exporter(name, name)
    prometheus_bin = bin_dir / "prometheus"
    prometheus = Prometheus(prometheus_bin, [f"127.0.0.1:{exporter.port}"])
    try:
        analysis = {
            "prometheus_url": prometheus.url,
            "success_rate_percent": 95,
            "window": "30s",
            "interval": "10s",
        }
        steps = [
            {"weight": 10, "pause": args.pause, "analysis": analysis},
            {"weight": 50, "pause": args.pause, "analysis": analysis},
            {"weight": 100},
        ]
        with engine_stack(work, env, SERVICE_ONLY) as stack:
            release(stack, kubeconfig, name, "registry.local/app:1.0.0", steps)
            stack.up()
            time.sleep(5)
            release(stack, kubeconfig, name, "registry.local/app:2.0.0", steps)
            start = time.monotonic()
            stack.up()
            release_seconds = time.monotonic() - start
        query = Query(
            "success rate %",
            f'100 * sum(rate(http_requests_total{{service="{name}-canary",code!~"5.."}}[30s]))'
            f' / sum(rate(http_requests_total{{service="{name}-canary"}}[30s]))',
            minimum=95,
        )
        spec = AnalysisSpec(prometheus.url, (query,), None, 10)
        costs = []
        for _ in range(20):
            t0 = time.perf_counter()
            check_once(0, spec)
            costs.append(time.perf_counter() - t0)
        print(
            f"3-step canary release, pauses {args.pause}: `pulumi up` took {release_seconds:.1f} s"
        )
        print(
            f"one analysis query: median {statistics.median(costs) * 1000:.1f} ms, "
            f"max {max(costs) * 1000:.1f} ms over {len(costs)}"
        )
    finally:
        prometheus.close()
        exporter.close()
        provider.delete(created.id, props)


if __name__ == "__main__":
    main()
