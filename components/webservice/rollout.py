"""Wire a blue/green or canary release plan to Kubernetes resources.

The previous release's state is read from this stack's own last outputs (a
StackReference to the stack itself), synchronously, while the program is being
built: which colour or track runs which pod template decides every Deployment's
template, its replicas and its dependencies before anything is registered.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi.dynamic
import pulumi_kubernetes as k8s
from pulumi.runtime.sync_await import _sync_await

from .._rules import component_label
from . import manifests as m
from .release import (
    ReleasePlan,
    ReleaseState,
    Template,
    normalized,
    plan_blue_green,
    plan_canary,
)
from .spec import WebServiceSpec

COLOR_LABEL = "moorage.dev/color"
TRACK_LABEL = "moorage.dev/track"


def release_output_name(name: str) -> str:
    """The stack output that carries a WebService's release state between updates."""
    return f"{name}-release"


def read_previous_state(name: str, parent: pulumi.Resource) -> ReleaseState | None:
    """The release state the last update of this stack exported, or None."""
    stack = f"{pulumi.get_organization()}/{pulumi.get_project()}/{pulumi.get_stack()}"
    reference = pulumi.StackReference(
        f"{name}-release-state", stack_name=stack, opts=pulumi.ResourceOptions(parent=parent)
    )
    details = _sync_await(reference.get_output_details(release_output_name(name)))
    value = details.value if details.value is not None else details.secret_value
    return ReleaseState.from_output(value)


def resolve_template(template: Mapping[str, Any]) -> Template | None:
    """The desired pod template with its Outputs resolved, or None while unknown."""
    resolved = _sync_await(pulumi.Output.from_input(template).future())
    return normalized(resolved) if isinstance(resolved, dict) else None


class _PauseProvider(pulumi.dynamic.ResourceProvider):
    """Sleeps whenever its trigger changes: the grace period after a Service switch.

    Creation does not sleep: the first release has no old colour to drain.
    """

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

    def __init__(self, name: str, seconds: int, trigger: str, opts: pulumi.ResourceOptions) -> None:
        super().__init__(_PauseProvider(), name, {"seconds": seconds, "trigger": trigger}, opts)


@dataclass
class Release:
    """The Deployments and Service of a release, for the component to expose."""

    deployments: dict[str, k8s.apps.v1.Deployment]
    primary: k8s.apps.v1.Deployment
    """The Deployment the HPA scales and ``deployment_name`` reports (live colour, or stable)."""
    service: k8s.core.v1.Service
    live_color: str | None
    """The colour the Service sends traffic to (blue/green only)."""


@dataclass(frozen=True)
class PlannedRelease:
    """A release plan with the names and label its Deployments get."""

    plan: ReleasePlan
    label: str
    object_names: dict[str, str]


def plan_release(
    owner: pulumi.Resource, spec: WebServiceSpec, template: Mapping[str, Any]
) -> PlannedRelease:
    """Read the previous release and plan this one; raises before anything is created."""
    name = spec.name
    previous = read_previous_state(name, owner)
    desired = resolve_template(template)
    replicas = None if spec.autoscaling is not None else spec.replicas
    if spec.strategy == "blue_green":
        assert spec.blue_green is not None
        plan = plan_blue_green(
            previous,
            desired,
            pinned=spec.blue_green.active_color,
            keep_idle_warm=spec.blue_green.keep_idle_warm,
            replicas=replicas,  # type: ignore[arg-type]
        )
        return PlannedRelease(plan, COLOR_LABEL, {c: f"{name}-{c}" for c in plan.deployments})
    assert spec.canary is not None
    total = spec.autoscaling.min_replicas if spec.autoscaling is not None else spec.replicas
    plan = plan_canary(
        component_label(name),
        previous,
        desired,
        weight=spec.canary.weight,
        promote=spec.canary.promote,
        abort=spec.canary.abort,
        total=total,  # type: ignore[arg-type]
        autoscaled=spec.autoscaling is not None,
    )
    return PlannedRelease(plan, TRACK_LABEL, {"stable": name, "canary": f"{name}-canary"})


def declare_release(
    owner: pulumi.Resource,
    spec: WebServiceSpec,
    planned: PlannedRelease,
    template: Mapping[str, Any],
    metadata_for: Callable[[str], dict[str, Any]],
    depends_on: list[pulumi.Resource],
    service_for: Callable[[dict[str, str], pulumi.ResourceOptions], k8s.core.v1.Service],
) -> Release:
    """Declare the Deployments and the Service of a planned release, in order."""
    plan, name = planned.plan, spec.name
    pulumi.export(release_output_name(name), plan.state.to_output())
    deployments: dict[str, k8s.apps.v1.Deployment] = {}

    def declare(key: str, extra: list[pulumi.Resource]) -> k8s.apps.v1.Deployment:
        step = plan.deployments[key]
        deployments[key] = k8s.apps.v1.Deployment(
            f"{name}-deployment-{key}",
            metadata=metadata_for(planned.object_names[key]),
            spec=m.release_deployment_spec(
                spec, step.template or template, {planned.label: key}, step.replicas
            ),
            opts=pulumi.ResourceOptions(parent=owner, depends_on=[*depends_on, *extra]),
        )
        return deployments[key]

    service = _declare_in_order(plan, declare, owner, spec, planned.label, service_for)
    return Release(
        deployments=deployments,
        primary=deployments[plan.live] if plan.live else deployments["stable"],
        service=service,
        live_color=plan.live,
    )


def _declare_in_order(
    plan: ReleasePlan,
    declare: Callable[[str, list[pulumi.Resource]], k8s.apps.v1.Deployment],
    owner: pulumi.Resource,
    spec: WebServiceSpec,
    label: str,
    service_for: Callable[[dict[str, str], pulumi.ResourceOptions], k8s.core.v1.Service],
) -> k8s.core.v1.Service:
    """Deployments that must come first, then the Service, then what waits for it."""
    first = [key for key, step in plan.deployments.items() if step.after is None]
    declared = {key: declare(key, []) for key in first}
    for key, step in plan.deployments.items():
        if step.after is not None and step.after in plan.deployments:
            declared[key] = declare(key, [declared[step.after]])
    release_labels = {label: plan.live} if plan.live else {}
    service = service_for(
        release_labels,
        pulumi.ResourceOptions(parent=owner, depends_on=[declared[k] for k in first]),
    )
    if spec.blue_green is not None:
        # Always declared (so a quiet update changes nothing); it only waits when the
        # live colour, its trigger, changes.
        pause = Pause(
            f"{spec.name}-switch-grace",
            spec.blue_green.scale_down_delay_seconds,
            trigger=f"{plan.live}",
            opts=pulumi.ResourceOptions(parent=owner, depends_on=[service]),
        )
        for key, step in plan.deployments.items():
            if step.after == "switch":
                declared[key] = declare(key, [pause])
    return service
