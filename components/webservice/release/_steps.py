"""Canary steps: the traffic a canary gets over time, and what gates each step.

``canary.steps`` lists the weights a canary moves through, each held for a pause while
its analysis runs (``_analysis.py``). This module reads the steps and plans them, purely:
for each step, the weights of the stable and canary backends of every route (when the
service has routes) or the replicas of each track (otherwise, the traffic follows the
replica ratio). With an autoscaler, the stable track keeps its HPA and its current count;
the canary is sized from that count, never from the autoscaler's maximum.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypedDict

import pulumi
from typing_extensions import NotRequired

from ... import _grammar as grammar
from ..._fields import Fields
from ._analysis import AnalysisArgs, AnalysisSpec, read_analysis
from ._plan import canary_replicas

MAX_STEPS = 20


class CanaryStepArgs(TypedDict):
    """One step of a canary release."""

    weight: pulumi.Input[int]
    """Percent of the traffic the canary gets in this step (1-100; increasing step by step)."""
    pause: NotRequired[pulumi.Input[str]]
    """How long the step holds before the next one, e.g. "2m" or "30s" (the analysis runs
    during it); unset: no pause."""
    analysis: NotRequired[pulumi.Input[AnalysisArgs]]
    """Checks that must pass during the pause; one failure aborts the release."""


@dataclass(frozen=True)
class CanaryStep:
    """One step, validated."""

    weight: int
    pause_seconds: float
    analysis: AnalysisSpec | None = None


def _read_step(
    s: Fields, i: int, previous: CanaryStep | None, service: str, namespace: str | None
) -> CanaryStep:
    """``canary.steps[i]``: a weight above the previous step's, a pause, an analysis."""
    weight = s.known("weight")
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 100:
        raise s.fail("weight", weight, "must be an integer from 1 to 100")
    if previous is not None and weight <= previous.weight:
        raise s.fail(
            "weight", weight, f"must be above the weight of steps[{i - 1}] ({previous.weight})"
        )
    pause = s.optional_text("pause")
    if pause is not None and not grammar.is_gateway_duration(pause):
        raise s.fail("pause", pause, 'must be a duration such as "30s", "2m" or "1h30m"')
    analysis = s.nested("analysis", AnalysisArgs)
    return CanaryStep(
        weight=weight,
        pause_seconds=grammar.gateway_duration_seconds(pause) if pause else 0.0,
        analysis=read_analysis(analysis, service, namespace) if analysis else None,
    )


def read_steps(r: Fields, service: str, namespace: str | None) -> list[CanaryStep]:
    """``canary.steps``: weights that increase, pauses that parse, analyses that are whole."""
    sections = r.sections("steps", CanaryStepArgs)
    if len(sections) > MAX_STEPS:
        raise r.fail("steps", f"[{len(sections)} steps]", f"may hold at most {MAX_STEPS}")
    steps: list[CanaryStep] = []
    for i, s in enumerate(sections):
        steps.append(_read_step(s, i, steps[-1] if steps else None, service, namespace))
    if steps and any(s.analysis is not None for s in steps[:-1] if s.pause_seconds == 0):
        index = next(i for i, s in enumerate(steps) if s.analysis and s.pause_seconds == 0)
        raise r.fail(
            f"steps[{index}].pause", None, "is required with analysis: it runs during the pause"
        )
    return steps


@dataclass(frozen=True)
class PlannedStep:
    """What one step sets: traffic weights (routes) or replicas (no routes)."""

    index: int
    weight: int
    stable_replicas: int
    canary_replicas: int
    backend_weights: dict[str, int] = field(default_factory=dict)
    """Route weights by track ("stable", "canary"); empty without routes."""
    pause_seconds: float = 0.0
    checks: tuple[str, ...] = ()
    """What the analysis checks, in words (for previews and errors)."""


def canary_size(stable_running: int, weight: int) -> int:
    """Replicas that carry ``weight`` percent of the traffic beside ``stable_running``
    stable replicas at the same load per pod (at least one)."""
    if weight >= 100:
        return max(1, stable_running)
    return max(1, math.ceil(stable_running * weight / (100 - weight)))


def plan_steps(
    steps: Sequence[CanaryStep], *, stable_running: int, total: int, routed: bool
) -> list[PlannedStep]:
    """The steps as the cluster will see them.

    ``stable_running`` is what the stable track runs now (its HPA's current count, read
    from the cluster, or the fixed ``total``). With routes, stable keeps its replicas and
    the canary is sized for its weight from that count; the route weights split the
    traffic exactly. Without routes, the replicas split ``total`` by the weight (the
    traffic follows the replica ratio), and stable keeps at least one replica.
    """
    planned = []
    for i, step in enumerate(steps):
        if routed:
            canary = canary_size(stable_running, step.weight)
            stable = stable_running
            weights = {"stable": 100 - step.weight, "canary": step.weight}
        else:
            # At 100% the canary runs everything and stable nothing (capacity never drops:
            # the canary is Available before stable shrinks).
            canary = total if step.weight >= 100 else canary_replicas(total, step.weight)
            stable = 0 if step.weight >= 100 else total - canary
            weights = {}
        planned.append(
            PlannedStep(
                index=i,
                weight=step.weight,
                stable_replicas=stable,
                canary_replicas=canary,
                backend_weights=weights,
                pause_seconds=step.pause_seconds,
                checks=step.analysis.describe() if step.analysis is not None else (),
            )
        )
    return planned


def describe(planned: Sequence[PlannedStep]) -> str:
    """The planned steps in one line each, as ``preview`` prints them."""
    lines = []
    for p in planned:
        split = (
            f"route weights stable {p.backend_weights['stable']} / canary "
            f"{p.backend_weights['canary']}"
            if p.backend_weights
            else f"replicas stable {p.stable_replicas} / canary {p.canary_replicas}"
        )
        pause = f", hold {p.pause_seconds:g}s" if p.pause_seconds else ""
        checks = f", check {'; '.join(p.checks)}" if p.checks else ""
        lines.append(f"step {p.index + 1}: {p.weight}% to the canary ({split}){pause}{checks}")
    return "\n".join(lines)
