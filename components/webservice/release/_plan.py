"""Pure planning of blue/green and canary releases.

A release has a state: which pod template each colour (blue/green) or track
(stable/canary) runs, which colour is live, whether a canary is in flight. Each
``pulumi up`` moves the state on (:func:`next_blue_green_state`,
:func:`next_canary_state`) from the previous one and the desired pod template, and
the Deployments follow from the new state alone (:func:`blue_green_steps`,
:func:`canary_steps`): their templates, their replicas and their order. Nothing
here touches Pulumi; ``_wiring.py`` wires the steps to resources and ``_ledger.py``
keeps the state between updates.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..._errors import ValidationError

COLORS = ("blue", "green")
COLOR_LABEL = "moorage.dev/color"
"""The pod label a blue/green Service selects its live colour by."""
TRACKS = ("stable", "canary")
TRACK_LABEL = "moorage.dev/track"
"""The pod label a canary's track Services select stable or canary by."""
STRATEGIES = ("rolling", "blue_green", "canary")

Template = dict[str, Any]


def other_color(color: str) -> str:
    """The colour that is not ``color``."""
    return "green" if color == "blue" else "blue"


def normalized(value: Any) -> Any:
    """JSON-normalise a template: integral floats (as the engine returns them) become ints."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    return value


def revision(template: Any) -> str:
    """A short, stable hash of a pod template: what identifies a canary revision."""
    text = json.dumps(template, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def same_template(a: Template | None, b: Template | None) -> bool:
    """Compare two pod templates; an unknown (None) template counts as different."""
    if a is None or b is None:
        return False
    return json.dumps(normalized(a), sort_keys=True) == json.dumps(normalized(b), sort_keys=True)


@dataclass(frozen=True)
class ReleaseState:
    """What one release leaves for the next (kept by the component's release ledger)."""

    strategy: str
    templates: dict[str, Template]
    live: str | None = None
    canary_in_flight: bool = False
    secret_templates: tuple[str, ...] = ()
    """The colours or tracks whose stored template holds a Pulumi secret."""
    live_replicas: int | None = None
    """Blue/green with autoscaling: the replicas the live colour started with when it
    went live (as many as the colour it replaced was running); None: the planned count."""
    failed_revision: str = ""
    """Canary: the last revision whose steps failed (its analysis, or an action), so the
    next update does not start it again unless ``canary.retry`` asks to."""
    failed_reason: str = ""
    """Why ``failed_revision`` failed: the step, the query, the value and the threshold."""

    def to_output(self) -> dict[str, Any]:
        """The state as plain JSON-like data."""
        return {
            "strategy": self.strategy,
            "live": self.live,
            "canary_in_flight": self.canary_in_flight,
            "templates": self.templates,
            "secret_templates": list(self.secret_templates),
            "live_replicas": self.live_replicas,
            # Only when set: a state stored before these keys existed reads the same.
            **(
                {"failed_revision": self.failed_revision, "failed_reason": self.failed_reason}
                if self.failed_revision
                else {}
            ),
        }

    @staticmethod
    def from_output(value: Any) -> ReleaseState | None:
        """Parse a stored state; anything missing or unreadable counts as no previous release."""
        if not isinstance(value, dict) or not isinstance(value.get("templates"), dict):
            return None
        return ReleaseState(
            strategy=str(value.get("strategy")),
            templates={k: normalized(v) for k, v in value["templates"].items()},
            live=value.get("live"),
            canary_in_flight=bool(value.get("canary_in_flight")),
            secret_templates=tuple(str(k) for k in value.get("secret_templates") or ()),
            live_replicas=_count(value.get("live_replicas")),
            failed_revision=str(value.get("failed_revision") or ""),
            failed_reason=str(value.get("failed_reason") or ""),
        )

    @property
    def canary_revision(self) -> str:
        """The revision of the canary in flight ("" when none is)."""
        return revision(self.templates.get("canary")) if self.canary_in_flight else ""

    def with_secrets_marked(
        self, previous: ReleaseState | None, desired: Template | None, desired_secret: bool
    ) -> ReleaseState:
        """This state, each stored template marked secret when it can come from a secret
        one: the desired template when that is secret, or any secret template of
        ``previous``. (Equal content counts as coming from it: over-marking only hides
        a diff, under-marking would leak.)"""
        sources: list[Template | None] = [desired] if desired_secret else []
        if previous is not None:
            sources += [previous.templates.get(k) for k in previous.secret_templates]
        marked = tuple(
            key
            for key, template in sorted(self.templates.items())
            if any(same_template(template, source) for source in sources)
        )
        return replace(self, secret_templates=marked)


def _count(value: Any) -> int | None:
    """A stored replica count (the engine may hand back 3.0), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return None
    return int(value)


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


def _kept(stored: Template | None, desired: Template | None) -> Template | None:
    """None (run the desired template) when ``stored`` is it, else the stored template."""
    if not stored or (desired is not None and same_template(desired, stored)):
        return None
    return stored


# -- blue/green ----------------------------------------------------------------------------


def next_blue_green_state(
    previous: ReleaseState | None, desired: Template | None, *, pinned: str | None
) -> ReleaseState:
    """Move a blue/green release on.

    Without ``pinned``, a changed template goes to the idle colour, which becomes
    live; with ``pinned``, that colour is live and a changed template is staged on
    the other one. ``desired`` None (unknown, as in a preview) counts as a change.
    """
    if previous is None or previous.strategy != "blue_green" or previous.live not in COLORS:
        template = desired if desired is not None else {}
        return ReleaseState("blue_green", {c: template for c in COLORS}, live=pinned or "blue")
    templates = dict(previous.templates)
    was_live = previous.live
    if pinned is None:
        live = was_live
        if not same_template(desired, templates.get(was_live)):
            live = other_color(was_live)
            templates[live] = desired or {}
    else:
        live = pinned
        if not same_template(desired, templates.get(live)):
            templates[other_color(live)] = desired or {}
    # The count a colour went live with stays with it until the next switch.
    kept = previous.live_replicas if live == was_live else None
    return ReleaseState("blue_green", templates, live=live, live_replicas=kept)


def is_switch(previous: ReleaseState | None, state: ReleaseState) -> bool:
    """Whether ``state`` moves the Service from a live colour to the other one."""
    return (
        previous is not None
        and previous.strategy == "blue_green"
        and previous.live in COLORS
        and state.live != previous.live
    )


def with_live_color(previous: ReleaseState, selected: str | None) -> ReleaseState:
    """``previous`` as the cluster has it: the colour the Service really selects is live.

    They differ after an update that failed before its switch (the new colour never
    became Available, so the Service kept the old one): the next update then starts
    from the colour that serves traffic and deploys to the other one again, instead
    of rolling the serving colour in place.
    """
    if selected not in COLORS or selected == previous.live or previous.strategy != "blue_green":
        return previous
    return replace(previous, live=selected, live_replicas=None)


def bounded_replicas(running: int | None, min_replicas: int, max_replicas: int) -> int:
    """``running`` replicas (None: none) within the autoscaler's bounds: what a colour
    going live starts with, or what the live colour is declared with."""
    return max(min_replicas, min(max_replicas, running or 0))


def live_color_replicas(state: ReleaseState, planned: int, autoscaled: bool) -> int:
    """Replicas the live colour is declared with: the planned count (fixed, or the
    autoscaler's minimum), or with autoscaling the count it went live with when higher."""
    if autoscaled and state.live_replicas is not None:
        return max(planned, state.live_replicas)
    return planned


def blue_green_steps(
    state: ReleaseState, desired: Template | None, *, keep_idle_warm: bool, replicas: int
) -> dict[str, DeploymentPlan]:
    """The Deployments of a blue/green state, in a fixed order: the live colour runs
    ``replicas`` (and is Available) before the Service selects it; the idle colour
    is scaled down (0, or ``replicas`` when kept warm) only after the switch and its
    grace period. The order does not depend on whether the colour changed, so an
    update that failed half-way is finished safely by the next one.
    """
    live = state.live or "blue"
    idle = other_color(live)
    return {
        live: DeploymentPlan(_kept(state.templates.get(live), desired), replicas),
        idle: DeploymentPlan(
            _kept(state.templates.get(idle), desired),
            replicas if keep_idle_warm else 0,
            after="switch",
        ),
    }


def plan_blue_green(
    previous: ReleaseState | None,
    desired: Template | None,
    *,
    pinned: str | None,
    keep_idle_warm: bool,
    replicas: int,
) -> ReleasePlan:
    """Plan a blue/green release: the next state and its Deployments.

    ``replicas`` is what the live colour runs: the fixed count, or the HPA's
    ``min_replicas`` (so a colour that goes live never starts below it).
    """
    state = next_blue_green_state(previous, desired, pinned=pinned)
    was_live = previous.live if previous is not None else None
    return ReleasePlan(
        deployments=blue_green_steps(
            state, desired, keep_idle_warm=keep_idle_warm, replicas=replicas
        ),
        state=state,
        live=state.live,
        switched=was_live in COLORS and was_live != state.live,
    )


# -- canary --------------------------------------------------------------------------------


def canary_replicas(total: int, weight: int) -> int:
    """Replicas the canary gets: at least one, and always fewer than the total."""
    return min(total - 1, max(1, math.ceil(total * weight / 100)))


def next_canary_state(
    component: str,
    previous: ReleaseState | None,
    desired: Template | None,
    *,
    promote: bool,
    abort: bool,
    retry: bool = False,
) -> ReleaseState:
    """Move a canary release on; raises on a promote or abort that has nothing to act on,
    and on a canary whose revision already failed unless ``retry`` is set.

    A changed template starts (or updates) a canary; ``promote`` makes the canary's
    template stable; ``abort`` (or going back to the stable template) ends the canary.
    """
    state = _next_canary_state(component, previous, desired, promote=promote, abort=abort)
    failed = previous.failed_revision if previous is not None else ""
    if not failed or promote:
        return state
    if state.canary_revision != failed:
        assert previous is not None
        return replace(state, failed_revision=failed, failed_reason=previous.failed_reason)
    if retry:
        return state
    raise ValidationError(
        component,
        "canary.retry",
        False,
        f"is not set, and this pod template's canary already failed its analysis "
        f"({previous.failed_reason if previous is not None else ''}); it is not run again "
        "blindly: change the pod template, or set canary.retry to true to run its steps again",
    )


def with_run_outcome(
    previous: ReleaseState, promoted: str | None, failed: Mapping[str, Any] | None
) -> ReleaseState:
    """``previous`` moved on by what the last run of its canary did in the cluster:
    promoted it (``promoted`` is its revision: the canary's template is now stable's), or
    failed (``failed`` names its revision and why: every request went back to stable and
    the canary was scaled to zero). Unchanged when neither is about the canary in flight
    (a killed ``up`` left it half-way: the next run starts from its first step)."""
    in_flight = previous.canary_revision
    if not in_flight:
        return previous
    stable = previous.templates.get("stable") or {}
    canary = previous.templates.get("canary") or {}
    if promoted == in_flight:
        secret = ("canary", "stable") if "canary" in previous.secret_templates else ()
        return ReleaseState("canary", {"stable": canary, "canary": canary}, secret_templates=secret)
    if failed is not None and failed.get("revision") == in_flight:
        return ReleaseState(
            "canary",
            {"stable": stable, "canary": canary},
            secret_templates=previous.secret_templates,
            failed_revision=in_flight,
            failed_reason=str(failed.get("reason") or "no reason recorded"),
        )
    return previous


def _next_canary_state(
    component: str,
    previous: ReleaseState | None,
    desired: Template | None,
    *,
    promote: bool,
    abort: bool,
) -> ReleaseState:
    # promote together with abort never gets here: build_spec refuses it (the one check).
    first = previous is None or previous.strategy != "canary"
    in_flight = not first and previous is not None and previous.canary_in_flight
    _needs_canary_in_flight(component, promote, abort, in_flight)
    if first or previous is None:
        template = desired if desired is not None else {}
        return ReleaseState("canary", {t: template for t in TRACKS})
    stable = previous.templates.get("stable") or {}
    canary = previous.templates.get("canary") or {}
    if promote:
        return _promoted(component, desired, canary)
    if abort or same_template(desired, stable):
        return ReleaseState("canary", {"stable": stable, "canary": canary})
    return ReleaseState(
        "canary", {"stable": stable, "canary": desired or {}}, canary_in_flight=True
    )


def _needs_canary_in_flight(component: str, promote: bool, abort: bool, in_flight: bool) -> None:
    if (promote or abort) and not in_flight:
        action = "promote" if promote else "abort"
        raise ValidationError(
            component,
            f"canary.{action}",
            True,
            f"needs a canary in flight, and there is none; start one by changing the pod "
            f"template with canary.{action} unset",
        )


def _promoted(component: str, desired: Template | None, canary: Template) -> ReleaseState:
    """The canary's template made stable; refused when the template moved on since."""
    if not same_template(desired, canary):
        raise ValidationError(
            component,
            "canary.promote",
            True,
            "promotes the canary in flight, but the pod template changed since it "
            "started; promote first, then change the template",
        )
    return ReleaseState("canary", {"stable": canary, "canary": canary})


def canary_steps(
    state: ReleaseState,
    desired: Template | None,
    *,
    weight: int,
    total: int,
    autoscaled: bool,
) -> dict[str, DeploymentPlan]:
    """The Deployments of a canary state. In flight: the canary runs ``weight`` percent
    of ``total`` and is Available before stable shrinks by as many. Otherwise stable
    runs everything before the canary scales to zero. Capacity never drops.
    """
    stable = _kept(state.templates.get("stable"), desired)
    canary = _kept(state.templates.get("canary"), desired)
    if state.canary_in_flight:
        count = canary_replicas(total, weight)
        return {
            "canary": DeploymentPlan(canary, count),
            "stable": DeploymentPlan(stable, None if autoscaled else total - count, "canary"),
        }
    return {
        "stable": DeploymentPlan(stable, None if autoscaled else total),
        "canary": DeploymentPlan(canary, 0, after="stable"),
    }


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
    """Plan a canary release over a ``stable`` and a ``canary`` Deployment."""
    state = next_canary_state(component, previous, desired, promote=promote, abort=abort)
    return ReleasePlan(
        deployments=canary_steps(state, desired, weight=weight, total=total, autoscaled=autoscaled),
        state=state,
        notes=["canary aborted"] if abort else [],
    )
