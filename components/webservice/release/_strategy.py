"""The release strategy of a WebService, read from its Args: rolling, blue/green or canary.

Canary steps (weights over time) would be read here too.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
from typing_extensions import NotRequired

from ... import _rules as rule
from ..._errors import ValidationError
from ..._fields import Fields
from .._autoscaling import AutoscalingSpec
from ._analysis import DEFAULTS as ANALYSIS_DEFAULTS
from ._plan import COLORS, STRATEGIES
from ._steps import CanaryStep, CanaryStepArgs, read_steps

DEFAULTS: dict[str, Any] = {
    "strategy": "rolling",
    "blue_green.keep_idle_warm": False,
    "blue_green.scale_down_delay_seconds": 30,
    "canary.weight": 20,
    "canary.promote": False,
    "canary.abort": False,
    "canary.retry": False,
    **ANALYSIS_DEFAULTS,
}
"""The defaults of this facet's fields, by dotted path (the reference prints them)."""


class BlueGreenArgs(TypedDict):
    """Settings of the ``blue_green`` release strategy."""

    active_color: NotRequired[pulumi.Input[str]]
    """Pin the live colour ("blue" or "green"). Unset: every pod-template change is
    deployed to the idle colour and the Service switches to it once it is Available.
    Set: changes are staged on the idle colour (kept running) and the Service stays on
    this colour; change it to switch, or to roll back, without redeploying."""
    keep_idle_warm: NotRequired[pulumi.Input[bool]]
    """Keep the idle colour at full size after a switch (instant rollback) instead of
    scaling it to zero."""
    scale_down_delay_seconds: NotRequired[pulumi.Input[int]]
    """Grace period between the Service switch and scaling the old colour down, so
    in-flight requests finish."""


class CanaryArgs(TypedDict):
    """Settings of the ``canary`` release strategy."""

    weight: NotRequired[pulumi.Input[int]]
    """Share of the replicas (1-99 percent) that run a new pod template while it is a
    canary."""
    promote: NotRequired[pulumi.Input[bool]]
    """Promote the canary in flight to 100%."""
    abort: NotRequired[pulumi.Input[bool]]
    """Abort the canary in flight: back to the stable version only."""
    steps: NotRequired[pulumi.Input[Sequence[pulumi.Input[CanaryStepArgs]]]]
    """Weights the canary moves through, each held for its pause while its analysis
    runs, e.g. [{weight: 10, pause: "2m", analysis: {...}}, {weight: 50, pause: "5m"},
    {weight: 100}]. With routes the route weights split the traffic; without, the
    replica ratio does. Replaces ``weight``. ``pulumi up`` runs the steps (it needs
    ``kubeconfig``), aborts at the first failed analysis, and promotes within the same
    ``up`` when a last step of 100 passes."""
    retry: NotRequired[pulumi.Input[bool]]
    """Run the steps again for a pod template whose analysis already failed (the release
    ledger records the failure and otherwise refuses that template). Unset it after: while
    set, a failing template is retried on every ``up``."""


@dataclass(frozen=True)
class BlueGreenSpec:
    active_color: str | None
    keep_idle_warm: bool
    scale_down_delay_seconds: int


@dataclass(frozen=True)
class CanarySpec:
    weight: int
    promote: bool
    abort: bool
    steps: tuple[CanaryStep, ...] = ()
    retry: bool = False


@dataclass(frozen=True)
class ReleaseSpec:
    """How a new pod template reaches the pods, and what the plan needs to know."""

    name: str
    namespace: pulumi.Input[str]
    strategy: str
    planned_replicas: pulumi.Input[int]
    autoscaling: AutoscalingSpec | None
    blue_green: BlueGreenSpec | None = None
    canary: CanarySpec | None = None
    kubeconfig: pulumi.Input[str] | None = None
    """What blue/green reads the live Service and Deployments with (None: no reads)."""
    routed: bool = False
    """The service has routes: a canary's share is set by their weights, so stable keeps
    its full count while a canary is in flight."""


def read(
    r: Fields,
    name: str,
    namespace: pulumi.Input[str],
    planned_replicas: pulumi.Input[int],
    autoscaling: AutoscalingSpec | None,
    worker: bool,
) -> ReleaseSpec:
    """The release strategy and its settings (all must be known up front)."""
    c = r.component
    strategy = r.text("strategy", DEFAULTS["strategy"])
    rule.one_of(c, "strategy", strategy, STRATEGIES)
    for key, wanted in (("blue_green", "blue_green"), ("canary", "canary")):
        if r.present(key) and strategy != wanted:
            raise r.fail(
                key, "{...}", f"only applies with strategy: {wanted} (strategy is {strategy})"
            )
    settings: dict[str, Any] = {}
    if strategy != "rolling":
        rule.known(
            c, "replicas", planned_replicas, "a release strategy plans replica counts up front"
        )
    if strategy == "blue_green":
        settings["blue_green"] = _blue_green(r)
    elif strategy == "canary":
        settings["canary"] = _canary(r, planned_replicas, autoscaling, name, namespace)
    if worker and strategy != "rolling":
        raise r.fail(
            "strategy",
            strategy,
            "is not available for a worker: blue_green and canary switch or split a "
            "Service's traffic, and a worker has no Service (use rolling)",
        )
    return ReleaseSpec(
        name=name,
        namespace=namespace,
        strategy=strategy,
        planned_replicas=planned_replicas,
        autoscaling=autoscaling,
        kubeconfig=r.optional_plain_checked("kubeconfig", rule.kubeconfig),
        **settings,
    )


def _blue_green(r: Fields) -> BlueGreenSpec:
    c = r.component
    bg = r.nested_or_empty("blue_green", BlueGreenArgs)
    active = bg.known("active_color")
    if active is not None:
        rule.one_of(c, "blue_green.active_color", active, COLORS)
    delay = bg.known("scale_down_delay_seconds")
    return BlueGreenSpec(
        active_color=active,
        keep_idle_warm=bg.boolean("keep_idle_warm", DEFAULTS["blue_green.keep_idle_warm"]),
        scale_down_delay_seconds=rule.non_negative_int(
            c,
            "blue_green.scale_down_delay_seconds",
            DEFAULTS["blue_green.scale_down_delay_seconds"] if delay is None else delay,
        ),
    )


def _steps(r: Fields, canary: Fields, name: str, namespace: pulumi.Input[str]) -> list[Any]:
    """``canary.steps``: not beside ``canary.weight``, and only with a ``kubeconfig``."""
    steps = read_steps(canary, name, namespace if isinstance(namespace, str) else None)
    if steps and canary.present("weight"):
        raise canary.fail("weight", canary.raw("weight"), "cannot be set together with steps")
    if steps and not r.present("kubeconfig"):
        raise r.fail(
            "kubeconfig",
            None,
            "is required with canary.steps: up runs the steps through the cluster's API",
        )
    return list(steps)


def _canary_weight(canary: Fields) -> int:
    weight = canary.known("weight")
    weight = DEFAULTS["canary.weight"] if weight is None else weight
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 99:
        raise ValidationError(
            canary.component, "canary.weight", weight, "must be an integer from 1 to 99"
        )
    return weight


def _canary(
    r: Fields,
    total: pulumi.Input[int],
    autoscaling: AutoscalingSpec | None,
    name: str,
    namespace: pulumi.Input[str],
) -> CanarySpec:
    c = r.component
    canary = r.nested_or_empty("canary", CanaryArgs)
    steps = _steps(r, canary, name, namespace)
    weight = _canary_weight(canary)
    if isinstance(total, int) and total < 2:
        raise ValidationError(
            c,
            "replicas" if autoscaling is None else "autoscaling.min_replicas",
            total,
            "must be at least 2 with strategy: canary, so stable keeps serving beside the canary",
        )
    promote = canary.boolean("promote", DEFAULTS["canary.promote"])
    abort = canary.boolean("abort", DEFAULTS["canary.abort"])
    if promote and abort:
        raise ValidationError(c, "canary.abort", True, "cannot be set together with canary.promote")
    if steps:
        weight = min(steps[0].weight, 99)
    return CanarySpec(
        weight=weight,
        promote=promote,
        abort=abort,
        steps=tuple(steps),
        retry=canary.boolean("retry", False),
    )
