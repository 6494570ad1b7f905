"""Blue/green and canary releases with the real engine, watching the Service's endpoints."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, config
from pulumi import automation as auto

from .harness import PROGRAMS, EndpointWatcher, EngineStack, engine_stack

SERVICE_ONLY = PROGRAMS / "service_only"
RELEASE_SECRETS = PROGRAMS / "release_secrets"
PLAINTEXT = "s3cr3t-dsn-4f1c9e"
"""The secret the release_secrets program puts into env, args and an annotation."""


def configure(stack: EngineStack, kubeconfig: str, name: str, **service: Any) -> None:
    """Config for the service_only program; a None value drops that field."""
    args = {key: value for key, value in {"replicas": 2, **service}.items() if value is not None}
    stack.set_config(
        {
            "moorage:kubeconfig": kubeconfig,
            "moorage:name": name,
            "moorage:service": args,
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
        self.autoscaling = client.AutoscalingV2Api(api)

    def deployment(self, name: str) -> tuple[int, int, str]:
        """(spec replicas, ready replicas, image) of a Deployment."""
        d = self.apps.read_namespaced_deployment(name, self.namespace)
        image = d.spec.template.spec.containers[0].image
        return d.spec.replicas or 0, d.status.ready_replicas or 0, image

    def env(self, deployment: str, variable: str) -> str | None:
        """The value of ``variable`` in the first container of a Deployment's pods."""
        d = self.apps.read_namespaced_deployment(deployment, self.namespace)
        values = {e.name: e.value for e in d.spec.template.spec.containers[0].env or []}
        return values.get(variable)

    def selector(self, service: str) -> dict[str, str]:
        return dict(self.core.read_namespaced_service(service, self.namespace).spec.selector)

    def scale(self, deployment: str, replicas: int) -> None:
        """Set a Deployment's replicas through its scale subresource, as an HPA does."""
        self.apps.patch_namespaced_deployment_scale(
            deployment, self.namespace, {"spec": {"replicas": replicas}}
        )

    def wait_ready(self, deployment: str, replicas: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.deployment(deployment)[1] != replicas:
            assert time.monotonic() < deadline, f"{deployment}: not {replicas} ready"
            time.sleep(0.5)


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
        # Each component keeps its own release state: nothing is exported for it.
        assert not [key for key in stack.outputs() if key.endswith("-release")]

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

        # Nothing in flight now: a promote is refused by the ledger, in the preview.
        release("registry.local/app:2.0.0", promote=True)
        with pytest.raises(auto.CommandError, match="needs a canary in flight"):
            stack.preview()


def test_blue_green_with_an_hpa_switches_to_a_colour_running_as_many_as_the_live_one(
    env: dict[str, str], work_dir: Path, kwok_cluster: str
) -> None:
    name = "bghpa"
    cluster = Cluster(kwok_cluster, name)
    service = {
        "strategy": "blue_green",
        "blue_green": {"scale_down_delay_seconds": 1},
        "replicas": None,
        "autoscaling": {"min_replicas": 2, "max_replicas": 6},
    }
    with engine_stack(work_dir, env, SERVICE_ONLY) as stack:
        configure(stack, kwok_cluster, name, image="registry.local/app:1.0.0", **service)
        stack.up()
        assert cluster.deployment("bghpa-blue") == (2, 2, "registry.local/app:1.0.0")
        # Load arrives: the autoscaler takes blue to 5 (through the scale subresource,
        # as the HPA controller does; kwok has no metrics for it to act on).
        cluster.scale("bghpa-blue", 5)
        cluster.wait_ready("bghpa-blue", 5)

        configure(stack, kwok_cluster, name, image="registry.local/app:2.0.0", **service)
        watcher = up_watched(stack, kwok_cluster, name)
        # Green took over with all five before the Service moved: capacity never dropped.
        assert watcher.minimum >= 5, watcher.samples
        assert cluster.deployment("bghpa-green") == (5, 5, "registry.local/app:2.0.0")
        assert cluster.deployment("bghpa-blue")[0] == 0
        assert stack.outputs()["deployment_name"] == "bghpa-green"
        hpa = cluster.autoscaling.read_namespaced_horizontal_pod_autoscaler(name, name)
        assert hpa.spec.scale_target_ref.name == "bghpa-green"

        # A quiet update leaves green where it went live.
        assert stack.preview().change_summary.get("update", 0) == 0


def test_a_switch_that_failed_half_way_is_finished_by_the_next_update(
    env: dict[str, str], work_dir: Path, kwok_cluster: str
) -> None:
    name = "bgfail"
    cluster = Cluster(kwok_cluster, name)
    service = {
        "strategy": "blue_green",
        "blue_green": {"scale_down_delay_seconds": 1},
        # The Kubernetes provider gives up on a Deployment that is not ready in 40 s
        # (kwok readies a schedulable pod in a second or two, even on a busy machine).
        "deployment_annotations": {"pulumi.com/timeoutSeconds": "40"},
    }
    with engine_stack(work_dir, env, SERVICE_ONLY) as stack:
        configure(stack, kwok_cluster, name, image="registry.local/app:1.0.0", **service)
        stack.up()

        # 2.0.0 can never run (no node matches): green never becomes Available.
        broken = {**service, "node_selector": {"moorage.dev/test-pool": "none"}}
        configure(stack, kwok_cluster, name, image="registry.local/app:2.0.0", **broken)
        with EndpointWatcher(kwok_cluster, name, name) as watcher, pytest.raises(auto.CommandError):
            stack.up()
        assert watcher.samples and watcher.minimum >= 2, watcher.samples
        assert cluster.selector(name)["moorage.dev/color"] == "blue"
        assert cluster.deployment("bgfail-blue") == (2, 2, "registry.local/app:1.0.0")

        # The fix goes to green again (the idle colour), never onto blue, which serves.
        configure(stack, kwok_cluster, name, image="registry.local/app:3.0.0", **service)
        up_watched(stack, kwok_cluster, name)
        assert cluster.selector(name)["moorage.dev/color"] == "green"
        assert cluster.deployment("bgfail-green") == (2, 2, "registry.local/app:3.0.0")
        blue = cluster.deployment("bgfail-blue")
        assert blue[0] == 0 and blue[2] == "registry.local/app:1.0.0"
        # Converged: nothing left to do.
        assert stack.preview().change_summary.get("update", 0) == 0


def test_a_preview_shows_the_real_deployment_changes_of_a_switch(
    env: dict[str, str], work_dir: Path, kwok_cluster: str
) -> None:
    name = "bgpreview"
    strategy = {"strategy": "blue_green", "blue_green": {"scale_down_delay_seconds": 1}}
    with engine_stack(work_dir, env, SERVICE_ONLY) as stack:
        configure(stack, kwok_cluster, name, image="registry.local/app:1.0.0", **strategy)
        stack.up()
        configure(stack, kwok_cluster, name, image="registry.local/app:2.0.0", **strategy)
        preview = stack.preview(diff=True)
        assert "registry.local/app:2.0.0" in preview.stdout, preview.stdout
        assert "[unknown]" not in preview.stdout, preview.stdout
        assert preview.change_summary.get("update", 0) >= 3  # green, the Service, blue


def configure_secret(stack: EngineStack, kubeconfig: str, name: str, **service: Any) -> None:
    stack.set_config(
        {
            "moorage:kubeconfig": kubeconfig,
            "moorage:name": name,
            "moorage:leak": PLAINTEXT,
            "moorage:service": {"replicas": 2, **service},
        },
        secret_keys=("moorage:kubeconfig", "moorage:leak"),
    )


def assert_no_plaintext(stack: EngineStack) -> None:
    """The secret is nowhere a user or an attacker with the state files could read it."""
    assert PLAINTEXT not in stack.exported_state()
    assert PLAINTEXT not in stack.state_files()
    assert PLAINTEXT not in "".join(stack.log)
    assert PLAINTEXT not in json.dumps(stack.outputs())


def test_a_secret_in_the_pod_template_never_appears_in_plaintext(
    env: dict[str, str], work_dir: Path, kwok_cluster: str
) -> None:
    bg, canary = "bgsecret", "cnsecret"
    bg_cluster, canary_cluster = Cluster(kwok_cluster, bg), Cluster(kwok_cluster, canary)
    blue_green = {"strategy": "blue_green", "blue_green": {"scale_down_delay_seconds": 1}}
    with engine_stack(work_dir, env, RELEASE_SECRETS) as stack:
        configure_secret(stack, kwok_cluster, bg, image="registry.local/app:1.0.0", **blue_green)
        stack.up()
        configure_secret(stack, kwok_cluster, bg, image="registry.local/app:2.0.0", **blue_green)
        up_watched(stack, kwok_cluster, bg)
        assert stack.outputs()["live_color"] == "green"
        assert bg_cluster.deployment("bgsecret-blue") == (0, 0, "registry.local/app:1.0.0")
        # The old colour still runs the template it had, secret included.
        assert bg_cluster.env("bgsecret-blue", "DATABASE_URL") == PLAINTEXT
        stack.preview(expect_no_changes=True)
        assert_no_plaintext(stack)

    def release(image: str, **extra: Any) -> None:
        configure_secret(
            stack,
            kwok_cluster,
            canary,
            image=image,
            replicas=4,
            strategy="canary",
            canary={"weight": 50, **extra},
        )

    with engine_stack(work_dir, env, RELEASE_SECRETS) as stack:
        release("registry.local/app:1.0.0")
        stack.up()
        release("registry.local/app:2.0.0")
        up_watched(stack, kwok_cluster, canary)
        assert canary_cluster.env("cnsecret", "DATABASE_URL") == PLAINTEXT
        release("registry.local/app:2.0.0", promote=True)
        up_watched(stack, kwok_cluster, canary)
        assert canary_cluster.deployment("cnsecret") == (4, 4, "registry.local/app:2.0.0")
        assert_no_plaintext(stack)
