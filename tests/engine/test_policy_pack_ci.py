"""The policy pack as the CI workflows run it (.github/workflows).

- Cloud previews and deploys: pulumi/actions with ``policyPacks: policy``, the directory
  pack (PulumiPolicy.yaml), started by the Python language host.
- Pull requests from forks: every stack rendered (scripts/render), then the pack's
  Kubernetes policies on the rendered manifests (scripts/check-manifests), no credentials.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from pulumi import automation as auto

from .harness import PROGRAMS, ROOT, engine_stack, render_stack

PACK_DIRECTORY = str(ROOT / "policy")
BAD_DEPLOYMENT = PROGRAMS / "bad_deployment"
GOOD_SERVICE = PROGRAMS / "good_service"


def ci_environment(env: dict[str, str]) -> dict[str, str]:
    """The engine environment as on a CI runner: the project venv is not on PATH.

    The pack then finds pulumi-policy only through PulumiPolicy.yaml's ``virtualenv``.
    The program gets the venv's Python from PULUMI_PYTHON_CMD: the official host reads
    the program's own ``virtualenv`` option, the pinned one does not (docs/python.md).
    """
    venv_bin = str(ROOT / ".venv" / "bin")
    path = [d for d in env["PATH"].split(os.pathsep) if d != venv_bin]
    return {
        **env,
        "PATH": os.pathsep.join(path),
        "VIRTUAL_ENV": "",
        "PULUMI_PYTHON_CMD": str(ROOT / ".venv" / "bin" / "python"),
    }


@pytest.mark.parametrize(
    ("program", "violations"),
    [  # the violations each program must (at least) be reported for
        pytest.param(BAD_DEPLOYMENT, {"deployment-image-pinned", "deployment-resources"}, id="bad"),
        pytest.param(GOOD_SERVICE, set(), id="good"),
    ],
)
def test_the_directory_pack_judges_a_preview_as_pulumi_actions_runs_it(
    env: dict[str, str], work_dir: Path, program: Path, violations: set[str]
) -> None:
    """``policyPacks: policy`` with the stack's config: the directory pack (PulumiPolicy.yaml,
    started by the Python language host) fails a bad preview with its messages and
    passes a WebService with Moorage's defaults."""
    events: list[auto.events.PolicyEvent] = []

    def collect(event: auto.EngineEvent) -> None:
        if event.policy_event is not None:
            events.append(event.policy_event)

    with engine_stack(work_dir, ci_environment(env), program) as stack:
        stack.set_config({"moorage:renderDir": str(work_dir / f"{stack.name}-unused")})
        error: auto.CommandError | None = None
        try:
            stack.preview(
                policy_packs=[PACK_DIRECTORY],
                policy_pack_configs=[str(ROOT / "policy" / "config" / "local.json")],
                on_event=collect,
            )
        except auto.CommandError as failed:
            error = failed
    log = "".join(stack.log)
    assert "moorage@v0.1.0" in log, log  # the CLI's report names the pack it ran
    reported = {event.policy_name for event in events}
    if violations:
        assert violations <= reported, log
        assert error is not None, "a mandatory violation must fail the preview"
        assert 'uses the mutable tag "nginx:latest"' in log, log  # the policy's own message
    else:
        assert reported == set(), log
        assert error is None, log


def test_a_forks_check_renders_the_local_stack_and_its_manifests_pass_the_pack(
    env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "rendered"
    python = str(ROOT / ".venv" / "bin" / "python")
    rendered = render_stack("local", out, env, timeout=900)
    assert rendered.returncode == 0, rendered.stderr
    summary = tmp_path / "summary.md"
    check = [python, str(ROOT / "scripts" / "check-manifests"), "local", str(out)]
    checked = subprocess.run(
        [*check, "--summary", str(summary)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = summary.read_text()
    assert "rendered manifests of `local`: passed" in report
    assert "0 mandatory" in report
