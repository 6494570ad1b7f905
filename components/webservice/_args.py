"""``WebServiceArgs``: the typed arguments of the WebService component.

Every field is a ``pulumi.Input`` with no unions, so the component is served to other
Pulumi languages. Fields that decide which resources exist or how the pod is shaped
(``create_namespace``, ``worker``, the presence of ``autoscaling``/``ingress``/``metrics``,
the keys of ``config`` and ``secrets``, ``network_policy.enabled``, ``app_protocol`` and
``port_name``, the lists ``ports``, ``extra_services``, ``init_containers``, ``sidecars``,
``volumes`` and their names, protocols and probe kinds) must be known when the program
runs; all other values may be Outputs and are validated when they resolve.

The nested Args types live in the facet that reads them; the main container's fields
(those of ``ContainerArgs``, with ``container_name`` and ``container_args`` for ``name``
and ``args``) sit flat here for compatibility.
"""

from collections.abc import Mapping, Sequence
from typing import TypedDict

import pulumi
from typing_extensions import NotRequired

from ._autoscaling import AutoscalingArgs
from ._containers import ContainerArgs, EnvFromArgs, ResourcesArgs
from ._exposure import IngressArgs
from ._monitoring import MetricsArgs
from ._network_policy import NetworkPolicyArgs
from ._patches import PatchArgs
from ._persistence import PersistenceArgs
from ._ports import ExtraServiceArgs, PortArgs
from ._probes import ProbesArgs
from ._routes import RouteArgs
from ._shutdown import LifecycleArgs
from ._volumes import VolumeArgs
from ._workload import AffinityArgs, HostAliasArgs, TolerationArgs
from .release import BlueGreenArgs, CanaryArgs


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
    working_dir: NotRequired[pulumi.Input[str]]
    """Working directory of the main container (an absolute path); unset: the image's."""
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
    routes: NotRequired[pulumi.Input[Sequence[pulumi.Input[RouteArgs]]]]
    """Gateway API routes (HTTPRoute or GRPCRoute) from existing Gateways to the Service,
    beside or instead of the Ingress."""
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
    host_aliases: NotRequired[pulumi.Input[Sequence[pulumi.Input[HostAliasArgs]]]]
    """Extra /etc/hosts entries of the pods."""
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
    """Value of the ``app.kubernetes.io/version`` label, set on the Deployment and its pods
    only, so an image bump changes no other object."""
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
    selector_labels: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Labels that select the pods, in place of Moorage's: keep the immutable selector of
    a Deployment you adopt, e.g. {"app": "cart"}. Added to the pod labels too."""
    adopt: NotRequired[pulumi.Input[bool]]
    """Take over objects that already exist (applied with kubectl or Helm) on the first
    ``up``: server-side apply forces the fields the other tool managed. See
    docs/webservice.md, Adopting running workloads."""
    service_account_name: NotRequired[pulumi.Input[str]]
    """Run the pods as this existing ServiceAccount ("default": the namespace's) instead
    of creating one; its token stays unmounted."""
    patches: NotRequired[pulumi.Input[Sequence[pulumi.Input[PatchArgs]]]]
    """The last resort: JSON or strategic-merge patches of the rendered objects, selected
    by kind and name, applied before registration (see docs/webservice.md, Patches)."""
    persistence: NotRequired[pulumi.Input[PersistenceArgs]]
    """Create a PersistentVolumeClaim ``<name>-data`` and mount it. A ReadWriteOnce claim
    allows one pod: replicas must be 1, with no autoscaling. The claim is kept when the
    service is removed unless ``persistence.retain_on_delete`` is false."""
