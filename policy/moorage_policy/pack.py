"""The pulumi-policy adapter: turns the catalogue into a running ``PolicyPack``.

Only this module imports ``pulumi_policy``. Each validation copies the resource's
properties into plain data (unknown values become ``UNKNOWN``) and reports one
violation per finding, with the fix in the message.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from moorage_policy.availability import StackResource
from moorage_policy.catalogue import RESOURCE_POLICIES, STACK_POLICIES, ResourcePolicy, StackPolicy
from moorage_policy.props import plain

PACK_NAME = "moorage"

_LEVELS = {level.value: level for level in EnforcementLevel}


def _metadata(policy: ResourcePolicy | StackPolicy) -> dict[str, Any]:
    """What both kinds of pulumi-policy policy take from a catalogue entry."""
    return {
        "name": policy.name,
        "description": policy.description,
        "enforcement_level": _LEVELS[policy.level],
        "config_schema": PolicyConfigSchema(properties=policy.config) if policy.config else None,
        "remediation_steps": policy.rationale,
    }


def resource_validation(policy: ResourcePolicy) -> ResourceValidationPolicy:
    """A pulumi-policy ResourceValidationPolicy running ``policy.check``."""

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if not policy.applies_to(args.resource_type):
            return
        config = dict(args.get_config() or {})
        for finding in policy.check(args.resource_type, plain(args.props), config):
            report(finding.message, None)

    return ResourceValidationPolicy(validate=validate, **_metadata(policy))


def stack_validation(policy: StackPolicy) -> StackValidationPolicy:
    """A pulumi-policy StackValidationPolicy running ``policy.check`` over every resource."""

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        resources = [
            StackResource(r.resource_type, r.name, r.urn, plain(r.props)) for r in args.resources
        ]
        for resource, finding in policy.check(resources, dict(args.get_config() or {})):
            report(finding.message, resource.urn)

    return StackValidationPolicy(validate=validate, **_metadata(policy))


def policies() -> list[ResourceValidationPolicy | StackValidationPolicy]:
    """Every policy of the pack, ready for ``PolicyPack``."""
    return [
        *(resource_validation(p) for p in RESOURCE_POLICIES),
        *(stack_validation(p) for p in STACK_POLICIES),
    ]


def serve() -> None:
    """Start the analyzer (blocks: the engine talks to it over gRPC until it is done)."""
    PolicyPack(
        name=PACK_NAME,
        description="Moorage guardrails: Kubernetes workload best practices, EKS and GKE "
        "cluster hardening.",
        policies=list(policies()),
    )
