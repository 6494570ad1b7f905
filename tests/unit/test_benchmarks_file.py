"""BENCHMARKS.md is written by several benchmark scripts: none may drop another's figures."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _bench(name: str) -> ModuleType:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / f"bench/{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "bench"))


def test_a_make_bench_rewrite_keeps_what_other_scripts_wrote() -> None:
    run = _bench("run")
    written_before_the_marker = (
        "# Benchmarks\n\n## Machine and run\n\nold\n\n## 4. Render\n\nold\n\n"
        "## 30 services in one stack (its own)\n\nold\n\n## Canary steps\n\nkept\n\n"
        "<!-- convert -->\nconvert\n<!-- /convert -->\n\n## Set-up\n\nkept too\n"
    )
    kept = run.kept_sections(written_before_the_marker)
    assert kept.startswith("## Canary steps")
    assert "<!-- convert -->" in kept and "## Set-up" in kept and "old" not in kept
    with_marker = f"# Benchmarks\n\n## 1. new\n\n{run.END_OF_REPORT}\n\n## Set-up\n\nkept\n"
    assert run.kept_sections(with_marker) == "## Set-up\n\nkept\n"


def _summary(condition: str, ratio: float) -> dict[str, Any]:
    summary: dict[str, Any] = {"n": 100, "reps": 5, "load": 0.5, "condition": condition}
    for variant in ("component", "bare", "typed"):
        summary[variant] = {
            "seconds": 3.0,
            "cpu_seconds": 3.0,
            "gc_seconds": 1.0,
            "gc_collections": 700,
            "gc_full": 5,
            "calls": 9e6,
        }
    for key in ("seconds", "cpu_seconds", "calls"):
        summary[f"ratio_{key}"], summary[f"bare_{key}"] = ratio, 1.0
    return summary


def test_the_full_service_section_keeps_the_other_conditions_figures() -> None:
    full_service = _bench("full_service")
    busy = full_service.markdown_block(_summary("busy", 1.21))
    section = full_service.markdown(_summary("quiet", 1.05), [], {"busy": busy})
    assert "### On a quiet machine" in section and "### On a busy machine" in section
    assert "1.050 against a goal of at most 1.10: meets" in section
    assert "1.210 against a goal of at most 1.10: **misses**" in section
    assert section.index("quiet machine") < section.index("busy machine")


def test_a_machine_is_busy_when_its_load_is_at_least_its_cpus() -> None:
    full_service = _bench("full_service")
    cpus = os.cpu_count() or 1
    assert full_service.condition(cpus) == "busy"
    assert full_service.condition(cpus - 0.5) == "quiet"
