"""EksNetwork: the VPC an EksCluster runs in, as a reusable child component.

Public subnets (load balancers, NAT) and private subnets (control-plane ENIs, nodes and
pods) in each availability zone, with one NAT gateway or one per zone. Bring-your-own-VPC
clusters skip it and use the ids they were given.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..._errors import ValidationError
from .._shared import moved_children, with_opts
from ._validation import EksSpec

TYPE_TOKEN = "moorage:index:EksNetwork"


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


@dataclass
class NetworkIds:
    """What the cluster needs from its network, created or brought in."""

    vpc_id: pulumi.Input[str]
    private_subnet_ids: list[pulumi.Input[str]]
    public_subnet_ids: list[pulumi.Input[str]]
    egress_ready: list[pulumi.Resource]
    """Resources nodes need before they can reach ECR and the EKS API (NAT routes)."""


def _zone(names: Sequence[str], index: int, spec: EksSpec) -> str:
    if index >= len(names):
        raise ValidationError(
            spec.label,
            "availability_zone_count",
            spec.availability_zone_count,
            f"is more than the {len(names)} availability zones available in {spec.region}",
        )
    return names[index]


class EksNetwork(pulumi.ComponentResource):
    """A VPC laid out for EKS: tagged public and private subnets across zones, NAT egress."""

    vpc_id: pulumi.Output[str]
    """The VPC's id."""
    private_subnet_ids: pulumi.Output[list[str]]
    """Private subnets, one per zone."""
    public_subnet_ids: pulumi.Output[list[str]]
    """Public subnets, one per zone, tagged for internet-facing load balancers."""

    def __init__(
        self,
        name: str,
        spec: EksSpec,
        opts: pulumi.ResourceOptions | None = None,
        *,
        prefix: str | None = None,
    ) -> None:
        """``prefix`` names the children (default ``name``): EksCluster passes its own name so
        the resources keep the names they had before this component existed."""
        super().__init__(TYPE_TOKEN, name, None, opts)
        name = prefix or name
        # The network's resources used to be direct children of the EksCluster.
        child = moved_children(self, opts)
        invoke = pulumi.InvokeOutputOptions(parent=self)
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
            opts=child,
        )
        gateway = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=vpc.id, tags={"Name": f"{spec.cluster_name}-igw"}, opts=child
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
                    opts=child,
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
                    opts=child,
                )
            )

        public_routes = aws.ec2.RouteTable(
            f"{name}-public-rt",
            vpc_id=vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}],
            tags={"Name": f"{spec.cluster_name}-public"},
            opts=child,
        )
        for i, subnet in enumerate(public):
            aws.ec2.RouteTableAssociation(
                f"{name}-public-rta-{i}",
                subnet_id=subnet.id,
                route_table_id=public_routes.id,
                opts=child,
            )

        nat_count = spec.availability_zone_count if spec.nat_gateway_per_az else 1
        private_routes: list[aws.ec2.RouteTable] = []
        for i in range(nat_count):
            address = aws.ec2.Eip(
                f"{name}-nat-eip-{i}",
                domain="vpc",
                tags={"Name": f"{spec.cluster_name}-nat-{i}"},
                opts=with_opts(child, depends_on=[gateway]),
            )
            nat = aws.ec2.NatGateway(
                f"{name}-nat-{i}",
                allocation_id=address.allocation_id,
                subnet_id=public[i].id,
                tags={"Name": f"{spec.cluster_name}-nat-{i}"},
                opts=with_opts(child, depends_on=[gateway]),
            )
            private_routes.append(
                aws.ec2.RouteTable(
                    f"{name}-private-rt-{i}",
                    vpc_id=vpc.id,
                    routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}],
                    tags={"Name": f"{spec.cluster_name}-private-{i}"},
                    opts=child,
                )
            )
        self.egress_ready: list[pulumi.Resource] = [
            aws.ec2.RouteTableAssociation(
                f"{name}-private-rta-{i}",
                subnet_id=subnet.id,
                route_table_id=private_routes[min(i, nat_count - 1)].id,
                opts=child,
            )
            for i, subnet in enumerate(private)
        ]
        self.ids = NetworkIds(
            vpc.id,
            [subnet.id for subnet in private],
            [subnet.id for subnet in public],
            self.egress_ready,
        )
        self.vpc_id = vpc.id
        self.private_subnet_ids = pulumi.Output.all(*self.ids.private_subnet_ids)
        self.public_subnet_ids = pulumi.Output.all(*self.ids.public_subnet_ids)
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "private_subnet_ids": self.private_subnet_ids,
                "public_subnet_ids": self.public_subnet_ids,
            }
        )
