"""Under CI=true a skipped engine test fails the run; locally it stays a skip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

TESTS = """
import pytest

def test_needs_a_tool_that_was_not_built():
    pytest.skip("npm is not installed")

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_to_fail():
    assert False

def test_runs():
    assert True
"""


def run(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(
        "from tests.engine.ci_skips import pytest_runtest_makereport  # noqa: F401\n"
    )
    (tmp_path / "test_engine_like.py").write_text(TESTS)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_skip_fails_under_ci_and_keeps_its_reason(tmp_path: Path) -> None:
    done = run(tmp_path, "true")
    assert done.returncode == 1, done.stdout
    assert "1 failed, 1 passed, 1 xfailed" in done.stdout
    assert "skipped under CI=true" in done.stdout and "npm is not installed" in done.stdout


def test_a_skip_stays_a_skip_outside_ci(tmp_path: Path) -> None:
    for ci in (None, "false"):
        done = run(tmp_path, ci)
        assert done.returncode == 0, done.stdout
        assert "1 passed, 1 skipped, 1 xfailed" in done.stdout
