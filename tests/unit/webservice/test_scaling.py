"""Scaling: fixed replicas, the HorizontalPodAutoscaler, the PodDisruptionBudget and a
rolling update that never drops below capacity."""

from __future__ import annotations

import pytest
from moorage.webservice import render

from tests.unit.webservice.helpers import DEPLOYMENT, HPA, PDB, inputs, spec, web_service

# -- replicas ------------------------------------------------------------------------------


def test_fixed_replicas_default_to_two(mocks):
    web_service(mocks)

    assert inputs(mocks, DEPLOYMENT)["spec"]["replicas"] == 2


def test_fixed_replicas_can_be_set(mocks):
    web_service(mocks, replicas=4)

    assert inputs(mocks, DEPLOYMENT)["spec"]["replicas"] == 4


def test_deployment_sends_no_replicas_when_autoscaling(mocks):
    # Server-side apply would otherwise fight the HPA over .spec.replicas.
    web_service(mocks, autoscaling={"min_replicas": 3, "max_replicas": 6})

    assert "replicas" not in inputs(mocks, DEPLOYMENT)["spec"]


def test_deployment_spec_leaves_replicas_to_the_hpa():
    assert "replicas" not in render(spec(autoscaling={})).deployment
    assert render(spec(replicas=3)).deployment["replicas"] == 3


# -- HorizontalPodAutoscaler ---------------------------------------------------------------


def test_autoscaling_creates_an_hpa_that_targets_the_deployment(mocks):
    web_service(
        mocks,
        autoscaling={
            "min_replicas": 3,
            "max_replicas": 7,
            "target_cpu_utilization": 60,
            "target_memory_utilization": 75,
        },
    )
    hpa = inputs(mocks, HPA)
    deployment = inputs(mocks, DEPLOYMENT)

    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": deployment["apiVersion"],
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 7)
    targets = {
        m["resource"]["name"]: m["resource"]["target"]
        for m in hpa["spec"]["metrics"]
        if m["type"] == "Resource"
    }
    assert targets == {
        "cpu": {"type": "Utilization", "averageUtilization": 60},
        "memory": {"type": "Utilization", "averageUtilization": 75},
    }


def test_hpa_behavior_scales_up_at_once_and_down_after_a_window(mocks):
    web_service(mocks, autoscaling={})

    behavior = inputs(mocks, HPA)["spec"]["behavior"]

    assert behavior["scaleUp"]["stabilizationWindowSeconds"] == 0
    assert behavior["scaleUp"]["policies"]
    assert behavior["scaleDown"]["stabilizationWindowSeconds"] >= 300
    assert behavior["scaleDown"]["policies"]


def test_autoscaling_defaults_to_a_cpu_target(mocks):
    web_service(mocks, autoscaling={})

    spec = inputs(mocks, HPA)["spec"]

    assert (spec["minReplicas"], spec["maxReplicas"]) == (2, 10)
    assert [m["resource"]["name"] for m in spec["metrics"]] == ["cpu"]


def test_a_memory_target_alone_does_not_add_a_cpu_target(mocks):
    web_service(mocks, autoscaling={"target_memory_utilization": 80})

    assert [m["resource"]["name"] for m in inputs(mocks, HPA)["spec"]["metrics"]] == ["memory"]


def test_hpa_metrics_follow_the_targets():
    hpa = render(spec(autoscaling={"target_memory_utilization": 80})).hpa()

    assert [
        (x["resource"]["name"], x["resource"]["target"]["averageUtilization"])
        for x in hpa["metrics"]
    ] == [("memory", 80)]


# -- PodDisruptionBudget -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "has_pdb"),
    [
        pytest.param({}, True, id="default-2-replicas"),
        pytest.param({"replicas": 3}, True, id="3-replicas"),
        pytest.param({"replicas": 1}, False, id="1-replica"),
        pytest.param({"replicas": 0}, False, id="0-replicas"),
        pytest.param({"autoscaling": {"min_replicas": 1, "max_replicas": 2}}, True, id="hpa-max-2"),
        pytest.param(
            {"autoscaling": {"min_replicas": 1, "max_replicas": 1}}, False, id="hpa-max-1"
        ),
    ],
)
def test_pdb_exists_only_when_two_or_more_replicas_can_run(mocks, fields, has_pdb):
    ws = web_service(mocks, **fields)

    assert len(mocks.of_type(PDB)) == int(has_pdb)
    assert (ws.pod_disruption_budget is not None) == has_pdb


def test_pdb_allows_one_voluntary_disruption_of_this_service(mocks):
    web_service(mocks)

    spec = inputs(mocks, PDB)["spec"]

    assert spec["maxUnavailable"] == 1
    assert (
        spec["selector"]["matchLabels"]
        == inputs(mocks, DEPLOYMENT)["spec"]["selector"]["matchLabels"]
    )


# -- rolling update ------------------------------------------------------------------------


def test_rolling_update_never_drops_below_capacity(mocks):
    web_service(mocks)

    strategy = inputs(mocks, DEPLOYMENT)["spec"]["strategy"]

    assert strategy["type"] == "RollingUpdate"
    assert strategy["rollingUpdate"]["maxUnavailable"] == 0
    # With maxUnavailable 0 a surge is the only way to make progress.
    assert strategy["rollingUpdate"]["maxSurge"] not in (0, "0", "0%")
