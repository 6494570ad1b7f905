"""Read a Moorage stack config into validated settings, before anything is created.

The stack config schema (project ``moorage``)::

    moorage:cloud: local | eks | gke          # default local
    moorage:cluster: {...}                    # the cluster component's Args
    moorage:namespaces: {shop: {...}}         # NamespaceArgs by name, shared by services
    moorage:services: {web: {...}, ...}       # WebServiceArgs by service name; env values may be
                                              # {service_url|service_host|service_address|
                                              #  service_short_address: NAME, wait: false}
    moorage:serviceSecrets: {web: {KEY: ...}} # secret values per service (--secret --path)
    moorage:serviceIdentities: {web: <arn>}   # an existing cloud identity per service
                                              # (or create one: services.web.identity:
                                              # {aws: {policy_arns: [...]}} | {gcp: {roles: [...]}})
    moorage:monitoringCrds: false             # local only: install stub Prometheus Operator CRDs

    # One service only (the shorthand; not together with moorage:services). It is read as
    # the one-entry map moorage:services: {hello: {...}}, by the same code:
    moorage:serviceName: hello                # the service's name
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
from dataclasses import dataclass, field, replace
from typing import Any

from ._errors import ValidationError
from ._fields import unknown_field_rule
from ._rules import load_balancer_allow_list, service_name
from ._stack_secrets import NO_SECRETS, PLAIN_ONLY_FIELDS, SecretLeaves
from ._stack_secrets import key as secret_key
from .application import check_references

REF_KINDS = {
    "service_url": "url",
    "service_host": "host",
    "service_address": "address",
    "service_short_address": "short_address",
}
REF_SHAPE = (
    "must be a string, {service_url: NAME}, {service_host: NAME}, {service_address: NAME} "
    "or {service_short_address: NAME}, optionally with wait: false"
)
SHORTHAND_KEYS = ("serviceName", "service", "serviceIdentity")

CLOUDS = ("local", "eks", "gke")
NAMESPACE = "moorage"
STACK = "stack config"

DEFAULT_SERVICE_TYPE = {"local": "ClusterIP", "eks": "LoadBalancer", "gke": "LoadBalancer"}


@dataclass(frozen=True)
class ApplicationSettings:
    """``moorage:namespaces`` and ``moorage:services``, parsed and checked."""

    namespaces: dict[str, Any]
    services: dict[str, dict[str, Any]]
    """WebServiceArgs by service name, references taken out of ``env``."""
    service_refs: dict[str, dict[str, dict[str, Any]]]
    """Per service, env var -> ServiceRefArgs (``{"service": "cart", "value": "url"}``)."""
    order: tuple[str, ...]
    """The services, each after the ones it refers to."""
    secret_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per service, the keys of its ``moorage:serviceSecrets`` (values are never read here)."""
    identities: dict[str, str] = field(default_factory=dict)
    """Per service, an existing identity its ServiceAccount is annotated with."""
    created_identities: dict[str, Any] = field(default_factory=dict)
    """Per service, the IdentityArgs of the identity created for it (``identity``)."""
    monitoring_crds: bool = False


@dataclass(frozen=True)
class StackSettings:
    """A stack's config, parsed and checked: the cluster and the services on it.

    The one-service shorthand is read as a one-entry ``moorage:services`` map;
    ``shorthand`` then names that service, and errors name the shorthand's keys.
    """

    cloud: str
    cluster: dict[str, Any]
    application: ApplicationSettings
    delete_unreachable: bool = False
    require_load_balancer_allow_list: bool = False
    shorthand: str | None = None
    """The service's name when the stack uses ``moorage:serviceName`` + ``moorage:service``."""
    secrets: SecretLeaves = NO_SECRETS
    """Where the values set with ``--secret`` are, in the services form (``services``,
    ``namespaces``, ``cluster``); ``moorage:serviceSecrets`` is not among them."""

    def config_key(self, field_path: str) -> str:
        """The stack config key of a field of the services form, as the user wrote it."""
        if field_path.startswith("identities."):
            service, _, rest = field_path.removeprefix("identities.").partition(".")
            field_path = f"services.{service}.identity" + (f".{rest}" if rest else "")
        if field_path.startswith("service_refs."):  # a reference is an env value here
            service, _, rest = field_path.removeprefix("service_refs.").partition(".")
            variable = rest.partition(".")[0]
            field_path = f"services.{service}.env" + (f".{variable}" if variable else "")
        return key(shorthand_field(field_path, self.shorthand))


def _refuse_secret_config(settings: StackSettings) -> None:
    """A secret in ``config`` is refused: a ConfigMap is plain text in the cluster."""
    for path in settings.secrets.under("services"):
        if len(path) > 2 and path[1] in PLAIN_ONLY_FIELDS:
            service, field_name, name = path[0], path[1], path[2]
            raise ValidationError(
                STACK,
                settings.config_key(secret_key("services", path).removeprefix("moorage:")),
                None,
                f"holds a secret value (set with --secret), but {field_name} values go into a "
                "ConfigMap, which the cluster keeps in plain text; put it in "
                f"{settings.config_key(f'serviceSecrets.{service}.{name}')} instead "
                "(a Secret; the container sees it as the same environment variable, or as "
                "a file with secrets_as_files)",
                secret=True,
            )


def shorthand_field(field_path: str, service: str | None) -> str:
    """``services.hello.port`` -> ``service.port`` when ``hello`` came from the shorthand."""
    if service is None:
        return field_path
    for long, short in (
        (f"services.{service}", "service"),
        (f"serviceSecrets.{service}", "serviceSecrets"),
        (f"serviceIdentities.{service}", "serviceIdentity"),
    ):
        if field_path == long:
            return "serviceName" if short == "service" else short
        if field_path.startswith(long + "."):
            return short + field_path[len(long) :]
    return field_path


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


def parsed_json(name: str, text: str) -> Any:
    """``text`` as JSON (a plain string when it is not JSON); one clear error when it is
    JSON that Python refuses: a number of thousands of digits, or nesting too deep to read.
    The value is never echoed (it may be secret, and it is long)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
    except (ValueError, RecursionError):
        raise ValidationError(
            STACK,
            key(name),
            "...",
            "cannot be read: it holds a number longer than 4300 digits or is nested "
            "too deeply; shorten the value",
        ) from None


def _load(raw: Mapping[str, str], name: str, default: Any) -> Any:
    value = raw.get(key(name))
    if value is None:
        return default
    return parsed_json(name, value)


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


def parse_stack_settings(
    raw: Mapping[str, str], secrets: SecretLeaves = NO_SECRETS
) -> StackSettings:
    """Parse the raw stack config (values as the engine passes them: JSON or strings).

    ``secrets`` says where the values set with ``--secret`` are
    (:func:`moorage._stack_secrets.find_secret_leaves`): they are checked as plain values
    here, never echoed (an error at a secret path shows ``[secret]``), and kept in the
    settings, so the program hands them to the components as Pulumi secrets.
    ``moorage:serviceSecrets`` values are read only for their keys.
    """
    try:
        settings = _parse(raw, secrets)
    except ValidationError as error:
        raise secrets.redact(error) from None
    _refuse_secret_config(settings)
    return settings


def _parse(raw: Mapping[str, str], secrets: SecretLeaves) -> StackSettings:
    _reject_unknown_keys(raw)
    cloud = _load(raw, "cloud", "local")
    if cloud not in CLOUDS:
        raise ValidationError(STACK, key("cloud"), cloud, f"must be one of {', '.join(CLOUDS)}")
    if raw.get(key("services")) is not None:
        return replace(_parse_application(raw, cloud), secrets=secrets)
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
    name = _load(raw, "serviceName", "hello")
    try:
        service_name(STACK, name)
    except ValidationError as error:
        raise ValidationError(STACK, key("serviceName"), name, error.rule) from None
    try:
        settings = _parse_application(_as_services(raw, str(name)), cloud, shorthand=str(name))
        return replace(settings, secrets=secrets.renamed("service", "services", (str(name),)))
    except ValidationError as error:
        field_path = error.field.removeprefix(f"{NAMESPACE}:")
        raise ValidationError(
            error.component,
            key(shorthand_field(field_path, str(name))),
            error.value,
            error.rule,
        ) from None


def _as_services(raw: Mapping[str, str], name: str) -> dict[str, str]:
    """The one-service shorthand as the one-entry ``moorage:services`` map it stands for."""
    service = _mapping(raw, "service")
    if "namespace" in service and "create_namespace" not in service:
        # A lone WebService uses a namespace it is given; the map form says so explicitly.
        service = {**service, "create_namespace": False}
    converted = {k: v for k, v in raw.items() if k not in (key(n) for n in SHORTHAND_KEYS)}
    converted[key("services")] = json.dumps({name: service})
    secrets_raw = raw.get(key("serviceSecrets"))
    if secrets_raw is not None:
        secrets = parsed_json("serviceSecrets", secrets_raw)
        if not isinstance(secrets, dict):
            raise ValidationError(
                STACK,
                key("serviceSecrets"),
                None,
                "must be an object of names to secret values",
                secret=True,
            )
        converted[key("serviceSecrets")] = json.dumps({name: secrets})
    identity = _load(raw, "serviceIdentity", None) or None
    if identity is not None and not isinstance(identity, str):
        raise ValidationError(STACK, key("serviceIdentity"), identity, "must be a string")
    if identity is not None:
        converted[key("serviceIdentities")] = json.dumps({name: identity})
    return converted


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
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Split ``env`` into plain values and ``{service_url: NAME}`` references."""
    env = service.get("env")
    if env is None:
        return service, {}
    if not isinstance(env, dict):
        raise ValidationError(STACK, key(f"services.{name}.env"), env, "must be a mapping")
    plain: dict[str, Any] = {}
    refs: dict[str, dict[str, Any]] = {}
    for variable, value in env.items():
        if isinstance(value, dict):
            refs[variable] = _reference(f"services.{name}.env.{variable}", value)
        else:
            plain[variable] = value
    return {**service, "env": plain}, refs


def _reference(field_path: str, value: dict[str, Any]) -> dict[str, Any]:
    """``{service_url: NAME}`` (or host, address, short address; ``wait: false`` to start
    without waiting for NAME) as a ServiceRefArgs."""
    kinds = [k for k in value if k in REF_KINDS]
    target = value.get(kinds[0]) if len(kinds) == 1 else None
    if set(value) - {*kinds, "wait"} or not isinstance(target, str):
        raise ValidationError(STACK, key(field_path), value, REF_SHAPE)
    ref: dict[str, Any] = {"service": target, "value": REF_KINDS[kinds[0]]}
    if "wait" in value:
        if not isinstance(value["wait"], bool):
            raise ValidationError(
                STACK, key(f"{field_path}.wait"), value["wait"], "must be true or false"
            )
        ref["wait"] = value["wait"]
    return ref


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
    secrets = parsed_json("serviceSecrets", text)
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


def _parse_application(
    raw: Mapping[str, str], cloud: str, shorthand: str | None = None
) -> StackSettings:
    if shorthand is None:
        _shorthand_conflict(raw)
    declared = _mapping(raw, "services")
    if not declared:
        raise ValidationError(STACK, key("services"), declared, "must name at least one service")
    services: dict[str, dict[str, Any]] = {}
    refs: dict[str, dict[str, dict[str, Any]]] = {}
    created_identities: dict[str, Any] = {}
    for name, service in declared.items():
        plain, service_refs = _declared_service(name, service, cloud)
        if "identity" in plain:
            created_identities[name] = plain.pop("identity")
        services[name] = plain
        if service_refs:
            refs[name] = service_refs
    order = check_references(
        STACK,
        services,
        {s: {v: (r["service"], r["value"]) for v, r in vs.items()} for s, vs in refs.items()},
        lambda s, v: key(f"services.{s}.env.{v}" if v else f"services.{s}"),
    )
    identities = _service_identities(raw, services)
    for name in created_identities:
        if identities.get(name):
            raise ValidationError(
                STACK,
                key(f"services.{name}.identity"),
                "...",
                f"cannot be combined with moorage:serviceIdentities.{name}: create the "
                "identity (identity) or annotate an existing one (serviceIdentities), not both",
            )
    monitoring_crds = _monitoring_crds(raw, cloud)
    settings = StackSettings(
        cloud=cloud,
        cluster=_mapping(raw, "cluster"),
        shorthand=shorthand,
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
            created_identities=created_identities,
            monitoring_crds=monitoring_crds,
        ),
    )
    for name, service in services.items():
        _check_allow_list(settings, service, f"services.{name}")
    return settings


def _declared_service(
    name: str, service: Any, cloud: str
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """One entry of ``moorage:services``: checked, with its references taken out and the
    cloud's default Service type (a worker has no Service, so no type)."""
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
    if plain.get("worker") is not True:
        plain.setdefault("service_type", DEFAULT_SERVICE_TYPE[cloud])
    return plain, service_refs


def _service_identities(raw: Mapping[str, str], services: Mapping[str, Any]) -> dict[str, Any]:
    identities = _per_service(raw, "serviceIdentities", services)
    for service, identity in identities.items():
        if not isinstance(identity, str):
            raise ValidationError(
                STACK, key(f"serviceIdentities.{service}"), identity, "must be a string"
            )
    return identities


def _monitoring_crds(raw: Mapping[str, str], cloud: str) -> bool:
    monitoring_crds = _boolean(raw, "monitoringCrds", False)
    if monitoring_crds and cloud != "local":
        raise ValidationError(
            STACK,
            key("monitoringCrds"),
            True,
            "is for local stacks only; on a cloud cluster install the Prometheus Operator",
        )
    return monitoring_crds


def _check_allow_list(settings: StackSettings, service: Mapping[str, Any], where: str) -> None:
    """Every LoadBalancer Service of the service (main and extra_services) lists the CIDRs
    allowed to reach it (one rule: ``_rules.load_balancer_allow_list``)."""
    if not settings.require_load_balancer_allow_list:
        return
    why = "this stack sets moorage:requireLoadBalancerAllowList"
    if service.get("service_type") == "LoadBalancer":
        ranges = service.get("load_balancer_source_ranges") or []
        load_balancer_allow_list(STACK, key(f"{where}.load_balancer_source_ranges"), ranges, why)
    for i, extra in enumerate(service.get("extra_services") or []):
        if isinstance(extra, Mapping) and extra.get("type") == "LoadBalancer":
            ranges = extra.get("load_balancer_source_ranges") or []
            load_balancer_allow_list(
                STACK, key(f"{where}.extra_services[{i}].load_balancer_source_ranges"), ranges, why
            )
