"""What a canary run did, read into the release ledger: promoted, failed (not retried
blindly), or killed half-way (run again)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moorage._errors import ValidationError
from moorage.webservice.release import _ledger as ledger
from moorage.webservice.release._plan import (
    ReleaseState,
    next_canary_state,
    revision,
    with_run_outcome,
)

V1 = {"spec": {"containers": [{"name": "app", "image": "app:1"}]}}
V2 = {"spec": {"containers": [{"name": "app", "image": "app:2"}]}}
V3 = {"spec": {"containers": [{"name": "app", "image": "app:3"}]}}
IN_FLIGHT = ReleaseState("canary", {"stable": V1, "canary": V2}, canary_in_flight=True)
FAILURE = {"revision": revision(V2), "reason": "step 2: success rate % is 50 (below 95)"}


def test_a_promoted_run_makes_the_canary_stable() -> None:
    state = with_run_outcome(IN_FLIGHT, revision(V2), None)
    assert state.templates == {"stable": V2, "canary": V2}
    assert not state.canary_in_flight


def test_a_failed_run_is_recorded_and_the_canary_is_no_longer_in_flight() -> None:
    state = with_run_outcome(IN_FLIGHT, None, FAILURE)
    assert state.templates == {"stable": V1, "canary": V2}
    assert not state.canary_in_flight
    assert state.failed_revision == revision(V2)
    assert ReleaseState.from_output(state.to_output()) == state  # kept by the ledger


def test_a_killed_run_or_an_old_outcome_changes_nothing() -> None:
    assert with_run_outcome(IN_FLIGHT, None, None) == IN_FLIGHT
    old = {"revision": revision(V1), "reason": "long ago"}
    assert with_run_outcome(IN_FLIGHT, revision(V1), old) == IN_FLIGHT


def test_the_failed_revision_is_refused_with_the_reason_and_how_to_retry() -> None:
    failed = with_run_outcome(IN_FLIGHT, None, FAILURE)
    with pytest.raises(ValidationError) as error:
        next_canary_state('WebService "api"', failed, V2, promote=False, abort=False)
    assert error.value.field == "canary.retry"
    assert "already failed its analysis (step 2: success rate % is 50" in str(error.value)
    assert "set canary.retry to true" in str(error.value)


def test_retry_runs_the_failed_revision_again() -> None:
    failed = with_run_outcome(IN_FLIGHT, None, FAILURE)
    state = next_canary_state("api", failed, V2, promote=False, abort=False, retry=True)
    assert state.canary_in_flight and state.templates["canary"] == V2
    assert state.failed_revision == ""


def test_a_new_template_starts_and_the_failure_stays_on_record() -> None:
    failed = with_run_outcome(IN_FLIGHT, None, FAILURE)
    state = next_canary_state("api", failed, V3, promote=False, abort=False)
    assert state.canary_in_flight and state.templates == {"stable": V1, "canary": V3}
    assert state.failed_revision == revision(V2)  # going back to V2 later is refused too
    unchanged = next_canary_state("api", failed, V1, promote=False, abort=False)
    assert not unchanged.canary_in_flight


class View:
    def __init__(self, annotations: dict[str, dict[str, str]]) -> None:
        self.annotations = annotations

    def deployment_annotation(self, namespace: str, name: str, key: str) -> str | None:
        return self.annotations.get(name, {}).get(key)


def _release(template: Any, retry: bool = False) -> dict[str, Any]:
    release = ledger.ledger_input(
        "api",
        "canary",
        template,
        template_secret=False,
        active_color=None,
        promote=False,
        abort=False,
        retry=retry,
    )
    return release


CLUSTER = {
    "kubeconfig": "kc",
    "namespace": "shop",
    "service": "api",
    "deployments": {"stable": "api", "canary": "api-canary"},
}


def test_the_ledger_reads_the_outcome_from_the_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    failed_note = {"api-canary": {ledger.FAILED_ANNOTATION: json.dumps(FAILURE)}}
    monkeypatch.setattr(ledger, "kubernetes_view", lambda component, kc: View(failed_note))
    with pytest.raises(ValidationError, match="already failed its analysis"):
        ledger.observed_state(_release(V2), CLUSTER, IN_FLIGHT)
    retried = ledger.observed_state(_release(V2, retry=True), CLUSTER, IN_FLIGHT)
    assert retried.canary_in_flight

    promoted = {"api": {ledger.PROMOTED_ANNOTATION: revision(V2)}}
    monkeypatch.setattr(ledger, "kubernetes_view", lambda component, kc: View(promoted))
    state = ledger.observed_state(_release(V2), CLUSTER, IN_FLIGHT)
    assert state.templates == {"stable": V2, "canary": V2} and not state.canary_in_flight
