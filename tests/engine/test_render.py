"""Rendered manifests: `make render` with the real engine and provider, no cluster.

Every file is validated against the Kubernetes OpenAPI schema of the pinned version
(tools/versions.env) with kubernetes-validate in strict mode (unknown fields fail).
"""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

from .harness import ROOT, engine_stack, render_stack

SECRET_VALUE = "s3cr3t-render-Zq9-do-not-leak"


def kubernetes_version() -> str:
    for line in (ROOT / "tools" / "versions.env").read_text().splitlines():
        if line.startswith("KUBERNETES_VERSION="):
            return line.split("=", 1)[1].strip()
    raise AssertionError("tools/versions.env has no KUBERNETES_VERSION")


def load(directory: Path) -> dict[Path, list[dict[str, Any]]]:
    return {
        path: list(yaml.safe_load_all(path.read_text()))
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def assert_valid(documents: dict[Path, list[dict[str, Any]]]) -> None:
    version = kubernetes_version()
    for path, objects in documents.items():
        assert path.suffix == ".yaml", path
        assert len(objects) == 1, f"{path.name}: one object per file"
        if objects[0]["apiVersion"].startswith("monitoring.coreos.com/"):
            continue  # a custom resource: its schema is the CRD's, not in kubernetes-validate
        kubernetes_validate.validate(objects[0], version, strict=True)


def test_make_render_of_the_local_stack_writes_valid_manifests(
    env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "rendered"
    (out / "stale.yaml").parent.mkdir()
    (out / "stale.yaml").write_text("kind: Leftover\n")
    result = render_stack("local", out, env)
    assert result.returncode == 0, result.stderr
    assert "valid against the Kubernetes 1.36 OpenAPI schema" in result.stderr

    assert "custom resources (monitoring.coreos.com) not schema-validated" in result.stderr

    documents = load(out)
    assert {p.parent.name for p in documents} == {"0-crd", "1-manifest"}, list(documents)
    assert_valid(documents)
    objects = [objs[0] for objs in documents.values()]
    kinds = {o["kind"] for o in objects}
    assert kinds >= {
        "Namespace",
        "ServiceAccount",
        "ConfigMap",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "PersistentVolumeClaim",
        "PersistentVolume",
        "StorageClass",
        "CustomResourceDefinition",
        "ServiceMonitor",
        "PrometheusRule",
    }
    stack_config = yaml.safe_load((ROOT / "stacks" / "Pulumi.local.yaml").read_text())["config"]
    services = stack_config["moorage:services"]
    deployments = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Deployment"}
    assert set(deployments) == set(services)
    for name, deployment in deployments.items():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["image"] == services[name]["image"]
        assert deployment["metadata"]["namespace"] == services[name]["namespace"]
    namespaces = sorted(o["metadata"]["name"] for o in objects if o["kind"] == "Namespace")
    assert namespaces == sorted(stack_config["moorage:namespaces"])
    web_env = {
        e["name"]: e.get("value")
        for e in deployments["web"]["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert web_env["CATALOG_URL"] == "http://catalog.shop.svc.cluster.local:80"
    assert not subprocess.run(  # the render never touched the stack's config
        ["git", "status", "--porcelain", "stacks/"], cwd=ROOT, capture_output=True, text=True
    ).stdout


def test_render_mode_of_the_program_keeps_secrets_out_of_the_files(
    env: dict[str, str], work_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "rendered"
    render_env = {**env, "MOORAGE_RENDER_DIR": str(out)}
    with engine_stack(work_dir, render_env, ROOT / "infra") as stack:
        stack.set_config(
            {
                "pulumi:disable-default-providers": ["kubernetes"],
                "moorage:cloud": "eks",  # no cluster and no AWS call in render mode
                "moorage:cluster": {
                    "region": "us-west-2",
                    "cluster_name": "render-test",
                    "admin_principal_arns": ["arn:aws:iam::123456789012:role/deploy"],
                },
                "moorage:serviceName": "api",
                "moorage:service": {
                    "image": "ghcr.io/acme/api:1.4.2",
                    "load_balancer_source_ranges": ["203.0.113.0/24"],
                    "autoscaling": {"min_replicas": 2, "max_replicas": 4},
                },
                "moorage:serviceSecrets": {"API_TOKEN": SECRET_VALUE},
                "moorage:serviceIdentity": "arn:aws:iam::123456789012:role/api",
            },
            secret_keys=("moorage:serviceSecrets",),
        )
        up = stack.up()
        assert up.summary.result == "succeeded"
        assert not any(t.startswith("aws:") for t in stack.resource_types())
        documents = load(out)  # read before the stack is destroyed: that removes the files

    assert_valid(documents)
    text = "\n".join("\n".join(yaml.safe_dump(o) for o in objs) for objs in documents.values())
    assert SECRET_VALUE not in text
    by_kind = {objs[0]["kind"]: objs[0] for objs in documents.values()}
    assert base64.b64encode(SECRET_VALUE.encode()).decode() not in text
    data = {k: base64.b64decode(v).decode() for k, v in by_kind["Secret"]["data"].items()}
    assert data == {"API_TOKEN": "redacted-by-moorage-render"}
    assert by_kind["Service"]["spec"]["type"] == "LoadBalancer"
    assert by_kind["ServiceAccount"]["metadata"]["annotations"] == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/api"
    }
    assert "HorizontalPodAutoscaler" in by_kind
