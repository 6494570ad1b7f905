"""scripts/check-manifests: the policy pack on rendered manifests, as fork pull requests run it.

A fork's pull request gets no secrets and no cloud credentials, so its check renders every
stack and runs the pack's Kubernetes policies on the files; the tests write such files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]

UNPINNED_DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "legacy", "namespace": "shop"},
    "spec": {
        "replicas": 1,
        "selector": {"matchLabels": {"app": "legacy"}},
        "template": {
            "metadata": {"labels": {"app": "legacy"}},
            "spec": {"containers": [{"name": "legacy", "image": "nginx:latest"}]},
        },
    },
}
OPEN_LOAD_BALANCER = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "legacy", "namespace": "shop"},
    "spec": {"type": "LoadBalancer", "ports": [{"port": 80}], "selector": {"app": "legacy"}},
}


def checkout(tmp_path: Path, policy_config: str | None) -> Path:
    """scripts/ and policy/ of this checkout, with ``policy_config`` as stack ``t``'s config."""
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    shutil.copytree(ROOT / "policy", tmp_path / "policy", ignore=shutil.ignore_patterns("config"))
    (tmp_path / "policy" / "config").mkdir()
    if policy_config is not None:
        (tmp_path / "policy" / "config" / "t.json").write_text(policy_config)
    rendered = tmp_path / "rendered" / "t" / "1-manifest"
    rendered.mkdir(parents=True)
    (rendered / "apps_v1-deployment-shop-legacy.yaml").write_text(
        yaml.safe_dump(UNPINNED_DEPLOYMENT)
    )
    (rendered / "v1-service-shop-legacy.yaml").write_text(yaml.safe_dump(OPEN_LOAD_BALANCER))
    return tmp_path


def check_manifests(root: Path) -> tuple[subprocess.CompletedProcess[str], str]:
    summary = root / "summary.md"
    done = subprocess.run(
        [
            sys.executable,
            str(root / "scripts" / "check-manifests"),
            "t",
            str(root / "rendered" / "t"),
            "--summary",
            str(summary),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done, summary.read_text() if summary.exists() else ""


def test_a_mandatory_violation_fails_the_check_and_is_in_the_job_summary(tmp_path: Path) -> None:
    done, summary = check_manifests(checkout(tmp_path, None))
    assert done.returncode == 1, done.stderr
    assert summary.strip() == done.stdout.strip()
    assert "rendered manifests of `t`: FAILED" in summary
    assert "2 objects checked" in summary
    rows = [line for line in summary.splitlines() if line.startswith("| mandatory")]
    assert any(
        "apps/v1:Deployment legacy" in row and "[deployment-image-pinned]" in row for row in rows
    ), summary
    assert any("[deployment-resources]" in row for row in rows), summary
    assert any(
        "core/v1:Service legacy" in row and "[load-balancer-allow-list]" in row for row in rows
    ), summary


def test_the_stacks_policy_config_sets_levels(tmp_path: Path) -> None:
    config = {"all": "advisory"}
    done, summary = check_manifests(checkout(tmp_path, json.dumps(config)))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rendered manifests of `t`: passed" in summary
    assert "| advisory" in summary and "| mandatory" not in summary

    disabled = {"all": "disabled"}
    done, summary = check_manifests(checkout(tmp_path / "off", json.dumps(disabled)))
    assert done.returncode == 0
    assert "0 mandatory and 0 advisory violations" in summary
