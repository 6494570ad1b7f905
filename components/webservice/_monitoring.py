"""Prometheus Operator objects of a WebService: a ServiceMonitor (or PodMonitor) and alerts.

``metrics.service_monitor: true`` creates a ``monitoring.coreos.com/v1`` ServiceMonitor
that scrapes the Service's port, or a PodMonitor when metrics are served on a port of
their own (the Service does not expose it). ``metrics.alerts`` adds a PrometheusRule with
an availability alert (kube-state-metrics) and, optionally, an error-rate alert.

pulumi_kubernetes has no typed classes for custom resources, so the bodies are built
here as TypedDicts in the CRDs' own shape and passed to ``CustomResource``. The CRDs
must be installed (by the Prometheus Operator, or ``moorage:monitoringCrds`` on a local
stack); without them ``pulumi up`` fails with the API server's
``no matches for kind "ServiceMonitor" in version "monitoring.coreos.com/v1"``.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
import pulumi_kubernetes as k8s
from typing_extensions import NotRequired

from .. import _rules as rule
from .._defaults import Computed
from .._fields import Fields, checked
from ._ports import PortSpec

API_VERSION = "monitoring.coreos.com/v1"
SEVERITIES = ("critical", "warning", "info")

DEFAULTS: dict[str, object] = {
    "metrics.port": Computed("the main port"),
    "metrics.path": "/metrics",
    "metrics.service_monitor": False,
    "metrics.scrape_interval": "30s",
    "metrics.alerts.availability": True,
    "metrics.alerts.request_metric": "http_requests_total",
    "metrics.alerts.status_label": "code",
    "metrics.alerts.for_duration": "5m",
    "metrics.alerts.severity": "warning",
}


class AlertsArgs(TypedDict):
    """Alert rules (a PrometheusRule) for the service."""

    availability: NotRequired[pulumi.Input[bool]]
    """Alert when the Deployment has no available replica (needs kube-state-metrics)."""
    error_rate_percent: NotRequired[pulumi.Input[int]]
    """Alert when more than this percentage of requests answer 5xx. Unset: no
    error-rate alert."""
    request_metric: NotRequired[pulumi.Input[str]]
    """Request counter the error rate is computed from."""
    status_label: NotRequired[pulumi.Input[str]]
    """Label of ``request_metric`` holding the HTTP status code."""
    for_duration: NotRequired[pulumi.Input[str]]
    """How long a condition must hold before the alert fires, e.g. "5m"."""
    severity: NotRequired[pulumi.Input[str]]
    """``severity`` label of the alerts: critical, warning or info."""


# -- the CRDs' shapes (the subset Moorage writes) ------------------------------------


class MetricsArgs(TypedDict):
    """Prometheus scraping of the pods."""

    port: NotRequired[pulumi.Input[int]]
    """Port that serves metrics."""
    path: NotRequired[pulumi.Input[str]]
    """Metrics path."""
    # -- Prometheus Operator --
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


class Endpoint(TypedDict):
    """A ServiceMonitor endpoint or PodMonitor podMetricsEndpoint."""

    port: str
    """Name of the port to scrape."""
    path: str
    """HTTP path of the metrics."""
    interval: str
    """Scrape interval, a Prometheus duration."""


class LabelSelector(TypedDict):
    """A label selector."""

    matchLabels: dict[str, str]
    """Labels the selected objects carry."""


class NamespaceSelector(TypedDict):
    """The namespaces a monitor looks in."""

    matchNames: list[str]
    """Namespace names."""


class ServiceMonitorSpec(TypedDict):
    """``spec`` of a monitoring.coreos.com/v1 ServiceMonitor."""

    selector: LabelSelector
    """Selects the Service."""
    namespaceSelector: NamespaceSelector
    """The Service's namespace."""
    endpoints: list[Endpoint]
    """The Service ports to scrape."""


class PodMonitorSpec(TypedDict):
    """``spec`` of a monitoring.coreos.com/v1 PodMonitor."""

    selector: LabelSelector
    """Selects the pods."""
    namespaceSelector: NamespaceSelector
    """The pods' namespace."""
    podMetricsEndpoints: list[Endpoint]
    """The container ports to scrape."""


class Rule(TypedDict):
    """One alerting rule (``for`` is a Python keyword: the builder adds it)."""

    alert: str
    """Alert name."""
    expr: str
    """PromQL condition."""
    labels: dict[str, str]
    """Labels of the alert (severity, service, namespace)."""
    annotations: dict[str, str]
    """Annotations of the alert (summary)."""


class RuleGroup(TypedDict):
    """A named group of rules."""

    name: str
    """Group name."""
    rules: list[Rule]
    """The rules."""


class PrometheusRuleSpec(TypedDict):
    """``spec`` of a monitoring.coreos.com/v1 PrometheusRule."""

    groups: list[RuleGroup]
    """The rule groups."""


# -- validated settings --------------------------------------------------------------


@dataclass(frozen=True)
class AlertsSpec:
    availability: bool
    error_rate_percent: int | None
    request_metric: str
    status_label: str
    for_duration: str
    severity: str


@dataclass(frozen=True)
class MonitoringSpec:
    """Which Prometheus Operator objects to create, validated."""

    service_monitor: bool
    scrape_interval: str
    labels: dict[str, str]
    alerts: AlertsSpec | None


def _duration(component: str, field: str, value: str) -> str:
    import re

    if not re.fullmatch(r"([0-9]+(ms|s|m|h|d|w|y))+", value):
        raise Fields(component, {}).fail(field, value, 'must be a Prometheus duration, e.g. "30s"')
    return value


def read_monitoring(component: str, args: Mapping[str, Any]) -> MonitoringSpec | None:
    """The ServiceMonitor/alert settings of ``args["metrics"]``, or None when not asked for."""
    if args.get("metrics") is None:
        return None
    f = Fields(component, args).section("metrics")
    f.reject_unknown(MetricsArgs.__annotations__, "MetricsArgs")
    service_monitor = f.boolean("service_monitor", bool(DEFAULTS["metrics.service_monitor"]))
    alerts = _alerts(component, f) if f.present("alerts") else None
    if not service_monitor and alerts is None:
        return None
    labels = f.mapping("labels")
    for key, value in labels.items():
        rule.qualified_name(component, f.field(f"labels.{key}"), key)
        rule.version_label(component, f.field(f"labels.{key}"), value)
    return MonitoringSpec(
        service_monitor=service_monitor,
        scrape_interval=_duration(
            component,
            f.field("scrape_interval"),
            f.text("scrape_interval", str(DEFAULTS["metrics.scrape_interval"])),
        ),
        labels={str(k): str(v) for k, v in labels.items()},
        alerts=alerts,
    )


def _alerts(component: str, metrics: Fields) -> AlertsSpec:
    a = metrics.section("alerts")
    a.reject_unknown(AlertsArgs.__annotations__, "AlertsArgs")
    percent = a.known("error_rate_percent")
    if percent is not None:
        percent = rule.percentage(component, a.field("error_rate_percent"), percent)
    return AlertsSpec(
        availability=a.boolean("availability", bool(DEFAULTS["metrics.alerts.availability"])),
        error_rate_percent=percent,
        request_metric=a.text("request_metric", str(DEFAULTS["metrics.alerts.request_metric"])),
        status_label=a.text("status_label", str(DEFAULTS["metrics.alerts.status_label"])),
        for_duration=_duration(
            component,
            a.field("for_duration"),
            a.text("for_duration", str(DEFAULTS["metrics.alerts.for_duration"])),
        ),
        severity=rule.one_of(
            component,
            a.field("severity"),
            a.text("severity", str(DEFAULTS["metrics.alerts.severity"])),
            SEVERITIES,
        ),
    )


# -- builders --------------------------------------------------------------------------


def monitor_kind(separate_port: bool) -> str:
    """ServiceMonitor when metrics are on the Service's port, else PodMonitor."""
    return "PodMonitor" if separate_port else "ServiceMonitor"


def monitor_spec(
    spec: MonitoringSpec,
    selector: Mapping[str, str],
    namespace: str,
    port_name: str,
    path: str,
    separate_port: bool,
) -> ServiceMonitorSpec | PodMonitorSpec:
    """The ServiceMonitor (or PodMonitor) body scraping ``port_name`` at ``path``."""
    endpoint: Endpoint = {"port": port_name, "path": path, "interval": spec.scrape_interval}
    common_selector: LabelSelector = {"matchLabels": dict(selector)}
    namespaces: NamespaceSelector = {"matchNames": [namespace]}
    if separate_port:
        return {
            "selector": common_selector,
            "namespaceSelector": namespaces,
            "podMetricsEndpoints": [endpoint],
        }
    return {"selector": common_selector, "namespaceSelector": namespaces, "endpoints": [endpoint]}


def rule_spec(alerts: AlertsSpec, name: str, namespace: str) -> PrometheusRuleSpec:
    """Availability and error-rate alerts for the Deployment/Service ``name``."""
    where = f'namespace="{namespace}"'
    labels = {"severity": alerts.severity, "service": name, "namespace": namespace}
    rules: list[Rule] = []
    if alerts.availability:
        rules.append(
            _rule(
                f"{_camel(name)}Unavailable",
                f'kube_deployment_status_replicas_available{{{where},deployment="{name}"}} < 1',
                alerts.for_duration,
                labels,
                f"{name} in {namespace} has no available replicas",
            )
        )
    if alerts.error_rate_percent is not None:
        metric, code = alerts.request_metric, alerts.status_label
        selector = f'{where},service="{name}"'
        errors = f'sum(rate({metric}{{{selector},{code}=~"5.."}}[5m]))'
        total = f"sum(rate({metric}{{{selector}}}[5m]))"
        rules.append(
            _rule(
                f"{_camel(name)}HighErrorRate",
                f"{errors} / {total} > {alerts.error_rate_percent / 100:g}",
                alerts.for_duration,
                labels,
                f"{name} in {namespace}: more than {alerts.error_rate_percent}% of requests fail",
            )
        )
    return {"groups": [{"name": f"{name}.rules", "rules": rules}]}


def _rule(alert: str, expr: str, for_: str, labels: dict[str, str], summary: str) -> Rule:
    built: dict[str, Any] = {
        "alert": alert,
        "expr": expr,
        "for": for_,
        "labels": dict(labels),
        "annotations": {"summary": summary},
    }
    return built  # type: ignore[return-value]


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def declare_monitoring(
    name: str,
    spec: MonitoringSpec,
    namespace: pulumi.Input[str],
    metadata: Mapping[str, Any],
    scrape: tuple[str, pulumi.Input[str], bool],
    selector: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> list[k8s.apiextensions.CustomResource]:
    """The ServiceMonitor (or PodMonitor) and the PrometheusRule, as ``CustomResource``s.

    ``scrape`` is (port name, metrics path, served on a port of its own).
    """
    port_name, path, separate_port = scrape
    meta = dict(metadata)
    meta["labels"] = {**(meta.get("labels") or {}), **spec.labels}
    created: list[k8s.apiextensions.CustomResource] = []
    ns = pulumi.Output.from_input(namespace)
    if spec.service_monitor:
        kind = monitor_kind(separate_port)
        created.append(
            k8s.apiextensions.CustomResource(
                f"{name}-{'pod' if separate_port else 'service'}-monitor",
                api_version=API_VERSION,
                kind=kind,
                metadata=meta,
                spec=pulumi.Output.all(ns, path).apply(
                    lambda values: monitor_spec(
                        spec, selector, values[0], port_name, values[1], separate_port
                    )
                ),
                opts=opts,
            )
        )
    alerts = spec.alerts
    if alerts is not None:
        created.append(
            k8s.apiextensions.CustomResource(
                f"{name}-alerts",
                api_version=API_VERSION,
                kind="PrometheusRule",
                metadata=meta,
                spec=ns.apply(lambda n: rule_spec(alerts, name, n)),
                opts=opts,
            )
        )
    return created


def inherited_dependencies(opts: pulumi.ResourceOptions | None) -> list[pulumi.Resource]:
    """The plain resources in the component's ``depends_on`` (e.g. the CRDs): children do
    not inherit a component's dependencies, so the custom resources name them."""
    depends_on = opts.depends_on if opts is not None else None
    if isinstance(depends_on, pulumi.Resource):
        return [depends_on]
    if isinstance(depends_on, list):
        return [r for r in depends_on if isinstance(r, pulumi.Resource)]
    return []


def scrape_target(
    metrics: "MetricsSpec", ports: Sequence[PortSpec], has_service: bool
) -> tuple[str, bool]:
    """(port name, scraped through the pods) for ``metrics``; ``ports`` are the main port
    and ``ports``.

    Metrics on the main port or on an exposed one of ``ports`` are scraped through the
    Service (ServiceMonitor); on a port of their own, a sidecar's or an unexposed port,
    or for a worker (no Service), through the pods (PodMonitor).
    """
    if metrics.separate_port:
        return METRICS_PORT_NAME, True
    for port in ports:
        if port.port == metrics.port or len(ports) == 1:
            through_pods = not has_service or not port.expose or port.container is not None
            return port.name, through_pods
    return METRICS_PORT_NAME, True


# -- metrics: the port and path Prometheus scrapes --------------------------------------------

METRICS_PORT_NAME = "metrics"


@dataclass(frozen=True)
class MetricsSpec:
    port: pulumi.Input[int]
    path: pulumi.Input[str]
    separate_port: bool
    """True when metrics are served on a port other than the main one."""

    @property
    def port_spec(self) -> PortSpec | None:
        """The container port of its own, when metrics are not on the main one."""
        if not self.separate_port:
            return None
        return PortSpec(METRICS_PORT_NAME, self.port, self.port, "TCP", None, False)


def read_metrics(r: Fields, main: PortSpec | None, ports: Sequence[PortSpec]) -> MetricsSpec | None:
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


def pod_annotations(metrics: MetricsSpec | None) -> dict[str, Any]:
    """The prometheus.io annotations of the pods."""
    if metrics is None:
        return {}
    return {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": checked(metrics.port, str),
        "prometheus.io/path": metrics.path,
    }
