"""scripts/preview: the readable summary groups the changes by service."""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "preview"
STACK_URN = "urn:pulumi:local::moorage::pulumi:pulumi:Stack::moorage-local"
APP = "urn:pulumi:local::moorage::moorage:index:Application::local"


def load() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("preview_script", str(SCRIPT))
    spec = importlib.util.spec_from_loader("preview_script", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def event(op: str, urn: str, parent: str, diff: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "resourcePreEvent": {
            "metadata": {
                "op": op,
                "urn": urn,
                "type": urn.rsplit("::", 2)[-2].rsplit("$", 1)[-1],
                "old": {"inputs": {"spec": {"replicas": 2}}, "parent": parent},
                "new": {"inputs": {"spec": {"replicas": 3}}, "parent": parent},
                "detailedDiff": diff or {},
            }
        }
    }


def service_events(name: str, op: str) -> list[dict[str, Any]]:
    service = (
        f"urn:pulumi:local::moorage::moorage:index:Application$moorage:index:WebService::{name}"
    )
    child = "moorage:index:Application$moorage:index:WebService$kubernetes:apps/v1:Deployment"
    diff = {"spec.replicas": {"kind": "update"}} if op == "update" else None
    return [
        event("same", service, APP),
        event(op, f"urn:pulumi:local::moorage::{child}::{name}-deployment", service, diff),
    ]


def test_changes_are_counted_and_shown_per_service() -> None:
    preview = load()
    events = [
        event("same", APP, STACK_URN),
        *[e for i in range(30) for e in service_events(f"svc{i}", "create")],
        *service_events("web", "update"),
        {"summaryEvent": {"result": "succeeded", "resourceChanges": {"create": 30, "update": 1}}},
    ]
    report = preview.summary("local", 0, events)
    assert report["services"]["web"] == {"update": 1}
    assert report["services"]["svc7"] == {"create": 1}
    assert {s["service"] for s in report["steps"]} >= {"web", "svc0"}
    text = preview.readable(report)
    assert "Services (31 changing):" in text
    assert "  svc7: 1 to create (Deployment)" in text
    assert "  web: 1 to update" in text
    assert "spec.replicas: 2 => 3" in text
    # One line per created service: 30 services stay readable.
    assert len(text.splitlines()) < 50


def test_the_defaults_that_differ_from_kubernetes_are_listed_once_per_stack() -> None:
    preview = load()
    defaults = preview.differing_defaults("local")  # stacks/Pulumi.local.yaml
    by_path = {d["path"]: d for d in defaults}
    # Every service runs as 10001 unless it says otherwise; each service sets replicas.
    assert by_path["run_as_user"]["moorage"] == "10001"
    assert by_path["run_as_user"]["kubernetes"] == "the image's user"
    assert set(by_path["run_as_user"]["services"]) == {"web", "catalog", "cart", "cache"}
    assert "replicas" not in by_path
    events = [
        *[
            e
            for name in ("web", "catalog", "cart", "cache")
            for e in service_events(name, "create")
        ],
        {"summaryEvent": {"result": "succeeded", "resourceChanges": {"create": 4}}},
    ]
    report = preview.summary("local", 0, events, defaults)
    assert report["differingDefaults"] == defaults
    text = preview.readable(report)
    assert text.count("Moorage defaults in effect that differ from Kubernetes'") == 1
    assert text.count("  run_as_user: 10001  (every service)") == 1
    assert "Kubernetes: the image's user; why: never root" in text


def test_no_stack_file_means_no_defaults_section() -> None:
    preview = load()
    assert preview.differing_defaults("no-such-stack") == []
    report = preview.summary("x", 0, [], [])
    assert "differ from Kubernetes" not in preview.readable(report)
