"""A canary with routes splits the traffic by the routes' weights: one Service per track,
the route sending the canary's weight to the canary track and the rest to stable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moorage.webservice.release import ReleaseState

from tests.unit.conftest import RecordingMocks
from tests.unit.webservice.helpers import SERVICE, plain
from tests.unit.webservice.release.test_release import previous_release, run, stored_template

HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
ROUTED_CANARY: dict[str, Any] = {
    "strategy": "canary",
    "replicas": 4,
    "canary": {"weight": 25},
    "routes": [{"gateway": "public", "hostnames": ["api.example.com"]}],
}


def backend_refs(mocks: RecordingMocks) -> list[Any]:
    return plain(mocks.one(HTTP_ROUTE).inputs)["spec"]["rules"][0]["backendRefs"]


def test_a_canary_in_flight_gets_exactly_its_weight_of_the_routed_traffic(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    v1 = stored_template(make_mocks, "app:1.0.0")
    state = ReleaseState("canary", {"stable": v1, "canary": v1})
    mocks = make_mocks(resource_outputs=previous_release(state))
    run(mocks, **ROUTED_CANARY)

    tracks = {
        s.inputs["metadata"]["name"]: plain(s.inputs)["spec"]
        for s in mocks.resources
        if s.typ == SERVICE
    }

    assert backend_refs(mocks) == [
        {"name": "api-stable", "port": 80, "weight": 75},
        {"name": "api-canary", "port": 80, "weight": 25},
    ]
    assert tracks["api-stable"]["selector"]["moorage.dev/track"] == "stable"
    assert tracks["api-canary"]["selector"]["moorage.dev/track"] == "canary"
    assert tracks["api-canary"]["type"] == "ClusterIP"
    assert "moorage.dev/track" not in tracks["api"]["selector"]  # the main one keeps both
    replicas = {
        d.name: plain(d.inputs)["spec"]["replicas"]
        for d in mocks.resources
        if d.typ == "kubernetes:apps/v1:Deployment"
    }
    assert replicas == {"api-deployment-canary": 1, "api-deployment-stable": 4}  # stable keeps 4


def test_with_no_canary_in_flight_stable_gets_every_routed_request(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    mocks = make_mocks()
    run(mocks, **ROUTED_CANARY)

    assert backend_refs(mocks) == [
        {"name": "api-stable", "port": 80, "weight": 100},
        {"name": "api-canary", "port": 80, "weight": 0},
    ]


CANARY_RUN = "pulumi-python:dynamic/moorage:CanaryRun"


def test_steps_are_run_after_everything_they_move_and_only_for_a_new_revision(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    from tests.unit.webservice.release.test_release import KUBECONFIG

    stepped = {
        **ROUTED_CANARY,
        "kubeconfig": KUBECONFIG,
        "canary": {"steps": [{"weight": 10, "pause": "1m"}, {"weight": 100}]},
    }
    v1 = stored_template(make_mocks, "app:1.0.0")
    state = ReleaseState("canary", {"stable": v1, "canary": v1})
    mocks = make_mocks(resource_outputs=previous_release(state))
    run(mocks, **stepped)

    canary_run = mocks.named("api-canary-run")
    inputs = plain(canary_run.inputs)
    assert canary_run.typ == CANARY_RUN
    assert canary_run.depends_on(HTTP_ROUTE, "api-route-http")
    assert canary_run.depends_on("kubernetes:apps/v1:Deployment", "api-deployment-canary")
    assert len(inputs["revision"]) == 16
    assert inputs["routes"] == [{"plural": "httproutes", "name": "api-http"}]
    assert [s["weight"] for s in inputs["steps"]] == [10, 100]

    quiet = make_mocks()
    run(quiet, **stepped)
    assert plain(quiet.named("api-canary-run").inputs)["revision"] == ""


def test_with_steps_the_next_update_takes_back_what_the_run_set(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    """The run moves weights, scales tracks and promotes through the API; the update after
    it must be able to apply its own values over them (server-side apply, forced)."""
    from tests.unit.webservice.release.test_release import KUBECONFIG

    stepped = {**ROUTED_CANARY, "kubeconfig": KUBECONFIG, "canary": {"steps": [{"weight": 100}]}}
    mocks = make_mocks()
    run(mocks, **stepped)
    force = {"pulumi.com/patchForce": "true"}
    assert plain(mocks.one(HTTP_ROUTE).inputs)["metadata"]["annotations"] == force
    for deployment in mocks.of_type("kubernetes:apps/v1:Deployment"):
        assert plain(deployment.inputs)["metadata"]["annotations"].items() >= force.items()

    single = make_mocks()
    run(single, **ROUTED_CANARY)
    assert "annotations" not in plain(single.one(HTTP_ROUTE).inputs)["metadata"]
