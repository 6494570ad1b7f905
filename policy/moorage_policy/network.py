"""Services exposed outside the cluster."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moorage._rules import PUBLIC_LOAD_BALANCER_ANNOTATION, load_balancer_exposure

from moorage_policy.props import Finding, dig, is_unknown, items, mapping, name_of

__all__ = ["PUBLIC_LOAD_BALANCER_ANNOTATION", "check_load_balancer", "is_service"]

LEGACY_SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges"
"""The older annotation form of ``spec.loadBalancerSourceRanges``; it counts too."""


def is_service(resource_type: str) -> bool:
    return resource_type == "kubernetes:core/v1:Service"


def check_load_balancer(props: Mapping[str, Any]) -> list[Finding]:
    """A LoadBalancer Service needs a source-range allow-list or an explicit opt-out."""
    service_type = dig(props, "spec", "type")
    if service_type != "LoadBalancer":
        return []
    annotations = mapping(dig(props, "metadata", "annotations"))
    if str(annotations.get(PUBLIC_LOAD_BALANCER_ANNOTATION, "")).lower() == "true":
        return []
    ranges = dig(props, "spec", "loadBalancerSourceRanges")
    if is_unknown(ranges) or any(is_unknown(r) for r in items(ranges)):
        return []
    listed = [str(r) for r in items(ranges)]
    legacy = annotations.get(LEGACY_SOURCE_RANGES_ANNOTATION)
    if isinstance(legacy, str):
        listed += [r.strip() for r in legacy.split(",") if r.strip()]
    # The components' rule: no range, or one that allows every address, is no allow-list.
    problem = load_balancer_exposure(listed)
    if problem is None:
        return []
    return [
        Finding(
            f"LoadBalancer Service {name_of(props)} {problem}, so it is reachable from the "
            "whole internet",
            "list the client CIDRs in spec.loadBalancerSourceRanges (WebService: "
            "`load_balancer_source_ranges`, or `extra_services[].load_balancer_source_ranges`), "
            f"or, if it must be public, annotate the Service with {PUBLIC_LOAD_BALANCER_ANNOTATION}"
            ': "true" (WebService: `service_annotations` for the main Service, '
            "`extra_services[].annotations` for an extra one)",
        )
    ]
