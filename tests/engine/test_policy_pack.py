"""The policy pack under the real engine: `pulumi preview --policy-pack`.

Previews only: the local cluster is a dynamic resource created on `up`, and the bad
program renders to a directory, so no cluster is needed and each preview takes
seconds. The pack is the directory policy/ (PulumiPolicy.yaml), as scripts/preview and
the CI workflows pass it; test_policy_pack_ci.py runs it with a runner's environment.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from pulumi import automation as auto

from .harness import PROGRAMS, ROOT, engine_stack, file_backend_url

PACK = str(ROOT / "policy")
BAD_DEPLOYMENT = PROGRAMS / "bad_deployment"
EXPECTED = {
    "deployment-resources": "kubernetes:apps/v1:Deployment::legacy",
    "deployment-probes": "kubernetes:apps/v1:Deployment::legacy",
    "deployment-security-context": "kubernetes:apps/v1:Deployment::legacy",
    "deployment-image-pinned": "kubernetes:apps/v1:Deployment::legacy",
    "deployment-no-secret-env-value": "kubernetes:apps/v1:Deployment::legacy",
    "deployment-pod-disruption-budget": "kubernetes:apps/v1:Deployment::legacy",
    "load-balancer-allow-list": "kubernetes:core/v1:Service::legacy",
}


def test_the_local_stack_passes_make_preview_with_no_violation(
    env: dict[str, str], tmp_path: Path
) -> None:
    """`make preview STACK=local ARGS=--json` on stacks/Pulumi.local.yaml, in a private backend."""
    run_env = {**os.environ, **env, "PULUMI_BACKEND_URL": file_backend_url(tmp_path)}
    out = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "python"),
            str(ROOT / "scripts" / "preview"),
            "local",
            "--json",
        ],
        cwd=ROOT,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert out.returncode == 0, out.stderr + out.stdout
    report = json.loads(out.stdout)
    assert report["result"] == "succeeded"
    assert report["policyViolations"] == []
    assert any(key.startswith("moorage|") for key in report["policyPacks"]), report["policyPacks"]
    types = {step["type"] for step in report["steps"]}
    assert {"kubernetes:apps/v1:Deployment", "kubernetes:policy/v1:PodDisruptionBudget"} <= types


def _preview_bad_deployment(
    env: dict[str, str], work_dir: Path, config_file: Path | None = None
) -> tuple[list[auto.events.PolicyEvent], auto.CommandError | None, list[str]]:
    events: list[auto.events.PolicyEvent] = []

    def collect(event: auto.EngineEvent) -> None:
        if event.policy_event is not None:
            events.append(event.policy_event)

    with engine_stack(work_dir, env, BAD_DEPLOYMENT) as stack:
        stack.set_config({"moorage:renderDir": str(work_dir / f"{stack.name}-unused")})
        try:
            stack.preview(
                policy_packs=[PACK],
                policy_pack_configs=[str(config_file)] if config_file else None,
                on_event=collect,
            )
        except auto.CommandError as error:
            return events, error, stack.log
        return events, None, stack.log


def test_a_bad_raw_deployment_is_reported_and_fails_the_preview(
    env: dict[str, str], work_dir: Path
) -> None:
    events, error, log = _preview_bad_deployment(env, work_dir)
    assert error is not None, "a mandatory violation must fail the preview"
    found = {e.policy_name: e for e in events}
    assert set(EXPECTED) <= set(found), sorted(found)
    for name, urn_suffix in EXPECTED.items():
        event = found[name]
        assert event.enforcement_level == "mandatory"
        assert (event.resource_urn or "").endswith(urn_suffix), (name, event.resource_urn)
        assert "How to fix:" in event.message, event.message
    assert "hunter2-in-plain-text" not in found["deployment-no-secret-env-value"].message
    assert "Policies:" in "".join(log)  # the CLI's own report names them too


def test_enforcement_is_configurable_per_stack(
    env: dict[str, str], work_dir: Path, tmp_path: Path
) -> None:
    config = tmp_path / "advisory.json"
    config.write_text(json.dumps({"all": "advisory"}))
    events, error, _ = _preview_bad_deployment(env, work_dir, config)
    assert error is None, "advisory violations must not fail the preview"
    assert {e.enforcement_level for e in events} == {"advisory"}
    assert set(EXPECTED) <= {e.policy_name for e in events}
