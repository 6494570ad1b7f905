"""The Moorage Pulumi program: one cluster for the stack, the services on it.

Many services (``moorage:services``) become one :class:`moorage.Application`; the
one-service shorthand (``moorage:serviceName`` + ``moorage:service``) stays a lone
WebService, so existing stacks keep their resources.

``infra/__main__.py`` calls :func:`main`. Import :func:`deploy` to run the same
program from your own code (or the Automation API).

Render mode: when the environment variable ``MOORAGE_RENDER_DIR`` (or the stack config
``moorage:renderYamlToDirectory``; the variable wins) names a directory, no cluster is
created: the WebService goes on a Kubernetes provider in render-to-directory mode, and
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
    key,
    parse_stack_settings,
    rekeyed,
)
from .application import Application, ApplicationArgs, plan_application
from .application_local import (
    LocalClaim,
    declare_local_storage,
    declare_monitoring_crds,
    with_local_storage,
)
from .clusters import KubernetesCluster
from .webservice import WebService, prevalidate

RENDER_DIR_ENV = "MOORAGE_RENDER_DIR"
RENDER_DIR_CONFIG = "moorage:renderYamlToDirectory"
RENDERED_SECRET_PLACEHOLDER = "redacted-by-moorage-render"
"""Stands in for every ``moorage:serviceSecrets`` value in rendered manifests."""

# cloud -> (module, component class, validation function)
CLUSTERS = {
    "local": (".clusters", "LocalCluster", "validate_local_args"),
    "eks": (".clusters.eks", "EksCluster", "validate_eks_args"),
    "gke": (".clusters.gke", "GkeCluster", "validate_gke_args"),
}


def _raw_config() -> dict[str, str]:
    """The stack config as the engine passed it (secrets stay undecoded here).

    Read from ``PULUMI_CONFIG``, the environment variable in which the engine hands a
    program its whole config (a JSON object of ``namespace:key`` to string): a public
    contract, unlike the SDK's private config store.
    """
    import json  # local: this function is the only user

    passed = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
    return {str(key): str(value) for key, value in passed.items()}


def _service_secrets(settings: StackSettings) -> dict[str, pulumi.Output[str]]:
    """Secret values from ``moorage:serviceSecrets``, each wrapped as a Pulumi secret."""
    if not settings.secret_keys:
        return {}
    secrets = pulumi.Config("moorage").require_secret_object("serviceSecrets")
    return {k: secrets.apply(_item(k)) for k in settings.secret_keys}


def _item(key: str) -> Callable[[Any], str]:
    return lambda values: str(values[key])


def validate(settings: StackSettings, service_args: Mapping[str, Any]) -> None:
    """Run every component's validation before any resource is registered.

    ``service_args`` are the very WebServiceArgs the program then passes to the
    WebService, which takes over the spec built here (:func:`prevalidate`).
    """
    module_name, _, validator_name = CLUSTERS[settings.cloud]
    validator = getattr(importlib.import_module(module_name, __package__), validator_name)
    rekeyed("cluster", lambda: validator(pulumi.get_stack(), settings.cluster))
    if settings.application is not None:
        validate_application(settings)
        return
    rekeyed("service", lambda: prevalidate(settings.service_name, service_args))  # type: ignore[arg-type]


def _load_balancers(settings: StackSettings) -> list[str]:
    """The config keys of every LoadBalancer Service the stack asks for."""
    services = (
        {f"services.{n}": a for n, a in settings.application.services.items()}
        if settings.application is not None
        else {"service": settings.service}
    )
    found: list[str] = []
    for prefix, args in services.items():
        if args.get("service_type") == "LoadBalancer":
            found.append(f"{prefix}.service_type")
        for i, extra in enumerate(args.get("extra_services") or []):
            if isinstance(extra, Mapping) and extra.get("type") == "LoadBalancer":
                found.append(f"{prefix}.extra_services[{i}].type")
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
        raise ValidationError(STACK, key(asked[0]), "LoadBalancer", problem)


def validate_application(settings: StackSettings) -> None:
    """Every service of ``moorage:services`` (and the references) before anything exists."""
    app = settings.application
    assert app is not None
    placeholders = {
        s: dict.fromkeys(keys, RENDERED_SECRET_PLACEHOLDER) for s, keys in app.secret_keys.items()
    }
    args, _ = _application_args(app, settings.cloud, lambda _: {}, placeholders)
    try:
        plan_application(pulumi.get_stack(), args)
    except ValidationError as error:
        raise ValidationError(STACK, f"moorage:{error.field}", error.value, error.rule) from None


def render_directory(raw_config: Mapping[str, str]) -> str | None:
    """The render-mode output directory, or None for a normal deployment."""
    return os.environ.get(RENDER_DIR_ENV) or raw_config.get(RENDER_DIR_CONFIG) or None


def _service_args(
    settings: StackSettings,
    identity_annotations: Callable[[str], Mapping[str, pulumi.Input[str]]],
    secrets: Mapping[str, pulumi.Input[str]],
) -> dict[str, Any]:
    """WebServiceArgs from the stack config, with the cloud identity and the secrets."""
    service_args: dict[str, Any] = dict(settings.service)
    if settings.service_identity:
        service_args["service_account_annotations"] = {
            **service_args.get("service_account_annotations", {}),
            **identity_annotations(settings.service_identity),
        }
    if secrets:
        service_args["secrets"] = dict(secrets)
    return service_args


def _application_args(
    app: ApplicationSettings,
    cloud: str,
    identity_annotations: Callable[[str], Mapping[str, pulumi.Input[str]]],
    secrets: Mapping[str, Mapping[str, pulumi.Input[str]]],
) -> tuple[ApplicationArgs, list[LocalClaim]]:
    """ApplicationArgs from the stack config, with identities, secrets and local storage,
    and the claims that need a local volume (none off a local cluster)."""
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
    if cloud == "local":
        services, claims = with_local_storage(services)
    args: ApplicationArgs = {
        "namespaces": app.namespaces,  # type: ignore[typeddict-item]
        "services": services,  # type: ignore[typeddict-item]
        "service_refs": app.service_refs,  # type: ignore[typeddict-item]
    }
    return args, claims


def _application_secrets(app: ApplicationSettings) -> dict[str, dict[str, pulumi.Output[str]]]:
    """``moorage:serviceSecrets.<service>.<KEY>``, each wrapped as a Pulumi secret."""
    if not app.secret_keys:
        return {}
    secrets = pulumi.Config("moorage").require_secret_object("serviceSecrets")
    return {
        service: {k: secrets.apply(_nested_item(service, k)) for k in keys}
        for service, keys in app.secret_keys.items()
    }


def _nested_item(service: str, key: str) -> Callable[[Any], str]:
    return lambda values: str(values[service][key])


def _deploy_application(
    settings: StackSettings,
    identity_annotations: Callable[[str], Mapping[str, pulumi.Input[str]]],
    secrets: Mapping[str, Mapping[str, pulumi.Input[str]]],
    opts: pulumi.ResourceOptions,
    kubeconfig: pulumi.Input[str] | None = None,
) -> dict[str, Any]:
    """The Application (and, on a local cluster, its storage and stub CRDs); its services
    read the live cluster with ``kubeconfig`` (None when rendering: no cluster)."""
    app = settings.application
    assert app is not None
    stack = pulumi.get_stack()
    args, claims = _application_args(app, settings.cloud, identity_annotations, secrets)
    if kubeconfig is not None:
        args["kubeconfig"] = kubeconfig
    before: list[pulumi.Resource] = []
    if settings.cloud == "local":
        before += declare_local_storage(stack, claims, opts)
        if app.monitoring_crds:
            before += declare_monitoring_crds(stack, opts)
    application = Application(
        stack,
        args,
        pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=before)),
    )
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
    """Render mode: the WebService on a render-to-directory provider, no cluster.

    Runs the same validation as :func:`deploy`, and gives the ServiceAccount the same
    cloud identity annotation, so the files match what the stack would apply.
    """
    module_name, class_name, _ = CLUSTERS[settings.cloud]
    cluster_class = getattr(importlib.import_module(module_name, __package__), class_name)
    if settings.application is not None:
        validate(settings, {})
        placeholders = {
            s: dict.fromkeys(keys, RENDERED_SECRET_PLACEHOLDER)
            for s, keys in settings.application.secret_keys.items()
        }
        provider = k8s.Provider(
            f"{pulumi.get_stack()}-render",
            render_yaml_to_directory=directory,
            enable_config_map_mutable=True,
            enable_secret_mutable=True,
        )
        return {
            "cloud": settings.cloud,
            "rendered_to": directory,
            **_deploy_application(
                settings,
                cluster_class.identity_annotations,
                placeholders,
                pulumi.ResourceOptions(provider=provider),
            ),
        }
    # The annotations depend only on the cloud, not on a cluster instance.
    service_args = _service_args(
        settings,
        cluster_class.identity_annotations,
        dict.fromkeys(settings.secret_keys, RENDERED_SECRET_PLACEHOLDER),
    )
    validate(settings, service_args)
    provider = k8s.Provider(
        f"{pulumi.get_stack()}-render",
        render_yaml_to_directory=directory,
        enable_config_map_mutable=True,
        enable_secret_mutable=True,
    )
    service = WebService(
        settings.service_name,
        service_args,  # type: ignore[arg-type]
        pulumi.ResourceOptions(provider=provider),
    )
    return {
        "cloud": settings.cloud,
        "rendered_to": directory,
        "namespace": service.namespace,
        "service_name": service.service_name,
        "deployment_name": service.deployment_name,
        "url": service.url,
        **({"live_color": service.live_color} if service.live_color is not None else {}),
    }


def deploy(settings: StackSettings) -> dict[str, Any]:
    """Create the stack's cluster and the WebService on it; return the outputs."""
    module_name, class_name, _ = CLUSTERS[settings.cloud]
    cluster_class = getattr(importlib.import_module(module_name, __package__), class_name)
    if settings.application is not None:
        return deploy_application(settings)
    # Built before the cluster (identity annotations need no cluster instance), so the
    # service is validated once, before anything is registered, and the WebService
    # reuses that spec.
    service_args = _service_args(
        settings, cluster_class.identity_annotations, _service_secrets(settings)
    )
    validate(settings, service_args)
    check_local_load_balancer(settings)
    cluster_args = {**settings.cluster, "delete_unreachable": settings.delete_unreachable}
    cluster: KubernetesCluster = cluster_class(pulumi.get_stack(), cluster_args)
    service_args["kubeconfig"] = cluster.kubeconfig  # blue/green reads the live cluster
    service = WebService(
        settings.service_name,
        service_args,  # type: ignore[arg-type]
        pulumi.ResourceOptions(providers=[cluster.provider], depends_on=[cluster]),
    )
    return {
        "cloud": settings.cloud,
        "cluster_name": cluster.cluster_name,
        "endpoint": cluster.endpoint,
        "kubeconfig": cluster.kubeconfig,
        "namespace": service.namespace,
        "service_name": service.service_name,
        "deployment_name": service.deployment_name,
        "url": service.url,
        **({"live_color": service.live_color} if service.live_color is not None else {}),
    }


def deploy_application(settings: StackSettings) -> dict[str, Any]:
    """Many services: validate them all, then the cluster, then the Application on it."""
    assert settings.application is not None
    validate(settings, {})
    check_local_load_balancer(settings)
    module_name, class_name, _ = CLUSTERS[settings.cloud]
    cluster_class = getattr(importlib.import_module(module_name, __package__), class_name)
    cluster_args = {**settings.cluster, "delete_unreachable": settings.delete_unreachable}
    cluster: KubernetesCluster = cluster_class(pulumi.get_stack(), cluster_args)
    return {
        "cloud": settings.cloud,
        "cluster_name": cluster.cluster_name,
        "endpoint": cluster.endpoint,
        "kubeconfig": cluster.kubeconfig,
        **_deploy_application(
            settings,
            cluster.workload_identity_annotations,
            _application_secrets(settings.application),
            pulumi.ResourceOptions(providers=[cluster.provider], depends_on=[cluster]),
            cluster.kubeconfig,
        ),
    }


def main() -> None:
    """Entry point of ``infra/__main__.py``: one clear line on bad config, no traceback."""
    raw = _raw_config()
    directory = render_directory(raw)
    try:
        settings = parse_stack_settings(raw)
        outputs = render(settings, directory) if directory else deploy(settings)
    except ValidationError as error:
        pulumi.log.error(str(error))
        sys.exit(1)
    for name, value in outputs.items():
        pulumi.export(name, value)
