"""Network policy: default-deny ingress to the pods except on their ports, from an
allow-list; optional default-deny egress with DNS always allowed."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
from typing_extensions import NotRequired

from .. import _rules as rule
from .._fields import Fields
from ._identity import selector_labels
from ._maps import label_map
from ._ports import PortSpec

DEFAULTS: dict[str, Any] = {
    "network_policy.enabled": True,
    "network_policy.egress.enabled": True,
    "network_policy.egress.allow_to_pods.protocol": "TCP",
}
"""The defaults of this facet's fields, by dotted path (the reference prints them)."""


class EgressPodsArgs(TypedDict):
    """Pods the service may connect to: one egress rule of their own, which the other
    allow-lists do not narrow (an Application adds one per referenced service)."""

    namespace: pulumi.Input[str]
    """Namespace (by name) of the pods."""
    pod_labels: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Only pods with these labels; unset means every pod of the namespace."""
    ports: NotRequired[pulumi.Input[Sequence[pulumi.Input[int]]]]
    """Ports of those pods (the container ports, not a Service's); unset means every port."""
    protocol: NotRequired[pulumi.Input[str]]
    """Protocol of ``ports``: TCP, UDP or SCTP."""


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
    allow_to_pods: NotRequired[pulumi.Input[Sequence[pulumi.Input[EgressPodsArgs]]]]
    """Pods of a namespace the service may connect to, each on its own ports, e.g.
    ``[{"namespace": "data", "pod_labels": {"app": "postgres"}, "ports": [5432]}]``."""


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


@dataclass(frozen=True)
class EgressPodsSpec:
    """One ``allow_to_pods`` entry."""

    namespace: str
    pod_labels: Mapping[str, pulumi.Input[str]]
    ports: Sequence[pulumi.Input[int]]
    protocol: str


@dataclass(frozen=True)
class EgressSpec:
    """Default-deny egress: DNS to kube-dns, plus these peers and ports."""

    allow_to_namespaces: Sequence[pulumi.Input[str]]
    allow_to_pod_labels: Mapping[str, pulumi.Input[str]]
    allow_cidrs: Sequence[pulumi.Input[str]]
    allow_ports: Sequence[pulumi.Input[int]]
    allow_to_pods: Sequence[EgressPodsSpec] = ()


@dataclass(frozen=True)
class NetworkPolicySpec:
    allow_from_namespaces: Sequence[pulumi.Input[str]]
    allow_from_pod_labels: Mapping[str, pulumi.Input[str]]
    allow_cidrs: Sequence[pulumi.Input[str]]
    allow_metrics_from_namespaces: Sequence[pulumi.Input[str]] = ()
    egress: EgressSpec | None = None


def read(r: Fields) -> NetworkPolicySpec | None:
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
        allow_from_pod_labels=label_map(np, "allow_from_pod_labels"),
        allow_cidrs=np.checked_items("allow_cidrs", rule.cidr),
        allow_metrics_from_namespaces=metrics_namespaces,
        egress=_egress(np),
    )


def _egress(np: Fields) -> EgressSpec | None:
    """``network_policy.egress``: None unless enabled (egress is opt-in)."""
    eg = np.nested("egress", EgressArgs)
    if eg is None or not eg.boolean("enabled", DEFAULTS["network_policy.egress.enabled"]):
        return None
    return EgressSpec(
        allow_to_namespaces=eg.checked_items("allow_to_namespaces", rule.dns_label),
        allow_to_pod_labels=label_map(eg, "allow_to_pod_labels"),
        allow_cidrs=eg.checked_items("allow_cidrs", rule.cidr),
        allow_ports=eg.checked_items("allow_ports", rule.port),
        allow_to_pods=[_pods(p) for p in eg.sections("allow_to_pods", EgressPodsArgs)],
    )


def _pods(p: Fields) -> EgressPodsSpec:
    """One ``allow_to_pods`` entry: a namespace, its pods' labels, ports of one protocol."""
    return EgressPodsSpec(
        namespace=rule.dns_label(p.component, p.field("namespace"), p.required_text("namespace")),
        pod_labels=label_map(p, "pod_labels"),
        ports=p.checked_items("ports", rule.port),
        protocol=rule.one_of(
            p.component,
            p.field("protocol"),
            p.text("protocol", DEFAULTS["network_policy.egress.allow_to_pods.protocol"]),
            rule.PROTOCOLS,
        ),
    )


def network_policy_spec(
    policy: NetworkPolicySpec,
    name: str,
    opened: Sequence[PortSpec],
    metrics_port: pulumi.Input[int] | None,
) -> dict[str, Any]:
    """Admit ingress only on the ``opened`` ports, only from the allow-list."""
    pod_selector: dict[str, Any] = (
        {"matchLabels": dict(policy.allow_from_pod_labels)} if policy.allow_from_pod_labels else {}
    )
    peers: list[dict[str, Any]] = [{"podSelector": pod_selector}]
    peers += [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}},
            "podSelector": pod_selector,
        }
        for ns in policy.allow_from_namespaces
    ]
    peers += [{"ipBlock": {"cidr": cidr}} for cidr in policy.allow_cidrs]
    # No open port (a worker): no rule at all, so all ingress is denied. (A rule with
    # an empty port list would open every port.)
    rules: list[dict[str, Any]] = (
        [{"from": peers, "ports": [p.policy_port() for p in opened]}] if opened else []
    )
    rules += metrics_ingress_rules(policy, metrics_port)
    body: dict[str, Any] = {
        "podSelector": {"matchLabels": selector_labels(name)},
        "policyTypes": ["Ingress"],
        "ingress": rules,
    }
    if policy.egress is not None:
        body["policyTypes"] = ["Ingress", "Egress"]
        body["egress"] = egress_rules(policy.egress)
    return body


DNS_NAMESPACE = "kube-system"
DNS_POD_LABELS = {"k8s-app": "kube-dns"}
"""The cluster DNS pods (CoreDNS or kube-dns carry this label on kind, EKS and GKE)."""


def _namespace_selector(namespace: pulumi.Input[str]) -> dict[str, Any]:
    return {"matchLabels": {"kubernetes.io/metadata.name": namespace}}


def metrics_ingress_rules(
    policy: NetworkPolicySpec, metrics_port: pulumi.Input[int] | None
) -> list[dict[str, Any]]:
    """Admit ``allow_metrics_from_namespaces`` to the metrics port only."""
    if metrics_port is None or not policy.allow_metrics_from_namespaces:
        return []
    return [
        {
            "from": [
                {"namespaceSelector": _namespace_selector(ns)}
                for ns in policy.allow_metrics_from_namespaces
            ],
            "ports": [{"protocol": "TCP", "port": metrics_port}],
        }
    ]


def egress_rules(egress: EgressSpec) -> list[dict[str, Any]]:
    """DNS to kube-dns always; then the allowed peers, on the allowed ports.

    With no peer but some ports, those ports are open to any destination; with
    neither, only DNS is allowed.
    """
    rules: list[dict[str, Any]] = [
        {
            "to": [
                {
                    "namespaceSelector": _namespace_selector(DNS_NAMESPACE),
                    "podSelector": {"matchLabels": dict(DNS_POD_LABELS)},
                }
            ],
            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
        }
    ]
    pod_selector: dict[str, Any] = (
        {"matchLabels": dict(egress.allow_to_pod_labels)} if egress.allow_to_pod_labels else {}
    )
    peers: list[dict[str, Any]] = []
    if egress.allow_to_pod_labels:
        peers.append({"podSelector": pod_selector})
    peers += [
        {"namespaceSelector": _namespace_selector(ns), "podSelector": pod_selector}
        for ns in egress.allow_to_namespaces
    ]
    peers += [{"ipBlock": {"cidr": cidr}} for cidr in egress.allow_cidrs]
    ports = [{"protocol": "TCP", "port": port} for port in egress.allow_ports]
    if peers or ports:
        rule: dict[str, Any] = {}
        if peers:
            rule["to"] = peers
        if ports:
            rule["ports"] = ports
        rules.append(rule)
    return rules + [_pods_rule(pods) for pods in egress.allow_to_pods]


def _pods_rule(pods: EgressPodsSpec) -> dict[str, Any]:
    """One ``allow_to_pods`` entry: its pods, on its ports (every port when none)."""
    selector = {"matchLabels": dict(pods.pod_labels)} if pods.pod_labels else {}
    entry: dict[str, Any] = {
        "to": [{"namespaceSelector": _namespace_selector(pods.namespace), "podSelector": selector}]
    }
    if pods.ports:
        entry["ports"] = [{"protocol": pods.protocol, "port": port} for port in pods.ports]
    return entry


def egress_to_service(name: str, namespace: str, ports: Sequence[PortSpec]) -> list[EgressPodsArgs]:
    """The ``allow_to_pods`` entries that open egress to the pods of the service ``name``
    in ``namespace`` on ``ports`` (its Services' ports: their container ports), one entry
    per protocol. Its pods are selected as its own NetworkPolicy selects them."""
    by_protocol: dict[str, list[pulumi.Input[int]]] = {}
    for port in ports:
        listed = by_protocol.setdefault(port.protocol, [])
        if port.port not in listed:
            listed.append(port.port)
    return [
        {
            "namespace": namespace,
            "pod_labels": selector_labels(name),
            "ports": listed,
            "protocol": protocol,
        }
        for protocol, listed in by_protocol.items()
    ]


def warnings(
    policy: NetworkPolicySpec | None, component: str, *, ingress: bool, metrics: bool
) -> list[str]:
    """Warnings when the policy closes the pods to an ingress controller or to Prometheus.

    Both run in a namespace of their own, which one is cluster-specific, and the policy
    admits only the service's own namespace unless told otherwise; so this warns (in
    every preview) instead of guessing.
    """
    if policy is None:
        return []
    found = []
    if ingress and not (policy.allow_from_namespaces or policy.allow_cidrs):
        found.append(
            f"{component}: ingress is set but network_policy admits only pods "
            "of the service's own namespace, so an ingress controller running in another "
            "namespace cannot reach it; add that namespace to "
            'network_policy.allow_from_namespaces (for example ["ingress-nginx"])'
        )
    if metrics and not (policy.allow_metrics_from_namespaces or policy.allow_from_namespaces):
        found.append(
            f"{component}: metrics is set but network_policy admits only pods "
            "of the service's own namespace, so a Prometheus running in another namespace "
            "cannot scrape it; add that namespace to "
            'network_policy.allow_metrics_from_namespaces (for example ["monitoring"])'
        )
    return found
