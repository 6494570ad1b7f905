"""Benchmarks 2 and 3: ``pulumi preview`` and ``pulumi up``/``destroy`` with the real
engine, Python language host and Kubernetes provider, against a kwok cluster.

Each measured operation runs on its own fresh stack (so state never carries over);
the two variants alternate within each repetition.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from bench import programs
from bench.engine import BenchStack, bench_stack, program_config
from bench.events import step_timings
from bench.proctree import TreeRun

Log = Callable[[str], None]


def _record(
    kind: str, variant: str, n: int, rep: int, run: TreeRun, **extra: Any
) -> dict[str, Any]:
    return {
        "kind": kind,
        "variant": variant,
        "n": n,
        "rep": rep,
        "seconds": run.seconds,
        "peak_total_mib": run.peak_total_mib,
        **{f"peak_{role}_mib": mib for role, mib in run.peak_by_role_mib.items()},
        "samples": run.samples,
        **extra,
    }


def _order(rep: int, variants: Sequence[str] = programs.VARIANTS) -> Sequence[str]:
    return variants if rep % 2 == 0 else variants[::-1]


def _stack(
    work: Path, env: dict[str, str], kubeconfig: str, variant: str, n: int
) -> contextlib.AbstractContextManager[BenchStack]:
    return bench_stack(work, env, program_config(work, variant, n, kubeconfig=kubeconfig))


def warm_up(work: Path, env: dict[str, str], kubeconfig: str) -> None:
    """One untimed preview of each variant: page cache, .pyc files, plugin loading."""
    for variant in programs.VARIANTS:
        with _stack(work, env, kubeconfig, variant, 1) as stack:
            stack.checked("preview")


def preview(
    work: Path,
    env: dict[str, str],
    kubeconfig: str,
    sizes: Sequence[int],
    reps: int,
    log: Log = print,
) -> list[dict[str, Any]]:
    """Benchmark 2: ``pulumi preview`` of a new stack (every object to create)."""
    records: list[dict[str, Any]] = []
    for n in sizes:
        for rep in range(reps):
            for variant in _order(rep):
                with _stack(work, env, kubeconfig, variant, n) as stack:
                    records.append(_record("preview", variant, n, rep, stack.checked("preview")))
                r = records[-1]
                log(
                    f"  preview N={n:<3} run {rep + 1}/{reps} {variant:9s} "
                    f"{r['seconds']:6.2f}s  peak {r['peak_total_mib']:.0f} MiB"
                )
    return records


def all_deployments_available(kubeconfig: str, prefix: str, n: int) -> bool:
    """True when the N Deployments of a run report Available (checked after ``up``)."""
    from kubernetes import client, config

    api = config.new_client_from_config_dict(yaml.safe_load(kubeconfig))  # type: ignore[no-untyped-call]
    available = 0
    for deployment in client.AppsV1Api(api).list_deployment_for_all_namespaces().items:
        namespace = deployment.metadata.namespace if deployment.metadata else None
        if not (namespace or "").startswith(prefix):
            continue
        conditions = (deployment.status.conditions if deployment.status else None) or []
        if any(c.type == "Available" and c.status == "True" for c in conditions):
            available += 1
    return available == n


def _up_cycle(
    stack: BenchStack,
    kubeconfig: str,
    prefix: str,
    variant: str,
    n: int,
    rep: int,
    parallel: int | None,
    preview_after: bool,
) -> list[dict[str, Any]]:
    """up, (a no-change preview,) destroy: one record each."""
    extra = ("--parallel", str(parallel)) if parallel else ()
    label = {"parallel": parallel or "default"}
    up_events = stack.log_path.with_suffix(".up.events")
    up = stack.up(*extra, "--event-log", str(up_events))
    available = all_deployments_available(kubeconfig, prefix, n)
    out = [
        _record(
            "up", variant, n, rep, up, all_available=available, **label, **step_timings(up_events)
        )
    ]
    if preview_after:
        out.append(_record("preview-unchanged", variant, n, rep, stack.checked("preview")))
    destroy_events = stack.log_path.with_suffix(".destroy.events")
    destroy = stack.destroy(*extra, "--event-log", str(destroy_events))
    out.append(
        _record("destroy", variant, n, rep, destroy, **label, **step_timings(destroy_events))
    )
    return out


def _cycle_logged(
    work: Path,
    env: dict[str, str],
    kubeconfig: str,
    variant: str,
    n: int,
    rep: int,
    reps: int,
    parallel: int | None,
    log: Log,
) -> list[dict[str, Any]]:
    config = program_config(work, variant, n, kubeconfig=kubeconfig)
    with bench_stack(work, env, config) as stack:
        cycle = _up_cycle(
            stack,
            kubeconfig,
            config["moorage-bench:prefix"],
            variant,
            n,
            rep,
            parallel,
            preview_after=parallel is None,
        )
    log(
        f"  up/destroy N={n:<3} run {rep + 1}/{reps} {variant:9s} "
        f"--parallel {parallel or 'default':<7} "
        + "  ".join(f"{r['kind']} {r['seconds']:.1f}s" for r in cycle)
        + ("" if cycle[0]["all_available"] else "  (NOT all Deployments Available!)")
    )
    return cycle


def up_destroy(
    work: Path,
    env: dict[str, str],
    kubeconfig: str,
    n: int,
    reps: int,
    log: Log = print,
) -> list[dict[str, Any]]:
    """Benchmark 3: ``up`` (the provider awaits every Deployment's availability), a
    preview of the up-to-date stack, and ``destroy``, both variants, default --parallel."""
    records: list[dict[str, Any]] = []
    for rep in range(reps):
        for variant in _order(rep):
            records += _cycle_logged(work, env, kubeconfig, variant, n, rep, reps, None, log)
    return records


def up_parallel(
    work: Path,
    env: dict[str, str],
    kubeconfig: str,
    n: int,
    reps: int,
    parallel: int = 4,
    log: Log = print,
) -> list[dict[str, Any]]:
    """The engine's ``--parallel`` effect: ``up``/``destroy`` of the component variant
    with ``--parallel`` ``parallel`` (compare with :func:`up_destroy`'s default runs)."""
    records: list[dict[str, Any]] = []
    for rep in range(reps):
        records += _cycle_logged(work, env, kubeconfig, "component", n, rep, reps, parallel, log)
    return records


def application_stack(
    work: Path,
    env: dict[str, str],
    kubeconfig: str,
    n: int,
    reps: int,
    log: Log = print,
) -> list[dict[str, Any]]:
    """An N-service stack as one Application (shared namespace, references)
    beside N lone WebServices: ``preview`` of both, then ``up``/``destroy`` of both."""
    variants = (programs.APPLICATION, "component")
    records: list[dict[str, Any]] = []
    for rep in range(reps):
        for variant in _order(rep, variants):
            with _stack(work, env, kubeconfig, variant, n) as stack:
                records.append(_record("preview", variant, n, rep, stack.checked("preview")))
            log(
                f"  preview N={n:<3} run {rep + 1}/{reps} {variant:11s} "
                f"{records[-1]['seconds']:.1f}s"
            )
        for variant in _order(rep, variants):
            records += _cycle_logged(work, env, kubeconfig, variant, n, rep, reps, None, log)
    return records
