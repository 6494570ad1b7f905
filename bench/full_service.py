"""Benchmark 5: a full service under mocks, against typed pulumi_kubernetes resources.

A "full" WebService has config, secrets, an autoscaler and metrics. The baseline declares
the same Kubernetes objects with the same inputs through typed ``pulumi_kubernetes``
resources (its bodies come from the component's pure renderer, built ahead and untimed),
as a hand-written program would. A third program wraps those typed resources in a bare
ComponentResource with WebService's type token, output declarations and outputs: the floor
any Pulumi component with that output schema pays, so component/bare is Moorage's own
cost. All run N services in a fresh interpreter per measurement, interleaved; the garbage
collector's time and collections are recorded.

``python bench/full_service.py [--n N] [--reps R] [--write]`` prints a summary (and with
``--write`` puts it into BENCHMARKS.md); ``--profile`` shows where the component's
allocations go (tracemalloc) instead.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))

import pulumi  # noqa: E402
import pulumi_kubernetes as k8s  # noqa: E402
from moorage.webservice._component import _WebServiceOutputs  # noqa: E402

FULL_ARGS: dict[str, Any] = {
    "image": "registry.local/app:1.0.0",
    "config": {"LOG_LEVEL": "info", "FEATURE_X": "on"},
    "secrets": {"DB_PASSWORD": "not-a-real-password"},
    "autoscaling": {"min_replicas": 2, "max_replicas": 6},
    "metrics": {"port": 9090},
    "network_policy": {"allow_metrics_from_namespaces": ["monitoring"]},
}
VARIANTS = ("component", "bare", "typed")
CONDITIONS = ("quiet", "busy")
GOAL = 1.10
"""Component / typed, wall clock: at most this, quiet or busy."""
MARK_START = "<!-- full-service -->"
MARK_END = "<!-- /full-service -->"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"


class _Mocks(pulumi.runtime.Mocks):
    """Pulumi's testing-guide mocks: echo the inputs back."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return dict(args.args), []


def names(n: int) -> list[str]:
    return [f"svc{i}" for i in range(n)]


def prepared(n: int) -> list[dict[str, Any]]:
    """The bodies the component registers, per service (plain data, as a literal would be)."""
    from moorage.webservice import (
        CONFIG_CHECKSUM,
        SECRETS_CHECKSUM,
        build_spec,
        config_checksum,
        render,
        secrets_checksum,
    )

    out = []
    for name in names(n):
        spec = build_spec(name, dict(FULL_ARGS))  # type: ignore[arg-type]
        config = dict(spec.config.config)
        checksums = {
            CONFIG_CHECKSUM: config_checksum(config),
            # Under echoing mocks the Secret has no resourceVersion (see _config.py).
            SECRETS_CHECKSUM: secrets_checksum(None),
        }
        m = render(spec, checksums)
        out.append(
            {
                "name": name,
                "labels": m.metadata(name, None)["labels"],
                "workload_labels": m.workload_metadata(name, None)["labels"],
                "namespace_metadata": m.namespace_metadata,
                "config": config,
                "secrets": dict(FULL_ARGS["secrets"]),
                "deployment": m.deployment,
                "service": m.service(),
                "hpa": m.hpa("__TARGET__"),
                "pdb": m.pdb,
                "network_policy": m.network_policy,
            }
        )
    return json.loads(json.dumps(out, default=str))


def typed_services(bodies: list[dict[str, Any]]) -> None:
    """The same objects, declared with typed pulumi_kubernetes resources."""
    for svc in bodies:
        typed_service(svc, None)


def typed_service(svc: dict[str, Any], parent: pulumi.Resource | None) -> tuple[Any, Any, Any]:
    """One service's objects (children of ``parent`` when given): its namespace Output,
    Deployment and Service."""
    child = pulumi.ResourceOptions(parent=parent)
    name, labels = svc["name"], svc["labels"]
    ns = k8s.core.v1.Namespace(f"{name}-namespace", metadata=svc["namespace_metadata"], opts=child)
    namespace = ns.metadata.apply(lambda meta: meta.name)

    def meta(object_name: str, ns_: Any = namespace, labels_: Any = labels) -> dict[str, Any]:
        return {"name": object_name, "namespace": ns_, "labels": labels_}

    workload_meta = {**meta(name), "labels": svc["workload_labels"]}

    sa = k8s.core.v1.ServiceAccount(
        f"{name}-service-account",
        metadata=meta(name),
        automount_service_account_token=False,
        opts=child,
    )
    cm = k8s.core.v1.ConfigMap(
        f"{name}-config", metadata=meta(f"{name}-config"), data=svc["config"], opts=child
    )
    secret = k8s.core.v1.Secret(
        f"{name}-secrets",
        metadata=meta(f"{name}-secrets"),
        type="Opaque",
        string_data={k: pulumi.Output.secret(v) for k, v in svc["secrets"].items()},
        opts=child,
    )
    deployment = k8s.apps.v1.Deployment(
        f"{name}-deployment",
        metadata=workload_meta,
        spec=svc["deployment"],
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[sa, cm, secret]),
    )
    service = k8s.core.v1.Service(
        f"{name}-service", metadata=meta(name), spec=svc["service"], opts=child
    )
    hpa = dict(svc["hpa"])
    hpa["scaleTargetRef"] = {
        **hpa["scaleTargetRef"],
        "name": deployment.metadata.apply(lambda m: m.name),
    }
    k8s.autoscaling.v2.HorizontalPodAutoscaler(
        f"{name}-hpa",
        metadata=meta(name),
        spec=hpa,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[deployment]),
    )
    k8s.policy.v1.PodDisruptionBudget(
        f"{name}-pdb", metadata=meta(name), spec=svc["pdb"], opts=child
    )
    k8s.networking.v1.NetworkPolicy(
        f"{name}-network-policy", metadata=meta(name), spec=svc["network_policy"], opts=child
    )
    return namespace, deployment, service


class _BareComponent(_WebServiceOutputs):
    """The floor: a ComponentResource with WebService's type token, output declarations
    (the same base class) and outputs around the typed resources, and nothing of
    Moorage's."""

    def __init__(self, svc: dict[str, Any]) -> None:
        super().__init__("moorage:index:WebService", svc["name"], None, None)
        namespace, deployment, service = typed_service(svc, self)
        self.live_color = None
        self.namespace = namespace
        self.deployment_name = deployment.metadata.apply(lambda m: m.name)
        self.service_name = service.metadata.apply(lambda m: m.name)
        self.url = service.metadata.apply(
            lambda m: f"http://{m.name}.{m.namespace}.svc.cluster.local:80"
        )
        self.register_outputs(
            {
                "live_color": None,
                "namespace": self.namespace,
                "deployment_name": self.deployment_name,
                "service_name": self.service_name,
                "url": self.url,
            }
        )


def bare_services(bodies: list[dict[str, Any]]) -> None:
    """The same objects, as children of a bare component per service."""
    for svc in bodies:
        _BareComponent(svc)


def component_services(n: int) -> None:
    from moorage import WebService

    for name in names(n):
        WebService(name, dict(FULL_ARGS))  # type: ignore[arg-type]


class _GcClock:
    def __init__(self) -> None:
        self.seconds, self.collections, self.full, self._t = 0.0, 0, 0, 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._t = time.perf_counter()
            return
        self.seconds += time.perf_counter() - self._t
        self.collections += 1
        self.full += info.get("generation") == 2


def _run(program: Any, mocks: pulumi.runtime.Mocks | None = None) -> None:
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    pulumi.runtime.set_mocks(mocks or _Mocks(), project="bench", stack="bench", preview=False)
    _sync_await(run_pulumi_func(program))


def _program(variant: str, n: int) -> Any:
    """The program of ``variant`` for N services (typed bodies are built here, untimed).

    Every variant builds them, the component's program too (and drops them): the set-up
    leaves the garbage collector in the same state for all, so no variant starts with a
    full collection more or less due inside the timed window."""
    text = json.dumps(prepared(n))
    if variant == "typed":
        return lambda: typed_services(json.loads(text))
    if variant == "bare":
        return lambda: bare_services(json.loads(text))
    return lambda: component_services(n)


def measure(variant: str, n: int) -> dict[str, Any]:
    """One timed construction in this process."""
    import moorage.webservice  # noqa: F401  (imports are not part of the timing)

    program = _program(variant, n)
    clock = _GcClock()
    gc.callbacks.append(clock)
    started, cpu_started = time.perf_counter(), time.process_time()
    _run(program)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    gc.callbacks.remove(clock)
    return {
        "variant": variant,
        "n": n,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "gc_seconds": clock.seconds,
        "gc_collections": clock.collections,
        "gc_full": clock.full,
    }


def count_calls(variant: str, n: int) -> dict[str, Any]:
    """Python function calls of one construction: steady however busy the machine is."""
    import cProfile
    import pstats

    import moorage.webservice  # noqa: F401

    program = _program(variant, n)
    profiler = cProfile.Profile()
    profiler.enable()
    _run(program)
    profiler.disable()
    return {"variant": variant, "calls": pstats.Stats(profiler).total_calls}


class _Recorder(_Mocks):
    def __init__(self) -> None:
        self.inputs: dict[tuple[str, str], Any] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.inputs[(args.typ, args.name)] = dict(args.inputs)
        return super().new_resource(args)


def same_objects(n: int = 2) -> list[str]:
    """The Kubernetes objects whose inputs differ between the programs (none, or the
    comparison is unfair)."""
    seen = {}
    for variant in VARIANTS:
        recorder = _Recorder()
        _run(_program(variant, n), recorder)
        seen[variant] = {k: v for k, v in recorder.inputs.items() if k[0].startswith("kubernetes:")}
    differ: set[tuple[str, str]] = set()
    for other in ("bare", "typed"):
        a, b = seen["component"], seen[other]
        differ |= {key for key in set(a) | set(b) if a.get(key) != b.get(key)}
    return sorted(f"{typ} {name}" for typ, name in differ)


def profile(n: int) -> list[str]:
    """Where the component's allocations go: the top allocation sites during construction."""
    import tracemalloc

    import moorage.webservice  # noqa: F401

    tracemalloc.start(1)
    _run(lambda: component_services(n))
    snapshot = tracemalloc.take_snapshot()
    tracemalloc.stop()
    stats = snapshot.statistics("filename")[:12]
    return [
        f"{s.size / 1024:9.0f} KiB {s.count:8d} blocks  {s.traceback[0].filename}" for s in stats
    ]


def _subprocess(args: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    record: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return record


def run(n: int, reps: int) -> dict[str, Any]:
    """Interleaved fresh-process measurements of every variant, and their call counts."""
    records: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS}
    loads: list[float] = []
    for rep in range(reps):
        for variant in VARIANTS if rep % 2 == 0 else tuple(reversed(VARIANTS)):  # ABBA
            records[variant].append(_subprocess(["--measure", variant, str(n)]))
            loads.append(os.getloadavg()[0])
    summary: dict[str, Any] = {"n": n, "reps": reps}
    for variant, rs in records.items():
        summary[variant] = {
            key: statistics.median(r[key] for r in rs)
            for key in ("seconds", "cpu_seconds", "gc_seconds", "gc_collections", "gc_full")
        }
        summary[variant]["calls"] = _subprocess(["--count", variant, str(n)])["calls"]
    # Times: the median of the ratios of runs made in the same round (next to each other,
    # so under about the same load), steadier than a ratio of medians when load comes in
    # bursts. Calls are the same in every run.
    for key in ("seconds", "cpu_seconds"):
        for name, variant in (("ratio", "component"), ("bare", "bare")):
            summary[f"{name}_{key}"] = statistics.median(
                a[key] / b[key] for a, b in zip(records[variant], records["typed"], strict=True)
            )
    summary["ratio_calls"] = summary["component"]["calls"] / summary["typed"]["calls"]
    summary["bare_calls"] = summary["bare"]["calls"] / summary["typed"]["calls"]
    summary["load"] = statistics.median(loads)
    summary["condition"] = condition(summary["load"])
    return summary


def percent(ratio: float) -> str:
    """``1.046`` -> ``4.6 %``."""
    return f"{(ratio - 1) * 100:.1f} %"


def condition(load: float) -> str:
    """ "busy" when the 1-minute load average is at least the number of CPUs (other work
    wants every CPU the benchmark runs on), "quiet" otherwise."""
    return "busy" if load >= (os.cpu_count() or 1) else "quiet"


def markdown_block(summary: dict[str, Any]) -> str:
    """The tables of one run, for its condition (quiet or busy)."""
    labels = {
        "component": "component",
        "bare": "bare component (floor)",
        "typed": "typed pulumi_kubernetes",
    }
    rows = [
        f"| {labels[v]} | {r['seconds']:.2f} | {r['cpu_seconds']:.2f} | {r['gc_seconds']:.3f} "
        f"| {r['gc_collections']:.0f} | {r['gc_full']:.0f} | {r['calls'] / 1e6:.2f} M |"
        for v, r in ((v, summary[v]) for v in VARIANTS)
    ]
    verdict = "meets" if summary["ratio_seconds"] <= GOAL else "**misses**"
    cond = summary["condition"]
    return "\n".join(
        [
            f"<!-- full-service:{cond} -->",
            f"### On a {cond} machine (load average {summary['load']:.1f}, {os.cpu_count()} CPUs)",
            "",
            "| program | seconds | CPU seconds | GC seconds | GC collections "
            "| full collections | calls |",
            "| --- | --- | --- | --- | --- | --- | --- |",
            *rows,
            "",
            "| ratio | wall clock | CPU | calls |",
            "| --- | --- | --- | --- |",
            f"| component / typed | {summary['ratio_seconds']:.3f} "
            f"| {summary['ratio_cpu_seconds']:.3f} | {summary['ratio_calls']:.3f} |",
            f"| bare component / typed | {summary['bare_seconds']:.3f} "
            f"| {summary['bare_cpu_seconds']:.3f} | {summary['bare_calls']:.3f} |",
            "",
            f"Component / typed, wall clock: {summary['ratio_seconds']:.3f} against a goal of "
            f"at most {GOAL:.2f}: {verdict}.",
            f"<!-- /full-service:{cond} -->",
        ]
    )


def markdown(
    summary: dict[str, Any], differences: list[str], blocks: dict[str, str] | None = None
) -> str:
    """The whole section: this run's block, and the other condition's block from ``blocks``
    (the last one written) when there is one."""
    kept = dict(blocks or {})
    kept[summary["condition"]] = markdown_block(summary)
    return "\n".join(
        [
            MARK_START,
            f"## 5. A full service under mocks (N={summary['n']})",
            "",
            "Config, secrets, an autoscaler and metrics, under the echoing mocks of Pulumi's "
            "testing guide; the baseline registers the same Kubernetes objects with the same "
            "inputs through typed resources "
            f"({'identical' if not differences else 'DIFFERENT: ' + ', '.join(differences)}). "
            "The bare component wraps those typed resources in a ComponentResource with "
            "WebService's type token, output declarations (its base class) and outputs: what "
            "any component with that output schema pays. "
            f"Median of {summary['reps']} fresh processes each, interleaved; ratios are medians "
            "of the ratios within each round; every process "
            "does the same untimed set-up, so the garbage collector starts in the same state; "
            "call counts from one profiled run each (`python bench/full_service.py`; the "
            "machine counts as busy when its load average is at least its number of CPUs).",
            "",
            *[kept[c] + "\n" for c in CONDITIONS if c in kept],
            "Where the difference goes. Over typed resources, the bare component pays "
            "Pulumi's per-component work: one more registration, `register_outputs`, its "
            "outputs' applies and its children's parent bookkeeping "
            f"({percent(summary['bare_calls'])} more calls). Over the bare component, "
            f"Moorage's own work is {percent(summary['ratio_calls'] / summary['bare_calls'])} "
            "more calls: reading and checking the spec and rendering it, and the secrets "
            "checksum, one Output in the pod template where the baseline has a plain string. "
            "In time the gap over the floor was "
            f"{percent(summary['ratio_seconds'] / summary['bare_seconds'])} in this run, "
            "and it moves between runs: the GC seconds above show how much of it was "
            "garbage collection. "
            "Two costs are gone: the "
            "per-service checksum key resource (the checksum is now the Secret's "
            "resourceVersion), and Pulumi's re-reading of WebService's output annotations at "
            "every registration (a `get_type_hints` into a new class, about 2 % of the "
            "construction), avoided by declaring the outputs on a base class, whose "
            "annotations Pulumi does not re-read. A set-up that differed between the "
            "programs used to move one full collection (about 0.2 s at this heap) into the "
            "component's timed window; every process now does the same set-up. Wall-clock "
            "ratios move with the load: other processes' time slices land on whichever "
            "program is running.",
            MARK_END,
        ]
    )


def written_blocks() -> dict[str, str]:
    """The condition blocks BENCHMARKS.md holds now."""
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else ""
    blocks = {}
    for cond in CONDITIONS:
        start, end = f"<!-- full-service:{cond} -->", f"<!-- /full-service:{cond} -->"
        if start in text and end in text:
            blocks[cond] = start + text.split(start, 1)[1].split(end, 1)[0] + end
    return blocks


def write(section: str) -> None:
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else ""
    if MARK_START in text:
        before, rest = text.split(MARK_START, 1)
        after = rest.split(MARK_END, 1)[1]
        text = before + section + after
    elif "\n## Set-up" in text:
        before, after = text.split("\n## Set-up", 1)
        text = before.rstrip() + "\n\n" + section + "\n\n## Set-up" + after
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    BENCHMARKS_MD.write_text(text)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    parser.add_argument("--profile", action="store_true", help="tracemalloc top sites")
    parser.add_argument("--measure", nargs=2, metavar=("VARIANT", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--count", nargs=2, metavar=("VARIANT", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure[0], int(args.measure[1]))))
        return 0
    if args.count:
        print(json.dumps(count_calls(args.count[0], int(args.count[1]))))
        return 0
    if args.profile:
        print("\n".join(profile(args.n)))
        return 0
    differences = same_objects()
    summary = run(args.n, args.reps)
    section = markdown(summary, differences, written_blocks())
    print(section)
    if args.write:
        write(section)
    return 0 if not differences else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
