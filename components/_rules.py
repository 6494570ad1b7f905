"""Pure validation rules for the arguments of every Moorage component.

Each function takes plain values and raises :class:`ValidationError` naming the
component, the field, the value and the rule. Nothing here touches Pulumi.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, cast

import pulumi
import yaml

from . import _grammar as grammar
from ._errors import ValidationError
from ._quantity import parse_quantity

_IMAGE_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_IMAGE_DIGEST = re.compile(r"[a-z0-9]+:[a-f0-9]{32,}")

SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")


def _matching(
    component: str, field: str, value: object, matches: Callable[[str], object], rule: str
) -> str:
    """``value`` when it is a string that ``matches`` accepts; else the error naming ``rule``."""
    if not isinstance(value, str) or not matches(value):
        raise ValidationError(component, field, value, rule)
    return value


def component_label(name: str, kind: str = "WebService") -> str:
    """How error messages name a component, e.g. ``WebService "api"``, ``EksCluster "prod"``."""
    return f'{kind} "{name}"'


def service_name(component: str, name: object) -> str:
    """A Service name: a DNS-1035 label (it also names the Deployment and more)."""
    if not isinstance(name, str) or not grammar.is_dns1035_label(name):
        raise ValidationError(
            component,
            "name",
            name,
            "must be a DNS-1035 label: at most 63 lowercase letters, digits or '-', "
            "starting with a letter and ending with a letter or digit",
        )
    return name


def dns_label(component: str, field: str, value: object) -> str:
    """A DNS-1123 label such as a namespace or volume name."""
    return _matching(
        component,
        field,
        value,
        grammar.is_dns1123_label,
        "must be a DNS-1123 label: at most 63 lowercase letters, digits or '-', "
        "starting and ending with a letter or digit",
    )


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """Split an image reference into (repository, tag, digest)."""
    repository, _, digest = image.partition("@")
    last_slash = repository.rfind("/")
    colon = repository.rfind(":")
    if colon > last_slash:
        return repository[:colon], repository[colon + 1 :], digest or None
    return repository, None, digest or None


def image(component: str, value: object, allow_unpinned: bool) -> str:
    """An image reference pinned by tag or digest, never ``latest``."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(component, "image", value, "must be a non-empty image reference")
    if any(c.isspace() for c in value):
        raise ValidationError(component, "image", value, "must not contain whitespace")
    repository, tag, digest = split_image(value)
    if not repository or tag == "" or digest == "":
        raise ValidationError(component, "image", value, "is not a valid image reference")
    if tag is not None and not _IMAGE_TAG.fullmatch(tag):
        raise ValidationError(
            component,
            "image",
            value,
            "has an invalid tag: at most 128 letters, digits, '_', '.' or '-', "
            "not starting with '.' or '-'",
        )
    if digest is not None and not _IMAGE_DIGEST.fullmatch(digest):
        raise ValidationError(
            component, "image", value, "has a malformed digest (expected e.g. sha256:<hex>)"
        )
    if not allow_unpinned:
        _pinned(component, value, tag, digest)
    return value


def _pinned(component: str, value: str, tag: str | None, digest: str | None) -> None:
    """An image pinned by a tag other than ``latest`` (in any case), or by a digest."""
    if digest is None and tag is None:
        raise ValidationError(
            component,
            "image",
            value,
            "has no tag or digest; pin a version (e.g. ':1.4.2') or set allow_unpinned_image",
        )
    if digest is None and tag is not None and tag.lower() == "latest":
        raise ValidationError(
            component,
            "image",
            value,
            "uses the 'latest' tag; pin a version or set allow_unpinned_image",
        )


def version_label(component: str, field: str, value: object) -> str:
    """A Kubernetes label value (63 characters, alphanumerics and '-_.')."""
    return _matching(
        component,
        field,
        value,
        grammar.is_label_value,
        "must be a valid label value: at most 63 characters of letters, digits, "
        "'-', '_' or '.', starting and ending with a letter or digit",
    )


def qualified_name(component: str, field: str, value: object) -> str:
    """A label or annotation key: an optional DNS subdomain prefix and a name."""
    if isinstance(value, str) and grammar.is_qualified_name(value):
        return value
    raise ValidationError(
        component,
        field,
        value,
        "must be a valid label/annotation key: an optional DNS prefix and '/', then at most "
        "63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    )


def image_version(image_ref: str) -> str:
    """The ``app.kubernetes.io/version`` label derived from an image reference."""
    _, tag, digest = split_image(image_ref)
    if tag:
        return tag[:63].strip("-_.") or "unknown"
    if digest:
        return digest.replace(":", "-")[:19]
    return "unversioned"


def port(component: str, field: str, value: object) -> int:
    """A TCP port, 1-65535."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ValidationError(component, field, value, "must be an integer from 1 to 65535")
    return value


def non_negative_int(
    component: str, field: str, value: object, maximum: int = grammar.INT32_MAX
) -> int:
    """A count of 0 or more that fits its API field (int32 unless ``maximum`` says else)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise ValidationError(
            component, field, value, f"must be an integer of 0 or more, at most {maximum}"
        )
    return value


def positive_int(
    component: str, field: str, value: object, maximum: int = grammar.INT32_MAX
) -> int:
    """A count of 1 or more that fits its API field (int32 unless ``maximum`` says else)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise ValidationError(
            component, field, value, f"must be an integer of 1 or more, at most {maximum}"
        )
    return value


def percentage(component: str, field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
        raise ValidationError(component, field, value, "must be an integer from 1 to 100")
    return value


def one_of(component: str, field: str, value: object, allowed: Iterable[str]) -> str:
    choices = tuple(allowed)
    if value not in choices:
        raise ValidationError(component, field, value, f"must be one of {', '.join(choices)}")
    return str(value)


def boolean(component: str, field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(component, field, value, "must be true or false")
    return value


def http_path(component: str, field: str, value: object) -> str:
    if not isinstance(value, str) or not value.startswith("/"):
        raise ValidationError(component, field, value, "must be an HTTP path starting with '/'")
    return value


def absolute_path(component: str, field: str, value: object) -> str:
    if not isinstance(value, str) or not value.startswith("/") or ":" in value:
        raise ValidationError(
            component, field, value, "must be an absolute path without ':' (e.g. /etc/app)"
        )
    return value


def quantity(component: str, field: str, value: object) -> Decimal:
    """A Kubernetes resource quantity such as "250m" or "1Gi"."""
    try:
        if not isinstance(value, str) or not value:
            raise ValueError
        parsed = parse_quantity(value)
    except ValueError:
        raise ValidationError(
            component, field, value, "is not a Kubernetes quantity (e.g. '250m', '1', '512Mi')"
        ) from None
    if parsed < 0:
        raise ValidationError(component, field, value, "must not be negative")
    return parsed


def quantity_str(component: str, field: str, value: object) -> str:
    """Validate a quantity and keep its original spelling."""
    quantity(component, field, value)
    return cast(str, value)


def request_within_limit(component: str, resource: str, request: str, limit: str) -> None:
    """A request may not exceed its limit."""
    if quantity(component, f"resources.{resource}_request", request) > quantity(
        component, f"resources.{resource}_limit", limit
    ):
        raise ValidationError(
            component,
            f"resources.{resource}_request",
            request,
            f"is greater than resources.{resource}_limit ({limit!r})",
        )


def env_name(component: str, field: str, value: object) -> str:
    return _matching(
        component,
        field,
        value,
        grammar.is_env_var_name,
        "must be an environment variable name: letters, digits and '_', not starting with a digit",
    )


def config_env_key(component: str, field: str, value: object) -> str:
    """A config key that is also exposed as an environment variable."""
    return _matching(
        component,
        field,
        value,
        grammar.is_env_var_name,
        "is not a valid environment variable name; rename it, or set config_as_env: false "
        "and mount the config as files with config_mount_path",
    )


def dns_subdomain(component: str, field: str, value: object) -> str:
    """A DNS-1123 subdomain such as a host name or an object name."""
    return _matching(
        component,
        field,
        value,
        grammar.is_dns1123_subdomain,
        "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.'",
    )


def config_key(component: str, field: str, value: object) -> str:
    """A ConfigMap or Secret key."""
    return _matching(
        component,
        field,
        value,
        grammar.is_config_key,
        "must be a ConfigMap/Secret key: at most 253 letters, digits, '-', '_' or '.', "
        "not '.' and not starting with '..'",
    )


def no_shared_keys(
    component: str,
    first_field: str,
    first: Mapping[str, object],
    second_field: str,
    second: Mapping[str, object],
) -> None:
    """The same key in two places is ambiguous (which value wins?)."""
    for key in sorted(set(first) & set(second)):
        raise ValidationError(
            component,
            f"{second_field}.{key}",
            key,
            f"is also a key of {first_field}; a key may appear in only one of them",
        )


def cidr(component: str, field: str, value: object) -> str:
    """A strict CIDR block: address/length, no host bits set (see ``_grammar.is_cidr``).

    The one CIDR rule: cluster ranges (:func:`ipv4_network`) build on it.
    """
    if isinstance(value, str) and grammar.is_cidr(value):
        return value
    network = _network_with_host_bits(value)
    if network is not None:
        raise ValidationError(
            component,
            field,
            value,
            f"is not a CIDR block: it has host bits set; did you mean {network}?",
        )
    raise ValidationError(
        component,
        field,
        value,
        "must be a CIDR block with a prefix length and no host bits set, "
        "such as 203.0.113.0/24 or 2001:db8::/64",
    )


PUBLIC_LOAD_BALANCER_ANNOTATION = "moorage.dev/public-load-balancer"
"""Set to "true" on a Service to declare a LoadBalancer deliberately open to everyone
(the policy pack and the component's warning accept it)."""


def load_balancer_exposure(ranges: Iterable[object]) -> str | None:
    """How a LoadBalancer with these source ranges is open to every address, or None when
    they restrict who may reach it.

    The one rule of the LoadBalancer allow-list: the stack setting
    ``requireLoadBalancerAllowList`` refuses what it finds, WebService warns of it, and
    the policy pack's ``load-balancer-allow-list`` reports it. A range of prefix length
    0 (``0.0.0.0/0``, ``::/0``) allows every address, so it is no allow-list.
    """
    listed = [str(r) for r in ranges]
    if not listed:
        return "has no loadBalancerSourceRanges"
    everyone = [r for r in listed if _is_every_address(r)]
    if everyone:
        return f"allows every address ({', '.join(everyone)})"
    return None


def _is_every_address(value: str) -> bool:
    try:
        return ipaddress.ip_network(value.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def load_balancer_allow_list(
    component: str, field: str, ranges: Sequence[object], why: str
) -> None:
    """A LoadBalancer's source ranges must restrict it (:func:`load_balancer_exposure`)."""
    problem = load_balancer_exposure(ranges)
    if problem is not None:
        raise ValidationError(
            component,
            field,
            list(ranges),
            f"must list the CIDRs allowed to reach the LoadBalancer, not every address: it "
            f"{problem} ({why})",
        )


def _network_with_host_bits(value: object) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The network ``value`` means when its only fault is host bits after the prefix."""
    if not isinstance(value, str) or "/" not in value:
        return None
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None
    length = value.partition("/")[2]
    if length != str(network.prefixlen) or not grammar.is_cidr(str(network)):
        return None
    return network


def autoscaling_bounds(component: str, min_replicas: int, max_replicas: int) -> None:
    if min_replicas > max_replicas:
        raise ValidationError(
            component,
            "autoscaling.min_replicas",
            min_replicas,
            f"is greater than autoscaling.max_replicas ({max_replicas})",
        )


def known(
    component: str,
    field: str,
    value: object,
    reason: str = "it decides which resources exist",
) -> None:
    """Some fields must be plain values when the program runs, not Outputs."""
    if isinstance(value, pulumi.Output):
        raise ValidationError(
            component,
            field,
            "<output>",
            f"must be known when the program runs (a plain value, not an Output), because {reason}",
        )


# -- the API server's grammar for the remaining fields (see _grammar.py) ------------------


def annotation_key(component: str, field: str, value: object) -> str:
    """An annotation key: a qualified name, case-insensitively (as the server checks it)."""
    return _matching(
        component,
        field,
        value,
        grammar.is_annotation_key,
        "must be a valid annotation key: an optional DNS prefix and '/', then at most "
        "63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    )


def annotations_size(component: str, field: str, values: Mapping[str, object]) -> None:
    """All annotations of one object may hold at most 256 KiB of keys and values."""
    total = sum(len(k) + len(v) for k, v in values.items() if isinstance(v, str))
    if total > grammar.TOTAL_ANNOTATION_SIZE:
        raise ValidationError(
            component,
            field,
            f"<{total} bytes>",
            "is larger than the API server's limit of 256 KiB for all annotations of an object",
        )


def text(component: str, field: str, value: object, *, secret: bool = False) -> str:
    """A string value (ConfigMap/Secret data, env values, annotation values).

    Kubernetes stores these as strings only: a number, a boolean or None would be
    refused by the server, or worse, silently leave a key out. Secret values are
    never echoed.
    """
    if value is None:
        raise ValidationError(
            component,
            field,
            None,
            "is None; every value must be a string (a secret left unset would leave its key "
            "out of the Secret while the container still references it)"
            if secret
            else "is None; every value must be a string",
            secret=secret,
        )
    if not isinstance(value, str):
        raise ValidationError(
            component,
            field,
            value,
            f'must be a string, not {type(value).__name__} (quote it in YAML, e.g. "8080")',
            secret=secret,
        )
    return value


def secret_text(component: str, field: str, value: object) -> str:
    """A secret string value; errors name the field and never show the value."""
    return text(component, field, value, secret=True)


def data_size(
    component: str, field: str, values: Mapping[str, object], *, secret: bool = False
) -> None:
    """A ConfigMap or Secret holds at most 1 MiB of data."""
    total = sum(len(k) + len(v.encode()) for k, v in values.items() if isinstance(v, str))
    if total > grammar.MAX_DATA_SIZE:
        raise ValidationError(
            component,
            field,
            f"<{total} bytes>",
            "is larger than the API server's limit of 1 MiB for a ConfigMap or Secret",
            secret=secret,
        )


def ingress_host(component: str, field: str, value: object) -> str:
    """An Ingress host: a DNS-1123 subdomain or a wildcard ``*.example.com``, not an IP."""
    if isinstance(value, str) and grammar.is_ip_address(value):
        raise ValidationError(
            component, field, value, "must be a DNS name, not an IP address (the server refuses it)"
        )
    return _matching(
        component,
        field,
        value,
        grammar.is_ingress_host,
        "must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.'), "
        "optionally starting with '*.' (e.g. api.example.com or *.example.com)",
    )


def ingress_path(component: str, field: str, value: object) -> str:
    """An Ingress Prefix path: absolute, without '//', '/./', '/../' or '%2f'."""
    return _matching(
        component,
        field,
        value,
        grammar.is_ingress_prefix_path,
        "must be an HTTP path starting with '/', without '//', '/./', '/../' or '%2f', "
        "not ending in '/.' or '/..'",
    )


def port_name(component: str, field: str, value: object) -> str:
    """A port name: at most 15 of a-z, 0-9 and '-', with a letter, no '--', no '-' at the ends."""
    return _matching(
        component,
        field,
        value,
        grammar.is_port_name,
        "must be a port name: at most 15 lowercase letters, digits or '-', with at "
        "least one letter, not starting or ending with '-', no '--'",
    )


def unix_id(component: str, field: str, value: object) -> int:
    """A UID or GID the server accepts, but not 0 (root): 1-2147483647."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < 1
        or not grammar.is_unix_id(value)
    ):
        raise ValidationError(
            component,
            field,
            value,
            f"must be an integer of 1 or more (0 is root), at most {grammar.INT32_MAX}",
        )
    return value


def int64_seconds(component: str, field: str, value: object) -> int:
    """A number of seconds in an int64 field (grace periods, sleeps): 1 or more."""
    return positive_int(component, field, value, grammar.INT64_MAX)


def namespace_claim(
    component: str,
    field: str,
    value: object,
    *,
    create: bool,
    use_instead: str = "set create_namespace: false to deploy into it",
) -> str:
    """A namespace a component may use: never a system namespace, nor create ``default``.

    The one rule for WebService (``namespace``) and Application (``namespaces``);
    ``use_instead`` says how to use ``default`` without creating it.
    """
    name = dns_label(component, field, value)
    if name in grammar.SYSTEM_NAMESPACES:
        raise ValidationError(
            component,
            field,
            name,
            "is a system namespace that Kubernetes owns; Moorage may not create it "
            "or deploy into it (choose another name or namespace)",
        )
    if create and name == "default":
        raise ValidationError(
            component,
            field,
            name,
            f"always exists and cannot be created; {use_instead}",
        )
    return name


# -- ports, probes and pod-spec fields ---------------------------------------------------------

_HTTP_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")

PROTOCOLS = ("TCP", "UDP", "SCTP")
APP_PROTOCOLS = ("http", "https", "http2", "grpc", "tcp")
PROBE_KINDS = ("http", "tcp", "grpc", "exec", "none")
TOLERATION_OPERATORS = ("Equal", "Exists")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
NODE_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
ANTI_AFFINITY = ("none", "preferred", "required")


def app_protocol(component: str, field: str, value: object) -> str:
    """A Service port's appProtocol: one of ours, or a domain-prefixed name."""
    if isinstance(value, str) and (value in APP_PROTOCOLS or "/" in value):
        if value in APP_PROTOCOLS:
            return value
        return qualified_name(component, field, value)
    raise ValidationError(
        component,
        field,
        value,
        f"must be one of {', '.join(APP_PROTOCOLS)}, or a prefixed name such as example.com/custom",
    )


def http_header_name(component: str, field: str, value: object) -> str:
    """An HTTP header name (an RFC 9110 token)."""
    if not isinstance(value, str) or not _HTTP_TOKEN.fullmatch(value):
        raise ValidationError(
            component, field, value, "must be an HTTP header name such as X-Probe"
        )
    return value


_KUBECONFIG_RULE = (
    "must be the contents of a kubeconfig file (YAML with clusters, users and contexts)"
)


def kubeconfig_document(component: str, field: str, value: object) -> dict[str, Any]:
    """The parsed kubeconfig in ``value`` (its contents, not a path); errors never echo it."""
    try:
        document = yaml.safe_load(value) if isinstance(value, str) else None
    except yaml.YAMLError:
        document = None
    if not isinstance(document, dict) or not document.get("clusters"):
        raise ValidationError(component, field, value, _KUBECONFIG_RULE, secret=True)
    return document


def kubeconfig(component: str, field: str, value: object) -> str:
    """A kubeconfig's contents (see :func:`kubeconfig_document`)."""
    kubeconfig_document(component, field, value)
    return cast(str, value)


# -- cluster arguments: names, bounds, versions and network ranges ----------------------------


def pattern(component: str, field: str, value: str, regex: str, meaning: str) -> str:
    """``value`` when it matches ``regex`` whole; else "must be <meaning>"."""
    if not re.fullmatch(regex, value):
        raise ValidationError(component, field, value, f"must be {meaning}")
    return value


def int_between(component: str, field: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise ValidationError(component, field, value, f"must be between {low} and {high}")
    return value


_MINOR_VERSION = re.compile(r"^1\.\d{1,2}$")


def kubernetes_version(component: str, field: str, value: str, supported: Sequence[str]) -> str:
    """A pinned "1.NN" minor version from the ``supported`` list."""
    if not _MINOR_VERSION.fullmatch(value):
        raise ValidationError(
            component, field, value, 'must be a Kubernetes minor version like "1.34"'
        )
    if value not in supported:
        raise ValidationError(
            component, field, value, f"is not supported; use one of {', '.join(supported)}"
        )
    return value


def ipv4_network(component: str, field: str, value: object) -> ipaddress.IPv4Network:
    """An IPv4 range such as 10.0.0.0/16: a :func:`cidr`, and IPv4."""
    network = ipaddress.ip_network(cidr(component, field, value))
    if not isinstance(network, ipaddress.IPv4Network):
        raise ValidationError(component, field, value, "must be an IPv4 CIDR (e.g. 10.0.0.0/16)")
    return network


def private_ipv4_network(
    component: str, field: str, value: object, min_prefix: int, max_prefix: int
) -> ipaddress.IPv4Network:
    """A private (RFC 1918) IPv4 range whose prefix length is within the given bounds."""
    network = ipv4_network(component, field, value)
    if not network.is_private:
        raise ValidationError(component, field, value, "must be a private (RFC 1918) range")
    if not min_prefix <= network.prefixlen <= max_prefix:
        raise ValidationError(
            component,
            field,
            value,
            f"must have a prefix length between /{min_prefix} and /{max_prefix}",
        )
    return network


def api_allow_list(
    component: str, field: str, values: Sequence[str], *, allow_anywhere: bool, flag: str
) -> list[str]:
    """IPv4 CIDRs allowed to reach a Kubernetes API endpoint.

    ``0.0.0.0/0`` is refused unless the caller set the field ``flag`` explicitly.
    """
    for i, value in enumerate(values):
        if ipv4_network(component, f"{field}[{i}]", value).prefixlen == 0 and not allow_anywhere:
            raise ValidationError(
                component,
                f"{field}[{i}]",
                value,
                f"opens the Kubernetes API to the whole internet; set {flag}: "
                "true if that is really intended",
            )
    if len(set(values)) != len(values):
        raise ValidationError(component, field, list(values), "lists the same CIDR more than once")
    return list(values)


def no_overlap(component: str, networks: Mapping[str, ipaddress.IPv4Network]) -> None:
    """Fail if any two of the ranges (field name -> range) overlap."""
    named = list(networks.items())
    for i, (field, network) in enumerate(named):
        for other_field, other in named[i + 1 :]:
            if network.overlaps(other):
                raise ValidationError(
                    component, field, str(network), f"overlaps {other_field} ({other})"
                )


def node_bounds(
    component: str,
    *,
    min_field: str,
    min_value: int,
    max_field: str,
    max_value: int,
    desired_field: str | None = None,
    desired_value: int | None = None,
) -> None:
    """0 <= min <= desired <= max and max >= 1."""
    if min_value < 0:
        raise ValidationError(component, min_field, min_value, "must be 0 or more")
    if max_value < 1:
        raise ValidationError(component, max_field, max_value, "must be at least 1")
    if min_value > max_value:
        raise ValidationError(
            component, min_field, min_value, f"is greater than {max_field} ({max_value})"
        )
    if desired_field is None or desired_value is None:
        return
    if desired_value < min_value:
        raise ValidationError(
            component, desired_field, desired_value, f"is less than {min_field} ({min_value})"
        )
    if desired_value > max_value:
        raise ValidationError(
            component, desired_field, desired_value, f"is greater than {max_field} ({max_value})"
        )


# -- Helm charts ---------------------------------------------------------------------------

_EXACT_SEMVER = re.compile(
    r"v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?"
)


def chart_version(component: str, field: str, value: object) -> str:
    """A pinned chart version: one exact SemVer such as "1.19.1" or "v1.5.4", never a range."""
    if value is None or value == "":
        raise ValidationError(
            component, field, value, 'is required: pin the chart version (e.g. "1.19.1")'
        )
    if not isinstance(value, str) or not _EXACT_SEMVER.fullmatch(value):
        raise ValidationError(
            component,
            field,
            value,
            'must be one exact chart version such as "1.19.1", not a range, a wildcard or '
            '"latest": a floating version installs whatever the repository serves that day',
        )
    return value


# -- nested fields, PromQL names, durations and pod security ------------------------------------


def prometheus_metric_name(component: str, field: str, value: object) -> str:
    """A metric name used in PromQL (so it cannot change the query)."""
    return _matching(
        component,
        field,
        value,
        grammar.is_prometheus_metric_name,
        "must be a Prometheus metric name: letters, digits, '_' and ':', not starting with a digit",
    )


def prometheus_label_name(component: str, field: str, value: object) -> str:
    """A label name used in PromQL (so it cannot change the query)."""
    return _matching(
        component,
        field,
        value,
        grammar.is_prometheus_label_name,
        "must be a Prometheus label name: letters, digits and '_', not starting with a digit",
    )


_LEGACY_DURATION = re.compile(r"([0-9]+(ms|s|m|h|d|w|y))+")


def prometheus_duration(component: str, field: str, value: object) -> str:
    """A duration such as "30s" or "1h30m": units from largest to smallest, each once."""
    return _matching(
        component,
        field,
        value,
        lambda v: _LEGACY_DURATION.fullmatch(v) and grammar.is_prometheus_duration(v),
        'must be a Prometheus duration, e.g. "30s" or "1h30m" (units y, w, d, h, m, s, ms, '
        "from largest to smallest, each at most once)",
    )


def probe_header_name(component: str, field: str, value: object) -> str:
    """A probe's HTTP header name as the API server checks it: letters, digits and '-'."""
    return _matching(
        component,
        field,
        value,
        grammar.is_http_header_name,
        "must be an HTTP header name of letters, digits and '-' (e.g. X-Probe)",
    )


def env_size(component: str, field: str, values: Mapping[str, object]) -> None:
    """One container's env may hold at most 1 MiB of names and values."""
    total = sum(len(k) + len(v.encode()) for k, v in values.items() if isinstance(v, str))
    if total > grammar.MAX_ENV_SIZE:
        raise ValidationError(
            component,
            field,
            f"<{total} bytes>",
            "is larger than 1 MiB; etcd refuses a Deployment that large (put big values "
            "in config or secrets mounted as files)",
        )


def mount_path(component: str, field: str, value: object) -> str:
    """A mount path: absolute, no ':', not '/' itself (it would hide the image)."""
    path = absolute_path(component, field, value)
    if normal_path(path) == "/":
        raise ValidationError(
            component, field, value, "must not be '/' (it would hide the whole image)"
        )
    return path


def normal_path(path: str) -> str:
    """``path`` as the kernel resolves it: ``/a/../tmp`` and ``/tmp/`` are ``/tmp``."""
    normal = posixpath.normpath(path)
    return "/" + normal.lstrip("/") if normal.startswith("//") else normal


def pvc_size(component: str, field: str, value: object) -> str:
    """A claim size: a quantity greater than zero."""
    if quantity(component, field, value) <= 0:
        raise ValidationError(component, field, value, "must be greater than zero")
    return cast(str, value)
