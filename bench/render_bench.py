"""Benchmark 4: render-to-directory of N services vs ``helm template`` of a generic chart.

Render mode is the one components/program.py has (``make render``): a Kubernetes
provider with ``render_yaml_to_directory``, so ``pulumi up`` writes one YAML file
per object and needs no cluster. The Moorage program renders one service per
stack, so N services go through bench/engine_program in the same mode. Neither
side validates the files here (``make render`` then runs kubernetes-validate;
``helm template`` does not validate without a cluster).
"""

from __future__ import annotations

import re
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bench import helm_chart, programs
from bench.engine import ROOT, bench_stack, program_config
from bench.helm_tool import HelmTool

Log = Callable[[str], None]


def render_mode_available() -> tuple[bool, str]:
    """Whether the program has a render mode and ``make render`` exists."""
    try:
        import moorage._program as program
    except ImportError as error:  # pragma: no cover - the package is always importable
        return False, f"moorage._program does not import: {error}"
    has_mode = hasattr(program, "render_directory") or hasattr(program, "RENDER_DIR_ENV")
    makefile = (ROOT / "Makefile").read_text()
    has_target = re.search(r"^render:", makefile, re.MULTILINE) is not None
    if has_mode and has_target:
        return True, "render mode (components/program.py) and `make render` found"
    missing = [
        what
        for what, ok in (
            ("a render mode in components/program.py", has_mode),
            ("`make render`", has_target),
        )
        if not ok
    ]
    return False, "missing " + " and ".join(missing)


def _pulumi_render(work: Path, env: dict[str, str], variant: str, n: int) -> tuple[float, int]:
    """Render N services of ``variant`` with the engine; (seconds, files written)."""
    out = work / f"render-{uuid.uuid4().hex[:8]}"
    config = program_config(work, variant, n, render_dir=out)
    with bench_stack(work, env, config) as stack:
        # Render mode creates nothing in a cluster: the stack needs no destroy.
        result = stack.checked("up", "--yes", "--skip-preview")
    return result.seconds, len(list(out.rglob("*.yaml")))


def _helm_template(helm: Path, chart: Path, out: Path) -> tuple[float, list[dict[str, Any]]]:
    """``helm template`` into ``out``; (seconds, the objects it wrote)."""
    started = time.perf_counter()
    subprocess.run(
        [str(helm), "template", "bench", str(chart), "--output-dir", str(out)],
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    docs = [
        doc
        for path in sorted(out.rglob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]
    return seconds, docs


def _same_objects(docs: list[dict[str, Any]], n: int, prefix: str) -> bool:
    """The chart's Deployments and Services equal the WebService manifests."""
    expected = {svc["name"]: svc for svc in programs.raw_manifests(n, prefix)}
    if len(docs) != programs.RESOURCES_PER_SERVICE * n:
        return False
    for doc in docs:
        svc = expected.get(doc["metadata"].get("namespace") or doc["metadata"]["name"])
        if svc is None:
            return False
        if doc["kind"] == "Deployment" and doc["spec"] != svc["deployment"]:
            return False
        if doc["kind"] == "Service" and doc["spec"] != svc["service"]:
            return False
    return True


def run(
    work: Path,
    env: dict[str, str],
    helm: HelmTool,
    n: int,
    reps: int,
    log: Log = print,
) -> tuple[list[dict[str, Any]], list[str]]:
    """``reps`` rounds of: render both variants with the engine, then ``helm template``.

    Returns the records and notes (why it was skipped, checks made).
    """
    available, why = render_mode_available()
    notes = [why, helm.note]
    if not available or helm.path is None:
        notes.append("benchmark 4 skipped")
        return [], notes
    chart = helm_chart.write_chart(work / "chart", n, prefix="svc")
    records: list[dict[str, Any]] = []
    for rep in range(reps):
        order = programs.VARIANTS if rep % 2 == 0 else programs.VARIANTS[::-1]
        for variant in order:
            seconds, files = _pulumi_render(work, env, variant, n)
            records.append(
                {
                    "kind": "render",
                    "variant": variant,
                    "n": n,
                    "rep": rep,
                    "seconds": seconds,
                    "objects": files,
                }
            )
        seconds, docs = _helm_template(helm.path, chart, work / f"helm-{rep}")
        same = _same_objects(docs, n, "svc")
        records.append(
            {
                "kind": "render",
                "variant": "helm",
                "n": n,
                "rep": rep,
                "seconds": seconds,
                "objects": len(docs),
                "same_objects": same,
            }
        )
        log(
            f"  render N={n} run {rep + 1}/{reps}: "
            + "  ".join(
                f"{r['variant']} {r['seconds']:.2f}s ({r['objects']} objects)" for r in records[-3:]
            )
        )
    if records and all(r.get("same_objects", True) for r in records):
        notes.append("helm's Deployments and Services are identical to the WebService manifests")
    return records, notes
