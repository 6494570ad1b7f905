"""docs/benchmarks.png: time against N for benchmarks 1-3, component vs raw."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from bench.analysis import Row

COLORS = {"component": "#1f77b4", "raw": "#ff7f0e"}
LABELS = {"component": "WebService component", "raw": "raw pulumi_kubernetes"}


def _series(
    ax: Axes, rows: Sequence[Row], variant: str, style: str = "-o", label: str = ""
) -> None:
    points = [(row.n, getattr(row, variant)) for row in rows if getattr(row, variant) is not None]
    if not points:
        return
    ns = [n for n, _ in points]
    medians = [s.median for _, s in points]
    low = [s.median - s.low for _, s in points]
    high = [s.high - s.median for _, s in points]
    ax.errorbar(
        ns,
        medians,
        yerr=[low, high],
        fmt=style,
        color=COLORS[variant],
        capsize=3,
        label=label or LABELS[variant],
    )


def _linear_guide(ax: Axes, rows: Sequence[Row]) -> None:
    """A line through the component's smallest-N point with slope 1 (linear growth)."""
    first = next((row for row in rows if row.component is not None), None)
    if first is None or first.component is None:
        return
    ns = [row.n for row in rows]
    ax.plot(
        ns,
        [first.component.median * n / first.n for n in ns],
        ":",
        color="grey",
        label="linear growth from N=" + str(first.n),
    )


def _panel(ax: Axes, title: str, rows: Sequence[Row], log: bool = False) -> None:
    for variant in ("component", "raw"):
        _series(ax, rows, variant)
    for row in rows:
        if row.ratio is not None and row.component is not None:
            ax.annotate(
                f"comp/raw {row.ratio.median:.2f}",
                (row.n, row.component.median),
                textcoords="offset points",
                xytext=(7, -13),
                ha="left",
                fontsize=8,
            )
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("services (N)")
    ax.set_ylabel("seconds (median; bars: min-max)")
    ns = sorted({row.n for row in rows})
    if log:
        _linear_guide(ax, rows)
        ax.set_xscale("log")
        ax.set_yscale("log")
        if ns:
            ax.set_xlim(ns[0] / 1.4, ns[-1] * 1.8)
        low, high = ax.get_ylim()
        ticks = [t for t in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if low <= t <= high]
        ax.set_yticks(ticks)
        ax.set_yticklabels([f"{t:g}" for t in ticks])
    else:
        ax.set_ylim(bottom=0, top=ax.get_ylim()[1] * 1.15)
        ax.set_xlim(0, max(ns, default=1) * 1.2)
    ax.set_xticks(ns)
    ax.set_xticklabels([str(n) for n in ns])
    ax.minorticks_off()
    ax.grid(alpha=0.3)


def plot(
    path: Path,
    mocks: Sequence[Row],
    preview: Sequence[Row],
    up: Sequence[Row],
    destroy: Sequence[Row],
    up_parallel: Sequence[Row],
    subtitle: str,
) -> None:
    """Three panels side by side; ratio labels are component/raw."""
    fig, axes = plt.subplots(1, 3, figsize=(16, 5.2))
    _panel(axes[0], "1. Program construction under mocks (log-log)", mocks, log=True)
    _panel(axes[1], "2. pulumi preview of a new stack (kwok)", preview)
    ax = axes[2]
    for variant in ("component", "raw"):
        _series(ax, destroy, variant, style="--s", label=f"{LABELS[variant]}: destroy")
    _series(ax, up_parallel, "component", style=":^", label="component: up --parallel 4")
    _panel(ax, "3. pulumi up (solid) and destroy (dashed) on kwok", up)
    for a in axes:
        a.legend(fontsize=7.5, loc="upper left")
    fig.suptitle(f"Moorage: cost against the number of services ({subtitle})", fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
