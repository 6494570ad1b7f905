"""EksClusterArgs validation (eks/_validation.py): bad input fails before anything exists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from moorage._errors import ValidationError
from moorage.clusters.eks import (
    EksAddonArgs,
    EksClusterArgs,
    EksNodeGroupArgs,
    aws_partition,
    validate_eks_args,
)

from ..._paths import with_output_at
from .conftest import (
    ACCOUNT,
    ADMIN,
    AZ_TOKEN,
    NODE_GROUP,
    ZONES,
    aws_calls,
    aws_outputs,
    base_args,
    build,
)

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
    managed_addons=[
        {
            "name": "coredns",
            "version": "v1.11.4-eksbuild.2",
            "configuration": {"replicaCount": 3},
        }
    ],
    cluster_autoscaler=True,
    addons={"cert_manager": {"enabled": True, "cluster_issuer_email": "ops@example.com"}},
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
    "managed_addons[0].version",
    "delete_unreachable",
    "tags",
]
"""Passed through to resources unchanged, so they may come from other resources."""


MUST_BE_KNOWN = [
    *(key for key in EksClusterArgs.__annotations__ if key not in MAY_BE_OUTPUTS),
    *(f"node_groups[0].{key}" for key in EksNodeGroupArgs.__annotations__),
    *(f"managed_addons[0].{key}" for key in EksAddonArgs.__annotations__ if key != "version"),
    "public_access_cidrs[0]",
    "node_groups[0]",
    "managed_addons[0]",
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
        "must be a CIDR block",
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
        base_args(managed_addons=[{"name": "Core_DNS"}]),
        "managed_addons[0].name",
        "EKS addon name",
        id="malformed-addon-name",
    ),
    pytest.param(
        base_args(managed_addons=[{"name": "coredns"}, {"name": "coredns"}]),
        "managed_addons[1].name",
        "more than once",
        id="addon-twice",
    ),
    pytest.param(
        base_args(managed_addons=[{"name": "vpc-cni", "configuration": {"env": {"X": object()}}}]),
        "managed_addons[0].configuration.env.X",
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
        base_args(compute="auto", managed_addons=[{"name": "vpc-cni"}]),
        "managed_addons[0].name",
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


def test_the_output_cases_cover_every_field():
    assert set(EksClusterArgs.__annotations__) == set(EVERY_FIELD) | set(OWN_VPC)
    assert set(EksNodeGroupArgs.__annotations__) == set(EVERY_FIELD["node_groups"][0])
    assert set(EksAddonArgs.__annotations__) == set(EVERY_FIELD["managed_addons"][0])


@pytest.mark.parametrize("path", MAY_BE_OUTPUTS)
def test_ids_arns_versions_and_tags_may_be_outputs(make_mocks, path):
    plain = make_mocks(call_handler=aws_calls, resource_outputs=aws_outputs)
    build(plain, args_for(path))
    deferred = make_mocks(call_handler=aws_calls, resource_outputs=aws_outputs)
    build(deferred, with_output_at(args_for(path), path))

    # The same resources with the same inputs, once the Output resolved.
    assert plain.of_type(NODE_GROUP)
    assert deferred.inputs_by_resource() == plain.inputs_by_resource()


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


def test_partition_follows_the_region():
    assert aws_partition("us-west-2") == "aws"
    assert aws_partition("cn-north-1") == "aws-cn"
    assert aws_partition("us-gov-west-1") == "aws-us-gov"
