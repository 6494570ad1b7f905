"""Run canary steps: set each step's traffic, hold it while its analysis runs, and abort
at the first failure.

The runner only decides; :class:`StepActions` does the cluster work (patch the route
weights, scale a track and wait for it to be ready, or on abort send every request back
to stable and scale the canary to zero). The release ledger's provider runs it during
``pulumi up`` with the real actions; the unit tests with recording ones.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ._analysis import AnalysisFailed, run_analysis
from ._steps import CanaryStep, PlannedStep


class StepActions(Protocol):
    """The cluster work of a canary run."""

    def apply(self, step: PlannedStep) -> None:
        """Give the canary this step's share: replicas first (ready), then weights."""
        ...

    def abort(self) -> None:
        """Every request back to stable, then the canary scaled to zero."""
        ...


@dataclass(frozen=True)
class RunResult:
    """How a run ended: ``failed`` is None when every step passed."""

    completed_steps: int
    failed: str | None = None


def run_steps(
    steps: Sequence[CanaryStep],
    planned: Sequence[PlannedStep],
    actions: StepActions,
    *,
    start_at: int = 0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    analyze: Callable[..., int] = run_analysis,
) -> RunResult:
    """Steps ``start_at`` onwards; a failed analysis (or action) aborts the release.

    ``start_at`` resumes a run an interrupted ``up`` left half-way (the ledger records
    the last completed step).
    """
    for index in range(start_at, len(steps)):
        step, plan = steps[index], planned[index]
        try:
            actions.apply(plan)
            if step.analysis is not None:
                analyze(index, step.analysis, step.pause_seconds, clock=clock, sleep=sleep)
            elif step.pause_seconds:
                sleep(step.pause_seconds)
        except AnalysisFailed as failure:
            actions.abort()
            return RunResult(index, str(failure))
        except Exception as error:  # an action failed (API error, not ready in time)
            actions.abort()
            return RunResult(index, f"step {index + 1}: {type(error).__name__}: {error}")
    return RunResult(len(steps))
