"""Every WebService default, written once (see :mod:`moorage._defaults`).

Keys are dotted field paths relative to :class:`WebServiceArgs` (list items included:
``"ports.protocol"`` is the default of every ``ports[i].protocol``). The facets read
their defaults from here (monitoring and persistence keep tables of their own); the
package's ``DEFAULTS`` joins them all for the reference docs.
"""

from __future__ import annotations

from typing import Any

from .._defaults import Computed

_RESOURCES = {
    "cpu_request": "100m",
    "cpu_limit": "1",
    "cpu_limit_enabled": True,
    "memory_request": "256Mi",
    "memory_limit": "256Mi",
    "ephemeral_storage_request": "64Mi",
    "ephemeral_storage_limit": "1Gi",
}

_PROBE_TIMING = {
    "initial_delay_seconds": 0,
    "period_seconds": 10,
    "timeout_seconds": 2,
    "failure_threshold": 3,
    "success_threshold": 1,
}

DEFAULTS: dict[str, Any] = {
    "allow_unpinned_image": False,
    "image_pull_policy": "Always",
    "container_name": Computed("the component name"),
    "worker": False,
    "port": 8080,
    "port_name": Computed('"http", or "grpc" when app_protocol is grpc'),
    "app_protocol": "http",
    "service_port": 80,
    "ports.service_port": Computed("the port"),
    "ports.protocol": "TCP",
    "ports.expose": True,
    "replicas": 2,
    "namespace": Computed("the component name"),
    "create_namespace": Computed("true when namespace is omitted, else false"),
    "config_as_env": True,
    "secrets_as_files": False,
    "secrets_mount_path": "/etc/secrets",
    "env_from.optional": False,
    **{f"resources.{k}": v for k, v in _RESOURCES.items()},
    "autoscaling.min_replicas": 2,
    "autoscaling.max_replicas": 10,
    "autoscaling.target_cpu_utilization": Computed("70 when no target is given"),
    "probes.readiness.kind": Computed(
        "follows app_protocol: http for http/https/http2, grpc for grpc, tcp for tcp; "
        "none for a worker"
    ),
    "probes.readiness.path": "/",
    "probes.liveness.kind": Computed(
        "tcp on the main port (http when liveness.path or liveness_path is set); none for a worker"
    ),
    "probes.startup.kind": Computed("the liveness check"),
    **{f"probes.readiness.{k}": v for k, v in _PROBE_TIMING.items()},
    **{f"probes.liveness.{k}": v for k, v in _PROBE_TIMING.items()},
    "probes.liveness.failure_threshold": Computed("twice the readiness failure threshold"),
    **{f"probes.startup.{k}": v for k, v in _PROBE_TIMING.items()},
    "probes.startup.period_seconds": 5,
    "probes.startup.failure_threshold": 30,
    "probes.readiness.port": Computed("the main port (port_name)"),
    "probes.liveness.port": Computed("the main port (port_name)"),
    "probes.startup.port": Computed("the main port (port_name)"),
    "probes.readiness_path": "/",
    "probes.period_seconds": 10,
    "probes.timeout_seconds": 2,
    "probes.failure_threshold": 3,
    "probes.startup_period_seconds": 5,
    "probes.startup_failure_threshold": 30,
    "init_containers.image_pull_policy": Computed("the main image_pull_policy"),
    "sidecars.image_pull_policy": Computed("the main image_pull_policy"),
    **{f"init_containers.resources.{k}": v for k, v in _RESOURCES.items()},
    **{f"sidecars.resources.{k}": v for k, v in _RESOURCES.items()},
    "init_containers.privileged": False,
    "sidecars.privileged": False,
    "init_containers.run_as_user": Computed("run_as_user"),
    "sidecars.run_as_user": Computed("run_as_user"),
    "init_containers.read_only_root_filesystem": True,
    "sidecars.read_only_root_filesystem": True,
    "init_containers.allow_privilege_escalation": False,
    "sidecars.allow_privilege_escalation": False,
    "init_containers.volume_mounts.read_only": False,
    "sidecars.volume_mounts.read_only": False,
    "service_type": "ClusterIP",
    "extra_services.type": "ClusterIP",
    "extra_services.ports": Computed("every exposed port"),
    "ingress.path": "/",
    "ingress.port": Computed("the main port (port_name)"),
    "volumes.read_only": Computed("true for ConfigMaps and Secrets, false otherwise"),
    "tolerations.operator": "Equal",
    "affinity.pod_anti_affinity": "none",
    "affinity.pod_anti_affinity_topology_key": "kubernetes.io/hostname",
    "affinity.node_preferred.weight": 1,
    "network_policy.enabled": True,
    "network_policy.egress.enabled": True,
    "version": Computed("the image tag"),
    "component": "web",
    "run_as_user": 10001,
    "run_as_group": 10001,
    "termination_grace_period_seconds": Computed(
        "30, or pre_stop_delay_seconds + 25 when that is longer"
    ),
    "pre_stop_delay_seconds": Computed("5, or half of a shorter termination_grace_period_seconds"),
    "strategy": "rolling",
    "blue_green.keep_idle_warm": False,
    "blue_green.scale_down_delay_seconds": 30,
    "canary.weight": 20,
    "canary.promote": False,
    "canary.abort": False,
}

DEFAULT_GRACE_SECONDS = 30
"""The grace period when neither it nor a long preStop delay is set."""
DEFAULT_PRE_STOP_DELAY_SECONDS = 5
"""The preStop delay when the grace period leaves room for it."""
APP_SHUTDOWN_SECONDS = DEFAULT_GRACE_SECONDS - DEFAULT_PRE_STOP_DELAY_SECONDS
"""Time the app gets to shut down after the preStop delay by default (25 s)."""
