"""EksCluster (eks/_cluster.py): control plane, access, IRSA, kubeconfig, provider, Auto Mode."""

from __future__ import annotations

import json

from moorage.clusters import DEFAULT_KUBERNETES_VERSION, eks_kubeconfig
from pulumi.runtime.sync_await import _sync_await

from .conftest import (
    ACCESS_ENTRY,
    ACCESS_POLICY,
    ACCOUNT,
    ADDON,
    ADMIN,
    ATTACHMENT,
    CA_DATA,
    CLUSTER,
    COMPONENT,
    ENDPOINT,
    ISSUER,
    K8S_PROVIDER,
    LAUNCH_TEMPLATE,
    NAT,
    NETWORK,
    NODE_GROUP,
    POD_IDENTITY,
    ROLE,
    ROUTE_TABLE,
    STORAGE_CLASS,
    SUBNET,
    VPC,
    addon_inputs,
    base_args,
    build,
)


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


def test_eks_kubeconfig_is_deterministic_and_token_free():
    first = eks_kubeconfig(cluster_name="c", endpoint=ENDPOINT, ca_data=CA_DATA, region="eu-west-1")
    again = eks_kubeconfig(cluster_name="c", endpoint=ENDPOINT, ca_data=CA_DATA, region="eu-west-1")
    assert first == again
    config = json.loads(first)
    assert config["current-context"] == "c"
    assert config["users"][0]["user"]["exec"]["args"][-2:] == ["--region", "eu-west-1"]
    assert '"token"' not in first


def test_eks_staging_stack_deploys_the_service_on_the_cluster(eks):
    """stacks/Pulumi.eks-staging.yaml, read as the engine passes it, through moorage._program."""
    from pathlib import Path

    import yaml
    from moorage._program import deploy
    from moorage._stack_config import parse_stack_settings

    path = Path(__file__).resolve().parents[4] / "stacks" / "Pulumi.eks-staging.yaml"
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


def test_deletion_protection_follows_the_args(eks):
    build(eks, base_args(deletion_protection=True))

    assert eks.one(CLUSTER).inputs["deletionProtection"] is True


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


def test_auto_mode_enforces_network_policy_and_offers_alb_ingress_and_gp3(eks):
    build(eks, base_args(compute="auto"))

    config_map = eks.one("kubernetes:core/v1:ConfigMap").inputs
    assert config_map["metadata"] == {"name": "amazon-vpc-cni", "namespace": "kube-system"}
    assert config_map["data"] == {"enable-network-policy-controller": "true"}
    ingress_class = eks.one("kubernetes:networking.k8s.io/v1:IngressClass").inputs
    assert ingress_class["spec"] == {"controller": "eks.amazonaws.com/alb"}
    assert eks.one(STORAGE_CLASS).inputs["provisioner"] == "ebs.csi.eks.amazonaws.com"
