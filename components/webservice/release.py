"""Pure planning of blue/green and canary releases.

Each ``pulumi up`` reads the release state the previous one left (which pod
template each colour or track runs, which colour is live, whether a canary is in
flight), compares it with the desired pod template, and plans every Deployment:
its template, its replicas and whether it must wait for the Service switch.
Nothing here touches Pulumi; the component wires the plan to resources.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from .._errors import ValidationError

COLORS = ("blue", "green")
TRACKS = ("stable", "canary")
STRATEGIES = ("rolling", "blue_green", "canary")

Template = dict[str, Any]


def other_color(color: str) -> str:
    return "green" if color == "blue" else "blue"


def normalized(value: Any) -> Any:
    """JSON-normalise a template: integral floats (as stack outputs return them) become ints."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    return value


def same_template(a: Template | None, b: Template | None) -> bool:
    """Compare two pod templates; an unknown (None) template counts as different."""
    if a is None or b is None:
        return False
    return json.dumps(normalized(a), sort_keys=True) == json.dumps(normalized(b), sort_keys=True)


@dataclass(frozen=True)
class ReleaseState:
    """What one release leaves for the next, kept in the stack output ``<name>-release``."""

    strategy: str
    templates: dict[str, Template]
    live: str | None = None
    canary_in_flight: bool = False

    def to_output(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "live": self.live,
            "canary_in_flight": self.canary_in_flight,
            "templates": self.templates,
        }

    @staticmethod
    def from_output(value: Any) -> ReleaseState | None:
        """Parse a stored state; anything unreadable counts as no previous release."""
        if not isinstance(value, dict) or not isinstance(value.get("templates"), dict):
            return None
        return ReleaseState(
            strategy=str(value.get("strategy")),
            templates={k: normalized(v) for k, v in value["templates"].items()},
            live=value.get("live"),
            canary_in_flight=bool(value.get("canary_in_flight")),
        )


@dataclass(frozen=True)
class DeploymentPlan:
    """How one Deployment of a release is declared in this update."""

    template: Template | None
    """The pod template to keep, or None to use the desired (current) one."""
    replicas: int | None
    """Replicas to send, or None to leave them to the HorizontalPodAutoscaler."""
    after: str | None = None
    """Wait for this step first: "switch" (the Service switch and its grace period) or
    the name of the other Deployment (canary ordering)."""


@dataclass(frozen=True)
class ReleasePlan:
    """The plan for both Deployments of a blue/green or canary release."""

    deployments: dict[str, DeploymentPlan]
    state: ReleaseState
    live: str | None = None
    switched: bool = False
    notes: list[str] = field(default_factory=list)


def plan_blue_green(
    previous: ReleaseState | None,
    desired: Template | None,
    *,
    pinned: str | None,
    keep_idle_warm: bool,
    replicas: int | None,
) -> ReleasePlan:
    """Plan a blue/green release.

    ``desired`` is the resolved desired pod template (None when not yet known, as in
    a preview with unknown values: then it counts as a change). ``replicas`` is None
    when an HPA owns the count. Without ``pinned``, a changed template goes to the
    idle colour and the Service switches to it; with ``pinned``, the Service stays on
    (or moves to) the pinned colour and a changed template is staged on the other.
    """
    idle_replicas = replicas if keep_idle_warm else 0
    if previous is None or previous.strategy != "blue_green" or previous.live not in COLORS:
        live = pinned or "blue"
        template = desired if desired is not None else {}
        state = ReleaseState("blue_green", {c: template for c in COLORS}, live=live)
        return ReleasePlan(
            deployments={
                live: DeploymentPlan(None, replicas),
                other_color(live): DeploymentPlan(None, idle_replicas),
            },
            state=state,
            live=live,
        )

    templates = dict(previous.templates)
    was_live = previous.live
    if pinned is None:
        live = (
            was_live if same_template(desired, templates.get(was_live)) else other_color(was_live)
        )
        if live != was_live:
            templates[live] = desired or {}
    else:
        live = pinned
        if not same_template(desired, templates.get(live)):
            templates[other_color(live)] = desired or {}
    idle = other_color(live)

    def keeps(color: str) -> Template | None:
        """None (use the desired template) when this colour now runs it."""
        stored = templates.get(color)
        if desired is not None and same_template(desired, stored):
            return None
        return stored if stored else None

    switched = live != was_live
    deployments = {
        live: DeploymentPlan(keeps(live), replicas),
        idle: DeploymentPlan(
            keeps(idle),
            idle_replicas,
            after="switch" if switched and idle_replicas == 0 else None,
        ),
    }
    return ReleasePlan(
        deployments=deployments,
        state=ReleaseState("blue_green", templates, live=live),
        live=live,
        switched=switched,
    )


def canary_replicas(total: int, weight: int) -> int:
    """Replicas the canary gets: at least one, and always fewer than the total."""
    return min(total - 1, max(1, math.ceil(total * weight / 100)))


def plan_canary(
    component: str,
    previous: ReleaseState | None,
    desired: Template | None,
    *,
    weight: int,
    promote: bool,
    abort: bool,
    total: int,
    autoscaled: bool,
) -> ReleasePlan:
    """Plan a canary release over a ``stable`` and a ``canary`` Deployment.

    A changed template starts (or updates) a canary holding ``weight`` percent of
    ``total`` replicas; ``promote`` moves it to stable; ``abort`` returns to stable
    only. The canary scales up before stable scales down, and stable is rolled out
    before the canary scales down, so capacity never drops.
    """
    stable_total = None if autoscaled else total
    if promote and abort:
        raise ValidationError(
            component, "canary", "promote+abort", "cannot promote and abort at once"
        )
    first = previous is None or previous.strategy != "canary"
    in_flight = not first and previous is not None and previous.canary_in_flight
    if (promote or abort) and not in_flight:
        action = "promote" if promote else "abort"
        raise ValidationError(
            component,
            f"canary.{action}",
            True,
            f"needs a canary in flight, and there is none; start one by changing the pod "
            f"template with canary.{action} unset",
        )
    if first or previous is None:
        template = desired if desired is not None else {}
        return ReleasePlan(
            deployments={
                "stable": DeploymentPlan(None, stable_total),
                "canary": DeploymentPlan(None, 0),
            },
            state=ReleaseState("canary", {t: template for t in TRACKS}),
        )

    stable, canary = previous.templates.get("stable") or {}, previous.templates.get("canary") or {}

    def keeps(stored: Template) -> Template | None:
        return None if desired is not None and same_template(desired, stored) else stored

    if promote:
        if not same_template(desired, canary):
            raise ValidationError(
                component,
                "canary.promote",
                True,
                "promotes the canary in flight, but the pod template changed since it "
                "started; promote first, then change the template",
            )
        return ReleasePlan(
            deployments={
                "stable": DeploymentPlan(None, stable_total),
                "canary": DeploymentPlan(None, 0, after="stable"),
            },
            state=ReleaseState("canary", {"stable": canary, "canary": canary}),
        )
    if abort or same_template(desired, stable):
        return ReleasePlan(
            deployments={
                "stable": DeploymentPlan(keeps(stable), stable_total),
                "canary": DeploymentPlan(keeps(canary), 0, after="stable"),
            },
            state=ReleaseState("canary", {"stable": stable, "canary": canary}),
            notes=["canary aborted"] if abort else [],
        )
    canary_count = canary_replicas(total, weight)
    return ReleasePlan(
        deployments={
            "canary": DeploymentPlan(None, canary_count),
            "stable": DeploymentPlan(
                keeps(stable), None if autoscaled else total - canary_count, after="canary"
            ),
        },
        state=ReleaseState(
            "canary", {"stable": stable, "canary": desired or {}}, canary_in_flight=True
        ),
    )
