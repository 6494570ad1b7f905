"""Helpers for tests that run the real Pulumi engine against a real control plane.

Every test stack lives in a temporary project with its own file backend and a
unique name, and is destroyed and removed in ``finally``.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
import subprocess
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv"
PROGRAMS = Path(__file__).resolve().parent / "programs"


def tools_bin() -> Path:
    """The pinned tools' bin dir (built by scripts/bootstrap-tools if needed)."""
    configured = os.environ.get("MOORAGE_TOOLS_BIN")
    if configured:
        return Path(configured)
    out = subprocess.run(
        [str(ROOT / "scripts" / "bootstrap-tools"), "--print-bin-dir"],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(out.stdout.strip())


@functools.cache
def plugin_acquisition_disabled() -> str:
    """``"true"`` when offline (scripts/network-mode decides and prints why, once)."""
    out = subprocess.run(
        [str(ROOT / "scripts" / "network-mode")], check=True, stdout=subprocess.PIPE, text=True
    )
    return "true" if out.stdout.strip() == "offline" else "false"


def give_children_default_sigint() -> None:
    """Let the processes started from here take SIGINT again.

    A background job of a non-interactive shell (``cmd &``, nohup) starts with SIGINT
    ignored and every child inherits that; the Pulumi engine interrupts its plugins
    when it is done and waits about 5 s before killing one that ignores SIGINT
    (measured: a one-resource preview took 7.3 s instead of 2.1 s). Python's own
    handler is not inherited across exec, so installing it gives the children the
    default disposition again.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def file_backend_url(state_dir: Path) -> str:
    """A file backend in ``state_dir`` as scripts/pulumi-env sets it up for users.

    ``metadata=skip`` stops the backend from writing ``.attrs`` sidecar files. They are
    written in place (truncate, then write), so a CLI killed at that moment leaves an empty
    one, and every later command fails with "failed to load checkpoint: EOF".
    """
    return f"file://{state_dir}?metadata=skip"


def file_backend_dir(backend_url: str) -> Path:
    """The directory of a ``file://`` backend URL (its query stripped)."""
    return Path(urllib.parse.urlsplit(backend_url).path)


def engine_env(bin_dir: Path, state_dir: Path, kwok_dir: Path) -> dict[str, str]:
    """Engine settings: the tools first on PATH, a private file backend, plugin downloads
    only when online."""
    return {
        "PATH": os.pathsep.join([str(bin_dir), str(VENV / "bin"), os.environ.get("PATH", "")]),
        "VIRTUAL_ENV": str(VENV),
        "MOORAGE_TOOLS_BIN": str(bin_dir),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": plugin_acquisition_disabled(),
        "PULUMI_CONFIG_PASSPHRASE": "",
        "PULUMI_BACKEND_URL": file_backend_url(state_dir),
        "PULUMI_HOME": str(state_dir / "home"),
        "KWOK_WORKDIR": str(kwok_dir),
    }


def render_stack(
    stack: str | Path, out: Path, env: Mapping[str, str], timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    """``make render``: ``scripts/render STACK OUT`` as the Makefile runs it (the project's
    Python, from the checkout), with ``env`` over this process's environment."""
    return subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "python"),
            str(ROOT / "scripts" / "render"),
            str(stack),
            str(out),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def unique_stack_name(prefix: str = "t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def write_project(directory: Path, main: Path) -> Path:
    """A Pulumi project in ``directory`` whose program is ``main``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "program").symlink_to(main, target_is_directory=True)
    (directory / "Pulumi.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "moorage",
                "runtime": {
                    "name": "python",
                    "options": {"toolchain": "pip", "virtualenv": str(VENV)},
                },
                "main": "program/",
                "stackConfigDir": "stacks",
            }
        )
    )
    (directory / "stacks").mkdir(exist_ok=True)
    return directory


@dataclass
class EngineStack:
    """A stack of a temporary project, driven through the Automation API."""

    stack: auto.Stack
    env: dict[str, str]
    project_dir: Path
    log: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.stack.name

    def set_config(self, values: Mapping[str, Any], secret_keys: tuple[str, ...] = ()) -> None:
        config = {
            key: auto.ConfigValue(
                value=value if isinstance(value, str) else json.dumps(value),
                secret=key in secret_keys,
            )
            for key, value in values.items()
        }
        self.stack.set_all_config(config, path=False)

    def up(self, **kwargs: Any) -> auto.UpResult:
        return self.stack.up(on_output=self.log.append, color="never", **kwargs)

    def preview(self, **kwargs: Any) -> auto.PreviewResult:
        return self.stack.preview(on_output=self.log.append, color="never", **kwargs)

    def outputs(self) -> dict[str, Any]:
        return {k: v.value for k, v in self.stack.outputs().items()}

    def exported_state(self) -> str:
        """``pulumi stack export`` as a user runs it (secrets stay encrypted)."""
        exported = self.pulumi("stack", "export")
        assert exported.returncode == 0, exported.stderr
        return exported.stdout

    @property
    def backend_dir(self) -> Path:
        """Where the file backend keeps state, history, backups and locks."""
        return file_backend_dir(self.env["PULUMI_BACKEND_URL"]) / ".pulumi"

    def state_files(self) -> str:
        """Every file of the file backend, as stored at rest (state, history, backups)."""
        return "\n".join(
            path.read_text(errors="replace")
            for path in sorted(self.backend_dir.rglob("*"))
            if path.is_file()
        )

    def resource_types(self) -> list[str]:
        resources = self.stack.export_stack().deployment.get("resources") or []
        return [r["type"] for r in resources]

    def pulumi(self, *args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
        """Run the pulumi CLI itself on this stack (for interrupts and raw flags)."""
        return subprocess.run(
            ["pulumi", *args, "--stack", self.name, "--non-interactive"],
            cwd=self.project_dir,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@contextlib.contextmanager
def engine_stack(
    base_dir: Path, env: dict[str, str], program: Path, name: str | None = None
) -> Iterator[EngineStack]:
    """Create a stack for ``program``; always destroy and remove it afterwards."""
    stack_name = name or unique_stack_name()
    project_dir = write_project(base_dir / stack_name, program)
    workspace = auto.LocalWorkspace(
        work_dir=str(project_dir),
        env_vars=env,
        pulumi_command=auto.PulumiCommand(root=str(Path(env["MOORAGE_TOOLS_BIN"]).parent)),
    )
    stack = auto.Stack.create(stack_name, workspace)
    engine = EngineStack(stack=stack, env=env, project_dir=project_dir)
    try:
        yield engine
    finally:
        try:
            stack.destroy(color="never", on_output=engine.log.append)
        finally:
            workspace.remove_stack(stack_name)


class EndpointWatcher:
    """Polls a Service's EndpointSlices and records the ready-endpoint count over time."""

    def __init__(self, kubeconfig: str, namespace: str, service: str, interval: float = 0.2):
        from kubernetes import client, config

        api = config.new_client_from_config_dict(yaml.safe_load(kubeconfig))
        self._discovery = client.DiscoveryV1Api(api)
        self._namespace = namespace
        self._selector = f"kubernetes.io/service-name={service}"
        self._interval = interval
        self._stop = threading.Event()
        self.samples: list[tuple[float, int]] = []
        self.errors: list[str] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def ready_endpoints(self) -> int:
        slices = self._discovery.list_namespaced_endpoint_slice(
            self._namespace, label_selector=self._selector
        )
        return sum(
            1
            for endpoint_slice in slices.items
            for endpoint in endpoint_slice.endpoints or []
            if endpoint.conditions is not None and endpoint.conditions.ready
        )

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.samples.append((time.monotonic(), self.ready_endpoints()))
            except Exception as error:  # keep sampling through transient API errors
                self.errors.append(str(error))
            self._stop.wait(self._interval)

    def __enter__(self) -> EndpointWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    @property
    def minimum(self) -> int:
        return min(count for _, count in self.samples)
