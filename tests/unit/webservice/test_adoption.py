"""Adopting a running workload: its immutable selector kept everywhere, fields forced.

The transform on the component calls these pure functions; the engine test
(tests/engine/test_adoption.py) adopts a kubectl-applied Deployment and Service on kwok.
"""

from __future__ import annotations

from typing import Any

import pytest
from moorage._errors import ValidationError
from moorage.webservice import render
from moorage.webservice._adoption import FORCE_ANNOTATION, forced, with_selector
from moorage.webservice._identity import selector_labels

from tests.unit.webservice.helpers import spec

WANTED = {"app": "api"}
DEFAULT = selector_labels("api")


def rendered(**fields: Any) -> dict[str, dict[str, Any]]:
    s = spec(replicas=3, selector_labels=WANTED, **fields)
    m = render(s)
    bodies = {
        "Deployment": {"metadata": m.workload_metadata("api", "api"), "spec": m.deployment},
        "Service": {"metadata": m.metadata("api", "api"), "spec": m.service()},
        "PodDisruptionBudget": {"metadata": m.metadata("api", "api"), "spec": m.pdb},
        "NetworkPolicy": {"metadata": m.metadata("api", "api"), "spec": m.network_policy},
    }
    return {kind: with_selector(kind, body, DEFAULT, WANTED) for kind, body in bodies.items()}


def test_the_existing_selector_replaces_moorages_in_every_selector():
    bodies = rendered(affinity={"pod_anti_affinity": "preferred"})
    deployment = bodies["Deployment"]["spec"]
    assert deployment["selector"]["matchLabels"] == WANTED
    assert bodies["Service"]["spec"]["selector"] == WANTED
    assert bodies["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"] == WANTED
    assert bodies["NetworkPolicy"]["spec"]["podSelector"]["matchLabels"] == WANTED
    pod = deployment["template"]["spec"]
    for term in pod["affinity"]["podAntiAffinity"][
        "preferredDuringSchedulingIgnoredDuringExecution"
    ]:
        assert term["podAffinityTerm"]["labelSelector"]["matchLabels"] == WANTED


def test_the_pods_carry_both_the_old_and_the_standard_labels():
    labels = rendered()["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert labels["app"] == "api"
    assert DEFAULT.items() <= labels.items()
    # Object labels are not selectors: the Deployment's own labels are untouched.
    assert "app" not in rendered()["Deployment"]["metadata"]["labels"]


def test_adopt_forces_server_side_apply_to_take_over_fields():
    body = forced({"metadata": {"name": "api", "annotations": {"a": "b"}}})
    assert body["metadata"]["annotations"] == {"a": "b", FORCE_ANNOTATION: "true"}


@pytest.mark.parametrize(
    ("value", "rule"),
    [({}, "must not be empty"), ({"app": "no spaces"}, "selector_labels.app")],
)
def test_bad_selector_labels_are_refused(value, rule):
    with pytest.raises(ValidationError, match=rule):
        spec(selector_labels=value)
