"""Adopting a Deployment, Service and ConfigMap that kubectl applied, in place, on kwok.

The objects are created with the Kubernetes client as `kubectl apply` would (selector
``app: cart``). The first ``up`` of a WebService with ``selector_labels`` and ``adopt``
takes them over: the same objects (same UIDs, so no replace), and an EndpointSlice
watcher sees ready endpoints throughout. A second ``up`` changes nothing.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client, config

from .harness import PROGRAMS, EndpointWatcher, engine_stack

NAMESPACE, NAME = "legacy", "cart"
LABELS = {"app": NAME}


def apply_plain_objects(api: client.ApiClient) -> dict[str, str]:
    """What a team had applied before Moorage; returns each object's UID."""
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    core.create_namespace({"metadata": {"name": NAMESPACE}})
    config_map = core.create_namespaced_config_map(
        NAMESPACE, {"metadata": {"name": f"{NAME}-config"}, "data": {"MODE": "legacy"}}
    )
    deployment = apps.create_namespaced_deployment(
        NAMESPACE,
        {
            "metadata": {"name": NAME, "labels": LABELS},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": LABELS},
                "template": {
                    "metadata": {"labels": LABELS},
                    "spec": {
                        "containers": [
                            {
                                "name": NAME,
                                "image": "registry.local/cart:1.0.0",
                                "ports": [{"name": "http", "containerPort": 8080}],
                            }
                        ]
                    },
                },
            },
        },
    )
    service = core.create_namespaced_service(
        NAMESPACE,
        {
            "metadata": {"name": NAME, "labels": LABELS},
            "spec": {"selector": LABELS, "ports": [{"port": 80, "targetPort": "http"}]},
        },
    )
    return {
        "Deployment": deployment.metadata.uid,
        "Service": service.metadata.uid,
        "ConfigMap": config_map.metadata.uid,
    }


def uids(api: client.ApiClient) -> dict[str, str]:
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    return {
        "Deployment": apps.read_namespaced_deployment(NAME, NAMESPACE).metadata.uid,
        "Service": core.read_namespaced_service(NAME, NAMESPACE).metadata.uid,
        "ConfigMap": core.read_namespaced_config_map(f"{NAME}-config", NAMESPACE).metadata.uid,
    }


def wait_for_ready_endpoints(watcher: EndpointWatcher, count: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while watcher.ready_endpoints() < count:
        assert time.monotonic() < deadline, f"{NAME} never had {count} ready endpoints"
        time.sleep(0.5)


def test_a_kubectl_applied_service_is_adopted_in_place(
    env: dict[str, str], work_dir: Path, kwok_cluster: str
) -> None:
    api = config.new_client_from_config_dict(yaml.safe_load(kwok_cluster))
    before = apply_plain_objects(api)
    watcher = EndpointWatcher(kwok_cluster, NAMESPACE, NAME)
    wait_for_ready_endpoints(watcher, 2)
    service: dict[str, Any] = {
        "image": "registry.local/cart:1.0.0",
        "namespace": NAMESPACE,
        "create_namespace": False,
        "replicas": 2,
        "config": {"MODE": "moorage"},
        "selector_labels": LABELS,
        "adopt": True,
    }
    with engine_stack(work_dir, env, PROGRAMS / "service_only") as stack:
        stack.set_config(
            {"moorage:kubeconfig": kwok_cluster, "moorage:name": NAME, "moorage:service": service},
            secret_keys=("moorage:kubeconfig",),
        )
        with watcher:
            result = stack.up()
        changes = result.summary.resource_changes or {}
        assert "replace" not in changes and "delete" not in changes, changes
        assert uids(api) == before  # the same objects, taken over
        assert watcher.samples and not watcher.errors
        assert watcher.minimum >= 1, "the Service had no ready endpoint during the adoption"
        deployment = client.AppsV1Api(api).read_namespaced_deployment(NAME, NAMESPACE)
        assert deployment.spec.selector.match_labels == LABELS
        assert deployment.status.available_replicas == 2
        pod_labels = deployment.spec.template.metadata.labels
        assert pod_labels["app"] == NAME and pod_labels["app.kubernetes.io/name"] == NAME
        config_map = client.CoreV1Api(api).read_namespaced_config_map(f"{NAME}-config", NAMESPACE)
        assert config_map.data == {"MODE": "moorage"}
        again = stack.up()
        assert set((again.summary.resource_changes or {}).keys()) == {"same"}
