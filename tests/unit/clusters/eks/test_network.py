"""EksNetwork (eks/_network.py): VPC, subnets, NAT, and bringing your own VPC."""

from __future__ import annotations

import pytest
from moorage.clusters.eks import (
    subnet_layout,
)

from .conftest import (
    AZ_TOKEN,
    CLUSTER,
    NAT,
    NODE_GROUP,
    ROUTE_TABLE,
    SUBNET,
    VPC,
    ZONES,
    base_args,
    build,
)


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


def test_network_resources_keep_their_identity_from_before_the_child_component(eks):
    """The VPC and its parts moved under EksNetwork: an alias to their old parent (the
    EksCluster) keeps an existing stack from replacing them."""
    build(eks, base_args())

    for typ, name in [(VPC, "staging-vpc"), (SUBNET, "staging-private-0"), (NAT, "staging-nat-0")]:
        [alias] = eks.requests[(typ, name)].aliases
        assert alias.spec.parentUrn.endswith("moorage:index:EksCluster::staging"), name
