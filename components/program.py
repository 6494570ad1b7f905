"""The Moorage Pulumi program: one cluster for the stack, one WebService on it.

``infra/__main__.py`` calls :func:`main`. Import :func:`deploy` to run the same
program from your own code (or the Automation API).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

import pulumi

from components.clusters.base import KubernetesCluster
from components.errors import ValidationError
from components.stack_config import StackSettings, parse_stack_settings, rekeyed
from components.webservice import WebService
from components.webservice.spec import build_spec

# cloud -> (module, component class, validation function)
CLUSTERS = {
    "local": ("components.clusters.local", "LocalCluster", "validate_local_args"),
    "eks": ("components.clusters.eks", "EksCluster", "validate_eks_args"),
    "gke": ("components.clusters.gke", "GkeCluster", "validate_gke_args"),
}


def _raw_config() -> dict[str, str]:
    """The stack config as the engine passed it (secrets stay undecoded here)."""
    from pulumi.runtime.config import CONFIG

    return dict(CONFIG.get())


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
    validator = getattr(importlib.import_module(module_name), validator_name)
    rekeyed("cluster", lambda: validator(pulumi.get_stack(), settings.cluster))
    service_args = {**settings.service, "secrets": dict.fromkeys(settings.secret_keys, "x")}
    rekeyed("service", lambda: build_spec(settings.service_name, service_args))  # type: ignore[arg-type]


def deploy(settings: StackSettings) -> dict[str, Any]:
    """Create the stack's cluster and the WebService on it; return the outputs."""
    validate(settings)
    module_name, class_name, _ = CLUSTERS[settings.cloud]
    cluster_class = getattr(importlib.import_module(module_name), class_name)
    cluster_args = {**settings.cluster, "delete_unreachable": settings.delete_unreachable}
    cluster: KubernetesCluster = cluster_class(pulumi.get_stack(), cluster_args)

    service_args: dict[str, Any] = dict(settings.service)
    if settings.service_identity:
        service_args["service_account_annotations"] = {
            **service_args.get("service_account_annotations", {}),
            **cluster.workload_identity_annotations(settings.service_identity),
        }
    secrets = _service_secrets(settings)
    if secrets:
        service_args["secrets"] = secrets
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
    }


def main() -> None:
    """Entry point of ``infra/__main__.py``: one clear line on bad config, no traceback."""
    try:
        outputs = deploy(parse_stack_settings(_raw_config()))
    except ValidationError as error:
        pulumi.log.error(str(error))
        sys.exit(1)
    for name, value in outputs.items():
        pulumi.export(name, value)
