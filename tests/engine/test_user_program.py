"""A user's own program, as the README shows it, outside this checkout (docs/python.md).

A new Pulumi project in a temporary directory, a venv with only the core distribution
(Moorage's wheel, no cloud extra), the README's example verbatim, and the pinned tools on
PATH only: no MOORAGE_TOOLS_BIN, nothing from this checkout but the wheel. `up` runs on
kwok, then `destroy`. Every step is one docs/python.md tells the user to take.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .harness import ROOT, plugin_acquisition_disabled

README = ROOT / "README.md"
CORE_VENV_LIMIT = 250 * 1024 * 1024


def readme_example() -> str:
    """The Python block of the README's "Using the components in your own program"."""
    section = README.read_text().split("## Using the components in your own program", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README lost its example"
    return match.group(1)


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 900) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{' '.join(command[:3])}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def size_of(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(ROOT), "-w", str(out)],
        cwd=out,
        env=dict(os.environ),
    )
    (path,) = out.glob("moorage-*.whl")
    return path


def test_the_readme_example_runs_up_and_destroy_in_a_project_of_its_own(
    bin_dir: Path, wheel: Path, tmp_path: Path
) -> None:
    project = tmp_path / "my-infra"
    project.mkdir()
    assert not project.is_relative_to(ROOT)
    # docs/python.md, step 1: a venv with Moorage (the core: no cloud SDK).
    uv = run([str(ROOT / "tools" / "setup-venv"), "--print-uv"], ROOT, dict(os.environ)).strip()
    run([uv, "venv", "--quiet", "--seed", "--python", "python3", "venv"], project, dict(os.environ))
    venv_python = str(project / "venv" / "bin" / "python")
    # The lock pins what the wheel's requirements resolve to (offline, from uv's cache).
    install = [uv, "pip", "install", "--quiet", "--python", venv_python, str(wheel)]
    run([*install, "-c", str(ROOT / "requirements.lock")], project, dict(os.environ))
    site = run(
        [
            venv_python,
            "-c",
            "import moorage, importlib.util as u; "
            "print(moorage.__file__, u.find_spec('pulumi_aws') is None)",
        ],
        project,
        dict(os.environ),
    ).split()
    assert not Path(site[0]).is_relative_to(ROOT) and site[1] == "True", site
    assert size_of(project / "venv") < CORE_VENV_LIMIT, size_of(project / "venv")
    missing = subprocess.run(
        [venv_python, "-c", "from moorage import EksCluster"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert missing.stderr.strip().splitlines()[-1] == (
        'moorage._errors.MissingExtraError: EksCluster needs the "aws" extra (pulumi_aws is '
        'not installed): pip install "moorage[aws]"'
    ), missing.stderr

    # Step 2: the project, with the README's program verbatim.
    (project / "Pulumi.yaml").write_text(
        "name: my-infra\nruntime:\n  name: python\n  options:\n"
        "    toolchain: pip\n    virtualenv: venv\n"
    )
    (project / "__main__.py").write_text(readme_example())
    # Step 3: the tools on PATH, and (pinned Python host) the venv activated.
    env = {
        "HOME": str(tmp_path / "home"),
        "PATH": os.pathsep.join(
            [str(project / "venv" / "bin"), str(bin_dir), "/usr/local/bin", "/usr/bin", "/bin"]
        ),
        "VIRTUAL_ENV": str(project / "venv"),
        "PULUMI_HOME": str(tmp_path / "pulumi-home"),
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": "my-passphrase",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": plugin_acquisition_disabled(),
        "KWOK_WORKDIR": str(tmp_path / "kwok"),
    }
    assert "MOORAGE_TOOLS_BIN" not in env
    (tmp_path / "state").mkdir()
    pulumi = ["pulumi", "--non-interactive"]
    run([*pulumi, "stack", "init", "dev"], project, env)
    run([*pulumi, "config", "set", "--secret", "dbPassword", "s3cr3t"], project, env)
    try:
        run([*pulumi, "up", "--yes"], project, env)
        url = run([*pulumi, "stack", "output", "url"], project, env).strip()
        assert url == "http://api.shop.svc.cluster.local:80", url
    finally:
        destroyed = subprocess.run(
            [*pulumi, "destroy", "--yes"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    assert destroyed.returncode == 0, destroyed.stdout + destroyed.stderr


def test_a_missing_tool_is_one_line_naming_it_and_where_it_looked(
    bin_dir: Path, wheel: Path, tmp_path: Path
) -> None:
    """The same kind of project without the control plane on PATH: one line says which."""
    project = tmp_path / "no-tools"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        "name: no-tools\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n"
    )
    (project / "__main__.py").write_text(
        "from moorage import LocalCluster\nLocalCluster('dev', {'nodes': 1, 'runtime': 'kwok'})\n"
    )
    (project / "venv").symlink_to(ROOT / ".venv")
    # pulumi, its language host and the kubernetes plugin, and kwokctl: not the control plane.
    partial = tmp_path / "partial-bin"
    partial.mkdir()
    for tool in (
        "pulumi",
        "pulumi-language-python",
        "pulumi-language-python-exec",
        "pulumi-resource-pulumi-python",
        "pulumi-resource-kubernetes",
        "kwokctl",
    ):
        if (bin_dir / tool).exists():
            (partial / tool).symlink_to(os.path.realpath(bin_dir / tool))
    env = {
        "HOME": str(tmp_path / "home"),
        "PATH": os.pathsep.join([str(ROOT / ".venv" / "bin"), str(partial), "/usr/bin", "/bin"]),
        "PULUMI_HOME": str(tmp_path / "pulumi-home"),
        "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": "x",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "KWOK_WORKDIR": str(tmp_path / "kwok"),
    }
    (tmp_path / "state").mkdir()
    run(["pulumi", "--non-interactive", "stack", "init", "dev"], project, env)
    done = subprocess.run(
        ["pulumi", "--non-interactive", "up", "--yes", "--skip-preview"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0
    lines = [line for line in output.splitlines() if "not found on PATH" in line]
    assert lines, output
    assert "kube-apiserver not found on PATH (" in lines[0], lines[0]
    assert str(partial) in lines[0] and "MOORAGE_TOOLS_BIN" in lines[0], lines[0]
    # Not a path resolved against the project dir, not a bare FileNotFoundError, and no
    # traceback: LocalCluster checks its tools before it registers the cluster, and its
    # error is a pulumi.RunError, which the Python host shows as the message alone.
    assert "no such file or directory" not in output.lower(), output
    assert "FileNotFoundError" not in output, output
    assert "Traceback" not in output, output
