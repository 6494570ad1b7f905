"""The wait for simulated nodes adapts to the machine and says what was slow (issue 23, 11).

A fake clock stands in for time: nothing here sleeps or measures real time.
"""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

import pytest
from moorage import LocalClusterError
from moorage.clusters import _node_readiness as node_readiness


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _node(name: str, status: str | None, reason: str = "", message: str = "") -> Any:
    conditions = (
        []
        if status is None
        else [SimpleNamespace(type="Ready", status=status, reason=reason, message=message)]
    )
    return SimpleNamespace(
        metadata=SimpleNamespace(name=name), status=SimpleNamespace(conditions=conditions)
    )


class FakeCore:
    """Node i turns Ready at ``ready_at[i]`` seconds on the fake clock (None: never)."""

    def __init__(self, clock: FakeClock, ready_at: list[float | None]) -> None:
        self.clock, self.ready_at = clock, ready_at

    def list_node(self, label_selector: str) -> Any:
        assert label_selector == "type=kwok"
        items = []
        for i, at in enumerate(self.ready_at):
            ready = at is not None and self.clock.now >= at
            items.append(
                _node(f"dev-node-{i}", "True" if ready else "False", "KubeletNotReady", "starting")
            )
        return SimpleNamespace(items=items)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(node_readiness, "time", fake)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.0, 1.0, 1.0))
    return fake


def _wanted(count: int) -> set[str]:
    return {f"dev-node-{i}" for i in range(count)}


def test_slow_nodes_that_keep_coming_are_waited_for(clock: FakeClock) -> None:
    # Three nodes, 150 s apart: 300 s in all, past the old fixed 180 s deadline.
    core = FakeCore(clock, [0.0, 150.0, 300.0])

    node_readiness.wait_until_ready(core, "dev", _wanted(3))

    assert clock.now >= 300


def test_a_loaded_machine_gets_more_patience(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Load 6 on 2 CPUs: three times the idle patience, so a 400 s stall is waited out.
    monkeypatch.setattr(os, "getloadavg", lambda: (6.0, 6.0, 6.0))
    core = FakeCore(clock, [400.0])

    node_readiness.wait_until_ready(core, "dev", _wanted(1))

    assert clock.now >= 400


def test_a_stalled_wait_names_the_nodes_and_their_condition(clock: FakeClock) -> None:
    core = FakeCore(clock, [0.0, None])

    with pytest.raises(LocalClusterError) as caught:
        node_readiness.wait_until_ready(core, "dev", _wanted(2))

    message = str(caught.value)
    assert "simulated nodes of dev not Ready after 18" in message
    assert "1 of 2 Ready" in message
    assert "dev-node-1: Ready=False (KubeletNotReady, starting)" in message
    assert "dev-node-0:" not in message
    assert "load of 1.0 on 2 CPUs" in message


def test_a_node_that_never_registers_is_named(clock: FakeClock) -> None:
    core = FakeCore(clock, [])

    with pytest.raises(LocalClusterError, match="dev-node-0: not registered"):
        node_readiness.wait_until_ready(core, "dev", _wanted(1))


# -- an API server that does not answer yet ------------------------------------------------


class SilentThenCore(FakeCore):
    """Refuses connections until ``answers_at`` seconds on the fake clock, like an API
    server still starting after ``kwokctl create`` returned."""

    def __init__(self, clock: FakeClock, ready_at: list[float | None], answers_at: float) -> None:
        super().__init__(clock, ready_at)
        self.answers_at = answers_at

    def list_node(self, label_selector: str) -> Any:
        from urllib3.exceptions import MaxRetryError, NewConnectionError

        if self.clock.now < self.answers_at:
            refused = NewConnectionError(None, "Failed to establish a new connection: refused")  # type: ignore[arg-type]
            raise MaxRetryError(None, "/api/v1/nodes", refused)  # type: ignore[arg-type]
        return super().list_node(label_selector)


def test_an_api_server_still_starting_is_waited_for(clock: FakeClock) -> None:
    core = SilentThenCore(clock, [0.0, 0.0], answers_at=90.0)

    nodes = node_readiness.wait_for_api_server(core, "dev")

    assert clock.now >= 90
    assert sorted(nodes) == ["dev-node-0", "dev-node-1"]


def test_an_api_server_that_never_answers_is_named_with_its_last_error(
    clock: FakeClock,
) -> None:
    core = SilentThenCore(clock, [0.0], answers_at=float("inf"))

    with pytest.raises(LocalClusterError) as caught:
        node_readiness.wait_for_api_server(core, "dev")

    message = str(caught.value)
    assert "the API server of dev did not answer for 18" in message
    assert "MaxRetryError" in message and "refused" in message
    assert "load of 1.0 on 2 CPUs" in message


def test_a_client_error_is_not_mistaken_for_a_slow_server(clock: FakeClock) -> None:
    from kubernetes.client.exceptions import ApiException

    class Forbidden(FakeCore):
        def list_node(self, label_selector: str) -> Any:
            raise ApiException(status=403, reason="Forbidden")

    with pytest.raises(ApiException):
        node_readiness.wait_for_api_server(Forbidden(clock, []), "dev")
    assert clock.now == 0


def test_nodes_keep_being_waited_for_while_the_api_server_restarts(clock: FakeClock) -> None:
    # The server answers, goes silent from 10 s to 60 s, and the node is Ready at 100 s.
    class Restarting(FakeCore):
        def list_node(self, label_selector: str) -> Any:
            if 10 <= self.clock.now < 60:
                raise ConnectionResetError("reset by peer")
            return super().list_node(label_selector)

    node_readiness.wait_until_ready(Restarting(clock, [100.0]), "dev", _wanted(1))

    assert clock.now >= 100
