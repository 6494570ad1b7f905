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
