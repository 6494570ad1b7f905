"""Turn WebServiceArgs into a validated, fully defaulted WebServiceSpec.

Plain values are checked at once, so bad input fails before any resource is
registered. Values that are Outputs are checked when they resolve, with the same
messages. The spec holds ``pulumi.Input`` values ready to be wired to resources.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import pulumi

from .. import _rules as rule
from .._errors import ValidationError
from .._fields import unknown_field_rule
from .args import (
    AutoscalingArgs,
    BlueGreenArgs,
    CanaryArgs,
    IngressArgs,
    MetricsArgs,
    NetworkPolicyArgs,
    ProbesArgs,
    ResourcesArgs,
    VolumeArgs,
    WebServiceArgs,
)
from .monitoring import MonitoringSpec, parse_monitoring
from .persistence import PersistenceSpec, parse_persistence
from .release import COLORS, STRATEGIES

T = TypeVar("T")

DEFAULT_PORT = 8080
DEFAULT_SERVICE_PORT = 80
DEFAULT_REPLICAS = 2
DEFAULT_RUN_AS = 10001

_KNOWN_FIELDS = frozenset(WebServiceArgs.__annotations__)


def _is_deferred(value: object) -> bool:
    return isinstance(value, pulumi.Output) or inspect.isawaitable(value)


def checked(value: pulumi.Input[Any], check: Callable[[Any], T]) -> pulumi.Input[T]:
    """Apply ``check`` now for a plain value, or when an Output resolves."""
    if _is_deferred(value):
        return pulumi.Output.from_input(value).apply(check)
    return check(value)


def cross_checked(values: Sequence[pulumi.Input[Any]], check: Callable[..., None]) -> list[Any]:
    """Check a rule that spans several values (e.g. request <= limit)."""
    if not any(_is_deferred(v) for v in values):
        check(*values)
        return list(values)

    def run(resolved: list[Any]) -> list[Any]:
        check(*resolved)
        return resolved

    joined = pulumi.Output.all(*values).apply(run)
    return [joined[i] for i in range(len(values))]


@dataclass(frozen=True)
class ResourcesSpec:
    cpu_request: pulumi.Input[str]
    cpu_limit: pulumi.Input[str] | None
    memory_request: pulumi.Input[str]
    memory_limit: pulumi.Input[str]
    ephemeral_storage_request: pulumi.Input[str]
    ephemeral_storage_limit: pulumi.Input[str]


@dataclass(frozen=True)
class AutoscalingSpec:
    min_replicas: pulumi.Input[int]
    max_replicas: pulumi.Input[int]
    target_cpu_utilization: pulumi.Input[int] | None
    target_memory_utilization: pulumi.Input[int] | None


@dataclass(frozen=True)
class ProbesSpec:
    readiness_path: pulumi.Input[str]
    liveness_path: pulumi.Input[str] | None
    period_seconds: pulumi.Input[int]
    timeout_seconds: pulumi.Input[int]
    failure_threshold: pulumi.Input[int]
    startup_period_seconds: pulumi.Input[int]
    startup_failure_threshold: pulumi.Input[int]


@dataclass(frozen=True)
class IngressSpec:
    host: pulumi.Input[str]
    path: pulumi.Input[str]
    tls_secret_name: pulumi.Input[str] | None
    ingress_class_name: pulumi.Input[str] | None
    annotations: Mapping[str, pulumi.Input[str]]


@dataclass(frozen=True)
class MetricsSpec:
    port: pulumi.Input[int]
    path: pulumi.Input[str]
    separate_port: bool
    """True when metrics are served on a port other than the main one."""


@dataclass(frozen=True)
class VolumeSpec:
    name: pulumi.Input[str]
    mount_path: pulumi.Input[str]
    source: dict[str, Any]
    read_only: pulumi.Input[bool]


@dataclass(frozen=True)
class NetworkPolicySpec:
    allow_from_namespaces: Sequence[pulumi.Input[str]]
    allow_from_pod_labels: Mapping[str, pulumi.Input[str]]
    allow_cidrs: Sequence[pulumi.Input[str]]


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
    pre_stop_delay_seconds: pulumi.Input[int]
    strategy: str = "rolling"
    blue_green: BlueGreenSpec | None = None
    canary: CanarySpec | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # -- issue 15: persistence.py and monitoring.py --
    persistence: PersistenceSpec | None = None
    monitoring: MonitoringSpec | None = None

    @property
    def max_possible_replicas(self) -> pulumi.Input[int]:
        """The most replicas the service can run (drives the PodDisruptionBudget)."""
        if self.autoscaling is not None:
            return self.autoscaling.max_replicas
        assert self.replicas is not None
        return self.replicas


class _Reader:
    """Reads one (possibly nested) args mapping, naming fields for errors."""

    def __init__(self, component: str, args: Mapping[str, Any], prefix: str = "") -> None:
        self.component = component
        self.args = args
        self.prefix = prefix

    def field(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def get(self, key: str, default: Any = None) -> Any:
        value = self.args.get(key)
        return default if value is None else value

    def known_mapping(self, key: str, *, secret: bool = False) -> Mapping[str, Any]:
        value = self.get(key, {})
        rule.known(self.component, self.field(key), value)
        if not isinstance(value, Mapping):
            raise ValidationError(
                self.component,
                self.field(key),
                value,
                "must be a mapping of names to values",
                secret=secret,
            )
        return value

    def known_bool(self, key: str, default: bool) -> bool:
        value = self.get(key, default)
        rule.known(self.component, self.field(key), value)
        return rule.boolean(self.component, self.field(key), value)

    def nested(self, key: str, fields: type) -> _Reader | None:
        """A nested args mapping whose keys must be fields of the TypedDict ``fields``."""
        value = self.args.get(key)
        if value is None:
            return None
        rule.known(self.component, self.field(key), value)
        if not isinstance(value, Mapping):
            raise ValidationError(self.component, self.field(key), value, "must be a mapping")
        reader = _Reader(self.component, value, f"{self.field(key)}.")
        reader.only(fields)
        return reader

    def only(self, fields: type) -> None:
        """Reject keys that are not fields of the TypedDict ``fields`` (typos)."""
        allowed = fields.__annotations__
        for name in self.args:
            if name not in allowed:
                raise ValidationError(
                    self.component,
                    self.field(name),
                    name,
                    unknown_field_rule(name, allowed, fields.__name__),
                )

    def value(self, key: str, default: Any, check: Callable[[str, str, Any], T]) -> Any:
        field_name = self.field(key)
        return checked(self.get(key, default), lambda v: check(self.component, field_name, v))

    def optional(self, key: str, check: Callable[[str, str, Any], T]) -> Any:
        if self.args.get(key) is None:
            return None
        return self.value(key, None, check)

    def strings(self, key: str, check: Callable[[str, str, Any], Any] | None = None) -> list[Any]:
        values = self.get(key, [])
        rule.known(self.component, self.field(key), values)
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise ValidationError(self.component, self.field(key), values, "must be a list")
        if check is None:
            return list(values)
        return [
            checked(v, self._item_check(check, f"{self.field(key)}[{i}]"))
            for i, v in enumerate(values)
        ]

    def _item_check(
        self, check: Callable[[str, str, Any], Any], field_name: str
    ) -> Callable[[Any], Any]:
        return lambda value: check(self.component, field_name, value)


def build_spec(name: str, args: WebServiceArgs) -> WebServiceSpec:
    """Validate ``args`` for the WebService called ``name`` and apply defaults."""
    component = rule.component_label(name)
    rule.service_name(component, name)
    if not isinstance(args, Mapping):
        raise ValidationError(
            component, "args", type(args).__name__, "must be a WebServiceArgs dict"
        )
    for key in args:
        if key not in _KNOWN_FIELDS:
            raise ValidationError(
                component, key, key, unknown_field_rule(key, _KNOWN_FIELDS, "WebServiceArgs")
            )
    if args.get("image") is None:
        raise ValidationError(component, "image", None, "is required")

    r = _Reader(component, cast(Mapping[str, Any], args))

    allow_unpinned = r.known_bool("allow_unpinned_image", False)
    image = checked(args["image"], lambda v: rule.image(component, v, allow_unpinned))

    namespace_given = args.get("namespace") is not None
    namespace = r.value("namespace", name, rule.dns_label)
    create_namespace = r.known_bool("create_namespace", not namespace_given)

    port = r.value("port", DEFAULT_PORT, rule.port)
    service_port = r.value("service_port", DEFAULT_SERVICE_PORT, rule.port)

    autoscaling = _autoscaling(r)
    if autoscaling is not None and args.get("replicas") is not None:
        raise ValidationError(
            component,
            "replicas",
            args.get("replicas"),
            "cannot be set together with autoscaling; the HorizontalPodAutoscaler owns "
            "the replica count (use autoscaling.min_replicas instead)",
        )
    replicas = (
        None
        if autoscaling is not None
        else r.value("replicas", DEFAULT_REPLICAS, rule.non_negative_int)
    )

    config = _keyed(r, "config")
    secrets = _keyed(r, "secrets", secret=True)
    env = _env(r)
    rule.no_shared_keys(component, "config", config, "secrets", secrets)
    config_as_env = r.known_bool("config_as_env", True)
    if config_as_env:
        for key in config:
            rule.config_env_key(component, f"config.{key}", key)
        rule.no_shared_keys(component, "config", config, "env", env)
    rule.no_shared_keys(component, "secrets", secrets, "env", env)

    service_type = r.value(
        "service_type", "ClusterIP", lambda c, f, v: rule.one_of(c, f, v, rule.SERVICE_TYPES)
    )
    config_mount_path = r.optional("config_mount_path", rule.absolute_path)

    return WebServiceSpec(
        name=name,
        namespace=namespace,
        create_namespace=create_namespace,
        image=image,
        image_pull_policy=r.value(
            "image_pull_policy", "Always", lambda c, f, v: rule.one_of(c, f, v, rule.PULL_POLICIES)
        ),
        command=r.strings("command") if args.get("command") is not None else None,
        container_args=r.strings("container_args")
        if args.get("container_args") is not None
        else None,
        port=port,
        service_port=service_port,
        replicas=replicas,
        autoscaling=autoscaling,
        config=config,
        config_as_env=config_as_env,
        config_mount_path=config_mount_path,
        secrets=secrets,
        env=env,
        resources=_resources(r),
        probes=_probes(r),
        service_type=service_type,
        load_balancer_source_ranges=_source_ranges(r, service_type),
        ingress=_ingress(r),
        metrics=_metrics(r, port),
        volumes=_volumes(r, config_mount_path if config else None),
        service_account_annotations=r.known_mapping("service_account_annotations"),
        network_policy=_network_policy(r),
        labels=_labels(r, "labels", values_are_labels=True),
        annotations=_labels(r, "annotations", values_are_labels=False),
        version=(
            r.value("version", None, rule.version_label)
            if args.get("version") is not None
            else checked(image, rule.image_version)
        ),
        component=r.value("component", "web", rule.version_label),
        run_as_user=r.value("run_as_user", DEFAULT_RUN_AS, rule.positive_int),
        run_as_group=r.value("run_as_group", DEFAULT_RUN_AS, rule.positive_int),
        termination_grace_period_seconds=r.value(
            "termination_grace_period_seconds", 30, rule.positive_int
        ),
        pre_stop_delay_seconds=_pre_stop_delay(r),
        **_strategy(r, replicas, autoscaling),
        # -- issue 15 --
        persistence=parse_persistence(name, args),
        monitoring=parse_monitoring(component, args),
    )


def _keyed(r: _Reader, key: str, *, secret: bool = False) -> dict[str, Any]:
    values = r.known_mapping(key, secret=secret)
    for k in values:
        rule.config_key(r.component, f"{key}.{k}", k)
        if secret:
            rule.env_name(r.component, f"{key}.{k}", k)
    return dict(values)


def _env(r: _Reader) -> dict[str, Any]:
    values = r.known_mapping("env")
    for k in values:
        rule.env_name(r.component, f"env.{k}", k)
    return dict(values)


def _resources(r: _Reader) -> ResourcesSpec:
    res = r.nested("resources", ResourcesArgs) or _Reader(r.component, {}, "resources.")
    c = r.component

    def pair(kind: str, request_default: str, limit_default: str) -> list[Any]:
        request = res.value(f"{kind}_request", request_default, rule.quantity_str)
        limit = res.value(f"{kind}_limit", limit_default, rule.quantity_str)
        return cross_checked(
            [request, limit], lambda q, lim: rule.request_within_limit(c, kind, q, lim)
        )

    if res.known_bool("cpu_limit_enabled", True):
        cpu_request, cpu_limit = pair("cpu", "100m", "1")
    else:
        cpu_request, cpu_limit = res.value("cpu_request", "100m", rule.quantity_str), None
    memory_request, memory_limit = pair("memory", "256Mi", "256Mi")
    storage_request, storage_limit = pair("ephemeral_storage", "64Mi", "1Gi")
    return ResourcesSpec(
        cpu_request=cpu_request,
        cpu_limit=cpu_limit,
        memory_request=memory_request,
        memory_limit=memory_limit,
        ephemeral_storage_request=storage_request,
        ephemeral_storage_limit=storage_limit,
    )


def _autoscaling(r: _Reader) -> AutoscalingSpec | None:
    hpa = r.nested("autoscaling", AutoscalingArgs)
    if hpa is None:
        return None
    c = r.component
    min_replicas = hpa.value("min_replicas", 2, rule.positive_int)
    max_replicas = hpa.value("max_replicas", 10, rule.positive_int)
    min_replicas, max_replicas = cross_checked(
        [min_replicas, max_replicas], lambda lo, hi: rule.autoscaling_bounds(c, lo, hi)
    )
    cpu = hpa.optional("target_cpu_utilization", rule.percentage)
    memory = hpa.optional("target_memory_utilization", rule.percentage)
    if cpu is None and memory is None:
        cpu = 70
    return AutoscalingSpec(min_replicas, max_replicas, cpu, memory)


def _probes(r: _Reader) -> ProbesSpec:
    p = r.nested("probes", ProbesArgs) or _Reader(r.component, {}, "probes.")
    return ProbesSpec(
        readiness_path=p.value("readiness_path", "/", rule.http_path),
        liveness_path=p.optional("liveness_path", rule.http_path),
        period_seconds=p.value("period_seconds", 10, rule.positive_int),
        timeout_seconds=p.value("timeout_seconds", 2, rule.positive_int),
        failure_threshold=p.value("failure_threshold", 3, rule.positive_int),
        startup_period_seconds=p.value("startup_period_seconds", 5, rule.positive_int),
        startup_failure_threshold=p.value("startup_failure_threshold", 30, rule.positive_int),
    )


def _ingress(r: _Reader) -> IngressSpec | None:
    ing = r.nested("ingress", IngressArgs)
    if ing is None:
        return None
    if ing.get("host") is None:
        raise ValidationError(r.component, "ingress.host", None, "is required")
    return IngressSpec(
        host=ing.value("host", None, rule.dns_subdomain),
        path=ing.value("path", "/", rule.http_path),
        tls_secret_name=ing.optional("tls_secret_name", rule.dns_subdomain),
        ingress_class_name=ing.optional("ingress_class_name", rule.dns_subdomain),
        annotations=ing.known_mapping("annotations"),
    )


def _metrics(r: _Reader, port: pulumi.Input[int]) -> MetricsSpec | None:
    m = r.nested("metrics", MetricsArgs)
    if m is None:
        return None
    metrics_port = m.get("port")
    return MetricsSpec(
        port=m.value("port", port, rule.port),
        path=m.value("path", "/metrics", rule.http_path),
        separate_port=metrics_port is not None and metrics_port != port,
    )


_VOLUME_SOURCES = {
    "empty_dir_size_limit": lambda v: {"emptyDir": {"sizeLimit": v}},
    "config_map_name": lambda v: {"configMap": {"name": v}},
    "secret_name": lambda v: {"secret": {"secretName": v}},
    "persistent_volume_claim_name": lambda v: {"persistentVolumeClaim": {"claimName": v}},
}


def _source_ranges(r: _Reader, service_type: pulumi.Input[str]) -> list[Any]:
    """Source ranges are only valid on a LoadBalancer Service."""
    ranges = r.strings("load_balancer_source_ranges", rule.cidr)
    if not ranges:
        return ranges
    c = r.component

    def load_balancer_only(kind: str) -> None:
        if kind != "LoadBalancer":
            raise ValidationError(
                c,
                "load_balancer_source_ranges",
                "[...]",
                f"can only be used with service_type LoadBalancer (not {kind})",
            )

    cross_checked([service_type], load_balancer_only)
    return ranges


def _labels(r: _Reader, key: str, *, values_are_labels: bool) -> dict[str, Any]:
    values = r.known_mapping(key)
    for name, value in values.items():
        rule.qualified_name(r.component, f"{key}.{name}", name)
        if values_are_labels:
            checked(value, r._item_check(rule.version_label, f"{key}.{name}"))
    return dict(values)


def _volumes(r: _Reader, config_mount_path: pulumi.Input[str] | None) -> list[VolumeSpec]:
    values = r.get("volumes", [])
    rule.known(r.component, "volumes", values)
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise ValidationError(r.component, "volumes", values, "must be a list of volumes")
    volumes = []
    seen: set[str] = set()
    mount_paths: set[object] = {"/tmp"}
    if isinstance(config_mount_path, str):
        mount_paths.add(config_mount_path)
    for i, raw in enumerate(values):
        prefix = f"volumes[{i}]"
        rule.known(r.component, prefix, raw)
        if not isinstance(raw, Mapping):
            raise ValidationError(r.component, prefix, raw, "must be a mapping")
        v = _Reader(r.component, raw, f"{prefix}.")
        v.only(VolumeArgs)
        name = rule.dns_label(r.component, f"{prefix}.name", raw.get("name"))
        if name in seen or name == "tmp" or name == "config":
            raise ValidationError(
                r.component, f"{prefix}.name", name, "is already used by another volume"
            )
        seen.add(name)
        mount_path = v.value("mount_path", None, rule.absolute_path)
        if isinstance(mount_path, str):
            if mount_path in mount_paths:
                raise ValidationError(
                    r.component,
                    f"{prefix}.mount_path",
                    mount_path,
                    "is already a mount path (/tmp, config_mount_path or another volume)",
                )
            mount_paths.add(mount_path)
        sources = [key for key in _VOLUME_SOURCES if raw.get(key) is not None]
        if len(sources) != 1:
            raise ValidationError(
                r.component,
                prefix,
                sorted(sources),
                "must set exactly one of " + ", ".join(_VOLUME_SOURCES),
            )
        source_key = sources[0]
        check = rule.quantity_str if source_key == "empty_dir_size_limit" else rule.dns_subdomain
        source_value = v.value(source_key, None, check)
        read_only_default = source_key in ("config_map_name", "secret_name")
        volumes.append(
            VolumeSpec(
                name=name,
                mount_path=mount_path,
                source=_VOLUME_SOURCES[source_key](source_value),
                read_only=v.value("read_only", read_only_default, rule.boolean),
            )
        )
    return volumes


def _network_policy(r: _Reader) -> NetworkPolicySpec | None:
    np = r.nested("network_policy", NetworkPolicyArgs) or _Reader(
        r.component, {}, "network_policy."
    )
    if not np.known_bool("enabled", True):
        return None
    return NetworkPolicySpec(
        allow_from_namespaces=np.strings("allow_from_namespaces", rule.dns_label),
        allow_from_pod_labels=np.known_mapping("allow_from_pod_labels"),
        allow_cidrs=np.strings("allow_cidrs", rule.cidr),
    )


def _pre_stop_delay(r: _Reader) -> pulumi.Input[int]:
    delay = r.value("pre_stop_delay_seconds", 5, rule.non_negative_int)
    grace = r.get("termination_grace_period_seconds", 30)
    c = r.component

    def below_grace(d: int, g: int) -> None:
        if d >= g:
            raise ValidationError(
                c,
                "pre_stop_delay_seconds",
                d,
                f"must be less than termination_grace_period_seconds ({g})",
            )

    return cast(pulumi.Input[int], cross_checked([delay, grace], below_grace)[0])


def _strategy(
    r: _Reader, replicas: pulumi.Input[int] | None, autoscaling: AutoscalingSpec | None
) -> dict[str, Any]:
    """The release strategy and its settings (all must be known up front)."""
    c = r.component
    strategy = r.get("strategy", "rolling")
    rule.known(c, "strategy", strategy)
    rule.one_of(c, "strategy", strategy, STRATEGIES)
    for key, wanted in (("blue_green", "blue_green"), ("canary", "canary")):
        if r.get(key) is not None and strategy != wanted:
            raise ValidationError(
                c, key, "{...}", f"only applies with strategy: {wanted} (strategy is {strategy})"
            )
    if strategy == "rolling":
        return {"strategy": strategy}
    total = autoscaling.min_replicas if autoscaling is not None else replicas
    rule.known(c, "replicas", total, "a release strategy plans replica counts up front")
    if strategy == "blue_green":
        bg = r.nested("blue_green", BlueGreenArgs) or _Reader(c, {}, "blue_green.")
        active = bg.get("active_color")
        rule.known(c, "blue_green.active_color", active)
        if active is not None:
            rule.one_of(c, "blue_green.active_color", active, COLORS)
        delay = bg.get("scale_down_delay_seconds", 30)
        rule.known(c, "blue_green.scale_down_delay_seconds", delay)
        return {
            "strategy": strategy,
            "blue_green": BlueGreenSpec(
                active_color=active,
                keep_idle_warm=bg.known_bool("keep_idle_warm", False),
                scale_down_delay_seconds=rule.non_negative_int(
                    c, "blue_green.scale_down_delay_seconds", delay
                ),
            ),
        }
    canary = r.nested("canary", CanaryArgs) or _Reader(c, {}, "canary.")
    weight = canary.get("weight", 20)
    rule.known(c, "canary.weight", weight)
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 99:
        raise ValidationError(c, "canary.weight", weight, "must be an integer from 1 to 99")
    if isinstance(total, int) and total < 2:
        raise ValidationError(
            c,
            "replicas" if autoscaling is None else "autoscaling.min_replicas",
            total,
            "must be at least 2 with strategy: canary, so stable keeps serving beside the canary",
        )
    promote = canary.known_bool("promote", False)
    abort = canary.known_bool("abort", False)
    if promote and abort:
        raise ValidationError(c, "canary.abort", True, "cannot be set together with canary.promote")
    return {
        "strategy": strategy,
        "canary": CanarySpec(weight=weight, promote=promote, abort=abort),
    }
