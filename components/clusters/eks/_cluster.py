"""EksCluster: a private, encrypted, audited EKS cluster built from pulumi-aws primitives.

Defaults follow terraform-aws-eks, the most locked-down anchor: private API endpoint, API
access entries with no implicit creator admin, KMS-encrypted secrets with rotation,
api/audit/authenticator logs kept 90 days, IRSA and Pod Identity, EKS managed addons with
NetworkPolicy enforced by the VPC CNI, AL2023 nodes with IMDSv2 required, and managed node
groups whose desired size belongs to the Cluster Autoscaler, or EKS Auto Mode. Every default
can be overridden.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ...addons import AddonContext, install_addons
from ...identity import AwsTarget, IdentityTarget
from .._base import KubernetesCluster
from .._kubeconfig import eks_kubeconfig
from .._kubernetes_provider import kubernetes_provider
from .._shared import with_opts
from ._args import EksClusterArgs
from ._iam import (
    CLUSTER_AUTOSCALER_NAMESPACE,
    CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
    EBS_CSI_POLICY,
    EBS_CSI_SERVICE_ACCOUNT,
    cluster_autoscaler_policy,
    create_cluster_iam,
    create_pod_identity_role,
    kms_use_policy,
)
from ._managed_addons import PodIdentity, create_addon
from ._network import EksNetwork, NetworkIds
from ._node_groups import create_node_group
from ._validation import EksSpec, validate_eks_args

TYPE_TOKEN = "moorage:index:EksCluster"

CONTROL_PLANE_LOG_TYPES = ("api", "audit", "authenticator")
ADMIN_ACCESS_POLICY = "AmazonEKSClusterAdminPolicy"
OIDC_CLIENT_IDS = ["sts.amazonaws.com"]
AUTO_MODE_NODE_POOLS = ["general-purpose", "system"]
"""Auto Mode's built-in pools: "system" (tainted CriticalAddonsOnly) and "general-purpose"."""

STORAGE_CLASS = "gp3"
EBS_PROVISIONERS = {"managed": "ebs.csi.aws.com", "auto": "ebs.csi.eks.amazonaws.com"}
"""The EBS CSI driver's name: the addon's, or Auto Mode's built-in one."""
AUTO_MODE_INGRESS_CLASS = "alb"
AUTO_MODE_ALB_CONTROLLER = "eks.amazonaws.com/alb"


def _oidc_issuer(identities: Sequence[Any] | None) -> str:
    issuer: str = identities[0].oidcs[0].issuer if identities else ""
    return issuer


class EksCluster(KubernetesCluster):
    """An EKS cluster (managed node groups or Auto Mode) with addons, storage, IRSA and Pod
    Identity, and a ready Provider."""

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
    """IAM role of the nodes (managed node groups, or Auto Mode's nodes)."""
    kms_key_arn: pulumi.Output[str]
    """KMS key that encrypts Kubernetes Secrets."""
    cluster_autoscaler_role_arn: pulumi.Output[str]
    """IAM role the Cluster Autoscaler gets through Pod Identity (service account
    kube-system/cluster-autoscaler); empty when cluster_autoscaler is off or in Auto Mode."""
    storage_class: pulumi.Output[str]
    """Name of the default StorageClass (encrypted gp3 EBS volumes)."""

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
        cloud = with_opts(child, provider=aws_provider)
        invoke = pulumi.InvokeOutputOptions(parent=self, provider=aws_provider)

        network = self._network(name, spec, aws_provider)
        iam = create_cluster_iam(name, spec, cloud)

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
            role=iam.cluster_role.name,
            policy=key.arn.apply(kms_use_policy),
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
            role_arn=iam.cluster_role.arn,
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
            deletion_protection=spec.deletion_protection,
            **_auto_mode_settings(spec, iam.node_role.arn),
            opts=with_opts(cloud, depends_on=[log_group, key_use, *iam.ready]),
        )

        admin_access = self._admins(name, spec, cluster, cloud)

        # IRSA. IAM trusts the EKS issuer's certificate through its own CA library,
        # so no thumbprint is pinned (and no TLS provider is needed).
        issuer = cluster.identities.apply(_oidc_issuer)
        oidc = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc", url=issuer, client_id_lists=OIDC_CLIENT_IDS, opts=cloud
        )

        # Addons: node-level ones before the node groups, Deployments after.
        def addon(spec_addon: Any, after: Sequence[pulumi.Resource]) -> aws.eks.Addon:
            identity = None
            if spec_addon.name == "aws-ebs-csi-driver":
                role, permissions = create_pod_identity_role(
                    f"{name}-ebs-csi", spec, managed_policy=EBS_CSI_POLICY, opts=cloud
                )
                identity = PodIdentity(role.arn, EBS_CSI_SERVICE_ACCOUNT)
                after = [*after, *permissions]
            return create_addon(
                name,
                spec,
                spec_addon,
                cluster=cluster,
                pod_identity=identity,
                depends_on=after,
                opts=cloud,
                invoke=invoke,
            )

        node_addons = [addon(a, []) for a in spec.managed_addons if a.before_nodes]
        nodes: list[pulumi.Resource] = [
            create_node_group(
                name,
                spec,
                group,
                cluster=cluster,
                node_role=iam.node_role,
                subnet_ids=network.private_subnet_ids,
                depends_on=[*iam.node_ready, *network.egress_ready, *node_addons],
                opts=cloud,
                first=i == 0,
            )
            for i, group in enumerate(spec.node_groups)
        ]
        workload_addons = [addon(a, nodes) for a in spec.managed_addons if not a.before_nodes]

        autoscaler_role_arn: pulumi.Input[str] = ""
        if spec.cluster_autoscaler:
            role, permissions = create_pod_identity_role(
                f"{name}-cluster-autoscaler",
                spec,
                inline_policy=cluster_autoscaler_policy(spec.cluster_name),
                opts=cloud,
            )
            aws.eks.PodIdentityAssociation(
                f"{name}-cluster-autoscaler",
                cluster_name=cluster.name,
                namespace=CLUSTER_AUTOSCALER_NAMESPACE,
                service_account=CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
                role_arn=role.arn,
                opts=with_opts(cloud, depends_on=permissions),
            )
            autoscaler_role_arn = role.arn

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
            depends_on=[cluster, *nodes, *node_addons, *workload_addons, *admin_access],
        )
        in_cluster = pulumi.ResourceOptions(parent=self, provider=self.provider)
        storage_class = self._in_cluster_defaults(name, spec, in_cluster)
        self._identity_target = IdentityTarget(
            "eks", aws=AwsTarget(cluster.name, spec.partition, aws_provider)
        )
        install_addons(
            name,
            spec.addons,
            AddonContext(
                "eks-auto" if spec.auto_mode else "eks",
                self._identity_target,
                cluster.name,
                region=spec.region,
                vpc_id=network.vpc_id,
            ),
            pulumi.ResourceOptions.merge(
                in_cluster, pulumi.ResourceOptions(depends_on=[storage_class])
            ),
        )

        self.cluster_name = cluster.name
        self.endpoint = cluster.endpoint
        self.oidc_provider_arn = oidc.arn
        self.oidc_issuer_url = issuer
        self.vpc_id = pulumi.Output.from_input(network.vpc_id)
        self.private_subnet_ids = pulumi.Output.all(*network.private_subnet_ids)
        self.public_subnet_ids = pulumi.Output.all(*network.public_subnet_ids)
        self.node_role_arn = iam.node_role.arn
        self.kms_key_arn = key.arn
        self.cluster_autoscaler_role_arn = pulumi.Output.from_input(autoscaler_role_arn)
        self.storage_class = storage_class.metadata.apply(lambda m: str(m.name))
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
                "cluster_autoscaler_role_arn": self.cluster_autoscaler_role_arn,
                "storage_class": self.storage_class,
            }
        )

    def _network(self, name: str, spec: EksSpec, aws_provider: aws.Provider) -> NetworkIds:
        """The VPC: an EksNetwork child component, or the ids brought in."""
        if spec.vpc_id is not None:
            return NetworkIds(spec.vpc_id, spec.private_subnet_ids, spec.public_subnet_ids, [])
        network = EksNetwork(
            f"{name}-network",
            spec,
            pulumi.ResourceOptions(parent=self, providers=[aws_provider]),
            prefix=name,
        )
        return network.ids

    def _admins(
        self, name: str, spec: EksSpec, cluster: aws.eks.Cluster, cloud: pulumi.ResourceOptions
    ) -> list[pulumi.Resource]:
        """Explicit admins through access entries (authentication_mode API)."""
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
                    opts=with_opts(cloud, depends_on=[entry]),
                )
            )
        return admin_access

    def _in_cluster_defaults(
        self, name: str, spec: EksSpec, opts: pulumi.ResourceOptions
    ) -> k8s.storage.v1.StorageClass:
        """The default encrypted gp3 StorageClass; in Auto Mode also NetworkPolicy
        enforcement and the ALB IngressClass."""
        if spec.auto_mode:
            # Auto Mode's network policy controller is off until this ConfigMap exists.
            k8s.core.v1.ConfigMap(
                f"{name}-network-policy",
                metadata={"name": "amazon-vpc-cni", "namespace": "kube-system"},
                data={"enable-network-policy-controller": "true"},
                opts=opts,
            )
            k8s.networking.v1.IngressClass(
                f"{name}-alb",
                metadata={"name": AUTO_MODE_INGRESS_CLASS},
                spec={"controller": AUTO_MODE_ALB_CONTROLLER},
                opts=opts,
            )
        return k8s.storage.v1.StorageClass(
            f"{name}-gp3",
            metadata={
                "name": STORAGE_CLASS,
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
            },
            provisioner=EBS_PROVISIONERS[spec.compute],
            parameters={"type": "gp3", "encrypted": "true"},
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            reclaim_policy="Delete",
            opts=opts,
        )


def _auto_mode_settings(spec: EksSpec, node_role_arn: pulumi.Input[str]) -> dict[str, Any]:
    """Auto Mode's three switches (set together) and no self-managed bootstrap addons."""
    if not spec.auto_mode:
        return {}
    return {
        "bootstrap_self_managed_addons": False,
        "compute_config": {
            "enabled": True,
            "node_pools": AUTO_MODE_NODE_POOLS,
            "node_role_arn": node_role_arn,
        },
        "storage_config": {"block_storage": {"enabled": True}},
        "kubernetes_network_config": {"elastic_load_balancing": {"enabled": True}},
    }
