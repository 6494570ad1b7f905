"""EksCluster: a private, encrypted, audited EKS cluster built from pulumi-aws primitives.

Defaults follow terraform-aws-eks, the most locked-down anchor: private API
endpoint, API access entries with no implicit creator admin, KMS-encrypted
secrets with rotation, api/audit/authenticator logs kept 90 days, IRSA, EKS
managed addons, AL2023 nodes with IMDSv2 required, and a managed node group
whose desired size belongs to the autoscaler. Every default can be overridden.
"""

import functools
import ipaddress
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
import pulumi_aws as aws

from .._errors import ValidationError
from .base import KubernetesCluster
from .cluster_validation import (
    DEFAULT_KUBERNETES_VERSION,
    Fields,
    check_allow_list,
    check_kubernetes_version,
    check_node_bounds,
    check_one_of,
    check_pattern,
    check_private_cidr,
    check_range,
    component_label,
)
from .kubeconfig import eks_kubeconfig
from .provider import kubernetes_provider

if sys.version_info >= (3, 11):
    from typing import NotRequired
else:  # pragma: no cover
    from typing_extensions import NotRequired

TYPE_TOKEN = "moorage:index:EksCluster"

CAPACITY_TYPES = ("ON_DEMAND", "SPOT")
AMI_TYPE = "AL2023_x86_64_STANDARD"
CONTROL_PLANE_LOG_TYPES = ("api", "audit", "authenticator")
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827)
"""Retention periods CloudWatch Logs accepts (up to five years)."""

ADDONS_BEFORE_NODES = ("vpc-cni", "kube-proxy", "eks-pod-identity-agent")
"""Node-level addons, installed before the node group so nodes join with them."""
ADDONS_AFTER_NODES = ("coredns", "metrics-server")
"""Addons that run as Deployments and so need nodes; metrics-server makes HPAs work."""
ADDONS = ADDONS_BEFORE_NODES + ADDONS_AFTER_NODES

CLUSTER_ROLE_POLICIES = ("AmazonEKSClusterPolicy",)
NODE_ROLE_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonEKS_CNI_Policy",
)
ADMIN_ACCESS_POLICY = "AmazonEKSClusterAdminPolicy"

NODE_GROUP_IGNORE_CHANGES = ["scalingConfig.desiredSize"]
"""The cluster autoscaler owns the desired size once the node group exists."""

OIDC_CLIENT_IDS = ["sts.amazonaws.com"]

_REGION = r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d"
_CLUSTER_NAME = r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}"
_PRINCIPAL_ARN = r"arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+"


class EksNodeGroupArgs(TypedDict):
    """The managed node group (AL2023, IMDSv2 required)."""

    instance_types: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """EC2 instance types, e.g. ["t3.medium"]. List several for SPOT. Default ["t3.medium"]."""
    capacity_type: NotRequired[pulumi.Input[str]]
    """Either "ON_DEMAND" or "SPOT". Default "ON_DEMAND"."""
    min_size: NotRequired[pulumi.Input[int]]
    """Fewest nodes (0 or more). Default 2."""
    max_size: NotRequired[pulumi.Input[int]]
    """Most nodes the autoscaler may add (at least 1, and at least min_size). Default 4."""
    desired_size: NotRequired[pulumi.Input[int]]
    """Nodes at creation, between min_size and max_size. Later changes are ignored so the
    cluster autoscaler owns it. Default min_size."""
    disk_size_gib: NotRequired[pulumi.Input[int]]
    """Encrypted gp3 root volume size per node, 20-16384 GiB. Default 50."""
    metadata_hop_limit: NotRequired[pulumi.Input[int]]
    """IMDSv2 response hop limit: 1 keeps pods (other than host-network ones) away from the
    node's instance credentials; 2 lets pods reach IMDS. Default 1."""


class EksClusterArgs(TypedDict):
    """Arguments of EksCluster. Snake_case keys, exactly as in the stack config.

    Fields are ``pulumi.Input``s, but only ``vpc_id``, the items of ``admin_principal_arns``,
    ``private_subnet_ids`` and ``public_subnet_ids``, the values of ``addon_versions``,
    ``delete_unreachable`` and ``tags`` may be Outputs. Every other value (those lists and
    that mapping themselves, node_group and its fields included) must be known when the
    program runs, because it is validated before anything is created or decides which
    resources exist.
    """

    region: pulumi.Input[str]
    """AWS region, e.g. "us-west-2". Required: the component creates its own aws.Provider."""
    admin_principal_arns: pulumi.Input[Sequence[pulumi.Input[str]]]
    """IAM role or user ARNs made cluster admins through EKS access entries. Required and
    non-empty: the creator is not made admin implicitly, so list the role Pulumi deploys with."""
    cluster_name: NotRequired[pulumi.Input[str]]
    """Name of the EKS cluster in AWS. Default: the component name."""
    kubernetes_version: NotRequired[pulumi.Input[str]]
    """Pinned Kubernetes minor version ("1.32"-"1.35"). Default "1.34"."""
    vpc_cidr: NotRequired[pulumi.Input[str]]
    """Private range of the VPC Moorage creates, /16 to /20. Default "10.0.0.0/16"."""
    availability_zone_count: NotRequired[pulumi.Input[int]]
    """How many availability zones get a public and a private subnet, 2-6. Default 3."""
    nat_gateway_per_az: NotRequired[pulumi.Input[bool]]
    """One NAT gateway per availability zone (resilient) instead of one shared (cheaper).
    Default false."""
    vpc_id: NotRequired[pulumi.Input[str]]
    """Bring your own VPC: its id. Needs private_subnet_ids; no network resources are created."""
    private_subnet_ids: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Bring your own VPC: private subnets (two or more AZs, with NAT egress) for the control
    plane ENIs and nodes."""
    public_subnet_ids: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Bring your own VPC: public subnets, reported as an output (tag them
    kubernetes.io/role/elb=1 for internet-facing load balancers)."""
    public_access_cidrs: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """CIDRs allowed to reach a public API endpoint. Empty means the endpoint is private only.
    Default []."""
    allow_public_endpoint_from_anywhere: NotRequired[pulumi.Input[bool]]
    """Accept 0.0.0.0/0 in public_access_cidrs. Default false."""
    kms_key_deletion_window_days: NotRequired[pulumi.Input[int]]
    """Waiting period, 7-30 days, before the secrets KMS key is deleted. Default 30."""
    log_retention_days: NotRequired[pulumi.Input[int]]
    """Retention of the control-plane log group (a CloudWatch-accepted value). Default 90."""
    node_group: NotRequired[pulumi.Input[EksNodeGroupArgs]]
    """The managed node group. Default: 2-4 t3.medium ON_DEMAND nodes."""
    addon_versions: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Pinned addon versions by addon name (vpc-cni, coredns, kube-proxy,
    eks-pod-identity-agent, metrics-server). Unpinned addons get the most recent version
    for kubernetes_version."""
    delete_unreachable: NotRequired[pulumi.Input[bool]]
    """Let the Kubernetes provider drop resources of a cluster that is already gone, so a
    throwaway stack can be destroyed. Default false."""
    tags: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Tags added to every AWS resource (through the provider's default_tags)."""


@dataclass(frozen=True)
class EksSpec:
    """EksClusterArgs after validation, with every default filled in."""

    label: str
    region: str
    partition: str
    cluster_name: str
    kubernetes_version: str
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
    instance_types: list[str]
    capacity_type: str
    min_size: int
    max_size: int
    desired_size: int
    disk_size_gib: int
    metadata_hop_limit: int
    addon_versions: dict[str, pulumi.Input[str]]
    delete_unreachable: pulumi.Input[bool]
    tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None

    @property
    def bring_your_own_vpc(self) -> bool:
        return self.vpc_id is not None


def aws_partition(region: str) -> str:
    """The ARN partition of a region: aws, aws-cn or aws-us-gov."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def subnet_layout(vpc_cidr: str, zones: int) -> tuple[list[str], list[str]]:
    """(public, private) subnet CIDRs, one of each per availability zone.

    The VPC is cut into eighths: each private subnet gets a whole eighth (a /19 of
    a /16, for pods and nodes: the VPC CNI gives pods VPC addresses), and the last
    eighth is cut again into small public subnets for load balancers and NAT.
    """
    eighths = list(ipaddress.IPv4Network(vpc_cidr).subnets(prefixlen_diff=3))
    private = [str(block) for block in eighths[:zones]]
    public = [str(block) for block in list(eighths[-1].subnets(prefixlen_diff=3))[:zones]]
    return public, private


def validate_eks_args(name: str, args: Mapping[str, Any]) -> EksSpec:
    """Validate EksClusterArgs; raise ValidationError before anything is created."""
    label = component_label("EksCluster", name)
    fields = Fields(label, args)
    fields.reject_unknown(EksClusterArgs.__annotations__, "EksClusterArgs")
    nodes = fields.section("node_group")
    nodes.reject_unknown(EksNodeGroupArgs.__annotations__, "EksNodeGroupArgs")

    region = check_pattern(
        fields, "region", fields.required_text("region"), _REGION, 'an AWS region like "us-west-2"'
    )
    cluster_name = check_pattern(
        fields,
        "cluster_name",
        fields.text("cluster_name", name),
        _CLUSTER_NAME,
        "1-100 letters, digits, hyphens or underscores, starting with a letter or digit",
    )
    version = check_kubernetes_version(
        fields, "kubernetes_version", fields.text("kubernetes_version", DEFAULT_KUBERNETES_VERSION)
    )

    # Network: either Moorage builds it, or the caller brings a VPC.
    vpc_id = fields.raw("vpc_id")
    private_subnet_ids = fields.items("private_subnet_ids")
    public_subnet_ids = fields.items("public_subnet_ids")
    if vpc_id is not None or private_subnet_ids or public_subnet_ids:
        if vpc_id is None:
            raise fields.fail("vpc_id", None, "is required when subnet ids are given")
        if isinstance(vpc_id, str):
            check_pattern(fields, "vpc_id", vpc_id, r"vpc-[0-9a-f]+", 'a VPC id like "vpc-0abc123"')
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
                    check_pattern(
                        fields,
                        f"{key}[{i}]",
                        subnet,
                        r"subnet-[0-9a-f]+",
                        'a subnet id like "subnet-0abc123"',
                    )
        for key in ("vpc_cidr", "availability_zone_count", "nat_gateway_per_az"):
            if fields.present(key):
                raise fields.fail(
                    key, fields.raw(key), "only applies when Moorage creates the VPC (no vpc_id)"
                )
    vpc_cidr = str(
        check_private_cidr(fields, "vpc_cidr", fields.text("vpc_cidr", "10.0.0.0/16"), 16, 20)
    )
    zones = check_range(
        fields, "availability_zone_count", fields.integer("availability_zone_count", 3), 2, 6
    )

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
            check_pattern(
                fields,
                f"admin_principal_arns[{i}]",
                arn,
                _PRINCIPAL_ARN,
                "an IAM role or user ARN like arn:aws:iam::123456789012:role/deploy "
                "(not an assumed-role session ARN)",
            )

    allow_anywhere = fields.boolean("allow_public_endpoint_from_anywhere", False)
    public_access_cidrs = check_allow_list(
        fields,
        "public_access_cidrs",
        fields.texts("public_access_cidrs"),
        allow_anywhere=allow_anywhere,
        flag="allow_public_endpoint_from_anywhere",
    )

    retention = fields.integer("log_retention_days", 90)
    if retention not in LOG_RETENTION_DAYS:
        raise fields.fail(
            "log_retention_days",
            retention,
            "must be a CloudWatch Logs retention period: "
            + ", ".join(map(str, LOG_RETENTION_DAYS)),
        )

    instance_types = nodes.texts("instance_types", ["t3.medium"])
    if not instance_types:
        raise nodes.fail("instance_types", instance_types, "must list at least one instance type")
    min_size = nodes.integer("min_size", 2)
    max_size = nodes.integer("max_size", 4)
    desired_size = nodes.integer("desired_size", min_size)
    check_node_bounds(
        nodes,
        min_key="min_size",
        min_value=min_size,
        max_key="max_size",
        max_value=max_size,
        desired_key="desired_size",
        desired_value=desired_size,
    )

    addon_versions = fields.mapping("addon_versions")
    for addon in addon_versions:
        if addon not in ADDONS:
            raise fields.fail(
                f"addon_versions.{addon}",
                addon_versions[addon],
                f"is not a managed addon; expected one of {', '.join(ADDONS)}",
            )

    return EksSpec(
        label=label,
        region=region,
        partition=aws_partition(region),
        cluster_name=cluster_name,
        kubernetes_version=version,
        vpc_cidr=vpc_cidr,
        availability_zone_count=zones,
        nat_gateway_per_az=fields.boolean("nat_gateway_per_az", False),
        vpc_id=vpc_id,
        private_subnet_ids=private_subnet_ids,
        public_subnet_ids=public_subnet_ids,
        admin_principal_arns=admins,
        public_access_cidrs=public_access_cidrs,
        kms_key_deletion_window_days=check_range(
            fields,
            "kms_key_deletion_window_days",
            fields.integer("kms_key_deletion_window_days", 30),
            7,
            30,
        ),
        log_retention_days=retention,
        instance_types=instance_types,
        capacity_type=check_one_of(
            nodes, "capacity_type", nodes.text("capacity_type", "ON_DEMAND"), CAPACITY_TYPES
        ),
        min_size=min_size,
        max_size=max_size,
        desired_size=desired_size,
        disk_size_gib=check_range(
            nodes, "disk_size_gib", nodes.integer("disk_size_gib", 50), 20, 16384
        ),
        metadata_hop_limit=check_range(
            nodes, "metadata_hop_limit", nodes.integer("metadata_hop_limit", 1), 1, 2
        ),
        addon_versions=addon_versions,
        delete_unreachable=fields.raw("delete_unreachable", False),
        tags=fields.raw("tags"),
    )


def _assume_role_policy(service: str, actions: Sequence[str]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": list(actions)}
            ],
        }
    )


def _kms_use_policy(key_arn: str) -> str:
    """Lets the cluster role use (only) its own secrets key."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                    "Resource": key_arn,
                }
            ],
        }
    )


def _zone(names: Sequence[str], index: int, spec: EksSpec) -> str:
    if index >= len(names):
        raise ValidationError(
            spec.label,
            "availability_zone_count",
            spec.availability_zone_count,
            f"is more than the {len(names)} availability zones available in {spec.region}",
        )
    return names[index]


def _oidc_issuer(identities: Sequence[Any] | None) -> str:
    issuer: str = identities[0].oidcs[0].issuer if identities else ""
    return issuer


def _with(base: pulumi.ResourceOptions, **extra: Any) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions.merge(base, pulumi.ResourceOptions(**extra))


@dataclass
class _Network:
    vpc_id: pulumi.Input[str]
    private_subnet_ids: list[pulumi.Input[str]]
    public_subnet_ids: list[pulumi.Input[str]]
    egress_ready: list[pulumi.Resource]
    """Resources nodes need before they can reach ECR and the EKS API (NAT routes)."""


class EksCluster(KubernetesCluster):
    """An EKS cluster with a managed node group, core addons, IRSA and a ready Provider."""

    @classmethod
    def identity_annotations(cls, identity: pulumi.Input[str]) -> Mapping[str, pulumi.Input[str]]:
        """IRSA: ``identity`` is the ARN of an IAM role that trusts ``oidc_provider_arn``."""
        return {"eks.amazonaws.com/role-arn": identity}

    oidc_provider_arn: pulumi.Output[str]
    """ARN of the IAM OIDC provider for IRSA; use it in an IAM role's trust policy."""
    oidc_issuer_url: pulumi.Output[str]
    """The cluster's OIDC issuer URL (https://oidc.eks.REGION.amazonaws.com/id/...)."""
    vpc_id: pulumi.Output[str]
    """The cluster's VPC (created, or the one brought in)."""
    private_subnet_ids: pulumi.Output[list[str]]
    """Private subnets of the control plane ENIs and nodes."""
    public_subnet_ids: pulumi.Output[list[str]]
    """Public subnets for internet-facing load balancers (may be empty with your own VPC)."""
    node_role_arn: pulumi.Output[str]
    """IAM role of the nodes."""
    kms_key_arn: pulumi.Output[str]
    """KMS key that encrypts Kubernetes Secrets."""

    def __init__(
        self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        spec = validate_eks_args(name, args)
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        aws_provider = aws.Provider(
            f"{name}-aws",
            region=spec.region,
            default_tags={"tags": spec.tags} if spec.tags is not None else None,
            opts=child,
        )
        cloud = _with(child, provider=aws_provider)
        invoke = pulumi.InvokeOutputOptions(parent=self, provider=aws_provider)

        network = self._network(name, spec, cloud, invoke)

        # IAM: AWS managed policies only, plus use of the cluster's own KMS key.
        cluster_role = aws.iam.Role(
            f"{name}-cluster-role",
            assume_role_policy=_assume_role_policy(
                "eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]
            ),
            opts=cloud,
        )
        cluster_policies = [
            aws.iam.RolePolicyAttachment(
                f"{name}-cluster-{policy}",
                role=cluster_role.name,
                policy_arn=f"arn:{spec.partition}:iam::aws:policy/{policy}",
                opts=cloud,
            )
            for policy in CLUSTER_ROLE_POLICIES
        ]
        node_role = aws.iam.Role(
            f"{name}-node-role",
            assume_role_policy=_assume_role_policy("ec2.amazonaws.com", ["sts:AssumeRole"]),
            opts=cloud,
        )
        node_policies = [
            aws.iam.RolePolicyAttachment(
                f"{name}-node-{policy}",
                role=node_role.name,
                policy_arn=f"arn:{spec.partition}:iam::aws:policy/{policy}",
                opts=cloud,
            )
            for policy in NODE_ROLE_POLICIES
        ]

        # Secrets encryption and control-plane logs, both in place before the cluster.
        key = aws.kms.Key(
            f"{name}-kms",
            description=f"Encrypts Kubernetes Secrets of EKS cluster {spec.cluster_name}",
            enable_key_rotation=True,
            deletion_window_in_days=spec.kms_key_deletion_window_days,
            opts=cloud,
        )
        key_use = aws.iam.RolePolicy(
            f"{name}-cluster-kms",
            role=cluster_role.name,
            policy=key.arn.apply(_kms_use_policy),
            opts=cloud,
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/aws/eks/{spec.cluster_name}/cluster",
            retention_in_days=spec.log_retention_days,
            opts=cloud,
        )

        public_endpoint = bool(spec.public_access_cidrs)
        cluster = aws.eks.Cluster(
            f"{name}-cluster",
            name=spec.cluster_name,
            version=spec.kubernetes_version,
            role_arn=cluster_role.arn,
            vpc_config={
                "subnet_ids": network.private_subnet_ids,
                "endpoint_private_access": True,
                "endpoint_public_access": public_endpoint,
                "public_access_cidrs": spec.public_access_cidrs if public_endpoint else None,
            },
            access_config={
                "authentication_mode": "API",
                "bootstrap_cluster_creator_admin_permissions": False,
            },
            encryption_config={"provider": {"key_arn": key.arn}, "resources": ["secrets"]},
            enabled_cluster_log_types=list(CONTROL_PLANE_LOG_TYPES),
            opts=_with(cloud, depends_on=[log_group, key_use, *cluster_policies]),
        )

        # Explicit admins through access entries (authentication_mode API).
        admin_access: list[pulumi.Resource] = []
        for i, principal in enumerate(spec.admin_principal_arns):
            entry = aws.eks.AccessEntry(
                f"{name}-admin-{i}",
                cluster_name=cluster.name,
                principal_arn=principal,
                type="STANDARD",
                opts=cloud,
            )
            admin_access.append(
                aws.eks.AccessPolicyAssociation(
                    f"{name}-admin-{i}-policy",
                    cluster_name=cluster.name,
                    principal_arn=principal,
                    policy_arn=(
                        f"arn:{spec.partition}:eks::aws:cluster-access-policy/{ADMIN_ACCESS_POLICY}"
                    ),
                    access_scope={"type": "cluster"},
                    opts=_with(cloud, depends_on=[entry]),
                )
            )

        # IRSA. IAM trusts the EKS issuer's certificate through its own CA library,
        # so no thumbprint is pinned (and no TLS provider is needed).
        issuer = cluster.identities.apply(_oidc_issuer)
        oidc = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc",
            url=issuer,
            client_id_lists=OIDC_CLIENT_IDS,
            opts=cloud,
        )

        def addon(addon_name: str, depends_on: list[pulumi.Resource]) -> aws.eks.Addon:
            version = spec.addon_versions.get(addon_name)
            if version is None:
                version = aws.eks.get_addon_version_output(
                    addon_name=addon_name,
                    kubernetes_version=spec.kubernetes_version,
                    most_recent=True,
                    opts=invoke,
                ).version
            return aws.eks.Addon(
                f"{name}-{addon_name}",
                cluster_name=cluster.name,
                addon_name=addon_name,
                addon_version=version,
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="PRESERVE",
                opts=_with(cloud, depends_on=depends_on),
            )

        node_addons = [addon(addon_name, []) for addon_name in ADDONS_BEFORE_NODES]

        launch_template = aws.ec2.LaunchTemplate(
            f"{name}-nodes-lt",
            description=f"Nodes of EKS cluster {spec.cluster_name}",
            update_default_version=True,
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": spec.metadata_hop_limit,
            },
            block_device_mappings=[
                {
                    "device_name": "/dev/xvda",
                    "ebs": {
                        "volume_size": spec.disk_size_gib,
                        "volume_type": "gp3",
                        "encrypted": "true",
                        "delete_on_termination": "true",
                    },
                }
            ],
            opts=cloud,
        )
        node_group = aws.eks.NodeGroup(
            f"{name}-nodes",
            cluster_name=cluster.name,
            version=cluster.version,
            node_role_arn=node_role.arn,
            subnet_ids=network.private_subnet_ids,
            ami_type=AMI_TYPE,
            capacity_type=spec.capacity_type,
            instance_types=spec.instance_types,
            scaling_config={
                "min_size": spec.min_size,
                "max_size": spec.max_size,
                "desired_size": spec.desired_size,
            },
            update_config={"max_unavailable": 1},
            launch_template={
                "id": launch_template.id,
                "version": launch_template.latest_version.apply(str),
            },
            opts=_with(
                cloud,
                ignore_changes=NODE_GROUP_IGNORE_CHANGES,
                depends_on=[*node_policies, *network.egress_ready, *node_addons],
            ),
        )
        workload_addons = [addon(addon_name, [node_group]) for addon_name in ADDONS_AFTER_NODES]

        # Kubeconfig from stable outputs only, with an exec plugin: never a token.
        region = spec.region
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(
                cluster.name,
                cluster.endpoint,
                cluster.certificate_authority.apply(lambda ca: ca.data),
            ).apply(
                lambda values: eks_kubeconfig(
                    cluster_name=values[0], endpoint=values[1], ca_data=values[2], region=region
                )
            )
        )
        # app -> provider -> (nodes, addons, admin access) -> cluster, so workloads wait
        # for a usable cluster and are deleted before it.
        self.provider = kubernetes_provider(
            name,
            self.kubeconfig,
            self,
            delete_unreachable=spec.delete_unreachable,
            depends_on=[node_group, *node_addons, *workload_addons, *admin_access],
        )
        self.cluster_name = cluster.name
        self.endpoint = cluster.endpoint
        self.oidc_provider_arn = oidc.arn
        self.oidc_issuer_url = issuer
        self.vpc_id = pulumi.Output.from_input(network.vpc_id)
        self.private_subnet_ids = pulumi.Output.all(*network.private_subnet_ids)
        self.public_subnet_ids = pulumi.Output.all(*network.public_subnet_ids)
        self.node_role_arn = node_role.arn
        self.kms_key_arn = key.arn
        self.register_outputs(
            {
                "kubeconfig": self.kubeconfig,
                "cluster_name": self.cluster_name,
                "endpoint": self.endpoint,
                "oidc_provider_arn": self.oidc_provider_arn,
                "oidc_issuer_url": self.oidc_issuer_url,
                "vpc_id": self.vpc_id,
                "private_subnet_ids": self.private_subnet_ids,
                "public_subnet_ids": self.public_subnet_ids,
                "node_role_arn": self.node_role_arn,
                "kms_key_arn": self.kms_key_arn,
            }
        )

    def _network(
        self,
        name: str,
        spec: EksSpec,
        cloud: pulumi.ResourceOptions,
        invoke: pulumi.InvokeOutputOptions,
    ) -> _Network:
        """The VPC: public subnets (ELBs, NAT) and private subnets (nodes) in each AZ."""
        if spec.bring_your_own_vpc:
            assert spec.vpc_id is not None
            return _Network(spec.vpc_id, spec.private_subnet_ids, spec.public_subnet_ids, [])

        zones = aws.get_availability_zones_output(
            state="available",
            filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
            opts=invoke,
        )
        public_cidrs, private_cidrs = subnet_layout(spec.vpc_cidr, spec.availability_zone_count)
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=spec.vpc_cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": f"{spec.cluster_name}-vpc"},
            opts=cloud,
        )
        gateway = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=vpc.id, tags={"Name": f"{spec.cluster_name}-igw"}, opts=cloud
        )
        public: list[aws.ec2.Subnet] = []
        private: list[aws.ec2.Subnet] = []
        for i in range(spec.availability_zone_count):
            zone = zones.names.apply(functools.partial(_zone, index=i, spec=spec))
            public.append(
                aws.ec2.Subnet(
                    f"{name}-public-{i}",
                    vpc_id=vpc.id,
                    cidr_block=public_cidrs[i],
                    availability_zone=zone,
                    map_public_ip_on_launch=False,
                    tags={"Name": f"{spec.cluster_name}-public-{i}", "kubernetes.io/role/elb": "1"},
                    opts=cloud,
                )
            )
            private.append(
                aws.ec2.Subnet(
                    f"{name}-private-{i}",
                    vpc_id=vpc.id,
                    cidr_block=private_cidrs[i],
                    availability_zone=zone,
                    tags={
                        "Name": f"{spec.cluster_name}-private-{i}",
                        "kubernetes.io/role/internal-elb": "1",
                    },
                    opts=cloud,
                )
            )

        public_routes = aws.ec2.RouteTable(
            f"{name}-public-rt",
            vpc_id=vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}],
            tags={"Name": f"{spec.cluster_name}-public"},
            opts=cloud,
        )
        for i, subnet in enumerate(public):
            aws.ec2.RouteTableAssociation(
                f"{name}-public-rta-{i}",
                subnet_id=subnet.id,
                route_table_id=public_routes.id,
                opts=cloud,
            )

        nat_count = spec.availability_zone_count if spec.nat_gateway_per_az else 1
        private_routes: list[aws.ec2.RouteTable] = []
        for i in range(nat_count):
            address = aws.ec2.Eip(
                f"{name}-nat-eip-{i}",
                domain="vpc",
                tags={"Name": f"{spec.cluster_name}-nat-{i}"},
                opts=_with(cloud, depends_on=[gateway]),
            )
            nat = aws.ec2.NatGateway(
                f"{name}-nat-{i}",
                allocation_id=address.allocation_id,
                subnet_id=public[i].id,
                tags={"Name": f"{spec.cluster_name}-nat-{i}"},
                opts=_with(cloud, depends_on=[gateway]),
            )
            private_routes.append(
                aws.ec2.RouteTable(
                    f"{name}-private-rt-{i}",
                    vpc_id=vpc.id,
                    routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}],
                    tags={"Name": f"{spec.cluster_name}-private-{i}"},
                    opts=cloud,
                )
            )
        associations: list[pulumi.Resource] = [
            aws.ec2.RouteTableAssociation(
                f"{name}-private-rta-{i}",
                subnet_id=subnet.id,
                route_table_id=private_routes[min(i, nat_count - 1)].id,
                opts=cloud,
            )
            for i, subnet in enumerate(private)
        ]
        return _Network(
            vpc.id,
            [subnet.id for subnet in private],
            [subnet.id for subnet in public],
            associations,
        )
