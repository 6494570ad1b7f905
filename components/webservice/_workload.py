"""Workload: how many pods run, where, and how they are kept available.

Owns ``replicas``, the pod-level fields (``run_as_user``, ``run_as_group``,
``image_pull_secrets``, ``host_aliases``, ``node_selector``, ``tolerations``, ``affinity``,
``priority_class_name``, ``pod_annotations``, ``deployment_annotations``) and renders the
pod template, the Deployment body, the PodDisruptionBudget and the topology spread.
"""

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
from typing_extensions import NotRequired

from .. import _rules as rule
from .._errors import ValidationError
from .._fields import Fields
from ._identity import selector_labels
from ._maps import annotation_map, label_map

DEFAULTS: dict[str, Any] = {
    "replicas": 2,
    "tolerations.operator": "Equal",
    "affinity.pod_anti_affinity": "none",
    "affinity.pod_anti_affinity_topology_key": "kubernetes.io/hostname",
    "affinity.node_preferred.weight": 1,
    "run_as_user": 10001,
    "run_as_group": 10001,
}
"""The defaults of this facet's fields, by dotted path (the reference prints them)."""


TMP_VOLUME = {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}
"""The pod's small writable /tmp (every container's root filesystem is read-only)."""


class HostAliasArgs(TypedDict):
    """An entry the pod's /etc/hosts gets, e.g. for a legacy host name."""

    ip: pulumi.Input[str]
    """IP address (IPv4 or IPv6)."""
    hostnames: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Host names that resolve to ``ip`` (DNS-1123 subdomains), at least one."""


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


@dataclass(frozen=True)
class WorkloadSpec:
    name: str
    replicas: pulumi.Input[int] | None
    """None when an HPA owns the count."""
    planned_replicas: pulumi.Input[int]
    """The count a release plans with: the HPA's minimum, or the fixed replicas."""
    max_replicas: pulumi.Input[int]
    """The most replicas the service can run (drives the PodDisruptionBudget)."""
    run_as_user: pulumi.Input[int]
    run_as_group: pulumi.Input[int]
    image_pull_secrets: Sequence[pulumi.Input[str]]
    node_selector: Mapping[str, pulumi.Input[str]]
    tolerations: Sequence[dict[str, Any]]
    affinity: Mapping[str, Any] | None
    priority_class_name: pulumi.Input[str] | None
    pod_annotations: Mapping[str, pulumi.Input[str]]
    deployment_annotations: Mapping[str, pulumi.Input[str]]
    host_aliases: Sequence[dict[str, Any]] = ()
    service_account_name: str | None = None
    """An existing ServiceAccount, or None for the service's own."""

    @property
    def fixed_replicas(self) -> pulumi.Input[int] | None:
        """The replica count to send, or None when an HPA owns it."""
        return self.replicas


def read_replicas(
    r: Fields, autoscaling: tuple[pulumi.Input[int], pulumi.Input[int]] | None
) -> tuple[pulumi.Input[int] | None, pulumi.Input[int], pulumi.Input[int]]:
    """(fixed replicas or None, planned replicas, most replicas); ``autoscaling`` is the
    HPA's (min, max) when it owns the count."""
    if autoscaling is not None:
        if r.present("replicas"):
            raise r.fail(
                "replicas",
                r.raw("replicas"),
                "cannot be set together with autoscaling; the HorizontalPodAutoscaler owns "
                "the replica count (use autoscaling.min_replicas instead)",
            )
        return None, autoscaling[0], autoscaling[1]
    replicas = r.value("replicas", DEFAULTS["replicas"], rule.non_negative_int)
    return replicas, replicas, replicas


def read_run_as_user(r: Fields) -> pulumi.Input[int]:
    user: pulumi.Input[int] = r.value("run_as_user", DEFAULTS["run_as_user"], rule.unix_id)
    return user


def read(
    r: Fields,
    name: str,
    replicas: tuple[pulumi.Input[int] | None, pulumi.Input[int], pulumi.Input[int]],
    run_as_user: pulumi.Input[int],
) -> WorkloadSpec:
    fixed, planned, most = replicas
    return WorkloadSpec(
        name=name,
        replicas=fixed,
        planned_replicas=planned,
        max_replicas=most,
        run_as_user=run_as_user,
        run_as_group=r.value("run_as_group", DEFAULTS["run_as_group"], rule.unix_id),
        image_pull_secrets=r.checked_items("image_pull_secrets", rule.dns_subdomain),
        node_selector=label_map(r, "node_selector"),
        tolerations=tolerations(r),
        affinity=affinity(r, selector_labels(name)),
        priority_class_name=r.optional("priority_class_name", rule.dns_subdomain),
        pod_annotations=annotation_map(r, "pod_annotations"),
        deployment_annotations=annotation_map(r, "deployment_annotations"),
        host_aliases=host_aliases(r),
        service_account_name=r.optional_text("service_account_name"),
    )


def can_run_two_or_more(spec: WorkloadSpec) -> bool:
    """A PDB only makes sense when two or more replicas can exist.

    With an Output replica count the answer is unknown at construction, so the
    PDB is created (``maxUnavailable: 1`` is harmless for a single replica).
    """
    most = spec.max_replicas
    if isinstance(most, int):
        return most >= 2
    return True


# -- rendering ---------------------------------------------------------------------------


def topology_spread(name: str) -> list[dict[str, Any]]:
    """Spread over zones and nodes; preferred, so a small cluster can still schedule."""
    return [
        {
            "maxSkew": 1,
            "topologyKey": key,
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": selector_labels(name)},
            "matchLabelKeys": ["pod-template-hash"],
        }
        for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")
    ]


@dataclass(frozen=True)
class PodParts:
    """What the other facets put into the pod template."""

    labels: Mapping[str, pulumi.Input[str]]
    annotations: Mapping[str, Any]
    """Pod annotations from the other facets (the component's, checksums, Prometheus)."""
    main: dict[str, Any]
    init: list[dict[str, Any]]
    volumes: list[dict[str, Any]]
    """Volumes after /tmp."""
    termination_grace_period_seconds: pulumi.Input[int]


def pod_template(spec: WorkloadSpec, parts: PodParts) -> dict[str, Any]:
    """The pod template: hardened pod security context, spread, placement, containers."""
    template_meta: dict[str, Any] = {"labels": dict(parts.labels)}
    pod_annotations = {**parts.annotations}
    if pod_annotations:
        template_meta["annotations"] = pod_annotations
    pod: dict[str, Any] = {
        "serviceAccountName": spec.service_account_name or spec.name,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "terminationGracePeriodSeconds": parts.termination_grace_period_seconds,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": spec.run_as_user,
            "runAsGroup": spec.run_as_group,
            "fsGroup": spec.run_as_group,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "topologySpreadConstraints": topology_spread(spec.name),
        "containers": [parts.main],
        "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}, *parts.volumes],
    }
    if parts.init:
        pod["initContainers"] = parts.init
    if spec.image_pull_secrets:
        pod["imagePullSecrets"] = [{"name": n} for n in spec.image_pull_secrets]
    if spec.node_selector:
        pod["nodeSelector"] = dict(spec.node_selector)
    if spec.tolerations:
        pod["tolerations"] = list(spec.tolerations)
    if spec.affinity:
        pod["affinity"] = dict(spec.affinity)
    if spec.priority_class_name is not None:
        pod["priorityClassName"] = spec.priority_class_name
    if spec.host_aliases:
        pod["hostAliases"] = [dict(a) for a in spec.host_aliases]
    return {"metadata": template_meta, "spec": pod}


def deployment_spec(
    name: str,
    template: Mapping[str, Any],
    release_labels: Mapping[str, str],
    replicas: pulumi.Input[int] | None,
    strategy: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A Deployment running ``template`` that never drops below capacity while rolling out,
    told apart from a sibling by ``release_labels`` (the blue/green colour or the canary
    track) in its selector and pods. ``replicas`` is None when an HPA owns the count, so
    server-side apply and the HPA never fight over it."""
    metadata = dict(template.get("metadata") or {})
    metadata["labels"] = {**(metadata.get("labels") or {}), **release_labels}
    d: dict[str, Any] = {
        "selector": {"matchLabels": {**selector_labels(name), **release_labels}},
        "strategy": dict(strategy)
        if strategy is not None
        else {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"}},
        "progressDeadlineSeconds": 600,
        "revisionHistoryLimit": 5,
        "template": {**template, "metadata": metadata},
    }
    if replicas is not None:
        d["replicas"] = replicas
    return d


def pdb_spec(name: str) -> dict[str, Any]:
    """At most one pod down at a time through voluntary disruptions."""
    return {
        "maxUnavailable": 1,
        "selector": {"matchLabels": selector_labels(name)},
        "unhealthyPodEvictionPolicy": "AlwaysAllow",
    }


# -- placement ---------------------------------------------------------------------------


def host_aliases(r: Fields) -> list[dict[str, Any]]:
    """``host_aliases``: a valid IP and at least one host name each."""
    out = []
    for a in r.sections("host_aliases", HostAliasArgs):
        if not a.present("ip"):
            raise a.fail("ip", None, "is required")
        names = a.texts("hostnames")
        if not names:
            raise a.fail("hostnames", names, "needs at least one host name")
        for i, name in enumerate(names):
            rule.dns_subdomain(r.component, a.field(f"hostnames[{i}]"), name)
        out.append({"ip": a.value("ip", None, _ip_address), "hostnames": names})
    return out


def _ip_address(component: str, field: str, value: object) -> str:
    if isinstance(value, str):
        try:
            ipaddress.ip_address(value)
            return value
        except ValueError:
            pass
    raise ValidationError(
        component, field, value, "must be an IP address, such as 10.0.0.7 or 2001:db8::7"
    )


def tolerations(r: Fields) -> list[dict[str, Any]]:
    out = []
    c = r.component
    for t in r.sections("tolerations", TolerationArgs):
        operator = t.text("operator", DEFAULTS["tolerations.operator"])
        rule.one_of(c, t.field("operator"), operator, rule.TOLERATION_OPERATORS)
        key = t.optional_text("key")
        if key:
            rule.qualified_name(c, t.field("key"), key)
        elif operator != "Exists":
            raise t.fail("operator", operator, 'must be "Exists" when key is empty')
        entry: dict[str, Any] = {"operator": operator}
        if key:
            entry["key"] = key
        value = t.optional_text("value")
        if value:
            if operator == "Exists":
                raise t.fail("value", value, 'must be empty with operator "Exists"')
            entry["value"] = rule.version_label(c, t.field("value"), value)
        effect = t.optional_text("effect")
        if effect:
            entry["effect"] = rule.one_of(c, t.field("effect"), effect, rule.TAINT_EFFECTS)
        if t.present("toleration_seconds"):
            if effect != "NoExecute":
                raise t.fail(
                    "toleration_seconds",
                    t.raw("toleration_seconds"),
                    "only applies with effect NoExecute",
                )
            entry["tolerationSeconds"] = t.value("toleration_seconds", None, rule.non_negative_int)
        out.append(entry)
    return out


def affinity(r: Fields, selector: Mapping[str, str]) -> dict[str, Any] | None:
    a = r.nested("affinity", AffinityArgs)
    if a is None:
        return None
    out: dict[str, Any] = {}
    node: dict[str, Any] = {}
    required = [
        _requirement(q, weighted=False) for q in a.sections("node_required", NodeRequirementArgs)
    ]
    if required:
        node["requiredDuringSchedulingIgnoredDuringExecution"] = {
            "nodeSelectorTerms": [{"matchExpressions": required}]
        }
    preferred = []
    for q in a.sections("node_preferred", NodeRequirementArgs):
        weight = q.integer("weight", DEFAULTS["affinity.node_preferred.weight"])
        if not 1 <= weight <= 100:
            raise q.fail("weight", weight, "must be an integer from 1 to 100")
        preferred.append(
            {"weight": weight, "preference": {"matchExpressions": [_requirement(q, weighted=True)]}}
        )
    if preferred:
        node["preferredDuringSchedulingIgnoredDuringExecution"] = preferred
    if node:
        out["nodeAffinity"] = node
    mode = a.text("pod_anti_affinity", DEFAULTS["affinity.pod_anti_affinity"])
    rule.one_of(a.component, a.field("pod_anti_affinity"), mode, rule.ANTI_AFFINITY)
    topology = a.text(
        "pod_anti_affinity_topology_key", DEFAULTS["affinity.pod_anti_affinity_topology_key"]
    )
    rule.qualified_name(a.component, a.field("pod_anti_affinity_topology_key"), topology)
    term = {"labelSelector": {"matchLabels": dict(selector)}, "topologyKey": topology}
    if mode == "preferred":
        out["podAntiAffinity"] = {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100, "podAffinityTerm": term}
            ]
        }
    elif mode == "required":
        out["podAntiAffinity"] = {"requiredDuringSchedulingIgnoredDuringExecution": [term]}
    return out or None


def _requirement(q: Fields, *, weighted: bool) -> dict[str, Any]:
    c = q.component
    if not weighted and q.present("weight"):
        raise q.fail("weight", q.raw("weight"), "only applies to affinity.node_preferred")
    key = rule.qualified_name(c, q.field("key"), q.required_text("key"))
    operator = rule.one_of(c, q.field("operator"), q.required_text("operator"), rule.NODE_OPERATORS)
    values = q.texts("values")
    if operator in ("In", "NotIn") and not values:
        raise q.fail("values", values, f"needs at least one value with operator {operator}")
    if operator in ("Exists", "DoesNotExist") and values:
        raise q.fail("values", values, f"must be empty with operator {operator}")
    if operator in ("Gt", "Lt") and (len(values) != 1 or not values[0].lstrip("-").isdigit()):
        raise q.fail("values", values, f"must be exactly one integer with operator {operator}")
    entry: dict[str, Any] = {"key": key, "operator": operator}
    if values:
        entry["values"] = values
    return entry
