"""A Pulumi dynamic provider that drives kwokctl (or kind) to run a local cluster.

It runs in the dynamic-provider plugin process, so it only uses the CLIs found in
``tools_bin_dir`` (or on PATH) and the Kubernetes API of the cluster it made.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any

import yaml
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from .._errors import LocalClusterError
from . import _gateway_api as gateway_api
from . import _local_cli as local_cli
from . import _node_readiness as node_readiness

_REPLACE_ON = ("cluster_name", "runtime")
_UPDATE_ON = ("nodes", "zones", "gateway_api_crds")


def _env(bin_dir: str) -> dict[str, str]:
    """The environment for CLI calls: the recorded tools dir, then the current one, then PATH."""
    env = dict(os.environ)
    dirs = [d for d in (bin_dir, env.get("MOORAGE_TOOLS_BIN", "")) if d]
    env["PATH"] = os.pathsep.join([*dirs, env.get("PATH", "")])
    return env


def _run(command: Sequence[str], bin_dir: str, timeout: int = 600) -> str:
    try:
        done = subprocess.run(
            list(command),
            capture_output=True,
            text=True,
            env=_env(bin_dir),
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise LocalClusterError(
            f"{command[0]} not found (looked in {_env(bin_dir)['PATH'] or 'an empty PATH'}); "
            "put the tools' bin dir (scripts/bootstrap-tools --print-bin-dir) on PATH"
        ) from None
    except subprocess.TimeoutExpired:
        raise LocalClusterError(f"`{' '.join(command[:4])}` timed out after {timeout}s") from None
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise LocalClusterError(f"`{' '.join(command[:4])}` failed ({done.returncode}):\n{tail}")
    return done.stdout


def _existing_clusters(runtime: str, bin_dir: str) -> list[str]:
    tool = "kwokctl" if runtime == "kwok" else "kind"
    out = _run([tool, "get", "clusters"], bin_dir, timeout=60)
    return [line.strip() for line in out.splitlines() if line.strip()]


def _kubeconfig(runtime: str, name: str, bin_dir: str) -> str:
    tool = "kwokctl" if runtime == "kwok" else "kind"
    return _run([tool, "get", "kubeconfig", "--name", name], bin_dir, timeout=60)


def _endpoint(kubeconfig: str) -> str:
    doc = yaml.safe_load(kubeconfig) or {}
    clusters = doc.get("clusters") or [{}]
    return str(clusters[0].get("cluster", {}).get("server", ""))


def _core_api(kubeconfig: str) -> Any:
    from kubernetes import client, config

    api_client = config.new_client_from_config_dict(yaml.safe_load(kubeconfig))  # type: ignore[no-untyped-call]
    return client.CoreV1Api(api_client)


def _reconcile_kwok_nodes(name: str, kubeconfig: str, nodes: int, zones: Sequence[str]) -> None:
    """Make exactly ``nodes`` simulated nodes exist, spread over ``zones``, and Ready."""
    from kubernetes.client.exceptions import ApiException

    core = _core_api(kubeconfig)
    wanted = {f"{name}-node-{i}": local_cli.kwok_node(name, i, zones) for i in range(nodes)}
    existing = {
        node_name: node
        for node_name, node in node_readiness.wait_for_api_server(core, name).items()
        if node_name.startswith(f"{name}-node-")
    }
    for node_name in sorted(set(existing) - set(wanted)):
        core.delete_node(node_name)
    for node_name, manifest in wanted.items():
        if node_name in existing:
            core.patch_node(node_name, {"metadata": {"labels": manifest["metadata"]["labels"]}})
            continue
        try:
            core.create_node(manifest)
        except ApiException as error:
            if error.status != 409:
                raise
    node_readiness.wait_until_ready(core, name, set(wanted))


def _label_kind_zones(kubeconfig: str, zones: Sequence[str]) -> None:
    core = _core_api(kubeconfig)
    workers = [
        n.metadata.name
        for n in core.list_node().items
        if "node-role.kubernetes.io/control-plane" not in (n.metadata.labels or {})
    ]
    for node, zone in local_cli.kind_zone_labels(workers, zones).items():
        core.patch_node(node, {"metadata": {"labels": {"topology.kubernetes.io/zone": zone}}})


def _resolve_runtime(requested: str, bin_dir: str) -> str:
    env = _env(bin_dir)
    return local_cli.choose_runtime(
        requested,
        docker_available=local_cli.docker_engine_available(env),
        kind_installed=shutil.which("kind", path=env["PATH"]) is not None,
    )


def require_tools(requested_runtime: str, bin_dir: str) -> None:
    """Raise the one-line LocalClusterError for a tool ``up`` would need and not find.

    The program checks this before the cluster resource is registered, so a missing tool is
    that one line, not a provider error under the dynamic-provider SDK's traceback.
    """
    search_path = _env(bin_dir)["PATH"]
    runtime = _resolve_runtime(requested_runtime, bin_dir)
    local_cli.require_tools(runtime, bin_dir, search_path)


def gateway_api_crd_dir(bin_dir: str) -> str:
    """Where bootstrap-tools put the Gateway API CRDs: beside the tools' bin dir, or
    beside the directory kwokctl (or kind) is found in on PATH; "" when nowhere."""
    env = _env(bin_dir)
    found = [shutil.which(tool, path=env["PATH"]) for tool in ("kwokctl", "kind")]
    dirs = [bin_dir, env.get("MOORAGE_TOOLS_BIN", "")]
    return gateway_api.find_crd_dir([*dirs, *(os.path.dirname(f) for f in found if f)])


def load_balancer_problem(requested_runtime: str, bin_dir: str) -> str | None:
    """Why LoadBalancer Services would get no address on this machine, or None.

    kwok clusters always simulate addresses (see ``local_cli.load_balancer_stage``);
    kind clusters need cloud-provider-kind running.
    """
    if _resolve_runtime(requested_runtime, bin_dir) == "kwok":
        return None
    env = _env(bin_dir)
    return local_cli.kind_load_balancer_problem(
        provider_running=local_cli.cloud_provider_kind_running(env),
        provider_installed=shutil.which(local_cli.CLOUD_PROVIDER_KIND, path=env["PATH"])
        is not None,
    )


def _write_kwok_stages(name: str) -> str:
    """Write the LoadBalancer Stage into the kwokctl cluster's directory; return its path."""
    directory = local_cli.kwok_cluster_dir(name, os.environ)
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, local_cli.LOAD_BALANCER_STAGE_FILE)
    with open(path, "w", encoding="utf-8") as stage_file:
        json.dump(local_cli.load_balancer_stage(), stage_file, indent=2)
    return path


@contextlib.contextmanager
def _one_kwok_create_at_a_time() -> Iterator[None]:
    """Hold a machine-wide lock while kwokctl creates a cluster.

    kwokctl picks its components' ports by probing for free ones and binds them only when
    the components start, so two clusters created at the same moment (two stacks' `up`s,
    parallel tests) can pick the same ports and one of them fails to start. While one
    create holds this lock, the next one finds those ports taken.
    """
    try:
        import fcntl
    except ImportError:  # no flock (Windows): kwok clusters are created unguarded
        yield
        return
    path = os.path.join(tempfile.gettempdir(), f"moorage-kwok-create-{os.getuid()}.lock")
    with open(path, "a", encoding="utf-8") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _create_cluster(runtime: str, name: str, nodes: int, bin_dir: str) -> None:
    if runtime == "kwok":
        stage_file = _write_kwok_stages(name)
        try:
            search_path = _env(bin_dir)["PATH"]
            command = local_cli.kwok_create_command(name, bin_dir, stage_file, search_path)
            with _one_kwok_create_at_a_time():
                _run(command, bin_dir, timeout=600)
        except LocalClusterError:
            # kwokctl never got as far as writing its config: leave no directory behind.
            directory = os.path.dirname(stage_file)
            if os.listdir(directory) == [local_cli.LOAD_BALANCER_STAGE_FILE]:
                shutil.rmtree(directory)
            raise
        return
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as config_file:
        config_file.write(local_cli.kind_config(nodes))
    try:
        _run(["kind", "create", "cluster", "--name", name, "--config", config_file.name], bin_dir)
    finally:
        os.unlink(config_file.name)


_STABLE_ON_UPDATE = ("kubeconfig", "endpoint", "resolved_runtime")
"""Outputs an update never changes (only a replacement, a new cluster, does)."""


class LocalClusterProvider(ResourceProvider):
    """Create, read, update and delete a kind or kwok cluster."""

    serialize_as_secret_always = False

    def _converge(self, props: dict[str, Any], runtime: str) -> dict[str, Any]:
        name, bin_dir = props["cluster_name"], props.get("tools_bin_dir", "")
        kubeconfig = _kubeconfig(runtime, name, bin_dir)
        zones = list(props["zones"])
        if runtime == "kwok":
            _reconcile_kwok_nodes(name, kubeconfig, int(props["nodes"]), zones)
        else:
            _label_kind_zones(kubeconfig, zones)
        if props.get("gateway_api_crds"):
            gateway_api.install(kubeconfig, str(props["gateway_api_crds"]))
        return {
            **props,
            "resolved_runtime": runtime,
            "kubeconfig": kubeconfig,
            "endpoint": _endpoint(kubeconfig),
        }

    def create(self, props: dict[str, Any]) -> CreateResult:
        name, bin_dir = props["cluster_name"], props.get("tools_bin_dir", "")
        runtime = _resolve_runtime(props["runtime"], bin_dir)
        # An existing cluster of this name is adopted, not duplicated: a re-run
        # after an interrupted `up` converges on the cluster it already started.
        created_now = name not in _existing_clusters(runtime, bin_dir)
        if created_now:
            _create_cluster(runtime, name, int(props["nodes"]), bin_dir)
        try:
            return CreateResult(f"{runtime}/{name}", self._converge(props, runtime))
        except Exception:
            # A failed create is not recorded in the state, so nothing would ever
            # delete this cluster: remove what this call started before failing.
            if created_now:
                self.delete(f"{runtime}/{name}", props)
            raise

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        runtime, _, name = id_.partition("/")
        bin_dir = props.get("tools_bin_dir", "")
        if name not in _existing_clusters(runtime, bin_dir):
            return ReadResult("", {})
        kubeconfig = _kubeconfig(runtime, name, bin_dir)
        return ReadResult(
            id_, {**props, "kubeconfig": kubeconfig, "endpoint": _endpoint(kubeconfig)}
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [key for key in _REPLACE_ON if olds.get(key) != news.get(key)]
        changed = replaces + [key for key in _UPDATE_ON if olds.get(key) != news.get(key)]
        if "gateway_api_crds" not in olds and "gateway_api_crds" in changed:
            # A cluster made before Moorage installed the CRDs is not updated for them:
            # the preview of that update shows the Kubernetes provider, and so every
            # object on it, as replaced. New clusters (and `make destroy && make up`) get
            # them; docs/clusters.md says how to add them to an existing one.
            changed.remove("gateway_api_crds")
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            # An update (more nodes, the Gateway API CRDs) keeps the cluster, so its
            # kubeconfig stays known in a preview: the Kubernetes provider built from it,
            # and every object on that provider, is not planned for replacement.
            stables=[] if replaces else list(_STABLE_ON_UPDATE),
            delete_before_replace=bool(replaces),
        )

    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        runtime = id_.partition("/")[0]
        return UpdateResult(self._converge(news, runtime))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        runtime, _, name = id_.partition("/")
        bin_dir = props.get("tools_bin_dir", "")
        if name not in _existing_clusters(runtime, bin_dir):
            return
        tool = "kwokctl" if runtime == "kwok" else "kind"
        _run([tool, "delete", "cluster", "--name", name], bin_dir, timeout=300)
