"""Turn WebServiceArgs into a validated, fully defaulted WebServiceSpec.

Plain values are checked at once, so bad input fails before any resource is
registered. Values that are Outputs are checked when they resolve, with the same
messages. The spec holds ``pulumi.Input`` values ready to be wired to resources.
Every default comes from :data:`~.defaults.DEFAULTS`; every Args mapping is read through
the shared :class:`~moorage._fields.Fields` reader.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pulumi

from .. import _rules as rule
from .._errors import ValidationError
from .._fields import Fields, checked, cross_checked
from ._containers import MAIN, ContainerSpec, ResourcesSpec, read_command, read_env, read_resources
from .args import (
    AutoscalingArgs,
    BlueGreenArgs,
    CanaryArgs,
    EgressArgs,
    ExtraServiceArgs,
    IngressArgs,
    MetricsArgs,
    NetworkPolicyArgs,
    ResourcesArgs,
    WebServiceArgs,
)
from .defaults import DEFAULTS
from .monitoring import MonitoringSpec, parse_monitoring
from .persistence import PersistenceSpec, parse_persistence
from .pod import affinity, build_containers, env_from, tolerations
from .ports import PortSpec, check_unique, extra_ports, main_port, url_scheme
from .probes import ProbeSpec, ProbesSpec, build_probes
from .release import COLORS, STRATEGIES
from .shutdown import shutdown
from .volumes import VolumeSpec, build_volumes

__all__ = [
    "AutoscalingSpec",
    "ProbeSpec",
    "ProbesSpec",
    "ResourcesSpec",
    "WebServiceSpec",
    "build_spec",
    "checked",
    "cross_checked",
    "prevalidate",
    "validated_spec",
]

_KNOWN_FIELDS = frozenset(WebServiceArgs.__annotations__)
METRICS_PORT_NAME = "metrics"
RESERVED_VOLUMES = ("tmp", "config", "secrets")

# Fields that describe the main port or the Service: a worker has neither.
_NOT_FOR_WORKERS = (
    "port",
    "port_name",
    "app_protocol",
    "service_port",
    "service_type",
    "load_balancer_source_ranges",
    "extra_services",
    "service_annotations",
    "ingress",
)


@dataclass(frozen=True)
class AutoscalingSpec:
    min_replicas: pulumi.Input[int]
    max_replicas: pulumi.Input[int]
    target_cpu_utilization: pulumi.Input[int] | None
    target_memory_utilization: pulumi.Input[int] | None


@dataclass(frozen=True)
class IngressSpec:
    host: pulumi.Input[str]
    path: pulumi.Input[str]
    tls_secret_name: pulumi.Input[str] | None
    ingress_class_name: pulumi.Input[str] | None
    annotations: Mapping[str, pulumi.Input[str]]
    port_name: str = "http"


@dataclass(frozen=True)
class MetricsSpec:
    port: pulumi.Input[int]
    path: pulumi.Input[str]
    separate_port: bool
    """True when metrics are served on a port other than the main one."""


@dataclass(frozen=True)
class NetworkPolicySpec:
    allow_from_namespaces: Sequence[pulumi.Input[str]]
    allow_from_pod_labels: Mapping[str, pulumi.Input[str]]
    allow_cidrs: Sequence[pulumi.Input[str]]
    allow_metrics_from_namespaces: Sequence[pulumi.Input[str]] = ()
    egress: EgressSpec | None = None


@dataclass(frozen=True)
class ExtraServiceSpec:
    """One more Service for the same pods."""

    suffix: str
    type: pulumi.Input[str]
    port_names: Sequence[str]
    annotations: Mapping[str, pulumi.Input[str]]
    load_balancer_source_ranges: Sequence[pulumi.Input[str]]


@dataclass(frozen=True)
class BlueGreenSpec:
    active_color: str | None
    keep_idle_warm: bool
    scale_down_delay_seconds: int


@dataclass(frozen=True)
class CanarySpec:
    weight: int
    promote: bool
    abort: bool


@dataclass(frozen=True)
class WebServiceSpec:
    """Everything the component needs, validated and with defaults applied."""

    name: str
    namespace: pulumi.Input[str]
    create_namespace: bool
    image: pulumi.Input[str]
    image_pull_policy: pulumi.Input[str]
    command: Sequence[pulumi.Input[str]] | None
    container_args: Sequence[pulumi.Input[str]] | None
    port: pulumi.Input[int]
    service_port: pulumi.Input[int]
    replicas: pulumi.Input[int] | None
    autoscaling: AutoscalingSpec | None
    config: Mapping[str, pulumi.Input[str]]
    config_as_env: bool
    config_mount_path: pulumi.Input[str] | None
    secrets: Mapping[str, pulumi.Input[str]]
    env: Mapping[str, pulumi.Input[str]]
    resources: ResourcesSpec
    probes: ProbesSpec
    service_type: pulumi.Input[str]
    load_balancer_source_ranges: Sequence[pulumi.Input[str]]
    ingress: IngressSpec | None
    metrics: MetricsSpec | None
    volumes: Sequence[VolumeSpec]
    service_account_annotations: Mapping[str, pulumi.Input[str]]
    network_policy: NetworkPolicySpec | None
    labels: Mapping[str, pulumi.Input[str]]
    annotations: Mapping[str, pulumi.Input[str]]
    version: pulumi.Input[str]
    component: pulumi.Input[str]
    run_as_user: pulumi.Input[int]
    run_as_group: pulumi.Input[int]
    termination_grace_period_seconds: pulumi.Input[int]
    pre_stop_delay_seconds: pulumi.Input[int] | None
    """None when ``lifecycle.pre_stop_command`` replaces the built-in sleep."""
    strategy: str = "rolling"
    blue_green: BlueGreenSpec | None = None
    canary: CanarySpec | None = None
    kubeconfig: pulumi.Input[str] | None = None
    """What blue/green reads the live Service and Deployments with (None: no reads)."""
    # issue 14: ports, workload shape and pod spec
    container_name: str = ""
    worker: bool = False
    app_protocol: str = "http"
    main_port: PortSpec | None = None
    """None for a worker."""
    extra_ports: Sequence[PortSpec] = ()
    """``ports`` of the main container."""
    extra_services: Sequence[ExtraServiceSpec] = ()
    init_containers: Sequence[ContainerSpec] = ()
    sidecars: Sequence[ContainerSpec] = ()
    env_from: Sequence[dict[str, Any]] = ()
    secrets_as_files: bool = False
    secrets_mount_path: pulumi.Input[str] = "/etc/secrets"
    lifecycle: Mapping[str, Any] = field(default_factory=dict)
    """postStart/preStop exec hooks from ``lifecycle`` (preStop replaces the sleep)."""
    image_pull_secrets: Sequence[pulumi.Input[str]] = ()
    node_selector: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    tolerations: Sequence[dict[str, Any]] = ()
    affinity: Mapping[str, Any] | None = None
    priority_class_name: pulumi.Input[str] | None = None
    service_annotations: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    pod_annotations: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    deployment_annotations: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    # -- issue 15: persistence.py and monitoring.py --
    persistence: PersistenceSpec | None = None
    monitoring: MonitoringSpec | None = None

    @property
    def fixed_replicas(self) -> pulumi.Input[int] | None:
        """The replica count to send, or None when an HPA owns it (the one place for the
        rule "replicas unless an HPA owns them")."""
        return None if self.autoscaling is not None else self.replicas

    @property
    def planned_replicas(self) -> pulumi.Input[int]:
        """The count a release plans with: the HPA's minimum, or the fixed replicas."""
        return planned_replicas(self.autoscaling, self.replicas)

    @property
    def max_possible_replicas(self) -> pulumi.Input[int]:
        """The most replicas the service can run (drives the PodDisruptionBudget)."""
        if self.autoscaling is not None:
            return self.autoscaling.max_replicas
        assert self.replicas is not None
        return self.replicas

    @property
    def has_service(self) -> bool:
        return self.main_port is not None

    @property
    def container_ports(self) -> list[PortSpec]:
        """Ports of the main container: the main port, metrics, then ``ports``."""
        ports = [self.main_port] if self.main_port is not None else []
        if self.metrics is not None and self.metrics.separate_port:
            ports.append(
                PortSpec(
                    METRICS_PORT_NAME, self.metrics.port, self.metrics.port, "TCP", None, False
                )
            )
        return [*ports, *self.extra_ports]

    @property
    def service_ports(self) -> list[PortSpec]:
        """Every port the main Service exposes (main, exposed ``ports``, sidecar ports)."""
        extra = [p for p in self.extra_ports if p.expose]
        extra += [p for s in self.sidecars for p in s.ports if p.expose]
        return ([self.main_port] if self.main_port is not None else []) + extra

    @property
    def url_scheme(self) -> str:
        return url_scheme(self.main_port, self.app_protocol)


_PREVALIDATED: dict[int, tuple[Mapping[str, Any], dict[str, Any], str, WebServiceSpec]] = {}


def prevalidate(name: str, args: WebServiceArgs) -> WebServiceSpec:
    """:func:`build_spec`, kept for the WebService that the same args will create.

    The program validates the service's args before it creates the cluster; the
    WebService built next from the same (unchanged) mapping takes that spec over
    (:func:`validated_spec`) instead of validating and building it a second time.
    """
    spec = build_spec(name, args)
    _PREVALIDATED[id(args)] = (args, dict(args), name, spec)
    return spec


def validated_spec(name: str, args: WebServiceArgs) -> WebServiceSpec:
    """The spec :func:`prevalidate` built for exactly these args, or a fresh one.

    A kept spec is used once: it is handed over and forgotten.
    """
    entry = _PREVALIDATED.pop(id(args), None)
    if entry is not None:
        mapping, snapshot, built_for, spec = entry
        if mapping is args and built_for == name and snapshot == dict(args):
            return spec
    return build_spec(name, args)


def build_spec(name: str, args: WebServiceArgs) -> WebServiceSpec:
    """Validate ``args`` for the WebService called ``name`` and apply defaults."""
    component = rule.component_label(name)
    rule.service_name(component, name)
    if not isinstance(args, Mapping):
        raise ValidationError(
            component, "args", type(args).__name__, "must be a WebServiceArgs dict"
        )
    r = Fields(component, cast(Mapping[str, Any], args))
    r.reject_unknown(_KNOWN_FIELDS, "WebServiceArgs")
    if args.get("image") is None:
        raise ValidationError(component, "image", None, "is required")

    allow_unpinned = r.boolean("allow_unpinned_image", DEFAULTS["allow_unpinned_image"])
    image = checked(args["image"], lambda v: rule.image(component, v, allow_unpinned))

    namespace_given = r.present("namespace")
    create_namespace = r.boolean("create_namespace", not namespace_given)
    namespace = r.value(
        "namespace", name, lambda c, f, v: rule.namespace_claim(c, f, v, create=create_namespace)
    )

    worker = r.boolean("worker", DEFAULTS["worker"])
    if worker:
        for key in _NOT_FOR_WORKERS:
            if r.present(key):
                raise r.fail(
                    key, r.raw(key), "does not apply to a worker (it has no main port or Service)"
                )
    main = None if worker else main_port(r)
    app_protocol = r.text("app_protocol", DEFAULTS["app_protocol"])
    container_name = r.text("container_name", name)
    rule.dns_label(component, "container_name", container_name)

    autoscaling = _autoscaling(r)
    if autoscaling is not None and r.present("replicas"):
        raise r.fail(
            "replicas",
            r.raw("replicas"),
            "cannot be set together with autoscaling; the HorizontalPodAutoscaler owns "
            "the replica count (use autoscaling.min_replicas instead)",
        )
    replicas = (
        None
        if autoscaling is not None
        else r.value("replicas", DEFAULTS["replicas"], rule.non_negative_int)
    )

    secrets_as_files = r.boolean("secrets_as_files", DEFAULTS["secrets_as_files"])
    config = _keyed(r, "config")
    secrets = _keyed(r, "secrets", secret=True, env_names=not secrets_as_files)
    env = read_env(r, MAIN)
    rule.no_shared_keys(component, "config", config, "secrets", secrets)
    config_as_env = r.boolean("config_as_env", DEFAULTS["config_as_env"])
    if config_as_env:
        for key in config:
            rule.config_env_key(component, f"config.{key}", key)
        rule.no_shared_keys(component, "config", config, "env", env)
    if not secrets_as_files:
        rule.no_shared_keys(component, "secrets", secrets, "env", env)

    service_type = r.value(
        "service_type",
        DEFAULTS["service_type"],
        lambda c, f, v: rule.one_of(c, f, v, rule.SERVICE_TYPES),
    )
    load_balancer_source_ranges, service_type = _source_ranges(r, service_type)
    config_mount_path = r.optional("config_mount_path", rule.absolute_path)
    secrets_mount_path = r.value(
        "secrets_mount_path", DEFAULTS["secrets_mount_path"], rule.absolute_path
    )
    ports = extra_ports(r, "ports")
    metrics = _metrics(r, main, ports)
    mount_paths: list[Any] = []
    if config and config_mount_path is not None:
        mount_paths.append(config_mount_path)
    if secrets and secrets_as_files:
        mount_paths.append(secrets_mount_path)
    volumes = build_volumes(r, mount_paths, RESERVED_VOLUMES)
    pod_volumes = {v.name: True for v in volumes if isinstance(v.name, str)}
    pod_volumes["tmp"] = True
    if config and config_mount_path is not None:
        pod_volumes["config"] = True
    if secrets and secrets_as_files:
        pod_volumes["secrets"] = True

    pull_policy = r.value(
        "image_pull_policy",
        DEFAULTS["image_pull_policy"],
        lambda c, f, v: rule.one_of(c, f, v, rule.PULL_POLICIES),
    )
    run_as_user = r.value("run_as_user", DEFAULTS["run_as_user"], rule.unix_id)
    container_kwargs: dict[str, Any] = {
        "allow_unpinned": allow_unpinned,
        "pull_policy": pull_policy,
        "run_as_user": run_as_user,
        "volumes": pod_volumes,
        "secret_keys": sorted(secrets),
    }
    sidecars = build_containers(r, "sidecars", sidecar=True, **container_kwargs)
    init_containers = build_containers(r, "init_containers", sidecar=False, **container_kwargs)
    _unique_container_names(r, container_name, [*sidecars, *init_containers])

    main_ports = ([main] if main is not None else []) + (
        [PortSpec(METRICS_PORT_NAME, metrics.port, metrics.port, "TCP", None, False)]
        if metrics is not None and metrics.separate_port
        else []
    )
    all_ports = [*main_ports, *ports, *[p for s in sidecars for p in s.ports]]
    check_unique(component, all_ports, ())
    probe_ports = {p.name: p for p in [*main_ports, *ports]}

    labels = _label_map(r, "labels")
    lifecycle, grace, pre_stop = shutdown(r, worker)
    strategy = _strategy(r, replicas, autoscaling)
    if worker and strategy["strategy"] != "rolling":
        raise r.fail(
            "strategy",
            strategy["strategy"],
            "is not available for a worker: blue_green and canary switch or split a "
            "Service's traffic, and a worker has no Service (use rolling)",
        )
    service_ports = [p.name for p in all_ports if p.expose]

    return WebServiceSpec(
        name=name,
        namespace=namespace,
        create_namespace=create_namespace,
        image=image,
        image_pull_policy=pull_policy,
        command=read_command(r, "command"),
        container_args=read_command(r, "container_args"),
        port=main.port if main is not None else 0,
        service_port=main.service_port if main is not None else 0,
        replicas=replicas,
        autoscaling=autoscaling,
        config=config,
        config_as_env=config_as_env,
        config_mount_path=config_mount_path,
        secrets=secrets,
        env=env,
        resources=read_resources(r.nested_or_empty("resources", ResourcesArgs)),
        probes=build_probes(r, probe_ports, main, app_protocol),
        service_type=service_type,
        load_balancer_source_ranges=load_balancer_source_ranges,
        ingress=_ingress(r, main, service_ports),
        metrics=metrics,
        volumes=volumes,
        service_account_annotations=_annotations(r, "service_account_annotations"),
        network_policy=_network_policy(r),
        labels=labels,
        annotations=_annotations(r, "annotations"),
        version=(
            r.value("version", None, rule.version_label)
            if r.present("version")
            else checked(image, rule.image_version)
        ),
        component=r.value("component", DEFAULTS["component"], rule.version_label),
        run_as_user=run_as_user,
        run_as_group=r.value("run_as_group", DEFAULTS["run_as_group"], rule.unix_id),
        termination_grace_period_seconds=grace,
        pre_stop_delay_seconds=pre_stop,
        container_name=container_name,
        worker=worker,
        app_protocol=app_protocol,
        main_port=main,
        extra_ports=ports,
        extra_services=_extra_services(r, name, service_ports),
        init_containers=init_containers,
        sidecars=sidecars,
        env_from=env_from(r),
        secrets_as_files=secrets_as_files,
        secrets_mount_path=secrets_mount_path,
        lifecycle=lifecycle,
        image_pull_secrets=r.checked_items("image_pull_secrets", rule.dns_subdomain),
        node_selector=_label_map(r, "node_selector"),
        tolerations=tolerations(r),
        affinity=affinity(r, {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": name}),
        priority_class_name=r.optional("priority_class_name", rule.dns_subdomain),
        service_annotations=_annotations(r, "service_annotations"),
        pod_annotations=_annotations(r, "pod_annotations"),
        deployment_annotations=_annotations(r, "deployment_annotations"),
        **strategy,
        kubeconfig=r.optional_plain_checked("kubeconfig", rule.kubeconfig),
        # -- issue 15 --
        persistence=parse_persistence(name, args),
        monitoring=parse_monitoring(component, args),
    )


def _keyed(r: Fields, key: str, *, secret: bool = False, env_names: bool = True) -> dict[str, Any]:
    """ConfigMap or Secret data: valid keys, string values (checked before any resource)."""
    values = r.mapping(key, secret=secret)
    value_rule = rule.secret_text if secret else rule.text
    checked_values: dict[str, Any] = {}
    for k, v in values.items():
        rule.config_key(r.component, f"{key}.{k}", k)
        if secret and env_names:
            rule.env_name(r.component, f"{key}.{k}", k)
        checked_values[k] = checked(v, r.item_check(value_rule, f"{key}.{k}"))
    rule.data_size(r.component, key, checked_values, secret=secret)
    return checked_values


def _unique_container_names(r: Fields, main: str, others: Sequence[ContainerSpec]) -> None:
    seen = {main}
    for c in others:
        if c.name in seen:
            key = "sidecars" if c.sidecar else "init_containers"
            raise r.fail(
                f"{key}[{c.name}].name", c.name, "is already the name of another container"
            )
        seen.add(c.name)


def _autoscaling(r: Fields) -> AutoscalingSpec | None:
    hpa = r.nested("autoscaling", AutoscalingArgs)
    if hpa is None:
        return None
    c = r.component
    min_replicas = hpa.value(
        "min_replicas", DEFAULTS["autoscaling.min_replicas"], rule.positive_int
    )
    max_replicas = hpa.value(
        "max_replicas", DEFAULTS["autoscaling.max_replicas"], rule.positive_int
    )
    min_replicas, max_replicas = cross_checked(
        [min_replicas, max_replicas], lambda lo, hi: rule.autoscaling_bounds(c, lo, hi)
    )
    cpu = hpa.optional("target_cpu_utilization", rule.percentage)
    memory = hpa.optional("target_memory_utilization", rule.percentage)
    if cpu is None and memory is None:
        cpu = 70
    return AutoscalingSpec(min_replicas, max_replicas, cpu, memory)


def _ingress(r: Fields, main: PortSpec | None, service_ports: Sequence[str]) -> IngressSpec | None:
    ing = r.nested("ingress", IngressArgs)
    if ing is None:
        return None
    if not ing.present("host"):
        raise ing.fail("host", None, "is required")
    assert main is not None  # a worker with ingress is rejected earlier
    port_name = ing.text("port", main.name)
    if port_name not in service_ports:
        raise ing.fail(
            "port", port_name, f"is not a Service port; expected one of: {', '.join(service_ports)}"
        )
    return IngressSpec(
        host=ing.value("host", None, rule.ingress_host),
        path=ing.value("path", DEFAULTS["ingress.path"], rule.ingress_path),
        tls_secret_name=ing.optional("tls_secret_name", rule.dns_subdomain),
        ingress_class_name=ing.optional("ingress_class_name", rule.dns_subdomain),
        annotations=_annotations(ing, "annotations"),
        port_name=port_name,
    )


def _metrics(r: Fields, main: PortSpec | None, ports: Sequence[PortSpec]) -> MetricsSpec | None:
    m = r.nested("metrics", MetricsArgs)
    if m is None:
        return None
    if main is None and not m.present("port"):
        raise m.fail("port", None, "is required for a worker (it has no main port to default to)")
    main_number = main.port if main is not None else None
    metrics_port = m.raw("port")
    return MetricsSpec(
        port=m.value("port", main_number, rule.port),
        path=m.value("path", DEFAULTS["metrics.path"], rule.http_path),
        # Served on a port of its own unless it is the main port or one of ``ports``.
        separate_port=metrics_port is not None
        and metrics_port != main_number
        and all(metrics_port != p.port for p in ports),
    )


def _source_ranges(
    r: Fields, service_type: pulumi.Input[str]
) -> tuple[list[Any], pulumi.Input[str]]:
    """Source ranges are only valid on a LoadBalancer Service.

    Returns the ranges and the service type checked against them: the Service gets
    that checked value, so it is never registered with a type the ranges forbid.
    """
    ranges = r.checked_items("load_balancer_source_ranges", rule.cidr)
    if not ranges:
        return ranges, service_type
    c = r.component

    def load_balancer_only(kind: str) -> None:
        if kind != "LoadBalancer":
            raise ValidationError(
                c,
                "load_balancer_source_ranges",
                "[...]",
                f"can only be used with service_type LoadBalancer (not {kind})",
            )

    (checked_type,) = cross_checked([service_type], load_balancer_only)
    return ranges, checked_type


def _extra_services(r: Fields, name: str, service_ports: Sequence[str]) -> list[ExtraServiceSpec]:
    out: list[ExtraServiceSpec] = []
    for s in r.sections("extra_services", ExtraServiceArgs):
        suffix = rule.dns_label(r.component, s.field("name"), s.required_text("name"))
        full = f"{name}-{suffix}"
        if len(full) > 63:
            raise s.fail(
                "name", suffix, f"makes the Service name {full!r} longer than 63 characters"
            )
        if any(e.suffix == suffix for e in out):
            raise s.fail("name", suffix, "is already the name of another extra Service")
        kind = s.text("type", DEFAULTS["extra_services.type"])
        rule.one_of(r.component, s.field("type"), kind, rule.SERVICE_TYPES)
        names = s.texts("ports", service_ports)
        for i, port in enumerate(names):
            if port not in service_ports:
                raise s.fail(
                    f"ports[{i}]",
                    port,
                    f"is not an exposed port; expected one of: {', '.join(service_ports)}",
                )
        ranges = s.checked_items("load_balancer_source_ranges", rule.cidr)
        if ranges and kind != "LoadBalancer":
            raise s.fail(
                "load_balancer_source_ranges",
                "[...]",
                f"can only be used with type LoadBalancer (not {kind})",
            )
        out.append(
            ExtraServiceSpec(
                suffix=suffix,
                type=kind,
                port_names=names,
                annotations=_annotations(s, "annotations"),
                load_balancer_source_ranges=ranges,
            )
        )
    return out


def _label_map(r: Fields, key: str) -> dict[str, Any]:
    """Labels: qualified-name keys, label values; an Output value reaches the resources
    only through its check, so no object is registered with a bad one."""
    values = r.mapping(key)
    checked_values: dict[str, Any] = {}
    for name, value in values.items():
        field_name = r.field(f"{key}.{name}")
        rule.qualified_name(r.component, field_name, name)
        checked_values[name] = checked(value, r.item_check(rule.version_label, f"{key}.{name}"))
    return checked_values


def _annotations(r: Fields, key: str) -> dict[str, Any]:
    """Annotations: annotation keys, string values, 256 KiB in all."""
    values = r.mapping(key)
    checked_values: dict[str, Any] = {}
    for name, value in values.items():
        rule.annotation_key(r.component, r.field(f"{key}.{name}"), name)
        checked_values[name] = checked(value, r.item_check(rule.text, f"{key}.{name}"))
    rule.annotations_size(r.component, r.field(key), checked_values)
    return checked_values


def _network_policy(r: Fields) -> NetworkPolicySpec | None:
    np = r.nested_or_empty("network_policy", NetworkPolicyArgs)
    if not np.boolean("enabled", DEFAULTS["network_policy.enabled"]):
        for key in ("egress", "allow_metrics_from_namespaces"):
            if np.present(key):
                raise np.fail(
                    key,
                    "{...}",
                    "needs the NetworkPolicy; remove it or set network_policy.enabled: true",
                )
        return None
    metrics_namespaces = np.checked_items("allow_metrics_from_namespaces", rule.dns_label)
    if metrics_namespaces and not r.present("metrics"):
        raise np.fail(
            "allow_metrics_from_namespaces",
            "[...]",
            "opens the metrics port, but metrics is not set",
        )
    return NetworkPolicySpec(
        allow_from_namespaces=np.checked_items("allow_from_namespaces", rule.dns_label),
        allow_from_pod_labels=_label_map(np, "allow_from_pod_labels"),
        allow_cidrs=np.checked_items("allow_cidrs", rule.cidr),
        allow_metrics_from_namespaces=metrics_namespaces,
        egress=_egress(np),
    )


def _strategy(
    r: Fields, replicas: pulumi.Input[int] | None, autoscaling: AutoscalingSpec | None
) -> dict[str, Any]:
    """The release strategy and its settings (all must be known up front)."""
    c = r.component
    strategy = r.text("strategy", DEFAULTS["strategy"])
    rule.one_of(c, "strategy", strategy, STRATEGIES)
    for key, wanted in (("blue_green", "blue_green"), ("canary", "canary")):
        if r.present(key) and strategy != wanted:
            raise r.fail(
                key, "{...}", f"only applies with strategy: {wanted} (strategy is {strategy})"
            )
    if strategy == "rolling":
        return {"strategy": strategy}
    total = planned_replicas(autoscaling, replicas)
    rule.known(c, "replicas", total, "a release strategy plans replica counts up front")
    if strategy == "blue_green":
        bg = r.nested_or_empty("blue_green", BlueGreenArgs)
        active = bg.known("active_color")
        if active is not None:
            rule.one_of(c, "blue_green.active_color", active, COLORS)
        delay = bg.known("scale_down_delay_seconds")
        return {
            "strategy": strategy,
            "blue_green": BlueGreenSpec(
                active_color=active,
                keep_idle_warm=bg.boolean("keep_idle_warm", DEFAULTS["blue_green.keep_idle_warm"]),
                scale_down_delay_seconds=rule.non_negative_int(
                    c,
                    "blue_green.scale_down_delay_seconds",
                    DEFAULTS["blue_green.scale_down_delay_seconds"] if delay is None else delay,
                ),
            ),
        }
    canary = r.nested_or_empty("canary", CanaryArgs)
    weight = canary.known("weight")
    weight = DEFAULTS["canary.weight"] if weight is None else weight
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 99:
        raise ValidationError(c, "canary.weight", weight, "must be an integer from 1 to 99")
    if isinstance(total, int) and total < 2:
        raise ValidationError(
            c,
            "replicas" if autoscaling is None else "autoscaling.min_replicas",
            total,
            "must be at least 2 with strategy: canary, so stable keeps serving beside the canary",
        )
    promote = canary.boolean("promote", DEFAULTS["canary.promote"])
    abort = canary.boolean("abort", DEFAULTS["canary.abort"])
    if promote and abort:
        raise ValidationError(c, "canary.abort", True, "cannot be set together with canary.promote")
    return {
        "strategy": strategy,
        "canary": CanarySpec(weight=weight, promote=promote, abort=abort),
    }


@dataclass(frozen=True)
class EgressSpec:
    """Default-deny egress: DNS to kube-dns, plus these peers and ports."""

    allow_to_namespaces: Sequence[pulumi.Input[str]]
    allow_to_pod_labels: Mapping[str, pulumi.Input[str]]
    allow_cidrs: Sequence[pulumi.Input[str]]
    allow_ports: Sequence[pulumi.Input[int]]


def _egress(np: Fields) -> EgressSpec | None:
    """``network_policy.egress``: None unless enabled (egress is opt-in)."""
    eg = np.nested("egress", EgressArgs)
    if eg is None or not eg.boolean("enabled", DEFAULTS["network_policy.egress.enabled"]):
        return None
    return EgressSpec(
        allow_to_namespaces=eg.checked_items("allow_to_namespaces", rule.dns_label),
        allow_to_pod_labels=_label_map(eg, "allow_to_pod_labels"),
        allow_cidrs=eg.checked_items("allow_cidrs", rule.cidr),
        allow_ports=eg.checked_items("allow_ports", rule.port),
    )


def planned_replicas(
    autoscaling: AutoscalingSpec | None, replicas: pulumi.Input[int] | None
) -> pulumi.Input[int]:
    """The replicas a full release runs: the HPA's minimum, or the fixed count."""
    if autoscaling is not None:
        return autoscaling.min_replicas
    assert replicas is not None
    return replicas
