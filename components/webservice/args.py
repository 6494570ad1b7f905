"""The typed arguments of the WebService component.

Every field is a ``pulumi.Input`` with no unions, so the component can later be
served to other Pulumi languages. Fields that decide which resources exist or how
the pod is shaped (``create_namespace``, ``worker``, the presence of
``autoscaling``/``ingress``/``metrics``, the keys of ``config`` and ``secrets``,
``network_policy.enabled``, ``app_protocol`` and ``port_name``, the lists ``ports``,
``extra_services``, ``init_containers``, ``sidecars``, ``volumes`` and their names,
protocols and probe kinds) must be known when the program runs; all other values may
be Outputs and are validated when they resolve. Defaults live in ``defaults.py``.
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
    """CPU request, e.g. "250m"."""
    cpu_limit: NotRequired[pulumi.Input[str]]
    """CPU limit, e.g. "1". Ignored when ``cpu_limit_enabled`` is false."""
    cpu_limit_enabled: NotRequired[pulumi.Input[bool]]
    """Set false to run without a CPU limit (no throttling)."""
    memory_request: NotRequired[pulumi.Input[str]]
    """Memory request, e.g. "256Mi"."""
    memory_limit: NotRequired[pulumi.Input[str]]
    """Memory limit (by default equal to the request, so no overcommit)."""
    ephemeral_storage_request: NotRequired[pulumi.Input[str]]
    """Ephemeral-storage request."""
    ephemeral_storage_limit: NotRequired[pulumi.Input[str]]
    """Ephemeral-storage limit."""


class AutoscalingArgs(TypedDict):
    """HorizontalPodAutoscaler (autoscaling/v2) settings. When set, ``replicas`` must not be."""

    min_replicas: NotRequired[pulumi.Input[int]]
    """Lowest replica count, at least 1."""
    max_replicas: NotRequired[pulumi.Input[int]]
    """Highest replica count, at least ``min_replicas``."""
    target_cpu_utilization: NotRequired[pulumi.Input[int]]
    """Average CPU utilisation to aim for, in percent of the request (1-100)."""
    target_memory_utilization: NotRequired[pulumi.Input[int]]
    """Average memory utilisation to aim for, in percent of the request (1-100)."""


class ProbeArgs(TypedDict):
    """One probe (readiness, liveness or startup) of the main container."""

    kind: NotRequired[pulumi.Input[str]]
    """"http" | "tcp" | "grpc" | "exec" | "none" ("none": no probe of this kind)."""
    path: NotRequired[pulumi.Input[str]]
    """HTTP path (kind http), e.g. "/ready"."""
    port: NotRequired[pulumi.Input[str]]
    """Name of the port to probe (the main port's ``port_name`` or one of ``ports``)."""
    http_headers: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Extra request headers (kind http), e.g. {"Host": "api.example.com"}."""
    grpc_service: NotRequired[pulumi.Input[str]]
    """Service name sent in the gRPC health check request (kind grpc); empty checks the
    whole server."""
    command: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Command run in the container (kind exec); exit status 0 is healthy."""
    initial_delay_seconds: NotRequired[pulumi.Input[int]]
    """Seconds after the container starts before the first probe."""
    period_seconds: NotRequired[pulumi.Input[int]]
    """Seconds between probes."""
    timeout_seconds: NotRequired[pulumi.Input[int]]
    """Seconds before one probe counts as failed."""
    failure_threshold: NotRequired[pulumi.Input[int]]
    """Consecutive failures before the probe fails."""
    success_threshold: NotRequired[pulumi.Input[int]]
    """Consecutive successes before it passes again (must be 1 for liveness and startup)."""


class ProbesArgs(TypedDict):
    """Health probes of the main container.

    ``readiness``, ``liveness`` and ``startup`` each take a :class:`ProbeArgs`. The older
    flat keys (``readiness_path``, ``period_seconds``, ...) still work and act as the
    defaults of those sections."""

    readiness: NotRequired[pulumi.Input[ProbeArgs]]
    """Is the pod ready for traffic? By default it follows ``app_protocol``: an HTTP GET
    for http/https/http2, a gRPC health check for grpc, a TCP connect for tcp."""
    liveness: NotRequired[pulumi.Input[ProbeArgs]]
    """Is the process stuck? By default a TCP connect to the main port, with twice the
    readiness failure threshold, so a slow dependency never restarts the pod."""
    startup: NotRequired[pulumi.Input[ProbeArgs]]
    """Has the process started? Holds back the other probes; period x failure threshold
    is the start-up budget. By default the same check as liveness."""
    readiness_path: NotRequired[pulumi.Input[str]]
    """HTTP path that answers 2xx when the pod can take traffic (same as
    ``readiness.path``)."""
    liveness_path: NotRequired[pulumi.Input[str]]
    """HTTP path for the liveness probe (makes liveness and startup HTTP GETs)."""
    period_seconds: NotRequired[pulumi.Input[int]]
    """How often readiness and liveness run."""
    timeout_seconds: NotRequired[pulumi.Input[int]]
    """Probe timeout of all three probes."""
    failure_threshold: NotRequired[pulumi.Input[int]]
    """Failures before readiness fails (liveness uses twice this)."""
    startup_period_seconds: NotRequired[pulumi.Input[int]]
    """Startup probe period."""
    startup_failure_threshold: NotRequired[pulumi.Input[int]]
    """Startup probe failures allowed (period x threshold = start-up budget)."""


class PortArgs(TypedDict):
    """An extra named port of the main container (or of a sidecar)."""

    name: pulumi.Input[str]
    """Port name (IANA service name: at most 15 lowercase letters, digits and '-', with at
    least one letter), e.g. "admin". Probes, extra Services and Ingress refer to it."""
    port: pulumi.Input[int]
    """Port the container listens on (1-65535)."""
    service_port: NotRequired[pulumi.Input[int]]
    """Port the Service exposes for it (1-65535)."""
    protocol: NotRequired[pulumi.Input[str]]
    """"TCP" | "UDP" | "SCTP"."""
    app_protocol: NotRequired[pulumi.Input[str]]
    """Application protocol on the Service port (``appProtocol``): "http" | "https" |
    "http2" | "grpc" | "tcp", or a prefixed name such as "example.com/custom"."""
    expose: NotRequired[pulumi.Input[bool]]
    """Put the port on the Service and open it in the NetworkPolicy. False keeps it
    inside the pod (e.g. a debug port)."""


class ExtraServiceArgs(TypedDict):
    """An additional Service for the same pods, e.g. a LoadBalancer beside the ClusterIP."""

    name: pulumi.Input[str]
    """Suffix of the Service name: the Service is called ``<component name>-<name>``."""
    type: NotRequired[pulumi.Input[str]]
    """ClusterIP, NodePort or LoadBalancer."""
    ports: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Names of the exposed ports to publish."""
    annotations: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Annotations of this Service only (e.g. load-balancer settings)."""
    load_balancer_source_ranges: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """CIDRs allowed to reach it (type LoadBalancer only)."""


class TolerationArgs(TypedDict):
    """A toleration: lets the pods run on nodes with a matching taint."""

    key: NotRequired[pulumi.Input[str]]
    """Taint key; empty with operator "Exists" tolerates every taint."""
    operator: NotRequired[pulumi.Input[str]]
    """"Equal" or "Exists"."""
    value: NotRequired[pulumi.Input[str]]
    """Taint value (operator "Equal" only)."""
    effect: NotRequired[pulumi.Input[str]]
    """"NoSchedule" | "PreferNoSchedule" | "NoExecute"; empty matches every effect."""
    toleration_seconds: NotRequired[pulumi.Input[int]]
    """How long the pods stay on a node after a NoExecute taint appears (effect
    NoExecute only)."""


class NodeRequirementArgs(TypedDict):
    """One node-label requirement of a node affinity."""

    key: pulumi.Input[str]
    """Node label key, e.g. "node.kubernetes.io/instance-type"."""
    operator: pulumi.Input[str]
    """"In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt"."""
    values: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Values (In/NotIn: one or more; Gt/Lt: one integer; Exists/DoesNotExist: none)."""
    weight: NotRequired[pulumi.Input[int]]
    """Weight 1-100 (``node_preferred`` only)."""


class AffinityArgs(TypedDict):
    """A typed subset of the pod affinity that covers the common cases."""

    node_required: NotRequired[pulumi.Input[Sequence[pulumi.Input[NodeRequirementArgs]]]]
    """Nodes must match all of these (requiredDuringSchedulingIgnoredDuringExecution)."""
    node_preferred: NotRequired[pulumi.Input[Sequence[pulumi.Input[NodeRequirementArgs]]]]
    """Nodes matching these are preferred, each by its weight."""
    pod_anti_affinity: NotRequired[pulumi.Input[str]]
    """Keep the replicas apart: "none", "preferred" or "required" (one per topology
    domain; with "required" a small cluster may leave replicas Pending). The default
    topology spread already prefers distinct zones and nodes."""
    pod_anti_affinity_topology_key: NotRequired[pulumi.Input[str]]
    """Node label that defines the domain of ``pod_anti_affinity``."""


class EnvFromArgs(TypedDict):
    """Every key of an existing ConfigMap or Secret as environment variables."""

    config_map_name: NotRequired[pulumi.Input[str]]
    """An existing ConfigMap (set this or ``secret_name``)."""
    secret_name: NotRequired[pulumi.Input[str]]
    """An existing Secret (set this or ``config_map_name``)."""
    prefix: NotRequired[pulumi.Input[str]]
    """Prefix added to every variable name, e.g. "DB_"."""
    optional: NotRequired[pulumi.Input[bool]]
    """Start the pod even when the ConfigMap or Secret does not exist."""


class VolumeMountArgs(TypedDict):
    """A volume of the pod mounted into an init container or sidecar."""

    name: pulumi.Input[str]
    """Volume name: "tmp", "config", "secrets" or one of ``volumes``."""
    mount_path: pulumi.Input[str]
    """Absolute path in the container."""
    read_only: NotRequired[pulumi.Input[bool]]
    """Mount read-only."""


class ContainerArgs(TypedDict):
    """An init container or a (native) sidecar.

    It gets the same hardened securityContext and default resources as the main
    container. The fields that weaken it (``privileged``, ``run_as_user`` 0,
    ``read_only_root_filesystem``, ``allow_privilege_escalation``, ``capabilities_add``)
    are there for the rare agent that needs them; the policy pack flags the result."""

    name: pulumi.Input[str]
    """Container name (DNS-1123 label), unique in the pod."""
    image: pulumi.Input[str]
    """Image pinned by tag or digest (``allow_unpinned_image`` applies here too)."""
    image_pull_policy: NotRequired[pulumi.Input[str]]
    """Always, IfNotPresent or Never."""
    command: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Override the image's entrypoint."""
    args: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Arguments passed to the entrypoint."""
    env: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Plain environment variables: string values, checked like the main container's
    (service references are only available in the main container's ``env``)."""
    env_from: NotRequired[pulumi.Input[Sequence[pulumi.Input[EnvFromArgs]]]]
    """Existing ConfigMaps and Secrets as environment variables."""
    env_from_secret_keys: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Keys of the component's ``secrets`` this container also gets (as secretKeyRef)."""
    resources: NotRequired[pulumi.Input[ResourcesArgs]]
    """Requests and limits, defaulted like the main container's."""
    ports: NotRequired[pulumi.Input[Sequence[pulumi.Input[PortArgs]]]]
    """Ports of a sidecar (not allowed on init containers); exposed like ``ports``."""
    volume_mounts: NotRequired[pulumi.Input[Sequence[pulumi.Input[VolumeMountArgs]]]]
    """Pod volumes to mount; /tmp (the shared emptyDir) is always mounted."""
    probes: NotRequired[pulumi.Input[ProbesArgs]]
    """Probes of a sidecar (not allowed on init containers), on its own ``ports``; none
    unless set."""
    privileged: NotRequired[pulumi.Input[bool]]
    """Run privileged (weakens the default; flagged by the policy pack)."""
    run_as_user: NotRequired[pulumi.Input[int]]
    """UID to run as; 0 runs as root (weakens the default; flagged by the policy pack)."""
    read_only_root_filesystem: NotRequired[pulumi.Input[bool]]
    """Read-only root filesystem (false weakens the default; flagged)."""
    allow_privilege_escalation: NotRequired[pulumi.Input[bool]]
    """Allow setuid binaries to gain privileges (true weakens the default; flagged)."""
    capabilities_add: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Linux capabilities to add after dropping ALL, e.g. ["NET_ADMIN"] (anything but
    NET_BIND_SERVICE is flagged)."""


class LifecycleArgs(TypedDict):
    """Lifecycle hooks of the main container."""

    pre_stop_command: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Command run before the container is stopped, instead of the built-in
    ``pre_stop_delay_seconds`` sleep (make it wait a few seconds too)."""
    post_start_command: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Command run right after the container starts."""


class IngressArgs(TypedDict):
    """An optional networking.k8s.io/v1 Ingress in front of the Service."""

    host: pulumi.Input[str]
    """Host name, e.g. "api.example.com"."""
    path: NotRequired[pulumi.Input[str]]
    """Path prefix."""
    tls_secret_name: NotRequired[pulumi.Input[str]]
    """Name of a kubernetes.io/tls Secret for the host; unset means no TLS."""
    ingress_class_name: NotRequired[pulumi.Input[str]]
    """IngressClass to use, e.g. "nginx"; unset means the cluster default."""
    annotations: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Extra annotations for the Ingress, e.g. cert-manager issuers."""
    port: NotRequired[pulumi.Input[str]]
    """Name of the Service port to route to."""


class MetricsArgs(TypedDict):
    """Prometheus scraping of the pods."""

    port: NotRequired[pulumi.Input[int]]
    """Port that serves metrics."""
    path: NotRequired[pulumi.Input[str]]
    """Metrics path."""
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
    empty_dir: NotRequired[pulumi.Input[bool]]
    """Source: an emptyDir (with ``empty_dir_size_limit`` to cap it, or unbounded up to
    the pod's ephemeral-storage limit)."""
    empty_dir_size_limit: NotRequired[pulumi.Input[str]]
    """Source: an emptyDir of this size, e.g. "256Mi"."""
    config_map_name: NotRequired[pulumi.Input[str]]
    """Source: an existing ConfigMap."""
    secret_name: NotRequired[pulumi.Input[str]]
    """Source: an existing Secret."""
    persistent_volume_claim_name: NotRequired[pulumi.Input[str]]
    """Source: an existing PersistentVolumeClaim."""
    read_only: NotRequired[pulumi.Input[bool]]
    """Mount read-only (by default true for ConfigMaps and Secrets, false otherwise)."""


class EgressArgs(TypedDict):
    """Opt-in egress control: deny every outgoing connection but DNS and the allow-lists.

    DNS (UDP and TCP 53) to the cluster DNS pods (``k8s-app: kube-dns`` in kube-system)
    is always allowed. Peers and ports combine: with only ``allow_ports``, those ports
    are open to any destination; with peers and ports, only those ports of those peers.
    """

    enabled: NotRequired[pulumi.Input[bool]]
    """Deny egress by default and allow only DNS and the lists below. Giving ``egress``
    is the opt-in; false turns the restriction off again while keeping the lists."""
    allow_to_namespaces: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Namespaces (by name) whose pods the service may connect to."""
    allow_to_pod_labels: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Only pods with these labels (in the service's namespace and in
    ``allow_to_namespaces``); unset means any pod of those namespaces."""
    allow_cidrs: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """IP ranges the service may connect to, e.g. a database subnet ("10.20.0.0/16")."""
    allow_ports: NotRequired[pulumi.Input[Sequence[pulumi.Input[int]]]]
    """TCP ports the service may connect to (on the peers above, or anywhere when no
    peer is listed), e.g. [443]; unset means every port of the listed peers."""


class NetworkPolicyArgs(TypedDict):
    """Ingress isolation. By default only pods in the same namespace may connect."""

    enabled: NotRequired[pulumi.Input[bool]]
    """Create the NetworkPolicy."""
    allow_from_namespaces: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Other namespaces (by name) whose pods may connect."""
    allow_from_pod_labels: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Only pods with these labels (in the allowed namespaces) may connect; unset
    means any pod."""
    allow_cidrs: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """IP ranges outside the cluster that may connect, e.g. a load balancer's subnet."""
    allow_metrics_from_namespaces: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Namespaces (by name) whose pods may reach the metrics port only, e.g.
    ["monitoring"] for Prometheus. Needs ``metrics``."""
    egress: NotRequired[pulumi.Input[EgressArgs]]
    """Egress control; unset means outgoing connections are not restricted."""


class BlueGreenArgs(TypedDict):
    """Settings of the ``blue_green`` release strategy."""

    active_color: NotRequired[pulumi.Input[str]]
    """Pin the live colour ("blue" or "green"). Unset: every pod-template change is
    deployed to the idle colour and the Service switches to it once it is Available.
    Set: changes are staged on the idle colour (kept running) and the Service stays on
    this colour; change it to switch, or to roll back, without redeploying."""
    keep_idle_warm: NotRequired[pulumi.Input[bool]]
    """Keep the idle colour at full size after a switch (instant rollback) instead of
    scaling it to zero."""
    scale_down_delay_seconds: NotRequired[pulumi.Input[int]]
    """Grace period between the Service switch and scaling the old colour down, so
    in-flight requests finish."""


class CanaryArgs(TypedDict):
    """Settings of the ``canary`` release strategy."""

    weight: NotRequired[pulumi.Input[int]]
    """Share of the replicas (1-99 percent) that run a new pod template while it is a
    canary."""
    promote: NotRequired[pulumi.Input[bool]]
    """Promote the canary in flight to 100%."""
    abort: NotRequired[pulumi.Input[bool]]
    """Abort the canary in flight: back to the stable version only."""


class WebServiceArgs(TypedDict):
    """Arguments of :class:`moorage.WebService`."""

    image: pulumi.Input[str]
    """Container image pinned by tag or digest, e.g. "ghcr.io/acme/api:1.4.2".
    ``latest`` and untagged images are rejected unless ``allow_unpinned_image``."""
    allow_unpinned_image: NotRequired[pulumi.Input[bool]]
    """Accept ``latest`` or untagged images."""
    image_pull_policy: NotRequired[pulumi.Input[str]]
    """Always, IfNotPresent or Never."""
    image_pull_secrets: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Names of existing kubernetes.io/dockerconfigjson Secrets for private registries."""
    command: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Override the image's entrypoint."""
    container_args: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Arguments passed to the entrypoint."""
    container_name: NotRequired[pulumi.Input[str]]
    """Name of the main container (DNS-1123 label)."""
    worker: NotRequired[pulumi.Input[bool]]
    """A workload without a main port: no Service, no Ingress, no default probes (exec
    probes may be set), and a NetworkPolicy that admits nothing but the exposed
    ``ports`` (none by default)."""
    port: NotRequired[pulumi.Input[int]]
    """Port the container listens on (1-65535)."""
    port_name: NotRequired[pulumi.Input[str]]
    """Name of the main port (IANA service name)."""
    app_protocol: NotRequired[pulumi.Input[str]]
    """What the main port speaks: "http" | "https" | "http2" | "grpc" | "tcp". It picks
    the default readiness probe, the Service port's ``appProtocol`` and the scheme
    of ``url``."""
    service_port: NotRequired[pulumi.Input[int]]
    """Port the Service exposes (1-65535)."""
    ports: NotRequired[pulumi.Input[Sequence[pulumi.Input[PortArgs]]]]
    """Extra named ports of the main container (e.g. gRPC beside HTTP, an admin port)."""
    replicas: NotRequired[pulumi.Input[int]]
    """Fixed replica count (0 or more). Not allowed together with ``autoscaling``."""
    namespace: NotRequired[pulumi.Input[str]]
    """Namespace to deploy into (DNS-1123 label)."""
    create_namespace: NotRequired[pulumi.Input[bool]]
    """Create the namespace (created namespaces enforce Pod Security "restricted")."""
    config: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Non-secret settings. They become a ConfigMap, exposed as environment variables
    (see ``config_as_env``) and/or files (see ``config_mount_path``)."""
    config_as_env: NotRequired[pulumi.Input[bool]]
    """Expose every ``config`` key as an environment variable."""
    config_mount_path: NotRequired[pulumi.Input[str]]
    """Also mount the ConfigMap as files under this absolute path."""
    secrets: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Secret settings. They become a Secret, exposed to the container through
    ``secretKeyRef`` environment variables (never as a plain ``value``), or as files
    with ``secrets_as_files``."""
    secrets_as_files: NotRequired[pulumi.Input[bool]]
    """Mount ``secrets`` as read-only files under ``secrets_mount_path`` instead of
    environment variables (keys may then be file names such as "tls.key")."""
    secrets_mount_path: NotRequired[pulumi.Input[str]]
    """Where ``secrets_as_files`` mounts the secrets."""
    env: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Plain environment variables. Use ``secrets`` for anything sensitive."""
    env_from: NotRequired[pulumi.Input[Sequence[pulumi.Input[EnvFromArgs]]]]
    """Existing ConfigMaps and Secrets whose keys become environment variables."""
    resources: NotRequired[pulumi.Input[ResourcesArgs]]
    """Requests and limits; defaults are set for CPU, memory and ephemeral storage."""
    autoscaling: NotRequired[pulumi.Input[AutoscalingArgs]]
    """Create a HorizontalPodAutoscaler; unset means a fixed ``replicas`` count."""
    probes: NotRequired[pulumi.Input[ProbesArgs]]
    """Readiness, liveness and startup probes."""
    lifecycle: NotRequired[pulumi.Input[LifecycleArgs]]
    """Lifecycle hooks beyond the built-in preStop sleep."""
    init_containers: NotRequired[pulumi.Input[Sequence[pulumi.Input[ContainerArgs]]]]
    """Containers that run to completion, in order, before the main one starts (e.g.
    migrations)."""
    sidecars: NotRequired[pulumi.Input[Sequence[pulumi.Input[ContainerArgs]]]]
    """Native sidecars (init containers with restartPolicy Always, Kubernetes 1.29+):
    they start before the main container and stop after it."""
    service_type: NotRequired[pulumi.Input[str]]
    """ClusterIP, NodePort or LoadBalancer."""
    load_balancer_source_ranges: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """CIDRs allowed to reach a LoadBalancer Service."""
    extra_services: NotRequired[pulumi.Input[Sequence[pulumi.Input[ExtraServiceArgs]]]]
    """More Services for the same pods, e.g. an external LoadBalancer beside the
    internal ClusterIP."""
    ingress: NotRequired[pulumi.Input[IngressArgs]]
    """Create an Ingress."""
    metrics: NotRequired[pulumi.Input[MetricsArgs]]
    """Add Prometheus scrape annotations to the pods."""
    volumes: NotRequired[pulumi.Input[Sequence[pulumi.Input[VolumeArgs]]]]
    """Extra volumes. A writable emptyDir is always mounted at /tmp."""
    node_selector: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Node labels the pods must run on, e.g. {"kubernetes.io/arch": "arm64"}."""
    tolerations: NotRequired[pulumi.Input[Sequence[pulumi.Input[TolerationArgs]]]]
    """Taints the pods tolerate."""
    affinity: NotRequired[pulumi.Input[AffinityArgs]]
    """Node affinity and replica anti-affinity."""
    priority_class_name: NotRequired[pulumi.Input[str]]
    """An existing PriorityClass for the pods."""
    service_account_annotations: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Annotations for the ServiceAccount, e.g. for IRSA or GKE Workload Identity."""
    network_policy: NotRequired[pulumi.Input[NetworkPolicyArgs]]
    """NetworkPolicy settings."""
    labels: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Extra labels for every object and the pods."""
    annotations: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Extra annotations for every object and the pods."""
    service_annotations: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Annotations of the main Service only."""
    pod_annotations: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Annotations of the pods only."""
    deployment_annotations: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Annotations of the Deployment(s) only."""
    version: NotRequired[pulumi.Input[str]]
    """Value of the ``app.kubernetes.io/version`` label."""
    component: NotRequired[pulumi.Input[str]]
    """Value of the ``app.kubernetes.io/component`` label."""
    run_as_user: NotRequired[pulumi.Input[int]]
    """UID the main container runs as (must not be 0)."""
    run_as_group: NotRequired[pulumi.Input[int]]
    """GID the containers run as."""
    termination_grace_period_seconds: NotRequired[pulumi.Input[int]]
    """Time a pod gets to shut down."""
    strategy: NotRequired[pulumi.Input[str]]
    """Release strategy: "rolling", "blue_green" or "canary". Blue/green and
    canary keep their release state in a child resource, ``<name>-release``."""
    blue_green: NotRequired[pulumi.Input[BlueGreenArgs]]
    """Settings of the blue_green strategy."""
    canary: NotRequired[pulumi.Input[CanaryArgs]]
    """Settings of the canary strategy."""
    kubeconfig: NotRequired[pulumi.Input[str]]
    """Contents of the kubeconfig of the cluster the service runs on (the same as the
    Kubernetes provider's; pass it as a secret). Blue/green reads two things with it
    before it moves on: which colour the Service really selects (so an update that
    failed before its switch is finished the right way) and how many replicas the live
    colour runs (so, with ``autoscaling``, the colour going live starts with as many).
    Required for a switch with blue_green and autoscaling; other strategies ignore it."""
    pre_stop_delay_seconds: NotRequired[pulumi.Input[int]]
    """Seconds the pod keeps serving after it is taken out of the endpoints, so
    load balancers stop sending traffic first. Must be below the grace period."""
    # -- issue 15 (persistence.py) --
    persistence: NotRequired[pulumi.Input[PersistenceArgs]]
    """Create a PersistentVolumeClaim ``<name>-data`` and mount it. A ReadWriteOnce claim
    allows one pod: replicas must be 1, with no autoscaling. The claim is kept when the
    service is removed unless ``persistence.retain_on_delete`` is false."""
