"""The release ledger: a resource that keeps a WebService's release state between updates.

Blue/green and canary need to know, at each ``pulumi up``, what the previous one
left: which colour or track runs which pod template. The ledger is a child of the
component (so its URN, and with it the state, belongs to that component alone) whose
provider receives its previous inputs natively: ``check(olds, news)`` is handed the
state the last update stored and computes the next one, in previews too. The
program only reads the ledger's output, asynchronously; nothing is exported and no
private Pulumi API is used, so the component works the same when it is imported
into another program or served to other languages.

Blue/green also reads two facts from the cluster before it moves on (``_live.py``),
when the component has a ``kubeconfig``: which colour the Service really selects (an
update that failed before its switch left the ledger one colour ahead), and, with
autoscaling, how many replicas the live colour runs at a switch, so the colour going
live starts with as many.

The ledger's input is always a Pulumi secret: it holds pod templates, which may
hold secrets (and a template stored while it held one must stay secret even after
the secret moved elsewhere), and the kubeconfig. The engine then keeps both its
inputs and its outputs encrypted in the state.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pulumi
import pulumi.dynamic

from ..._errors import ValidationError
from ._live import ClusterReadError, ClusterView, kubernetes_view
from ._plan import (
    COLOR_LABEL,
    COLORS,
    ReleaseState,
    Template,
    bounded_replicas,
    is_switch,
    next_blue_green_state,
    next_canary_state,
    normalized,
    with_live_color,
    with_run_outcome,
)

FAILED_ANNOTATION = "moorage.dev/canary-failed"
"""On the canary Deployment: the revision whose steps failed, and why (JSON); written by
the run, which cannot write the state of the ``up`` it fails, and read into the ledger."""
PROMOTED_ANNOTATION = "moorage.dev/promoted-revision"
"""On the stable Deployment: the canary revision the run promoted (in the same patch as
the template), read into the ledger by the next update."""

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""How the provider protocol marks a value not known yet (only ever seen in a preview)."""


def ledger_input(
    component: str,
    strategy: str,
    template: pulumi.Input[Mapping[str, Any]],
    *,
    template_secret: pulumi.Input[bool],
    active_color: str | None,
    promote: bool,
    abort: bool,
    autoscaling: Mapping[str, pulumi.Input[int]] | None = None,
    retry: bool = False,
) -> dict[str, Any]:
    """What the ledger is told at each update: the desired template (and whether it
    holds a secret) and the settings that move the state on. ``autoscaling`` holds
    the autoscaler's ``min_replicas`` and ``max_replicas`` (None: fixed replicas);
    ``retry`` runs a canary revision whose steps failed again."""
    return {
        "component": component,
        "strategy": strategy,
        "template": template,
        "template_secret": template_secret,
        "active_color": active_color,
        "promote": promote,
        "abort": abort,
        "autoscaling": autoscaling,
        # Only when set, so the ledgers of stacks made before it see no change.
        **({"retry": True} if retry else {}),
    }


def cluster_input(
    kubeconfig: pulumi.Input[str] | None,
    namespace: pulumi.Input[str],
    service: str,
    deployments: Mapping[str, str],
) -> dict[str, Any]:
    """Where the ledger reads the live objects: the kubeconfig (None: no reads), the
    namespace, the Service's name and each colour's Deployment name."""
    return {
        "kubeconfig": kubeconfig,
        "namespace": namespace,
        "service": service,
        "deployments": dict(deployments),
    }


def next_state(release: Mapping[str, Any], previous: ReleaseState | None) -> ReleaseState:
    """The state after this update, from the ledger input and the previous state.

    Raises :class:`ValidationError` for a promote or abort with no canary in flight.
    """
    desired: Template | None = normalized(release.get("template"))
    component = str(release.get("component"))
    if release.get("strategy") == "canary":
        state = next_canary_state(
            component,
            previous,
            desired,
            promote=bool(release.get("promote")),
            abort=bool(release.get("abort")),
            retry=bool(release.get("retry")),
        )
    else:
        state = next_blue_green_state(previous, desired, pinned=release.get("active_color"))
    return state.with_secrets_marked(previous, desired, bool(release.get("template_secret")))


def observed_state(
    release: Mapping[str, Any], cluster: Mapping[str, Any], previous: ReleaseState | None
) -> ReleaseState:
    """:func:`next_state`, moved on from what the cluster runs rather than from what the
    last update declared: the colour the Service selects is the live one and, with
    autoscaling, a colour going live starts with as many replicas as the live one runs
    (between switches, the live colour is declared with what its autoscaler set).

    Raises :class:`ValidationError` when a switch with autoscaling has no kubeconfig to
    read the live count with, and :class:`~.live.ClusterReadError` when a read fails.
    """
    component = str(release.get("component"))
    if release.get("strategy") == "canary" and previous is not None and cluster.get("kubeconfig"):
        return next_state(release, _canary_outcome(component, cluster, previous))
    if release.get("strategy") != "blue_green" or previous is None or previous.live not in COLORS:
        return next_state(release, previous)
    namespace = str(cluster.get("namespace"))
    view: ClusterView | None = None
    if cluster.get("kubeconfig"):
        view = kubernetes_view(component, str(cluster["kubeconfig"]))
        selector = view.service_selector(namespace, str(cluster.get("service")))
        previous = with_live_color(previous, (selector or {}).get(COLOR_LABEL))
    state = next_state(release, previous)
    autoscaling = release.get("autoscaling")
    if not isinstance(autoscaling, Mapping):
        return state
    switch = is_switch(previous, state)
    if view is None:
        if not switch:
            return state
        raise ValidationError(
            component,
            "kubeconfig",
            None,
            "is required to switch colours with strategy blue_green and autoscaling: the "
            "colour going live is first scaled to as many replicas as the live one runs, "
            "and only the cluster knows that count; set it to the cluster's kubeconfig "
            "(as for the Kubernetes provider)",
        )
    deployments = cluster.get("deployments") or {}
    live = view.deployment_replicas(namespace, str(deployments.get(previous.live)))
    if live is None and not switch:
        return state
    # At a switch, the colour going live gets what the live one runs (ready, or the
    # autoscaler's target while it scales up); otherwise the live colour is declared
    # with what its autoscaler set, so applying it never rescales it.
    running = None if live is None else (max(live.desired, live.ready) if switch else live.desired)
    count = bounded_replicas(
        running, int(autoscaling["min_replicas"]), int(autoscaling["max_replicas"])
    )
    return replace(state, live_replicas=count)


def _canary_outcome(
    component: str, cluster: Mapping[str, Any], previous: ReleaseState
) -> ReleaseState:
    """``previous`` with what the last run of its canary did (``_runner.py`` records it
    on the Deployments, since an ``up`` that fails cannot write its state): promoted or
    failed. The ledger keeps it from then on."""
    if not previous.canary_in_flight:
        return previous
    view = kubernetes_view(component, str(cluster["kubeconfig"]))
    namespace = str(cluster.get("namespace"))
    deployments = cluster.get("deployments") or {}
    promoted = view.deployment_annotation(
        namespace, str(deployments.get("stable")), PROMOTED_ANNOTATION
    )
    failed = view.deployment_annotation(
        namespace, str(deployments.get("canary")), FAILED_ANNOTATION
    )
    return with_run_outcome(previous, promoted, _json_object(failed))


def _json_object(text: str | None) -> dict[str, Any] | None:
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def stored_state(ledger_output: Any) -> ReleaseState | None:
    """The state in a ledger output; None when missing (as under plain mocks)."""
    if not isinstance(ledger_output, Mapping):
        return None
    return ReleaseState.from_output(ledger_output.get("state"))


def _has_unknowns(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(_has_unknowns(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknowns(v) for v in value)
    return bool(value == UNKNOWN)


def _canonical(value: Any) -> str:
    return json.dumps(normalized(value), sort_keys=True, default=str)


class LedgerProvider(pulumi.dynamic.ResourceProvider):
    """Moves the release state on in ``check``, where the engine hands over the old one."""

    # Pickled by reference into the state under this (stable) module path; see ledger.py.
    __module__ = "moorage.webservice.ledger"

    serialize_as_secret_always = False

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.CheckResult:
        release = dict(news.get("release") or {})
        cluster = dict(news.get("cluster") or {})
        previous = stored_state(olds.get("release"))
        # The cluster is only read when there is a previous release to move on from.
        if _has_unknowns(release) or (previous is not None and _has_unknowns(cluster)):
            # A preview with a template (or a cluster) not known yet: so is the next state.
            return pulumi.dynamic.CheckResult(
                {**news, "release": {**release, "state": UNKNOWN}}, []
            )
        try:
            state = observed_state(release, cluster, previous)
        except ValidationError as error:
            reason = str(error)
        except ClusterReadError as error:
            reason = (
                f"{release.get('component')}: {release.get('strategy')} reads the live "
                f"Service and Deployments before it moves on, and {error}; the release did "
                "not move on. Check that kubeconfig reaches the cluster and may get Services "
                "and Deployments in the namespace"
            )
        else:
            return pulumi.dynamic.CheckResult(
                {**news, "release": {**release, "state": state.to_output()}}, []
            )
        return pulumi.dynamic.CheckResult(news, [pulumi.dynamic.CheckFailure("release", reason)])

    def diff(
        self, _id: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.DiffResult:
        # Only the release decides: a new kubeconfig (rotated credentials) is no change.
        changed = _canonical(olds.get("release")) != _canonical(news.get("release"))
        return pulumi.dynamic.DiffResult(changes=changed)

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        return pulumi.dynamic.CreateResult("release", props)

    def update(
        self, _id: str, _olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.UpdateResult:
        return pulumi.dynamic.UpdateResult(news)


class ReleaseLedger(pulumi.dynamic.Resource, module="moorage", name="ReleaseLedger"):
    """Keeps one WebService's release state; a child of that WebService."""

    release: pulumi.Output[dict[str, Any]]
    """The ledger input plus ``state``, the release state after this update (secret)."""

    def __init__(
        self,
        name: str,
        release: pulumi.Input[Mapping[str, Any]],
        cluster: pulumi.Input[Mapping[str, Any]],
        opts: pulumi.ResourceOptions,
    ) -> None:
        super().__init__(
            LedgerProvider(),
            name,
            {"release": pulumi.Output.secret(release), "cluster": pulumi.Output.secret(cluster)},
            pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=["release", "cluster"])
            ),
        )
