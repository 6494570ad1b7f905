"""The API server's own grammar for names, keys, values, ports, counts and CIDRs.

Each predicate answers "would kube-apiserver accept this?" for one kind of field, as
apimachinery's ``k8s.io/apimachinery/pkg/util/validation`` (and the networking and core
validators built on it) decides. Every pattern is applied with ``re.fullmatch``: Python's
``$`` also matches before a final newline, so ``"shop\\n"`` would pass a ``^...$`` regex
that Go (whose ``$`` is end of text) rejects. ``tests/engine/test_grammar_server.py``
sends every spelling of ``tests/unit/test_grammar.py`` to a real API server in a
server-side dry run and checks that the server and these predicates agree.

A few predicates are stricter than the server on purpose; each says so and why.
"""

from __future__ import annotations

import ipaddress
import re

INT32_MAX = 2**31 - 1
"""The largest value of an int32 field (replicas, probe periods, HPA bounds)."""
INT64_MAX = 2**63 - 1
"""The largest value of an int64 field (grace periods, sleep seconds)."""

_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
_C_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")
_PORT_NAME = re.compile(r"[-a-z0-9]+")
_SLOPPY_IPV4 = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_PREFIX_LENGTH = re.compile(r"0|[1-9][0-9]{0,2}")

TOTAL_ANNOTATION_SIZE = 256 * 1024
"""The API server's limit on the sum of every annotation key's and value's length."""
MAX_DATA_SIZE = 1024 * 1024
"""The API server's limit on the data of one ConfigMap or Secret."""

SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")
"""Namespaces Kubernetes itself owns: a WebService may neither create nor deploy into them."""


def is_dns1123_label(value: str) -> bool:
    """A DNS-1123 label (namespace names): at most 63 of ``[-a-z0-9]``, alphanumeric ends."""
    return len(value) <= 63 and _DNS1123_LABEL.fullmatch(value) is not None


def is_dns1123_subdomain(value: str) -> bool:
    """A DNS-1123 subdomain (most object names, key prefixes): labels joined by '.'."""
    return len(value) <= 253 and _DNS1123_SUBDOMAIN.fullmatch(value) is not None


def is_dns1035_label(value: str) -> bool:
    """A DNS-1035 label (Service names): a DNS-1123 label that starts with a letter."""
    return len(value) <= 63 and _DNS1035_LABEL.fullmatch(value) is not None


def is_qualified_name(value: str) -> bool:
    """A label key: an optional DNS-1123 subdomain prefix and '/', then a 63-char name."""
    parts = value.split("/")
    if len(parts) > 2:
        return False
    if len(parts) == 2 and not is_dns1123_subdomain(parts[0]):
        return False
    name = parts[-1]
    return len(name) <= 63 and _QUALIFIED_NAME.fullmatch(name) is not None


def is_annotation_key(value: str) -> bool:
    """An annotation key: a qualified name once lowercased (the server lowercases it first)."""
    return is_qualified_name(value.lower())


def is_label_value(value: str) -> bool:
    """A label value: empty, or at most 63 of ``[-A-Za-z0-9_.]`` with alphanumeric ends."""
    return len(value) <= 63 and _LABEL_VALUE.fullmatch(value) is not None


def is_config_key(value: str) -> bool:
    """A ConfigMap or Secret key: at most 253 of ``[-._a-zA-Z0-9]``, not '.', not '..*'."""
    return (
        len(value) <= 253
        and _CONFIG_KEY.fullmatch(value) is not None
        and value != "."
        and not value.startswith("..")
    )


def is_env_var_name(value: str) -> bool:
    """An environment variable name a shell can expand: a C identifier.

    Stricter than the server on purpose: since Kubernetes 1.34 (RelaxedEnvironment-
    VariableValidation) it takes any printable ASCII but '=' ("1X", "A-B", "a b"), names
    that no shell can read as ``$NAME``, so they are nearly always a slip.
    """
    return _C_IDENTIFIER.fullmatch(value) is not None


def is_relaxed_env_var_name(value: str) -> bool:
    """What the API server itself accepts as an env name: printable ASCII except '='."""
    return bool(value) and all(" " <= c <= "~" and c != "=" for c in value)


def is_port_number(value: int) -> bool:
    """A TCP/UDP port: 1-65535."""
    return 1 <= value <= 65535


def is_port_name(value: str) -> bool:
    """A named port (IANA service name): at most 15 of ``[-a-z0-9]``, at least one letter,
    no leading, trailing or doubled '-'."""
    return (
        len(value) <= 15
        and _PORT_NAME.fullmatch(value) is not None
        and any("a" <= c <= "z" for c in value)
        and "--" not in value
        and not value.startswith("-")
        and not value.endswith("-")
    )


def is_cidr(value: str) -> bool:
    """A strict CIDR block: an address, '/', a prefix length, no bits set beyond it.

    Also refused, as the server does under StrictIPCIDRValidation: a bare address
    ("10.0.0.1"), a netmask instead of a length, leading zeros, IPv4-mapped IPv6
    addresses and IPv6 zones.
    """
    address, slash, length = value.partition("/")
    if not slash or _PREFIX_LENGTH.fullmatch(length) is None or "%" in address:
        return False
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        return False
    return not (isinstance(network, ipaddress.IPv6Network) and network[0].ipv4_mapped)


def is_ip_address(value: str) -> bool:
    """Whether Go's sloppy IP parser reads ``value`` as an IP (IPv4 leading zeros allowed)."""
    if _SLOPPY_IPV4.fullmatch(value):
        return all(int(part) <= 255 for part in value.split("."))
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return "%" not in value


def is_ingress_host(value: str) -> bool:
    """An Ingress host: a DNS-1123 subdomain, or ``*.`` and one; never an IP address."""
    if is_ip_address(value):
        return False
    if value.startswith("*."):
        return len(value) <= 253 and is_dns1123_subdomain(value[2:])
    return is_dns1123_subdomain(value)


_BAD_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
_BAD_PATH_SUFFIXES = ("/..", "/.")


def is_ingress_prefix_path(value: str) -> bool:
    """An Ingress path of type Prefix: absolute, with no '//', '/./', '/../' or '%2f',
    not ending in '/.' or '/..'.

    Stricter than the server on purpose: no spaces or control characters, which no
    request path can hold unescaped (the server takes them and no request ever matches).
    """
    return (
        value.startswith("/")
        and all("!" <= c <= "~" for c in value)
        and not any(seq in value for seq in _BAD_PATH_SEQUENCES)
        and not value.endswith(_BAD_PATH_SUFFIXES)
    )


def is_int32(value: int, minimum: int = 0) -> bool:
    """An int32 field's value, at least ``minimum``."""
    return minimum <= value <= INT32_MAX


def is_unix_id(value: int) -> bool:
    """A UID or GID the server accepts for runAsUser/runAsGroup/fsGroup: 0-2147483647."""
    return 0 <= value <= INT32_MAX


# -- nested fields, PromQL names and durations ---------------------------------------------------

_PROMETHEUS_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_PROMETHEUS_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_PROMETHEUS_DURATION = re.compile(
    r"0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?"
)
_HTTP_HEADER_NAME = re.compile(r"[-A-Za-z0-9]+")

MAX_ENV_SIZE = 1024 * 1024
"""Moorage's bound on one container's env (names and values): etcd refuses objects of
about 1.5 MiB, and the env sits in the Deployment beside everything else."""


def is_prometheus_metric_name(value: str) -> bool:
    """A Prometheus metric name, as PromQL reads it: ``[a-zA-Z_:][a-zA-Z0-9_:]*``."""
    return bool(_PROMETHEUS_METRIC_NAME.fullmatch(value))


def is_prometheus_label_name(value: str) -> bool:
    """A Prometheus label name, as PromQL reads it: ``[a-zA-Z_][a-zA-Z0-9_]*``."""
    return bool(_PROMETHEUS_LABEL_NAME.fullmatch(value))


def is_prometheus_duration(value: str) -> bool:
    """A duration the Prometheus Operator's CRDs accept (units in order y w d h m s ms)."""
    return bool(_PROMETHEUS_DURATION.fullmatch(value)) and value != ""


def is_http_header_name(value: str) -> bool:
    """A probe header name as the API server checks it: ``[-A-Za-z0-9]+``."""
    return bool(_HTTP_HEADER_NAME.fullmatch(value))


# -- Gateway API (the CRDs' own patterns and CEL rules, standard channel) ------------------

_ROUTE_HOSTNAME = re.compile(
    r"(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
)
_ROUTE_PATH_CHARS = re.compile(r"(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+")
_GATEWAY_DURATION = re.compile(r"([0-9]{1,5}(h|m|s|ms)){1,4}")
_ROUTE_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+\-.^_`|~]+")
_GRPC_SERVICE = re.compile(r"\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*", re.IGNORECASE)
_GRPC_METHOD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
ROUTE_WEIGHT_MAX = 1_000_000
"""The largest ``backendRefs[].weight`` the Gateway API CRDs accept."""


def is_route_hostname(value: str) -> bool:
    """A Gateway API hostname: the CRD's pattern (at most 253 characters, ``*.`` prefix
    allowed); stricter on purpose: DNS labels of at most 63 characters and no IP address
    (the API's documentation forbids them, its pattern lets them through)."""
    if not 1 <= len(value) <= 253 or not _ROUTE_HOSTNAME.fullmatch(value) or is_ip_address(value):
        return False
    return all(len(label) <= 63 for label in value.removeprefix("*.").split("."))


def is_route_path(value: str) -> bool:
    """An HTTPRoute path of type Exact or PathPrefix, as the CRD's CEL rules have it."""
    return (
        len(value) <= 1024
        and value.startswith("/")
        and not any(seq in value for seq in (*_BAD_PATH_SEQUENCES, "#"))
        and not value.endswith(_BAD_PATH_SUFFIXES)
        and _ROUTE_PATH_CHARS.fullmatch(value) is not None
    )


def is_gateway_duration(value: str) -> bool:
    """A Gateway API duration such as "10s", "1m30s" or "500ms"."""
    return _GATEWAY_DURATION.fullmatch(value) is not None


def gateway_duration_seconds(value: str) -> float:
    """The length of a valid Gateway API duration, in seconds."""
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    return sum(float(n) * units[u] for n, u in re.findall(r"([0-9]+)(ms|h|m|s)", value))


def is_route_header_name(value: str) -> bool:
    """An HTTP header name in a route match or header modifier (at most 256 characters)."""
    return len(value) <= 256 and _ROUTE_HEADER_NAME.fullmatch(value) is not None


def is_grpc_service(value: str) -> bool:
    """A fully qualified gRPC service name such as "shop.v1.Cart"."""
    return len(value) <= 1024 and _GRPC_SERVICE.fullmatch(value) is not None


def is_grpc_method(value: str) -> bool:
    """A gRPC method name such as "GetCart"."""
    return len(value) <= 1024 and _GRPC_METHOD.fullmatch(value) is not None


def is_route_weight(value: int) -> bool:
    """A backend weight: 0 to 1,000,000."""
    return not isinstance(value, bool) and isinstance(value, int) and 0 <= value <= ROUTE_WEIGHT_MAX
