"""A team's shared state: an S3 backend, two clones, locking, a killed `up` (docs/stacks.md).

One stack of the service-only program lives in a bucket on a local S3-compatible server
(moto), reached as a team reaches MinIO or S3: ``pulumi login s3://...?endpoint=...``.
Clone ``a`` is where it was deployed; clone ``b`` is another checkout of the same project
with the same stack file (as committed), the way a pull request's CI job sees it. The
tests run in order on that one stack and the module destroys it at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest

from .harness import PROGRAMS, unique_stack_name, write_project
from .s3_backend import S3Backend, s3_server

SERVICE_ONLY = PROGRAMS / "service_only"
LOCKED = "the stack is currently locked by 1 lock(s)"
PASSPHRASE = "a-team-passphrase-from-a-secret-store"


@dataclass
class Clone:
    """One checkout of the project: its own directory and stack file, the shared backend."""

    directory: Path
    stack: str
    env: dict[str, str]

    def pulumi(self, *args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pulumi", *args, "--stack", self.stack, "--non-interactive"],
            cwd=self.directory,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def ok(self, *args: str) -> str:
        done = self.pulumi(*args)
        assert done.returncode == 0, f"pulumi {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            ["pulumi", *args, "--stack", self.stack, "--non-interactive"],
            cwd=self.directory,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def set_service(self, kubeconfig: str, name: str, **service: Any) -> None:
        args = {"image": "registry.local/app:1.0.0", "replicas": 2, **service}
        self.ok("config", "set", "--secret", "moorage:kubeconfig", kubeconfig)
        self.ok("config", "set", "moorage:name", name)
        self.ok("config", "set", "moorage:service", json.dumps(args))

    @property
    def stack_file(self) -> Path:
        return self.directory / "stacks" / f"Pulumi.{self.stack}.yaml"

    def clone_to(self, directory: Path) -> Clone:
        """Another checkout: the same project and stack file, as committed."""
        write_project(directory, SERVICE_ONLY)
        other = Clone(directory, self.stack, self.env)
        shutil.copy(self.stack_file, other.stack_file)
        return other

    def exported(self) -> dict[str, Any]:
        return json.loads(self.ok("stack", "export"))["deployment"]  # type: ignore[no-any-return]


@dataclass
class Shared:
    backend: S3Backend
    a: Clone
    kubeconfig: str
    name: str
    work: Path


@pytest.fixture(scope="module")
def shared(
    env: dict[str, str], kwok_cluster: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Shared]:
    work = tmp_path_factory.mktemp("shared-state")
    with s3_server(work) as backend:
        clone_env = {
            **os.environ,
            **env,
            **backend.env,
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        }
        login = subprocess.run(
            ["pulumi", "login", backend.url],
            env=clone_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert login.returncode == 0, login.stderr
        stack = unique_stack_name("shared")
        a = Clone(write_project(work / "a", SERVICE_ONLY), stack, clone_env)
        a.ok("stack", "init", "--secrets-provider", "passphrase")
        a.set_service(kwok_cluster, stack, env={"LOG_LEVEL": "info"})
        a.ok("up", "--yes")
        try:
            yield Shared(backend, a, kwok_cluster, stack, work)
        finally:
            a.pulumi("cancel", "--yes")
            a.pulumi("destroy", "--yes")
            a.pulumi("stack", "rm", "--yes")


def test_the_state_and_its_lock_live_in_the_bucket(shared: Shared) -> None:
    keys = shared.backend.keys(".pulumi/")
    assert f".pulumi/stacks/moorage/{shared.name}.json" in keys, keys
    assert not [key for key in keys if key.startswith(".pulumi/locks/")], "an up left its lock"
    assert not list(shared.a.directory.rglob("*.json")), "no state on the clone's disk"


def test_a_second_clone_previews_exactly_its_config_change(shared: Shared) -> None:
    """The pull-request case: another checkout, the shared state, one changed value."""
    b = shared.a.clone_to(shared.work / "b-preview")
    b.set_service(shared.kubeconfig, shared.name, env={"LOG_LEVEL": "debug"})
    preview = json.loads(b.ok("preview", "--json", "--diff"))
    changes = [step for step in preview["steps"] if step["op"] != "same"]
    assert [(step["op"], step["urn"].split("::")[-2].rsplit("$", 1)[-1]) for step in changes] == [
        ("update", "kubernetes:apps/v1:Deployment")
    ], changes
    (update,) = changes
    old, new = update["oldState"]["inputs"], update["newState"]["inputs"]
    env = "spec.template.spec.containers[0].env"
    assert changed_paths(old, new) == [env], changed_paths(old, new)
    values = {"old": old, "new": new}
    for side, inputs in values.items():
        values[side] = {
            e["name"]: e.get("value")
            for e in inputs["spec"]["template"]["spec"]["containers"][0]["env"]
        }.get("LOG_LEVEL")
    assert values == {"old": "info", "new": "debug"}
    assert preview["changeSummary"].get("update") == 1
    assert set(preview["changeSummary"]) <= {"update", "same"}


def changed_paths(old: Any, new: Any, path: str = "") -> list[str]:
    """Where two input trees differ, down to the first list whose length or order differs."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [
            changed
            for key in sorted(set(old) | set(new))
            for changed in changed_paths(old.get(key), new.get(key), f"{path}.{key}".lstrip("."))
        ]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        if all(isinstance(item, dict) and "name" in item for item in old + new):
            if [item["name"] for item in old] != [item["name"] for item in new]:
                return [path]  # a named list (env, ports) whose entries changed: the list
            if path.endswith(".env"):
                return [path] if old != new else []
        return [
            changed
            for index, (a, b) in enumerate(zip(old, new, strict=True))
            for changed in changed_paths(a, b, f"{path}[{index}]")
        ]
    return [] if old == new else [path]


def _wait_for(process: subprocess.Popen[str], text: str) -> list[str]:
    """Lines of ``process`` up to and including the first that contains ``text``."""
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError("".join(lines))


def test_a_second_concurrent_up_is_refused_and_a_third_converges(shared: Shared) -> None:
    a = shared.a
    b = a.clone_to(shared.work / "b-concurrent")
    a.set_service(shared.kubeconfig, shared.name, env={"LOG_LEVEL": "warn"}, replicas=3)
    first = a.start("up", "--yes")
    try:
        # The header comes once the lock is held, before the program has even run: the
        # second up starts well before the first can finish.
        _wait_for(first, "Updating (")
        assert len(shared.backend.keys(".pulumi/locks/")) == 1
        second = b.pulumi("up", "--yes")
    finally:
        out, _ = first.communicate(timeout=900)
    assert second.returncode != 0
    assert LOCKED in second.stdout + second.stderr, second.stdout + second.stderr
    assert "pulumi cancel" in second.stdout + second.stderr
    assert first.returncode == 0, out

    state = a.exported()
    assert not state.get("pending_operations"), state.get("pending_operations")
    # The third up, from the second clone once it has the merged stack file, converges.
    shutil.copy(a.stack_file, b.stack_file)
    b.ok("up", "--yes")
    b.ok("preview", "--expect-no-changes")


def test_a_killed_up_keeps_its_lock_until_cancel_and_loses_nothing(shared: Shared) -> None:
    a = shared.a
    before = {resource["urn"] for resource in a.exported()["resources"]}
    a.set_service(shared.kubeconfig, shared.name, env={"LOG_LEVEL": "error"}, replicas=2)
    killed = a.start("up", "--yes")
    plugins: list[psutil.Process] = []
    try:
        _wait_for(killed, "kubernetes:apps/v1:Deployment")
        plugins = psutil.Process(killed.pid).children(recursive=True)
        killed.send_signal(signal.SIGKILL)
        killed.communicate(timeout=120)
    finally:
        for plugin in plugins:  # a supervisor removes what the killed CLI left running
            with contextlib.suppress(psutil.NoSuchProcess):
                plugin.kill()
    assert killed.returncode == -signal.SIGKILL

    # docs/operations.md, "An up that was killed": the lock stays and names its owner ...
    refused = a.pulumi("up", "--yes")
    assert refused.returncode != 0
    assert LOCKED in refused.stdout + refused.stderr
    locks = shared.backend.keys(".pulumi/locks/")
    assert len(locks) == 1, locks
    # ... `pulumi cancel` removes it (and nothing else) ...
    a.ok("cancel", "--yes")
    assert shared.backend.keys(".pulumi/locks/") == []
    # ... and the next up converges: pending operations are reported and then settled.
    a.ok("up", "--yes")
    a.ok("preview", "--expect-no-changes")
    state = a.exported()
    assert not state.get("pending_operations"), state.get("pending_operations")
    assert before <= {resource["urn"] for resource in state["resources"]}, "a resource was lost"
