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
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ._errors import ValidationError
from ._stack_config import (
    STACK,
    ApplicationSettings,
    StackSettings,
    parse_stack_settings,
    rekeyed,
)
from .application import (
    Application,
    ApplicationArgs,
    ApplicationPlan,
    Deferred,
    plan_application,
)
from .application_local import (
    LocalClaim,
    declare_local_storage,
    declare_monitoring_crds,
    with_local_storage,
)
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


def application_args(
    settings: StackSettings,
    secrets: Mapping[str, Mapping[str, pulumi.Input[str]]],
    kubeconfig: pulumi.Input[str] | None = None,
) -> tuple[ApplicationArgs, list[LocalClaim]]:
    """ApplicationArgs from the stack config, with identities, secrets and local storage,
    and the claims that need a local volume (none off a local cluster, none for the
    shorthand, whose claims keep the storage class they were created with)."""
    app = settings.application
    identity_annotations = _cluster_class(settings).identity_annotations
    services: dict[str, dict[str, Any]] = {}
    for name in app.order:
        service = dict(app.services[name])
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
    args: ApplicationArgs = {
        "namespaces": app.namespaces,  # type: ignore[typeddict-item]
        "services": services,  # type: ignore[typeddict-item]
        "service_refs": app.service_refs,  # type: ignore[typeddict-item]
    }
    if app.created_identities:
        args["identities"] = app.created_identities  # type: ignore[typeddict-item]
    if kubeconfig is not None:
        args["kubeconfig"] = kubeconfig
    return args, claims


def validate(settings: StackSettings, args: ApplicationArgs) -> ApplicationPlan:
    """Run every component's validation before any resource is registered.

    ``args`` are the very ApplicationArgs the program then passes to the Application,
    which takes over the plan (and each service's spec) made here.
    """
    _, _, validator_name = CLUSTERS[settings.cloud]
    module_name = CLUSTERS[settings.cloud][0]
    validator = getattr(importlib.import_module(module_name, __package__), validator_name)
    rekeyed("cluster", lambda: validator(pulumi.get_stack(), settings.cluster))
    try:
        return plan_application(pulumi.get_stack(), args, settings.cloud)
    except ValidationError as error:
        raise ValidationError(
            STACK, settings.config_key(error.field), error.value, error.rule
        ) from None


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
    args, claims = application_args(settings, _placeholder_secrets(settings.application))
    validate(settings, args)
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
    args, claims = application_args(settings, _application_secrets(settings), kubeconfig.output)
    try:
        plan = validate(settings, args)
    except BaseException:
        kubeconfig.give_stand_in()
        raise
    try:
        check_local_load_balancer(settings)
        cluster_args = {**settings.cluster, "delete_unreachable": settings.delete_unreachable}
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
        settings = parse_stack_settings(raw, _secret_keys())
        outputs = render(settings, directory) if directory else deploy(settings)
    except ValidationError as error:
        pulumi.log.error(str(error))
        sys.exit(1)
    except RecursionError:
        pulumi.log.error(f"{STACK}: a moorage: value is nested too deeply to read; flatten it")
        sys.exit(1)
    for name, value in outputs.items():
        pulumi.export(name, value)
