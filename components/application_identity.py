"""Per-service cloud identity of an Application (``identities``): read and checked before
anything exists, then created for each service's ServiceAccount on the cluster's cloud.

The cloud is known when the Application is planned (``cloud``); the cluster's
:class:`~moorage.identity.IdentityTarget` is needed only to create. On GKE the
ServiceAccount's annotation names the Google service account: it is a deferred value in
the service's args, given once that account exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from ._fields import Fields
from .identity import CreatedIdentity, IdentitySpec, IdentityTarget, read_identity

SERVICE_ACCOUNT_ANNOTATION = "iam.gke.io/gcp-service-account"
"""GKE: the ServiceAccount's annotation naming its Google service account (the value of
``identity._gcp``, repeated: that module needs pulumi_gcp, an optional extra)."""

PLACEHOLDER_GOOGLE_ACCOUNT = "placeholder@placeholder.iam.gserviceaccount.com"
"""What the GKE annotation holds if the program fails before the account exists."""


@dataclass(frozen=True)
class ServiceIdentity:
    """A service's checked identity and the ServiceAccount it is bound to."""

    spec: IdentitySpec
    service_account: str
    """The ServiceAccount's name: the service's own, or its ``service_account_name``."""
    annotated: bool = False
    """GKE: the ServiceAccount names the Google service account in an annotation."""


def read_identities(
    component: str, args: Mapping[str, Any], services: Mapping[str, Any], cloud: str | None
) -> dict[str, ServiceIdentity]:
    """``identities`` by service, checked for ``cloud`` (None: no cluster was given)."""
    top = Fields(component, args)
    declared = top.mapping("identities")
    if not declared:
        return {}
    if cloud is None:
        raise top.fail(
            "identities",
            "...",
            "needs the cluster the identities are created for: pass "
            "identity_target=cluster.identity_target() to Application (Python), or set "
            "identity on the service in the stack config",
        )
    fields = Fields(component, declared, "identities.")
    found: dict[str, ServiceIdentity] = {}
    for service in declared:
        if service not in services:
            raise fields.fail(
                service,
                service,
                "is not a service of this application; services: " + ", ".join(sorted(services)),
            )
        spec = read_identity(fields, service, cloud)
        if spec is not None:
            args_of_service = services[service]
            found[service] = ServiceIdentity(
                spec,
                _service_account(component, service, args_of_service, cloud),
                annotated=_annotated(component, service, args_of_service, spec, cloud),
            )
    return found


def _service_account(component: str, service: str, args: Any, cloud: str) -> str:
    """The ServiceAccount an identity binds: the service's own unless it names one."""
    existing = args.get("service_account_name") if isinstance(args, Mapping) else None
    if existing is None:
        return service
    if cloud == "gke":
        raise Fields(component, {}, f"identities.{service}.").fail(
            "gcp",
            "...",
            f"needs the ServiceAccount the service creates (it carries the Google service "
            f"account's annotation), but services.{service}.service_account_name names an "
            "existing one: remove service_account_name",
        )
    return str(existing)


def _annotated(component: str, service: str, args: Any, spec: IdentitySpec, cloud: str) -> bool:
    """Whether the service's ServiceAccount gets the GKE annotation (not set twice)."""
    if cloud != "gke" or spec.section != "gcp":
        return False
    given = args.get("service_account_annotations") if isinstance(args, Mapping) else None
    if isinstance(given, Mapping) and SERVICE_ACCOUNT_ANNOTATION in given:
        raise Fields(component, {}, f"services.{service}.").fail(
            f"service_account_annotations.{SERVICE_ACCOUNT_ANNOTATION}",
            given[SERVICE_ACCOUNT_ANNOTATION],
            f"is set by identities.{service}.gcp; set it in one place",
        )
    return True


def with_google_annotation(
    args: dict[str, Any], deferred_email: pulumi.Output[str]
) -> dict[str, Any]:
    """``args`` whose ServiceAccount carries the Google service account (GKE)."""
    annotations = dict(args.get("service_account_annotations") or {})
    annotations[SERVICE_ACCOUNT_ANNOTATION] = deferred_email
    return {**args, "service_account_annotations": annotations}


def waiting_for(
    resources: tuple[pulumi.Resource, ...],
) -> list[pulumi.ResourceTransformation]:
    """A transformation making every descendant of a component wait for ``resources``
    (children do not inherit a component's ``depends_on``)."""
    if not resources:
        return []

    def wait(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult:
        return pulumi.ResourceTransformationResult(
            args.props,
            pulumi.ResourceOptions.merge(
                args.opts, pulumi.ResourceOptions(depends_on=list(resources))
            ),
        )

    return [wait]


__all__ = [
    "PLACEHOLDER_GOOGLE_ACCOUNT",
    "CreatedIdentity",
    "IdentityTarget",
    "ServiceIdentity",
    "read_identities",
    "waiting_for",
    "with_google_annotation",
]
