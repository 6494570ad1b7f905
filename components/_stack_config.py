"""Read a Moorage stack config into validated settings, before anything is created.

The stack config schema (project ``moorage``)::

    moorage:cloud: local | eks | gke          # default local
    moorage:cluster: {...}                    # the cluster component's Args
    moorage:serviceName: hello                # the WebService's name
    moorage:service: {...}                    # WebServiceArgs
    moorage:serviceSecrets: {...}             # secret values (set with --secret --path)
    moorage:serviceIdentity: <arn or email>   # cloud identity for the ServiceAccount
    moorage:deleteUnreachable: false          # let destroy succeed without a cluster
    moorage:requireLoadBalancerAllowList: true

Every error names the config key, e.g. ``moorage:cluster.nodes``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._errors import ValidationError
from ._rules import service_name

CLOUDS = ("local", "eks", "gke")
NAMESPACE = "moorage"
STACK = "stack config"

DEFAULT_SERVICE_TYPE = {"local": "ClusterIP", "eks": "LoadBalancer", "gke": "LoadBalancer"}


@dataclass(frozen=True)
class StackSettings:
    """A stack's config, parsed and checked."""

    cloud: str
    cluster: dict[str, Any]
    service_name: str
    service: dict[str, Any]
    secret_keys: tuple[str, ...] = ()
    service_identity: str | None = None
    delete_unreachable: bool = False
    require_load_balancer_allow_list: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def key(name: str) -> str:
    return f"{NAMESPACE}:{name}"


def _load(raw: Mapping[str, str], name: str, default: Any) -> Any:
    value = raw.get(key(name))
    if value is None:
        return default
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _boolean(raw: Mapping[str, str], name: str, default: bool) -> bool:
    value = _load(raw, name, default)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        value = value.lower() == "true"
    if not isinstance(value, bool):
        raise ValidationError(STACK, key(name), value, "must be true or false")
    return value


def _mapping(raw: Mapping[str, str], name: str) -> dict[str, Any]:
    value = _load(raw, name, {})
    if not isinstance(value, dict):
        raise ValidationError(STACK, key(name), value, "must be an object (a YAML mapping)")
    return value


def parse_stack_settings(raw: Mapping[str, str]) -> StackSettings:
    """Parse the raw stack config (values as the engine passes them: JSON or strings).

    Secret values are read only for their keys; they are never echoed.
    """
    cloud = _load(raw, "cloud", "local")
    if cloud not in CLOUDS:
        raise ValidationError(STACK, key("cloud"), cloud, f"must be one of {', '.join(CLOUDS)}")
    service = _mapping(raw, "service")
    if service.get("worker") is not True:  # a worker has no Service
        service.setdefault("service_type", DEFAULT_SERVICE_TYPE[cloud])
    if "image" not in service:
        raise ValidationError(STACK, key("service.image"), None, "is required")
    secrets_raw = raw.get(key("serviceSecrets"))
    secret_keys: tuple[str, ...] = ()
    if secrets_raw is not None:
        try:
            secrets = json.loads(secrets_raw)
        except json.JSONDecodeError:
            secrets = None
        if not isinstance(secrets, dict):
            raise ValidationError(
                STACK,
                key("serviceSecrets"),
                None,
                "must be an object of names to secret values",
                secret=True,
            )
        secret_keys = tuple(secrets)
    identity = _load(raw, "serviceIdentity", None) or None
    if identity is not None and not isinstance(identity, str):
        raise ValidationError(STACK, key("serviceIdentity"), identity, "must be a string")
    name = _load(raw, "serviceName", "hello")
    rekeyed_name = key("serviceName")
    try:
        service_name(STACK, name)
    except ValidationError as error:
        raise ValidationError(STACK, rekeyed_name, name, error.rule) from None
    settings = StackSettings(
        cloud=cloud,
        cluster=_mapping(raw, "cluster"),
        service_name=str(name),
        service=service,
        secret_keys=secret_keys,
        service_identity=identity,
        delete_unreachable=_boolean(raw, "deleteUnreachable", False),
        require_load_balancer_allow_list=_boolean(
            raw, "requireLoadBalancerAllowList", cloud != "local"
        ),
    )
    check_load_balancer_allow_list(settings)
    return settings


def check_load_balancer_allow_list(settings: StackSettings) -> None:
    """A public LoadBalancer needs an allow-list where the stack requires one."""
    service = settings.service
    if (
        settings.require_load_balancer_allow_list
        and service.get("service_type") == "LoadBalancer"
        and not service.get("load_balancer_source_ranges")
    ):
        raise ValidationError(
            STACK,
            key("service.load_balancer_source_ranges"),
            [],
            "must list the CIDRs allowed to reach the LoadBalancer "
            "(this stack sets moorage:requireLoadBalancerAllowList)",
        )


def rekeyed(prefix: str, check: Callable[[], Any]) -> Any:
    """Run a component validation; report its field as a stack config key."""
    try:
        return check()
    except ValidationError as error:
        raise ValidationError(
            STACK,
            key(f"{prefix}.{error.field}"),
            error.value,
            error.rule,
        ) from None
