"""Wire a blue/green or canary release to Kubernetes resources.

The component's :class:`~.ledger.ReleaseLedger` hands over the release state after
this update (the previous state moved on by the desired pod template). Every
Deployment is always declared (blue and green, or stable and canary; an idle one
runs 0 replicas), and its template, replicas and dependencies are derived from
``Output.all(state, template)`` inside ``apply``: nothing is resolved while the
program is being built, so secrets stay secrets and previews show the real changes.

What the plan decides but is not secret (replicas, the live colour, the order) is
declassified with ``Output.unsecret``; the pod templates the ledger stored stay
secret (they may hold one).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pulumi
import pulumi.dynamic
import pulumi_kubernetes as k8s

from ..._rules import component_label
from .._workload import deployment_spec
from ._ledger import ReleaseLedger, cluster_input, ledger_input, next_state, stored_state
from ._plan import (
    COLOR_LABEL,
    COLORS,
    TRACK_LABEL,
    TRACKS,
    DeploymentPlan,
    Template,
    blue_green_steps,
    canary_steps,
    live_color_replicas,
    normalized,
)
from ._strategy import ReleaseSpec

PATCH_FORCE = "pulumi.com/patchForce"
"""Makes the Kubernetes provider's server-side apply take over fields another manager owns."""


class _PauseProvider(pulumi.dynamic.ResourceProvider):
    """Sleeps whenever its trigger changes: the grace period after a Service switch.

    Creation does not sleep: the first release has no old colour to drain.
    """

    # Pickled by reference into the state under this (stable) module path; see rollout.py.
    __module__ = "moorage.webservice.rollout"

    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        return pulumi.dynamic.CreateResult("pause", props)

    def diff(
        self, _id: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.DiffResult:
        return pulumi.dynamic.DiffResult(changes=olds.get("trigger") != news.get("trigger"))

    def update(
        self, _id: str, _olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.UpdateResult:
        time.sleep(float(news["seconds"]))
        return pulumi.dynamic.UpdateResult(news)


class Pause(pulumi.dynamic.Resource, module="moorage", name="Pause"):
    """Waits ``seconds`` each time ``trigger`` changes, between two steps of a release."""

    def __init__(
        self, name: str, seconds: int, trigger: pulumi.Input[str], opts: pulumi.ResourceOptions
    ) -> None:
        super().__init__(_PauseProvider(), name, {"seconds": seconds, "trigger": trigger}, opts)


@dataclass
class Release:
    """The Deployments and Service of a release, for the component to expose."""

    deployments: dict[str, k8s.apps.v1.Deployment]
    primary: k8s.apps.v1.Deployment
    """The stable Deployment (canary); with blue/green the blue one (which colour is live
    is only known once the ledger answers: see ``primary_name``)."""
    primary_name: pulumi.Output[str]
    """Name of the Deployment the HPA scales: the live colour's, or stable's."""
    primary_ready: pulumi.Input[list[pulumi.Resource]]
    """What the HPA waits for: the Deployment it is about to scale."""
    service: k8s.core.v1.Service
    live_color: pulumi.Output[str] | None
    """The colour the Service sends traffic to (blue/green only)."""
    ledger: ReleaseLedger
    canary_weight: pulumi.Output[int] | None = None
    """Canary: the percent of the traffic routes send to the canary track (0 when no
    canary is in flight)."""
    canary_revision: pulumi.Output[str] | None = None
    """Canary: the revision in flight ("" when none)."""


@dataclass(frozen=True)
class Steps:
    """The Deployments of this update (from the state after it) and the live colour."""

    deployments: dict[str, DeploymentPlan]
    live: str
    secret_templates: tuple[str, ...] = ()
    """Deployments whose kept template holds a secret."""
    canary_in_flight: bool = False
    canary_revision: str = ""
    """The canary's revision while one is in flight ("" otherwise)."""


def plan_steps(spec: ReleaseSpec, ledger_output: Any, desired: Any) -> Steps:
    """The steps of this update from the ledger's state and the resolved template.

    A ledger output without a state (plain mocks) counts as a first release.
    """
    template: Template | None = normalized(desired) if isinstance(desired, dict) else None
    state = stored_state(ledger_output)
    if state is None or state.strategy != spec.strategy:
        first = ledger_input(
            "",
            spec.strategy,
            template or {},
            template_secret=False,
            active_color=None,
            promote=False,
            abort=False,
        )
        if spec.blue_green is not None:
            first["active_color"] = spec.blue_green.active_color
        state = next_state(first, None)
    if spec.blue_green is not None:
        return Steps(
            blue_green_steps(
                state,
                template,
                keep_idle_warm=spec.blue_green.keep_idle_warm,
                replicas=live_color_replicas(state, _total(spec), spec.autoscaling is not None),
            ),
            state.live or "blue",
            state.secret_templates,
        )
    assert spec.canary is not None
    deployments = canary_steps(
        state,
        template,
        weight=spec.canary.weight,
        total=_total(spec),
        autoscaled=spec.autoscaling is not None,
    )
    if spec.routed and spec.autoscaling is None:
        # The routes' weights split the traffic: stable keeps every replica.
        deployments["stable"] = replace(deployments["stable"], replicas=_total(spec))
    return Steps(
        deployments,
        "",
        state.secret_templates,
        state.canary_in_flight,
        state.canary_revision,
    )


def _total(spec: ReleaseSpec) -> int:
    """The replicas a full release runs: the fixed count, or the HPA's minimum."""
    total = spec.planned_replicas
    assert isinstance(total, int), "validated: a release strategy needs a known count"
    return total


def declare_release(
    owner: pulumi.Resource,
    spec: ReleaseSpec,
    template: Mapping[str, Any],
    metadata_for: Callable[[str], dict[str, Any]],
    depends_on: list[pulumi.Resource],
    service_for: Callable[[dict[str, Any], pulumi.ResourceOptions], k8s.core.v1.Service],
) -> Release:
    """Declare the ledger, the Deployments, the Service (and the switch grace period)."""
    name = spec.name
    settings = spec.blue_green
    _warn_when_blind(owner, spec)
    desired = pulumi.Output.from_input(template)
    keys, label = (COLORS, COLOR_LABEL) if settings is not None else (TRACKS, TRACK_LABEL)
    ledger = _ledger(owner, spec, template, desired, keys)
    steps = pulumi.Output.all(ledger.release, desired).apply(
        lambda values: plan_steps(spec, values[0], values[1])
    )
    # Resources declared further down, looked up once the steps are known (the
    # program has been built by then): the order depends on the live colour.
    declared: dict[str, pulumi.Resource] = {}

    def waits_for(after: str | None) -> list[pulumi.Resource]:
        if after is None:
            return list(depends_on)
        return [*depends_on, declared["pause" if after == "switch" else after]]

    deployments: dict[str, k8s.apps.v1.Deployment] = {}
    for key in keys:
        step = _step(steps, key)
        body = deployment_spec(spec.name, {}, {label: key}, None)
        body["template"] = _template(spec, steps, key, desired, {label: key})
        if not (key == "stable" and spec.autoscaling is not None):
            body["replicas"] = pulumi.Output.unsecret(step.apply(_replicas))
        object_name = _object_name_of(name, key)
        metadata = metadata_for(object_name)
        if (settings is not None and spec.autoscaling is not None) or _runs_steps(spec):
            # The HPA owns the replicas of whichever colour it scales (through the scale
            # subresource); scaling a colour down after a switch must take them back.
            # Canary steps: the run scales the tracks and promotes through the API.
            metadata["annotations"] = {**metadata.get("annotations", {}), PATCH_FORCE: "true"}
        deployments[key] = k8s.apps.v1.Deployment(
            f"{name}-deployment-{key}",
            metadata=metadata,
            spec=body,
            opts=pulumi.ResourceOptions(
                parent=owner,
                depends_on=pulumi.Output.unsecret(step.apply(lambda p: waits_for(p.after))),
            ),
        )
        declared[key] = deployments[key]

    live = pulumi.Output.unsecret(steps.apply(lambda s: s.live))
    first = pulumi.Output.unsecret(
        steps.apply(lambda s: [deployments[k] for k, p in s.deployments.items() if p.after is None])
    )
    service = service_for(
        {COLOR_LABEL: live} if settings is not None else {},
        pulumi.ResourceOptions(parent=owner, depends_on=first),
    )
    if settings is not None:
        # Always declared (so a quiet update changes nothing); it only waits when the
        # live colour, its trigger, changes.
        declared["pause"] = Pause(
            f"{name}-switch-grace",
            settings.scale_down_delay_seconds,
            trigger=live,
            opts=pulumi.ResourceOptions(parent=owner, depends_on=[service]),
        )
        primary_name: pulumi.Output[str] = live.apply(
            lambda color: deployments[color].metadata.apply(_object_name)  # type: ignore[arg-type,return-value]
        )
        primary_ready: pulumi.Input[list[pulumi.Resource]] = live.apply(
            lambda color: [deployments[color]]
        )
        return Release(
            deployments, deployments["blue"], primary_name, primary_ready, service, live, ledger
        )
    weight = spec.canary.weight if spec.canary is not None else 0
    return Release(
        deployments,
        deployments["stable"],
        deployments["stable"].metadata.apply(_object_name),
        [deployments["stable"]],
        service,
        None,
        ledger,
        pulumi.Output.unsecret(steps.apply(lambda s: weight if s.canary_in_flight else 0)),
        pulumi.Output.unsecret(steps.apply(lambda s: s.canary_revision)),
    )


def _runs_steps(spec: ReleaseSpec) -> bool:
    """A canary with steps: its run patches the Deployments and routes during ``up``."""
    return spec.canary is not None and bool(spec.canary.steps)


def _warn_when_blind(owner: pulumi.Resource, spec: ReleaseSpec) -> None:
    """Blue/green with an autoscaler needs to read the live replica count."""
    if spec.blue_green is not None and spec.autoscaling is not None and spec.kubeconfig is None:
        pulumi.log.warn(
            f"{component_label(spec.name)}: blue_green with autoscaling and no kubeconfig: the "
            "next switch of colours will be refused, because the colour going live is first "
            "scaled to as many replicas as the live one runs and only the cluster knows that "
            "count; set kubeconfig to the cluster's kubeconfig (as for the Kubernetes provider)",
            resource=owner,
        )


def _ledger(
    owner: pulumi.Resource,
    spec: ReleaseSpec,
    template: Mapping[str, Any],
    desired: pulumi.Output[Any],
    keys: tuple[str, ...],
) -> ReleaseLedger:
    """The ledger that keeps the release state between updates."""
    name, settings, canary = spec.name, spec.blue_green, spec.canary
    return ReleaseLedger(
        f"{name}-release",
        ledger_input(
            component_label(name),
            spec.strategy,
            template,
            template_secret=pulumi.Output.from_input(desired.is_secret()),
            active_color=settings.active_color if settings is not None else None,
            promote=canary.promote if canary is not None else False,
            abort=canary.abort if canary is not None else False,
            retry=canary.retry if canary is not None else False,
            autoscaling=_bounds(spec),
        ),
        cluster_input(
            spec.kubeconfig,
            spec.namespace,
            name,
            {key: _object_name_of(name, key) for key in keys},
        ),
        pulumi.ResourceOptions(parent=owner),
    )


def _object_name_of(name: str, key: str) -> str:
    """The Deployment object of colour or track ``key``: stable keeps the service's name."""
    return name if key == "stable" else f"{name}-{key}"


def deployment_names(spec: ReleaseSpec) -> dict[str, str]:
    """The names of the release's Deployment objects by role: "main" (rolling, the
    service's name), "blue"/"green" or "stable"/"canary"."""
    if spec.strategy == "rolling":
        return {"main": spec.name}
    keys = COLORS if spec.blue_green is not None else TRACKS
    return {key: _object_name_of(spec.name, key) for key in keys}


def _bounds(spec: ReleaseSpec) -> dict[str, pulumi.Input[int]] | None:
    """The autoscaler's bounds, for sizing a colour going live (None: fixed replicas)."""
    if spec.autoscaling is None:
        return None
    return {
        "min_replicas": spec.autoscaling.min_replicas,
        "max_replicas": spec.autoscaling.max_replicas,
    }


def _step(steps: pulumi.Output[Steps], key: str) -> pulumi.Output[DeploymentPlan]:
    return steps.apply(lambda s: s.deployments[key])


def _replicas(plan: DeploymentPlan) -> int | None:
    return plan.replicas


def _template(
    spec: ReleaseSpec,
    steps: pulumi.Output[Steps],
    key: str,
    desired: pulumi.Output[Any],
    labels: dict[str, str],
) -> pulumi.Output[Any]:
    """The pod template Deployment ``key`` runs, with its release labels."""
    step = _step(steps, key)
    kept: pulumi.Output[Any] = step.apply(lambda p: p.template)  # secret, as the ledger is
    uses_desired = pulumi.Output.unsecret(step.apply(lambda p: p.template is None))
    kept_secret = pulumi.Output.unsecret(steps.apply(lambda s: key in s.secret_templates))
    chosen: pulumi.Output[Any] = pulumi.Output.all(uses_desired, kept_secret).apply(
        lambda flags: _chosen(desired, kept, bool(flags[0]), bool(flags[1]))
    )

    def labelled(template: Mapping[str, Any]) -> Any:
        return deployment_spec(spec.name, template, labels, None)["template"]

    return chosen.apply(labelled)


def _chosen(
    desired: pulumi.Output[Any], kept: pulumi.Output[Any], uses_desired: bool, secret: bool
) -> pulumi.Output[Any]:
    """The template a Deployment runs: the desired one (as secret as it is), or the one
    the ledger kept, secret only when it held a secret (so previews show its diff)."""
    if uses_desired:
        return desired
    return kept if secret else pulumi.Output.unsecret(kept)


def _object_name(meta: k8s.meta.v1.outputs.ObjectMeta) -> str:
    return str(meta.name)
