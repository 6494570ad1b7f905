"""Run a command and sample the resident memory of its whole process tree.

The Pulumi CLI starts the language host (which starts the Python program) and
the provider plugins; a thread samples every descendant's RSS with psutil and
keeps the peak per role and the peak of their sum.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROLES = ("engine", "program", "provider", "other")
"""engine: the pulumi CLI; program: the language host and the Python program;
provider: resource plugins (pulumi-resource-*); other: anything else."""


def role_of(process: psutil.Process) -> str:
    """Which part of a Pulumi run a process is."""
    try:
        name = process.name()
        cmdline = " ".join(process.cmdline()[:3])
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return "other"
    if name.startswith("pulumi-resource-") or "pulumi-resource-" in cmdline:
        return "provider"
    if name.startswith("pulumi-language-") or name.startswith("python") or "python" in cmdline:
        return "program"
    if name == "pulumi":
        return "engine"
    return "other"


@dataclass
class TreeRun:
    """What one sampled command did: exit code, wall time, peak memory in MiB."""

    returncode: int
    seconds: float
    peak_total_mib: float
    peak_by_role_mib: dict[str, float] = field(default_factory=dict)
    samples: int = 0


def _sample(root: psutil.Process, roles: dict[int, str]) -> dict[str, float]:
    """The RSS (MiB) of ``root`` and its descendants, summed per role."""
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return {}
    by_role: dict[str, float] = {}
    for process in processes:
        try:
            rss = process.memory_info().rss / 2**20
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        role = roles.get(process.pid)
        if role is None:
            role = roles[process.pid] = role_of(process)
        by_role[role] = by_role.get(role, 0.0) + rss
    return by_role


def run_sampled(
    command: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    log_path: Path,
    interval: float = 0.1,
    timeout: float = 1800,
) -> TreeRun:
    """Run ``command`` (output to ``log_path``) while sampling its tree's memory."""
    peaks: dict[str, float] = {}
    peak_total = 0.0
    samples = 0
    roles: dict[int, str] = {}
    with log_path.open("ab") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(command), cwd=cwd, env=dict(env), stdout=log, stderr=subprocess.STDOUT
        )
        root = psutil.Process(proc.pid)
        stop = threading.Event()

        def sampler() -> None:
            nonlocal peak_total, samples
            while not stop.is_set():
                by_role = _sample(root, roles)
                if by_role:
                    samples += 1
                    peak_total = max(peak_total, sum(by_role.values()))
                    for role, mib in by_role.items():
                        peaks[role] = max(peaks.get(role, 0.0), mib)
                stop.wait(interval)

        thread = threading.Thread(target=sampler, name="rss-sampler", daemon=True)
        thread.start()
        try:
            returncode = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            returncode = proc.wait()
        seconds = time.perf_counter() - started
        stop.set()
        thread.join(timeout=5)
    return TreeRun(returncode, seconds, peak_total, peaks, samples)
