"""BENCHMARKS.md: the figures of one `make bench` run, the machine and the method."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from bench import programs
from bench.analysis import GOALS, Row, growth_between
from bench.stats import Summary

PER_SERVICE = programs.RESOURCES_PER_SERVICE
STEP_KINDS = (
    "Namespace",
    "ServiceAccount",
    "ConfigMap",
    "Deployment",
    "Service",
    "PodDisruptionBudget",
    "NetworkPolicy",
    "WebService",
)


def _s(summary: Summary | None, unit: str = "s", digits: int = 2) -> str:
    return "n/a" if summary is None else summary.fmt(unit, digits)


def _ratio(row: Row) -> str:
    if row.ratio is None:
        return "n/a"
    if row.ratio.count == 1:
        return f"**{row.ratio.median:.2f}** (1 pair)"
    return f"**{row.ratio.median:.2f}** ({row.ratio.low:.2f}-{row.ratio.high:.2f})"


def _verdict(value: float | None, goal: float) -> str:
    if value is None:
        return "not measured"
    return "meets" if value <= goal else "**misses**"


def _table(header: Sequence[str], lines: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(line) + " |" for line in lines]
    return out


def _growth_line(rows: Sequence[Row], small: int, large: int) -> list[str]:
    comp = growth_between(rows, small, large, "component")
    raw = growth_between(rows, small, large, "raw")
    if comp is None:
        return []
    raw_text = f", raw {raw:.2f}" if raw is not None else ""
    return [
        "",
        f"Growth from N={small} to N={large} (time ratio divided by {large / small:g}; "
        f"1.00 is linear, below 1 means fixed costs still dominate): component "
        f"**{comp:.2f}**{raw_text}.",
    ]


def _machine(meta: dict[str, Any]) -> list[str]:
    machine = meta["machine"]
    load = {key: Summary(**value) for key, value in meta.get("load", {}).items()}
    lines = [
        "## Machine and run",
        "",
        f"- {machine['nproc']} CPUs ({machine['cpu_model']}), {machine['memory_gib']} GiB "
        f"memory, {machine['os']}, Python {machine['python']}",
        f"- Pulumi CLI {meta.get('pulumi_version', '?')}, Python language host from sdk "
        "v3.79.0, pulumi-kubernetes 4.25.0, kube-apiserver 1.36.1 under kwok (binary "
        "runtime, 3 simulated nodes)",
    ]
    if "load1" in load:
        l1 = load["load1"]
        cpu = load.get("cpu_percent")
        lines.append(
            f"- Load while it ran (1-minute load average, sampled every 5 s): median "
            f"{l1.median:.2f}, range {l1.low:.2f}-{l1.high:.2f}"
            + (
                f"; whole-machine CPU use median {cpu.median:.0f} % "
                f"({cpu.low:.0f}-{cpu.high:.0f} %), the benchmark included"
                if cpu
                else ""
            )
            + ". The machine is shared with other jobs: every figure is the median of "
            "several runs with its min-max range, the variants alternate (ABBA order), and "
            "ratios are medians of ratios of runs made next to each other."
        )
    lines += [
        f"- `{meta['command']}` ({meta['plan']} plan) on {meta['date']}: "
        f"{meta['duration_min']:.1f} min in all",
        "",
    ]
    return lines


def instruction_counts(records: Sequence[dict[str, Any]]) -> dict[int, dict[str, int]]:
    """N -> variant -> instructions of the construction (benchmark 1b)."""
    by_n: dict[int, dict[str, int]] = {}
    for record in records:
        by_n.setdefault(record["n"], {})[record["variant"]] = record["instructions"]
    return by_n


def _goals(sections: dict[str, Any]) -> list[str]:
    body = []
    for n, counts in instruction_counts(sections.get("instructions", [])).items():
        ratio = counts["component"] / counts["raw"]
        body.append(
            [
                f"mocks, N={n}: component/raw in instructions (1b, deterministic)",
                f"{ratio:.2f}",
                f"<= {GOALS['mocks']:.2f}",
                _verdict(ratio, GOALS["mocks"]),
            ]
        )
    for bench, label in (("mocks", "mocks"), ("preview", "preview")):
        for row in sections[bench]:
            value = row.ratio.median if row.ratio else None
            body.append(
                [
                    f"{label}, N={row.n}: component/raw",
                    f"{value:.2f}" if value else "n/a",
                    f"<= {GOALS[bench]:.2f}",
                    _verdict(value, GOALS[bench]),
                ]
            )
    for row in sections["preview_unchanged"]:
        value = row.ratio.median if row.ratio else None
        body.append(
            [
                f"preview of an up-to-date stack, N={row.n}: component/raw",
                f"{value:.2f}" if value else "n/a",
                f"<= {GOALS['preview']:.2f}",
                _verdict(value, GOALS["preview"]),
            ]
        )
    counts = instruction_counts(sections.get("instructions", []))
    if 50 in counts and 200 in counts:
        growth = counts[200]["component"] / counts[50]["component"] / 4
        body.append(
            [
                "mocks, growth N=50 -> 200 in instructions (1 = linear)",
                f"{growth:.2f}",
                "<= 1.00",
                _verdict(growth, 1.0),
            ]
        )
    growth = growth_between(sections["mocks"], 50, 200, "component")
    if growth is not None:
        body.append(
            [
                "mocks, growth N=50 -> 200 (1 = linear)",
                f"{growth:.2f}",
                "<= 1.00",
                _verdict(growth, 1.0),
            ]
        )
    return ["## Against the goals", "", *_table(["figure", "measured", "goal", ""], body), ""]


def _mocks(rows: Sequence[Row], check: dict[str, Any] | None) -> list[str]:
    lines = [
        "## 1. Program construction under mocks",
        "",
        "Each run is a fresh Python process that declares N services under Pulumi mocks "
        "(`pulumi.runtime.set_mocks`, no engine) and times the declaration until every "
        "registration has resolved. *raw* registers the very same manifests with plain "
        "`pulumi_kubernetes` resources (built ahead and untimed, then allocated inside the "
        "timed window with `json.loads`, as the dict literals of a hand-written program "
        "would be, and as the engine benchmark's raw program reads them; the component's "
        "process builds them too and drops them, so the garbage collector starts from the "
        "same state in both), so the ratio is the "
        "component's own overhead: validation, building the manifests, the component "
        f"resource and its outputs. {PER_SERVICE} Kubernetes objects per service; the "
        "component adds itself as an 8th resource.",
    ]
    if check:
        verdict = (
            "identical"
            if check["identical"]
            else "DIFFERENT: " + ", ".join(check["differences"][:5])
        )
        lines += [
            "",
            f"Baseline check (N={check['n']}, {check['objects']} objects): the inputs both "
            f"programs register are {verdict}.",
        ]
    body = []
    for row in rows:
        gc = row.extra.get("component_gc_seconds")
        full = [row.extra.get(f"{v}_gc_full_collections") for v in ("component", "raw")]
        imports = [row.extra.get(f"{v}_import_seconds") for v in ("component", "raw")]
        body.append(
            [
                str(row.n),
                _s(row.component),
                _s(row.raw),
                _ratio(row),
                f"{row.component.median / row.n * 1000:.1f}" if row.component else "n/a",
                f"{gc.median / row.component.median:.0%}" if gc and row.component else "n/a",
                " / ".join(f"{f.median:.0f}" if f else "n/a" for f in full),
                " / ".join(f"{i.median:.2f}" if i else "n/a" for i in imports),
            ]
        )
    lines += [
        "",
        *_table(
            [
                "N",
                "component",
                "raw",
                "component/raw",
                "ms per service (comp.)",
                "GC share (comp.)",
                "full GCs (comp. / raw)",
                "imports s (comp. / raw)",
            ],
            body,
        ),
        "",
        "*full GCs*: collections of the oldest generation during construction; each walks the "
        "whole heap, so one more of them is a visible step in time. *imports*: from "
        "interpreter start until everything the program uses is imported (outside the timed "
        "construction, but every real run pays it): the component's package also imports "
        "more `pulumi_kubernetes` modules.",
    ]
    lines += _growth_line(rows, 50, 200)
    return [*lines, ""]


def _mib(row: Row, variant: str, role: str) -> str:
    value = row.extra.get(f"{variant}_peak_{role}_mib")
    return "n/a" if value is None else f"{value.median:.0f}"


def _instructions(records: Sequence[dict[str, Any]]) -> list[str]:
    counts = instruction_counts(records)
    if not counts:
        return []
    body = []
    for n, c in counts.items():
        line = [
            str(n),
            f"{c['component'] / 1e9:.2f} G",
            f"{c['raw'] / 1e9:.2f} G",
            f"**{c['component'] / c['raw']:.2f}**",
            f"{c['component'] / n / 1e6:.1f} M",
        ]
        body.append(line)
    header = ["N", "component", "raw", "component/raw", "per service (comp.)"]
    sizes = sorted(counts)
    growth = [
        f"N={a} -> {b}: component {counts[b]['component'] / counts[a]['component'] / (b / a):.2f}"
        f", raw {counts[b]['raw'] / counts[a]['raw'] / (b / a):.2f}"
        for a, b in pairwise(sizes)
    ]
    return [
        "### 1b. The same construction, counted in instructions",
        "",
        "Wall time on this shared virtual machine moves by 10-20 % between identical runs, "
        "more than the differences benchmark 1 looks for. valgrind's cachegrind counts the "
        "instructions each process executes instead: the same program gives the same count "
        "within 0.1 %. A count is the whole process minus the same variant's process at N=0 "
        "(imports and start-up cancel out); *raw* reads its prepared manifests from a file, "
        "so building them is not counted. Instructions are not time (a garbage-collector walk "
        "of a large heap costs more time per instruction than most code), so both are shown.",
        "",
        *_table(header, body),
        "",
        *(
            [
                "Growth (count ratio divided by the ratio of N; 1.00 is linear): "
                f"{'; '.join(growth)}.",
                "",
            ]
            if growth
            else []
        ),
    ]


def _preview(rows: Sequence[Row], unchanged: Sequence[Row]) -> list[str]:
    lines = [
        "## 2. `pulumi preview`",
        "",
        "The real CLI, language host and Kubernetes provider against a kwok API server; each "
        "run previews a new stack (every object to create). Peak memory is the highest "
        "resident set of the process tree, sampled every 0.1 s with psutil (engine = "
        "`pulumi`; program = language host + Python; provider = `pulumi-resource-kubernetes`). "
        "The usual pull-request case, a preview of an up-to-date stack, is measured after "
        "each `up` of benchmark 3.",
        "",
    ]
    body = [
        [
            str(row.n),
            _s(row.component),
            _s(row.raw),
            _ratio(row),
            f"{_mib(row, 'component', 'total')} / {_mib(row, 'raw', 'total')}",
            f"{_mib(row, 'component', 'engine')} / {_mib(row, 'raw', 'engine')}",
            f"{_mib(row, 'component', 'program')} / {_mib(row, 'raw', 'program')}",
            f"{_mib(row, 'component', 'provider')} / {_mib(row, 'raw', 'provider')}",
        ]
        for row in rows
    ]
    lines += _table(
        [
            "N",
            "component",
            "raw",
            "component/raw",
            "peak MiB, all (comp. / raw)",
            "engine",
            "program",
            "provider",
        ],
        body,
    )
    lines += _growth_line(rows, 10, 50)
    if unchanged:
        lines += ["", "Preview of an up-to-date stack (right after `up`, nothing to change):", ""]
        lines += _table(
            ["N", "component", "raw", "component/raw"],
            [[str(r.n), _s(r.component), _s(r.raw), _ratio(r)] for r in unchanged],
        )
    return [*lines, ""]


def _up(up: Sequence[Row], destroy: Sequence[Row]) -> list[str]:
    lines = [
        "## 3. `pulumi up` and `destroy` on kwok",
        "",
        "`up --skip-preview` of a new stack, then `destroy --skip-preview`, each run on its "
        "own stack. The Kubernetes provider awaits every Deployment's rollout, and all N "
        "Deployments were checked Available after each `up`, so `up` is the time until the "
        "last one is Available. `--parallel 4` runs use the component variant only (the "
        "engine setting does not care how the resources were declared).",
        "",
    ]
    body = []
    for op, rows in (("up", up), ("destroy", destroy)):
        for row in rows:
            per = (
                f"{row.component.median / row.n:.2f} s / "
                f"{row.component.median / (row.n * PER_SERVICE) * 1000:.0f} ms"
                if row.component
                else "n/a"
            )
            body.append(
                [
                    op,
                    str(row.n),
                    row.setting,
                    _s(row.component, digits=1),
                    _s(row.raw, digits=1),
                    _ratio(row),
                    per,
                ]
            )
    lines += _table(
        [
            "operation",
            "N",
            "--parallel",
            "component",
            "raw",
            "component/raw",
            "per service / per object (comp.)",
        ],
        body,
    )
    default_up = [row for row in up if row.setting.startswith("8")]
    lines += _growth_line(default_up, 10, 50)
    steps = [row for row in up if row.extra.get("by_type")]
    if steps:
        kinds = [k for k in STEP_KINDS if any(k in row.extra["by_type"] for row in steps)]
        lines += [
            "",
            "Median time of one create step by resource type during `up` (from the engine's "
            "event log, whole seconds; WebService = from the component's registration to its "
            "outputs):",
            "",
        ]
        lines += _table(
            ["N", "--parallel", *kinds],
            [
                [str(r.n), r.setting, *(f"{r.extra['by_type'].get(k, 0):.0f} s" for k in kinds)]
                for r in steps
            ],
        )
    return [*lines, ""]


def _render(rows: Sequence[Sequence[str]], notes: Sequence[str]) -> list[str]:
    lines = ["## 4. Render to files vs `helm template`", ""]
    lines += [f"- {note}" for note in notes]
    if rows:
        lines += ["", *_table(["N", "what", "time", "objects"], rows)]
        lines += [
            "",
            "*component* / *raw*: `pulumi up` of a new stack whose Kubernetes provider has "
            "`render_yaml_to_directory` (the mode `make render` uses; the Moorage program "
            "renders one service per stack, so N services go through the benchmark program), "
            "i.e. the engine, language host and provider all run. *helm*: `helm template "
            "--output-dir` of a generic chart whose one template produces the same objects "
            "for a list of N services. Neither validates the files here (`make render` then "
            "runs kubernetes-validate).",
        ]
    return [*lines, ""]


def markdown(meta: dict[str, Any], sections: dict[str, Any]) -> str:
    """The whole BENCHMARKS.md."""
    lines = [
        "# Benchmarks: how Moorage's cost grows with the number of services",
        "",
        "Generated by `make bench` (`bench/run.py`: `--quick` is a smoke run, `--full` adds "
        "N=100 and 400 under mocks and more engine runs). Not part of the test suite; "
        "nothing asserts times. Raw records of each run go to `bench/results/` "
        "(not committed).",
        "",
        "![time against N for benchmarks 1-3](docs/benchmarks.png)",
        "",
    ]
    lines += _machine(meta)
    lines += _goals(sections)
    lines += _mocks(sections["mocks"], sections.get("check"))
    lines += _instructions(sections.get("instructions", []))
    lines += _preview(sections["preview"], sections["preview_unchanged"])
    lines += _up(sections["up"], sections["destroy"])
    lines += _render(sections["render_rows"], sections["render_notes"])
    return "\n".join(lines).rstrip() + "\n"
