"""Read a Moorage stack config into validated settings, before anything is created.

The stack config schema (project ``moorage``)::

    moorage:cloud: local | eks | gke          # default local
    moorage:cluster: {...}                    # the cluster component's Args
    moorage:namespaces: {shop: {...}}         # NamespaceArgs by name, shared by services
    moorage:services: {web: {...}, ...}       # WebServiceArgs by service name; env values may be
                                              # {service_url|service_host|service_address: NAME}
    moorage:serviceSecrets: {web: {KEY: ...}} # secret values per service (--secret --path)
    moorage:serviceIdentities: {web: <arn>}   # cloud identity per service
    moorage:monitoringCrds: false             # local only: install stub Prometheus Operator CRDs

    # One service only (the shorthand; not together with moorage:services):
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
from ._fields import unknown_field_rule
from ._rules import service_name
from .application import check_references

REF_KINDS = {"service_url": "url", "service_host": "host", "service_address": "address"}
SHORTHAND_KEYS = ("serviceName", "service", "serviceIdentity")

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
    application: ApplicationSettings | None = None
    """The many-services form (``moorage:services``); None for the one-service shorthand."""


@dataclass(frozen=True)
class ApplicationSettings:
    """``moorage:namespaces`` and ``moorage:services``, parsed and checked."""

    namespaces: dict[str, Any]
    services: dict[str, dict[str, Any]]
    """WebServiceArgs by service name, references taken out of ``env``."""
    service_refs: dict[str, dict[str, dict[str, str]]]
    """Per service, env var -> ServiceRefArgs (``{"service": "cart", "value": "url"}``)."""
    order: tuple[str, ...]
    """The services, each after the ones it refers to."""
    secret_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per service, the keys of its ``moorage:serviceSecrets`` (values are never read here)."""
    identities: dict[str, str] = field(default_factory=dict)
    monitoring_crds: bool = False


KNOWN_KEYS = (
    "cloud",
    "cluster",
    "namespaces",
    "services",
    "serviceSecrets",
    "serviceIdentities",
    "monitoringCrds",
    "serviceName",
    "service",
    "serviceIdentity",
    "deleteUnreachable",
    "requireLoadBalancerAllowList",
    "renderYamlToDirectory",
)
"""Every ``moorage:`` key a stack config may set."""


def _reject_unknown_keys(raw: Mapping[str, str]) -> None:
    """A misspelt ``moorage:`` key fails with the same message as a misspelt Args field."""
    prefix = f"{NAMESPACE}:"
    for full in raw:
        if full.startswith(prefix) and full[len(prefix) :] not in KNOWN_KEYS:
            name = full[len(prefix) :]
            raise ValidationError(
                STACK, full, name, unknown_field_rule(name, KNOWN_KEYS, "the moorage stack config")
            )


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
    _reject_unknown_keys(raw)
    cloud = _load(raw, "cloud", "local")
    if cloud not in CLOUDS:
        raise ValidationError(STACK, key("cloud"), cloud, f"must be one of {', '.join(CLOUDS)}")
    if raw.get(key("services")) is not None:
        return _parse_application(raw, cloud)
    for name in ("namespaces", "serviceIdentities", "monitoringCrds"):
        if raw.get(key(name)) is not None:
            raise ValidationError(
                STACK, key(name), "...", "only applies with moorage:services (many services)"
            )
    if raw.get(key("service")) is None:
        raise ValidationError(
            STACK,
            key("services"),
            None,
            "is required: name the services, e.g. moorage:services: "
            "{web: {image: ghcr.io/acme/web:1.0.0}} (or the one-service shorthand "
            "moorage:serviceName + moorage:service)",
        )
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
    _check_allow_list(settings, settings.service, "service")


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


# -- many services: moorage:services ---------------------------------------------------


def _shorthand_conflict(raw: Mapping[str, str]) -> None:
    """The one-service keys cannot be mixed with moorage:services: show the new form."""
    for name in SHORTHAND_KEYS:
        if raw.get(key(name)) is not None:
            service = _load(raw, "serviceName", "hello")
            raise ValidationError(
                STACK,
                key(name),
                "...",
                "cannot be combined with moorage:services; move the service into the map: "
                f"moorage:services: {{{service}: {{image: ..., ...}}}} (its secrets under "
                f"moorage:serviceSecrets.{service}, its identity under "
                f"moorage:serviceIdentities.{service})",
            )


def _take_references(
    name: str, service: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """Split ``env`` into plain values and ``{service_url: NAME}`` references."""
    env = service.get("env")
    if env is None:
        return service, {}
    if not isinstance(env, dict):
        raise ValidationError(STACK, key(f"services.{name}.env"), env, "must be a mapping")
    plain: dict[str, Any] = {}
    refs: dict[str, dict[str, str]] = {}
    for variable, value in env.items():
        if not isinstance(value, dict):
            plain[variable] = value
            continue
        kinds = [k for k in value if k in REF_KINDS]
        target = value.get(kinds[0]) if len(kinds) == 1 else None
        if len(value) != 1 or not isinstance(target, str):
            raise ValidationError(
                STACK,
                key(f"services.{name}.env.{variable}"),
                value,
                "must be a string, {service_url: NAME}, {service_host: NAME} or "
                "{service_address: NAME}",
            )
        refs[variable] = {"service": target, "value": REF_KINDS[kinds[0]]}
    return {**service, "env": plain}, refs


def _per_service(raw: Mapping[str, str], name: str, services: Mapping[str, Any]) -> dict[str, Any]:
    values = _mapping(raw, name)
    for service in values:
        _known_service(name, service, services)
    return values


def _known_service(config_name: str, service: str, services: Mapping[str, Any]) -> None:
    """``moorage:<config_name>.<service>`` must name a service of ``moorage:services``."""
    if service not in services:
        raise ValidationError(
            STACK,
            key(f"{config_name}.{service}"),
            service,
            "is not a service of moorage:services; services: " + ", ".join(sorted(services)),
        )


def _secret_keys_by_service(
    raw: Mapping[str, str], services: Mapping[str, Any]
) -> dict[str, tuple[str, ...]]:
    """Keys of ``moorage:serviceSecrets`` per service; the values are never echoed."""
    text = raw.get(key("serviceSecrets"))
    if text is None:
        return {}
    try:
        secrets = json.loads(text)
    except json.JSONDecodeError:
        secrets = None
    shaped = isinstance(secrets, dict) and all(isinstance(v, dict) for v in secrets.values())
    if not shaped:
        raise ValidationError(
            STACK,
            key("serviceSecrets"),
            None,
            "must map each service to its secrets, e.g. "
            "pulumi config set --secret --path 'moorage:serviceSecrets.web.API_TOKEN' ...",
            secret=True,
        )
    assert isinstance(secrets, dict)
    for service in secrets:
        _known_service("serviceSecrets", service, services)
    return {service: tuple(values) for service, values in secrets.items()}


def _parse_application(raw: Mapping[str, str], cloud: str) -> StackSettings:
    _shorthand_conflict(raw)
    declared = _mapping(raw, "services")
    if not declared:
        raise ValidationError(STACK, key("services"), declared, "must name at least one service")
    services: dict[str, dict[str, Any]] = {}
    refs: dict[str, dict[str, dict[str, str]]] = {}
    for name, service in declared.items():
        try:
            service_name(STACK, name)
        except ValidationError as error:
            raise ValidationError(STACK, key(f"services.{name}"), name, error.rule) from None
        if not isinstance(service, dict):
            raise ValidationError(
                STACK, key(f"services.{name}"), service, "must be a mapping of WebServiceArgs"
            )
        if "image" not in service:
            raise ValidationError(STACK, key(f"services.{name}.image"), None, "is required")
        plain, service_refs = _take_references(name, dict(service))
        plain.setdefault("service_type", DEFAULT_SERVICE_TYPE[cloud])
        services[name] = plain
        if service_refs:
            refs[name] = service_refs
    order = check_references(
        STACK,
        services,
        {s: {v: (r["service"], r["value"]) for v, r in vs.items()} for s, vs in refs.items()},
        lambda s, v: key(f"services.{s}.env.{v}" if v else f"services.{s}"),
    )
    identities = _per_service(raw, "serviceIdentities", services)
    for service, identity in identities.items():
        if not isinstance(identity, str):
            raise ValidationError(
                STACK, key(f"serviceIdentities.{service}"), identity, "must be a string"
            )
    monitoring_crds = _boolean(raw, "monitoringCrds", False)
    if monitoring_crds and cloud != "local":
        raise ValidationError(
            STACK,
            key("monitoringCrds"),
            True,
            "is for local stacks only; on a cloud cluster install the Prometheus Operator",
        )
    first = order[0]
    settings = StackSettings(
        cloud=cloud,
        cluster=_mapping(raw, "cluster"),
        service_name=first,
        service=services[first],
        delete_unreachable=_boolean(raw, "deleteUnreachable", False),
        require_load_balancer_allow_list=_boolean(
            raw, "requireLoadBalancerAllowList", cloud != "local"
        ),
        application=ApplicationSettings(
            namespaces=_mapping(raw, "namespaces"),
            services=services,
            service_refs=refs,
            order=tuple(order),
            secret_keys=_secret_keys_by_service(raw, services),
            identities={s: i for s, i in identities.items() if i},
            monitoring_crds=monitoring_crds,
        ),
    )
    for name, service in services.items():
        _check_allow_list(settings, service, f"services.{name}")
    return settings


def _check_allow_list(settings: StackSettings, service: Mapping[str, Any], where: str) -> None:
    if (
        settings.require_load_balancer_allow_list
        and service.get("service_type") == "LoadBalancer"
        and not service.get("load_balancer_source_ranges")
    ):
        raise ValidationError(
            STACK,
            key(f"{where}.load_balancer_source_ranges"),
            [],
            "must list the CIDRs allowed to reach the LoadBalancer "
            "(this stack sets moorage:requireLoadBalancerAllowList)",
        )
