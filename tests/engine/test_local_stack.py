"""The main job end to end: the real program, engine and provider on a kwok cluster it creates."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client, config
from pulumi import automation as auto

from .harness import ROOT, EndpointWatcher, engine_stack

SECRET_VALUE = "s3cr3t-Zq9-do-not-leak"

LOCAL_CONFIG = {
    "pulumi:disable-default-providers": ["kubernetes"],
    "moorage:cloud": "local",
    "moorage:cluster": {"runtime": "kwok", "nodes": 3},
    "moorage:serviceName": "hello",
    "moorage:service": {
        "image": "nginxinc/nginx-unprivileged:1.27.3-alpine",
        "replicas": 2,
        "config": {"LOG_LEVEL": "info"},
    },
    "moorage:serviceSecrets": {"API_TOKEN": SECRET_VALUE},
}


def pinned_gateway_api() -> str:
    for line in (ROOT / "tools" / "versions.env").read_text().splitlines():
        if line.startswith("GATEWAY_API_VERSION="):
            return line.partition("=")[2].strip()
    raise AssertionError("tools/versions.env has no GATEWAY_API_VERSION")


def kwok_clusters(env: dict[str, str]) -> list[str]:
    out = subprocess.run(
        ["kwokctl", "get", "clusters"], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.split()


def processes_mentioning(name: str) -> list[str]:
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True)
    return [line for line in out.stdout.splitlines() if f"/clusters/{name}/" in line]


def test_up_preview_destroy_of_the_local_stack(env: dict[str, str], work_dir: Path) -> None:
    with engine_stack(work_dir, env, ROOT / "infra") as stack:
        stack.set_config(LOCAL_CONFIG, secret_keys=("moorage:serviceSecrets",))

        started = time.monotonic()
        up = stack.up()
        up_seconds = time.monotonic() - started
        assert up.summary.result == "succeeded"

        outputs = stack.outputs()
        assert outputs["url"] == "http://hello.hello.svc.cluster.local:80"
        assert outputs["namespace"] == "hello"
        assert outputs["cluster_name"] == stack.name
        assert stack.name in kwok_clusters(env)

        api = config.new_client_from_config_dict(yaml.safe_load(outputs["kubeconfig"]))
        deployment = client.AppsV1Api(api).read_namespaced_deployment("hello", "hello")
        conditions = {c.type: c.status for c in deployment.status.conditions}
        assert conditions.get("Available") == "True"
        assert deployment.status.ready_replicas == 2
        watcher = EndpointWatcher(outputs["kubeconfig"], "hello", "hello")
        assert watcher.ready_endpoints() == 2
        nodes = client.CoreV1Api(api).list_node().items
        assert {n.metadata.labels["topology.kubernetes.io/zone"] for n in nodes} == {
            "zone-a",
            "zone-b",
            "zone-c",
        }

        # The cluster has the pinned Gateway API CRDs, so routes apply (docs/clusters.md).
        crd = client.ApiextensionsV1Api(api).read_custom_resource_definition(
            "httproutes.gateway.networking.k8s.io"
        )
        assert crd.metadata.annotations["gateway.networking.k8s.io/bundle-version"] == (
            "v" + pinned_gateway_api()
        )
        assert crd.metadata.annotations["gateway.networking.k8s.io/channel"] == "standard"

        # A second preview of the same config proposes nothing.
        stack.preview(expect_no_changes=True)

        # The secret went in as a secret: no plaintext in state, ConfigMaps or env values.
        exported = stack.exported_state()
        assert SECRET_VALUE not in exported
        assert "ciphertext" in exported
        assert SECRET_VALUE not in stack.state_files()
        assert not any(SECRET_VALUE in line for line in stack.log)
        config_maps = client.CoreV1Api(api).list_namespaced_config_map("hello").items
        assert all(SECRET_VALUE not in str(cm.data) for cm in config_maps)
        container = deployment.spec.template.spec.containers[0]
        assert all((e.value or "") != SECRET_VALUE for e in container.env or [])

        started = time.monotonic()
        destroy = stack.stack.destroy(color="never", on_output=stack.log.append)
        destroy_seconds = time.monotonic() - started
        assert destroy.summary.result == "succeeded"
        assert stack.resource_types() == []
        assert stack.name not in kwok_clusters(env)
        assert processes_mentioning(stack.name) == []
        assert not (Path(env["KWOK_WORKDIR"]) / "clusters" / stack.name).exists()
        print(f"\n[timing] local stack up {up_seconds:.1f}s, destroy {destroy_seconds:.1f}s")


SHORTHAND_BEFORE_SUGAR = "da6647c"
"""The last commit whose program deployed the one-service shorthand as a root WebService."""


OLD_NODE_WAIT_GAVE_UP = "not Ready after 180s"
"""How the program of :data:`SHORTHAND_BEFORE_SUGAR` gives up on its simulated nodes: its
wait was a fixed 180 s, since made to scale with the machine's load. That code is history
and cannot be mended, so when the machine is busy enough to outlast it, the test re-runs
the ``up`` once, as a user would: a failed create removes the cluster it started, and the
re-run starts over."""


def _up_with_the_old_program(stack: Any) -> auto.UpResult:
    try:
        return stack.up()
    except auto.CommandError as error:
        if OLD_NODE_WAIT_GAVE_UP not in str(error):
            raise
        return stack.up()


def program_at(commit: str, directory: Path) -> Path:
    """``components/`` of ``commit`` importable as ``moorage`` (for PYTHONPATH)."""
    directory.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "components"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(directory)], input=archive, check=True)
    (directory / "moorage").symlink_to(directory / "components", target_is_directory=True)
    return directory


def test_a_shorthand_stack_upgrades_with_nothing_replaced(
    env: dict[str, str], work_dir: Path
) -> None:
    """`up` with the program from before the shorthand became sugar, then preview now."""
    old = program_at(SHORTHAND_BEFORE_SUGAR, work_dir / "before-sugar")
    with engine_stack(work_dir, env, ROOT / "infra") as stack:
        stack.set_config(LOCAL_CONFIG, secret_keys=("moorage:serviceSecrets",))
        workspace_env = stack.stack.workspace.env_vars
        workspace_env["PYTHONPATH"] = str(old)
        assert _up_with_the_old_program(stack).summary.result == "succeeded"
        del workspace_env["PYTHONPATH"]

        steps: list[tuple[str, str]] = []

        def record(event: Any) -> None:
            pre = event.resource_pre_event
            if pre is not None:
                steps.append((pre.metadata.op.value, pre.metadata.type))

        preview = stack.preview(diff=True, on_event=record)
        changes = preview.change_summary
        assert not {"replace", "create-replacement", "delete-replaced"} & {
            op for op, count in changes.items() if count
        }, (changes, sorted({step for step in steps if step[0] not in ("same", "create")}))
        # The one thing deleted: the retired secrets-checksum key (state only, no object).
        deleted = {kind for op, kind in steps if op == "delete"}
        assert deleted <= {"pulumi-python:dynamic/moorage:ChecksumKey"}, deleted
        # Every object the old program made is kept (same, or updated in place: newer
        # defaults such as the version label only on the workload); the one thing created
        # is the Application component the shorthand now goes through (no cloud object).
        kept = changes.get("same", 0) + changes.get("update", 0)
        assert kept > 10, changes
        created = {kind for op, kind in steps if op == "create"}
        assert created <= {"moorage:index:Application"}, created
        assert stack.up().summary.result == "succeeded"
        assert stack.outputs()["url"] == "http://hello.hello.svc.cluster.local:80"
