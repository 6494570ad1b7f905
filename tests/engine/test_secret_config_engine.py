"""Stack config set with `pulumi config set --secret --path` stays secret with the real engine.

The Moorage program runs on the shared kwok cluster (its LocalCluster adopts it by name).
Secure values sit at several paths: a service's env and container args, a sidecar's env
and a namespace annotation (every field of a local cluster must be a plain value, so
the cluster key holds none). After `up` the values reach the cluster, and neither
`pulumi stack export`, the state files nor the manifests `scripts/render` writes from
the same stack file hold one in plain text.
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from .harness import ROOT, engine_stack, render_stack, unique_stack_name

pytestmark = pytest.mark.engine

IMAGE = "registry.local/app:1.0.0"


def secure_values(namespace: str) -> dict[str, str]:
    """Config path -> the secret value set there."""
    return {
        "moorage:services.web.env.API_KEY": "s3cr3t-env-Zq9-do-not-leak",
        "moorage:services.web.container_args[1]": "s3cr3t-arg-Zq9-do-not-leak",
        "moorage:services.web.sidecars[0].env.PROXY_TOKEN": "s3cr3t-sidecar-Zq9-do-not-leak",
        f'moorage:namespaces.{namespace}.annotations["example.com/token"]': (
            "s3cr3t-annotation-Zq9-do-not-leak"
        ),
    }


def plain_config(kubeconfig: str, namespace: str) -> dict[str, Any]:
    """The stack's plain config; the secure values are set on top of it, path by path."""
    (cluster,) = yaml.safe_load(kubeconfig)["clusters"]
    return {
        "pulumi:disable-default-providers": ["kubernetes"],
        "moorage:cloud": "local",
        "moorage:cluster": {
            # The shared cluster, adopted by name (nodes and zones as it has them).
            "runtime": "kwok",
            "cluster_name": str(cluster["name"]).removeprefix("kwok-"),
            "nodes": 3,
            "zones": ["zone-a", "zone-b", "zone-c"],
        },
        "moorage:namespaces": {namespace: {"annotations": {"example.com/owner": "shop"}}},
        "moorage:services": {
            "web": {
                "image": IMAGE,
                "namespace": namespace,
                "replicas": 1,
                "env": {"API_KEY": "set-below", "LOG_FORMAT": "json"},
                "container_args": ["--token", "set-below"],
                "sidecars": [{"name": "proxy", "image": IMAGE, "env": {"PROXY_TOKEN": "x"}}],
            }
        },
    }


def test_secure_values_at_any_path_stay_secret_in_state_and_rendered_manifests(
    env: dict[str, str], work_dir: Path, kwok_cluster: str, tmp_path: Path
) -> None:
    namespace = f"seccfg-{uuid.uuid4().hex[:6]}"
    secrets = secure_values(namespace)
    # The program inside the project, as in this repository (infra/ beside Pulumi.yaml):
    # it finds the stack file from its working directory.
    name = unique_stack_name("seccfg")
    program = work_dir / "seccfg" / name / "infra"
    program.mkdir(parents=True)
    shutil.copy(ROOT / "infra" / "__main__.py", program / "__main__.py")
    with engine_stack(work_dir / "seccfg", env, program, name=name) as stack:
        # The plain config as a user writes it (mappings, not JSON strings), then each
        # secret value set on top of it, path by path.
        stack_file = stack.project_dir / "stacks" / f"Pulumi.{stack.name}.yaml"
        document = yaml.safe_load(stack_file.read_text()) if stack_file.exists() else {}
        document["config"] = plain_config(kwok_cluster, namespace)
        stack_file.write_text(yaml.safe_dump(document))
        for path, value in secrets.items():
            done = stack.pulumi("config", "set", "--secret", "--path", path, value)
            assert done.returncode == 0, done.stderr
        try:
            up = stack.up()
            assert up.summary.result == "succeeded"

            # The values reached the cluster, where they were set.
            api = config.new_client_from_config_dict(yaml.safe_load(kwok_cluster))
            pod = client.AppsV1Api(api).read_namespaced_deployment("web", namespace).spec.template
            main = pod.spec.containers[0]
            env_values = {e.name: e.value for e in main.env}
            assert env_values["API_KEY"] == secrets["moorage:services.web.env.API_KEY"]
            assert env_values["LOG_FORMAT"] == "json"
            assert main.args[1] == secrets["moorage:services.web.container_args[1]"]
            (proxy,) = [c for c in pod.spec.init_containers if c.name == "proxy"]
            assert {e.name: e.value for e in proxy.env}["PROXY_TOKEN"].startswith("s3cr3t-side")
            annotations = client.CoreV1Api(api).read_namespace(namespace).metadata.annotations
            assert annotations["example.com/token"].startswith("s3cr3t-annotation")

            # ... and nowhere in plain text: not in the export, not in any state file.
            exported, at_rest = stack.exported_state(), stack.state_files()
            for value in secrets.values():
                assert value not in exported
                assert value not in at_rest
            assert "s3cr3t" not in stack_file.read_text()

            # The manifests render from the same stack file, with placeholders.
            out = tmp_path / "rendered"
            rendered = render_stack(stack_file, out, {**env, "HOME": str(tmp_path)})
            assert rendered.returncode == 0, rendered.stderr[-3000:]
            manifests = "\n".join(p.read_text() for p in sorted(out.rglob("*.yaml")))
            assert "kind: Deployment" in manifests
            assert "redacted-by-moorage-render" in manifests
            for value in secrets.values():
                assert value not in manifests
        finally:
            # Leave the shared cluster standing: forget everything (the cluster included)
            # before the harness destroys the stack, then remove what the stack made.
            stack.pulumi("state", "delete", "--all", "--force", "--yes")
            core = client.CoreV1Api(
                config.new_client_from_config_dict(yaml.safe_load(kwok_cluster))
            )
            with contextlib.suppress(ApiException):
                core.delete_namespace(namespace)
