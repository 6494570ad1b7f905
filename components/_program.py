"""The Moorage Pulumi program: one cluster for the stack, one WebService on it.

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
from ._stack_config import StackSettings, parse_stack_settings, rekeyed
from .clusters.base import KubernetesCluster
from .webservice import WebService
from .webservice.spec import build_spec

RENDER_DIR_ENV = "MOORAGE_RENDER_DIR"
RENDER_DIR_CONFIG = "moorage:renderYamlToDirectory"
RENDERED_SECRET_PLACEHOLDER = "redacted-by-moorage-render"
"""Stands in for every ``moorage:serviceSecrets`` value in rendered manifests."""

# cloud -> (module, component class, validation function)
CLUSTERS = {
    "local": (".clusters.local", "LocalCluster", "validate_local_args"),
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


def validate(settings: StackSettings) -> None:
    """Run every component's validation before any resource is registered."""
    module_name, _, validator_name = CLUSTERS[settings.cloud]
    validator = getattr(importlib.import_module(module_name, __package__), validator_name)
    rekeyed("cluster", lambda: validator(pulumi.get_stack(), settings.cluster))
    service_args = {**settings.service, "secrets": dict.fromkeys(settings.secret_keys, "x")}
    rekeyed("service", lambda: build_spec(settings.service_name, service_args))  # type: ignore[arg-type]


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


def render(settings: StackSettings, directory: str) -> dict[str, Any]:
    """Render mode: the WebService on a render-to-directory provider, no cluster.

    Runs the same validation as :func:`deploy`, and gives the ServiceAccount the same
    cloud identity annotation, so the files match what the stack would apply.
    """
    validate(settings)
    module_name, class_name, _ = CLUSTERS[settings.cloud]
    cluster_class = getattr(importlib.import_module(module_name, __package__), class_name)
    provider = k8s.Provider(
        f"{pulumi.get_stack()}-render",
        render_yaml_to_directory=directory,
        enable_config_map_mutable=True,
        enable_secret_mutable=True,
    )
    # The annotations depend only on the cloud, not on a cluster instance.
    service_args = _service_args(
        settings,
        cluster_class.identity_annotations,
        dict.fromkeys(settings.secret_keys, RENDERED_SECRET_PLACEHOLDER),
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
    validate(settings)
    module_name, class_name, _ = CLUSTERS[settings.cloud]
    cluster_class = getattr(importlib.import_module(module_name, __package__), class_name)
    cluster_args = {**settings.cluster, "delete_unreachable": settings.delete_unreachable}
    cluster: KubernetesCluster = cluster_class(pulumi.get_stack(), cluster_args)

    service_args = _service_args(
        settings, cluster.workload_identity_annotations, _service_secrets(settings)
    )
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
