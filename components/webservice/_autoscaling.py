"""Autoscaling: a HorizontalPodAutoscaler (autoscaling/v2) that owns the replica count."""

from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
from typing_extensions import NotRequired

from .. import _rules as rule
from .._defaults import Computed
from .._fields import Fields, cross_checked

DEFAULTS: dict[str, Any] = {
    "autoscaling.min_replicas": 2,
    "autoscaling.max_replicas": 10,
    "autoscaling.target_cpu_utilization": Computed("70 when no target is given"),
}
"""The defaults of this facet's fields, by dotted path (the reference prints them)."""


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


@dataclass(frozen=True)
class AutoscalingSpec:
    min_replicas: pulumi.Input[int]
    max_replicas: pulumi.Input[int]
    target_cpu_utilization: pulumi.Input[int] | None
    target_memory_utilization: pulumi.Input[int] | None


def read(r: Fields) -> AutoscalingSpec | None:
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


def hpa_spec(hpa: AutoscalingSpec, target_name: pulumi.Input[str]) -> dict[str, Any]:
    """autoscaling/v2: scale up fast, scale down after a 5-minute window.

    ``target_name`` is the Deployment to scale.
    """
    metrics = []
    for resource, target in (
        ("cpu", hpa.target_cpu_utilization),
        ("memory", hpa.target_memory_utilization),
    ):
        if target is not None:
            metrics.append(
                {
                    "type": "Resource",
                    "resource": {
                        "name": resource,
                        "target": {"type": "Utilization", "averageUtilization": target},
                    },
                }
            )
    return {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target_name},
        "minReplicas": hpa.min_replicas,
        "maxReplicas": hpa.max_replicas,
        "metrics": metrics,
        "behavior": {
            "scaleUp": {
                "stabilizationWindowSeconds": 0,
                "selectPolicy": "Max",
                "policies": [
                    {"type": "Pods", "value": 4, "periodSeconds": 60},
                    {"type": "Percent", "value": 100, "periodSeconds": 60},
                ],
            },
            "scaleDown": {
                "stabilizationWindowSeconds": 300,
                "selectPolicy": "Min",
                "policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}],
            },
        },
    }
