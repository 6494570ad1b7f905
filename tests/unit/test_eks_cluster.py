"""EksCluster under mocks: what it registers, its secure defaults, and its validation."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pytest
from moorage._errors import ValidationError
from moorage.clusters.eks import (
    ADDONS,
    NODE_GROUP_IGNORE_CHANGES,
    EksCluster,
    EksClusterArgs,
    EksNodeGroupArgs,
    aws_partition,
    subnet_layout,
    validate_eks_args,
)
from moorage.clusters.kubeconfig import eks_kubeconfig
from pulumi.runtime.sync_await import _sync_await

from .conftest import RecordingMocks, with_output_at, with_outputs

ACCOUNT = "123456789012"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/deploy"
ZONES = ["us-west-2a", "us-west-2b", "us-west-2c"]
ADDON_VERSION = "v1.19.0-eksbuild.1"
ISSUER = "https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
ENDPOINT = "https://EXAMPLED539D4633E53DE1B71EXAMPLE.gr7.us-west-2.eks.amazonaws.com"
CA_DATA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcw"
COMPONENT = "$moorage:index:EksCluster::staging"

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
        "pulumi:providers:aws": 1,
        VPC: 1,
        "aws:ec2/internetGateway:InternetGateway": 1,
        SUBNET: 6,
        ROUTE_TABLE: 2,
        "aws:ec2/routeTableAssociation:RouteTableAssociation": 6,
        "aws:ec2/eip:Eip": 1,
        NAT: 1,
        "aws:iam/role:Role": 2,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 4,
        "aws:iam/rolePolicy:RolePolicy": 1,
        "aws:kms/key:Key": 1,
        "aws:cloudwatch/logGroup:LogGroup": 1,
        CLUSTER: 1,
        ACCESS_ENTRY: 1,
        ACCESS_POLICY: 1,
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider": 1,
        LAUNCH_TEMPLATE: 1,
        NODE_GROUP: 1,
        ADDON: 5,
        K8S_PROVIDER: 1,
    }
    for resource in eks.resources:
        if resource.typ == "moorage:index:EksCluster":
            assert resource.parent.endswith("pulumi:pulumi:Stack::moorage-test")
            continue
        assert resource.parent.endswith(COMPONENT), resource
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
    assert cluster["version"] == "1.34"
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
    policy = json.loads(eks.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
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

    attachments = eks.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    by_role: dict[str, set[str]] = {}
    for attachment in attachments:
        by_role.setdefault(attachment.inputs["role"], set()).add(attachment.inputs["policyArn"])
    assert by_role == {
        "staging-cluster-role": {"arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"},
        "staging-node-role": {
            "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
            "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        },
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


# --- nodes -------------------------------------------------------------------------


def test_node_group_is_al2023_with_imdsv2_and_autoscaler_owned_desired_size(eks):
    build(eks, base_args())

    nodes = eks.one(NODE_GROUP).inputs
    assert nodes["amiType"] == "AL2023_x86_64_STANDARD"
    assert nodes["capacityType"] == "ON_DEMAND"
    assert nodes["instanceTypes"] == ["t3.medium"]
    assert nodes["scalingConfig"] == {"minSize": 2, "maxSize": 4, "desiredSize": 2}
    assert nodes["subnetIds"] == [f"staging-private-{i}-id" for i in range(3)]
    assert nodes["launchTemplate"] == {"id": "staging-nodes-lt-id", "version": "1"}

    template = eks.one(LAUNCH_TEMPLATE).inputs
    assert template["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1,
    }
    assert template["blockDeviceMappings"][0]["ebs"]["encrypted"] == "true"

    nodes_registered = eks.resource(NODE_GROUP, "staging-nodes")
    assert nodes_registered.ignore_changes == ["scalingConfig.desiredSize"]
    assert nodes_registered.ignore_changes == NODE_GROUP_IGNORE_CHANGES
    # Nodes wait for their NAT route, their IAM policies and the node-level addons.
    assert eks.resource(NODE_GROUP, "staging-nodes").depends_on(
        "aws:ec2/routeTableAssociation:RouteTableAssociation", "staging-private-rta-2"
    )
    assert eks.resource(NODE_GROUP, "staging-nodes").depends_on(ADDON, "staging-vpc-cni")


def test_spot_capacity_and_sizes_can_be_overridden(eks):
    build(
        eks,
        base_args(
            node_group={
                "capacity_type": "SPOT",
                "instance_types": ["m6i.large", "m5.large"],
                "min_size": 1,
                "max_size": 10,
                "desired_size": 3,
                "metadata_hop_limit": 2,
            }
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
        == set(ADDONS)
        == {
            "vpc-cni",
            "coredns",
            "kube-proxy",
            "eks-pod-identity-agent",
            "metrics-server",
        }
    )
    assert {a["addonVersion"] for a in addons.values()} == {ADDON_VERSION}
    lookups = [args for token, args in eks.calls if token == ADDON_TOKEN]
    assert sorted(args["addonName"] for args in lookups) == sorted(ADDONS)
    assert all(args["kubernetesVersion"] == "1.34" and args["mostRecent"] for args in lookups)
    # Deployments (coredns, metrics-server) need nodes to schedule on.
    assert eks.resource(ADDON, "staging-coredns").depends_on(NODE_GROUP, "staging-nodes")
    assert eks.resource(ADDON, "staging-metrics-server").depends_on(NODE_GROUP, "staging-nodes")


def test_a_pinned_addon_version_skips_the_lookup(eks):
    build(
        eks, base_args(kubernetes_version="1.33", addon_versions={"coredns": "v1.11.4-eksbuild.2"})
    )

    addons = {a.inputs["addonName"]: a.inputs for a in eks.of_type(ADDON)}
    assert addons["coredns"]["addonVersion"] == "v1.11.4-eksbuild.2"
    assert addons["vpc-cni"]["addonVersion"] == ADDON_VERSION
    lookups = [args for token, args in eks.calls if token == ADDON_TOKEN]
    assert "coredns" not in [args["addonName"] for args in lookups]
    assert {args["kubernetesVersion"] for args in lookups} == {"1.33"}


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
        (NODE_GROUP, "staging-nodes"),
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
    kubernetes_version="1.34",
    vpc_cidr="10.0.0.0/16",
    availability_zone_count=3,
    nat_gateway_per_az=False,
    public_access_cidrs=["203.0.113.0/24"],
    allow_public_endpoint_from_anywhere=False,
    kms_key_deletion_window_days=30,
    log_retention_days=90,
    node_group={
        "instance_types": ["t3.medium"],
        "capacity_type": "ON_DEMAND",
        "min_size": 2,
        "max_size": 4,
        "desired_size": 2,
        "disk_size_gib": 50,
        "metadata_hop_limit": 1,
    },
    addon_versions={"coredns": "v1.11.4-eksbuild.2"},
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
    "addon_versions.coredns",
    "delete_unreachable",
    "tags",
]
"""Passed through to resources unchanged, so they may come from other resources."""
MUST_BE_KNOWN = [
    *(key for key in EksClusterArgs.__annotations__ if key not in MAY_BE_OUTPUTS),
    *(f"node_group.{key}" for key in EksNodeGroupArgs.__annotations__),
    "public_access_cidrs[0]",
    "node_group.instance_types[0]",
]
"""Validated before anything is created, or deciding which resources exist."""


def args_for(path: str) -> dict[str, Any]:
    """EVERY_FIELD or OWN_VPC, whichever sets the field at ``path``."""
    return EVERY_FIELD if path.split(".")[0].split("[")[0] in EVERY_FIELD else OWN_VPC


BAD_ARGS = [
    pytest.param({"admin_principal_arns": [ADMIN]}, "region", "is required", id="missing-region"),
    pytest.param(base_args(region="us-west"), "region", "AWS region", id="malformed-region"),
    pytest.param(
        base_args(node_group={"min_size": 5, "max_size": 3}),
        "node_group.min_size",
        "greater than node_group.max_size (3)",
        id="min-above-max",
    ),
    pytest.param(
        base_args(node_group={"min_size": 1, "max_size": 3, "desired_size": 4}),
        "node_group.desired_size",
        "greater than node_group.max_size",
        id="desired-above-max",
    ),
    pytest.param(
        base_args(node_group={"min_size": -1}),
        "node_group.min_size",
        "0 or more",
        id="negative-min",
    ),
    pytest.param(
        base_args(node_group={"min_size": 0, "max_size": 0}),
        "node_group.max_size",
        "at least 1",
        id="zero-max",
    ),
    pytest.param(
        base_args(node_group={"min_size": "2"}), "node_group.min_size", "integer", id="string-size"
    ),
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
        base_args(kubernetes_version="1.29"),
        "kubernetes_version",
        "not supported",
        id="old-version",
    ),
    pytest.param(
        base_args(kubernetes_version="1.34.2"),
        "kubernetes_version",
        "minor version",
        id="patch-version",
    ),
    pytest.param(
        base_args(node_group={"capacity_type": "spot"}),
        "node_group.capacity_type",
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
        base_args(addon_versions={"core-dns": "v1"}),
        "addon_versions.core-dns",
        "not a managed addon",
        id="unknown-addon",
    ),
    pytest.param(
        base_args(node_groups={"min_size": 1}), "node_groups", "not a known field", id="typo-field"
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
    assert set(EksNodeGroupArgs.__annotations__) == set(EVERY_FIELD["node_group"])


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
    assert (spec.kubernetes_version, spec.capacity_type, spec.min_size, spec.max_size) == (
        "1.34",
        "ON_DEMAND",
        2,
        4,
    )
    assert spec.desired_size == spec.min_size
    assert spec.public_access_cidrs == []
    assert spec.log_retention_days == 90
    assert spec.kms_key_deletion_window_days == 30
    assert spec.metadata_hop_limit == 1
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
    assert eks.one(NODE_GROUP).inputs["scalingConfig"] == {
        "minSize": 2,
        "maxSize": 4,
        "desiredSize": 2,
    }
    assert len(eks.of_type(NAT)) == 1
    workloads = [r for r in eks.resources if r.typ.startswith("kubernetes:")]
    assert workloads
    assert all("$pulumi:providers:kubernetes::test-k8s::" in r.provider for r in workloads)
    assert _sync_await(outputs["kubeconfig"].is_secret()) is True
