"""Benchmark: ``moorage convert`` of N services (issue 27: 100 services in under 2 s).

Generates the manifests of an app of N services (a Deployment with probes, resources, a
ConfigMap and a reference to the next service, and its Service), then times the whole
in-process conversion: read the YAML, map, render every service through the stack-config
parser and the renderer, compare field by field and write the report. Median of R runs in
one process after a warm-up; the import of the package is timed once, apart. Never asserts.

    python bench/convert.py [--n 100] [--reps 5] [--write]   (--write updates BENCHMARKS.md)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))

BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
MARK_START = "<!-- convert -->"
MARK_END = "<!-- /convert -->"


def manifests(n: int) -> str:
    """The YAML of an app of ``n`` services."""
    docs = []
    for i in range(n):
        name, labels = f"svc{i}", {"app": f"svc{i}"}
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": f"{name}-settings", "namespace": "bench"},
                "data": {"LOG_LEVEL": "info", "MODE": "bench"},
            }
        )
        container = {
            "name": name,
            "image": f"ghcr.io/example/{name}:1.0.{i}",
            "ports": [{"name": "http", "containerPort": 8080}],
            "envFrom": [{"configMapRef": {"name": f"{name}-settings"}}],
            "env": [{"name": "NEXT_ADDR", "value": f"svc{(i + 1) % n}:80"}],
            "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}},
            "livenessProbe": {"httpGet": {"path": "/live", "port": "http"}, "periodSeconds": 20},
            "resources": {
                "requests": {"cpu": "100m", "memory": "128Mi"},
                "limits": {"memory": "256Mi"},
            },
        }
        docs.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": name, "namespace": "bench", "labels": labels},
                "spec": {
                    "replicas": 2,
                    "selector": {"matchLabels": labels},
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {"containers": [container]},
                    },
                },
            }
        )
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": name, "namespace": "bench"},
                "spec": {
                    "selector": labels,
                    "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
                },
            }
        )
    return yaml.safe_dump_all(docs)


def measure(n: int, reps: int) -> dict[str, float]:
    """Seconds: the import, and each run of the conversion."""
    started = time.perf_counter()
    from moorage.convert import ConvertOptions, convert_texts

    imported = time.perf_counter() - started
    text = manifests(n)
    convert_texts([("bench.yaml", text)], ConvertOptions())  # warm-up
    runs = []
    for _ in range(reps):
        started = time.perf_counter()
        conversion = convert_texts([("bench.yaml", text)], ConvertOptions())
        runs.append(time.perf_counter() - started)
    assert len(conversion.stack_config["moorage:services"]) == n
    return {"import": imported, "median": statistics.median(runs), "max": max(runs)}


def section(n: int, reps: int, figures: dict[str, float]) -> str:
    load = os.getloadavg()[0]
    return "\n".join(
        [
            MARK_START,
            f"## `moorage convert` of {n} services (issue 27)",
            "",
            f"Read, map, render in process, compare field by field and report {n} services "
            f"(Deployment, Service, ConfigMap, a reference each): median of {reps} runs in one "
            f"process; load average {load:.1f} (`python bench/convert.py`).",
            "",
            "| conversion | median seconds | slowest | package import (once) |",
            "| --- | --- | --- | --- |",
            f"| {n} services | {figures['median']:.2f} | {figures['max']:.2f} | "
            f"{figures['import']:.2f} |",
            "",
            "Goal: under 2 s for 100 services.",
            MARK_END,
        ]
    )


def write(text: str) -> None:
    current = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else ""
    if MARK_START in current:
        before, rest = current.split(MARK_START, 1)
        current = before + text + rest.split(MARK_END, 1)[1]
    elif "\n## Set-up" in current:
        before, after = current.split("\n## Set-up", 1)
        current = before.rstrip() + "\n\n" + text + "\n\n## Set-up" + after
    else:
        current = current.rstrip() + "\n\n" + text + "\n"
    BENCHMARKS_MD.write_text(current)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args(argv)
    figures = measure(args.n, args.reps)
    text = section(args.n, args.reps, figures)
    print(text)
    if args.write:
        write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
