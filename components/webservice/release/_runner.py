"""Run a canary's steps during ``pulumi up``: a dynamic resource, no controller.

``<name>-canary-run`` is declared after the Deployments and the routes. When a canary
starts (its revision, a hash of the canary's pod template, changes), its provider runs
every step through the Kubernetes API: the canary is scaled to the step's size and
waited for, then the routes' weights move (or, without routes, stable shrinks), then the
step holds for its pause while its analysis runs (``_run.py``, ``_analysis.py``). The
first failure aborts within the same ``up``: every request back to stable, the canary
scaled to zero, and the update fails with the step, the query, the value and the
threshold. When the last step sends 100% to the canary and passes, the run promotes
within the same ``up``: stable gets the canary's pod template and, once it is rolled out,
every request again, and the canary scales to zero.

A failing update cannot write its state, so the run writes its outcome on the
Deployments (the failure on the canary's, the promoted revision on stable's, in the
same patch as its template); the next update's release ledger reads it into its state
(``_ledger.py``): a failed revision is not started again unless ``canary.retry`` is set.
A killed ``up`` leaves the old revision in this resource's state and no outcome: the
next ``up`` runs the steps again from the first.
"""

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

import pulumi
import pulumi.dynamic

from ... import _rules as rule
from ._analysis import AnalysisSpec, Query
from ._ledger import FAILED_ANNOTATION, PROMOTED_ANNOTATION
from ._plan import TRACK_LABEL, revision
from ._run import run_steps
from ._steps import CanaryStep, PlannedStep, describe, plan_steps
from ._strategy import ReleaseSpec

__all__ = ["FAILED_ANNOTATION", "CanaryRunProvider", "declare_canary_run", "revision"]

READY_TIMEOUT_SECONDS = 300.0


def steps_input(steps: Sequence[CanaryStep]) -> list[dict[str, Any]]:
    """The steps as plain data for the resource's inputs."""
    return [asdict(step) for step in steps]


def steps_from_input(raw: Sequence[Mapping[str, Any]]) -> list[CanaryStep]:
    """The steps back from the resource's inputs."""
    steps = []
    for item in raw:
        analysis = item.get("analysis")
        spec = None
        if isinstance(analysis, Mapping):
            spec = AnalysisSpec(
                prometheus_url=analysis.get("prometheus_url"),
                queries=tuple(
                    Query(q["name"], q["promql"], q.get("minimum"), q.get("maximum"))
                    for q in analysis.get("queries") or ()
                ),
                http_check=analysis.get("http_check"),
                interval_seconds=float(analysis.get("interval_seconds") or 10),
            )
        steps.append(CanaryStep(int(item["weight"]), float(item["pause_seconds"]), spec))
    return steps


class KubernetesActions:
    """:class:`~._run.StepActions` over the official Kubernetes client."""

    def __init__(self, props: Mapping[str, Any], total: int) -> None:
        from kubernetes import client, config

        api = config.new_client_from_config_dict(  # type: ignore[no-untyped-call]
            rule.kubeconfig_document(str(props["component"]), "kubeconfig", props["kubeconfig"])
        )
        self.apps = client.AppsV1Api(api)
        self.custom = client.CustomObjectsApi(api)
        self.namespace = str(props["namespace"])
        self.deployments: Mapping[str, str] = props["deployments"]
        self.services: Mapping[str, str] = props["track_services"]
        self.routes: Sequence[Mapping[str, str]] = props["routes"]
        self.resize_stable = not props["routes"] and not props["autoscaled"]
        self.total = total

    def running(self, track: str) -> int:
        found: Any = self.apps.read_namespaced_deployment(self.deployments[track], self.namespace)
        return int(found.spec.replicas or 0)

    def apply(self, step: PlannedStep) -> None:
        self._scale("canary", step.canary_replicas, wait=True)
        if step.backend_weights:
            self._weights(step.backend_weights)
        elif self.resize_stable:
            self._scale("stable", step.stable_replicas, wait=False)

    def abort(self) -> None:
        if self.routes:
            self._weights({"stable": 100, "canary": 0})
        if self.resize_stable:
            self._scale("stable", self.total, wait=True)
        self._scale("canary", 0, wait=False)

    def record_failure(self, revision_id: str, message: str) -> None:
        note = json.dumps({"revision": revision_id, "reason": message})
        self.apps.patch_namespaced_deployment(
            self.deployments["canary"],
            self.namespace,
            {"metadata": {"annotations": {FAILED_ANNOTATION: note}}},
        )

    def clear_failure(self) -> None:
        """A new run of the canary: no failure recorded for it (yet)."""
        self.apps.patch_namespaced_deployment(
            self.deployments["canary"],
            self.namespace,
            {"metadata": {"annotations": {FAILED_ANNOTATION: None}}},
        )

    def promote(self, revision_id: str) -> None:
        """Stable gets the canary's pod template (and the record of it), rolls it out,
        then takes every request back; the canary scales to zero."""
        canary: Any = self.apps.read_namespaced_deployment(
            self.deployments["canary"], self.namespace
        )
        template = self.apps.api_client.sanitize_for_serialization(canary.spec.template)
        template["metadata"].setdefault("labels", {})[TRACK_LABEL] = "stable"
        stable = self.deployments["stable"]
        self.apps.patch_namespaced_deployment(
            stable,
            self.namespace,
            [
                {"op": "replace", "path": "/spec/template", "value": template},
                {
                    "op": "add",
                    "path": "/metadata/annotations",
                    "value": {**self._annotations(stable), PROMOTED_ANNOTATION: revision_id},
                },
            ],
        )
        if self.resize_stable:
            self._scale("stable", self.total, wait=False)
        self._rolled_out(stable)
        if self.routes:
            self._weights({"stable": 100, "canary": 0})
        self._scale("canary", 0, wait=False)

    def _annotations(self, name: str) -> dict[str, str]:
        found: Any = self.apps.read_namespaced_deployment(name, self.namespace)
        return dict(found.metadata.annotations or {})

    def _rolled_out(self, name: str) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while True:
            found: Any = self.apps.read_namespaced_deployment(name, self.namespace)
            status, wanted = found.status, int(found.spec.replicas or 0)
            if (
                int(status.observed_generation or 0) >= int(found.metadata.generation or 0)
                and int(status.updated_replicas or 0) >= wanted
                and int(status.ready_replicas or 0) >= wanted
                and int(status.replicas or 0) <= wanted
            ):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"Deployment {name}: the promoted template not rolled out")
            time.sleep(0.5)

    def _scale(self, track: str, replicas: int, *, wait: bool) -> None:
        name = self.deployments[track]
        self.apps.patch_namespaced_deployment_scale(
            name, self.namespace, {"spec": {"replicas": replicas}}
        )
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while wait:
            status: Any = self.apps.read_namespaced_deployment(name, self.namespace).status
            if int(status.ready_replicas or 0) >= replicas:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"Deployment {name}: {replicas} ready replicas not reached")
            time.sleep(0.5)

    def _weights(self, weights: Mapping[str, int]) -> None:
        by_service = {self.services[track]: weight for track, weight in weights.items()}
        for route in self.routes:
            body: Any = self.custom.get_namespaced_custom_object(
                "gateway.networking.k8s.io", "v1", self.namespace, route["plural"], route["name"]
            )
            rules = body["spec"]["rules"]
            for r in rules:
                for ref in r.get("backendRefs") or []:
                    if ref.get("name") in by_service:
                        ref["weight"] = by_service[ref["name"]]
            self.custom.patch_namespaced_custom_object(
                "gateway.networking.k8s.io",
                "v1",
                self.namespace,
                route["plural"],
                route["name"],
                {"spec": {"rules": rules}},
            )


class CanaryRunProvider(pulumi.dynamic.ResourceProvider):
    """Runs the steps when the canary's revision changes; nothing else ever does. (A
    revision whose steps failed is refused before, by the release ledger.)"""

    # Pickled by reference into the state under this (stable) module path.
    __module__ = "moorage.webservice.canary_run"

    serialize_as_secret_always = False

    def diff(
        self, _id: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.DiffResult:
        return pulumi.dynamic.DiffResult(changes=olds.get("revision") != news.get("revision"))

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        return pulumi.dynamic.CreateResult("canary-run", self._run(props))

    def update(
        self, _id: str, _olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.UpdateResult:
        return pulumi.dynamic.UpdateResult(self._run(news))

    @staticmethod
    def _run(props: dict[str, Any]) -> dict[str, Any]:
        if not props.get("revision"):
            return {**props, "completed_steps": 0}
        total = int(props["total"])
        actions = KubernetesActions(props, total)
        steps = steps_from_input(props["steps"])
        sized = bool(props["routes"]) or bool(props["autoscaled"])
        planned = plan_steps(
            steps,
            stable_running=max(1, actions.running("stable")) if sized else total,
            total=total,
            routed=sized,
        )
        if not props["routes"]:
            planned = [_replicas_only(p) for p in planned]
        actions.clear_failure()
        result = run_steps(steps, planned, actions)
        if result.failed is None and steps[-1].weight == 100:
            try:
                actions.promote(str(props["revision"]))
            except Exception as error:  # the canary serves everything: leave it so
                raise RuntimeError(
                    f"{props['component']}: every step passed, but promoting the canary "
                    f"failed ({type(error).__name__}: {error}); the canary keeps serving. "
                    "Run `up` again, or set canary.promote"
                ) from None
        if result.failed is not None:
            actions.record_failure(str(props["revision"]), result.failed)
            raise RuntimeError(
                f"{props['component']}: canary aborted at {result.failed}. Traffic is back on "
                "stable and the canary is scaled to zero"
            )
        return {**props, "completed_steps": result.completed_steps}


def _replicas_only(step: PlannedStep) -> PlannedStep:
    """A step without routes: replicas carry the traffic, no weights to set."""
    return PlannedStep(
        step.index,
        step.weight,
        step.stable_replicas,
        step.canary_replicas,
        {},
        step.pause_seconds,
        step.checks,
    )


class CanaryRun(pulumi.dynamic.Resource, module="moorage", name="CanaryRun"):
    """Runs one WebService's canary steps during ``up``; a child of that WebService."""

    def __init__(
        self, name: str, props: Mapping[str, pulumi.Input[Any]], opts: pulumi.ResourceOptions
    ) -> None:
        super().__init__(
            CanaryRunProvider(),
            name,
            {**props, "kubeconfig": pulumi.Output.secret(props["kubeconfig"])},
            pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=["kubeconfig"])
            ),
        )


def preview_note(steps: Sequence[CanaryStep], total: int, routed: bool) -> str:
    """The planned steps, as ``preview`` and ``up`` print them (sized from the planned
    count; the run sizes the canary from what stable runs then)."""
    return "canary steps:\n" + describe(
        plan_steps(steps, stable_running=total, total=total, routed=routed)
    )


def declare_canary_run(
    owner: pulumi.Resource,
    spec: ReleaseSpec,
    revision_in_flight: pulumi.Output[str],
    routes: Sequence[tuple[str, str]],
    depends_on: Sequence[pulumi.Resource],
) -> CanaryRun:
    """The resource that runs ``spec``'s canary steps; ``routes`` are (kind, object name)."""
    assert spec.canary is not None and spec.canary.steps
    name, total = spec.name, spec.planned_replicas
    assert isinstance(total, int), "validated: a release strategy needs a known count"
    routed = bool(routes)
    note = preview_note(spec.canary.steps, total, routed or spec.autoscaling is not None)
    revision_in_flight.apply(lambda r: pulumi.log.info(note, resource=owner) if r else None)
    return CanaryRun(
        f"{name}-canary-run",
        {
            "component": rule.component_label(name),
            "revision": revision_in_flight,
            "retry": spec.canary.retry,
            "kubeconfig": spec.kubeconfig,
            "namespace": spec.namespace,
            "deployments": {"stable": name, "canary": f"{name}-canary"},
            "track_services": {"stable": f"{name}-stable", "canary": f"{name}-canary"},
            "routes": [
                {"plural": f"{kind.lower()}s", "name": object_name} for kind, object_name in routes
            ],
            "autoscaled": spec.autoscaling is not None,
            "total": total,
            "steps": steps_input(spec.canary.steps),
        },
        pulumi.ResourceOptions(parent=owner, depends_on=list(depends_on)),
    )
