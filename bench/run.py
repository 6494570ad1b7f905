"""`make bench`: how Moorage's cost grows with the number of services.

Runs, each side by side with a raw pulumi_kubernetes baseline and several times:
  1. program construction under Pulumi mocks (N = 10, 50, 200; --full adds 100, 400)
  2. `pulumi preview` with the real engine against a kwok cluster (N = 10, 50)
  3. `pulumi up` / `destroy` on kwok (N = 10, 50), and --parallel 4 against the default
  4. render-to-directory vs `helm template` (N = 50), when helm and a render mode exist
  5. a 30-service stack as one Application (shared namespace, references): preview and
     up/destroy on kwok, beside 30 lone WebServices
and prints medians and spreads. A full run writes BENCHMARKS.md and docs/benchmarks.png;
raw records always go to bench/results/ (gitignored). Never asserts times.

    python bench/run.py [--quick | --full] [--only mocks,preview,up,render,application] [--no-write]
    python bench/run.py --report bench/results/FILE.json   (rewrite the report only)

PYTHONPATH=/path/to/patched/checkout puts a patched ``components`` package ahead of
this one (the benchmark programs append the repository to sys.path, never prepend).
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import shlex
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))

from bench import (  # noqa: E402
    analysis,
    engine,
    engine_bench,
    instructions,
    machine,
    plot,
    render_bench,
    report,
)
from bench import mock_construction as mocks  # noqa: E402
from bench.helm_tool import ensure_helm  # noqa: E402
from tests.engine.harness import give_children_default_sigint, tools_bin  # noqa: E402

RESULTS = ROOT / "bench" / "results"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
PLOT = ROOT / "docs" / "benchmarks.png"
ALL = ("mocks", "preview", "up", "render", "application")


@dataclass(frozen=True)
class Plan:
    """Sizes and repetitions of one run."""

    name: str
    mock_reps: dict[int, int]
    """N -> runs of each variant under mocks (small N is noisier, and cheap)."""
    preview_sizes: tuple[int, ...]
    preview_reps: int
    up_reps: dict[int, int]
    """N -> runs of each variant with the default --parallel."""
    parallel_reps: dict[int, int]
    """N -> runs of the component with --parallel 4 (the engine setting's effect)."""
    render_n: int
    render_reps: int
    build_helm: bool
    """Build helm when it is not cached yet (about 2 minutes with a warm module cache)."""
    instruction_sizes: tuple[int, ...] = ()
    """N for benchmark 1b (instructions under valgrind, one deterministic count each)."""
    application_n: int = 30
    """Services in benchmark 5's stack (one Application vs as many lone WebServices)."""
    application_reps: int = 1
    """Runs of benchmark 5 (preview, then up/destroy, of each variant)."""


PLANS = {
    "quick": Plan("quick", {10: 3, 50: 2}, (10,), 2, {10: 1}, {}, 10, 1, False, (10,)),
    "default": Plan(
        "default",
        {10: 11, 50: 9, 200: 5},
        (10, 50),
        4,
        {10: 2, 50: 1},
        {50: 1},
        50,
        2,
        True,
        (10, 50, 200),
    ),
    "full": Plan(
        "full",
        {10: 9, 50: 7, 100: 5, 200: 5, 400: 3},
        (10, 50),
        5,
        {10: 3, 50: 2},
        {10: 2, 50: 2},
        50,
        5,
        True,
        (10, 50, 200),
    ),
}


def log(message: str) -> None:
    print(message, flush=True)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smoke run, under 3 minutes")
    size.add_argument("--full", action="store_true", help="add N=100, 400 and more engine runs")
    parser.add_argument(
        "--only", default=",".join(ALL), help="comma-separated subset of " + ",".join(ALL)
    )
    parser.add_argument(
        "--no-write", action="store_true", help="leave BENCHMARKS.md and the plot alone"
    )
    parser.add_argument("--report", type=Path, help="rebuild the report from a results JSON file")
    return parser.parse_args(argv)


def _component_parallel(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if r.get("parallel") == 4]


def run_engine(plan: Plan, only: set[str], results: dict[str, Any]) -> None:
    """Benchmarks 2-4 in one temporary directory and one kwok cluster, always cleaned up."""
    with tempfile.TemporaryDirectory(prefix="moorage-bench-") as tmp:
        work = Path(tmp)
        env = engine.engine_env(tools_bin(), work)
        results["meta"]["pulumi_version"] = engine.pulumi_version(env)
        if only & {"preview", "up", "application"}:
            log("[bench] starting a kwok cluster (3 simulated nodes)")
            with engine.kwok_cluster(env) as kubeconfig:
                engine_bench.warm_up(work, env, kubeconfig)
                if "preview" in only:
                    log("[bench] 2. pulumi preview")
                    results["preview"] = engine_bench.preview(
                        work,
                        env,
                        kubeconfig,
                        plan.preview_sizes,
                        plan.preview_reps,
                        log,
                    )
                if "up" in only:
                    log("[bench] 3. pulumi up / destroy")
                    results["up"] = []
                    for n, reps in plan.up_reps.items():
                        results["up"] += engine_bench.up_destroy(
                            work, env, kubeconfig, n, reps, log
                        )
                    for n, reps in plan.parallel_reps.items():
                        results["up"] += engine_bench.up_parallel(
                            work, env, kubeconfig, n, reps, parallel=4, log=log
                        )
                if "application" in only:
                    log(f"[bench] 5. a {plan.application_n}-service stack as one Application")
                    results["application"] = engine_bench.application_stack(
                        work, env, kubeconfig, plan.application_n, plan.application_reps, log
                    )
        if "render" in only:
            log("[bench] 4. render to files vs helm template")
            results["render"], results["render_notes"] = render_bench.run(
                work, env, ensure_helm(build=plan.build_helm), plan.render_n, plan.render_reps, log
            )


def build_report(results: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The markdown and the rows the plot needs."""
    up_records = results.get("up", [])
    default_up = [r for r in up_records if r.get("parallel") == "default"]
    sections: dict[str, Any] = {
        "mocks": analysis.compare("mocks", results.get("mocks", [])),
        "preview": analysis.compare("preview", results.get("preview", [])),
        "preview_unchanged": analysis.compare(
            "preview-unchanged", [r for r in up_records if r["kind"] == "preview-unchanged"]
        ),
        "up": analysis.compare(
            "up", [r for r in default_up if r["kind"] == "up"], setting="8 (default)"
        )
        + analysis.compare(
            "up", [r for r in _component_parallel(up_records) if r["kind"] == "up"], setting="4"
        ),
        "destroy": analysis.compare(
            "destroy", [r for r in default_up if r["kind"] == "destroy"], setting="8 (default)"
        )
        + analysis.compare(
            "destroy",
            [r for r in _component_parallel(up_records) if r["kind"] == "destroy"],
            setting="4",
        ),
        "instructions": results.get("instructions", []),
        "render_rows": render_rows(results.get("render", [])),
        "render_notes": results.get("render_notes", ["not run"]),
        "check": results.get("check"),
    }
    text = report.markdown(results["meta"], sections)
    return text + application_section(results.get("application", [])), sections


def application_section(records: list[dict[str, Any]]) -> str:
    """Benchmark 5 as a small table (median seconds per variant and step)."""
    from bench.stats import summarize

    if not records:
        return ""
    n = records[0]["n"]
    lines = [
        "",
        f"## {n} services in one stack (issue 15)",
        "",
        f"One `moorage.Application` of {n} services (one shared namespace; every service "
        f"but the first refers to the first) beside {n} lone WebServices (a namespace each).",
        "",
        "| step | Application | lone WebServices |",
        "| --- | --- | --- |",
    ]
    for kind in ("preview", "up", "preview-unchanged", "destroy"):
        cells = []
        for variant in ("application", "component"):
            mine = [r["seconds"] for r in records if r["kind"] == kind and r["variant"] == variant]
            cells.append(summarize(mine).fmt() if mine else "not run")
        lines.append(f"| {kind} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines) + "\n"


def render_rows(records: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    from bench.stats import summarize

    rows: list[tuple[str, ...]] = []
    for variant in ("component", "raw", "helm"):
        mine = [r for r in records if r["variant"] == variant]
        if mine:
            rows.append(
                (
                    str(mine[0]["n"]),
                    variant,
                    summarize(r["seconds"] for r in mine).fmt(),
                    str(mine[0]["objects"]),
                )
            )
    return rows


END_OF_REPORT = "<!-- end of bench/run.py's figures -->"
"""Where this script's part of BENCHMARKS.md ends. What follows is kept as it is on a
rewrite: the sections other benchmark scripts write between their own markers
(`bench/full_service.py`, `bench/convert.py`), the one-off measurements, and the set-up
figures (measured by timing `make up` in a fresh clone and the tool builds)."""

OWN_HEADING = re.compile(
    r"## (Machine and run|Against the goals|[1-4]\. |\d+ services in one stack)"
)
"""The headings of this script's part (to find its end in a file written before the marker)."""


def kept_sections(previous: str) -> str:
    """The part of ``previous`` after this script's report."""
    if END_OF_REPORT in previous:
        return previous.split(END_OF_REPORT, 1)[1].lstrip("\n")
    offset = 0
    for line in previous.splitlines(keepends=True):
        if line.startswith(("## ", "<!-- ")) and not OWN_HEADING.match(line):
            return previous[offset:]
        offset += len(line)
    return ""


def write_outputs(results: dict[str, Any]) -> None:
    text, sections = build_report(results)
    previous = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else ""
    kept = kept_sections(previous)
    BENCHMARKS_MD.write_text(text.rstrip() + "\n\n" + END_OF_REPORT + "\n\n" + kept)
    plot.plot(
        PLOT,
        sections["mocks"],
        sections["preview"],
        [r for r in sections["up"] if r.setting.startswith("8")],
        [r for r in sections["destroy"] if r.setting.startswith("8")],
        [r for r in sections["up"] if r.setting == "4"],
        f"{results['meta']['machine']['nproc']} CPUs, shared; {results['meta']['date']}",
    )
    log(f"[bench] wrote {BENCHMARKS_MD.relative_to(ROOT)} and {PLOT.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    args = _parse(argv)
    give_children_default_sigint()  # else ~5 s per pulumi run when started with `&`
    if args.report:
        write_outputs(json.loads(args.report.read_text()))
        return 0
    plan = PLANS["quick" if args.quick else "full" if args.full else "default"]
    only = set(args.only.split(",")) & set(ALL)
    started = time.perf_counter()
    results: dict[str, Any] = {
        "meta": {
            "plan": plan.name,
            "command": "python bench/run.py " + shlex.join(argv) if argv else "make bench",
            "date": datetime.date.today().isoformat(),
            "machine": machine.describe(),
        }
    }
    log(f"[bench] plan {plan.name}: {', '.join(sorted(only))} on {results['meta']['machine']}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    saved = RESULTS / f"{stamp}-{plan.name}.json"
    load = machine.LoadSampler()
    try:
        with load:
            if "mocks" in only:
                log("[bench] 1. program construction under mocks")
                results["check"] = mocks.check_in_subprocess()
                log(f"  baseline check: {results['check']}")
                results["mocks"] = mocks.run(plan.mock_reps, log)
                if instructions.available():
                    log("[bench] 1b. instructions under mocks (valgrind)")
                    results["instructions"] = instructions.run(plan.instruction_sizes, log)
                else:
                    log("[bench] 1b. skipped: valgrind is not installed")
            run_engine(plan, only, results)
    finally:
        # Keep whatever was measured, even when a later benchmark fails.
        results["meta"]["load"] = {k: asdict(v) for k, v in load.summary().items()}
        results["meta"]["duration_min"] = (time.perf_counter() - started) / 60
        saved.write_text(json.dumps(results, indent=1))
    text, _ = build_report(results)
    print("\n" + text)
    log(f"[bench] records in {saved.relative_to(ROOT)}; {results['meta']['duration_min']:.1f} min")
    if plan.name != "quick" and not args.no_write and only == set(ALL):
        write_outputs(results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
