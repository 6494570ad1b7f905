"""A Pulumi YAML program uses Moorage through its component package, on the shared kwok cluster.

Nothing in the YAML programs is Python: they reach WebService only through the ``moorage``
plugin (``provider/``) and the schema it serves, as any other language would.
"""

from __future__ import annotations

import base64
import contextlib
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, config
from pulumi import automation as auto

from .harness import PROGRAMS, ROOT, EndpointWatcher, EngineStack, unique_stack_name

PLUGIN_DIR = ROOT / "provider"
DB_PASSWORD = "yaml-db-pass-5f1e9c"
"""The ``fn::secret`` literal of programs/yaml_webservice."""


@pytest.fixture(scope="module")
def yaml_host(bin_dir: Path) -> Path:
    host = bin_dir / "pulumi-language-yaml"
    if not host.exists():
        pytest.skip(
            f"pulumi-language-yaml is not in {bin_dir}: scripts/bootstrap-tools did not build "
            "its yaml tool (PULUMI_YAML_VERSION in tools/versions.env)"
        )
    return host


@contextlib.contextmanager
def yaml_stack(
    work_dir: Path,
    env: dict[str, str],
    program: str,
    values: dict[str, Any],
    plugin_dir: Path = PLUGIN_DIR,
) -> Iterator[EngineStack]:
    """A stack of a copy of ``programs/<program>`` that loads the moorage plugin from
    ``plugin_dir`` (provider/ unless told)."""
    name = unique_stack_name("y")
    project_dir = work_dir / name
    project_dir.mkdir(parents=True)
    project = yaml.safe_load((PROGRAMS / program / "Pulumi.yaml").read_text())
    project["plugins"] = {"providers": [{"name": "moorage", "path": str(plugin_dir)}]}
    (project_dir / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    workspace = auto.LocalWorkspace(
        work_dir=str(project_dir),
        env_vars=env,
        pulumi_command=auto.PulumiCommand(root=str(Path(env["MOORAGE_TOOLS_BIN"]).parent)),
    )
    stack = auto.Stack.create(name, workspace)
    engine = EngineStack(stack=stack, env=env, project_dir=project_dir)
    engine.set_config(values, secret_keys=("kubeconfig",))
    try:
        yield engine
    finally:
        try:
            stack.destroy(color="never", on_output=engine.log.append)
        finally:
            workspace.remove_stack(name)
            shutil.rmtree(project_dir, ignore_errors=True)


def api_client(kubeconfig: str) -> client.ApiClient:
    return config.new_client_from_config_dict(yaml.safe_load(kubeconfig))


def eventually(check: Callable[[], bool], seconds: float = 30) -> bool:
    """Whether ``check`` passes within ``seconds`` (EndpointSlices trail pod readiness)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def is_available(kubeconfig: str, namespace: str, name: str) -> bool:
    deployment = client.AppsV1Api(api_client(kubeconfig)).read_namespaced_deployment(
        name, namespace
    )
    conditions = deployment.status.conditions or []
    return any(c.type == "Available" and c.status == "True" for c in conditions)


def test_yaml_program_runs_a_web_service_through_the_package(
    env: dict[str, str], work_dir: Path, kwok_cluster: str, yaml_host: Path
) -> None:
    values = {"kubeconfig": kwok_cluster, "name": "yamlweb"}
    with yaml_stack(work_dir, env, "yaml_webservice", values) as stack:
        up = stack.up()
        assert up.summary.result == "succeeded"
        outputs = stack.outputs()
        assert outputs["url"] == "http://api.yamlweb.svc.cluster.local:80"
        assert is_available(kwok_cluster, "yamlweb", outputs["deploymentName"])
        watcher = EndpointWatcher(kwok_cluster, "yamlweb", outputs["serviceName"])
        assert eventually(lambda: watcher.ready_endpoints() >= 2), "no 2 ready endpoints"

        types = stack.resource_types()
        assert "moorage:index:WebService" in types
        assert "kubernetes:autoscaling/v2:HorizontalPodAutoscaler" in types

        # fn::secret from YAML stays a secret: never in plain text at rest or in the export.
        assert DB_PASSWORD not in stack.state_files()
        assert DB_PASSWORD not in stack.exported_state()
        secret = client.CoreV1Api(api_client(kwok_cluster)).read_namespaced_secret(
            "api-secrets", "yamlweb"
        )
        assert base64.b64decode(secret.data["DB_PASSWORD"]).decode() == DB_PASSWORD

        quiet = stack.preview(expect_no_changes=True)
        assert set(quiet.change_summary) <= {"same"}, quiet.change_summary

        stack.set_config({"logLevel": "debug"})
        stack.up()
        config_map = client.CoreV1Api(api_client(kwok_cluster)).read_namespaced_config_map(
            "api-config", "yamlweb"
        )
        assert config_map.data == {"LOG_LEVEL": "debug"}
        assert is_available(kwok_cluster, "yamlweb", outputs["deploymentName"])

        destroyed = stack.stack.destroy(color="never", on_output=stack.log.append)
        assert destroyed.summary.result == "succeeded"
        assert stack.resource_types() == []


def core_only_plugin_dir(directory: Path) -> Path:
    """A copy of provider/ whose ``venv`` has Moorage's core only (no pulumi-aws, no pulumi-gcp).

    Built as provider/requirements.txt asks (the checkout, no extra), offline: the lock pins
    what the requirements resolve to and uv takes them from its cache.
    """
    plugin_dir = directory / "provider"
    shutil.copytree(PLUGIN_DIR, plugin_dir, ignore=shutil.ignore_patterns("venv"))
    uv = subprocess.run(
        [str(ROOT / "tools" / "setup-venv"), "--print-uv"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    venv = plugin_dir / "venv"
    subprocess.run([uv, "venv", "--quiet", "--python", "python3", str(venv)], check=True)
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--offline",
            "--python",
            str(venv / "bin" / "python"),
            str(ROOT),
            "-c",
            str(ROOT / "requirements.lock"),
        ],
        check=True,
    )
    return plugin_dir


def test_a_core_only_package_serves_a_yaml_program_with_only_the_kubernetes_plugin(
    env: dict[str, str], work_dir: Path, kwok_cluster: str, yaml_host: Path, tmp_path: Path
) -> None:
    plugin_dir = core_only_plugin_dir(tmp_path)
    sdks = subprocess.run(
        [
            str(plugin_dir / "venv" / "bin" / "python"),
            "-c",
            "import importlib.util as u; "
            "print(u.find_spec('pulumi_aws'), u.find_spec('pulumi_gcp'))",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    assert sdks.stdout.split() == ["None", "None"], sdks.stdout
    home = tmp_path / "pulumi-home"
    offline = {
        **env,
        "PULUMI_HOME": str(home),
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    }
    bin_dir = Path(env["MOORAGE_TOOLS_BIN"])
    assert not list(bin_dir.glob("pulumi-resource-aws*")) and not list(
        bin_dir.glob("pulumi-resource-gcp*")
    )
    values = {"kubeconfig": kwok_cluster, "name": "yamlcore"}
    with yaml_stack(work_dir, offline, "yaml_webservice", values, plugin_dir) as stack:
        up = stack.up()
        assert up.summary.result == "succeeded"
        assert "moorage:index:WebService" in stack.resource_types()
        assert stack.outputs()["url"] == "http://api.yamlcore.svc.cluster.local:80"
        cached = (
            [p.name for p in (home / "plugins").glob("*")] if (home / "plugins").exists() else []
        )
        assert not [p for p in cached if "aws" in p or "gcp" in p], cached


def test_bad_args_from_yaml_get_the_validation_message(
    env: dict[str, str], work_dir: Path, kwok_cluster: str, yaml_host: Path
) -> None:
    with yaml_stack(work_dir, env, "yaml_bad_args", {"kubeconfig": kwok_cluster}) as stack:
        with pytest.raises(auto.CommandError) as error:
            stack.preview()
        message = str(error.value)
        assert 'WebService "api": replicas (3) cannot be set together with autoscaling' in message
        assert "Traceback" not in message and 'File "' not in message, message


def test_blue_green_switch_from_yaml(
    env: dict[str, str], work_dir: Path, kwok_cluster: str, yaml_host: Path
) -> None:
    """The release state is written and read inside the plugin process."""
    name = "yamlbg"
    core = client.CoreV1Api(api_client(kwok_cluster))
    values = {"kubeconfig": kwok_cluster, "name": name, "image": "registry.local/app:1.0.0"}
    with yaml_stack(work_dir, env, "yaml_blue_green", values) as stack:
        stack.up()
        assert stack.outputs()["liveColor"] == "blue"
        assert (
            core.read_namespaced_service("api", name).spec.selector["moorage.dev/color"] == "blue"
        )

        stack.set_config({"image": "registry.local/app:1.1.0"})
        with EndpointWatcher(kwok_cluster, name, "api") as watcher:
            stack.up()
        assert watcher.samples and watcher.minimum > 0, watcher.samples
        assert stack.outputs()["liveColor"] == "green"
        selector = core.read_namespaced_service("api", name).spec.selector
        assert selector["moorage.dev/color"] == "green"
        green = client.AppsV1Api(api_client(kwok_cluster)).read_namespaced_deployment(
            "api-green", name
        )
        assert green.spec.template.spec.containers[0].image == "registry.local/app:1.1.0"

        quiet = stack.preview(expect_no_changes=True)
        assert set(quiet.change_summary) <= {"same"}, quiet.change_summary


def test_yaml_program_deploys_an_application_with_a_reference(
    env: dict[str, str], work_dir: Path, kwok_cluster: str, yaml_host: Path
) -> None:
    """Two services through the package; web gets api's URL from the reference."""
    values = {"kubeconfig": kwok_cluster, "namespace": "yamlapp"}
    with yaml_stack(work_dir, env, "yaml_application", values) as stack:
        assert stack.up().summary.result == "succeeded"
        assert stack.outputs()["urls"] == {
            "api": "http://api.yamlapp.svc.cluster.local:80",
            "web": "http://web.yamlapp.svc.cluster.local:80",
        }
        assert "moorage:index:Application" in stack.resource_types()
        web = client.AppsV1Api(api_client(kwok_cluster)).read_namespaced_deployment(
            "web", "yamlapp"
        )
        env_values = {e.name: e.value for e in web.spec.template.spec.containers[0].env or []}
        assert env_values["API_URL"] == "http://api.yamlapp.svc.cluster.local:80"
        assert is_available(kwok_cluster, "yamlapp", "api")
        quiet = stack.preview(expect_no_changes=True)
        assert set(quiet.change_summary) <= {"same"}, quiet.change_summary
