"""Blue/green and canary releases with the real engine, watching the Service's endpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from kubernetes import client, config

from .harness import PROGRAMS, EndpointWatcher, EngineStack, engine_stack

SERVICE_ONLY = PROGRAMS / "service_only"


def configure(stack: EngineStack, kubeconfig: str, name: str, **service: Any) -> None:
    stack.set_config(
        {
            "moorage:kubeconfig": kubeconfig,
            "moorage:name": name,
            "moorage:service": {"replicas": 2, **service},
        },
        secret_keys=("moorage:kubeconfig",),
    )


def up_watched(stack: EngineStack, kubeconfig: str, name: str) -> EndpointWatcher:
    """Run `pulumi up` while sampling the Service's ready endpoints."""
    with EndpointWatcher(kubeconfig, name, name) as watcher:
        result = stack.up()
    assert result.summary.result == "succeeded"
    assert watcher.samples, watcher.errors
    assert watcher.minimum > 0, f"ready endpoints dropped to zero: {watcher.samples}"
    return watcher


class Cluster:
    def __init__(self, kubeconfig: str, namespace: str) -> None:
        api = config.new_client_from_config_dict(yaml.safe_load(kubeconfig))
        self.apps, self.core, self.namespace = (
            client.AppsV1Api(api),
            client.CoreV1Api(api),
            namespace,
        )

    def deployment(self, name: str) -> tuple[int, int, str]:
        """(spec replicas, ready replicas, image) of a Deployment."""
        d = self.apps.read_namespaced_deployment(name, self.namespace)
        image = d.spec.template.spec.containers[0].image
        return d.spec.replicas or 0, d.status.ready_replicas or 0, image

    def selector(self, service: str) -> dict[str, str]:
        return dict(self.core.read_namespaced_service(service, self.namespace).spec.selector)


def test_blue_green_switch_and_rollback_keep_endpoints_ready(
    env: dict[str, str], work_dir: Path, kwok_cluster: str
) -> None:
    name = "bluegreen"
    cluster = Cluster(kwok_cluster, name)
    strategy = {"strategy": "blue_green", "blue_green": {"scale_down_delay_seconds": 2}}
    with engine_stack(work_dir, env, SERVICE_ONLY) as stack:
        configure(stack, kwok_cluster, name, image="registry.local/app:1.0.0", **strategy)
        stack.up()
        assert stack.outputs()["live_color"] == "blue"
        assert cluster.selector(name)["moorage.dev/color"] == "blue"
        assert cluster.deployment("bluegreen-blue") == (2, 2, "registry.local/app:1.0.0")
        assert cluster.deployment("bluegreen-green")[0] == 0

        # A new image goes to green, which takes over once Available; blue scales down.
        configure(stack, kwok_cluster, name, image="registry.local/app:2.0.0", **strategy)
        up_watched(stack, kwok_cluster, name)
        assert stack.outputs()["live_color"] == "green"
        assert cluster.selector(name)["moorage.dev/color"] == "green"
        assert cluster.deployment("bluegreen-green") == (2, 2, "registry.local/app:2.0.0")
        assert cluster.deployment("bluegreen-blue") == (0, 0, "registry.local/app:1.0.0")
        stack.preview(expect_no_changes=True)

        # Roll back by pinning blue: no redeploy, blue scales up first, then the switch.
        pinned = {**strategy, "blue_green": {**strategy["blue_green"], "active_color": "blue"}}
        configure(stack, kwok_cluster, name, image="registry.local/app:2.0.0", **pinned)
        up_watched(stack, kwok_cluster, name)
        assert stack.outputs()["live_color"] == "blue"
        assert cluster.selector(name)["moorage.dev/color"] == "blue"
        assert cluster.deployment("bluegreen-blue") == (2, 2, "registry.local/app:1.0.0")
        assert cluster.deployment("bluegreen-green")[0] == 0


def test_canary_deploy_promote_and_abort_keep_endpoints_ready(
    env: dict[str, str], work_dir: Path, kwok_cluster: str
) -> None:
    name = "canary"
    cluster = Cluster(kwok_cluster, name)

    def release(image: str, **canary: Any) -> None:
        configure(
            stack,
            kwok_cluster,
            name,
            image=image,
            replicas=4,
            strategy="canary",
            canary={"weight": 50, **canary},
        )

    with engine_stack(work_dir, env, SERVICE_ONLY) as stack:
        release("registry.local/app:1.0.0")
        stack.up()
        assert cluster.deployment("canary") == (4, 4, "registry.local/app:1.0.0")
        assert cluster.deployment("canary-canary")[0] == 0

        release("registry.local/app:2.0.0")
        up_watched(stack, kwok_cluster, name)
        assert cluster.deployment("canary-canary") == (2, 2, "registry.local/app:2.0.0")
        assert cluster.deployment("canary") == (2, 2, "registry.local/app:1.0.0")
        assert "moorage.dev/track" not in cluster.selector(name)

        release("registry.local/app:2.0.0", promote=True)
        up_watched(stack, kwok_cluster, name)
        assert cluster.deployment("canary") == (4, 4, "registry.local/app:2.0.0")
        assert cluster.deployment("canary-canary")[0] == 0

        release("registry.local/app:3.0.0")
        up_watched(stack, kwok_cluster, name)
        assert cluster.deployment("canary-canary") == (2, 2, "registry.local/app:3.0.0")

        release("registry.local/app:3.0.0", abort=True)
        up_watched(stack, kwok_cluster, name)
        assert cluster.deployment("canary") == (4, 4, "registry.local/app:2.0.0")
        assert cluster.deployment("canary-canary")[0] == 0
