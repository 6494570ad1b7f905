"""Small statistics for benchmark samples: median and spread, paired ratios.

The machine is shared, so every figure is a median of several runs with its
spread (min-max), and ratios are taken between runs made next to each other.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    """The median of some samples and their range."""

    median: float
    low: float
    high: float
    count: int

    @property
    def spread(self) -> float:
        """(max - min) / median: 0.1 means the runs spanned 10 % of the median."""
        return (self.high - self.low) / self.median if self.median else 0.0

    def fmt(self, unit: str = "s", digits: int = 2) -> str:
        """``1.23 s (1.10-1.40)``."""
        return f"{self.median:.{digits}f} {unit} ({self.low:.{digits}f}-{self.high:.{digits}f})"


def summarize(values: Iterable[float]) -> Summary:
    """Median, min and max of at least one value."""
    data = sorted(values)
    if not data:
        raise ValueError("no samples to summarize")
    return Summary(statistics.median(data), data[0], data[-1], len(data))


def paired_ratios(numerators: Sequence[float], denominators: Sequence[float]) -> Summary:
    """Ratios of runs made side by side (run i of one variant over run i of the other)."""
    if len(numerators) != len(denominators):
        raise ValueError("paired ratios need as many runs of each variant")
    return summarize(a / b for a, b in zip(numerators, denominators, strict=True))


def growth(small: Summary, large: Summary, small_n: int, large_n: int) -> float:
    """How time grows against N: 1.0 is linear, above 1 is worse than linear.

    ``(t_large / t_small) / (large_n / small_n)`` on medians.
    """
    return (large.median / small.median) / (large_n / small_n)
