"""Turn benchmark records into the figures the report prints: per (benchmark, N)
the median and spread of each variant, the component/raw ratio, and growth."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.stats import Summary, growth, paired_ratios, summarize

GOALS = {"mocks": 1.15, "preview": 1.10}
"""The issue's targets for the component/raw ratio."""

EXTRA_KEYS = (
    "peak_total_mib",
    "peak_engine_mib",
    "peak_program_mib",
    "peak_provider_mib",
    "gc_seconds",
    "gc_full_collections",
    "import_seconds",
    "last_deployment_s",
)
"""Per-run figures summarized per variant next to the time."""


@dataclass(frozen=True)
class Row:
    """One line of a result table: a benchmark at one N (and engine setting)."""

    bench: str
    n: int
    setting: str
    component: Summary | None
    raw: Summary | None
    ratio: Summary | None
    """Paired component/raw ratios of runs made side by side."""
    extra: dict[str, Any]

    @property
    def ratio_of_medians(self) -> float | None:
        if self.component is None or self.raw is None:
            return None
        return self.component.median / self.raw.median


def _select(records: Iterable[dict[str, Any]], **match: Any) -> list[dict[str, Any]]:
    return [r for r in records if all(r.get(k) == v for k, v in match.items())]


def _values(records: Sequence[dict[str, Any]], variant: str, key: str) -> list[float]:
    return [
        float(r[key])
        for r in sorted(records, key=lambda r: r["rep"])
        if r["variant"] == variant and key in r
    ]


def compare(
    bench: str, records: Sequence[dict[str, Any]], key: str = "seconds", setting: str = ""
) -> list[Row]:
    """One row per N: both variants' medians and their paired ratio."""
    rows = []
    for n in sorted({r["n"] for r in records}):
        at_n = _select(records, n=n)
        component, raw = _values(at_n, "component", key), _values(at_n, "raw", key)
        ratio = paired_ratios(component, raw) if component and len(component) == len(raw) else None
        extra: dict[str, Any] = {}
        for name in EXTRA_KEYS:
            for variant in ("component", "raw"):
                values = _values(at_n, variant, name)
                if values:
                    extra[f"{variant}_{name}"] = summarize(values)
        by_type = [r["by_type"] for r in at_n if r.get("by_type")]
        if by_type:
            extra["by_type"] = {
                kind: summarize(bt[kind] for bt in by_type if kind in bt).median
                for kind in sorted({k for bt in by_type for k in bt})
            }
        rows.append(
            Row(
                bench,
                n,
                setting,
                summarize(component) if component else None,
                summarize(raw) if raw else None,
                ratio,
                extra,
            )
        )
    return rows


def growth_between(rows: Sequence[Row], small: int, large: int, variant: str) -> float | None:
    """Growth of ``variant`` from N=small to N=large (1.0 = linear)."""
    by_n = {row.n: row for row in rows}
    if small not in by_n or large not in by_n:
        return None
    a, b = getattr(by_n[small], variant), getattr(by_n[large], variant)
    if a is None or b is None:
        return None
    return growth(a, b, small, large)
