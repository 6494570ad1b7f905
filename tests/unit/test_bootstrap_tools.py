"""scripts/bootstrap-tools reuses installed tools within range and builds only the rest.

Every test runs the real script against a temporary cache, a temporary Pulumi home and a
PATH of fake tools: small scripts that report a chosen version and otherwise hand over to
the real binary (from MOORAGE_TOOLS_BIN when set). Nothing is built: a test either asks
for ``--plan`` or only for tools it reuses. scripts/network-mode is tested the same way.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = ROOT / "scripts" / "bootstrap-tools"
NETWORK_MODE = ROOT / "scripts" / "network-mode"

# What each fake prints for its version flag, as the real tools do.
VERSION_LINES = {
    "pulumi": "v{v}",
    "kube-apiserver": "Kubernetes v{v}",
    "kube-controller-manager": "Kubernetes v{v}",
    "kube-scheduler": "Kubernetes v{v}",
    "etcd": "etcd Version: {v}\nGit SHA: 0000000\nGo Version: go1.26.8",
    "kwok": "kwok version v{v} go1.26.8 (linux/amd64)",
    "kwokctl": "kwokctl version v{v} go1.26.8 (linux/amd64)",
    "kind": "kind v{v} go1.26.8 linux/amd64",
}
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def fake_tool(directory: Path, name: str, version: str = "") -> Path:
    """A script named ``name`` reporting ``version``; anything else runs the real tool."""
    directory.mkdir(parents=True, exist_ok=True)
    real = Path(os.environ.get("MOORAGE_TOOLS_BIN", "/nonexistent")) / name
    line = VERSION_LINES.get(name, "{v}").format(v=version)
    path = directory / name
    path.write_text(
        "#!/bin/sh\n"
        'case "$1" in version|--version)\n'
        f"  printf '%s\\n' '{line}'; exit 0 ;;\n"
        "esac\n"
        f'exec "{real}" "$@"\n'
    )
    path.chmod(0o755)
    return path


class Sandbox:
    """A temporary cache, Pulumi home and PATH of fake tools for one test."""

    def __init__(self, tmp: Path) -> None:
        self.cache = tmp / "cache"
        self.pulumi_home = tmp / "pulumi-home"
        self.fakes = tmp / "fakes"
        self.fakes.mkdir()

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            "HOME": str(self.cache.parent),
            "PATH": f"{self.fakes}:{SYSTEM_PATH}",
            "MOORAGE_CACHE": str(self.cache),
            "PULUMI_HOME": str(self.pulumi_home),
            # Deterministic: online, the Kubernetes provider is downloaded, not built.
            "MOORAGE_OFFLINE": "1",
        }
        env.update(extra)
        return env

    def run(self, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BOOTSTRAP), *args],
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def plan(self, *tools: str) -> str:
        done = self.run("--plan", "--only", *tools)
        assert done.returncode == 0, done.stderr
        return done.stdout


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    if shutil.which("flock") is None or shutil.which("sha256sum") is None:
        pytest.skip("needs flock and sha256sum (util-linux, coreutils)")
    yield Sandbox(tmp_path)


def versions() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / "tools" / "versions.env").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def fake_pulumi_install(directory: Path, version: str) -> None:
    """pulumi with the language host and scripts that ship beside it in a release."""
    fake_tool(directory, "pulumi", version)
    for host in (
        "pulumi-language-python",
        "pulumi-language-python-exec",
        "pulumi-resource-pulumi-python",
    ):
        fake_tool(directory, host)


def test_a_newer_pulumi_on_path_is_reused_with_its_own_language_host(sandbox: Sandbox) -> None:
    fake_pulumi_install(sandbox.fakes, "3.270.1")
    done = sandbox.run("--print-bin-dir", "--only", "pulumi", "python")
    assert done.returncode == 0, done.stderr
    bin_dir = Path(done.stdout.strip())
    assert done.stdout.strip() == str(bin_dir)  # stdout is only the path
    assert "pulumi: reusing v3.270.1" in done.stderr
    assert "summary: reused pulumi v3.270.1" in done.stderr
    assert "built" not in done.stderr
    assert os.readlink(bin_dir / "pulumi") == str(sandbox.fakes / "pulumi")
    assert os.readlink(bin_dir / "pulumi-language-python") == str(
        sandbox.fakes / "pulumi-language-python"
    )


def test_the_minimum_pulumi_is_reused_and_an_older_one_refused(sandbox: Sandbox) -> None:
    minimum = versions()["PULUMI_MIN_VERSION"]
    fake_pulumi_install(sandbox.fakes, minimum)
    assert f"pulumi: would reuse v{minimum}" in sandbox.plan("pulumi")

    fake_tool(sandbox.fakes, "pulumi", "3.150.0")
    out = sandbox.plan("pulumi", "python")
    assert (
        f"pulumi: not reusing {sandbox.fakes}/pulumi is v3.150.0; "
        f"supported: {minimum} <= version < 4 (PULUMI_MIN_VERSION in tools/versions.env)"
    ) in out
    assert "pulumi: would build v" in out
    # The host beside a refused pulumi is not taken either.
    assert "python: would build" in out


def test_pulumi_4_is_outside_the_supported_range(sandbox: Sandbox) -> None:
    fake_pulumi_install(sandbox.fakes, "4.0.0")
    out = sandbox.plan("pulumi")
    assert "not reusing" in out
    assert "pulumi: would build" in out


def test_the_kubernetes_plugin_of_the_pinned_version_in_the_plugin_cache_is_reused(
    sandbox: Sandbox,
) -> None:
    version = versions()["PULUMI_KUBERNETES_VERSION"]
    plugin_dir = sandbox.pulumi_home / "plugins" / f"resource-kubernetes-v{version}"
    fake_tool(plugin_dir, "pulumi-resource-kubernetes")
    done = sandbox.run("--only", "kubernetes-provider")
    assert done.returncode == 0, done.stderr
    assert f"kubernetes-provider: reusing v{version} from the Pulumi plugin cache" in done.stdout
    bin_dir = Path(done.stdout.strip().splitlines()[-1])
    assert os.readlink(bin_dir / "pulumi-resource-kubernetes") == str(
        plugin_dir / "pulumi-resource-kubernetes"
    )


def test_a_half_installed_or_other_version_plugin_is_not_reused(sandbox: Sandbox) -> None:
    version = versions()["PULUMI_KUBERNETES_VERSION"]
    plugins = sandbox.pulumi_home / "plugins"
    fake_tool(plugins / f"resource-kubernetes-v{version}", "pulumi-resource-kubernetes")
    (plugins / f"resource-kubernetes-v{version}.partial").touch()
    fake_tool(plugins / "resource-kubernetes-v4.1.0", "pulumi-resource-kubernetes")
    assert "kubernetes-provider: would build" in sandbox.plan("kubernetes-provider")


def test_online_the_kubernetes_provider_is_downloaded_not_built(sandbox: Sandbox) -> None:
    version = versions()["PULUMI_KUBERNETES_VERSION"]
    fake_pulumi_install(sandbox.fakes, "3.270.1")
    done = sandbox.run("--plan", "--only", "pulumi", "kubernetes-provider", MOORAGE_OFFLINE="0")
    assert done.returncode == 0, done.stderr
    assert (
        f"kubernetes-provider: would download v{version} with pulumi plugin install (online)"
        in done.stdout
    )
    offline = sandbox.run("--plan", "--only", "kubernetes-provider", MOORAGE_OFFLINE="1")
    assert "kubernetes-provider: would build" in offline.stdout


def test_kubernetes_etcd_kwok_and_kind_within_range_are_reused(sandbox: Sandbox) -> None:
    for name in ("kube-apiserver", "kube-controller-manager", "kube-scheduler"):
        fake_tool(sandbox.fakes, name, "1.34.2")
    fake_tool(sandbox.fakes, "etcd", "3.5.21")
    fake_tool(sandbox.fakes, "kwok", "0.7.0")
    fake_tool(sandbox.fakes, "kwokctl", "0.7.0")
    fake_tool(sandbox.fakes, "kind", "0.29.0")
    done = sandbox.run("--only", "control-plane", "etcd", "kwok")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert f"control-plane: reusing v1.34.2 ({sandbox.fakes})" in out
    assert f"etcd: reusing v3.5.21 ({sandbox.fakes}/etcd)" in out
    assert f"kwok: reusing v0.7.0 ({sandbox.fakes})" in out
    summary = next(line for line in out.splitlines() if "summary:" in line)
    assert "kind v0.29.0" in summary
    assert "built" not in summary
    bin_dir = Path(out.strip().splitlines()[-1])
    for name in ("kube-apiserver", "kube-scheduler", "etcd", "kwok", "kwokctl", "kind"):
        assert os.readlink(bin_dir / name) == str(sandbox.fakes / name)


def test_kubernetes_binaries_outside_the_minor_range_are_refused(sandbox: Sandbox) -> None:
    minors = versions()["KUBERNETES_MINORS"]
    for name in ("kube-apiserver", "kube-controller-manager", "kube-scheduler"):
        fake_tool(sandbox.fakes, name, "1.29.0")
    fake_tool(sandbox.fakes, "etcd", "3.4.30")
    fake_tool(sandbox.fakes, "kwok", "0.5.0")
    fake_tool(sandbox.fakes, "kwokctl", "0.5.0")
    fake_tool(sandbox.fakes, "kind", "0.11.0")
    out = sandbox.plan("control-plane", "etcd", "kwok")
    assert f"is v1.29.0; supported minors: {minors} (KUBERNETES_MINORS" in out
    assert "etcd is v3.4.30; supported minors" in out
    assert "is v0.5.0; supported minors" in out
    assert "kind on PATH" in out and "not linked" in out
    for tool in ("control-plane", "etcd", "kwok"):
        assert f"{tool}: would build" in out


def test_control_plane_binaries_of_different_versions_are_not_mixed(sandbox: Sandbox) -> None:
    fake_tool(sandbox.fakes, "kube-apiserver", "1.35.0")
    fake_tool(sandbox.fakes, "kube-controller-manager", "1.35.0")
    fake_tool(sandbox.fakes, "kube-scheduler", "1.34.0")
    out = sandbox.plan("control-plane")
    assert "disagree" in out
    assert "control-plane: would build" in out


def test_no_path_reuse_builds_everything(sandbox: Sandbox) -> None:
    fake_pulumi_install(sandbox.fakes, "3.270.1")
    done = sandbox.run("--plan", "--only", "pulumi", MOORAGE_NO_PATH_REUSE="1")
    assert done.returncode == 0, done.stderr
    assert "pulumi: would build" in done.stdout


def old_layout(cache: Path, stamps: dict[str, str], bins: dict[str, list[str]]) -> Path:
    """A tool cache dir as the one-key-for-everything bootstrap-tools left it."""
    root = cache / "tools" / "pulumi-3.260.0_pk8s-4.25.0_k8s-1.36.1_old"
    (root / "stamps").mkdir(parents=True)
    for tool, stamp in stamps.items():
        (root / "stamps" / tool).write_text(f"{stamp}\n2026-11-29T10:00:00Z\n")
        for name in bins[tool]:
            fake_tool(root / "bin", name)
    return root


def test_binaries_of_the_earlier_cache_layout_are_adopted_not_rebuilt(sandbox: Sandbox) -> None:
    v = versions()
    root = old_layout(
        sandbox.cache,
        {"etcd": f"etcd v{v['ETCD_VERSION']}", "kwok": "kwok v0.0.1"},
        {"etcd": ["etcd"], "kwok": ["kwok", "kwokctl"]},
    )
    out = sandbox.plan("etcd", "kwok")
    assert f"etcd: would adopt the v{v['ETCD_VERSION']} build in {root}/bin" in out
    assert "kwok: would build" in out  # another version: not adopted

    done = sandbox.run("--only", "etcd")
    assert done.returncode == 0, done.stderr
    assert "etcd" in done.stdout and "adopted" in done.stdout
    bin_dir = Path(done.stdout.strip().splitlines()[-1])
    adopted = Path(os.path.realpath(bin_dir / "etcd"))
    assert adopted.parent.parent.parent.name == "etcd"  # tools/built/etcd/<key>/bin/etcd
    assert adopted.stat().st_ino == (root / "bin" / "etcd").stat().st_ino  # a hard link
    assert f"etcd: cached v{v['ETCD_VERSION']}" in sandbox.plan("etcd")


def test_changing_one_tools_version_leaves_the_others_cached(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy2(BOOTSTRAP, repo / "scripts" / "bootstrap-tools")
    shutil.copytree(ROOT / "tools", repo / "tools")
    v = versions()
    old_layout(
        sandbox.cache,
        {"etcd": f"etcd v{v['ETCD_VERSION']}", "kwok": f"kwok v{v['KWOK_VERSION']}"},
        {"etcd": ["etcd"], "kwok": ["kwok", "kwokctl"]},
    )
    script = str(repo / "scripts" / "bootstrap-tools")
    done = subprocess.run(
        [script, "--only", "etcd", "kwok"],
        env=sandbox.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    env_file = repo / "tools" / "versions.env"
    env_file.write_text(
        env_file.read_text().replace(f"KWOK_VERSION={v['KWOK_VERSION']}", "KWOK_VERSION=0.9.9")
        + "PULUMI_YAML_VERSION=1.25.0\n"
    )
    # A new tool slot (the YAML host: its pin plus its wrapper) is one more tool to build.
    (repo / "tools" / "pulumi-language-yaml").mkdir(exist_ok=True)
    (repo / "tools" / "pulumi-language-yaml" / "go.mod").write_text("module example/yaml\n")
    plan = subprocess.run(
        [script, "--plan", "--only", "etcd", "kwok", "yaml"],
        env=sandbox.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert plan.returncode == 0, plan.stderr
    assert "etcd: cached" in plan.stdout
    assert "kwok: would build v0.9.9" in plan.stdout
    assert "yaml: would build v1.25.0" in plan.stdout


def test_the_python_host_is_rebuilt_when_its_run_plugin_addition_changes(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A host without tools/pulumi-language-python/run_plugin.go cannot start a directory
    policy pack: it is never adopted, and editing the file rebuilds the host alone."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy2(BOOTSTRAP, repo / "scripts" / "bootstrap-tools")
    shutil.copytree(ROOT / "tools", repo / "tools")
    v = versions()
    host = "pulumi-language-python"
    sdk, scripts = v["PULUMI_LANGUAGE_PYTHON_SDK_VERSION"], v["PULUMI_VERSION"]
    bins = {"python": [host, f"{host}-exec", "pulumi-resource-pulumi-python"], "etcd": ["etcd"]}
    earlier = old_layout(
        sandbox.cache,
        {
            "python": f"{host} sdk v{sdk} + run_plugin.go; scripts from sdk v{scripts}",
            "etcd": f"etcd v{v['ETCD_VERSION']}",
        },
        bins,
    )
    script = str(repo / "scripts" / "bootstrap-tools")

    def bootstrap(*args: str) -> str:
        done = subprocess.run(
            [script, *args], env=sandbox.env(), capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "adopted" in bootstrap("--only", "python", "etcd")
    shutil.rmtree(earlier)  # only the per-tool cache is left
    assert "python: cached" in bootstrap("--plan", "--only", "python", "etcd")
    addition = repo / "tools" / host / "run_plugin.go"
    addition.write_text(addition.read_text() + "\n// edited\n")
    plan = bootstrap("--plan", "--only", "python", "etcd")
    assert "python: would build" in plan
    assert "etcd: cached" in plan

    unpatched = tmp_path / "unpatched"
    unpatched.mkdir()
    old_layout(
        unpatched,
        {"python": f"{host} sdk v{sdk}; scripts from sdk v{scripts}"},
        bins,
    )
    done = subprocess.run(
        [script, "--plan", "--only", "python"],
        env=sandbox.env(MOORAGE_CACHE=str(unpatched)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "python: would build" in done.stdout


def test_prometheus_is_built_only_when_asked_for(sandbox: Sandbox) -> None:
    v = versions()
    everything = sandbox.run("--plan", MOORAGE_NO_PATH_REUSE="1")
    assert everything.returncode == 0, everything.stderr
    assert "prometheus:" not in everything.stdout  # `make up` never builds it
    assert f"gateway-api: would build v{v['GATEWAY_API_VERSION']}" in everything.stdout
    assert f"prometheus: would build v{v['PROMETHEUS_VERSION']}" in sandbox.plan("prometheus")


def test_unknown_tools_are_rejected(sandbox: Sandbox) -> None:
    done = sandbox.run("--plan", "--only", "terraform")
    assert done.returncode != 0
    assert "unknown tool terraform" in done.stderr


# ---------------------------------------------------------------- online / offline


def network_mode(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NETWORK_MODE)],
        env={"PATH": SYSTEM_PATH, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_moorage_offline_forces_offline_in_one_line() -> None:
    done = network_mode(MOORAGE_OFFLINE="1", MOORAGE_PLUGIN_HOSTS="127.0.0.1:1")
    assert done.stdout.strip() == "offline"
    assert done.stderr.count("\n") == 1
    assert "MOORAGE_OFFLINE=1" in done.stderr and "acquisition off" in done.stderr


def test_a_reachable_plugin_host_means_online() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        done = network_mode(MOORAGE_PLUGIN_HOSTS=f"127.0.0.1:{port}")
    assert done.stdout.strip() == "online"
    assert done.stderr.count("\n") == 1
    assert "acquisition on" in done.stderr


def test_no_reachable_plugin_host_means_offline() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, not listening: connections are refused
        done = network_mode(MOORAGE_PLUGIN_HOSTS=f"127.0.0.1:{port}")
    assert done.stdout.strip() == "offline"
    assert "acquisition off" in done.stderr


def pulumi_env_value(tmp_path: Path, variable: str, **env: str) -> str:
    """``variable`` after sourcing scripts/pulumi-env (tools dir ``tmp_path``) with ``env``."""
    done = subprocess.run(
        [
            "bash",
            "-c",
            f'source "{ROOT}/scripts/pulumi-env" "{tmp_path}" 2>/dev/null; echo "${variable}"',
        ],
        env={"PATH": SYSTEM_PATH, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_pulumi_env_turns_plugin_acquisition_off_only_when_offline(tmp_path: Path) -> None:
    def acquisition_disabled(offline: str) -> str:
        return pulumi_env_value(
            tmp_path,
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION",
            PULUMI_BACKEND_URL=f"file://{tmp_path}/state",
            MOORAGE_OFFLINE=offline,
        )

    assert acquisition_disabled("1") == "true"
    assert acquisition_disabled("0") == "false"


def sourced_backend_url(tmp_path: Path, **env: str) -> str:
    """PULUMI_BACKEND_URL after sourcing scripts/pulumi-env offline with ``env``."""
    return pulumi_env_value(tmp_path, "PULUMI_BACKEND_URL", MOORAGE_OFFLINE="1", **env)


def test_the_default_backend_writes_no_metadata_sidecars_a_kill_could_truncate(
    tmp_path: Path,
) -> None:
    assert sourced_backend_url(tmp_path) == f"file://{ROOT}/.pulumi?metadata=skip"


def test_a_backend_url_the_user_set_is_kept_and_its_directory_made(tmp_path: Path) -> None:
    url = f"file://{tmp_path}/state?metadata=skip"
    assert sourced_backend_url(tmp_path, PULUMI_BACKEND_URL=url) == url
    assert (tmp_path / "state").is_dir()
    assert not any("?" in path.name for path in tmp_path.iterdir())
