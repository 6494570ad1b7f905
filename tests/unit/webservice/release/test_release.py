"""Blue/green and canary releases: the pure plans, and the resources under mocks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from moorage import WebService
from moorage._errors import ValidationError
from moorage.webservice.release import (
    UNKNOWN,
    ClusterReadError,
    DeploymentPlan,
    LedgerProvider,
    LiveReplicas,
    ReleaseState,
    canary_replicas,
    cluster_input,
    ledger,
    ledger_input,
    next_blue_green_state,
    next_state,
    plan_blue_green,
    plan_canary,
    same_template,
    with_live_color,
)

from tests.unit.conftest import RecordingMocks

V1 = {"spec": {"containers": [{"image": "app:1"}]}}
V2 = {"spec": {"containers": [{"image": "app:2"}]}}
V3 = {"spec": {"containers": [{"image": "app:3"}]}}
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"


def blue_green_state(live: str, blue: dict[str, Any], green: dict[str, Any]) -> ReleaseState:
    return ReleaseState("blue_green", {"blue": blue, "green": green}, live=live)


# -- pure plans: blue/green --------------------------------------------------------------


def test_first_blue_green_release_goes_live_on_blue_with_green_idle() -> None:
    plan = plan_blue_green(None, V1, pinned=None, keep_idle_warm=False, replicas=3)
    assert plan.live == "blue" and not plan.switched
    assert plan.deployments["blue"].replicas == 3
    assert plan.deployments["green"].replicas == 0
    assert plan.state.templates == {"blue": V1, "green": V1}


def test_a_changed_template_goes_to_the_idle_colour_then_the_old_one_scales_down() -> None:
    plan = plan_blue_green(
        blue_green_state("blue", V1, V1), V2, pinned=None, keep_idle_warm=False, replicas=2
    )
    assert plan.live == "green" and plan.switched
    green, blue = plan.deployments["green"], plan.deployments["blue"]
    assert green.template is None and green.replicas == 2 and green.after is None
    assert blue.template == V1 and blue.replicas == 0 and blue.after == "switch"
    assert plan.state.live == "green"
    assert plan.state.templates == {"blue": V1, "green": V2}


def test_no_change_keeps_the_live_colour_and_switches_nothing() -> None:
    plan = plan_blue_green(
        blue_green_state("green", V1, V2), V2, pinned=None, keep_idle_warm=False, replicas=2
    )
    assert plan.live == "green" and not plan.switched
    # The idle colour keeps its template and, as always, is declared after the
    # (unchanged) Service: nothing moves, and the grace period does not wait.
    assert plan.deployments["blue"] == DeploymentPlan(V1, 0, after="switch")
    assert plan.deployments["green"] == DeploymentPlan(None, 2)


def test_keep_idle_warm_leaves_the_old_colour_running() -> None:
    plan = plan_blue_green(
        blue_green_state("blue", V1, V1), V2, pinned=None, keep_idle_warm=True, replicas=2
    )
    assert plan.deployments["blue"].replicas == 2
    assert plan.deployments["green"].replicas == 2 and plan.deployments["green"].after is None


def test_rollback_by_pinning_the_old_colour_needs_no_redeploy() -> None:
    # v2 is live on green; the code still says v2; pin blue to go back to v1.
    plan = plan_blue_green(
        blue_green_state("green", V1, V2), V2, pinned="blue", keep_idle_warm=False, replicas=2
    )
    assert plan.live == "blue" and plan.switched
    assert plan.deployments["blue"].template == V1
    assert plan.deployments["blue"].replicas == 2 and plan.deployments["blue"].after is None
    assert plan.deployments["green"].replicas == 0 and plan.deployments["green"].after == "switch"
    assert plan.state.templates == {"blue": V1, "green": V2}


def test_pinned_changes_are_staged_on_the_idle_colour_without_switching() -> None:
    plan = plan_blue_green(
        blue_green_state("blue", V1, V1), V2, pinned="blue", keep_idle_warm=True, replicas=2
    )
    assert plan.live == "blue" and not plan.switched
    assert plan.deployments["green"].template is None  # runs the desired (new) template
    assert plan.state.templates == {"blue": V1, "green": V2}


def test_unknown_templates_count_as_changed_and_stored_floats_compare_equal() -> None:
    assert not same_template(None, V1)
    assert same_template({"port": 8080.0}, {"port": 8080})


# -- pure plans: canary ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weight", "expected"), [(10, 20, 2), (2, 50, 1), (3, 99, 2), (5, 1, 1)]
)
def test_canary_gets_its_share_but_never_all_replicas(
    total: int, weight: int, expected: int
) -> None:
    assert canary_replicas(total, weight) == expected


def canary(
    previous: ReleaseState | None,
    desired: dict[str, Any],
    *,
    promote: bool = False,
    abort: bool = False,
) -> Any:
    return plan_canary(
        'WebService "api"',
        previous,
        desired,
        weight=25,
        promote=promote,
        abort=abort,
        total=4,
        autoscaled=False,
    )


def test_a_changed_template_starts_a_canary_before_stable_shrinks() -> None:
    stable = ReleaseState("canary", {"stable": V1, "canary": V1})
    plan = canary(stable, V2)
    assert plan.deployments["canary"].replicas == 1 and plan.deployments["canary"].after is None
    assert plan.deployments["stable"].replicas == 3
    assert plan.deployments["stable"].template == V1
    assert plan.deployments["stable"].after == "canary"
    assert plan.state.canary_in_flight


def test_promote_rolls_stable_to_the_canary_then_scales_the_canary_down() -> None:
    flight = ReleaseState("canary", {"stable": V1, "canary": V2}, canary_in_flight=True)
    plan = canary(flight, V2, promote=True)
    assert plan.deployments["stable"].template is None and plan.deployments["stable"].replicas == 4
    assert plan.deployments["canary"].replicas == 0 and plan.deployments["canary"].after == "stable"
    assert plan.state.templates["stable"] == V2 and not plan.state.canary_in_flight


def test_abort_returns_to_stable_only() -> None:
    flight = ReleaseState("canary", {"stable": V1, "canary": V2}, canary_in_flight=True)
    plan = canary(flight, V2, abort=True)
    assert plan.deployments["stable"].template == V1 and plan.deployments["stable"].replicas == 4
    assert plan.deployments["canary"].replicas == 0
    assert not plan.state.canary_in_flight


@pytest.mark.parametrize("action", ["promote", "abort"])
def test_promote_or_abort_without_a_canary_in_flight_is_an_error(action: str) -> None:
    stable = ReleaseState("canary", {"stable": V1, "canary": V1})
    with pytest.raises(ValidationError, match=f"canary.{action}.*needs a canary in flight"):
        canary(stable, V1, **{action: True})


def test_promote_refuses_a_template_that_changed_since_the_canary_started() -> None:
    flight = ReleaseState("canary", {"stable": V1, "canary": V2}, canary_in_flight=True)
    with pytest.raises(ValidationError, match="changed since it started"):
        canary(flight, V3, promote=True)


# -- the release ledger's provider (what the engine runs at each update) ---------------------


def ledger_check(
    previous: ReleaseState | None,
    release: dict[str, Any],
    cluster: dict[str, Any] | None = None,
) -> Any:
    """Run the ledger's check as the engine does: old inputs (with the stored state), new ones."""
    olds = {} if previous is None else {"release": {"state": previous.to_output()}}
    news = {"release": release, "cluster": cluster or cluster_input(None, "shop", "api", {})}
    return LedgerProvider().check(olds, news)


def ledger_release(template: dict[str, Any], **settings: Any) -> dict[str, Any]:
    return ledger_input(
        'WebService "api"',
        settings.pop("strategy", "blue_green"),
        template,
        template_secret=settings.get("template_secret", False),
        active_color=settings.get("active_color"),
        promote=settings.get("promote", False),
        abort=settings.get("abort", False),
        autoscaling=settings.get("autoscaling"),
    )


def test_the_ledger_moves_the_state_on_from_what_the_last_update_stored() -> None:
    first = ledger_check(None, ledger_release(V1))
    assert not first.failures
    stored = ReleaseState.from_output(first.inputs["release"]["state"])
    assert stored == ReleaseState("blue_green", {"blue": V1, "green": V1}, live="blue")

    moved = ledger_check(stored, ledger_release(V2))
    after = ReleaseState.from_output(moved.inputs["release"]["state"])
    assert after == ReleaseState("blue_green", {"blue": V1, "green": V2}, live="green")


def test_a_template_stored_while_secret_stays_secret_after_the_secret_moved_away() -> None:
    first = next_state(ledger_release(V1, template_secret=True), None)
    assert first.secret_templates == ("blue", "green")
    moved = next_state(ledger_release(V2), first)
    assert moved.live == "green" and moved.secret_templates == ("blue",)
    settled = next_state(ledger_release(V2), moved)
    assert settled.secret_templates == ("blue",)


def test_the_ledger_refuses_a_promote_with_no_canary_in_flight() -> None:
    result = ledger_check(None, ledger_release(V1, strategy="canary", promote=True))
    assert [f.property for f in result.failures] == ["release"]
    assert "canary.promote" in result.failures[0].reason
    assert "needs a canary in flight" in result.failures[0].reason


def test_a_template_not_known_yet_leaves_the_next_state_unknown() -> None:
    unknown = {"spec": {"containers": [{"image": UNKNOWN}]}}
    result = ledger_check(None, ledger_release(unknown))
    assert result.inputs["release"]["state"] == UNKNOWN and not result.failures


def test_the_ledger_changes_only_when_its_state_or_input_does() -> None:
    checked = ledger_check(None, ledger_release(V1)).inputs
    stored = {**checked, "release": normalized_copy(checked["release"]), "__provider": "old"}
    assert not LedgerProvider().diff("release", stored, checked).changes
    moved = ledger_check(
        ReleaseState.from_output(checked["release"]["state"]), ledger_release(V2)
    ).inputs
    assert LedgerProvider().diff("release", stored, moved).changes


# -- what blue/green reads from the cluster before it moves on ------------------------------

KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
users: [{name: u, user: {token: t0k3n-never-echoed}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
"""
HPA = {"min_replicas": 2, "max_replicas": 10}


class FakeCluster:
    """A cluster whose Service selects ``selected`` and whose Deployments run ``replicas``."""

    def __init__(
        self,
        selected: str | None = "blue",
        replicas: dict[str, LiveReplicas] | None = None,
        failure: str | None = None,
    ) -> None:
        self.selected, self.replicas, self.failure = selected, replicas or {}, failure
        self.reads: list[str] = []

    def service_selector(self, namespace: str, name: str) -> dict[str, str] | None:
        self.reads.append(f"service {namespace}/{name}")
        if self.failure:
            raise ClusterReadError(self.failure)
        return None if self.selected is None else {"moorage.dev/color": self.selected}

    def deployment_replicas(self, namespace: str, name: str) -> LiveReplicas | None:
        self.reads.append(f"deployment {namespace}/{name}")
        return self.replicas.get(name)


@pytest.fixture
def live_cluster(monkeypatch: pytest.MonkeyPatch) -> Callable[..., FakeCluster]:
    """Make the ledger read a fake cluster (given the kubeconfig it was handed)."""

    def install(**state: Any) -> FakeCluster:
        cluster = FakeCluster(**state)

        def view(component: str, kubeconfig: str) -> FakeCluster:
            assert kubeconfig == KUBECONFIG
            return cluster

        monkeypatch.setattr(ledger, "kubernetes_view", view)
        return cluster

    return install


def reading(kubeconfig: str | None = KUBECONFIG) -> dict[str, Any]:
    return cluster_input(kubeconfig, "shop", "api", {"blue": "api-blue", "green": "api-green"})


def state_of(result: Any) -> ReleaseState:
    assert not result.failures, result.failures
    state = ReleaseState.from_output(result.inputs["release"]["state"])
    assert state is not None
    return state


@pytest.mark.parametrize(
    ("running", "bounds", "expected"),
    [
        (LiveReplicas(5, 4), (2, 10), 5),  # the autoscaler's target, still scaling up
        (LiveReplicas(3, 6), (2, 10), 6),  # more ready than asked: scaling down
        (LiveReplicas(1, 1), (3, 10), 3),  # never below min_replicas
        (LiveReplicas(12, 12), (2, 6), 6),  # nor above max_replicas
        (None, (2, 6), 2),  # no live Deployment: the minimum
    ],
)
def test_a_colour_going_live_starts_with_as_many_replicas_as_the_live_one_runs(
    live_cluster: Callable[..., FakeCluster],
    running: LiveReplicas | None,
    bounds: tuple[int, int],
    expected: int,
) -> None:
    live_cluster(selected="blue", replicas={"api-blue": running} if running else {})
    previous = ReleaseState("blue_green", {"blue": V1, "green": V1}, live="blue")
    hpa = {"min_replicas": bounds[0], "max_replicas": bounds[1]}
    state = state_of(ledger_check(previous, ledger_release(V2, autoscaling=hpa), reading()))
    assert (state.live, state.live_replicas) == ("green", expected)


def test_the_count_a_colour_went_live_with_stays_until_the_next_switch() -> None:
    live = ReleaseState("blue_green", {"blue": V1, "green": V2}, live="green", live_replicas=5)
    assert next_blue_green_state(live, V2, pinned=None).live_replicas == 5
    switched = next_blue_green_state(live, V3, pinned=None)
    assert switched.live == "blue" and switched.live_replicas is None
    assert ReleaseState.from_output(live.to_output()) == live


def test_a_switch_with_an_hpa_scales_the_new_colour_to_the_live_count(
    live_cluster: Callable[..., FakeCluster],
) -> None:
    cluster = live_cluster(selected="blue", replicas={"api-blue": LiveReplicas(7, 6)})
    previous = ReleaseState("blue_green", {"blue": V1, "green": V1}, live="blue")
    state = state_of(ledger_check(previous, ledger_release(V2, autoscaling=HPA), reading()))
    assert (state.live, state.live_replicas) == ("green", 7)
    assert cluster.reads == ["service shop/api", "deployment shop/api-blue"]

    # The switch went through, and the HPA took green to 8: the next update declares
    # green with 8, so applying it never scales it back.
    cluster.selected, cluster.replicas["api-green"] = "green", LiveReplicas(8, 7)
    quiet = state_of(ledger_check(state, ledger_release(V2, autoscaling=HPA), reading()))
    assert (quiet.live, quiet.live_replicas) == ("green", 8)
    assert cluster.reads[2:] == ["service shop/api", "deployment shop/api-green"]


def test_a_switch_with_an_hpa_and_no_kubeconfig_is_refused_before_anything_moves() -> None:
    previous = ReleaseState("blue_green", {"blue": V1, "green": V1}, live="blue")
    result = ledger_check(previous, ledger_release(V2, autoscaling=HPA), reading(None))
    assert [f.property for f in result.failures] == ["release"]
    reason = result.failures[0].reason
    assert reason.startswith('WebService "api": kubeconfig (None) is required to switch colours')
    # Without an HPA (fixed replicas) or without a switch nothing needs reading.
    assert state_of(ledger_check(previous, ledger_release(V2), reading(None))).live == "green"
    assert state_of(ledger_check(previous, ledger_release(V1, autoscaling=HPA), reading(None)))


def test_after_a_switch_that_failed_the_next_update_deploys_to_the_idle_colour_again(
    live_cluster: Callable[..., FakeCluster],
) -> None:
    # The last update moved the ledger to green (a broken V2), but green never became
    # Available, so the Service still selects blue.
    live_cluster(selected="blue", replicas={"api-blue": LiveReplicas(4, 4)})
    failed = ReleaseState("blue_green", {"blue": V1, "green": V2}, live="green", live_replicas=4)
    state = state_of(ledger_check(failed, ledger_release(V3, autoscaling=HPA), reading()))
    # The fix goes to green (idle) again: blue, which serves, is not rolled in place.
    assert state.live == "green" and state.templates == {"blue": V1, "green": V3}
    assert state.live_replicas == 4
    # Going back to what blue runs cancels the switch: blue stays live at its count.
    back = state_of(ledger_check(failed, ledger_release(V1, autoscaling=HPA), reading()))
    assert (back.live, back.live_replicas) == ("blue", 4)
    # Without reads the ledger believes its own record, and blue would be rolled.
    blind = state_of(ledger_check(failed, ledger_release(V3), reading(None)))
    assert blind.live == "blue" and blind.templates["blue"] == V3
    assert with_live_color(failed, "green") is failed


def test_a_failed_read_refuses_to_move_on_and_never_echoes_the_kubeconfig(
    live_cluster: Callable[..., FakeCluster],
) -> None:
    live_cluster(failure="reading Service shop/api failed: HTTP 403 Forbidden")
    previous = ReleaseState("blue_green", {"blue": V1, "green": V1}, live="blue")
    result = ledger_check(previous, ledger_release(V2), reading())
    reason = result.failures[0].reason
    assert "HTTP 403 Forbidden" in reason and "the release did not move on" in reason
    assert "t0k3n" not in reason and "127.0.0.1" not in reason


def test_first_releases_and_canaries_read_nothing(
    live_cluster: Callable[..., FakeCluster],
) -> None:
    cluster = live_cluster()
    state_of(ledger_check(None, ledger_release(V1, autoscaling=HPA), reading()))
    flight = ReleaseState("canary", {"stable": V1, "canary": V1})
    state_of(ledger_check(flight, ledger_release(V2, strategy="canary"), reading()))
    assert cluster.reads == []


def test_a_new_kubeconfig_alone_does_not_change_the_ledger() -> None:
    checked = ledger_check(None, ledger_release(V1), reading()).inputs
    rotated = {**checked, "cluster": reading(KUBECONFIG.replace("t0k3n", "n3wt0k3n"))}
    assert not LedgerProvider().diff("release", checked, rotated).changes


def test_a_kubeconfig_that_is_not_one_is_refused_without_being_echoed(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    mocks = make_mocks()
    with pytest.raises(ValidationError) as error:
        run(mocks, strategy="blue_green", kubeconfig="token: t0k3n-never-echoed")
    assert error.value.field == "kubeconfig" and "t0k3n" not in str(error.value)
    assert "must be the contents of a kubeconfig file" in str(error.value)


def normalized_copy(value: Any) -> Any:
    """As the engine stores numbers: every int becomes a float."""
    if isinstance(value, bool) or not isinstance(value, (int, dict, list)):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {k: normalized_copy(v) for k, v in value.items()}
    return [normalized_copy(v) for v in value]


# -- the component under mocks -----------------------------------------------------------

LEDGER = "pulumi-python:dynamic/moorage:ReleaseLedger"
SECRET_SIG, SECRET = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"
"""How a secret value looks on the wire (the mocks hand inputs over as they come)."""


def previous_release(state: ReleaseState | None) -> Callable[[Any], dict[str, Any]]:
    """Mocked engine: the ledger's provider runs its check against ``state``."""

    def outputs(args: Any) -> dict[str, Any]:
        if args.typ != LEDGER:
            return {}
        wrapped = dict(args.inputs["release"])
        assert wrapped.get(SECRET_SIG) == SECRET, "the ledger input is always a secret"
        cluster = dict(args.inputs["cluster"])
        assert cluster.get(SECRET_SIG) == SECRET, "the kubeconfig too"
        result = ledger_check(state, dict(wrapped["value"]), dict(cluster["value"]))
        assert not result.failures, result.failures
        # As the engine does: the output is as secret as the input.
        return {"release": {SECRET_SIG: SECRET, "value": result.inputs["release"]}}

    return outputs


def stored_template(make_mocks: Callable[..., RecordingMocks], image: str) -> dict[str, Any]:
    """The pod template a previous release of ``image`` stored (computed under mocks)."""
    from moorage.webservice import build_spec, render

    make_mocks()
    spec = build_spec("api", {"image": image, "strategy": "blue_green"})
    return render(spec).pod_template


def run(mocks: RecordingMocks, **args: Any) -> WebService:
    return mocks.run(lambda: WebService("api", {"image": "app:2.0.0", **args}))


def deployment(mocks: RecordingMocks, key: str) -> Any:
    return mocks.named(f"api-deployment-{key}")


def image_of(registered: Any) -> str:
    return str(registered.inputs["spec"]["template"]["spec"]["containers"][0]["image"])


def test_blue_green_switch_orders_deploy_switch_grace_scale_down(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    v1 = stored_template(make_mocks, "app:1.0.0")
    state = ReleaseState("blue_green", {"blue": v1, "green": v1}, live="blue")
    mocks = make_mocks(resource_outputs=previous_release(state))
    service = run(mocks, strategy="blue_green")

    green, blue = deployment(mocks, "green"), deployment(mocks, "blue")
    assert (image_of(green), image_of(blue)) == ("app:2.0.0", "app:1.0.0")
    assert green.inputs["spec"]["replicas"] == 2 and blue.inputs["spec"]["replicas"] == 0
    assert green.inputs["metadata"]["name"] == "api-green"
    assert "pulumi.com/patchForce" not in str(green.inputs["metadata"])  # no HPA: no takeover
    assert green.depends_on(LEDGER, "api-release")

    svc = mocks.one(SERVICE)
    assert svc.inputs["spec"]["selector"]["moorage.dev/color"] == "green"
    assert svc.depends_on(DEPLOYMENT, "api-deployment-green")
    assert not svc.depends_on(DEPLOYMENT, "api-deployment-blue")
    pause = mocks.named("api-switch-grace")
    assert pause.depends_on(SERVICE, "api-service")
    assert blue.depends_on("pulumi-python:dynamic/moorage:Pause", "api-switch-grace")
    assert not green.depends_on("pulumi-python:dynamic/moorage:Pause", "api-switch-grace")
    assert mocks.settle(service.live_color) == "green"
    assert mocks.settle(service.deployment_name) == "api-green"


def test_blue_green_rollback_by_pinning_scales_the_old_colour_up_before_the_switch(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    v1 = stored_template(make_mocks, "app:1.0.0")
    v2 = stored_template(make_mocks, "app:2.0.0")
    state = ReleaseState("blue_green", {"blue": v1, "green": v2}, live="green")
    mocks = make_mocks(resource_outputs=previous_release(state))
    run(mocks, strategy="blue_green", blue_green={"active_color": "blue"})
    blue, green = deployment(mocks, "blue"), deployment(mocks, "green")
    assert (image_of(blue), blue.inputs["spec"]["replicas"]) == ("app:1.0.0", 2)
    assert (image_of(green), green.inputs["spec"]["replicas"]) == ("app:2.0.0", 0)
    assert mocks.one(SERVICE).depends_on(DEPLOYMENT, "api-deployment-blue")
    assert green.depends_on("pulumi-python:dynamic/moorage:Pause", "api-switch-grace")


def test_blue_green_selectors_keep_the_colours_apart(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    mocks = make_mocks()
    run(mocks, strategy="blue_green")
    for color in ("blue", "green"):
        spec = deployment(mocks, color).inputs["spec"]
        assert spec["selector"]["matchLabels"]["moorage.dev/color"] == color
        assert spec["template"]["metadata"]["labels"]["moorage.dev/color"] == color


@pytest.mark.parametrize(("running", "expected"), [(LiveReplicas(5, 5), 5), (None, 3)])
def test_blue_green_with_an_hpa_goes_live_with_the_live_count_never_below_min_replicas(
    make_mocks: Callable[..., RecordingMocks],
    live_cluster: Callable[..., FakeCluster],
    running: LiveReplicas | None,
    expected: int,
) -> None:
    live_cluster(selected="blue", replicas={"api-blue": running} if running else {})
    v1 = stored_template(make_mocks, "app:1.0.0")
    state = ReleaseState("blue_green", {"blue": v1, "green": v1}, live="blue")
    mocks = make_mocks(resource_outputs=previous_release(state))
    autoscaling = {"min_replicas": 3, "max_replicas": 6}
    run(mocks, strategy="blue_green", autoscaling=autoscaling, kubeconfig=KUBECONFIG)
    hpa = mocks.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
    assert hpa.inputs["spec"]["scaleTargetRef"]["name"] == "api-green"
    assert hpa.depends_on(DEPLOYMENT, "api-deployment-green")
    # The colour about to go live runs as many as blue does (at least min_replicas, not
    # the one pod a Deployment without replicas starts with) before the Service switches.
    assert deployment(mocks, "green").inputs["spec"]["replicas"] == expected
    assert deployment(mocks, "blue").inputs["spec"]["replicas"] == 0
    # The HPA owns the replicas of the colour it scaled: scaling blue to 0 takes them back.
    for color in ("blue", "green"):
        annotations = deployment(mocks, color).inputs["metadata"]["annotations"]
        assert annotations["pulumi.com/patchForce"] == "true"


def test_canary_start_scales_the_canary_first(make_mocks: Callable[..., RecordingMocks]) -> None:
    v1 = stored_template(make_mocks, "app:1.0.0")
    state = ReleaseState("canary", {"stable": v1, "canary": v1})
    mocks = make_mocks(resource_outputs=previous_release(state))
    run(mocks, strategy="canary", replicas=4, canary={"weight": 50})
    stable, canary_deployment = deployment(mocks, "stable"), deployment(mocks, "canary")
    assert canary_deployment.inputs["spec"]["replicas"] == 2
    assert image_of(canary_deployment) == "app:2.0.0" and image_of(stable) == "app:1.0.0"
    assert stable.inputs["spec"]["replicas"] == 2
    assert stable.inputs["metadata"]["name"] == "api"
    assert stable.depends_on(DEPLOYMENT, "api-deployment-canary")
    assert not canary_deployment.depends_on(DEPLOYMENT, "api-deployment-stable")
    assert "moorage.dev/track" not in mocks.one(SERVICE).inputs["spec"]["selector"]


def test_canary_promote_rolls_stable_first_then_scales_the_canary_down(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    v1 = stored_template(make_mocks, "app:1.0.0")
    v2 = stored_template(make_mocks, "app:2.0.0")
    state = ReleaseState("canary", {"stable": v1, "canary": v2}, canary_in_flight=True)
    mocks = make_mocks(resource_outputs=previous_release(state))
    run(mocks, strategy="canary", replicas=4, canary={"promote": True})
    stable, canary_deployment = deployment(mocks, "stable"), deployment(mocks, "canary")
    assert (image_of(stable), stable.inputs["spec"]["replicas"]) == ("app:2.0.0", 4)
    assert canary_deployment.inputs["spec"]["replicas"] == 0
    assert canary_deployment.depends_on(DEPLOYMENT, "api-deployment-stable")


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG) == SECRET


@pytest.mark.parametrize("kept_secret", [True, False])
def test_a_kept_template_is_secret_only_when_it_held_a_secret(
    make_mocks: Callable[..., RecordingMocks], kept_secret: bool
) -> None:
    v1 = stored_template(make_mocks, "app:1.0.0")
    state = ReleaseState(
        "blue_green",
        {"blue": v1, "green": v1},
        live="blue",
        secret_templates=("blue", "green") if kept_secret else (),
    )
    mocks = make_mocks(resource_outputs=previous_release(state))
    run(mocks, strategy="blue_green")
    # Blue keeps v1 (the ledger's copy); green runs the desired, plain template.
    assert is_secret(deployment(mocks, "blue").inputs["spec"]) is kept_secret
    assert not is_secret(deployment(mocks, "green").inputs["spec"])
    assert not is_secret(mocks.one(SERVICE).inputs["spec"])


def test_a_secret_in_the_template_reaches_the_ledger_only_as_a_secret(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    seen: list[dict[str, Any]] = []
    engine = previous_release(None)

    def outputs(args: Any) -> dict[str, Any]:
        if args.typ == LEDGER:
            seen.append(dict(args.inputs["release"]["value"]))
        return engine(args)

    mocks = make_mocks(resource_outputs=outputs)
    secret = pulumi.Output.secret("s3cr3t")
    mocks.run(
        lambda: WebService(
            "api", {"image": "app:1", "strategy": "blue_green", "env": {"DB": secret}}
        )
    )
    assert seen[0]["template_secret"] is True
    for color in ("blue", "green"):
        assert is_secret(deployment(mocks, color).inputs["spec"])


class PlainMocks(pulumi.runtime.Mocks):
    """Mocks written the usual way: every resource echoes its inputs, nothing else."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return {}, []


@pytest.mark.parametrize("strategy", ["blue_green", "canary"])
def test_plain_mocks_read_as_no_previous_release(
    make_mocks: Callable[..., RecordingMocks], strategy: str
) -> None:
    make_mocks()  # resets the runtime
    pulumi.runtime.set_mocks(PlainMocks(), project="user", stack="unit")

    @pulumi.runtime.test
    def check() -> Any:
        service = WebService("api", {"image": "app:1.0.0", "strategy": strategy})
        first = "blue" if strategy == "blue_green" else "stable"
        return pulumi.Output.all(service.deployments[first].spec, service.deployment_name).apply(
            lambda v: _assert_first_release(v[0], v[1], strategy)
        )

    check()


def _assert_first_release(spec: Any, deployment_name: str, strategy: str) -> None:
    assert spec["replicas"] == 2
    assert deployment_name == ("api-blue" if strategy == "blue_green" else "api")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"strategy": "canary", "canary": {"weight": 100}}, "canary.weight"),
        ({"strategy": "canary", "canary": {"weight": 0}}, "canary.weight"),
        ({"strategy": "canary", "replicas": 1}, "replicas"),
        ({"strategy": "canary", "canary": {"promote": True, "abort": True}}, "canary.abort"),
        (
            {"strategy": "blue_green", "blue_green": {"active_color": "red"}},
            "blue_green.active_color",
        ),
        ({"canary": {"weight": 10}}, "canary"),
        ({"strategy": "recreate"}, "strategy"),
        ({"strategy": "blue_green", "replicas": pulumi.Output.from_input(2)}, "replicas"),
    ],
)
def test_bad_release_settings_fail_before_any_kubernetes_resource(
    make_mocks: Callable[..., RecordingMocks], args: dict[str, Any], field: str
) -> None:
    mocks = make_mocks()
    with pytest.raises(ValidationError) as error:
        run(mocks, **args)
    assert error.value.field == field
    assert [r for r in mocks.resources if r.typ.startswith("kubernetes:")] == []


class Team(pulumi.ComponentResource):
    """A user's own component that holds a WebService named "api"."""

    def __init__(self, typ: str) -> None:
        super().__init__(typ, "team")
        self.api = WebService(
            "api",
            {"image": "app:1.0.0", "strategy": "blue_green", "namespace": typ.split(":")[-1]},
            pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})


def test_each_component_owns_its_release_state(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    mocks = make_mocks()
    mocks.run(lambda: (Team("acme:index:shop"), Team("acme:index:cart")))
    ledgers = mocks.of_type(LEDGER)
    # Same name, two ledgers: each a child of its own WebService, so their URNs differ.
    assert [r.name for r in ledgers] == ["api-release", "api-release"]
    assert {r.parent.split("::")[-2] for r in ledgers} == {
        "acme:index:shop$moorage:index:WebService",
        "acme:index:cart$moorage:index:WebService",
    }
    assert not mocks.of_type("pulumi:pulumi:StackReference") and mocks.calls == []
