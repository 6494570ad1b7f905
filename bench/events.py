"""Per-resource timings from the engine's event log (``pulumi up --event-log FILE``).

The pinned CLI hides ``--event-log`` unless ``PULUMI_DEBUG_COMMANDS`` is set
(bench/engine.py sets it). Timestamps are whole seconds, so durations are only
good to about a second: enough to see which resource types hold an ``up`` back.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any


def _short_type(token: str) -> str:
    """``kubernetes:apps/v1:Deployment`` -> ``Deployment``."""
    return token.rsplit(":", 1)[-1]


def step_timings(path: Path) -> dict[str, Any]:
    """Median step duration per resource type, and when the last Deployment finished.

    Returns ``{"by_type": {type: median_s}, "last_deployment_s": s, "steps": count}``;
    ``last_deployment_s`` counts from the first event (the engine's start).
    """
    if not path.is_file():
        return {}
    started: dict[str, float] = {}
    durations: dict[str, list[float]] = {}
    first: float | None = None
    last_deployment = 0.0
    steps = 0
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        event = json.loads(line)
        stamp = float(event.get("timestamp", 0))
        first = stamp if first is None else first
        for key in ("resourcePreEvent", "resOutputsEvent", "resOpFailedEvent"):
            if key not in event:
                continue
            meta = event[key]["metadata"]
            if meta.get("op") == "same":
                continue
            urn, kind = meta["urn"], _short_type(meta["type"])
            if key == "resourcePreEvent":
                started[urn] = stamp
                continue
            steps += 1
            if urn in started:
                durations.setdefault(kind, []).append(stamp - started.pop(urn))
            if kind == "Deployment":
                last_deployment = max(last_deployment, stamp - first)
    return {
        "by_type": {kind: statistics.median(values) for kind, values in sorted(durations.items())},
        "last_deployment_s": last_deployment,
        "steps": steps,
    }
