"""Benchmark 1: program construction under Pulumi mocks (no engine).

Each measurement runs in a fresh process, so memory, caches and the garbage
collector's state never leak between runs:
``python bench/mock_construction.py VARIANT N`` prints one JSON record.
:func:`run` drives those processes, interleaving the variants.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

_IMPORTS_STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))  # appended: PYTHONPATH may point at a patched components/

import pulumi  # noqa: E402

from bench import programs  # noqa: E402


class _Mocks(pulumi.runtime.Mocks):
    """Echo the inputs back as outputs, with ``metadata.name`` set as the engine would."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        outputs = dict(args.inputs)
        if "metadata" in outputs:
            outputs["metadata"] = {"name": args.name, **(outputs["metadata"] or {})}
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return {}, []


class _GcClock:
    """Adds up the time the cyclic garbage collector runs (it grows with the heap)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = 0
        self.full_collections = 0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.seconds += time.perf_counter() - self._started
        self.collections += 1
        self.full_collections += info.get("generation") == 2


def measure(variant: str, n: int, manifests: Path | None = None) -> dict[str, Any]:
    """Construct one program under mocks; time the declaration and its RPCs.

    Also reports ``import_seconds``: from interpreter start-up to everything the
    program needs imported (pulumi, the pulumi_kubernetes modules both programs
    use, and for the component its package), which every real run pays as well.
    """
    import pulumi_kubernetes as k8s
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    if variant != "raw":
        import moorage.webservice  # noqa: F401
    # pulumi_kubernetes loads its classes lazily; load the ones both programs use.
    for resource_class in (
        k8s.core.v1.Namespace,
        k8s.core.v1.ServiceAccount,
        k8s.core.v1.ConfigMap,
        k8s.core.v1.Service,
        k8s.apps.v1.Deployment,
        k8s.policy.v1.PodDisruptionBudget,
        k8s.networking.v1.NetworkPolicy,
    ):
        assert resource_class is not None
    import_seconds = time.perf_counter() - _IMPORTS_STARTED

    pulumi.runtime.set_mocks(_Mocks(), project="bench", stack="bench", preview=False)
    # The raw program's objects are built ahead (untimed) but allocated inside the
    # timed window, as a hand-written program's dict literals would be: json.loads
    # costs about what evaluating those literals does, and, like them, puts every
    # object through the garbage collector's young generations during construction.
    # The engine benchmark's raw program reads the same JSON the same way.
    # ``manifests`` (a JSON file) spares this process building them, for counts of the
    # work the whole process does (bench/instructions.py).
    # Both variants do this set-up (the component drops the result), so the garbage
    # collector's history is the same for both when the timed window opens.
    text = manifests.read_text() if manifests else json.dumps(programs.raw_manifests(n))
    prepared = text if variant == "raw" else None
    del text

    def program() -> None:
        objects = json.loads(prepared) if prepared is not None else None
        programs.declare(variant, n, prepared=objects)

    clock = _GcClock()
    # No gc.collect() first: a real program goes straight from its imports to its
    # declarations, and when the full collections fall depends on that history (the
    # same for both variants, above).
    gc.callbacks.append(clock)
    started, cpu_started = time.perf_counter(), time.process_time()
    _sync_await(run_pulumi_func(program))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    gc.callbacks.remove(clock)
    return {
        "variant": variant,
        "n": n,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "gc_seconds": clock.seconds,
        "gc_collections": clock.collections,
        "gc_full_collections": clock.full_collections,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "import_seconds": import_seconds,
    }


class _Recorder(_Mocks):
    """Also keeps every registered resource's inputs, by (type, name)."""

    def __init__(self) -> None:
        self.inputs: dict[tuple[str, str], dict[str, Any]] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.inputs[(args.typ, args.name)] = dict(args.inputs)
        return super().new_resource(args)


def check_same_objects(n: int) -> dict[str, Any]:
    """Declare both programs under mocks and compare what reaches the engine.

    The baseline is only fair if it registers exactly the component's Kubernetes
    objects with the same inputs; the component's own resource is left out.
    """
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    recorded: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    prepared = programs.raw_manifests(n)
    for variant in programs.VARIANTS:
        recorder = _Recorder()
        pulumi.runtime.set_mocks(recorder, project="bench", stack="check", preview=False)
        _sync_await(
            run_pulumi_func(lambda v=variant: programs.declare(v, n, prepared=prepared))  # type: ignore[misc]
        )
        recorded[variant] = {
            key: value for key, value in recorder.inputs.items() if key[0].startswith("kubernetes:")
        }
    component, raw = recorded["component"], recorded["raw"]
    differences = sorted(
        f"{typ} {name}"
        for typ, name in set(component) | set(raw)
        if component.get((typ, name)) != raw.get((typ, name))
    )
    return {
        "n": n,
        "objects": len(component),
        "identical": not differences,
        "differences": differences,
    }


def subprocess_env() -> dict[str, str]:
    """The environment of one run of this script: a fixed hash seed."""
    return {**os.environ, "PYTHONHASHSEED": "0"}


def _json_record(args: list[str], env: dict[str, str], what: str) -> dict[str, Any]:
    """Run this script in a fresh interpreter and read the JSON record it prints last."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stderr[-2000:]}")
    record: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return record


def check_in_subprocess(n: int = 3) -> dict[str, Any]:
    """:func:`check_same_objects` in a fresh interpreter."""
    return _json_record(["--check", str(n)], {**os.environ}, "baseline check")


def measure_in_subprocess(variant: str, n: int) -> dict[str, Any]:
    """One measurement in a fresh interpreter."""
    return _json_record([variant, str(n)], subprocess_env(), f"mock construction {variant} N={n}")


def run(
    reps_by_n: Mapping[int, int],
    log: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """For each N, ``reps_by_n[N]`` runs of each variant, interleaved (ABBA order, so
    none always runs first)."""
    variants = programs.VARIANTS
    records: list[dict[str, Any]] = []
    for n, reps in reps_by_n.items():
        for rep in range(reps):
            order = variants if rep % 2 == 0 else variants[::-1]
            for variant in order:
                record = measure_in_subprocess(variant, n)
                record["rep"] = rep
                records.append(record)
            log(
                f"  mocks N={n:<4} run {rep + 1}/{reps}: "
                + "  ".join(
                    f"{r['variant']} {r['seconds']:.2f}s"
                    for r in records[-len(variants) :]
                    if r["rep"] == rep
                )
            )
    return records


if __name__ == "__main__":
    if sys.argv[1] == "--check":
        print(json.dumps(check_same_objects(int(sys.argv[2]))), flush=True)
    else:
        manifests = Path(sys.argv[3]) if len(sys.argv) > 3 else None
        print(json.dumps(measure(sys.argv[1], int(sys.argv[2]), manifests)), flush=True)
    # Skip interpreter teardown: nothing is left to flush, and asyncio's loop
    # finalizer can print a spurious "Invalid file descriptor" on the way out.
    os._exit(0)
