"""The two programs every benchmark compares: N WebServices, and the same objects raw.

``raw_services`` declares, with plain pulumi_kubernetes resources, the objects a
WebService with ``SERVICE_ARGS`` creates: the baseline a user would write by hand.
Its manifests come from :func:`raw_manifests`, computed ahead and never timed, so
a comparison isolates the component's own overhead (validation, building the
manifests, the component resource and its outputs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

SERVICE_ARGS: dict[str, Any] = {
    "image": "registry.local/app:1.0.0",
    "replicas": 2,
    "config": {"LOG_LEVEL": "info", "FEATURE_X": "on"},
}

RESOURCES_PER_SERVICE = 7
"""Kubernetes objects per service (Namespace, ServiceAccount, ConfigMap, Deployment,
Service, PodDisruptionBudget, NetworkPolicy); the component adds itself as an 8th."""

VARIANTS = ("component", "raw")

APPLICATION = "application"
"""N services in one moorage.Application: one shared namespace, and every
service but the first refers to the first (a common backend), as in a real stack."""


def service_names(n: int, prefix: str = "svc") -> list[str]:
    """The names of the N services (DNS-1035 labels, so ``prefix`` starts with a letter)."""
    return [f"{prefix}{i}" for i in range(n)]


def webservices(n: int, opts: pulumi.ResourceOptions | None = None, prefix: str = "svc") -> None:
    """Declare N WebServices with ``SERVICE_ARGS``."""
    from moorage import WebService

    for name in service_names(n, prefix):
        WebService(name, dict(SERVICE_ARGS), opts)  # type: ignore[arg-type]


def application(n: int, opts: pulumi.ResourceOptions | None = None, prefix: str = "svc") -> None:
    """Declare one Application of N services in the shared namespace ``prefix``."""
    from moorage import Application

    names = service_names(n, prefix)
    services = {name: {**SERVICE_ARGS, "namespace": prefix} for name in names}
    refs = {name: {"BACKEND_URL": {"service": names[0]}} for name in names[1:]}
    Application(
        prefix,
        {"namespaces": {prefix: {}}, "services": services, "service_refs": refs},  # type: ignore[typeddict-item]
        opts,
    )


def raw_manifests(n: int, prefix: str = "svc") -> list[dict[str, Any]]:
    """The exact objects N WebServices would declare, as plain JSON-able data.

    Built with the component's own pure builders, so the baseline registers the
    very same manifests.
    """
    from moorage.webservice import CONFIG_CHECKSUM, build_spec, config_checksum, render

    prepared = []
    for name in service_names(n, prefix):
        spec = build_spec(name, dict(SERVICE_ARGS))  # type: ignore[arg-type]
        data = cast(Mapping[str, str], spec.config.config)
        m = render(spec, {CONFIG_CHECKSUM: config_checksum(data)})
        prepared.append(
            {
                "name": spec.name,
                "labels": m.labels,
                "namespace_labels": m.namespace_metadata["labels"],
                "config": dict(data),
                "deployment": m.deployment,
                "service": m.service(),
                "pdb": m.pdb,
                "network_policy": m.network_policy,
            }
        )
    return prepared


def raw_services(
    prepared: list[dict[str, Any]], opts: pulumi.ResourceOptions | None = None
) -> None:
    """Declare the prepared objects with plain pulumi_kubernetes resources."""
    base = opts or pulumi.ResourceOptions()
    for svc in prepared:
        name, labels = svc["name"], svc["labels"]
        ns = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata={"name": name, "labels": svc["namespace_labels"]},
            opts=base,
        )
        namespace = ns.metadata.apply(lambda meta: meta.name)

        def meta(
            object_name: str, namespace: Any = namespace, labels: Any = labels
        ) -> dict[str, Any]:
            return {"name": object_name, "namespace": namespace, "labels": labels}

        sa = k8s.core.v1.ServiceAccount(
            f"{name}-service-account",
            metadata=meta(name),
            automount_service_account_token=False,
            opts=base,
        )
        cm = k8s.core.v1.ConfigMap(
            f"{name}-config", metadata=meta(f"{name}-config"), data=svc["config"], opts=base
        )
        k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=meta(name),
            spec=svc["deployment"],
            opts=pulumi.ResourceOptions.merge(base, pulumi.ResourceOptions(depends_on=[sa, cm])),
        )
        k8s.core.v1.Service(f"{name}-service", metadata=meta(name), spec=svc["service"], opts=base)
        k8s.policy.v1.PodDisruptionBudget(
            f"{name}-pdb", metadata=meta(name), spec=svc["pdb"], opts=base
        )
        k8s.networking.v1.NetworkPolicy(
            f"{name}-network-policy", metadata=meta(name), spec=svc["network_policy"], opts=base
        )


def declare(
    variant: str,
    n: int,
    opts: pulumi.ResourceOptions | None = None,
    *,
    prefix: str = "svc",
    prepared: list[dict[str, Any]] | None = None,
) -> None:
    """Declare one benchmark program: ``component`` or ``raw`` (``prepared`` required)."""
    if variant == "component":
        webservices(n, opts, prefix)
    elif variant == APPLICATION:
        application(n, opts, prefix)
    elif variant == "raw":
        if prepared is None:
            raise ValueError("the raw program needs its manifests prepared ahead")
        raw_services(prepared, opts)
    else:
        raise ValueError(f"unknown variant {variant!r} (expected one of {VARIANTS})")
