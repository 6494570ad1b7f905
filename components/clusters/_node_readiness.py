"""Waiting for a local cluster's API server and its simulated nodes, with patience that
fits the machine.

A fixed deadline fails on a busy machine (another cluster sharing the cores) and waits
too long on a broken one. Here the wait fails only when no further node has become
Ready for a while (``stall``), or after an overall ``cap``; both grow with the load per
CPU. An API server that does not answer yet (still starting, or restarting under load)
counts as no progress rather than an error. The error names what was slow: the API
server and its last error, or the nodes that were not Ready and their Ready condition,
and how long the wait took.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .._errors import LocalClusterError

STALL_S = 180.0
"""Seconds without a further Ready node before giving up, on an idle machine."""
CAP_S = 600.0
"""Seconds in all before giving up, on an idle machine."""


@dataclass(frozen=True)
class Patience:
    """How long to wait: ``stall`` seconds without progress, ``cap`` seconds in all."""

    stall: float
    cap: float
    load: float
    cpus: int

    def explain(self) -> str:
        return (
            f"the wait allows {self.stall:.0f}s without progress and {self.cap:.0f}s in all "
            f"at a load of {self.load:.1f} on {self.cpus} CPUs"
        )


def patience() -> Patience:
    """Patience scaled by the 1-minute load average per CPU (never below the idle one)."""
    cpus = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = 0.0
    factor = max(1.0, load / cpus)
    return Patience(stall=STALL_S * factor, cap=CAP_S * factor, load=load, cpus=cpus)


def is_ready(node: Any) -> bool:
    return any(c.type == "Ready" and c.status == "True" for c in _conditions(node))


def kwok_nodes(core: Any) -> tuple[dict[str, Any] | None, str]:
    """The simulated nodes by name; or None, and why, when the API server did not answer
    (connection refused or reset, or a 5xx while it starts). A 4xx is a real error."""
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    try:
        items = core.list_node(label_selector="type=kwok").items
    except ApiException as error:
        if error.status is not None and int(error.status) < 500:
            raise
        return None, f"HTTP {error.status} {error.reason or ''}".strip()
    except (HTTPError, OSError) as error:
        return None, f"{type(error).__name__}: {str(error)[:300]}"
    return {n.metadata.name: n for n in items}, ""


def wait_for_api_server(core: Any, cluster: str) -> dict[str, Any]:
    """The simulated nodes, once the API server answers; fail when it has not answered
    for the stall time (it may still be starting after ``kwokctl create`` returned)."""
    limits = patience()
    start = time.monotonic()
    while True:
        nodes, why = kwok_nodes(core)
        if nodes is not None:
            return nodes
        waited = time.monotonic() - start
        if waited > limits.stall:
            raise LocalClusterError(
                f"the API server of {cluster} did not answer for {waited:.0f}s "
                f"(last: {why}; {limits.explain()})"
            )
        time.sleep(1)


def wait_until_ready(core: Any, cluster: str, wanted: set[str]) -> None:
    """Return once every node in ``wanted`` is Ready; fail when progress stops."""
    limits = patience()
    start = last_progress = time.monotonic()
    most_ready = -1
    nodes: dict[str, Any] = {}
    while True:
        polled, unanswered = kwok_nodes(core)
        nodes = polled if polled is not None else nodes
        ready = {name for name in wanted if name in nodes and is_ready(nodes[name])}
        if ready == wanted:
            return
        now = time.monotonic()
        if len(ready) > most_ready:
            most_ready, last_progress = len(ready), now
        if now - last_progress > limits.stall or now - start > limits.cap:
            silent = f"; the API server did not answer the last poll: {unanswered}"
            raise LocalClusterError(
                f"simulated nodes of {cluster} not Ready after {now - start:.0f}s "
                f"({len(ready)} of {len(wanted)} Ready, none more for "
                f"{now - last_progress:.0f}s; {limits.explain()}"
                f"{silent if unanswered else ''}): "
                + "; ".join(_describe(name, nodes.get(name)) for name in sorted(wanted - ready))
            )
        time.sleep(1)


def _conditions(node: Any) -> Iterable[Any]:
    status = getattr(node, "status", None)
    return (getattr(status, "conditions", None) or []) if status is not None else []


def _describe(name: str, node: Any) -> str:
    """``name``: what its Ready condition says (or that it does not exist yet)."""
    if node is None:
        return f"{name}: not registered"
    for condition in _conditions(node):
        if condition.type == "Ready":
            why = ", ".join(str(part) for part in (condition.reason, condition.message) if part)
            return f"{name}: Ready={condition.status}" + (f" ({why})" if why else "")
    return f"{name}: no Ready condition reported yet"
