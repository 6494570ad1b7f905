"""Availability across resources: PodDisruptionBudgets and HorizontalPodAutoscalers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from moorage_policy.props import UNKNOWN, Finding, dig, is_unknown, items, mapping, name_of
from moorage_policy.workloads import is_deployment

PRODUCTION = "production"


@dataclass(frozen=True)
class StackResource:
    """One resource of the stack, as a stack validation sees it."""

    type: str
    name: str
    urn: str
    props: dict[str, Any]


def is_hpa(resource_type: str) -> bool:
    """A HorizontalPodAutoscaler of any autoscaling API version."""
    return resource_type.startswith("kubernetes:autoscaling/") and resource_type.endswith(
        ":HorizontalPodAutoscaler"
    )


def is_pdb(resource_type: str) -> bool:
    """A PodDisruptionBudget of any policy API version."""
    return resource_type.startswith("kubernetes:policy/") and resource_type.endswith(
        ":PodDisruptionBudget"
    )


def check_hpa(props: Mapping[str, Any], environment: str = "development") -> list[Finding]:
    """minReplicas <= maxReplicas, and minReplicas >= 2 in production."""
    spec = dig(props, "spec")
    low = dig(spec, "minReplicas")
    high = dig(spec, "maxReplicas")
    low = 1 if low is None else low  # the API's default
    findings = []
    if isinstance(low, int) and isinstance(high, int) and low > high:
        findings.append(
            Finding(
                f"HPA {name_of(props)}: minReplicas ({low}) is greater than maxReplicas ({high})",
                "lower minReplicas or raise maxReplicas (WebService: `autoscaling.min_replicas` "
                "and `autoscaling.max_replicas`)",
            )
        )
    if environment == PRODUCTION and isinstance(low, int) and low < 2:
        findings.append(
            Finding(
                f"HPA {name_of(props)}: minReplicas is {low} in production, so one node "
                "failure or eviction takes the service down",
                "set minReplicas to 2 or more (WebService: `autoscaling.min_replicas`)",
            )
        )
    return findings


def selector_matches(selector: Any, labels: Mapping[str, Any]) -> bool | None:
    """Does a label selector select pods with ``labels``? None when it cannot be told.

    A missing selector selects nothing; an empty one (``{}``) selects every pod
    (policy/v1 semantics).
    """
    if selector is None:
        return False
    if is_unknown(selector):
        return None
    unsure = False
    for key, value in mapping(dig(selector, "matchLabels")).items():
        if is_unknown(value) or is_unknown(labels.get(key)):
            unsure = True
        elif labels.get(key) != value:
            return False
    for expression in items(dig(selector, "matchExpressions")):
        verdict = _expression_matches(expression, labels)
        if verdict is None:
            unsure = True
        elif not verdict:
            return False
    return None if unsure else True


def _expression_matches(expression: Any, labels: Mapping[str, Any]) -> bool | None:
    key, operator = dig(expression, "key"), dig(expression, "operator")
    values = dig(expression, "values")
    if is_unknown(key) or is_unknown(operator) or is_unknown(values):
        return None
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    if operator in ("In", "NotIn"):
        present = key in labels and labels[key] in items(values)
        return present if operator == "In" else not present
    return None


def _namespace(props: Mapping[str, Any]) -> Any:
    namespace = dig(props, "metadata", "namespace")
    return namespace if namespace is not None else "default"


def _same_namespace(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    left, right = _namespace(a), _namespace(b)
    return is_unknown(left) or is_unknown(right) or left == right


def most_replicas(deployment: Mapping[str, Any], hpas: Sequence[Mapping[str, Any]]) -> Any:
    """The most pods the Deployment can run: its replicas, or its HPA's maxReplicas."""
    replicas = dig(deployment, "spec", "replicas")
    counts = [1 if replicas is None else replicas]
    name = dig(deployment, "metadata", "name")
    for hpa in hpas:
        target = dig(hpa, "spec", "scaleTargetRef")
        if (
            dig(target, "kind") == "Deployment"
            and isinstance(name, str)
            and dig(target, "name") == name
            and _same_namespace(deployment, hpa)
        ):
            counts.append(dig(hpa, "spec", "maxReplicas"))
    known = [c for c in counts if isinstance(c, int)]
    if len(known) < len(counts):
        return UNKNOWN  # not known during this preview
    return max(known)


def check_pdbs(resources: Sequence[StackResource]) -> list[tuple[StackResource, Finding]]:
    """Every Deployment that can run 2+ replicas has a PDB selecting its pods."""
    hpas = [r.props for r in resources if is_hpa(r.type)]
    pdbs = [r.props for r in resources if is_pdb(r.type)]
    findings = []
    for resource in resources:
        if not is_deployment(resource.type):
            continue
        props = resource.props
        most = most_replicas(props, hpas)
        labels = dig(props, "spec", "template", "metadata", "labels")
        if not isinstance(most, int) or most < 2 or not isinstance(labels, Mapping):
            continue  # a single replica, or not known during this preview
        covered = any(
            _same_namespace(props, pdb)
            and selector_matches(dig(pdb, "spec", "selector"), labels) is not False
            for pdb in pdbs
        )
        if not covered:
            findings.append(
                (
                    resource,
                    Finding(
                        f"Deployment {name_of(props, resource.name)} can run {most} replicas "
                        "but no PodDisruptionBudget selects its pods, so a node drain may "
                        "evict them all at once",
                        "add a policy/v1 PodDisruptionBudget in the same namespace whose "
                        "spec.selector matches the pod template labels, with maxUnavailable: 1 "
                        "(WebService: `replicas`; it creates one whenever it can run 2 or more)",
                    ),
                )
            )
    return findings
