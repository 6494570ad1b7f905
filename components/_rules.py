"""Pure validation rules for WebService arguments.

Each function takes plain values and raises :class:`ValidationError` naming the
component, the field, the value and the rule. Nothing here touches Pulumi.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import cast

import pulumi

from ._errors import ValidationError
from ._quantity import parse_quantity

_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")

SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")


def component_label(name: str) -> str:
    """How error messages name a WebService, e.g. ``WebService "api"``."""
    return f'WebService "{name}"'


def service_name(component: str, name: object) -> str:
    """A Service name: a DNS-1035 label (it also names the Deployment and more)."""
    if not isinstance(name, str) or len(name) > 63 or not _DNS1035_LABEL.match(name):
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
    if not isinstance(value, str) or len(value) > 63 or not _DNS1123_LABEL.match(value):
        raise ValidationError(
            component,
            field,
            value,
            "must be a DNS-1123 label: at most 63 lowercase letters, digits or '-', "
            "starting and ending with a letter or digit",
        )
    return value


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
    if tag is not None and not _IMAGE_TAG.match(tag):
        raise ValidationError(
            component,
            "image",
            value,
            "has an invalid tag: at most 128 letters, digits, '_', '.' or '-', "
            "not starting with '.' or '-'",
        )
    if digest is not None and not re.match(r"^[a-z0-9]+:[a-f0-9]{32,}$", digest):
        raise ValidationError(
            component, "image", value, "has a malformed digest (expected e.g. sha256:<hex>)"
        )
    if allow_unpinned:
        return value
    if digest is None and tag is None:
        raise ValidationError(
            component,
            "image",
            value,
            "has no tag or digest; pin a version (e.g. ':1.4.2') or set allow_unpinned_image",
        )
    if digest is None and tag == "latest":
        raise ValidationError(
            component,
            "image",
            value,
            "uses the 'latest' tag; pin a version or set allow_unpinned_image",
        )
    return value


def version_label(component: str, field: str, value: object) -> str:
    """A Kubernetes label value (63 characters, alphanumerics and '-_.')."""
    if not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value):
        raise ValidationError(
            component,
            field,
            value,
            "must be a valid label value: at most 63 characters of letters, digits, "
            "'-', '_' or '.', starting and ending with a letter or digit",
        )
    return value


def qualified_name(component: str, field: str, value: object) -> str:
    """A label or annotation key: an optional DNS subdomain prefix and a name."""
    if isinstance(value, str):
        prefix, _, name = value.rpartition("/")
        if (
            len(name) <= 63
            and _QUALIFIED_NAME.match(name)
            and (not prefix or (len(prefix) <= 253 and _is_dns_subdomain(prefix)))
        ):
            return value
    raise ValidationError(
        component,
        field,
        value,
        "must be a valid label/annotation key: an optional DNS prefix and '/', then at most "
        "63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    )


def _is_dns_subdomain(value: str) -> bool:
    return all(_DNS1123_LABEL.match(part) for part in value.split("."))


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


def non_negative_int(component: str, field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(component, field, value, "must be an integer of 0 or more")
    return value


def positive_int(component: str, field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(component, field, value, "must be an integer of 1 or more")
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
    if not isinstance(value, str) or not _ENV_NAME.match(value):
        raise ValidationError(
            component,
            field,
            value,
            "must be an environment variable name: letters, digits and '_', "
            "not starting with a digit",
        )
    return value


def config_env_key(component: str, field: str, value: object) -> str:
    """A config key that is also exposed as an environment variable."""
    if not isinstance(value, str) or not _ENV_NAME.match(value):
        raise ValidationError(
            component,
            field,
            value,
            "is not a valid environment variable name; rename it, or set config_as_env: false "
            "and mount the config as files with config_mount_path",
        )
    return value


def dns_subdomain(component: str, field: str, value: object) -> str:
    """A DNS-1123 subdomain such as a host name or an object name."""
    if not isinstance(value, str) or len(value) > 253 or not _is_dns_subdomain(value):
        raise ValidationError(
            component,
            field,
            value,
            "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.'",
        )
    return value


def config_key(component: str, field: str, value: object) -> str:
    """A ConfigMap or Secret key."""
    if (
        not isinstance(value, str)
        or len(value) > 253
        or value in (".", "..")
        or not _CONFIG_KEY.match(value)
    ):
        raise ValidationError(
            component,
            field,
            value,
            "must be a ConfigMap/Secret key: at most 253 letters, digits, '-', '_' or '.'",
        )
    return value


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
    try:
        if not isinstance(value, str):
            raise ValueError
        ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ValidationError(
            component, field, value, "must be a CIDR block such as 203.0.113.0/24"
        ) from None
    return value


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


# -- issue 14: ports, probes and pod-spec fields ---------------------------------------------

_IANA_SVC_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_HTTP_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

PROTOCOLS = ("TCP", "UDP", "SCTP")
APP_PROTOCOLS = ("http", "https", "http2", "grpc", "tcp")
PROBE_KINDS = ("http", "tcp", "grpc", "exec", "none")
TOLERATION_OPERATORS = ("Equal", "Exists")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
NODE_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
ANTI_AFFINITY = ("none", "preferred", "required")


def port_name(component: str, field: str, value: object) -> str:
    """A port name (IANA_SVC_NAME): at most 15 characters, with at least one letter."""
    if (
        not isinstance(value, str)
        or len(value) > 15
        or not _IANA_SVC_NAME.match(value)
        or "--" in value
        or not any(c.isalpha() for c in value)
    ):
        raise ValidationError(
            component,
            field,
            value,
            "must be a port name: at most 15 lowercase letters, digits or '-' with at least "
            "one letter, no '--', starting and ending with a letter or digit",
        )
    return value


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
    if not isinstance(value, str) or not _HTTP_TOKEN.match(value):
        raise ValidationError(
            component, field, value, "must be an HTTP header name such as X-Probe"
        )
    return value
