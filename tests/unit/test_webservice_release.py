"""Blue/green and canary releases: the pure plans, and the resources under mocks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from moorage import WebService
from moorage._errors import ValidationError
from moorage.webservice.release import (
    ReleaseState,
    canary_replicas,
    plan_blue_green,
    plan_canary,
    same_template,
)

from .conftest import RecordingMocks

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
    assert plan.deployments["blue"].after is None


def test_keep_idle_warm_leaves_the_old_colour_running() -> None:
    plan = plan_blue_green(
        blue_green_state("blue", V1, V1), V2, pinned=None, keep_idle_warm=True, replicas=2
    )
    assert plan.deployments["blue"].replicas == 2
    assert plan.deployments["blue"].after is None


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


# -- the component under mocks -----------------------------------------------------------


def previous_release(state: ReleaseState | None) -> Callable[[Any], dict[str, Any]]:
    """Mocked StackReference: this stack's last outputs held ``state``."""

    def outputs(args: Any) -> dict[str, Any]:
        if args.typ != "pulumi:pulumi:StackReference" or state is None:
            return {}
        return {"outputs": {"api-release": state.to_output()}}

    return outputs


def stored_template(make_mocks: Callable[..., RecordingMocks], image: str) -> dict[str, Any]:
    """The pod template a previous release of ``image`` stored (computed under mocks)."""
    from moorage.webservice import manifests as m
    from moorage.webservice.spec import build_spec

    make_mocks()
    spec = build_spec("api", {"image": image, "strategy": "blue_green"})
    return m.pod_template(spec, {})


def run(mocks: RecordingMocks, **args: Any) -> WebService:
    return mocks.run(lambda: WebService("api", {"image": "app:2.0.0", **args}))


def deployment(mocks: RecordingMocks, key: str) -> Any:
    return mocks.named(f"api-deployment-{key}")


def test_blue_green_switch_orders_deploy_switch_grace_scale_down(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    v1 = stored_template(make_mocks, "app:1.0.0")
    state = ReleaseState("blue_green", {"blue": v1, "green": v1}, live="blue")
    mocks = make_mocks(resource_outputs=previous_release(state))
    service = run(mocks, strategy="blue_green")

    green, blue = deployment(mocks, "green"), deployment(mocks, "blue")
    green_image = green.inputs["spec"]["template"]["spec"]["containers"][0]["image"]
    blue_image = blue.inputs["spec"]["template"]["spec"]["containers"][0]["image"]
    assert (green_image, blue_image) == ("app:2.0.0", "app:1.0.0")
    assert green.inputs["spec"]["replicas"] == 2 and blue.inputs["spec"]["replicas"] == 0
    assert green.inputs["metadata"]["name"] == "api-green"

    svc = mocks.one(SERVICE)
    assert svc.inputs["spec"]["selector"]["moorage.dev/color"] == "green"
    assert svc.depends_on(DEPLOYMENT, "api-deployment-green")
    assert not svc.depends_on(DEPLOYMENT, "api-deployment-blue")
    pause = mocks.named("api-switch-grace")
    assert pause.depends_on(SERVICE, "api-service")
    assert blue.depends_on("pulumi-python:dynamic/moorage:Pause", "api-switch-grace")
    assert mocks.settle(service.live_color) == "green"


def test_blue_green_selectors_keep_the_colours_apart(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    mocks = make_mocks()
    run(mocks, strategy="blue_green")
    for color in ("blue", "green"):
        spec = deployment(mocks, color).inputs["spec"]
        assert spec["selector"]["matchLabels"]["moorage.dev/color"] == color
        assert spec["template"]["metadata"]["labels"]["moorage.dev/color"] == color


def test_blue_green_hpa_follows_the_live_colour(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    mocks = make_mocks()
    run(mocks, strategy="blue_green", autoscaling={"min_replicas": 2, "max_replicas": 4})
    hpa = mocks.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
    assert hpa.inputs["spec"]["scaleTargetRef"]["name"] == "api-blue"
    assert "replicas" not in deployment(mocks, "blue").inputs["spec"]
    assert deployment(mocks, "green").inputs["spec"]["replicas"] == 0


def test_canary_start_scales_the_canary_first(make_mocks: Callable[..., RecordingMocks]) -> None:
    v1 = stored_template(make_mocks, "app:1.0.0")
    state = ReleaseState("canary", {"stable": v1, "canary": v1})
    mocks = make_mocks(resource_outputs=previous_release(state))
    run(mocks, strategy="canary", replicas=4, canary={"weight": 50})
    stable, canary_deployment = deployment(mocks, "stable"), deployment(mocks, "canary")
    assert canary_deployment.inputs["spec"]["replicas"] == 2
    assert stable.inputs["spec"]["replicas"] == 2
    assert stable.inputs["metadata"]["name"] == "api"
    assert stable.depends_on(DEPLOYMENT, "api-deployment-canary")
    assert "moorage.dev/track" not in mocks.one(SERVICE).inputs["spec"]["selector"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"strategy": "canary", "canary": {"weight": 100}}, "canary.weight"),
        ({"strategy": "canary", "canary": {"weight": 0}}, "canary.weight"),
        ({"strategy": "canary", "replicas": 1}, "replicas"),
        ({"strategy": "canary", "canary": {"promote": True, "abort": True}}, "canary.abort"),
        ({"strategy": "canary", "canary": {"promote": True}}, "canary.promote"),
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
