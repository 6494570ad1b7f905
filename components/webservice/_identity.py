"""Identity: the service's name, namespace, labels and annotations, shared by every object.

Owns the ``namespace``, ``create_namespace``, ``labels``, ``annotations``, ``version``,
``component`` and ``service_account_annotations`` fields, and renders every object's
metadata and the Namespace's Pod Security labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from .. import _rules as rule
from .._defaults import Computed
from .._fields import Fields, checked
from ._maps import annotation_map, label_map

DEFAULTS: dict[str, Any] = {
    "namespace": Computed("the component name"),
    "create_namespace": Computed("true when namespace is omitted, else false"),
    "version": Computed("the image tag"),
    "component": "web",
    "service_account_name": Computed("a ServiceAccount of its own, named after the service"),
}
"""The defaults of this facet's fields, by dotted path (the reference prints them)."""


MANAGED_BY = "pulumi"
VERSION_LABEL = "app.kubernetes.io/version"


@dataclass(frozen=True)
class IdentitySpec:
    name: str
    namespace: pulumi.Input[str]
    create_namespace: bool
    labels: Mapping[str, pulumi.Input[str]]
    annotations: Mapping[str, pulumi.Input[str]]
    version: pulumi.Input[str]
    component: pulumi.Input[str]
    service_account_annotations: Mapping[str, pulumi.Input[str]]
    service_account_name: str | None = None
    """An existing ServiceAccount the pods use (none is created), or None."""


def read_namespace(r: Fields, name: str) -> tuple[pulumi.Input[str], bool]:
    """The namespace (default: the service's name) and whether the service creates it."""
    create = r.boolean("create_namespace", not r.present("namespace"))
    namespace = r.value(
        "namespace", name, lambda c, f, v: rule.namespace_claim(c, f, v, create=create)
    )
    return namespace, create


def read(
    r: Fields, name: str, namespace: tuple[pulumi.Input[str], bool], image: pulumi.Input[str]
) -> IdentitySpec:
    return IdentitySpec(
        name=name,
        namespace=namespace[0],
        create_namespace=namespace[1],
        labels=label_map(r, "labels"),
        annotations=annotation_map(r, "annotations"),
        version=(
            r.value("version", None, rule.version_label)
            if r.present("version")
            else checked(image, rule.image_version)
        ),
        component=r.value("component", DEFAULTS["component"], rule.version_label),
        service_account_annotations=annotation_map(r, "service_account_annotations"),
        service_account_name=_existing_service_account(r),
    )


def _existing_service_account(r: Fields) -> str | None:
    """``service_account_name``: it decides whether a ServiceAccount is created."""
    name = r.optional_text("service_account_name")
    if name is None:
        return None
    rule.dns_subdomain(r.component, r.field("service_account_name"), name)
    if r.present("service_account_annotations"):
        raise r.fail(
            "service_account_annotations",
            None,
            "cannot be set with service_account_name: that ServiceAccount is not created here",
        )
    return name


def selector_labels(name: str) -> dict[str, str]:
    """Labels that select the pods. They never change after creation."""
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": name}


def standard_labels(spec: IdentitySpec) -> dict[str, pulumi.Input[str]]:
    """The app.kubernetes.io labels plus the user's; ours win on conflict."""
    return {
        **spec.labels,
        **selector_labels(spec.name),
        VERSION_LABEL: spec.version,
        "app.kubernetes.io/component": spec.component,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }


def metadata(
    spec: IdentitySpec,
    name: str,
    namespace: pulumi.Input[str] | None,
    extra_annotations: Mapping[str, pulumi.Input[str]] | None = None,
    *,
    workload: bool = False,
) -> dict[str, Any]:
    """ObjectMeta with a deterministic name, the standard labels and annotations.

    Only the workload (and its pod template) carries ``app.kubernetes.io/version``: an
    image bump then changes the Deployment alone, not the Service, ServiceAccount,
    NetworkPolicy and the rest."""
    labels = standard_labels(spec)
    if not workload:
        labels.pop(VERSION_LABEL)
    meta: dict[str, Any] = {"name": name, "labels": labels}
    if namespace is not None:
        meta["namespace"] = namespace
    merged = {**spec.annotations, **(extra_annotations or {})}
    if merged:
        meta["annotations"] = merged
    return meta


def namespace_labels() -> dict[str, str]:
    """Pod Security Admission: enforce the restricted profile in created namespaces."""
    return {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
    }


def namespace_metadata(spec: IdentitySpec) -> dict[str, Any]:
    """The created Namespace's metadata: named after ``namespace``, Pod Security enforced."""
    meta = metadata(spec, spec.namespace, None)  # type: ignore[arg-type]
    meta["labels"] = {**meta["labels"], **namespace_labels()}
    return meta
