"""EksCluster under mocks: what it registers, its secure defaults, and its validation."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pytest
from moorage._errors import ValidationError
from moorage.clusters.cluster_validation import DEFAULT_KUBERNETES_VERSION
from moorage.clusters.eks import (
    MANAGED_ADDONS,
    NODE_GROUP_IGNORE_CHANGES,
    EksAddonArgs,
    EksCluster,
    EksClusterArgs,
    EksNodeGroupArgs,
    aws_partition,
    subnet_layout,
    validate_eks_args,
)
from moorage.clusters.kubeconfig import eks_kubeconfig
from pulumi.runtime.sync_await import _sync_await

from ._paths import with_output_at
from .conftest import RecordingMocks, with_outputs

ACCOUNT = "123456789012"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/deploy"
ZONES = ["us-west-2a", "us-west-2b", "us-west-2c"]
ADDON_VERSION = "v1.19.0-eksbuild.1"
ISSUER = "https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
ENDPOINT = "https://EXAMPLED539D4633E53DE1B71EXAMPLE.gr7.us-west-2.eks.amazonaws.com"
CA_DATA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcw"
COMPONENT = "$moorage:index:EksCluster::staging"
NETWORK = "moorage:index:EksCluster$moorage:index:EksNetwork::staging-network"

AZ_TOKEN = "aws:index/getAvailabilityZones:getAvailabilityZones"
ADDON_TOKEN = "aws:eks/getAddonVersion:getAddonVersion"

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
NAT = "aws:ec2/natGateway:NatGateway"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ADDON = "aws:eks/addon:Addon"
ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"
ACCESS_POLICY = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
POD_IDENTITY = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
K8S_PROVIDER = "pulumi:providers:kubernetes"


def aws_calls(token: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """Realistic answers to the two invokes EksCluster makes."""
    if token == AZ_TOKEN:
        return {
            "id": "us-west-2",
            "names": ZONES,
            "zoneIds": ["usw2-az1", "usw2-az2", "usw2-az3"],
            "groupNames": ["us-west-2"],
        }
    if token == ADDON_TOKEN:
        return {
            "id": args["addonName"],
            "addonName": args["addonName"],
            "kubernetesVersion": args["kubernetesVersion"],
            "version": ADDON_VERSION,
        }
    raise AssertionError(f"unexpected invoke {token}")


def aws_outputs(args: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    """Outputs AWS computes that the component reads (mocks only echo inputs)."""
    if args.typ == CLUSTER:
        return {
            "arn": f"arn:aws:eks:us-west-2:{ACCOUNT}:cluster/{args.inputs['name']}",
            "endpoint": ENDPOINT,
            "certificateAuthority": {"data": CA_DATA},
            "identities": [{"oidcs": [{"issuer": ISSUER}]}],
        }
    if args.typ == LAUNCH_TEMPLATE:
        return {"latestVersion": 1}
    if args.typ == "aws:iam/role:Role":
        return {"arn": f"arn:aws:iam::{ACCOUNT}:role/{args.name}", "name": args.name}
    if args.typ == "aws:kms/key:Key":
        return {"arn": f"arn:aws:kms:us-west-2:{ACCOUNT}:key/{args.name}"}
    if args.typ == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
        return {"arn": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{args.inputs['url'][8:]}"}
    if args.typ == "aws:ec2/eip:Eip":
        return {"allocationId": f"eipalloc-{args.name}"}
    return {}


@pytest.fixture
def eks(make_mocks: Callable[..., RecordingMocks]) -> RecordingMocks:
    return make_mocks(call_handler=aws_calls, resource_outputs=aws_outputs)


def base_args(**overrides: Any) -> dict[str, Any]:
    return {"region": "us-west-2", "admin_principal_arns": [ADMIN], **overrides}


def build(mocks: RecordingMocks, args: Mapping[str, Any], name: str = "staging") -> EksCluster:
    """Run EksCluster(name, args), with each ``AsOutput`` in args made an Output."""
    return mocks.run(lambda: EksCluster(name, with_outputs(args)))


# --- resources, parents, providers ------------------------------------------------


def test_registers_the_full_cluster_with_every_child_parented_to_the_component(eks):
    build(eks, base_args())

    counts: dict[str, int] = {}
    for resource in eks.resources:
        counts[resource.typ] = counts.get(resource.typ, 0) + 1
    assert counts == {
        "moorage:index:EksCluster": 1,
        "moorage:index:EksNetwork": 1,
        "pulumi:providers:aws": 1,
        VPC: 1,
        "aws:ec2/internetGateway:InternetGateway": 1,
        SUBNET: 6,
        ROUTE_TABLE: 2,
        "aws:ec2/routeTableAssociation:RouteTableAssociation": 6,
        "aws:ec2/eip:Eip": 1,
        NAT: 1,
        ROLE: 4,  # cluster, nodes, EBS CSI driver, Cluster Autoscaler
        ATTACHMENT: 5,
        "aws:iam/rolePolicy:RolePolicy": 2,  # the KMS key's use, the Cluster Autoscaler
        "aws:kms/key:Key": 1,
        "aws:cloudwatch/logGroup:LogGroup": 1,
        CLUSTER: 1,
        ACCESS_ENTRY: 1,
        ACCESS_POLICY: 1,
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider": 1,
        LAUNCH_TEMPLATE: 1,
        NODE_GROUP: 1,
        ADDON: 6,
        POD_IDENTITY: 1,
        K8S_PROVIDER: 1,
        STORAGE_CLASS: 1,
    }
    for resource in eks.resources:
        if resource.typ == "moorage:index:EksCluster":
            assert resource.parent.endswith("pulumi:pulumi:Stack::moorage-test")
            continue
        # The VPC and its parts belong to the EksNetwork child component.
        network_part = resource.typ.startswith("aws:ec2/") and resource.typ != LAUNCH_TEMPLATE
        assert resource.parent.endswith(NETWORK if network_part else COMPONENT), resource
        assert resource.name.startswith("staging-"), resource.name
        if resource.typ.startswith("aws:"):
            # disable-default-providers: every AWS child uses the component's provider.
            assert "$pulumi:providers:aws::staging-aws::" in resource.provider, resource
    assert eks.one("pulumi:providers:aws").inputs["region"] == "us-west-2"


def test_network_spans_the_zones_from_the_invoke_with_elb_tags_and_one_nat(eks):
    build(eks, base_args())

    assert eks.one(VPC).inputs["cidrBlock"] == "10.0.0.0/16"
    assert eks.one(VPC).inputs["enableDnsHostnames"] is True
    public = [eks.named(f"staging-public-{i}") for i in range(3)]
    private = [eks.named(f"staging-private-{i}") for i in range(3)]
    assert [s.inputs["availabilityZone"] for s in public] == ZONES
    assert [s.inputs["availabilityZone"] for s in private] == ZONES
    assert all(s.inputs["tags"]["kubernetes.io/role/elb"] == "1" for s in public)
    assert all(s.inputs["tags"]["kubernetes.io/role/internal-elb"] == "1" for s in private)
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in public)
    assert [s.inputs["cidrBlock"] for s in private] == [
        "10.0.0.0/19",
        "10.0.32.0/19",
        "10.0.64.0/19",
    ]
    assert [t for t, _ in eks.calls].count(AZ_TOKEN) == 1

    nat = eks.one(NAT)
    assert nat.inputs["subnetId"] == "staging-public-0-id"
    private_rt = eks.named("staging-private-rt-0")
    assert private_rt.inputs["routes"] == [
        {"cidrBlock": "0.0.0.0/0", "natGatewayId": "staging-nat-0-id"}
    ]
    public_rt = eks.named("staging-public-rt")
    assert public_rt.inputs["routes"] == [{"cidrBlock": "0.0.0.0/0", "gatewayId": "staging-igw-id"}]


def test_nat_gateway_per_az_option(eks):
    build(eks, base_args(nat_gateway_per_az=True, availability_zone_count=2))

    assert len(eks.of_type(NAT)) == 2
    assert len(eks.of_type(SUBNET)) == 4
    assert eks.named("staging-private-rta-1").inputs["routeTableId"] == "staging-private-rt-1-id"


def test_bring_your_own_vpc_creates_no_network(eks):
    cluster = build(
        eks,
        base_args(
            vpc_id="vpc-0abc123",
            private_subnet_ids=["subnet-0aaa", "subnet-0bbb"],
            public_subnet_ids=["subnet-0ccc"],
        ),
    )

    network_types = {VPC, SUBNET, NAT, ROUTE_TABLE, "aws:ec2/internetGateway:InternetGateway"}
    assert [r for r in eks.resources if r.typ in network_types] == []
    assert AZ_TOKEN not in [t for t, _ in eks.calls]
    assert eks.one(CLUSTER).inputs["vpcConfig"]["subnetIds"] == ["subnet-0aaa", "subnet-0bbb"]
    assert eks.one(NODE_GROUP).inputs["subnetIds"] == ["subnet-0aaa", "subnet-0bbb"]
    assert eks.settle(cluster.vpc_id) == "vpc-0abc123"
    assert eks.settle(cluster.public_subnet_ids) == ["subnet-0ccc"]


# --- control plane -----------------------------------------------------------------


def test_cluster_is_private_audited_encrypted_and_has_no_implicit_admin(eks):
    build(eks, base_args())

    cluster = eks.one(CLUSTER).inputs
    assert cluster["name"] == "staging"
    assert cluster["version"] == DEFAULT_KUBERNETES_VERSION == "1.36"
    assert cluster["deletionProtection"] is False
    # Managed node groups: no Auto Mode switches.
    assert "computeConfig" not in cluster and "storageConfig" not in cluster
    assert cluster["vpcConfig"]["endpointPrivateAccess"] is True
    assert cluster["vpcConfig"]["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in cluster["vpcConfig"]
    assert cluster["accessConfig"] == {
        "authenticationMode": "API",
        "bootstrapClusterCreatorAdminPermissions": False,
    }
    assert cluster["encryptionConfig"] == {
        "provider": {"keyArn": f"arn:aws:kms:us-west-2:{ACCOUNT}:key/staging-kms"},
        "resources": ["secrets"],
    }
    assert sorted(cluster["enabledClusterLogTypes"]) == ["api", "audit", "authenticator"]
    assert cluster["roleArn"] == f"arn:aws:iam::{ACCOUNT}:role/staging-cluster-role"


def test_public_endpoint_only_for_listed_cidrs(eks):
    build(eks, base_args(public_access_cidrs=["203.0.113.0/24"]))

    vpc_config = eks.one(CLUSTER).inputs["vpcConfig"]
    assert vpc_config["endpointPublicAccess"] is True
    assert vpc_config["publicAccessCidrs"] == ["203.0.113.0/24"]


def test_anywhere_is_accepted_only_with_the_explicit_flag(eks):
    build(
        eks,
        base_args(public_access_cidrs=["0.0.0.0/0"], allow_public_endpoint_from_anywhere=True),
    )

    assert eks.one(CLUSTER).inputs["vpcConfig"]["publicAccessCidrs"] == ["0.0.0.0/0"]


def test_kms_key_rotates_and_deletion_window_is_configurable(eks):
    build(eks, base_args(kms_key_deletion_window_days=7))

    key = eks.one("aws:kms/key:Key").inputs
    assert key["enableKeyRotation"] is True
    assert key["deletionWindowInDays"] == 7
    policy = json.loads(
        eks.resource("aws:iam/rolePolicy:RolePolicy", "staging-cluster-kms").inputs["policy"]
    )
    assert policy["Statement"][0]["Resource"] == f"arn:aws:kms:us-west-2:{ACCOUNT}:key/staging-kms"


def test_log_group_keeps_90_days_and_exists_before_the_cluster(eks):
    build(eks, base_args())

    logs = eks.one("aws:cloudwatch/logGroup:LogGroup").inputs
    assert logs["name"] == "/aws/eks/staging/cluster"
    assert logs["retentionInDays"] == 90
    assert eks.resource(CLUSTER, "staging-cluster").depends_on(
        "aws:cloudwatch/logGroup:LogGroup", "staging-logs"
    )


def test_each_admin_gets_an_access_entry_and_cluster_admin_policy(eks):
    second = f"arn:aws:iam::{ACCOUNT}:role/platform-admins"
    build(eks, base_args(admin_principal_arns=[ADMIN, second]))

    # Registration order is not deterministic under mocks: compare by name.
    entries = {e.name: e.inputs for e in eks.of_type(ACCESS_ENTRY)}
    assert {n: e["principalArn"] for n, e in entries.items()} == {
        "staging-admin-0": ADMIN,
        "staging-admin-1": second,
    }
    assert all(e["clusterName"] == "staging" for e in entries.values())
    policies = eks.of_type(ACCESS_POLICY)
    assert {p.name: p.inputs["principalArn"] for p in policies} == {
        "staging-admin-0-policy": ADMIN,
        "staging-admin-1-policy": second,
    }
    for policy in policies:
        assert policy.inputs["policyArn"] == (
            "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
        )
        assert policy.inputs["accessScope"] == {"type": "cluster"}
    assert eks.resource(ACCESS_POLICY, "staging-admin-1-policy").depends_on(
        ACCESS_ENTRY, "staging-admin-1"
    )


def test_roles_get_only_the_eks_managed_policies(eks):
    build(eks, base_args())

    assert policies_by_role(eks) == {
        "staging-cluster-role": {"AmazonEKSClusterPolicy"},
        "staging-node-role": {
            "AmazonEKSWorkerNodePolicy",
            "AmazonEC2ContainerRegistryReadOnly",
            "AmazonEKS_CNI_Policy",
        },
        "staging-ebs-csi": {"service-role/AmazonEBSCSIDriverPolicy"},
    }
    roles = {
        r.name: json.loads(r.inputs["assumeRolePolicy"]) for r in eks.of_type("aws:iam/role:Role")
    }
    assert roles["staging-cluster-role"]["Statement"][0]["Principal"] == {
        "Service": "eks.amazonaws.com"
    }
    assert roles["staging-node-role"]["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"
    }


def policies_by_role(mocks: RecordingMocks) -> dict[str, set[str]]:
    """AWS managed policies attached to each role, by role name."""
    by_role: dict[str, set[str]] = {}
    for attachment in mocks.of_type(ATTACHMENT):
        arn = attachment.inputs["policyArn"]
        assert arn.startswith("arn:aws:iam::aws:policy/")
        by_role.setdefault(attachment.inputs["role"], set()).add(arn.split(":policy/")[1])
    return by_role


# --- nodes -------------------------------------------------------------------------


def test_node_group_is_al2023_with_imdsv2_and_autoscaler_owned_desired_size(eks):
    build(eks, base_args())

    nodes = eks.one(NODE_GROUP).inputs
    assert nodes["amiType"] == "AL2023_x86_64_STANDARD"
    assert nodes["capacityType"] == "ON_DEMAND"
    assert nodes["instanceTypes"] == ["t3.medium"]
    assert nodes["scalingConfig"] == {"minSize": 2, "maxSize": 4, "desiredSize": 2}
    assert nodes["subnetIds"] == [f"staging-private-{i}-id" for i in range(3)]
    assert nodes["launchTemplate"] == {"id": "staging-general-lt-id", "version": "1"}
    assert nodes["labels"] == {"moorage.dev/node-group": "general"}
    assert "taints" not in nodes or nodes["taints"] == []

    template = eks.one(LAUNCH_TEMPLATE).inputs
    assert template["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1,
    }
    assert template["blockDeviceMappings"][0]["ebs"]["encrypted"] == "true"

    nodes_registered = eks.resource(NODE_GROUP, "staging-general")
    assert nodes_registered.ignore_changes == ["scalingConfig.desiredSize"]
    assert nodes_registered.ignore_changes == NODE_GROUP_IGNORE_CHANGES
    # Nodes wait for their NAT route, their IAM policies and the node-level addons.
    assert eks.resource(NODE_GROUP, "staging-general").depends_on(
        "aws:ec2/routeTableAssociation:RouteTableAssociation", "staging-private-rta-2"
    )
    assert eks.resource(NODE_GROUP, "staging-general").depends_on(ADDON, "staging-vpc-cni")


def test_spot_capacity_and_sizes_can_be_overridden(eks):
    build(
        eks,
        base_args(
            node_groups=[
                {
                    "name": "spot",
                    "capacity_type": "SPOT",
                    "instance_types": ["m6i.large", "m5.large"],
                    "min_size": 1,
                    "max_size": 10,
                    "desired_size": 3,
                    "metadata_hop_limit": 2,
                }
            ]
        ),
    )

    nodes = eks.one(NODE_GROUP).inputs
    assert nodes["capacityType"] == "SPOT"
    assert nodes["instanceTypes"] == ["m6i.large", "m5.large"]
    assert nodes["scalingConfig"] == {"minSize": 1, "maxSize": 10, "desiredSize": 3}
    assert eks.one(LAUNCH_TEMPLATE).inputs["metadataOptions"]["httpPutResponseHopLimit"] == 2


# --- addons, identity, kubeconfig, provider -----------------------------------------


def test_core_addons_use_the_most_recent_version_for_the_pinned_kubernetes(eks):
    build(eks, base_args())

    addons = {a.inputs["addonName"]: a.inputs for a in eks.of_type(ADDON)}
    assert (
        set(addons)
        == set(MANAGED_ADDONS)
        == {
            "vpc-cni",
            "coredns",
            "kube-proxy",
            "eks-pod-identity-agent",
            "metrics-server",
            "aws-ebs-csi-driver",
        }
    )
    assert {a["addonVersion"] for a in addons.values()} == {ADDON_VERSION}
    lookups = [args for token, args in eks.calls if token == ADDON_TOKEN]
    assert sorted(args["addonName"] for args in lookups) == sorted(MANAGED_ADDONS)
    assert all(args["kubernetesVersion"] == "1.36" and args["mostRecent"] for args in lookups)
    # Deployments (coredns, metrics-server, the EBS CSI controller) need nodes.
    for addon in ("coredns", "metrics-server", "aws-ebs-csi-driver"):
        assert eks.resource(ADDON, f"staging-{addon}").depends_on(NODE_GROUP, "staging-general")


def test_a_pinned_addon_version_skips_the_lookup(eks):
    build(
        eks,
        base_args(
            kubernetes_version="1.35", addons=[{"name": "coredns", "version": "v1.11.4-eksbuild.2"}]
        ),
    )

    addons = {a.inputs["addonName"]: a.inputs for a in eks.of_type(ADDON)}
    assert addons["coredns"]["addonVersion"] == "v1.11.4-eksbuild.2"
    assert addons["vpc-cni"]["addonVersion"] == ADDON_VERSION
    lookups = [args for token, args in eks.calls if token == ADDON_TOKEN]
    assert "coredns" not in [args["addonName"] for args in lookups]
    assert {args["kubernetesVersion"] for args in lookups} == {"1.35"}


def test_irsa_oidc_provider_from_the_cluster_issuer(eks):
    cluster = build(eks, base_args())

    oidc = eks.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider").inputs
    assert oidc["url"] == ISSUER
    assert oidc["clientIdLists"] == ["sts.amazonaws.com"]
    assert eks.settle(cluster.oidc_issuer_url) == ISSUER
    assert eks.settle(cluster.oidc_provider_arn).startswith(
        f"arn:aws:iam::{ACCOUNT}:oidc-provider/"
    )
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/api"
    assert cluster.workload_identity_annotations(role_arn) == {
        "eks.amazonaws.com/role-arn": role_arn
    }


def test_kubeconfig_is_a_secret_exec_config_without_a_token(eks):
    cluster = build(eks, base_args())

    assert _sync_await(cluster.kubeconfig.is_secret()) is True
    text = eks.settle(cluster.kubeconfig)
    config = json.loads(text)
    assert config["clusters"][0]["cluster"] == {
        "server": ENDPOINT,
        "certificate-authority-data": CA_DATA,
    }
    user = config["users"][0]["user"]
    assert set(user) == {"exec"}
    assert user["exec"]["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert user["exec"]["command"] == "aws"
    assert user["exec"]["args"] == [
        "eks",
        "get-token",
        "--cluster-name",
        "staging",
        "--region",
        "us-west-2",
    ]
    assert '"token"' not in text and "password" not in text and "client-key" not in text
    assert eks.settle(cluster.cluster_name) == "staging"
    assert eks.settle(cluster.endpoint) == ENDPOINT


def test_provider_waits_for_nodes_addons_and_admin_access(eks):
    cluster = build(eks, base_args(delete_unreachable=True))

    provider = eks.one(K8S_PROVIDER)
    assert provider.name == "staging-k8s"
    assert provider.inputs["deleteUnreachable"] == "true"
    assert cluster.provider is not None
    for dep_typ, dep_name in [
        (NODE_GROUP, "staging-general"),
        (ADDON, "staging-coredns"),
        (ADDON, "staging-metrics-server"),
        (ADDON, "staging-vpc-cni"),
        (ACCESS_POLICY, "staging-admin-0-policy"),
    ]:
        assert eks.resource(K8S_PROVIDER, "staging-k8s").depends_on(dep_typ, dep_name), dep_name


def test_tags_become_provider_default_tags(eks):
    build(eks, base_args(tags={"team": "platform"}))

    # Provider inputs reach the engine JSON-encoded.
    default_tags = eks.one("pulumi:providers:aws").inputs["defaultTags"]
    assert json.loads(default_tags) == {"tags": {"team": "platform"}}


# --- validation: raised before anything is registered --------------------------------

# Args are pulumi.Inputs, but a value validated up front or deciding which resources
# exist must be plain: an Output there fails like any other bad value.
EVERY_FIELD = base_args(
    cluster_name="staging",
    kubernetes_version="1.36",
    compute="managed",
    vpc_cidr="10.0.0.0/16",
    availability_zone_count=3,
    nat_gateway_per_az=False,
    public_access_cidrs=["203.0.113.0/24"],
    allow_public_endpoint_from_anywhere=False,
    kms_key_deletion_window_days=30,
    log_retention_days=90,
    node_groups=[
        {
            "name": "general",
            "instance_types": ["t3.medium"],
            "capacity_type": "ON_DEMAND",
            "architecture": "x86_64",
            "labels": {"team": "web"},
            "taints": [{"key": "dedicated", "value": "web", "effect": "PreferNoSchedule"}],
            "min_size": 2,
            "max_size": 4,
            "desired_size": 2,
            "disk_size_gib": 50,
            "metadata_hop_limit": 1,
        }
    ],
    addons=[
        {
            "name": "coredns",
            "version": "v1.11.4-eksbuild.2",
            "configuration": {"replicaCount": 3},
        }
    ],
    cluster_autoscaler=True,
    deletion_protection=False,
    delete_unreachable=True,
    tags={"team": "platform"},
)
"""Valid args setting every field but the bring-your-own-VPC ones."""
OWN_VPC = base_args(
    vpc_id="vpc-0abc123",
    private_subnet_ids=["subnet-0aaa", "subnet-0bbb"],
    public_subnet_ids=["subnet-0ccc"],
)
"""Valid bring-your-own-VPC args."""

MAY_BE_OUTPUTS = [
    "vpc_id",
    "private_subnet_ids[1]",
    "public_subnet_ids[0]",
    "admin_principal_arns[0]",
    "addons[0].version",
    "delete_unreachable",
    "tags",
]
"""Passed through to resources unchanged, so they may come from other resources."""
MUST_BE_KNOWN = [
    *(key for key in EksClusterArgs.__annotations__ if key not in MAY_BE_OUTPUTS),
    *(f"node_groups[0].{key}" for key in EksNodeGroupArgs.__annotations__),
    *(f"addons[0].{key}" for key in EksAddonArgs.__annotations__ if key != "version"),
    "public_access_cidrs[0]",
    "node_groups[0]",
    "addons[0]",
    "node_groups[0].instance_types[0]",
    "node_groups[0].labels.team",
    "node_groups[0].taints[0]",
    "node_groups[0].taints[0].key",
]
"""Validated before anything is created, or deciding which resources exist."""


def group(**fields: Any) -> dict[str, Any]:
    """Args with one node group named "general" with ``fields``."""
    return base_args(node_groups=[{"name": "general", **fields}])


def args_for(path: str) -> dict[str, Any]:
    """EVERY_FIELD or OWN_VPC, whichever sets the field at ``path``."""
    return EVERY_FIELD if path.split(".")[0].split("[")[0] in EVERY_FIELD else OWN_VPC


BAD_ARGS = [
    pytest.param({"admin_principal_arns": [ADMIN]}, "region", "is required", id="missing-region"),
    pytest.param(base_args(region="us-west"), "region", "AWS region", id="malformed-region"),
    pytest.param(
        group(min_size=5, max_size=3),
        "node_groups[0].min_size",
        "greater than node_groups[0].max_size (3)",
        id="min-above-max",
    ),
    pytest.param(
        group(min_size=1, max_size=3, desired_size=4),
        "node_groups[0].desired_size",
        "greater than node_groups[0].max_size",
        id="desired-above-max",
    ),
    pytest.param(
        group(min_size=-1),
        "node_groups[0].min_size",
        "0 or more",
        id="negative-min",
    ),
    pytest.param(
        group(min_size=0, max_size=0),
        "node_groups[0].max_size",
        "at least 1",
        id="zero-max",
    ),
    pytest.param(group(min_size="2"), "node_groups[0].min_size", "integer", id="string-size"),
    pytest.param(
        base_args(public_access_cidrs=["203.0.113.0/33"]),
        "public_access_cidrs[0]",
        "valid IPv4 CIDR",
        id="malformed-cidr",
    ),
    pytest.param(
        base_args(public_access_cidrs=["203.0.113.7/24"]),
        "public_access_cidrs[0]",
        "host bits",
        id="cidr-host-bits",
    ),
    pytest.param(
        base_args(public_access_cidrs=["0.0.0.0/0"]),
        "public_access_cidrs[0]",
        "allow_public_endpoint_from_anywhere",
        id="anywhere-without-flag",
    ),
    pytest.param(
        base_args(vpc_cidr="10.0.0.0/8"), "vpc_cidr", "prefix length", id="vpc-cidr-too-big"
    ),
    pytest.param(
        base_args(kubernetes_version="1.32"),
        "kubernetes_version",
        "not supported",
        id="old-version",
    ),
    pytest.param(
        base_args(kubernetes_version="1.36.1"),
        "kubernetes_version",
        "minor version",
        id="patch-version",
    ),
    pytest.param(
        group(capacity_type="spot"),
        "node_groups[0].capacity_type",
        "ON_DEMAND, SPOT",
        id="bad-capacity-type",
    ),
    pytest.param(
        base_args(admin_principal_arns=[]), "admin_principal_arns", "at least one", id="no-admins"
    ),
    pytest.param(
        base_args(admin_principal_arns=[f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy/session"]),
        "admin_principal_arns[0]",
        "IAM role or user ARN",
        id="session-arn",
    ),
    pytest.param(
        base_args(vpc_id="vpc-0abc", private_subnet_ids=["subnet-0aaa"]),
        "private_subnet_ids",
        "two availability zones",
        id="byo-one-subnet",
    ),
    pytest.param(
        base_args(private_subnet_ids=["subnet-0aaa", "subnet-0bbb"]),
        "vpc_id",
        "is required",
        id="byo-without-vpc-id",
    ),
    pytest.param(
        base_args(
            vpc_id="vpc-0abc", private_subnet_ids=["subnet-1", "subnet-2"], vpc_cidr="10.1.0.0/16"
        ),
        "vpc_cidr",
        "only applies",
        id="byo-with-vpc-cidr",
    ),
    pytest.param(
        base_args(availability_zone_count=1),
        "availability_zone_count",
        "between 2 and 6",
        id="one-az",
    ),
    pytest.param(
        base_args(log_retention_days=45),
        "log_retention_days",
        "retention period",
        id="bad-retention",
    ),
    pytest.param(
        base_args(addons=[{"name": "Core_DNS"}]),
        "addons[0].name",
        "EKS addon name",
        id="malformed-addon-name",
    ),
    pytest.param(
        base_args(addons=[{"name": "coredns"}, {"name": "coredns"}]),
        "addons[1].name",
        "more than once",
        id="addon-twice",
    ),
    pytest.param(
        base_args(addons=[{"name": "vpc-cni", "configuration": {"env": {"X": object()}}}]),
        "addons[0].configuration.env.X",
        "JSON value",
        id="addon-configuration-not-json",
    ),
    pytest.param(
        base_args(node_group={"min_size": 1}),
        "node_group",
        'not a known field of EksClusterArgs; did you mean "node_groups"?',
        id="old-node-group-field",
    ),
    pytest.param(
        group(instance_types=["mac2.metal"], capacity_type="SPOT"),
        "node_groups[0].instance_types[0]",
        "not offered as Spot",
        id="spot-with-on-demand-only-type",
    ),
    pytest.param(
        group(instance_types=["m7g.large"]),
        "node_groups[0].instance_types[0]",
        'arm64 type but the group\'s architecture is "x86_64"',
        id="graviton-in-x86-group",
    ),
    pytest.param(
        group(architecture="arm64", instance_types=["t4g.large", "m5.large"]),
        "node_groups[0].instance_types[1]",
        "x86_64 type",
        id="x86-in-arm-group",
    ),
    pytest.param(
        group(architecture="aarch64"),
        "node_groups[0].architecture",
        "x86_64, arm64",
        id="bad-architecture",
    ),
    pytest.param(
        group(taints=[{"key": "dedicated", "value": "batch"}]),
        "node_groups",
        "CoreDNS",
        id="taints-without-tolerations-on-system-pods",
    ),
    pytest.param(
        base_args(
            node_groups=[
                {"name": "a", "taints": [{"key": "x", "effect": "NoExecute"}]},
                {"name": "b", "taints": [{"key": "y"}]},
            ]
        ),
        "node_groups",
        "leave at least one node group untainted",
        id="every-group-tainted",
    ),
    pytest.param(
        group(taints=[{"key": "x", "effect": "NO_SCHEDULE"}]),
        "node_groups[0].taints[0].effect",
        "NoSchedule, PreferNoSchedule, NoExecute",
        id="cloud-spelling-of-effect",
    ),
    pytest.param(
        group(labels={"kubernetes.io/role": "web"}),
        "node_groups[0].labels.kubernetes.io/role",
        "reserved domain kubernetes.io",
        id="reserved-label",
    ),
    pytest.param(
        base_args(node_groups=[{"name": "a"}, {"name": "a"}]),
        "node_groups[1].name",
        "unique",
        id="duplicate-group",
    ),
    pytest.param(base_args(node_groups=[]), "node_groups", "at least one", id="no-groups"),
    pytest.param(
        base_args(node_groups=[{"instance_types": ["t3.large"]}]),
        "node_groups[0].name",
        "is required",
        id="unnamed-group",
    ),
    pytest.param(base_args(compute="fargate"), "compute", "managed, auto", id="bad-compute"),
    pytest.param(
        base_args(compute="auto", node_groups=[{"name": "general"}]),
        "node_groups",
        "Auto Mode creates and scales the nodes",
        id="auto-mode-with-node-groups",
    ),
    pytest.param(
        base_args(compute="auto", cluster_autoscaler=True),
        "cluster_autoscaler",
        "Auto Mode scales the nodes itself",
        id="auto-mode-with-cluster-autoscaler",
    ),
    pytest.param(
        base_args(compute="auto", addons=[{"name": "vpc-cni"}]),
        "addons[0].name",
        "built into Auto Mode",
        id="auto-mode-with-vpc-cni-addon",
    ),
    pytest.param(
        base_args(nodegroups=[{"name": "a"}]), "nodegroups", "not a known field", id="typo-field"
    ),
    *(
        pytest.param(
            with_output_at(args_for(path), path),
            path,
            "must be known when the program runs",
            id=path,
        )
        for path in MUST_BE_KNOWN
    ),
]


@pytest.mark.parametrize(("args", "field", "rule"), BAD_ARGS)
def test_bad_args_raise_before_any_resource_is_registered(eks, args, field, rule):
    with pytest.raises(ValidationError) as raised:
        build(eks, args)

    assert eks.resources == []
    error = raised.value
    assert error.component == 'EksCluster "staging"'
    assert error.field == field
    assert rule in error.rule
    assert str(error).startswith(f'EksCluster "staging": {field} (')


def test_too_few_zones_in_the_region_fail_when_the_invoke_resolves(make_mocks):
    def two_zones(token: str, args: Mapping[str, Any]) -> dict[str, Any]:
        answer = aws_calls(token, args)
        return {**answer, "names": ZONES[:2]} if token == AZ_TOKEN else answer

    mocks = make_mocks(call_handler=two_zones, resource_outputs=aws_outputs)
    # The zone list is only known at deploy time; the engine wraps the error, but the
    # message still names the component, the field and the rule.
    with pytest.raises(
        ValueError,
        match=(
            r'EksCluster "staging": availability_zone_count \(3\) is more than the 2 '
            r"availability zones available in us-west-2"
        ),
    ):
        build(mocks, base_args(availability_zone_count=3))


# --- Outputs: only ids, ARNs, versions and tags may wait for deploy time ---------------


def test_the_output_cases_cover_every_field():
    assert set(EksClusterArgs.__annotations__) == set(EVERY_FIELD) | set(OWN_VPC)
    assert set(EksNodeGroupArgs.__annotations__) == set(EVERY_FIELD["node_groups"][0])
    assert set(EksAddonArgs.__annotations__) == set(EVERY_FIELD["addons"][0])


@pytest.mark.parametrize("path", MAY_BE_OUTPUTS)
def test_ids_arns_versions_and_tags_may_be_outputs(make_mocks, path):
    plain = make_mocks(call_handler=aws_calls, resource_outputs=aws_outputs)
    build(plain, args_for(path))
    deferred = make_mocks(call_handler=aws_calls, resource_outputs=aws_outputs)
    build(deferred, with_output_at(args_for(path), path))

    # The same resources with the same inputs, once the Output resolved.
    assert plain.of_type(NODE_GROUP)
    assert deferred.inputs_by_resource() == plain.inputs_by_resource()


# --- pure functions ------------------------------------------------------------------


def test_eks_spec_defaults():
    spec = validate_eks_args("staging", base_args())
    [nodes] = spec.node_groups
    assert (spec.kubernetes_version, nodes.capacity_type, nodes.min_size, nodes.max_size) == (
        "1.36",
        "ON_DEMAND",
        2,
        4,
    )
    assert nodes.desired_size == nodes.min_size
    assert (nodes.name, nodes.architecture, nodes.ami_type) == (
        "general",
        "x86_64",
        "AL2023_x86_64_STANDARD",
    )
    assert spec.compute == "managed" and spec.cluster_autoscaler is True
    assert spec.deletion_protection is False
    assert spec.public_access_cidrs == []
    assert spec.log_retention_days == 90
    assert spec.kms_key_deletion_window_days == 30
    assert nodes.metadata_hop_limit == 1
    assert spec.availability_zone_count == 3
    assert spec.nat_gateway_per_az is False
    assert spec.bring_your_own_vpc is False


@pytest.mark.parametrize("vpc_cidr", ["10.0.0.0/16", "172.16.0.0/18", "192.168.0.0/20"])
@pytest.mark.parametrize("zones", [2, 3, 6])
def test_subnet_layout_is_disjoint_and_inside_the_vpc(vpc_cidr, zones):
    import ipaddress

    public, private = subnet_layout(vpc_cidr, zones)
    networks = [ipaddress.IPv4Network(c) for c in public + private]
    assert len(public) == len(private) == zones
    assert all(n.subnet_of(ipaddress.IPv4Network(vpc_cidr)) for n in networks)
    assert all(not a.overlaps(b) for i, a in enumerate(networks) for b in networks[i + 1 :])
    assert all(n.prefixlen <= 28 for n in networks)  # AWS's smallest subnet


def test_partition_follows_the_region():
    assert aws_partition("us-west-2") == "aws"
    assert aws_partition("cn-north-1") == "aws-cn"
    assert aws_partition("us-gov-west-1") == "aws-us-gov"


def test_eks_kubeconfig_is_deterministic_and_token_free():
    first = eks_kubeconfig(cluster_name="c", endpoint=ENDPOINT, ca_data=CA_DATA, region="eu-west-1")
    again = eks_kubeconfig(cluster_name="c", endpoint=ENDPOINT, ca_data=CA_DATA, region="eu-west-1")
    assert first == again
    config = json.loads(first)
    assert config["current-context"] == "c"
    assert config["users"][0]["user"]["exec"]["args"][-2:] == ["--region", "eu-west-1"]
    assert '"token"' not in first


# --- the eks-staging stack through the real program --------------------------------------


def test_eks_staging_stack_deploys_the_service_on_the_cluster(eks):
    """stacks/Pulumi.eks-staging.yaml, read as the engine passes it, through moorage._program."""
    from pathlib import Path

    import yaml
    from moorage._program import deploy
    from moorage._stack_config import parse_stack_settings

    path = Path(__file__).resolve().parents[2] / "stacks" / "Pulumi.eks-staging.yaml"
    config = yaml.safe_load(path.read_text())["config"]
    raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    outputs = eks.run(lambda: deploy(parse_stack_settings(raw)))

    cluster = eks.one(CLUSTER).inputs
    assert cluster["name"] == "moorage-staging"
    assert cluster["vpcConfig"]["publicAccessCidrs"] == ["203.0.113.0/24"]
    groups = {
        g.inputs["labels"]["moorage.dev/node-group"]: g.inputs for g in eks.of_type(NODE_GROUP)
    }
    assert groups["general"]["scalingConfig"] == {"minSize": 2, "maxSize": 4, "desiredSize": 2}
    assert groups["general"]["capacityType"] == "ON_DEMAND"
    assert groups["batch-arm"]["amiType"] == "AL2023_ARM_64_STANDARD"
    assert groups["batch-arm"]["capacityType"] == "SPOT"
    assert groups["batch-arm"]["taints"] == [
        {"key": "workload", "value": "batch", "effect": "NO_SCHEDULE"}
    ]
    assert eks.one(CLUSTER).inputs["version"] == "1.36"
    assert eks.one(CLUSTER).inputs["deletionProtection"] is False
    assert len(eks.of_type(NAT)) == 1
    workloads = [r for r in eks.resources if r.typ.startswith("kubernetes:")]
    assert workloads
    assert all("$pulumi:providers:kubernetes::test-k8s::" in r.provider for r in workloads)
    assert _sync_await(outputs["kubeconfig"].is_secret()) is True


# --- NetworkPolicy, storage, autoscaling, addons (issues 13 and 17) -------------------


def addon_inputs(mocks: RecordingMocks) -> dict[str, dict[str, Any]]:
    return {a.inputs["addonName"]: a.inputs for a in mocks.of_type(ADDON)}


def test_vpc_cni_enforces_network_policy(eks):
    """CIS EKS 5.4.4: the VPC CNI ignores NetworkPolicy unless enableNetworkPolicy is on."""
    build(eks, base_args())

    configuration = json.loads(addon_inputs(eks)["vpc-cni"]["configurationValues"])
    assert configuration == {"enableNetworkPolicy": "true"}


def test_addon_configuration_merges_over_the_defaults_and_any_addon_can_be_added(eks):
    build(
        eks,
        base_args(
            addons=[
                {"name": "vpc-cni", "configuration": {"env": {"ENABLE_PREFIX_DELEGATION": "true"}}},
                {
                    "name": "aws-efs-csi-driver",
                    "version": "v2.1.0-eksbuild.1",
                    "configuration": {"controller": {"replicaCount": 2}},
                },
            ]
        ),
    )

    addons = addon_inputs(eks)
    assert json.loads(addons["vpc-cni"]["configurationValues"]) == {
        "enableNetworkPolicy": "true",
        "env": {"ENABLE_PREFIX_DELEGATION": "true"},
    }
    efs = addons["aws-efs-csi-driver"]
    assert efs["addonVersion"] == "v2.1.0-eksbuild.1"
    assert json.loads(efs["configurationValues"]) == {"controller": {"replicaCount": 2}}
    # An added addon may run Deployments, so it waits for the nodes.
    assert eks.resource(ADDON, "staging-aws-efs-csi-driver").depends_on(
        NODE_GROUP, "staging-general"
    )
    assert "configurationValues" not in addons["kube-proxy"]


def test_ebs_csi_driver_gets_its_role_through_pod_identity_and_a_default_gp3_class(eks):
    cluster = build(eks, base_args())

    ebs = addon_inputs(eks)["aws-ebs-csi-driver"]
    assert ebs["podIdentityAssociations"] == [
        {
            "roleArn": f"arn:aws:iam::{ACCOUNT}:role/staging-ebs-csi",
            "serviceAccount": "ebs-csi-controller-sa",
        }
    ]
    trust = json.loads(eks.resource(ROLE, "staging-ebs-csi").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert sorted(trust["Statement"][0]["Action"]) == ["sts:AssumeRole", "sts:TagSession"]

    storage = eks.one(STORAGE_CLASS)
    assert storage.inputs["metadata"] == {
        "name": "gp3",
        "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
    }
    assert storage.inputs["provisioner"] == "ebs.csi.aws.com"
    assert storage.inputs["parameters"] == {"type": "gp3", "encrypted": "true"}
    assert storage.inputs["volumeBindingMode"] == "WaitForFirstConsumer"
    assert storage.inputs["allowVolumeExpansion"] is True
    assert "$pulumi:providers:kubernetes::staging-k8s::" in storage.provider
    assert eks.settle(cluster.storage_class) == "gp3"


def test_cluster_autoscaler_role_resizes_only_this_clusters_groups(eks):
    cluster = build(eks, base_args())

    association = eks.one(POD_IDENTITY).inputs
    assert (association["namespace"], association["serviceAccount"]) == (
        "kube-system",
        "cluster-autoscaler",
    )
    assert association["roleArn"] == f"arn:aws:iam::{ACCOUNT}:role/staging-cluster-autoscaler"
    policy = json.loads(
        eks.resource("aws:iam/rolePolicy:RolePolicy", "staging-cluster-autoscaler-policy").inputs[
            "policy"
        ]
    )
    read, resize = policy["Statement"]
    assert "eks:DescribeNodegroup" in read["Action"]
    assert all(not action.startswith("autoscaling:Set") for action in read["Action"])
    assert resize["Action"] == [
        "autoscaling:SetDesiredCapacity",
        "autoscaling:TerminateInstanceInAutoScalingGroup",
    ]
    assert resize["Condition"] == {
        "StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/staging": "owned"}
    }
    assert eks.settle(cluster.cluster_autoscaler_role_arn) == association["roleArn"]


def test_cluster_autoscaler_can_be_left_out(eks):
    cluster = build(eks, base_args(cluster_autoscaler=False))

    assert eks.of_type(POD_IDENTITY) == []
    assert "staging-cluster-autoscaler" not in {r.name for r in eks.of_type(ROLE)}
    assert eks.settle(cluster.cluster_autoscaler_role_arn) == ""


def test_deletion_protection_follows_the_args(eks):
    build(eks, base_args(deletion_protection=True))

    assert eks.one(CLUSTER).inputs["deletionProtection"] is True


def test_node_groups_are_a_list_with_architecture_capacity_labels_and_taints(eks):
    build(
        eks,
        base_args(
            node_groups=[
                {"name": "system", "instance_types": ["m7i.large"], "min_size": 2},
                {
                    "name": "arm-spot",
                    "architecture": "arm64",
                    "capacity_type": "SPOT",
                    "instance_types": ["m7g.large", "m6g.large", "c7g.xlarge"],
                    "labels": {"workload": "batch"},
                    "taints": [{"key": "workload", "value": "batch", "effect": "NoExecute"}],
                    "min_size": 0,
                    "max_size": 20,
                },
            ]
        ),
    )

    groups = {g.name: g.inputs for g in eks.of_type(NODE_GROUP)}
    assert set(groups) == {"staging-system", "staging-arm-spot"}
    system, arm = groups["staging-system"], groups["staging-arm-spot"]
    assert (system["amiType"], system["capacityType"]) == ("AL2023_x86_64_STANDARD", "ON_DEMAND")
    assert (arm["amiType"], arm["capacityType"]) == ("AL2023_ARM_64_STANDARD", "SPOT")
    assert arm["instanceTypes"] == ["m7g.large", "m6g.large", "c7g.xlarge"]
    assert arm["labels"] == {"moorage.dev/node-group": "arm-spot", "workload": "batch"}
    assert arm["taints"] == [{"key": "workload", "value": "batch", "effect": "NO_EXECUTE"}]
    assert arm["scalingConfig"] == {"minSize": 0, "maxSize": 20, "desiredSize": 0}
    # Each group has its own hardened launch template.
    templates = {t.name for t in eks.of_type(LAUNCH_TEMPLATE)}
    assert templates == {"staging-system-lt", "staging-arm-spot-lt"}
    assert all(
        eks.resource(NODE_GROUP, g).ignore_changes == ["scalingConfig.desiredSize"] for g in groups
    )


def test_arm64_groups_default_to_a_graviton_type():
    spec = validate_eks_args(
        "staging", base_args(node_groups=[{"name": "arm", "architecture": "arm64"}])
    )
    assert spec.node_groups[0].instance_types == ["t4g.medium"]


# --- EKS Auto Mode ----------------------------------------------------------------------


def test_auto_mode_turns_on_compute_storage_and_load_balancing_together(eks):
    cluster = build(eks, base_args(compute="auto"))

    inputs = eks.one(CLUSTER).inputs
    assert inputs["computeConfig"] == {
        "enabled": True,
        "nodePools": ["general-purpose", "system"],
        "nodeRoleArn": f"arn:aws:iam::{ACCOUNT}:role/staging-node-role",
    }
    assert inputs["storageConfig"] == {"blockStorage": {"enabled": True}}
    assert inputs["kubernetesNetworkConfig"] == {"elasticLoadBalancing": {"enabled": True}}
    assert inputs["bootstrapSelfManagedAddons"] is False
    assert inputs["accessConfig"]["authenticationMode"] == "API"
    # AWS runs the nodes: no node groups, launch templates or autoscaler role.
    assert eks.of_type(NODE_GROUP) == [] and eks.of_type(LAUNCH_TEMPLATE) == []
    assert eks.of_type(POD_IDENTITY) == []
    assert eks.settle(cluster.cluster_autoscaler_role_arn) == ""
    # Only metrics-server is still an addon.
    assert set(addon_inputs(eks)) == {"metrics-server"}


def test_auto_mode_roles_have_the_policies_it_needs(eks):
    build(eks, base_args(compute="auto"))

    assert policies_by_role(eks) == {
        "staging-cluster-role": {
            "AmazonEKSClusterPolicy",
            "AmazonEKSComputePolicy",
            "AmazonEKSBlockStoragePolicy",
            "AmazonEKSLoadBalancingPolicy",
            "AmazonEKSNetworkingPolicy",
        },
        "staging-node-role": {
            "AmazonEKSWorkerNodeMinimalPolicy",
            "AmazonEC2ContainerRegistryPullOnly",
        },
    }
    trust = json.loads(eks.resource(ROLE, "staging-cluster-role").inputs["assumeRolePolicy"])
    assert "sts:TagSession" in trust["Statement"][0]["Action"]
    # The cluster waits for every policy, the node role's included: Auto Mode launches
    # nodes as soon as the cluster exists.
    cluster = eks.resource(CLUSTER, "staging-cluster")
    assert cluster.depends_on(ATTACHMENT, "staging-cluster-AmazonEKSComputePolicy")
    assert cluster.depends_on(ATTACHMENT, "staging-node-AmazonEKSWorkerNodeMinimalPolicy")


def test_auto_mode_enforces_network_policy_and_offers_alb_ingress_and_gp3(eks):
    build(eks, base_args(compute="auto"))

    config_map = eks.one("kubernetes:core/v1:ConfigMap").inputs
    assert config_map["metadata"] == {"name": "amazon-vpc-cni", "namespace": "kube-system"}
    assert config_map["data"] == {"enable-network-policy-controller": "true"}
    ingress_class = eks.one("kubernetes:networking.k8s.io/v1:IngressClass").inputs
    assert ingress_class["spec"] == {"controller": "eks.amazonaws.com/alb"}
    assert eks.one(STORAGE_CLASS).inputs["provisioner"] == "ebs.csi.eks.amazonaws.com"


def test_network_resources_keep_their_identity_from_before_the_child_component(eks):
    """The VPC and its parts moved under EksNetwork: an alias to their old parent (the
    EksCluster) keeps an existing stack from replacing them."""
    build(eks, base_args())

    for typ, name in [(VPC, "staging-vpc"), (SUBNET, "staging-private-0"), (NAT, "staging-nat-0")]:
        [alias] = eks.requests[(typ, name)].aliases
        assert alias.spec.parentUrn.endswith("moorage:index:EksCluster::staging"), name


def test_the_first_node_group_takes_over_the_single_group_of_earlier_versions(eks):
    build(eks, base_args(node_groups=[{"name": "general"}, {"name": "other"}]))

    [alias] = eks.requests[(NODE_GROUP, "staging-general")].aliases
    assert alias.spec.name == "staging-nodes"
    [alias] = eks.requests[(LAUNCH_TEMPLATE, "staging-general-lt")].aliases
    assert alias.spec.name == "staging-nodes-lt"
    assert list(eks.requests[(NODE_GROUP, "staging-other")].aliases) == []


@pytest.mark.parametrize(
    ("instance_type", "architecture"),
    [
        ("t4g.medium", "arm64"),
        ("m7g.large", "arm64"),
        ("m6gd.xlarge", "arm64"),
        ("c6gn.2xlarge", "arm64"),
        ("c7gn.large", "arm64"),
        ("x2gd.large", "arm64"),
        ("im4gn.large", "arm64"),
        ("is4gen.large", "arm64"),
        ("g5g.xlarge", "arm64"),
        ("a1.large", "arm64"),
        ("t3.medium", "x86_64"),
        ("m7i-flex.large", "x86_64"),
        ("m5dn.large", "x86_64"),
        ("g4dn.xlarge", "x86_64"),
        ("g4ad.xlarge", "x86_64"),
        ("c7a.large", "x86_64"),
        ("r7iz.large", "x86_64"),
        ("u-6tb1.metal", "x86_64"),
    ],
)
def test_instance_architecture_recognises_graviton_types(instance_type, architecture):
    from moorage.clusters.eks import instance_architecture

    assert instance_architecture(instance_type) == architecture
