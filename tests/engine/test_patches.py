"""The escape hatch on kwok: patches and a user's transform reach the objects applied.

What the Args cannot express: an unbounded emptyDir (no ephemeral-storage limit), no
ServiceAccount of its own, an extra label in the selector's place. The API server stores
what the patches made, and a user's Pulumi transform on the component labels every child.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from kubernetes import client, config

from .harness import PROGRAMS, engine_stack

NAME = "redis"


def test_patches_and_transforms_reach_the_cluster(
    env: dict[str, str], work_dir: Path, kwok_cluster: str
) -> None:
    service = {
        "image": "registry.local/redis:7.2.4",
        "app_protocol": "tcp",
        "port": 6379,
        "replicas": 1,
        "service_account_name": "default",
        "patches": [
            {
                "kind": "Deployment",
                "name": NAME,
                "strategic_merge": {
                    "spec": {
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": NAME,
                                        "resources": {"limits": {"ephemeral-storage": None}},
                                    }
                                ],
                                "volumes": [{"name": "data", "emptyDir": {}}],
                            }
                        }
                    }
                },
            },
            {
                "kind": "Service",
                "json_patch": [{"op": "add", "path": "/metadata/labels/tier", "value": "cache"}],
            },
        ],
    }
    with engine_stack(work_dir, env, PROGRAMS / "transformed") as stack:
        stack.set_config(
            {"moorage:kubeconfig": kwok_cluster, "moorage:name": NAME, "moorage:service": service},
            secret_keys=("moorage:kubeconfig",),
        )
        stack.up()
        api = config.new_client_from_config_dict(yaml.safe_load(kwok_cluster))
        deployment = client.AppsV1Api(api).read_namespaced_deployment(NAME, NAME)
        pod = deployment.spec.template.spec
        assert "ephemeral-storage" not in pod.containers[0].resources.limits
        data = next(v for v in pod.volumes if v.name == "data")
        assert data.empty_dir is not None and data.empty_dir.size_limit is None
        assert pod.service_account_name == "default"
        accounts = client.CoreV1Api(api).list_namespaced_service_account(NAME).items
        assert [a.metadata.name for a in accounts] == ["default"]
        svc = client.CoreV1Api(api).read_namespaced_service(NAME, NAME)
        assert svc.metadata.labels["tier"] == "cache"
        # The user's own transform reached every child, patched or not.
        assert deployment.metadata.labels["team"] == "payments"
        assert svc.metadata.labels["team"] == "payments"
        again = stack.up()
        assert set((again.summary.resource_changes or {}).keys()) == {"same"}
