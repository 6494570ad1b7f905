"""The typed arguments of the WebService component.

Every field is a ``pulumi.Input`` with no unions, so the component can later be
served to other Pulumi languages. Fields that decide which resources exist
(``create_namespace``, the presence of ``autoscaling``/``ingress``/``metrics``,
the keys of ``config`` and ``secrets``, ``network_policy.enabled``) must be known
when the program runs; all other values may be Outputs and are validated when
they resolve.
"""

from collections.abc import Mapping, Sequence
from typing import TypedDict

import pulumi
from typing_extensions import NotRequired

# Issue 15: their Args types live beside the code that reads them.
from .monitoring import AlertsArgs
from .persistence import PersistenceArgs


class ResourcesArgs(TypedDict):
    """Container resource requests and limits (Kubernetes quantities)."""

    cpu_request: NotRequired[pulumi.Input[str]]
    """CPU request, e.g. "250m". Default "100m"."""
    cpu_limit: NotRequired[pulumi.Input[str]]
    """CPU limit, e.g. "1". Default "1". Ignored when ``cpu_limit_enabled`` is false."""
    cpu_limit_enabled: NotRequired[pulumi.Input[bool]]
    """Set false to run without a CPU limit (no throttling). Default true."""
    memory_request: NotRequired[pulumi.Input[str]]
    """Memory request, e.g. "256Mi". Default "256Mi"."""
    memory_limit: NotRequired[pulumi.Input[str]]
    """Memory limit. Default "256Mi" (equal to the request, so no overcommit)."""
    ephemeral_storage_request: NotRequired[pulumi.Input[str]]
    """Ephemeral-storage request. Default "64Mi"."""
    ephemeral_storage_limit: NotRequired[pulumi.Input[str]]
    """Ephemeral-storage limit. Default "1Gi"."""


class AutoscalingArgs(TypedDict):
    """HorizontalPodAutoscaler (autoscaling/v2) settings. When set, ``replicas`` must not be."""

    min_replicas: NotRequired[pulumi.Input[int]]
    """Lowest replica count, at least 1. Default 2."""
    max_replicas: NotRequired[pulumi.Input[int]]
    """Highest replica count, at least ``min_replicas``. Default 10."""
    target_cpu_utilization: NotRequired[pulumi.Input[int]]
    """Average CPU utilisation to aim for, in percent of the request (1-100).
    Default 70 when no target is given."""
    target_memory_utilization: NotRequired[pulumi.Input[int]]
    """Average memory utilisation to aim for, in percent of the request (1-100). Default unset."""


class ProbesArgs(TypedDict):
    """Health probes. Readiness is an HTTP GET; liveness is a TCP check unless a path is given."""

    readiness_path: NotRequired[pulumi.Input[str]]
    """HTTP path that answers 2xx when the pod can take traffic. Default "/"."""
    liveness_path: NotRequired[pulumi.Input[str]]
    """HTTP path for the liveness probe. Default unset: liveness is a TCP check on the
    port, so a slow dependency never restarts the pod."""
    period_seconds: NotRequired[pulumi.Input[int]]
    """How often readiness and liveness run. Default 10."""
    timeout_seconds: NotRequired[pulumi.Input[int]]
    """Probe timeout. Default 2."""
    failure_threshold: NotRequired[pulumi.Input[int]]
    """Failures before readiness fails. Default 3 (liveness uses twice this)."""
    startup_period_seconds: NotRequired[pulumi.Input[int]]
    """Startup probe period. Default 5."""
    startup_failure_threshold: NotRequired[pulumi.Input[int]]
    """Startup probe failures allowed (period x threshold = start-up budget). Default 30."""


class IngressArgs(TypedDict):
    """An optional networking.k8s.io/v1 Ingress in front of the Service."""

    host: pulumi.Input[str]
    """Host name, e.g. "api.example.com"."""
    path: NotRequired[pulumi.Input[str]]
    """Path prefix. Default "/"."""
    tls_secret_name: NotRequired[pulumi.Input[str]]
    """Name of a kubernetes.io/tls Secret for the host. Default unset (no TLS)."""
    ingress_class_name: NotRequired[pulumi.Input[str]]
    """IngressClass to use, e.g. "nginx". Default unset (the cluster default)."""
    annotations: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Extra annotations for the Ingress, e.g. cert-manager issuers."""


class MetricsArgs(TypedDict):
    """Prometheus scraping of the pods."""

    port: NotRequired[pulumi.Input[int]]
    """Port that serves metrics. Default: the container port."""
    path: NotRequired[pulumi.Input[str]]
    """Metrics path. Default "/metrics"."""
    # -- Prometheus Operator (issue 15; monitoring.py) --
    service_monitor: NotRequired[pulumi.Input[bool]]
    """Create a monitoring.coreos.com/v1 ServiceMonitor (a PodMonitor when ``port`` is not
    the Service's port). Needs the Prometheus Operator CRDs in the cluster."""
    scrape_interval: NotRequired[pulumi.Input[str]]
    """How often Prometheus scrapes, a Prometheus duration such as "30s"."""
    labels: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Labels for the ServiceMonitor and PrometheusRule, so your Prometheus selects them
    (e.g. ``release: kube-prometheus-stack``)."""
    alerts: NotRequired[pulumi.Input[AlertsArgs]]
    """Create a PrometheusRule with availability (and optional error-rate) alerts."""


class VolumeArgs(TypedDict):
    """A volume mounted into the container. Set exactly one source."""

    name: pulumi.Input[str]
    """Volume name (DNS-1123 label)."""
    mount_path: pulumi.Input[str]
    """Absolute path in the container."""
    empty_dir_size_limit: NotRequired[pulumi.Input[str]]
    """Source: an emptyDir of this size, e.g. "256Mi"."""
    config_map_name: NotRequired[pulumi.Input[str]]
    """Source: an existing ConfigMap."""
    secret_name: NotRequired[pulumi.Input[str]]
    """Source: an existing Secret."""
    persistent_volume_claim_name: NotRequired[pulumi.Input[str]]
    """Source: an existing PersistentVolumeClaim."""
    read_only: NotRequired[pulumi.Input[bool]]
    """Mount read-only. Default true for ConfigMaps and Secrets, false otherwise."""


class NetworkPolicyArgs(TypedDict):
    """Ingress isolation. By default only pods in the same namespace may connect."""

    enabled: NotRequired[pulumi.Input[bool]]
    """Create the NetworkPolicy. Default true."""
    allow_from_namespaces: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Other namespaces (by name) whose pods may connect."""
    allow_from_pod_labels: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Only pods with these labels (in the allowed namespaces) may connect. Default: any pod."""
    allow_cidrs: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """IP ranges outside the cluster that may connect, e.g. a load balancer's subnet."""


class BlueGreenArgs(TypedDict):
    """Settings of the ``blue_green`` release strategy."""

    active_color: NotRequired[pulumi.Input[str]]
    """Pin the live colour ("blue" or "green"). Unset: every pod-template change is
    deployed to the idle colour and the Service switches to it once it is Available.
    Set: changes are staged on the idle colour (kept running) and the Service stays on
    this colour; change it to switch, or to roll back, without redeploying."""
    keep_idle_warm: NotRequired[pulumi.Input[bool]]
    """Keep the idle colour at full size after a switch (instant rollback) instead of
    scaling it to zero. Default false."""
    scale_down_delay_seconds: NotRequired[pulumi.Input[int]]
    """Grace period between the Service switch and scaling the old colour down, so
    in-flight requests finish. Default 30."""


class CanaryArgs(TypedDict):
    """Settings of the ``canary`` release strategy."""

    weight: NotRequired[pulumi.Input[int]]
    """Share of the replicas (1-99 percent) that run a new pod template while it is a
    canary. Default 20."""
    promote: NotRequired[pulumi.Input[bool]]
    """Promote the canary in flight to 100%. Default false."""
    abort: NotRequired[pulumi.Input[bool]]
    """Abort the canary in flight: back to the stable version only. Default false."""


class WebServiceArgs(TypedDict):
    """Arguments of :class:`components.WebService`."""

    image: pulumi.Input[str]
    """Container image pinned by tag or digest, e.g. "ghcr.io/acme/api:1.4.2".
    ``latest`` and untagged images are rejected unless ``allow_unpinned_image``."""
    allow_unpinned_image: NotRequired[pulumi.Input[bool]]
    """Accept ``latest`` or untagged images. Default false."""
    image_pull_policy: NotRequired[pulumi.Input[str]]
    """Always, IfNotPresent or Never. Default "Always"."""
    command: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Override the image's entrypoint."""
    container_args: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Arguments passed to the entrypoint."""
    port: NotRequired[pulumi.Input[int]]
    """Port the container listens on (1-65535). Default 8080."""
    service_port: NotRequired[pulumi.Input[int]]
    """Port the Service exposes (1-65535). Default 80."""
    replicas: NotRequired[pulumi.Input[int]]
    """Fixed replica count (0 or more). Default 2. Not allowed together with ``autoscaling``."""
    namespace: NotRequired[pulumi.Input[str]]
    """Namespace to deploy into (DNS-1123 label). Default: the component name."""
    create_namespace: NotRequired[pulumi.Input[bool]]
    """Create the namespace. Default true when ``namespace`` is omitted, false otherwise."""
    config: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Non-secret settings. They become a ConfigMap, exposed as environment variables
    (see ``config_as_env``) and/or files (see ``config_mount_path``)."""
    config_as_env: NotRequired[pulumi.Input[bool]]
    """Expose every ``config`` key as an environment variable. Default true."""
    config_mount_path: NotRequired[pulumi.Input[str]]
    """Also mount the ConfigMap as files under this absolute path. Default unset."""
    secrets: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Secret settings. They become a Secret, exposed to the container through
    ``secretKeyRef`` environment variables, never as a plain ``value``."""
    env: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Plain environment variables. Use ``secrets`` for anything sensitive."""
    resources: NotRequired[pulumi.Input[ResourcesArgs]]
    """Requests and limits; defaults are set for CPU, memory and ephemeral storage."""
    autoscaling: NotRequired[pulumi.Input[AutoscalingArgs]]
    """Create a HorizontalPodAutoscaler. Default unset (fixed ``replicas``)."""
    probes: NotRequired[pulumi.Input[ProbesArgs]]
    """Readiness, liveness and startup probe settings."""
    service_type: NotRequired[pulumi.Input[str]]
    """ClusterIP, NodePort or LoadBalancer. Default "ClusterIP"."""
    load_balancer_source_ranges: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """CIDRs allowed to reach a LoadBalancer Service."""
    ingress: NotRequired[pulumi.Input[IngressArgs]]
    """Create an Ingress. Default unset."""
    metrics: NotRequired[pulumi.Input[MetricsArgs]]
    """Add Prometheus scrape annotations to the pods. Default unset."""
    volumes: NotRequired[pulumi.Input[Sequence[pulumi.Input[VolumeArgs]]]]
    """Extra volumes. A writable emptyDir is always mounted at /tmp."""
    service_account_annotations: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Annotations for the ServiceAccount, e.g. for IRSA or GKE Workload Identity."""
    network_policy: NotRequired[pulumi.Input[NetworkPolicyArgs]]
    """NetworkPolicy settings. Enabled by default."""
    labels: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Extra labels for every object and the pods."""
    annotations: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Extra annotations for every object and the pods."""
    version: NotRequired[pulumi.Input[str]]
    """Value of the ``app.kubernetes.io/version`` label. Default: the image tag."""
    component: NotRequired[pulumi.Input[str]]
    """Value of the ``app.kubernetes.io/component`` label. Default "web"."""
    run_as_user: NotRequired[pulumi.Input[int]]
    """UID the container runs as (must not be 0). Default 10001."""
    run_as_group: NotRequired[pulumi.Input[int]]
    """GID the container runs as. Default 10001."""
    termination_grace_period_seconds: NotRequired[pulumi.Input[int]]
    """Time a pod gets to shut down. Default 30."""
    strategy: NotRequired[pulumi.Input[str]]
    """Release strategy: "rolling" (default), "blue_green" or "canary". Blue/green and
    canary keep their release state in the stack output ``<name>-release``."""
    blue_green: NotRequired[pulumi.Input[BlueGreenArgs]]
    """Settings of the blue_green strategy."""
    canary: NotRequired[pulumi.Input[CanaryArgs]]
    """Settings of the canary strategy."""
    pre_stop_delay_seconds: NotRequired[pulumi.Input[int]]
    """Seconds the pod keeps serving after it is taken out of the endpoints, so
    load balancers stop sending traffic first. Must be below the grace period. Default 5."""
    # -- issue 15 (persistence.py) --
    persistence: NotRequired[pulumi.Input[PersistenceArgs]]
    """Create a PersistentVolumeClaim ``<name>-data`` and mount it. A ReadWriteOnce claim
    allows one pod: replicas must be 1, with no autoscaling. The claim is kept when the
    service is removed unless ``persistence.retain_on_delete`` is false."""
