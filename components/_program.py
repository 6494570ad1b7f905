"""The Moorage Pulumi program: one cluster for the stack, the services on it.

The services (``moorage:services``) become one :class:`moorage.Application`. The
one-service shorthand (``moorage:serviceName`` + ``moorage:service``) is read as a
one-entry ``moorage:services`` map and deployed the same way; an alias keeps its
WebService (and so every child) at the URN it had as a root resource, so stacks made
before the shorthand became sugar upgrade with nothing replaced.

``infra/__main__.py`` calls :func:`main`. Import :func:`deploy` to run the same
program from your own code (or the Automation API).

Render mode: when the environment variable ``MOORAGE_RENDER_DIR`` (or the stack config
``moorage:renderYamlToDirectory``; the variable wins) names a directory, no cluster is
created: the services go on a Kubernetes provider in render-to-directory mode, and
``pulumi up`` writes the manifests it would apply there, one YAML file per object,
without a cluster or cloud credentials. Secret values are replaced by
:data:`RENDERED_SECRET_PLACEHOLDER`, so rendered files never hold a secret.
``make render`` (scripts/render) runs this on a throwaway stack.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ._errors import REDACTED, ValidationError
from ._stack_config import (
    NAMESPACE,
    STACK,
    ApplicationSettings,
    StackSettings,
    parse_stack_settings,
    rekeyed,
)
from ._stack_secrets import (
    NO_SECRETS,
    ConfigPath,
    as_secret,
    find_secret_leaves,
    program_stack_config,
    wrapped,
)
from .application import Application, ApplicationArgs, plan_application
from .application_local import (
    LocalClaim,
    declare_local_storage,
    declare_monitoring_crds,
    with_local_storage,
)
from .application_plan import ApplicationPlan, Deferred
from .clusters import KubernetesCluster
from .identity import LOCAL, IdentityTarget

RENDER_DIR_ENV = "MOORAGE_RENDER_DIR"
RENDER_DIR_CONFIG = "moorage:renderYamlToDirectory"
RENDERED_SECRET_PLACEHOLDER = "redacted-by-moorage-render"
"""Stands in for every ``moorage:serviceSecrets`` value in rendered manifests."""

WEB_SERVICE_TYPE = "moorage:index:WebService"

# cloud -> (module, component class, validation function)
CLUSTERS = {
    "local": (".clusters", "LocalCluster", "validate_local_args"),
    "eks": (".clusters.eks", "EksCluster", "validate_eks_args"),
    "gke": (".clusters.gke", "GkeCluster", "validate_gke_args"),
}


def _secret_keys() -> list[str]:
    """The config keys the engine marks secret (``PULUMI_CONFIG_SECRET_KEYS``, a JSON list)."""
    import json  # local: as in _raw_config

    keys = json.loads(os.environ.get("PULUMI_CONFIG_SECRET_KEYS") or "[]")
    return [str(k) for k in keys] if isinstance(keys, list) else []


def _raw_config() -> dict[str, str]:
    """The stack config as the engine passed it (secrets stay undecoded here).

    Read from ``PULUMI_CONFIG``, the environment variable in which the engine hands a
    program its whole config (a JSON object of ``namespace:key`` to string): a public
    contract, unlike the SDK's private config store.
    """
    import json  # local: this function is the only user

    passed = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
    return {str(key): str(value) for key, value in passed.items()}


def _application_secrets(settings: StackSettings) -> dict[str, dict[str, pulumi.Output[str]]]:
    """``moorage:serviceSecrets.<service>.<KEY>`` (``moorage:serviceSecrets.<KEY>`` in the
    shorthand), each wrapped as a Pulumi secret."""
    keys_by_service = settings.application.secret_keys
    if not keys_by_service:
        return {}
    secrets = pulumi.Config("moorage").require_secret_object("serviceSecrets")
    return {
        service: {k: secrets.apply(_secret_item(settings.shorthand, service, k)) for k in keys}
        for service, keys in keys_by_service.items()
    }


def _secret_item(shorthand: str | None, service: str, key: str) -> Callable[[Any], str]:
    if shorthand is not None:
        return lambda values: str(values[key])
    return lambda values: str(values[service][key])


def _placeholder_secrets(app: ApplicationSettings) -> dict[str, dict[str, str]]:
    """Render mode: every secret value replaced by :data:`RENDERED_SECRET_PLACEHOLDER`."""
    return {
        s: dict.fromkeys(keys, RENDERED_SECRET_PLACEHOLDER) for s, keys in app.secret_keys.items()
    }


def _cluster_class(settings: StackSettings) -> Any:
    module_name, class_name, _ = CLUSTERS[settings.cloud]
    return getattr(importlib.import_module(module_name, __package__), class_name)


def _service_leaves(
    settings: StackSettings, name: str
) -> tuple[list[ConfigPath], list[ConfigPath]]:
    """The secret paths of service ``name``: inside its args, and inside its ``identity``."""
    args: list[ConfigPath] = []
    identity: list[ConfigPath] = []
    for path in settings.secrets.under("services"):
        if path[0] == name:
            (identity if path[1:2] == ("identity",) else args).append(path[1:])
    return args, [p[1:] for p in identity]


def application_args(
    settings: StackSettings,
    secrets: Mapping[str, Mapping[str, pulumi.Input[str]]],
    kubeconfig: pulumi.Input[str] | None = None,
    secret_leaf: Callable[[Any], Any] = as_secret,
) -> tuple[ApplicationArgs, list[LocalClaim]]:
    """ApplicationArgs from the stack config, with identities, secrets and local storage,
    and the claims that need a local volume (none off a local cluster, none for the
    shorthand, whose claims keep the storage class they were created with).

    Every value set with ``--secret`` (``settings.secrets``) is ``secret_leaf(value)``:
    a Pulumi secret (render mode: a placeholder)."""
    app = settings.application
    identity_annotations = _cluster_class(settings).identity_annotations
    services: dict[str, dict[str, Any]] = {}
    created_identities = dict(app.created_identities)
    for name in app.order:
        in_args, in_identity = _service_leaves(settings, name)
        where = f"services.{name}"
        service = wrapped(dict(app.services[name]), in_args, where, secret_leaf)
        if in_identity:
            created_identities[name] = wrapped(
                created_identities[name], in_identity, f"{where}.identity", secret_leaf
            )
        identity = app.identities.get(name)
        if identity:
            service["service_account_annotations"] = {
                **service.get("service_account_annotations", {}),
                **identity_annotations(identity),
            }
        if secrets.get(name):
            service["secrets"] = dict(secrets[name])
        services[name] = service
    claims: list[LocalClaim] = []
    if settings.cloud == "local" and settings.shorthand is None:
        services, claims = with_local_storage(services)
    namespaces = wrapped(
        app.namespaces, settings.secrets.under("namespaces"), "namespaces", secret_leaf
    )
    args: ApplicationArgs = {
        "namespaces": namespaces,
        "services": services,  # type: ignore[typeddict-item]
        "service_refs": app.service_refs,  # type: ignore[typeddict-item]
    }
    if created_identities:
        args["identities"] = created_identities
    if kubeconfig is not None:
        args["kubeconfig"] = kubeconfig
    return args, claims


def validate(settings: StackSettings, args: ApplicationArgs) -> ApplicationPlan:
    """Run every component's validation before any resource is registered.

    ``args`` are the very ApplicationArgs the program then passes to the Application,
    which takes over the plan (and each service's spec) made here. When the stack has
    values set with ``--secret``, they are first checked as plain values (so every rule
    runs before anything exists, and an error shows ``[secret]``), then as the Pulumi
    secrets the components get.
    """
    if not settings.secrets:
        return _planned(settings, args, settings.cluster)
    plain = replace(settings, secrets=NO_SECRETS)
    checked, _ = application_args(plain, _placeholder_secrets(settings.application))
    _planned(settings, checked, settings.cluster).release()
    try:
        return _planned(settings, args, _cluster_args(settings))
    except ValidationError as error:
        raise _not_here(error) from None


def _planned(
    settings: StackSettings, args: ApplicationArgs, cluster: Mapping[str, Any]
) -> ApplicationPlan:
    """The cluster's and the Application's checks; errors named by their config key."""
    _, _, validator_name = CLUSTERS[settings.cloud]
    module_name = CLUSTERS[settings.cloud][0]
    validator = getattr(importlib.import_module(module_name, __package__), validator_name)
    try:
        rekeyed("cluster", lambda: validator(pulumi.get_stack(), cluster))
        return plan_application(pulumi.get_stack(), args, settings.cloud)
    except ValidationError as error:
        raise stack_error(settings, error) from None


KNOWN_RULE = "must be known when the program runs (a plain value, not an Output), because "


def _not_here(error: ValidationError) -> ValidationError:
    """An error at a secret path that the value passed as a plain value: the field
    cannot take a secret (an Output) there."""
    if error.value != REDACTED:
        return error
    _, known, why = error.rule.partition(KNOWN_RULE)
    reason = f", because {why}" if known else " (it is checked before anything is created)"
    return ValidationError(
        error.component,
        error.field,
        None,
        f"holds a secret value (set with --secret), but it must be a plain value{reason}; "
        "set it without --secret",
        secret=True,
    )


def stack_error(settings: StackSettings, error: ValidationError) -> ValidationError:
    """``error`` (a field of the services form, or a config key) as the user wrote the key,
    a secret value shown as ``[secret]``."""
    field_path = error.field.removeprefix(f"{NAMESPACE}:")
    secret = settings.secrets.redact(
        ValidationError(STACK, f"{NAMESPACE}:{field_path}", error.value, error.rule)
    )
    hidden = secret.value == REDACTED
    return ValidationError(
        STACK, settings.config_key(field_path), error.value, secret.rule, secret=hidden
    )


def _stack_args(
    settings: StackSettings,
    secrets: Mapping[str, Mapping[str, pulumi.Input[str]]],
    kubeconfig: pulumi.Input[str] | None = None,
    secret_leaf: Callable[[Any], Any] = as_secret,
) -> tuple[ApplicationArgs, list[LocalClaim]]:
    """:func:`application_args`, an error naming the config key as the user wrote it."""
    try:
        return application_args(settings, secrets, kubeconfig, secret_leaf)
    except ValidationError as error:
        raise stack_error(settings, error) from None


def _cluster_args(settings: StackSettings) -> dict[str, Any]:
    """``moorage:cluster``, every value set with ``--secret`` a Pulumi secret."""
    try:
        return dict(wrapped(settings.cluster, settings.secrets.under("cluster"), "cluster"))
    except ValidationError as error:
        raise stack_error(settings, error) from None


def _load_balancers(settings: StackSettings) -> list[str]:
    """The config keys of every LoadBalancer Service the stack asks for."""
    found: list[str] = []
    for name, args in settings.application.services.items():
        prefix = f"services.{name}"
        if args.get("service_type") == "LoadBalancer":
            found.append(settings.config_key(f"{prefix}.service_type"))
        for i, extra in enumerate(args.get("extra_services") or []):
            if isinstance(extra, Mapping) and extra.get("type") == "LoadBalancer":
                found.append(settings.config_key(f"{prefix}.extra_services[{i}].type"))
    return found


def check_local_load_balancer(settings: StackSettings) -> None:
    """Refuse a LoadBalancer Service that a local cluster could never give an address.

    pulumi-kubernetes waits ten minutes for the address and then fails; this says
    why, and how to fix it, before anything is created. kwok clusters simulate
    addresses, so only kind without cloud-provider-kind is refused.
    """
    if settings.cloud != "local":
        return
    asked = _load_balancers(settings)
    if not asked:
        return
    from .clusters import LocalCluster

    cluster_args: Any = settings.cluster  # checked by validate_local_args
    problem = rekeyed(
        "cluster", lambda: LocalCluster.load_balancer_problem(pulumi.get_stack(), cluster_args)
    )
    if problem:
        raise ValidationError(STACK, asked[0], "LoadBalancer", problem)


def render_directory(raw_config: Mapping[str, str]) -> str | None:
    """The render-mode output directory, or None for a normal deployment."""
    return os.environ.get(RENDER_DIR_ENV) or raw_config.get(RENDER_DIR_CONFIG) or None


def _from_the_root(
    args: pulumi.ResourceTransformationArgs,
) -> pulumi.ResourceTransformationResult | None:
    """The shorthand's WebService, once a root resource, keeps its URN (and its children's)."""
    if args.type_ != WEB_SERVICE_TYPE:
        return None
    alias = pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)
    opts = pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(aliases=[alias]))
    return pulumi.ResourceTransformationResult(args.props, opts)


def _deploy_services(
    settings: StackSettings,
    args: ApplicationArgs,
    claims: list[LocalClaim],
    opts: pulumi.ResourceOptions,
    identity_target: IdentityTarget = LOCAL,
) -> dict[str, Any]:
    """The Application (and, on a local cluster, its storage and stub CRDs); its outputs.

    Each service's ``identity`` is created on ``identity_target`` (the stack's cluster)."""
    stack = pulumi.get_stack()
    before: list[pulumi.Resource] = []
    if settings.cloud == "local":
        before += declare_local_storage(stack, claims, opts)
        if settings.application.monitoring_crds:
            before += declare_monitoring_crds(stack, opts)
    extra = pulumi.ResourceOptions(depends_on=before)
    if settings.shorthand is not None:
        extra.transformations = [_from_the_root]
    application = Application(
        stack, args, pulumi.ResourceOptions.merge(opts, extra), identity_target
    )
    if settings.shorthand is not None:
        service = application.services[settings.shorthand]
        return {
            "namespace": service.namespace,
            "service_name": service.service_name,
            "deployment_name": service.deployment_name,
            "url": service.url,
            **({"live_color": service.live_color} if service.live_color is not None else {}),
        }
    return {
        "urls": application.urls,
        "services": {
            name: {
                "namespace": service.namespace,
                "service_name": service.service_name,
                "deployment_name": service.deployment_name,
                "url": service.url,
            }
            for name, service in application.services.items()
        },
    }


def render(settings: StackSettings, directory: str) -> dict[str, Any]:
    """Render mode: the services on a render-to-directory provider, no cluster.

    Runs the same validation as :func:`deploy`, and gives the ServiceAccounts the same
    cloud identity annotation (``moorage:serviceIdentities``), so the files match what the
    stack would apply. Identities a service asks to create (``identity``) are checked
    but not created: render mode writes Kubernetes objects only.
    """
    args, claims = _stack_args(
        settings,
        _placeholder_secrets(settings.application),
        secret_leaf=lambda _: RENDERED_SECRET_PLACEHOLDER,
    )
    _planned(settings, args, settings.cluster)
    provider = k8s.Provider(
        f"{pulumi.get_stack()}-render",
        render_yaml_to_directory=directory,
        enable_config_map_mutable=True,
        enable_secret_mutable=True,
    )
    return {
        "cloud": settings.cloud,
        "rendered_to": directory,
        **_deploy_services(settings, args, claims, pulumi.ResourceOptions(provider=provider)),
    }


def deploy(settings: StackSettings) -> dict[str, Any]:
    """Validate everything, then create the stack's cluster and the services on it."""
    kubeconfig = Deferred(None)
    # The args are complete before anything exists (the kubeconfig is given once the
    # cluster exists), so each service's spec is built once, here, and reused.
    try:
        args, claims = _stack_args(settings, _application_secrets(settings), kubeconfig.output)
        plan = validate(settings, args)
    except BaseException:
        kubeconfig.give_stand_in()
        raise
    try:
        check_local_load_balancer(settings)
        cluster_args = {
            **_cluster_args(settings),
            "delete_unreachable": settings.delete_unreachable,
        }
        cluster: KubernetesCluster = _cluster_class(settings)(pulumi.get_stack(), cluster_args)
        kubeconfig.give(cluster.kubeconfig)  # blue/green reads the live cluster with it
        services = _deploy_services(
            settings,
            args,
            claims,
            pulumi.ResourceOptions(providers=[cluster.provider], depends_on=[cluster]),
            cluster.identity_target(),
        )
    except BaseException:
        kubeconfig.give_stand_in()
        plan.release()
        raise
    return {
        "cloud": settings.cloud,
        "cluster_name": cluster.cluster_name,
        "endpoint": cluster.endpoint,
        "kubeconfig": cluster.kubeconfig,
        **services,
    }


def main() -> None:
    """Entry point of ``infra/__main__.py``: one clear line on bad config, no traceback."""
    raw = _raw_config()
    directory = render_directory(raw)
    try:
        leaves = find_secret_leaves(raw, _secret_keys(), program_stack_config())
        settings = parse_stack_settings(raw, leaves)
        outputs = render(settings, directory) if directory else deploy(settings)
    except ValidationError as error:
        pulumi.log.error(str(error))
        sys.exit(1)
    except RecursionError:
        pulumi.log.error(f"{STACK}: a moorage: value is nested too deeply to read; flatten it")
        sys.exit(1)
    for name, value in outputs.items():
        pulumi.export(name, value)
