"""WebService behaviour with the real engine and provider on a shared kwok cluster."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
import yaml
from kubernetes import client, config
from pulumi import automation as auto

from .harness import PROGRAMS, EndpointWatcher, engine_stack

SERVICE_ONLY = PROGRAMS / "service_only"


def service_config(kubeconfig: str, name: str, **service: Any) -> dict[str, Any]:
    return {
        "moorage:kubeconfig": kubeconfig,
        "moorage:name": name,
        "moorage:service": {"image": "registry.local/app:1.0.0", "replicas": 2, **service},
    }


def apps(kubeconfig: str) -> client.AppsV1Api:
    return client.AppsV1Api(config.new_client_from_config_dict(yaml.safe_load(kubeconfig)))


def active_replica_sets(kubeconfig: str, namespace: str) -> set[str]:
    sets = apps(kubeconfig).list_namespaced_replica_set(namespace).items
    return {rs.metadata.name for rs in sets if (rs.spec.replicas or 0) > 0}


def test_config_change_rolls_pods_to_a_new_replica_set(
    env: dict[str, str], work_dir: Path, kwok_cluster: str
) -> None:
    with engine_stack(work_dir, env, SERVICE_ONLY) as stack:
        stack.set_config(
            service_config(kwok_cluster, "cfgroll", config={"MODE": "blue"}),
            secret_keys=("moorage:kubeconfig",),
        )
        stack.up()
        before = active_replica_sets(kwok_cluster, "cfgroll")
        assert len(before) == 1

        stack.set_config(
            service_config(kwok_cluster, "cfgroll", config={"MODE": "green"}),
            secret_keys=("moorage:kubeconfig",),
        )
        stack.up()
        after = active_replica_sets(kwok_cluster, "cfgroll")
        assert len(after) == 1 and after != before, (before, after)
        config_map = client.CoreV1Api(
            config.new_client_from_config_dict(yaml.safe_load(kwok_cluster))
        ).read_namespaced_config_map("cfgroll-config", "cfgroll")
        assert config_map.data == {"MODE": "green"}


def test_image_change_keeps_ready_endpoints_throughout(
    env: dict[str, str], work_dir: Path, kwok_cluster: str
) -> None:
    with engine_stack(work_dir, env, SERVICE_ONLY) as stack:
        stack.set_config(
            service_config(kwok_cluster, "rolling"), secret_keys=("moorage:kubeconfig",)
        )
        stack.up()
        stack.set_config(
            service_config(kwok_cluster, "rolling", image="registry.local/app:1.1.0"),
            secret_keys=("moorage:kubeconfig",),
        )
        with EndpointWatcher(kwok_cluster, "rolling", "rolling") as watcher:
            stack.up()
            time.sleep(1)
        assert len(watcher.samples) > 10, watcher.errors
        assert watcher.minimum > 0, f"ready endpoints dropped to zero: {watcher.samples}"
        deployment = apps(kwok_cluster).read_namespaced_deployment("rolling", "rolling")
        assert deployment.spec.template.spec.containers[0].image == "registry.local/app:1.1.0"


def test_invalid_config_fails_before_anything_is_created(
    env: dict[str, str], work_dir: Path, kwok_cluster: str
) -> None:
    with engine_stack(work_dir, env, SERVICE_ONLY) as stack:
        stack.set_config(
            service_config(kwok_cluster, "invalid", image="registry.local/app:latest"),
            secret_keys=("moorage:kubeconfig",),
        )
        with pytest.raises(auto.CommandError) as error:
            stack.up()
        assert 'WebService "invalid": image' in str(error.value)
        assert "latest" in str(error.value)
        created = [t for t in stack.resource_types() if t.startswith("kubernetes:")]
        assert created == []


@pytest.mark.parametrize(
    "interrupt",
    [signal.SIGINT, signal.SIGKILL],
    ids=["ctrl-c", "killed"],
)
def test_interrupted_up_can_be_rerun_and_converges(
    env: dict[str, str], work_dir: Path, kwok_cluster: str, interrupt: signal.Signals
) -> None:
    name = f"interrupted-{interrupt.name.lower()}"
    with engine_stack(work_dir, env, SERVICE_ONLY) as stack:
        stack.set_config(
            service_config(kwok_cluster, name, replicas=3),
            secret_keys=("moorage:kubeconfig",),
        )
        process = subprocess.Popen(
            ["pulumi", "up", "--yes", "--stack", stack.name, "--non-interactive"],
            cwd=stack.project_dir,
            env={**os.environ, **stack.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdout is not None
        plugins: list[psutil.Process] = []
        try:
            for line in process.stdout:
                if "kubernetes:apps/v1:Deployment" in line and "creating" in line:
                    plugins = psutil.Process(process.pid).children(recursive=True)
                    process.send_signal(interrupt)
                    break
            process.communicate(timeout=120)
        finally:
            # A killed CLI leaves its language host and provider running (they have process
            # groups of their own); remove them as a supervisor would. After ctrl-c they
            # have normally exited already.
            for plugin in plugins:
                with contextlib.suppress(psutil.NoSuchProcess):
                    plugin.kill()
        assert process.returncode != 0, "the up finished before it could be interrupted"

        if interrupt == signal.SIGKILL:
            # A kill can land while the backend writes a file. State files are replaced by a
            # rename, but metadata sidecars are truncated and rewritten in place: an empty
            # one makes every later command fail with "failed to load checkpoint: EOF".
            assert sorted(stack.backend_dir.rglob("*.attrs")) == []
            # A killed CLI cannot release its lock; `pulumi cancel` is the documented way.
            cancelled = stack.pulumi("cancel", "--yes")
            assert cancelled.returncode == 0, cancelled.stderr
        result = stack.up(refresh=True)
        assert result.summary.result == "succeeded"
        deployment = apps(kwok_cluster).read_namespaced_deployment(name, name)
        assert deployment.status.ready_replicas == 3
        stack.preview(expect_no_changes=True)
