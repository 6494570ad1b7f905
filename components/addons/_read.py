"""Read and check ``addons`` Args for one platform: pure, before anything is created."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .._fields import Fields
from ._args import AddonArgs, ClusterAddonsArgs
from ._catalogue import ADDONS, BUILT_IN, LETS_ENCRYPT, Addon
from ._chart import ChartSpec, read_chart

_OWN_FIELDS: dict[str, tuple[str, ...]] = {
    "external_dns": ("domain_filters", "hosted_zone_ids"),
    "cert_manager": ("cluster_issuer_email", "cluster_issuer_server"),
}
"""AddonArgs fields that only one add-on reads."""
_PLATFORM_NAMES = {
    "local": "a local cluster",
    "eks": "EKS",
    "eks-auto": "EKS Auto Mode",
    "gke": "GKE",
    "gke-autopilot": "GKE Autopilot",
}


@dataclass(frozen=True)
class AddonSpec:
    """An enabled add-on, checked: its chart (None when the cluster provides it itself),
    its CRD chart, and its own settings."""

    addon: Addon
    chart: ChartSpec | None
    crds: ChartSpec | None = None
    settings: dict[str, Any] = field(default_factory=dict)


def read_addons(fields: Fields, key: str, platform: str) -> list[AddonSpec]:
    """The enabled add-ons of ``fields[key]`` (a :class:`ClusterAddonsArgs`) for
    ``platform`` (see ``_catalogue.PLATFORMS``), in catalogue order."""
    section = fields.nested(key, ClusterAddonsArgs)
    if section is None:
        return []
    enabled = []
    for name, addon in ADDONS.items():
        addon_fields = section.nested(name, AddonArgs)
        if addon_fields is None:
            continue
        _reject_fields_of_others(name, addon_fields)
        spec = _read_addon(addon, addon_fields, platform)
        if spec is not None:
            enabled.append(spec)
    return enabled


def _reject_fields_of_others(name: str, fields: Fields) -> None:
    for other, own in _OWN_FIELDS.items():
        for key in own:
            if other != name and fields.present(key):
                raise fields.fail(key, fields.raw(key), f"applies only to the {other} add-on")


def _read_addon(addon: Addon, fields: Fields, platform: str) -> AddonSpec | None:
    on = fields.boolean("enabled", False)
    chart = _chart(addon, fields)  # checked even when off, so a typo fails today
    if not on:
        return None
    if platform not in addon.supported:
        reason = addon.refused.get(platform, "it is not offered there")
        raise fields.fail(
            "enabled", True, f"cannot be turned on on {_PLATFORM_NAMES[platform]}: {reason}"
        )
    settings = _settings(addon, fields)
    if (addon.key, platform) in BUILT_IN:
        return AddonSpec(addon, None, settings=settings)
    crds = None
    if addon.crds is not None:
        crds = ChartSpec(
            release_name=f"{chart.release_name}-crds",
            chart=addon.crds.chart,
            # A CRD chart released with its main chart (Envoy Gateway) follows its version.
            version=chart.version
            if addon.crds.version == addon.chart.version
            else addon.crds.version,
            namespace=chart.namespace,
            repository=addon.crds.repository,
            create_namespace=False,
        )
    return AddonSpec(addon, chart, crds, settings)


def _chart(addon: Addon, fields: Fields) -> ChartSpec:
    """The add-on's chart with the user's version, source, namespace and values."""
    path = fields.known("path")
    repository = fields.known("repository")
    if repository is None and path is None:
        repository = addon.chart.repository
    namespace = fields.known("namespace") or addon.namespace
    chart_args = {
        "chart": addon.chart.chart,
        "version": fields.args.get("version", addon.chart.version),
        "repository": repository,
        "path": path,
        "namespace": namespace,
        "create_namespace": namespace != "kube-system",
        "values": fields.known("values"),
        "run_hooks": addon.run_hooks,
        "skip_crds": addon.crds is not None,
    }
    return read_chart(
        addon.key.replace("_", "-"), Fields(fields.component, chart_args, fields.prefix)
    )


def _settings(addon: Addon, fields: Fields) -> dict[str, Any]:
    if addon.key == "external_dns":
        domains = fields.texts("domain_filters")
        if not domains:
            raise fields.fail(
                "domain_filters",
                None,
                'is required: the domains external-dns may manage, e.g. ["example.com"]',
            )
        return {"domain_filters": domains, "hosted_zone_ids": fields.texts("hosted_zone_ids")}
    if addon.key == "cert_manager":
        email = fields.optional_text("cluster_issuer_email")
        if email is not None and "@" not in email:
            raise fields.fail("cluster_issuer_email", email, "must be an e-mail address")
        server = fields.text("cluster_issuer_server", LETS_ENCRYPT)
        if not server.startswith("https://"):
            raise fields.fail(
                "cluster_issuer_server", server, "must be an https:// ACME directory URL"
            )
        return {"cluster_issuer_email": email, "cluster_issuer_server": server}
    return {}
