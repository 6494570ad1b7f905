"""The GitHub workflows: valid against GitHub's schema, and wired the way the README says.

Validation uses check-jsonschema with its vendored GitHub workflow and action schemas
(no network). The other tests read the YAML for the behaviour a team relies on: every
PR (forks too) rendered and policy-checked without credentials, cloud previews with the
policy pack for this repository's branches, actions pinned by commit, OIDC credentials,
`up` only in environments with required reviewers; zizmor runs offline as `make lint` runs it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SETUP_ACTION = ROOT / ".github" / "actions" / "setup" / "action.yml"
STACKS = sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))
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


PULUMI_ACTION = "pulumi/actions@"
FULL_SHA = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
ZIZMOR = Path(sys.executable).parent / "zizmor"


def all_steps() -> list[tuple[str, dict[str, Any]]]:
    """(where, step) for every step of every workflow job and of the setup action."""
    found = []
    for path in WORKFLOWS:
        for name, job in yaml.safe_load(path.read_text())["jobs"].items():
            found += [(f"{path.name}:{name}", step) for step in job.get("steps", [])]
    action = yaml.safe_load(SETUP_ACTION.read_text())
    found += [("setup action", step) for step in action["runs"]["steps"]]
    return found


def test_pull_requests_run_checks_then_render_and_policy_for_every_stack_without_credentials() -> (
    None
):
    workflow = load("pull-request.yml")
    assert "pull_request" in triggers(workflow)
    assert "pull_request_target" not in triggers(workflow)
    checks = workflow["jobs"]["checks"]
    runs = [s.get("run") for s in checks["steps"]]
    assert [r for r in runs if r] == ["make lint", "make typecheck", "make test-unit"]

    render = workflow["jobs"]["render"]
    assert "if" not in render, "forks too"
    assert render["permissions"] == {"contents": "read"}
    assert "secrets." not in yaml.safe_dump(render), "a fork's run has no secrets"
    stacks = render["strategy"]["matrix"]["stack"]
    assert sorted(stacks) == sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in STACKS)
    runs = [s.get("run", "") for s in render["steps"]]
    (render_step,) = [r for r in runs if "scripts/render" in r]
    (policy_step,) = [r for r in runs if "scripts/check-manifests" in r]
    assert runs.index(render_step) < runs.index(policy_step)
    assert '"rendered/$STACK"' in render_step and '"rendered/$STACK"' in policy_step
    assert '--summary "$GITHUB_STEP_SUMMARY"' in policy_step
    (upload,) = steps_using(render, "actions/upload-artifact@")
    assert upload["if"] == "always()"  # manifests even when a policy fails


def test_cloud_previews_run_for_this_repositorys_branches_and_skip_forks() -> None:
    preview = load("pull-request.yml")["jobs"]["preview"]
    assert preview["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    assert preview["needs"] == "checks"
    assert preview["permissions"] == {
        "contents": "read",
        "id-token": "write",
        "pull-requests": "write",
    }
    assert "matrix.stack" in preview["concurrency"]["group"]
    for entry in preview["strategy"]["matrix"]["include"]:
        assert (ROOT / "stacks" / f"Pulumi.{entry['stack']}.yaml").is_file(), entry
        assert (ROOT / "policy" / "config" / f"{entry['stack']}.json").is_file(), entry
    (action,) = steps_using(preview, PULUMI_ACTION)
    assert action["with"]["command"] == "preview"
    assert action["with"]["comment-on-pr"] is True
    assert action["with"]["policyPacks"] == "policy"
    assert action["with"]["policyPackConfigs"] == "policy/config/${{ matrix.stack }}.json"


def test_every_action_is_pinned_by_commit_sha_and_pulumi_actions_is_v7() -> None:
    for where, step in all_steps():
        uses = step.get("uses")
        if uses is None or uses.startswith("./"):
            continue
        assert FULL_SHA.match(uses), f"{where}: {uses} is not pinned to a commit"
    text = "\n".join(p.read_text() for p in [*WORKFLOWS, SETUP_ACTION])
    pulumi_lines = [line for line in text.splitlines() if PULUMI_ACTION in line]
    assert pulumi_lines and all(line.rstrip().endswith("# v7.0.0") for line in pulumi_lines)


def test_checkouts_keep_no_credentials_and_secrets_reach_only_the_steps_that_use_them() -> None:
    checkouts = [
        s for _w, s in all_steps() if str(s.get("uses", "")).startswith("actions/checkout@")
    ]
    assert checkouts and all(s["with"]["persist-credentials"] is False for s in checkouts)
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text())
        assert workflow["permissions"] == {}, path.name
        assert "secrets." not in yaml.safe_dump(workflow.get("env", {})), path.name
        for name, job in workflow["jobs"].items():
            assert "permissions" in job, f"{path.name}:{name}"


def test_an_empty_passphrase_is_refused_before_every_pulumi_command() -> None:
    for path in WORKFLOWS:
        for name, job in yaml.safe_load(path.read_text())["jobs"].items():
            steps = job.get("steps", [])
            for index, step in enumerate(steps):
                if str(step.get("uses", "")).startswith(PULUMI_ACTION) and "command" in step.get(
                    "with", {}
                ):
                    runs = [s.get("run", "") for s in steps[:index]]
                    assert any(r.startswith("scripts/secrets-provider") for r in runs), (
                        f"{path.name}:{name}"
                    )


def test_the_setup_action_caches_uv_and_pulumi_plugins_and_uses_oidc_for_both_clouds() -> None:
    action = yaml.safe_load(SETUP_ACTION.read_text())
    steps = action["runs"]["steps"]
    assert any(s.get("run") == "make venv" for s in steps)
    caches = [
        s["with"]["path"] for s in steps if str(s.get("uses", "")).startswith("actions/cache@")
    ]
    cached = " ".join(caches)
    assert "~/.cache/uv" in cached and "~/.pulumi/plugins" in cached
    python = next(s for s in steps if str(s.get("uses", "")).startswith("actions/setup-python@"))
    assert "cache" not in python["with"], "make venv installs with uv, not pip"
    uses = {str(s.get("uses", "")).split("@")[0]: s for s in steps}
    aws = uses["aws-actions/configure-aws-credentials"]
    assert "role-to-assume" in aws["with"] and "aws-access-key-id" not in aws["with"]
    gcp = uses["google-github-actions/auth"]
    assert "workload_identity_provider" in gcp["with"] and "credentials_json" not in gcp["with"]


def test_main_runs_up_per_environment_only_behind_required_reviewers() -> None:
    workflow = load("deploy.yml")
    assert triggers(workflow)["push"]["branches"] == ["main"]
    jobs = workflow["jobs"]
    guard = jobs.pop("environments")
    assert guard["permissions"] == {"actions": "read"}
    (check,) = guard["steps"]
    assert "required_reviewers" in check["run"] and "exit 1" in check["run"]
    assert "for environment in staging production" in check["run"]
    assert jobs["staging"]["needs"] == "environments"
    assert jobs["production"]["needs"] == "staging"
    for name, job in jobs.items():
        assert job["environment"] in ("staging", "production"), name
        assert job["permissions"]["id-token"] == "write"
        assert job["concurrency"]["cancel-in-progress"] is False, "never cancel an update"
        (setup,) = [s for s in job["steps"] if s.get("uses") == "./.github/actions/setup"]
        assert setup["with"]["cache"] == "false", "a deploy restores nothing a PR could write"
        (action,) = steps_using(job, PULUMI_ACTION)
        assert action["with"]["command"] == "up"
        assert action["with"]["policyPacks"] == "policy"


def test_the_drift_check_refreshes_and_expects_no_changes_on_a_schedule() -> None:
    workflow = load("drift.yml")
    assert triggers(workflow)["schedule"]
    (action,) = steps_using(workflow["jobs"]["drift"], PULUMI_ACTION)
    assert action["with"]["command"] == "preview"
    assert action["with"]["refresh"] is True
    assert action["with"]["expect-no-changes"] is True


def zizmor(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ZIZMOR), "--offline", "--quiet", str(directory)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_zizmor_finds_nothing_offline_and_would_catch_an_unpinned_action(tmp_path: Path) -> None:
    result = zizmor(ROOT / ".github")
    assert result.returncode == 0, result.stdout + result.stderr
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "bad.yml").write_text(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    permissions: {}\n    steps:\n      - uses: actions/checkout@v4\n"
    )
    assert zizmor(tmp_path / ".github").returncode != 0


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_pin_the_engine_version_of_tools_versions_env(path: Path) -> None:
    versions = dict(
        line.split("=", 1)
        for line in (ROOT / "tools" / "versions.env").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert yaml.safe_load(path.read_text())["env"]["PULUMI_VERSION"] == versions["PULUMI_VERSION"]
