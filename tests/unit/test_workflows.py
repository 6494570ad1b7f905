"""The GitHub workflows: valid against GitHub's schema, and wired the way the README says.

Validation uses check-jsonschema with its vendored GitHub workflow and action schemas
(no network). The other tests read the YAML for the behaviour a team relies on:
previews with the policy pack on every PR, OIDC credentials, environments for `up`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SETUP_ACTION = ROOT / ".github" / "actions" / "setup" / "action.yml"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def load(name: str) -> dict[Any, Any]:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())  # type: ignore[no-any-return]


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    return workflow[True]  # type: ignore[no-any-return]  # YAML 1.1 reads the key `on` as True


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if str(s.get("uses", "")).startswith(action)]


def validate(schema: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_workflows_exist() -> None:
    assert {p.name for p in WORKFLOWS} == {"pull-request.yml", "deploy.yml", "drift.yml"}


def test_workflows_and_the_setup_action_match_githubs_schemas() -> None:
    result = validate("vendor.github-workflows", *WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    result = validate("vendor.github-actions", SETUP_ACTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validator_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    steps:\n      - run: make\n")  # no runs-on
    assert validate("vendor.github-workflows", broken).returncode != 0


def test_pull_requests_run_checks_then_a_policy_preview_per_stack() -> None:
    workflow = load("pull-request.yml")
    assert "pull_request" in triggers(workflow)
    checks = workflow["jobs"]["checks"]
    runs = [s.get("run") for s in checks["steps"]]
    assert [r for r in runs if r] == ["make lint", "make typecheck", "make test-unit"]

    preview = workflow["jobs"]["preview"]
    assert preview["needs"] == "checks"
    assert preview["permissions"] == {
        "contents": "read",
        "id-token": "write",
        "pull-requests": "write",
    }
    assert "matrix.stack" in preview["concurrency"]["group"]
    stacks = [entry["stack"] for entry in preview["strategy"]["matrix"]["include"]]
    for stack in stacks:
        assert (ROOT / "stacks" / f"Pulumi.{stack}.yaml").is_file(), stack
        assert (ROOT / "policy" / "config" / f"{stack}.json").is_file(), stack

    (action,) = steps_using(preview, "pulumi/actions@v6")
    assert action["with"]["command"] == "preview"
    assert action["with"]["comment-on-pr"] is True
    assert action["with"]["diff"] is True
    assert action["with"]["policyPacks"] == "policy"
    assert action["with"]["policyPackConfigs"] == "policy/config/${{ matrix.stack }}.json"

    names = [s.get("uses") or s.get("run", "") for s in preview["steps"]]
    setup = names.index("./.github/actions/setup")
    assert setup < names.index("pulumi/actions@v6"), "pip packages must be installed first"
    render = next(s for s in preview["steps"] if "scripts/render" in s.get("run", ""))
    (upload,) = steps_using(preview, "actions/upload-artifact@")
    assert upload["with"]["path"] == "rendered/${{ matrix.stack }}"
    assert render["if"] == upload["if"] == "always()"  # manifests even when a policy fails


def test_the_setup_action_installs_pip_packages_and_uses_oidc_for_both_clouds() -> None:
    action = yaml.safe_load(SETUP_ACTION.read_text())
    steps = action["runs"]["steps"]
    assert any(s.get("run") == "make venv" for s in steps)
    uses = {str(s.get("uses", "")).split("@")[0]: s for s in steps}
    aws = uses["aws-actions/configure-aws-credentials"]
    assert "role-to-assume" in aws["with"] and "aws-access-key-id" not in aws["with"]
    gcp = uses["google-github-actions/auth"]
    assert "workload_identity_provider" in gcp["with"] and "credentials_json" not in gcp["with"]


def test_main_runs_up_per_environment_with_protection_rules() -> None:
    workflow = load("deploy.yml")
    assert triggers(workflow)["push"]["branches"] == ["main"]
    jobs = workflow["jobs"]
    assert jobs["production"]["needs"] == "staging"
    for name, job in jobs.items():
        assert job["environment"] in ("staging", "production"), name
        assert job["permissions"]["id-token"] == "write"
        assert job["concurrency"]["cancel-in-progress"] is False, "never cancel an update"
        (action,) = steps_using(job, "pulumi/actions@v6")
        assert action["with"]["command"] == "up"
        assert action["with"]["policyPacks"] == "policy"


def test_the_drift_check_refreshes_and_expects_no_changes_on_a_schedule() -> None:
    workflow = load("drift.yml")
    assert triggers(workflow)["schedule"]
    (action,) = steps_using(workflow["jobs"]["drift"], "pulumi/actions@v6")
    assert action["with"]["command"] == "preview"
    assert action["with"]["refresh"] is True
    assert action["with"]["expect-no-changes"] is True


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_pin_the_engine_version_of_tools_versions_env(path: Path) -> None:
    versions = dict(
        line.split("=", 1)
        for line in (ROOT / "tools" / "versions.env").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert yaml.safe_load(path.read_text())["env"]["PULUMI_VERSION"] == versions["PULUMI_VERSION"]
