"""Pure validation helpers for cluster Args: field types, CIDRs, versions, bounds.

Nothing here creates resources or does I/O, so tests call these functions
directly. Every failure is a ``ValidationError`` that names the component
(``EksCluster "staging"``), the field (``node_group.min_size``), the value and the
rule that was broken.

Args fields are typed ``pulumi.Input``, but the typed reads below need a plain value:
it is validated before anything is created, or it decides which resources exist. An
Output there fails with "must be known when the program runs". Only ``raw`` (and the
items of ``items``, the values of ``mapping``) pass Outputs through, for ids, ARNs,
tags and the like.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence

from .._fields import Fields

SUPPORTED_KUBERNETES_VERSIONS: tuple[str, ...] = ("1.33", "1.34", "1.35", "1.36")
"""Kubernetes minor versions both EKS and GKE offer (checked 2026-11-29). On EKS, 1.33 is in
extended support (six times the control-plane price) and 1.34 leaves standard support on
2026-12-02; 1.35 and 1.36 are in standard support. GKE's Regular channel offers 1.33-1.36."""

DEFAULT_KUBERNETES_VERSION = "1.36"
"""Default cloud cluster version: the minor of the local control plane (KUBERNETES_VERSION in
tools/versions.env, checked by a test), which both clouds offer in standard support (EKS
since 2026-06, standard support to 2027-08; GKE Regular channel)."""

_VERSION = re.compile(r"^1\.\d{1,2}$")


def component_label(kind: str, name: str) -> str:
    """How errors name a component: ``EksCluster "staging"``."""
    return f'{kind} "{name}"'


def check_pattern(fields: Fields, key: str, value: str, pattern: str, meaning: str) -> str:
    if not re.fullmatch(pattern, value):
        raise fields.fail(key, value, f"must be {meaning}")
    return value


def check_one_of(fields: Fields, key: str, value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise fields.fail(key, value, f"must be one of {', '.join(allowed)}")
    return value


def check_range(fields: Fields, key: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise fields.fail(key, value, f"must be between {low} and {high}")
    return value


def check_kubernetes_version(
    fields: Fields,
    key: str,
    value: str,
    supported: Sequence[str] = SUPPORTED_KUBERNETES_VERSIONS,
) -> str:
    """A pinned "1.NN" minor version from the supported list."""
    if not _VERSION.fullmatch(value):
        raise fields.fail(key, value, 'must be a Kubernetes minor version like "1.34"')
    if value not in supported:
        raise fields.fail(key, value, f"is not supported; use one of {', '.join(supported)}")
    return value


def parse_cidr(fields: Fields, key: str, value: str) -> ipaddress.IPv4Network:
    """An IPv4 CIDR with no host bits set, e.g. 10.0.0.0/16."""
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise fields.fail(key, value, "is not a valid IPv4 CIDR (e.g. 10.0.0.0/16)") from None
    if not isinstance(network, ipaddress.IPv4Network) or "/" not in value:
        raise fields.fail(key, value, "is not a valid IPv4 CIDR (e.g. 10.0.0.0/16)")
    if str(network) != value:
        raise fields.fail(key, value, f"has host bits set; did you mean {network}?")
    return network


def check_private_cidr(
    fields: Fields, key: str, value: str, min_prefix: int, max_prefix: int
) -> ipaddress.IPv4Network:
    """A private (RFC 1918) range whose prefix length is within the given bounds."""
    network = parse_cidr(fields, key, value)
    if not network.is_private:
        raise fields.fail(key, value, "must be a private (RFC 1918) range")
    if not min_prefix <= network.prefixlen <= max_prefix:
        raise fields.fail(
            key, value, f"must have a prefix length between /{min_prefix} and /{max_prefix}"
        )
    return network


def check_allow_list(
    fields: Fields, key: str, values: Sequence[str], *, allow_anywhere: bool, flag: str
) -> list[str]:
    """CIDRs allowed to reach a Kubernetes API endpoint.

    ``0.0.0.0/0`` is refused unless the caller set ``flag`` explicitly.
    """
    for i, value in enumerate(values):
        network = parse_cidr(fields, f"{key}[{i}]", value)
        if network.prefixlen == 0 and not allow_anywhere:
            raise fields.fail(
                f"{key}[{i}]",
                value,
                f"opens the Kubernetes API to the whole internet; set {fields.field(flag)}: "
                "true if that is really intended",
            )
    if len(set(values)) != len(values):
        raise fields.fail(key, list(values), "lists the same CIDR more than once")
    return list(values)


def check_no_overlap(fields: Fields, networks: Mapping[str, ipaddress.IPv4Network]) -> None:
    """Fail if any two of the named ranges overlap."""
    named = list(networks.items())
    for i, (key, network) in enumerate(named):
        for other_key, other in named[i + 1 :]:
            if network.overlaps(other):
                raise fields.fail(
                    key, str(network), f"overlaps {fields.field(other_key)} ({other})"
                )


def check_node_bounds(
    fields: Fields,
    *,
    min_key: str,
    min_value: int,
    max_key: str,
    max_value: int,
    desired_key: str | None = None,
    desired_value: int | None = None,
) -> None:
    """0 <= min <= desired <= max and max >= 1."""
    if min_value < 0:
        raise fields.fail(min_key, min_value, "must be 0 or more")
    if max_value < 1:
        raise fields.fail(max_key, max_value, "must be at least 1")
    if min_value > max_value:
        raise fields.fail(
            min_key, min_value, f"is greater than {fields.field(max_key)} ({max_value})"
        )
    if desired_key is not None and desired_value is not None:
        if desired_value < min_value:
            raise fields.fail(
                desired_key, desired_value, f"is less than {fields.field(min_key)} ({min_value})"
            )
        if desired_value > max_value:
            raise fields.fail(
                desired_key,
                desired_value,
                f"is greater than {fields.field(max_key)} ({max_value})",
            )
