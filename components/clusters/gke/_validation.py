"""GkeClusterArgs -> GkeSpec: every rule checked, every default filled, before any resource."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from ... import _rules as rule
from ..._fields import Fields
from ..._rules import component_label
from ...addons import AddonSpec, read_addons
from .._nodes import Taint, labels, read_pools, taints
from .._versions import SUPPORTED_KUBERNETES_VERSIONS
from ._args import (
    DEFAULTS,
    GkeClusterArgs,
    GkeMaintenanceWindowArgs,
    GkeNetworkArgs,
    GkeNodePoolArgs,
)

RELEASE_CHANNELS = ("RAPID", "REGULAR", "STABLE", "EXTENDED")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
NODE_LABEL_RESERVED = ("kubernetes.io", "k8s.io", "gke.io", "cloud.google.com")
MAINTENANCE_ANCHOR = "2026-01-05"
"""A Monday; the recurring window's first occurrence is computed from it (GKE only uses the
time of day and the RRULE's days)."""

_PROJECT = r"[a-z][a-z0-9-]{4,28}[a-z0-9]"
_REGION = r"[a-z]+-[a-z]+\d+"
_CLUSTER_NAME = r"[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?"
_POOL_NAME = r"[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?"
_RESOURCE_NAME = r"[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?"
_NETWORK_PATH = re.compile(r"projects/([^/]+)/global/networks/([^/]+)")
_SUBNETWORK_PATH = re.compile(r"projects/([^/]+)/regions/([^/]+)/subnetworks/([^/]+)")
_KMS_KEY = re.compile(r"projects/[^/]+/locations/([^/]+)/keyRings/[^/]+/cryptoKeys/[^/]+")
_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True)
class GkeNodePoolSpec:
    """One node pool after validation."""

    name: str
    machine_type: str
    spot: bool
    min_nodes: int
    max_nodes: int
    disk_size_gb: int
    labels: dict[str, str]
    taints: list[Taint]


@dataclass(frozen=True)
class GkeNetworkSpec:
    """An existing network, resolved to full paths."""

    network: str
    subnetwork: str
    host_project: str
    pods_range_name: str
    services_range_name: str

    def shared_vpc(self, project: str) -> bool:
        return self.host_project != project


@dataclass(frozen=True)
class MaintenanceWindow:
    """A weekly recurring window, as GKE's recurring_window takes it."""

    days: list[str]
    start_time: str
    duration_hours: int

    @property
    def recurrence(self) -> str:
        return f"FREQ=WEEKLY;BYDAY={','.join(self.days)}"

    def bounds(self) -> tuple[str, str]:
        """(start, end) RFC 3339 timestamps of a first occurrence."""
        hour, minute = (int(part) for part in self.start_time.split(":"))
        end_minutes = hour * 60 + minute + self.duration_hours * 60
        day = int(MAINTENANCE_ANCHOR[-2:]) + end_minutes // (24 * 60)
        end_hour, end_minute = divmod(end_minutes % (24 * 60), 60)
        start = f"{MAINTENANCE_ANCHOR}T{self.start_time}:00Z"
        end = f"{MAINTENANCE_ANCHOR[:-2]}{day:02d}T{end_hour:02d}:{end_minute:02d}:00Z"
        return start, end


@dataclass(frozen=True)
class GkeSpec:
    """GkeClusterArgs after validation, with every default filled in."""

    label: str
    project: str
    region: str
    zone: str | None
    cluster_name: str
    kubernetes_version: str
    release_channel: str
    autopilot: bool
    deletion_protection: bool
    network: GkeNetworkSpec | None
    subnet_cidr: str
    pods_cidr: str
    services_cidr: str
    master_ipv4_cidr_block: str
    enable_private_endpoint: bool
    master_authorized_networks: list[str]
    cloud_nat: bool
    node_pools: list[GkeNodePoolSpec]
    maintenance_window: MaintenanceWindow
    managed_prometheus: bool
    secrets_encryption_key: pulumi.Input[str] | None
    kms_key_rotation_days: int
    delete_unreachable: pulumi.Input[bool]
    labels: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None
    addons: list[AddonSpec]
    """Helm add-ons (and cluster features, such as the Gateway controller) to switch on."""

    @property
    def location(self) -> str:
        """Where the cluster lives: the region (regional) or the zone (zonal)."""
        return self.zone or self.region

    @property
    def workload_pool(self) -> str:
        return f"{self.project}.svc.id.goog"


def node_service_account_id(cluster_name: str) -> str:
    """A 6-30 character service account id derived from the cluster name."""
    return f"{cluster_name[:24].rstrip('-')}-nodes"


def validate_gke_args(name: str, args: Mapping[str, Any]) -> GkeSpec:
    """Validate GkeClusterArgs; raise ValidationError before anything is created."""
    label = component_label(name, "GkeCluster")
    fields = Fields(label, args)
    fields.reject_unknown(GkeClusterArgs.__annotations__, "GkeClusterArgs")

    project = rule.pattern(
        fields.component,
        fields.field("project"),
        fields.required_text("project"),
        _PROJECT,
        'a GCP project id like "acme-prod" (6-30 lowercase letters, digits or hyphens)',
    )
    region = rule.pattern(
        fields.component,
        fields.field("region"),
        fields.required_text("region"),
        _REGION,
        'a GCP region like "us-central1"',
    )
    zone = fields.optional_text("zone")
    if zone is not None:
        rule.pattern(
            fields.component,
            fields.field("zone"),
            zone,
            rf"{region}-[a-z]",
            f'a zone of {region}, like "{region}-a"',
        )
    autopilot = fields.boolean("autopilot", DEFAULTS["autopilot"])
    if autopilot and zone is not None:
        raise fields.fail("zone", zone, "cannot be set: Autopilot clusters are always regional")
    if autopilot and fields.present("node_pools"):
        raise fields.fail(
            "node_pools", fields.raw("node_pools"), "cannot be set: Autopilot manages the nodes"
        )
    cluster_name = rule.pattern(
        fields.component,
        fields.field("cluster_name"),
        fields.text("cluster_name", name),
        _CLUSTER_NAME,
        "1-40 lowercase letters, digits or hyphens, starting with a letter "
        "and not ending with a hyphen",
    )
    version = rule.kubernetes_version(
        fields.component,
        fields.field("kubernetes_version"),
        fields.text("kubernetes_version", DEFAULTS["kubernetes_version"]),
        SUPPORTED_KUBERNETES_VERSIONS,
    )
    channel = rule.one_of(
        fields.component,
        fields.field("release_channel"),
        fields.text("release_channel", DEFAULTS["release_channel"]),
        RELEASE_CHANNELS,
    )

    network = _existing_network(fields, project, region)
    master = rule.private_ipv4_network(
        fields.component,
        fields.field("master_ipv4_cidr_block"),
        fields.text("master_ipv4_cidr_block", DEFAULTS["master_ipv4_cidr_block"]),
        28,
        28,
    )
    subnet = rule.private_ipv4_network(
        fields.component,
        fields.field("subnet_cidr"),
        fields.text("subnet_cidr", DEFAULTS["subnet_cidr"]),
        8,
        29,
    )
    pods = rule.private_ipv4_network(
        fields.component,
        fields.field("pods_cidr"),
        fields.text("pods_cidr", DEFAULTS["pods_cidr"]),
        8,
        24,
    )
    services = rule.private_ipv4_network(
        fields.component,
        fields.field("services_cidr"),
        fields.text("services_cidr", DEFAULTS["services_cidr"]),
        8,
        27,
    )
    ranges = {"master_ipv4_cidr_block": master}
    if network is None:
        ranges = {"subnet_cidr": subnet, "pods_cidr": pods, "services_cidr": services, **ranges}
    rule.no_overlap(fields.component, {fields.field(k): v for k, v in ranges.items()})
    allow_anywhere = fields.boolean(
        "allow_public_endpoint_from_anywhere", DEFAULTS["allow_public_endpoint_from_anywhere"]
    )
    authorized = rule.api_allow_list(
        fields.component,
        fields.field("master_authorized_networks"),
        fields.texts("master_authorized_networks"),
        allow_anywhere=allow_anywhere,
        flag="allow_public_endpoint_from_anywhere",
    )

    managed_prometheus = fields.boolean("managed_prometheus", autopilot)
    if autopilot and not managed_prometheus:
        raise fields.fail(
            "managed_prometheus", False, "cannot be turned off: Autopilot always runs it"
        )

    key = _secrets_key(fields, region)

    return GkeSpec(
        label=label,
        project=project,
        region=region,
        zone=zone,
        cluster_name=cluster_name,
        kubernetes_version=version,
        release_channel=channel,
        autopilot=autopilot,
        deletion_protection=fields.boolean("deletion_protection", DEFAULTS["deletion_protection"]),
        network=network,
        subnet_cidr=str(subnet),
        pods_cidr=str(pods),
        services_cidr=str(services),
        master_ipv4_cidr_block=str(master),
        enable_private_endpoint=fields.boolean(
            "enable_private_endpoint", DEFAULTS["enable_private_endpoint"]
        ),
        master_authorized_networks=authorized,
        cloud_nat=fields.boolean("cloud_nat", network is None),
        node_pools=[] if autopilot else _node_pools(fields),
        maintenance_window=_maintenance_window(fields),
        managed_prometheus=managed_prometheus,
        secrets_encryption_key=key,
        kms_key_rotation_days=rule.int_between(
            fields.component,
            fields.field("kms_key_rotation_days"),
            fields.integer("kms_key_rotation_days", DEFAULTS["kms_key_rotation_days"]),
            1,
            365,
        ),
        delete_unreachable=fields.raw("delete_unreachable", DEFAULTS["delete_unreachable"]),
        labels=fields.raw("labels"),
        addons=read_addons(fields, "addons", "gke-autopilot" if autopilot else "gke"),
    )


def _secrets_key(fields: Fields, region: str) -> pulumi.Input[str] | None:
    """The user's Cloud KMS key, in the cluster's region, or None (Moorage makes one)."""
    key: pulumi.Input[str] | None = fields.raw("secrets_encryption_key")
    if isinstance(key, str):
        match = _KMS_KEY.fullmatch(key)
        if match is None:
            raise fields.fail(
                "secrets_encryption_key",
                key,
                "must be a Cloud KMS key like "
                '"projects/P/locations/REGION/keyRings/R/cryptoKeys/K"',
            )
        if match.group(1) != region:
            raise fields.fail(
                "secrets_encryption_key",
                key,
                f"is in {match.group(1)}; GKE needs a key in the cluster's region {region}",
            )
    if key is not None and fields.present("kms_key_rotation_days"):
        raise fields.fail(
            "kms_key_rotation_days",
            fields.raw("kms_key_rotation_days"),
            "only applies to the key Moorage creates (no secrets_encryption_key)",
        )
    return key


def _existing_network(fields: Fields, project: str, region: str) -> GkeNetworkSpec | None:
    """An existing network, or None when Moorage creates one. Names become full paths in the
    host project; a path into another project is a Shared VPC and needs host_project."""
    if not fields.present("network"):
        return None
    _refuse_created_network_fields(fields)
    net = fields.section("network")
    net.reject_unknown(GkeNetworkArgs.__annotations__, "GkeNetworkArgs")
    host = _host_project(net, project)
    owner = host or project
    network = _network_path(net, "network", owner, host, region)
    subnetwork = _network_path(net, "subnetwork", owner, host, region)
    pods = net.text("pods_range_name", DEFAULTS["network.pods_range_name"])
    services = net.text("services_range_name", DEFAULTS["network.services_range_name"])
    if pods == services:
        raise net.fail("services_range_name", services, "must differ from pods_range_name")
    return GkeNetworkSpec(network, subnetwork, owner, pods, services)


def _refuse_created_network_fields(fields: Fields) -> None:
    """The created network's settings make no sense with an existing network."""
    for key in ("subnet_cidr", "pods_cidr", "services_cidr"):
        if fields.present(key):
            raise fields.fail(
                key, fields.raw(key), "only applies to the network Moorage creates (no network)"
            )
    if fields.boolean("cloud_nat", False):
        raise fields.fail(
            "cloud_nat",
            True,
            "only applies to the network Moorage creates; give an existing network its NAT "
            "where the network is managed",
        )


def _host_project(net: Fields, project: str) -> str | None:
    """The Shared VPC host project, or None for a network in the cluster's own project."""
    host = net.optional_text("host_project")
    if host is not None:
        rule.pattern(net.component, net.field("host_project"), host, _PROJECT, "a GCP project id")
        if host == project:
            raise net.fail(
                "host_project",
                host,
                "is the cluster's own project; set it only for a Shared VPC host project",
            )
    return host


def _network_path(net: Fields, key: str, owner: str, host: str | None, region: str) -> str:
    """The full path of ``network`` or ``subnetwork``: a name in ``owner``'s project, or a
    path that must lie in that project (and, for a subnetwork, in the cluster's region)."""
    value = net.required_text(key)
    match = (_NETWORK_PATH if key == "network" else _SUBNETWORK_PATH).fullmatch(value)
    if match is None:
        rule.pattern(net.component, net.field(key), value, _RESOURCE_NAME, f"a {key} name or path")
        if key == "network":
            return f"projects/{owner}/global/networks/{value}"
        return f"projects/{owner}/regions/{region}/subnetworks/{value}"
    in_project = match.group(1)
    if in_project != owner:
        if host is None:
            raise net.fail(
                key,
                value,
                f"is in project {in_project}: a Shared VPC needs host_project: {in_project}",
            )
        raise net.fail(key, value, f"is in project {in_project}, not host_project {host}")
    if key == "subnetwork" and match.group(2) != region:
        raise net.fail(key, value, f"is in {match.group(2)}, not {region}")
    return value


def _node_pools(fields: Fields) -> list[GkeNodePoolSpec]:
    return read_pools(fields, "node_pools", DEFAULTS["node_pools"], "node pool", _node_pool)


def _node_pool(pool: Fields) -> GkeNodePoolSpec:
    pool.reject_unknown(GkeNodePoolArgs.__annotations__, "GkeNodePoolArgs")
    name = rule.pattern(
        pool.component,
        pool.field("name"),
        pool.required_text("name"),
        _POOL_NAME,
        "1-40 lowercase letters, digits or hyphens, starting with a letter",
    )
    min_nodes = pool.integer("min_nodes", DEFAULTS["node_pools.min_nodes"])
    max_nodes = pool.integer("max_nodes", DEFAULTS["node_pools.max_nodes"])
    rule.node_bounds(
        pool.component,
        min_field=pool.field("min_nodes"),
        min_value=min_nodes,
        max_field=pool.field("max_nodes"),
        max_value=max_nodes,
    )
    machine_type = rule.pattern(
        pool.component,
        pool.field("machine_type"),
        pool.text("machine_type", DEFAULTS["node_pools.machine_type"]),
        r"[a-z][a-z0-9]*-[a-z0-9-]+",
        'a Compute Engine machine type like "e2-standard-4"',
    )
    return GkeNodePoolSpec(
        name=name,
        machine_type=machine_type,
        spot=pool.boolean("spot", DEFAULTS["node_pools.spot"]),
        min_nodes=min_nodes,
        max_nodes=max_nodes,
        disk_size_gb=rule.int_between(
            pool.component,
            pool.field("disk_size_gb"),
            pool.integer("disk_size_gb", DEFAULTS["node_pools.disk_size_gb"]),
            10,
            65536,
        ),
        labels=labels(pool, "labels", NODE_LABEL_RESERVED),
        taints=taints(pool, "taints"),
    )


def _maintenance_window(fields: Fields) -> MaintenanceWindow:
    window = fields.section("maintenance_window")
    window.reject_unknown(GkeMaintenanceWindowArgs.__annotations__, "GkeMaintenanceWindowArgs")
    days = window.texts("days", DEFAULTS["maintenance_window.days"])
    if not days:
        raise window.fail("days", days, "must list at least one day")
    for i, day in enumerate(days):
        if day not in DAYS:
            raise window.fail(f"days[{i}]", day, f"must be one of {', '.join(DAYS)}")
    if len(set(days)) != len(days):
        raise window.fail("days", days, "lists a day more than once")
    start = window.text("start_time", DEFAULTS["maintenance_window.start_time"])
    if not _TIME.fullmatch(start):
        raise window.fail("start_time", start, 'must be a UTC time "HH:MM", e.g. "02:00"')
    hours = rule.int_between(
        window.component,
        window.field("duration_hours"),
        window.integer("duration_hours", DEFAULTS["maintenance_window.duration_hours"]),
        4,
        24,
    )
    # GKE refuses windows with less than 48 hours of availability in any 32 days; four
    # weeks of the window is the least any 32 days contain.
    if len(days) * hours * 4 < 48:
        raise window.fail(
            "duration_hours",
            hours,
            f"gives {len(days) * hours * 4} hours in four weeks; GKE needs at least 48 "
            "(add days or hours)",
        )
    return MaintenanceWindow(sorted(days, key=DAYS.index), start, hours)


def gateway_enabled(spec: GkeSpec) -> bool:
    """Whether the gateway add-on asks for GKE's own Gateway controller."""
    return any(a.addon.key == "gateway" for a in spec.addons)
