"""Plain-language observations drawn from one run's figures (for BENCHMARKS.md)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from bench.analysis import Row


def _at(rows: Sequence[Row], n: int, setting_prefix: str = "") -> Row | None:
    for row in rows:
        if row.n == n and row.setting.startswith(setting_prefix):
            return row
    return None


def _gc(mocks: Sequence[Row]) -> list[str]:
    if not mocks:
        return []
    small, large = mocks[0], mocks[-1]
    gc_small = small.extra.get("component_gc_seconds")
    gc_large = large.extra.get("component_gc_seconds")
    if not (gc_small and gc_large and small.component and large.component):
        return []
    outside = []
    for variant in ("component", "raw"):
        a, b = getattr(small, variant), getattr(large, variant)
        gc_a = small.extra.get(f"{variant}_gc_seconds")
        gc_b = large.extra.get(f"{variant}_gc_seconds")
        if a and b and gc_a and gc_b:
            ratio = (b.median - gc_b.median) / (a.median - gc_a.median) / (large.n / small.n)
            outside.append(f"{variant} {ratio:.2f}")
    return [
        f"- **Construction grows faster than linearly, for both variants, mostly because of "
        f"Python's cyclic garbage collector.** Its share of the component's construction time "
        f"goes from {gc_small.median / small.component.median:.0%} at N={small.n} to "
        f"{gc_large.median / large.component.median:.0%} at N={large.n}: every full "
        "collection walks the whole heap of Outputs and resource objects, which grows with N. "
        f"The time outside the collector grows by {' and '.join(outside)} from N={small.n} "
        f"to N={large.n} (divided by {large.n // small.n}; 1.00 is linear, below 1 means "
        "fixed costs still weigh at the smaller N)."
    ]


def _imports(mocks: Sequence[Row], preview: Sequence[Row]) -> list[str]:
    imports = {
        variant: [
            r.extra[f"{variant}_import_seconds"].median
            for r in mocks
            if f"{variant}_import_seconds" in r.extra
        ]
        for variant in ("component", "raw")
    }
    if not imports["component"] or not imports["raw"]:
        return []
    extra = statistics.median(imports["component"]) - statistics.median(imports["raw"])
    gaps = [
        f"N={r.n}: {r.component.median - r.raw.median:.1f} s"
        for r in preview
        if r.component is not None and r.raw is not None
    ]
    return [
        f"- **Start-up is a fixed part of the gap.** Importing what the component program needs "
        f"takes about {extra:.2f} s more than the raw program's imports (the component's own "
        "modules and the `pulumi_kubernetes` modules it references). Preview time gap "
        "(component - raw): " + ", ".join(gaps) + "."
    ]


def _work(sections: dict[str, Any]) -> list[str]:
    counts: dict[int, dict[str, int]] = {}
    for record in sections.get("instructions", []):
        counts.setdefault(record["n"], {})[record["variant"]] = record["instructions"]
    if not counts:
        return []
    ratios = ", ".join(f"N={n}: {c['component'] / c['raw']:.2f}" for n, c in sorted(counts.items()))
    return [
        f"- **In work done, the component costs little over raw** (instructions, component/raw: "
        f"{ratios}): the ComponentResource Pulumi registers for each service, its outputs, "
        "the validation and the building of the manifests. Wall-time ratios under mocks "
        "scatter around these figures by 10-20 % from run to run on this machine."
    ]


def _fewer_collections(sections: dict[str, Any]) -> list[str]:
    before_rows = sections.get("before_after", {}).get("mocks", {}).get("before_vs_raw", [])
    before = {
        row.n: row.extra["component_gc_full_collections"].median
        for row in before_rows
        if "component_gc_full_collections" in row.extra
    }
    fewer = [
        f"N={row.n}: {before[row.n]:.0f} against {after.median:.0f}"
        for row in sections["mocks"]
        if (after := row.extra.get("component_gc_full_collections")) is not None
        and row.n in before
        and before[row.n] < after.median
    ]
    if not fewer:
        return []
    return [
        "- **Under mocks the old component is sometimes the faster one**, because it ran fewer "
        f"full garbage collections ({'; '.join(fewer)}). Importing the `kubernetes` client "
        "made its long-lived heap larger, and CPython starts a full collection only once the "
        "objects promoted since the last one exceed a quarter of that heap. The client's "
        "0.3 s of import, which every run pays, is gone; the collections a program triggers "
        "depend on all it has imported, and are not the component's own work."
    ]


def _steps(up: Sequence[Row]) -> list[str]:
    row = next((r for r in up if r.extra.get("by_type")), None)
    if row is None:
        return []
    by_type = row.extra["by_type"]
    service, deployment = by_type.get("Service"), by_type.get("Deployment")
    if service is None:
        return []
    return [
        f"- **`up` is bounded by the provider's awaits, not by Moorage.** A Service takes "
        f"{service:.0f} s to create (pulumi-kubernetes waits 10 s for its Endpoints to "
        f"settle after the last change), a Deployment {deployment or 0:.0f} s, every other "
        "object under a second. The engine runs at most `--parallel` steps at once, so N "
        "Services hold the slots for about N x 10 s / parallel; the component/raw ratio of "
        "`up` and `destroy` is therefore about 1."
    ]


def _parallel(up: Sequence[Row], destroy: Sequence[Row]) -> list[str]:
    out = []
    for label, rows in (("up", up), ("destroy", destroy)):
        for n in sorted({r.n for r in rows}):
            default, four = _at(rows, n, "8"), _at(rows, n, "4")
            if default and four and default.component and four.component:
                out.append(
                    f"{label} N={n}: {four.component.median:.0f} s with `--parallel 4` "
                    f"against {default.component.median:.0f} s with the default 8 "
                    f"(x{four.component.median / default.component.median:.2f})"
                )
    if not out:
        return []
    return ["- **`--parallel`**: " + "; ".join(out) + "."]


def _memory(preview: Sequence[Row]) -> list[str]:
    small, large = (preview[0], preview[-1]) if len(preview) > 1 else (None, None)
    if small is None or large is None:
        return []
    parts = []
    for variant in ("component", "raw"):
        a = small.extra.get(f"{variant}_peak_total_mib")
        b = large.extra.get(f"{variant}_peak_total_mib")
        if a and b:
            per = (b.median - a.median) / (large.n - small.n)
            parts.append(f"{variant} {per:.1f} MiB")
    comp_program = large.extra.get("component_peak_program_mib")
    raw_program = large.extra.get("raw_peak_program_mib")
    extra = ""
    if comp_program and raw_program:
        extra = (
            f"; at N={large.n} the Python program peaks at {comp_program.median:.0f} MiB with "
            f"the component against {raw_program.median:.0f} MiB raw"
        )
    return [
        f"- **Memory** of a preview grows by about {' and '.join(parts)} per service "
        f"(all processes, N={small.n} -> {large.n}){extra}."
    ]


def findings(sections: dict[str, Any]) -> list[str]:
    """A short list of what the figures say."""
    items = (
        _work(sections)
        + _gc(sections["mocks"])
        + _fewer_collections(sections)
        + _imports(sections["mocks"], sections["preview"])
        + _steps(sections["up"])
        + _parallel(sections["up"], sections["destroy"])
        + _memory(sections["preview"])
    )
    return ["## What the figures say", "", *items, ""] if items else []
