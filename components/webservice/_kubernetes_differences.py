"""Where a WebService default differs from what Kubernetes does with the field left out.

One table, printed by the generated reference (``make docs``) under "Defaults that differ
from Kubernetes", so nobody has to find out by reading a rendered Deployment. A unit test
checks that every path here is a real field with a default in ``DEFAULTS``.
"""

from __future__ import annotations

from typing import NamedTuple


class Difference(NamedTuple):
    """One default that differs: what Kubernetes does, what Moorage does, and why."""

    kubernetes: str
    moorage: str
    reason: str


KUBERNETES_DIFFERENCES: dict[str, Difference] = {
    "probes.readiness.kind": Difference(
        "no readiness probe",
        "a probe that follows app_protocol (http GET /, gRPC health check or TCP connect)",
        "without one, a pod takes traffic before it can answer",
    ),
    "probes.liveness.kind": Difference(
        "no liveness probe",
        "the readiness check, with twice its failure threshold",
        "a stuck process is restarted; the doubled threshold takes a busy pod out of "
        "rotation long before it is restarted",
    ),
    "probes.startup.kind": Difference(
        "no startup probe",
        "the liveness check, every 5 s, up to 30 failures (a 150 s start-up budget)",
        "a slow starter is not killed by liveness before it is up",
    ),
    "probes.timeout_seconds": Difference(
        "1",
        "2 on the probes Moorage adds; a probe you write takes Kubernetes' 1",
        "a 1 s timeout fails probes on a busy node (garbage collection, CPU throttling)",
    ),
    "resources.cpu_request": Difference(
        "none (BestEffort)", "100m", "the scheduler and the autoscaler need a request"
    ),
    "resources.cpu_limit": Difference(
        "none", "1 (cpu_limit_enabled: false removes it)", "one pod cannot starve its node"
    ),
    "resources.memory_request": Difference(
        "none", "256Mi", "Guaranteed QoS with the equal limit: the last pods to be evicted"
    ),
    "resources.memory_limit": Difference(
        "none", "256Mi", "a leak kills its own pod, not its neighbours"
    ),
    "resources.ephemeral_storage_request": Difference(
        "none", "64Mi", "the scheduler places pods where their scratch space fits"
    ),
    "resources.ephemeral_storage_limit": Difference(
        "none",
        "1Gi, which also bounds emptyDir volumes (ephemeral_storage_limit_enabled: false "
        "removes it)",
        "a runaway log or cache cannot fill the node's disk and evict its neighbours",
    ),
    "replicas": Difference("1", "2", "one pod down (a node drain, a crash) is not an outage"),
    "run_as_user": Difference(
        "the image's user", "10001", "never root; the restricted Pod Security standard"
    ),
    "image_pull_policy": Difference(
        "IfNotPresent for a tag (Always for :latest)",
        "Always",
        "a re-pushed tag is never served stale from a node's cache",
    ),
    "service_port": Difference("the port", "80", "clients call http://NAME without a port"),
    "network_policy.enabled": Difference(
        "every pod reaches every pod",
        "a NetworkPolicy: only the exposed ports, from the namespace and the ingress",
        "least privilege on the network",
    ),
    "service_account_name": Difference(
        "the namespace's default ServiceAccount, its token mounted",
        'a ServiceAccount of its own, its token not mounted (service_account_name: "default" '
        "uses the namespace's)",
        "a compromised pod cannot use another workload's identity or reach the API",
    ),
}
"""Field path -> the difference, for every default that is not Kubernetes' own."""
