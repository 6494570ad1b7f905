"""EksCluster's Helm add-ons (addons/ wired in eks/_cluster.py): charts, values, and the
IAM each one gets through Pod Identity."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moorage import ValidationError

from ...conftest import RecordingMocks, Registered
from .conftest import POD_IDENTITY, ROLE, base_args, build

CHART = "kubernetes:helm.sh/v4:Chart"
RELEASE = "kubernetes:helm.sh/v3:Release"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer"
NAMESPACE = "kubernetes:core/v1:Namespace"

DAY_ONE = {
    "cluster_autoscaler": {"enabled": True},
    "load_balancer_controller": {"enabled": True},
    "external_dns": {
        "enabled": True,
        "domain_filters": ["staging.example.com"],
        "hosted_zone_ids": ["Z0123456789ABC"],
    },
    "cert_manager": {"enabled": True, "cluster_issuer_email": "ops@example.com"},
    "gateway": {"enabled": True},
    "prometheus": {"enabled": True, "values": {"grafana": {"enabled": False}}},
}


def named(mocks: RecordingMocks, typ: str, name: str) -> Registered:
    (found,) = [r for r in mocks.of_type(typ) if r.name == name]
    return found


def association(mocks: RecordingMocks, namespace: str) -> Registered:
    (found,) = [r for r in mocks.of_type(POD_IDENTITY) if r.inputs["namespace"] == namespace]
    return found


def test_day_one_addons_install_with_their_charts_and_values(eks: RecordingMocks) -> None:
    build(eks, base_args(addons=DAY_ONE))

    assert {r.name for r in eks.of_type(CHART)} == {
        "staging-cluster-autoscaler",
        "staging-external-dns",
        "staging-cert-manager",
        "staging-gateway-crds",
        "staging-prometheus-crds",
    }
    assert {r.name for r in eks.of_type(RELEASE)} == {
        "staging-load-balancer-controller",
        "staging-gateway",
        "staging-prometheus",
    }
    autoscaler = named(eks, CHART, "staging-cluster-autoscaler").inputs
    assert autoscaler["namespace"] == "kube-system"
    assert autoscaler["values"]["autoDiscovery"] == {"clusterName": "staging"}
    assert autoscaler["values"]["awsRegion"] == "us-west-2"
    assert autoscaler["values"]["rbac"]["serviceAccount"]["name"] == "cluster-autoscaler"
    # Its role is the one cluster_autoscaler: true made for kube-system/cluster-autoscaler.
    assert association(eks, "kube-system").inputs["serviceAccount"] == "cluster-autoscaler"
    assert "kube-system" not in {r.metadata.get("name") for r in eks.of_type(NAMESPACE)}

    certs = named(eks, CHART, "staging-cert-manager").inputs
    assert certs["values"] == {"crds": {"enabled": True}, "startupapicheck": {"enabled": False}}
    issuer = eks.one(ISSUER)
    assert issuer.inputs["spec"]["acme"]["email"] == "ops@example.com"
    assert issuer.depends_on(CHART, "staging-cert-manager")

    gateway = named(eks, RELEASE, "staging-gateway")
    assert gateway.inputs["skipCrds"] is True
    assert gateway.depends_on(CHART, "staging-gateway-crds")
    crds = named(eks, CHART, "staging-gateway-crds").inputs
    assert crds["chart"] == "oci://docker.io/envoyproxy/gateway-crds-helm"
    assert crds["version"] == gateway.inputs["version"]

    prometheus = named(eks, RELEASE, "staging-prometheus").inputs
    assert prometheus["values"] == {"grafana": {"enabled": False}}  # the user's values


def test_every_addon_runs_on_the_clusters_provider_after_the_nodes(eks: RecordingMocks) -> None:
    build(eks, base_args(addons=DAY_ONE))

    for resource in [*eks.of_type(CHART), *eks.of_type(RELEASE), *eks.of_type(ISSUER)]:
        assert "$pulumi:providers:kubernetes::staging-k8s::" in resource.provider, resource.name
    for resource in [*eks.of_type(ROLE), *eks.of_type(POD_IDENTITY), *eks.of_type(ROLE_POLICY)]:
        assert "$pulumi:providers:aws::staging-aws::" in resource.provider, resource.name


def test_the_load_balancer_controller_gets_its_own_role_through_pod_identity(
    eks: RecordingMocks,
) -> None:
    build(eks, base_args(addons={"load_balancer_controller": {"enabled": True}}))

    link = association(eks, "aws-load-balancer-controller")
    assert link.inputs["serviceAccount"] == "aws-load-balancer-controller"
    assert link.inputs["clusterName"] == "staging"
    role = named(eks, ROLE, "staging-load-balancer-controller-identity")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
        }
    ]
    policy = json.loads(
        named(eks, ROLE_POLICY, "staging-load-balancer-controller-identity-policy").inputs["policy"]
    )
    writes = [s for s in policy["Statement"] if s["Sid"] == "ChangeOwned"]
    assert writes[0]["Condition"] == {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}}
    # Pods never start with a role that cannot do its job yet.
    assert link.depends_on(ROLE_POLICY, "staging-load-balancer-controller-identity-policy")
    values = named(eks, RELEASE, "staging-load-balancer-controller").inputs["values"]
    assert values["clusterName"] == "staging" and values["region"] == "us-west-2"
    assert values["vpcId"]
    assert values["serviceAccount"] == {"create": True, "name": "aws-load-balancer-controller"}
    # Existing LoadBalancer Services are not moved to (internal) NLBs behind the user's back.
    assert values["enableServiceMutatorWebhook"] is False


@pytest.mark.parametrize(
    ("zones", "resources"),
    [
        (["Z0123456789ABC"], ["arn:aws:route53:::hostedzone/Z0123456789ABC"]),
        ([], ["arn:aws:route53:::hostedzone/*"]),
    ],
)
def test_external_dns_may_change_only_the_listed_route53_zones(
    eks: RecordingMocks, zones: list[str], resources: list[str]
) -> None:
    dns: dict[str, Any] = {
        "enabled": True,
        "domain_filters": ["example.com"],
        "hosted_zone_ids": zones,
    }
    build(eks, base_args(addons={"external_dns": dns}))

    policy = json.loads(
        named(eks, ROLE_POLICY, "staging-external-dns-identity-policy").inputs["policy"]
    )
    (change,) = [s for s in policy["Statement"] if s["Sid"] == "ChangeRecords"]
    assert change["Resource"] == resources
    assert association(eks, "external-dns").inputs["serviceAccount"] == "external-dns"
    values = named(eks, CHART, "staging-external-dns").inputs["values"]
    assert values["provider"] == {"name": "aws"}
    assert values["domainFilters"] == ["example.com"]
    assert values["txtOwnerId"] == "staging"
    assert values["policy"] == "upsert-only"


@pytest.mark.parametrize(
    ("args", "field", "rule"),
    [
        (
            base_args(addons=[{"name": "coredns"}]),
            "addons",
            "EKS managed addons are now set with managed_addons",
        ),
        (
            base_args(cluster_autoscaler=False, addons={"cluster_autoscaler": {"enabled": True}}),
            "addons.cluster_autoscaler.enabled",
            "cluster_autoscaler: true",
        ),
        (
            base_args(compute="auto", addons={"cluster_autoscaler": {"enabled": True}}),
            "addons.cluster_autoscaler.enabled",
            "Auto Mode scales the nodes itself",
        ),
        (
            base_args(addons={"metrics_server": {"enabled": True}}),
            "addons.metrics_server.enabled",
            "managed addon",
        ),
    ],
)
def test_addons_the_cluster_cannot_take_fail_before_anything_exists(
    eks: RecordingMocks, args: dict[str, Any], field: str, rule: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        build(eks, args)
    assert eks.resources == []
    assert raised.value.field == field and rule in raised.value.rule
