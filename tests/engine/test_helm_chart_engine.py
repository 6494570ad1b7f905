"""HelmChart through the real engine on kwok: a local chart is installed, upgraded and
removed; its CRD is applied server-side; a chart with a Helm hook shows the hook's effect.

The charts are written by the test: nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from .harness import PROGRAMS, engine_stack

pytestmark = pytest.mark.engine

HELM_CHARTS = PROGRAMS / "helm_charts"
CRD_NAME = "widgets.demo.moorage.dev"


def write_chart(directory: Path, name: str, version: str, templates: dict[str, Any]) -> Path:
    """A chart directory: Chart.yaml, values.yaml and ``templates`` (file -> object)."""
    chart = directory / f"{name}-{version}"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        yaml.safe_dump(
            {"apiVersion": "v2", "name": name, "version": version, "type": "application"}
        )
    )
    (chart / "values.yaml").write_text(yaml.safe_dump({"greeting": "hello"}))
    for file, document in templates.items():
        (chart / "templates" / file).write_text(yaml.safe_dump(document, sort_keys=False))
    return chart


def config_map(
    name: str, data: dict[str, str], annotations: dict[str, str] | None = None
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data}


def widget_crd() -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": CRD_NAME},
        "spec": {
            "group": "demo.moorage.dev",
            "names": {"kind": "Widget", "plural": "widgets", "singular": "widget"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                        }
                    },
                }
            ],
        },
    }


def demo_chart(directory: Path, version: str) -> Path:
    chart = write_chart(
        directory,
        "demo",
        version,
        {
            "settings.yaml": config_map(
                "demo-settings",
                {"version": "{{ .Chart.Version }}", "greeting": "{{ .Values.greeting }}"},
            )
        },
    )
    (chart / "crds").mkdir()
    (chart / "crds" / "widgets.yaml").write_text(yaml.safe_dump(widget_crd()))
    return chart


def hooked_chart(directory: Path) -> Path:
    return write_chart(
        directory,
        "hooked",
        "1.0.0",
        {
            "settings.yaml": config_map("hooked-settings", {"ready": "true"}),
            "hook.yaml": config_map(
                "hooked-post-install",
                {"ran": "post-install"},
                {
                    "helm.sh/hook": "post-install",
                    "helm.sh/hook-delete-policy": "before-hook-creation",
                },
            ),
        },
    )


def apis(kubeconfig: str) -> tuple[client.CoreV1Api, client.ApiextensionsV1Api]:
    api = config.new_client_from_config_dict(yaml.safe_load(kubeconfig))
    return client.CoreV1Api(api), client.ApiextensionsV1Api(api)


def gone(read: Any, *args: str) -> bool:
    try:
        read(*args)
    except ApiException as error:
        return error.status == 404
    return False


def set_charts(stack: Any, kubeconfig: str, charts: dict[str, Any]) -> None:
    stack.set_config(
        {"moorage:kubeconfig": kubeconfig, "moorage:charts": charts},
        secret_keys=("moorage:kubeconfig",),
    )


def test_a_local_chart_is_installed_upgraded_and_removed(
    env: dict[str, str], work_dir: Path, kwok_cluster: str
) -> None:
    core, crds = apis(kwok_cluster)
    charts = work_dir / "charts"
    chart = {"chart": "demo", "namespace": "demo", "values": {"greeting": "ahoy"}}
    with engine_stack(work_dir / "helm", env, HELM_CHARTS) as stack:
        set_charts(
            stack,
            kwok_cluster,
            {"demo": {**chart, "version": "0.1.0", "path": str(demo_chart(charts, "0.1.0"))}},
        )
        stack.up()
        settings = core.read_namespaced_config_map("demo-settings", "demo")
        assert settings.data == {"version": "0.1.0", "greeting": "ahoy"}
        crd = crds.read_custom_resource_definition(CRD_NAME)
        assert any(
            f.operation == "Apply" and "pulumi" in f.manager for f in crd.metadata.managed_fields
        ), [(f.manager, f.operation) for f in crd.metadata.managed_fields]
        stack.preview(expect_no_changes=True)

        set_charts(
            stack,
            kwok_cluster,
            {"demo": {**chart, "version": "0.2.0", "path": str(demo_chart(charts, "0.2.0"))}},
        )
        stack.up()
        assert core.read_namespaced_config_map("demo-settings", "demo").data["version"] == "0.2.0"

        set_charts(stack, kwok_cluster, {})
        stack.up()
        assert gone(core.read_namespaced_config_map, "demo-settings", "demo")
        assert gone(crds.read_custom_resource_definition, CRD_NAME)
        assert gone(core.read_namespace, "demo")
        assert "moorage:index:HelmChart" not in stack.resource_types()


def test_a_chart_with_a_hook_runs_it_as_a_release(
    env: dict[str, str], work_dir: Path, kwok_cluster: str
) -> None:
    core, _ = apis(kwok_cluster)
    chart = {
        "chart": "hooked",
        "version": "1.0.0",
        "path": str(hooked_chart(work_dir / "hook-charts")),
        "namespace": "hooked",
        "run_hooks": True,
    }
    with engine_stack(work_dir / "hooks", env, HELM_CHARTS) as stack:
        set_charts(stack, kwok_cluster, {"hooked": chart})
        stack.up()
        assert core.read_namespaced_config_map("hooked-settings", "hooked").data == {
            "ready": "true"
        }
        hook = core.read_namespaced_config_map("hooked-post-install", "hooked")
        assert hook.data == {"ran": "post-install"}
        assert "kubernetes:helm.sh/v3:Release" in stack.resource_types()
