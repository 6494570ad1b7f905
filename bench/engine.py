"""The real Pulumi engine for benchmarks 2 and 3: an isolated environment, a kwok
cluster and throw-away stacks of the benchmark program.

Everything lives in one temporary directory (file backend, PULUMI_HOME, kwok
work dir); the cluster and every stack are removed in ``finally``.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

from bench import programs
from bench.proctree import TreeRun, run_sampled

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
PROGRAM = Path(__file__).resolve().parent / "engine_program"


def engine_env(bin_dir: Path, work: Path) -> dict[str, str]:
    """Offline engine settings. The venv's bin comes first on PATH: the pinned Python
    language host ignores Pulumi.yaml's ``virtualenv`` and runs the first python3."""
    state = work / "state"
    state.mkdir(parents=True, exist_ok=True)
    (work / "kwok").mkdir(exist_ok=True)
    return {
        **os.environ,
        "PATH": os.pathsep.join([str(VENV / "bin"), str(bin_dir), os.environ.get("PATH", "")]),
        "VIRTUAL_ENV": str(VENV),
        "MOORAGE_TOOLS_BIN": str(bin_dir),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        # Unhides --event-log (per-resource timings) on this pinned CLI.
        "PULUMI_DEBUG_COMMANDS": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_CONFIG_PASSPHRASE": "",
        "PULUMI_BACKEND_URL": f"file://{state}",
        "PULUMI_HOME": str(state / "home"),
        "KWOK_WORKDIR": str(work / "kwok"),
    }


def pulumi_version(env: Mapping[str, str]) -> str:
    """``pulumi version`` of the CLI the benchmarks run."""
    done = subprocess.run(
        ["pulumi", "version"], env=dict(env), capture_output=True, text=True, check=False
    )
    return done.stdout.strip().lstrip("v") or "unknown"


@contextlib.contextmanager
def _environ(values: Mapping[str, str]) -> Iterator[None]:
    """Apply ``values`` to this process (the kwok provider code reads os.environ)."""
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def kwok_cluster(env: Mapping[str, str], nodes: int = 3) -> Iterator[str]:
    """A kwok cluster made by the provider code LocalCluster uses; yields its kubeconfig."""
    from moorage.clusters import LocalClusterProvider

    props = {
        "cluster_name": f"bench-{uuid.uuid4().hex[:6]}",
        "runtime": "kwok",
        "nodes": nodes,
        "zones": ["zone-a", "zone-b", "zone-c"],
        "tools_bin_dir": env["MOORAGE_TOOLS_BIN"],
    }
    provider = LocalClusterProvider()
    with _environ(env):
        created = provider.create(props)
        try:
            assert created.outs is not None
            yield str(created.outs["kubeconfig"])
        finally:
            provider.delete(created.id, props)


def program_config(
    work: Path,
    variant: str,
    n: int,
    *,
    kubeconfig: str | None = None,
    render_dir: Path | None = None,
) -> dict[str, Any]:
    """Stack config for bench/engine_program: N services of ``variant`` on a cluster
    (``kubeconfig``) or rendered to ``render_dir``. Each call gets a unique service-name
    prefix (``moorage-bench:prefix``), so runs never meet each other's objects."""
    prefix = f"{variant[0]}{uuid.uuid4().hex[:5]}s"
    config: dict[str, Any] = {
        "moorage-bench:variant": variant,
        "moorage-bench:count": str(n),
        "moorage-bench:prefix": prefix,
    }
    if kubeconfig is not None:
        config["moorage-bench:kubeconfig"] = kubeconfig
    if render_dir is not None:
        config["moorage-bench:renderDir"] = str(render_dir)
    if variant == "raw":
        path = work / f"manifests-{prefix}.json"
        path.write_text(json.dumps(programs.raw_manifests(n, prefix)))
        config["moorage-bench:manifests"] = str(path)
    return config


SECRET_KEYS = ("moorage-bench:kubeconfig",)


@dataclass
class BenchStack:
    """A stack of a temporary project whose program is ``bench/engine_program``."""

    name: str
    project_dir: Path
    env: dict[str, str]
    workspace: auto.LocalWorkspace
    log_path: Path
    deployed: bool = False
    """True while resources may exist (after an ``up`` that was not destroyed)."""

    def pulumi(self, *args: str) -> TreeRun:
        """Run ``pulumi ARGS --stack NAME`` and sample its process tree's memory."""
        command = ["pulumi", *args, "--stack", self.name, "--non-interactive", "--color", "never"]
        with self.log_path.open("a") as log:
            log.write(f"\n$ {' '.join(command)}\n")
        return run_sampled(command, cwd=self.project_dir, env=self.env, log_path=self.log_path)

    def checked(self, *args: str) -> TreeRun:
        """Like :meth:`pulumi`, but a failure raises with the end of the log."""
        result = self.pulumi(*args)
        if result.returncode != 0:
            tail = "\n".join(self.log_path.read_text().splitlines()[-30:])
            raise RuntimeError(f"pulumi {' '.join(args)} failed ({result.returncode}):\n{tail}")
        return result

    def up(self, *extra: str) -> TreeRun:
        """``pulumi up --yes --skip-preview`` (the preview is benchmarked on its own)."""
        self.deployed = True
        return self.checked("up", "--yes", "--skip-preview", *extra)

    def destroy(self, *extra: str) -> TreeRun:
        """``pulumi destroy --yes --skip-preview``."""
        result = self.checked("destroy", "--yes", "--skip-preview", *extra)
        self.deployed = False
        return result


def _write_project(directory: Path) -> None:
    directory.mkdir(parents=True)
    (directory / "program").symlink_to(PROGRAM, target_is_directory=True)
    project = {
        "name": "moorage-bench",
        "runtime": {"name": "python", "options": {"toolchain": "pip", "virtualenv": str(VENV)}},
        "main": "program/",
    }
    (directory / "Pulumi.yaml").write_text(yaml.safe_dump(project))


@contextlib.contextmanager
def bench_stack(
    work: Path,
    env: dict[str, str],
    config: Mapping[str, Any],
    secret_keys: tuple[str, ...] = SECRET_KEYS,
) -> Iterator[BenchStack]:
    """A fresh stack with ``config``; destroyed (if anything is left) and removed after."""
    name = f"b{uuid.uuid4().hex[:8]}"
    project_dir = work / "projects" / name
    _write_project(project_dir)
    bin_dir = Path(env["MOORAGE_TOOLS_BIN"])
    workspace = auto.LocalWorkspace(
        work_dir=str(project_dir),
        env_vars=env,
        pulumi_command=auto.PulumiCommand(root=str(bin_dir.parent)),
    )
    stack = auto.Stack.create(name, workspace)
    stack.set_all_config(
        {
            key: auto.ConfigValue(
                value=value if isinstance(value, str) else json.dumps(value),
                secret=key in secret_keys,
            )
            for key, value in config.items()
        }
    )
    bench = BenchStack(name, project_dir, env, workspace, work / f"{name}.log")
    try:
        yield bench
    finally:
        try:
            if bench.deployed:
                bench.pulumi("destroy", "--yes", "--skip-preview")
        finally:
            workspace.remove_stack(name, force=True)
