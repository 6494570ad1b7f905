"""EKS managed addons (eks/_managed_addons.py): versions, configuration, Pod Identity."""

from __future__ import annotations

import json

from moorage.clusters.eks import (
    MANAGED_ADDONS,
)

from .conftest import (
    ACCOUNT,
    ADDON,
    ADDON_TOKEN,
    ADDON_VERSION,
    NODE_GROUP,
    ROLE,
    STORAGE_CLASS,
    addon_inputs,
    base_args,
    build,
)


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
            kubernetes_version="1.35",
            managed_addons=[{"name": "coredns", "version": "v1.11.4-eksbuild.2"}],
        ),
    )

    addons = {a.inputs["addonName"]: a.inputs for a in eks.of_type(ADDON)}
    assert addons["coredns"]["addonVersion"] == "v1.11.4-eksbuild.2"
    assert addons["vpc-cni"]["addonVersion"] == ADDON_VERSION
    lookups = [args for token, args in eks.calls if token == ADDON_TOKEN]
    assert "coredns" not in [args["addonName"] for args in lookups]
    assert {args["kubernetesVersion"] for args in lookups} == {"1.35"}


def test_vpc_cni_enforces_network_policy(eks):
    """CIS EKS 5.4.4: the VPC CNI ignores NetworkPolicy unless enableNetworkPolicy is on."""
    build(eks, base_args())

    configuration = json.loads(addon_inputs(eks)["vpc-cni"]["configurationValues"])
    assert configuration == {"enableNetworkPolicy": "true"}


def test_addon_configuration_merges_over_the_defaults_and_any_addon_can_be_added(eks):
    build(
        eks,
        base_args(
            managed_addons=[
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
