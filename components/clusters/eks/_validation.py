"""EksClusterArgs -> EksSpec: every rule checked, every default filled, before any resource."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from ... import _rules as rule
from ..._fields import Fields
from ..._rules import component_label
from ...addons import AddonSpec, read_addons
from .._nodes import Taint, labels, list_sections, read_pools, taints
from .._versions import SUPPORTED_KUBERNETES_VERSIONS
from ._args import DEFAULTS, EksAddonArgs, EksClusterArgs, EksNodeGroupArgs

COMPUTE_MODES = ("managed", "auto")
CAPACITY_TYPES = ("ON_DEMAND", "SPOT")
ARCHITECTURES = ("x86_64", "arm64")
AMI_TYPES = {"x86_64": "AL2023_x86_64_STANDARD", "arm64": "AL2023_ARM_64_STANDARD"}
DEFAULT_INSTANCE_TYPES = {"x86_64": ["t3.medium"], "arm64": ["t4g.medium"]}

ON_DEMAND_ONLY_FAMILIES = ("mac", "u-", "u7i", "u7in", "u7inh")
"""Instance families EC2 does not sell as Spot: Mac (Dedicated Hosts only) and High Memory."""

LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827)
"""Retention periods CloudWatch Logs accepts (up to five years)."""

ADDONS_BEFORE_NODES = ("vpc-cni", "kube-proxy", "eks-pod-identity-agent")
"""Node-level addons, installed before the node groups so nodes join with them."""
ADDONS_AFTER_NODES = ("coredns", "metrics-server", "aws-ebs-csi-driver")
"""Addons that run Deployments and so need nodes: metrics-server makes HPAs work, the EBS
CSI driver binds PersistentVolumeClaims."""
MANAGED_ADDONS = ADDONS_BEFORE_NODES + ADDONS_AFTER_NODES
"""Addons every cluster with managed node groups gets."""
AUTO_MODE_ADDONS = ("metrics-server",)
"""Auto Mode runs the CNI, kube-proxy, CoreDNS, Pod Identity agent, EBS CSI driver and load
balancer controller itself; only metrics-server is still an addon."""
AUTO_MODE_BUILT_IN = ("vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent",
                      "aws-ebs-csi-driver")  # fmt: skip
DEFAULT_ADDON_CONFIGURATION: dict[str, dict[str, Any]] = {
    # CIS EKS 5.4.4: without it the VPC CNI ignores NetworkPolicy objects.
    "vpc-cni": {"enableNetworkPolicy": "true"},
}

NODE_LABEL_RESERVED = ("kubernetes.io", "k8s.io", "eks.amazonaws.com")
NODE_GROUP_LABEL = "moorage.dev/node-group"
"""Label every node carries with its group's name (for WebService node_selector)."""

_REGION = r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d"
_CLUSTER_NAME = r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}"
_PRINCIPAL_ARN = r"arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+"
_INSTANCE_TYPE = r"[a-z][a-z0-9-]*\.[a-z0-9]+"
_NODE_GROUP_NAME = r"[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?"
_ADDON_NAME = r"[a-z0-9][a-z0-9-]{0,99}"
_GRAVITON = re.compile(r"^(a1|[a-z]+\d+[a-z-]*g[a-z-]*)$")


@dataclass(frozen=True)
class EksNodeGroupSpec:
    """One node group after validation."""

    name: str
    instance_types: list[str]
    capacity_type: str
    architecture: str
    labels: dict[str, str]
    taints: list[Taint]
    min_size: int
    max_size: int
    desired_size: int
    disk_size_gib: int
    metadata_hop_limit: int

    @property
    def ami_type(self) -> str:
        return AMI_TYPES[self.architecture]

    @property
    def node_labels(self) -> dict[str, str]:
        """The user's labels plus the group's own name label."""
        return {NODE_GROUP_LABEL: self.name, **self.labels}


@dataclass(frozen=True)
class EksAddonSpec:
    """One addon after validation: its pinned version (or None) and its configuration."""

    name: str
    version: pulumi.Input[str] | None
    configuration: dict[str, Any]
    before_nodes: bool


@dataclass(frozen=True)
class EksSpec:
    """EksClusterArgs after validation, with every default filled in."""

    label: str
    region: str
    partition: str
    cluster_name: str
    kubernetes_version: str
    compute: str
    vpc_cidr: str
    availability_zone_count: int
    nat_gateway_per_az: bool
    vpc_id: pulumi.Input[str] | None
    private_subnet_ids: list[pulumi.Input[str]]
    public_subnet_ids: list[pulumi.Input[str]]
    admin_principal_arns: list[pulumi.Input[str]]
    public_access_cidrs: list[str]
    kms_key_deletion_window_days: int
    log_retention_days: int
    node_groups: list[EksNodeGroupSpec]
    managed_addons: list[EksAddonSpec]
    cluster_autoscaler: bool
    addons: list[AddonSpec]
    """Helm add-ons to install once the nodes exist."""
    deletion_protection: bool
    delete_unreachable: pulumi.Input[bool]
    tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = field(default=None)

    @property
    def bring_your_own_vpc(self) -> bool:
        return self.vpc_id is not None

    @property
    def auto_mode(self) -> bool:
        return self.compute == "auto"


def aws_partition(region: str) -> str:
    """The ARN partition of a region: aws, aws-cn or aws-us-gov."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def instance_architecture(instance_type: str) -> str:
    """ "arm64" for Graviton types (m7g.large, c6gn.xlarge, t4g.medium), else "x86_64"."""
    return "arm64" if _GRAVITON.match(instance_type.split(".")[0]) else "x86_64"


def validate_eks_args(name: str, args: Mapping[str, Any]) -> EksSpec:
    """Validate EksClusterArgs; raise ValidationError before anything is created."""
    label = component_label(name, "EksCluster")
    fields = Fields(label, args)
    fields.reject_unknown(EksClusterArgs.__annotations__, "EksClusterArgs")

    region = rule.pattern(
        fields.component,
        fields.field("region"),
        fields.required_text("region"),
        _REGION,
        'an AWS region like "us-west-2"',
    )
    cluster_name = rule.pattern(
        fields.component,
        fields.field("cluster_name"),
        fields.text("cluster_name", name),
        _CLUSTER_NAME,
        "1-100 letters, digits, hyphens or underscores, starting with a letter or digit",
    )
    version = rule.kubernetes_version(
        fields.component,
        fields.field("kubernetes_version"),
        fields.text("kubernetes_version", DEFAULTS["kubernetes_version"]),
        SUPPORTED_KUBERNETES_VERSIONS,
    )
    compute = rule.one_of(
        fields.component,
        fields.field("compute"),
        fields.text("compute", DEFAULTS["compute"]),
        COMPUTE_MODES,
    )
    vpc_id, private_subnet_ids, public_subnet_ids = _network(fields)
    admins = _admins(fields)

    allow_anywhere = fields.boolean(
        "allow_public_endpoint_from_anywhere", DEFAULTS["allow_public_endpoint_from_anywhere"]
    )
    public_access_cidrs = rule.api_allow_list(
        fields.component,
        fields.field("public_access_cidrs"),
        fields.texts("public_access_cidrs"),
        allow_anywhere=allow_anywhere,
        flag="allow_public_endpoint_from_anywhere",
    )
    retention = fields.integer("log_retention_days", DEFAULTS["log_retention_days"])
    if retention not in LOG_RETENTION_DAYS:
        raise fields.fail(
            "log_retention_days",
            retention,
            "must be a CloudWatch Logs retention period: "
            + ", ".join(map(str, LOG_RETENTION_DAYS)),
        )

    auto = compute == "auto"
    if auto and fields.present("node_groups"):
        raise fields.fail(
            "node_groups",
            fields.raw("node_groups"),
            'cannot be set with compute "auto": Auto Mode creates and scales the nodes '
            "(use Karpenter NodePools for labels, taints and Spot)",
        )
    if auto and fields.boolean("cluster_autoscaler", False):
        raise fields.fail(
            "cluster_autoscaler",
            True,
            'cannot be set with compute "auto": Auto Mode scales the nodes itself',
        )
    node_groups = [] if auto else _node_groups(fields)
    autoscaler = False if auto else fields.boolean("cluster_autoscaler", True)

    return EksSpec(
        label=label,
        region=region,
        partition=aws_partition(region),
        cluster_name=cluster_name,
        kubernetes_version=version,
        compute=compute,
        vpc_cidr=str(
            rule.private_ipv4_network(
                fields.component,
                fields.field("vpc_cidr"),
                fields.text("vpc_cidr", DEFAULTS["vpc_cidr"]),
                16,
                20,
            )
        ),
        availability_zone_count=rule.int_between(
            fields.component,
            fields.field("availability_zone_count"),
            fields.integer("availability_zone_count", DEFAULTS["availability_zone_count"]),
            2,
            6,
        ),
        nat_gateway_per_az=fields.boolean("nat_gateway_per_az", DEFAULTS["nat_gateway_per_az"]),
        vpc_id=vpc_id,
        private_subnet_ids=private_subnet_ids,
        public_subnet_ids=public_subnet_ids,
        admin_principal_arns=admins,
        public_access_cidrs=public_access_cidrs,
        kms_key_deletion_window_days=rule.int_between(
            fields.component,
            fields.field("kms_key_deletion_window_days"),
            fields.integer(
                "kms_key_deletion_window_days", DEFAULTS["kms_key_deletion_window_days"]
            ),
            7,
            30,
        ),
        log_retention_days=retention,
        node_groups=node_groups,
        managed_addons=_managed_addons(fields, auto),
        cluster_autoscaler=autoscaler,
        addons=_helm_addons(fields, auto, autoscaler),
        deletion_protection=fields.boolean("deletion_protection", DEFAULTS["deletion_protection"]),
        delete_unreachable=fields.raw("delete_unreachable", DEFAULTS["delete_unreachable"]),
        tags=fields.raw("tags"),
    )


def _network(
    fields: Fields,
) -> tuple[pulumi.Input[str] | None, list[pulumi.Input[str]], list[pulumi.Input[str]]]:
    """Either Moorage builds the VPC, or the caller brings one (vpc_id and subnets)."""
    vpc_id = fields.raw("vpc_id")
    private_subnet_ids = fields.items("private_subnet_ids")
    public_subnet_ids = fields.items("public_subnet_ids")
    if vpc_id is None and not private_subnet_ids and not public_subnet_ids:
        return None, [], []
    if vpc_id is None:
        raise fields.fail("vpc_id", None, "is required when subnet ids are given")
    if isinstance(vpc_id, str):
        rule.pattern(
            fields.component,
            fields.field("vpc_id"),
            vpc_id,
            r"vpc-[0-9a-f]+",
            'a VPC id like "vpc-0abc123"',
        )
    if len(private_subnet_ids) < 2:
        raise fields.fail(
            "private_subnet_ids",
            private_subnet_ids,
            "must list private subnets in at least two availability zones",
        )
    for key, ids in (
        ("private_subnet_ids", private_subnet_ids),
        ("public_subnet_ids", public_subnet_ids),
    ):
        for i, subnet in enumerate(ids):
            if isinstance(subnet, str):
                rule.pattern(
                    fields.component,
                    fields.field(f"{key}[{i}]"),
                    subnet,
                    r"subnet-[0-9a-f]+",
                    'a subnet id like "subnet-0abc123"',
                )
    for key in ("vpc_cidr", "availability_zone_count", "nat_gateway_per_az"):
        if fields.present(key):
            raise fields.fail(
                key, fields.raw(key), "only applies when Moorage creates the VPC (no vpc_id)"
            )
    return vpc_id, private_subnet_ids, public_subnet_ids


def _admins(fields: Fields) -> list[pulumi.Input[str]]:
    admins = fields.items("admin_principal_arns")
    if not admins:
        raise fields.fail(
            "admin_principal_arns",
            admins,
            "must list at least one IAM role or user ARN (e.g. the role Pulumi deploys with): "
            "the cluster creator is not made admin implicitly",
        )
    for i, arn in enumerate(admins):
        if isinstance(arn, str):
            rule.pattern(
                fields.component,
                fields.field(f"admin_principal_arns[{i}]"),
                arn,
                _PRINCIPAL_ARN,
                "an IAM role or user ARN like arn:aws:iam::123456789012:role/deploy "
                "(not an assumed-role session ARN)",
            )
    return admins


def _node_groups(fields: Fields) -> list[EksNodeGroupSpec]:
    return read_pools(fields, "node_groups", DEFAULTS["node_groups"], "node group", _node_group)


def _node_group(nodes: Fields) -> EksNodeGroupSpec:
    nodes.reject_unknown(EksNodeGroupArgs.__annotations__, "EksNodeGroupArgs")
    name = rule.pattern(
        nodes.component,
        nodes.field("name"),
        nodes.required_text("name"),
        _NODE_GROUP_NAME,
        "a DNS label of at most 32 lowercase letters, digits or hyphens",
    )
    architecture = rule.one_of(
        nodes.component,
        nodes.field("architecture"),
        nodes.text("architecture", DEFAULTS["node_groups.architecture"]),
        ARCHITECTURES,
    )
    capacity_type = rule.one_of(
        nodes.component,
        nodes.field("capacity_type"),
        nodes.text("capacity_type", DEFAULTS["node_groups.capacity_type"]),
        CAPACITY_TYPES,
    )
    instance_types = nodes.texts("instance_types", DEFAULT_INSTANCE_TYPES[architecture])
    if not instance_types:
        raise nodes.fail("instance_types", instance_types, "must list at least one instance type")
    for i, instance_type in enumerate(instance_types):
        key = f"instance_types[{i}]"
        rule.pattern(
            nodes.component,
            nodes.field(key),
            instance_type,
            _INSTANCE_TYPE,
            'an EC2 type like "m7i.large"',
        )
        if instance_architecture(instance_type) != architecture:
            raise nodes.fail(
                key,
                instance_type,
                f"is an {instance_architecture(instance_type)} type but the group's "
                f'architecture is "{architecture}"',
            )
        if capacity_type == "SPOT" and instance_type.startswith(ON_DEMAND_ONLY_FAMILIES):
            raise nodes.fail(
                key, instance_type, "is not offered as Spot; use capacity_type ON_DEMAND"
            )
    if len(set(instance_types)) != len(instance_types):
        raise nodes.fail("instance_types", instance_types, "lists a type more than once")
    min_size = nodes.integer("min_size", DEFAULTS["node_groups.min_size"])
    max_size = nodes.integer("max_size", DEFAULTS["node_groups.max_size"])
    desired_size = nodes.integer("desired_size", min_size)
    rule.node_bounds(
        nodes.component,
        min_field=nodes.field("min_size"),
        min_value=min_size,
        max_field=nodes.field("max_size"),
        max_value=max_size,
        desired_field=nodes.field("desired_size"),
        desired_value=desired_size,
    )
    return EksNodeGroupSpec(
        name=name,
        instance_types=instance_types,
        capacity_type=capacity_type,
        architecture=architecture,
        labels=labels(nodes, "labels", NODE_LABEL_RESERVED),
        taints=taints(nodes, "taints"),
        min_size=min_size,
        max_size=max_size,
        desired_size=desired_size,
        disk_size_gib=rule.int_between(
            nodes.component,
            nodes.field("disk_size_gib"),
            nodes.integer("disk_size_gib", DEFAULTS["node_groups.disk_size_gib"]),
            20,
            16384,
        ),
        metadata_hop_limit=rule.int_between(
            nodes.component,
            nodes.field("metadata_hop_limit"),
            nodes.integer("metadata_hop_limit", DEFAULTS["node_groups.metadata_hop_limit"]),
            1,
            2,
        ),
    )


def _helm_addons(fields: Fields, auto: bool, autoscaler_role: bool) -> list[AddonSpec]:
    """The enabled Helm add-ons; the Cluster Autoscaler's needs the cluster_autoscaler role."""
    if isinstance(fields.raw("addons"), Sequence) and not isinstance(fields.raw("addons"), str):
        raise fields.fail(
            "addons",
            fields.raw("addons"),
            "is a list: EKS managed addons are now set with managed_addons; addons holds "
            "the Helm add-ons (a mapping such as {cert_manager: {enabled: true}})",
        )
    addons = read_addons(fields, "addons", "eks-auto" if auto else "eks")
    if not autoscaler_role and any(a.addon.key == "cluster_autoscaler" for a in addons):
        raise fields.fail(
            "addons.cluster_autoscaler.enabled",
            True,
            "needs the IAM role that cluster_autoscaler: true creates; turn that back on",
        )
    return addons


def _managed_addons(fields: Fields, auto: bool) -> list[EksAddonSpec]:
    """The default addons for the compute mode, with the user's versions and configuration,
    then any other addon the user listed (installed once nodes exist)."""
    defaults = AUTO_MODE_ADDONS if auto else MANAGED_ADDONS
    given: dict[str, tuple[pulumi.Input[str] | None, dict[str, Any]]] = {}
    for i, section in enumerate(list_sections(fields, "managed_addons")):
        section.reject_unknown(EksAddonArgs.__annotations__, "EksAddonArgs")
        addon = rule.pattern(
            section.component,
            section.field("name"),
            section.required_text("name"),
            _ADDON_NAME,
            'an EKS addon name like "aws-efs-csi-driver"',
        )
        if auto and addon in AUTO_MODE_BUILT_IN:
            raise section.fail(
                "name", addon, 'is built into Auto Mode (compute "auto"); do not add it'
            )
        if addon in given:
            raise fields.fail(f"managed_addons[{i}].name", addon, "is listed more than once")
        configuration = section.mapping("configuration")
        _check_json(section, "configuration", configuration)
        given[addon] = (section.raw("version"), configuration)
    names = [*defaults, *(addon for addon in given if addon not in defaults)]
    return [
        EksAddonSpec(
            name=addon,
            version=given.get(addon, (None, {}))[0],
            configuration={
                **DEFAULT_ADDON_CONFIGURATION.get(addon, {}),
                **given.get(addon, (None, {}))[1],
            },
            before_nodes=addon in ADDONS_BEFORE_NODES,
        )
        for addon in names
    ]


def _check_json(fields: Fields, key: str, value: Any, path: str = "") -> None:
    """Addon configuration is sent as JSON: plain strings, numbers, booleans, lists, maps."""
    where = f"{key}{path}"
    if isinstance(value, pulumi.Output):
        raise fields.fail(where, "<output>", "must be known when the program runs")
    if isinstance(value, Mapping):
        for k, v in value.items():
            _check_json(fields, key, v, f"{path}.{k}")
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for i, v in enumerate(value):
            _check_json(fields, key, v, f"{path}[{i}]")
    elif value is not None and not isinstance(value, (str, int, float, bool)):
        raise fields.fail(where, value, "must be a JSON value")
