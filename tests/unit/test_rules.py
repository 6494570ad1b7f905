"""Rules (_rules.py) that cluster Args use: CIDR ranges, API allow-lists, node bounds."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import pytest
from moorage import _rules as rule
from moorage._errors import ValidationError
from moorage._rules import component_label

LABEL = component_label("staging", "EksCluster")


def raises(field: str, rule_part: str) -> Any:
    """pytest.raises for a ValidationError on ``field`` whose rule mentions ``rule_part``."""
    return pytest.raises(
        ValidationError,
        match=rf"^EksCluster \"staging\": {re.escape(field)} \(.*{re.escape(rule_part)}",
    )


@pytest.mark.parametrize("value", ["10.0.0.0/16", "203.0.113.0/24", "0.0.0.0/0", "192.0.2.1/32"])
def test_ipv4_network_accepts_ipv4_networks(value):
    assert rule.ipv4_network(LABEL, "cidr", value) == ipaddress.IPv4Network(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10.0.0.0", "must be a CIDR block"),
        ("10.0.0.0/33", "must be a CIDR block"),
        ("10.0.0/16", "must be a CIDR block"),
        ("10.0.0.256/24", "must be a CIDR block"),
        ("office", "must be a CIDR block"),
        ("2001:db8::/32", "must be an IPv4 CIDR"),
        ("10.0.0.5/16", "has host bits set; did you mean 10.0.0.0/16?"),
    ],
)
def test_ipv4_network_rejects_malformed_values(value, expected):
    with raises("cidr", expected):
        rule.ipv4_network(LABEL, "cidr", value)


def test_private_cidr_bounds():
    assert str(rule.private_ipv4_network(LABEL, "vpc_cidr", "10.0.0.0/16", 16, 20)) == "10.0.0.0/16"
    with raises("vpc_cidr", "private (RFC 1918)"):
        rule.private_ipv4_network(LABEL, "vpc_cidr", "52.0.0.0/16", 16, 20)
    with raises("vpc_cidr", "between /16 and /20"):
        rule.private_ipv4_network(LABEL, "vpc_cidr", "10.0.0.0/24", 16, 20)


def test_allow_list_refuses_anywhere_without_the_flag():
    with raises("public_access_cidrs[1]", "set allow_public_endpoint_from_anywhere: true"):
        rule.api_allow_list(
            LABEL,
            "public_access_cidrs",
            ["203.0.113.0/24", "0.0.0.0/0"],
            allow_anywhere=False,
            flag="allow_public_endpoint_from_anywhere",
        )
    allowed = rule.api_allow_list(
        LABEL, "public_access_cidrs", ["0.0.0.0/0"], allow_anywhere=True, flag="x"
    )
    assert allowed == ["0.0.0.0/0"]


def test_allow_list_refuses_duplicates():
    with raises("cidrs", "more than once"):
        rule.api_allow_list(
            LABEL, "cidrs", ["203.0.113.0/24", "203.0.113.0/24"], allow_anywhere=False, flag="x"
        )


def test_overlapping_ranges_are_named():
    networks = {
        "subnet_cidr": ipaddress.IPv4Network("10.0.0.0/20"),
        "pods_cidr": ipaddress.IPv4Network("10.4.0.0/14"),
        "services_cidr": ipaddress.IPv4Network("10.6.0.0/20"),
    }
    with raises("pods_cidr", "overlaps services_cidr (10.6.0.0/20)"):
        rule.no_overlap(LABEL, networks)
    del networks["services_cidr"]
    rule.no_overlap(LABEL, networks)


@pytest.mark.parametrize(
    ("low", "high", "desired"), [(0, 1, None), (2, 4, 2), (2, 4, 4), (3, 3, 3), (0, 10, 0)]
)
def test_node_bounds_accept_consistent_sizes(low, high, desired):
    rule.node_bounds(
        LABEL,
        min_field="node_group.min_size",
        min_value=low,
        max_field="node_group.max_size",
        max_value=high,
        desired_field="node_group.desired_size",
        desired_value=desired,
    )


@pytest.mark.parametrize(
    ("low", "high", "desired", "field", "expected"),
    [
        (-1, 3, None, "node_group.min_size", "must be 0 or more"),
        (0, 0, None, "node_group.max_size", "must be at least 1"),
        (5, 3, None, "node_group.min_size", "is greater than node_group.max_size (3)"),
        (2, 4, 1, "node_group.desired_size", "is less than node_group.min_size (2)"),
        (2, 4, 5, "node_group.desired_size", "is greater than node_group.max_size (4)"),
    ],
)
def test_node_bounds_reject_inconsistent_sizes(low, high, desired, field, expected):
    with raises(field, expected):
        rule.node_bounds(
            LABEL,
            min_field="node_group.min_size",
            min_value=low,
            max_field="node_group.max_size",
            max_value=high,
            desired_field="node_group.desired_size",
            desired_value=desired,
        )
