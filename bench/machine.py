"""Describe the machine a benchmark ran on, and sample its load while it runs."""

from __future__ import annotations

import os
import platform
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import psutil

from bench.stats import Summary, summarize


def cpu_model() -> str:
    """The CPU model from /proc/cpuinfo (or what the platform module knows)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def describe() -> dict[str, Any]:
    """nproc, memory, CPU model, OS and Python: what a reader needs to compare figures."""
    return {
        "nproc": os.cpu_count() or 0,
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu_model": cpu_model(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


class LoadSampler:
    """Samples the 1-minute load average and whole-machine CPU use in a thread.

    Use as a context manager around a benchmark; ``summary()`` then tells how busy
    the (shared) machine was while the figures were taken.
    """

    def __init__(self, interval: float = 5.0) -> None:
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="load-sampler", daemon=True)
        self.load: list[float] = []
        self.cpu_percent: list[float] = []

    def _run(self) -> None:
        psutil.cpu_percent(interval=None)
        while not self._stop.wait(self._interval):
            self.load.append(os.getloadavg()[0])
            self.cpu_percent.append(psutil.cpu_percent(interval=None))

    def __enter__(self) -> LoadSampler:
        self.load.append(os.getloadavg()[0])
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=self._interval + 1)
        self.load.append(os.getloadavg()[0])

    def summary(self) -> dict[str, Summary]:
        """Load average and CPU % (all cores, incl. the benchmark itself) over the run."""
        out = {"load1": summarize(self.load)}
        if self.cpu_percent:
            out["cpu_percent"] = summarize(self.cpu_percent)
        return out
