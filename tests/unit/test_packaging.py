"""The wheel, installed for real (not the editable checkout), is the package users get.

The wheel is built as ``pip wheel`` builds it (an isolated build environment with the
setuptools pyproject.toml asks for) and installed with ``--target`` into a temporary
directory; a program then runs on the base interpreter with that directory
and the dev venv's site-packages on PYTHONPATH. PYTHONPATH entries are not site
directories, so the venv's ``.pth`` files (the editable finder that maps ``moorage``
to this checkout) are not run: ``moorage`` can only come from the wheel.
"""

from __future__ import annotations

import re
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIP = (sys.executable, "-m", "pip", "--quiet", "--disable-pip-version-check")
PUBLIC = (
    "WebService",
    "EksCluster",
    "GkeCluster",
    "LocalCluster",
    "ValidationError",
    "MoorageError",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [*PIP, "wheel", str(ROOT), "--no-deps", "--wheel-dir", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (path,) = out.glob("moorage-*.whl")
    yield path


def test_the_wheel_holds_moorage_and_no_components_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names}
    assert top_level == {"moorage", next(t for t in top_level if t.endswith(".dist-info"))}
    assert "moorage/py.typed" in names
    assert "moorage/clusters/_local.py" in names


def test_the_installed_wheel_imports_beside_a_users_components_folder(
    wheel: Path, tmp_path: Path
) -> None:
    target = tmp_path / "site"
    installed = subprocess.run(
        [*PIP, "install", "--no-deps", "--no-compile", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr

    # The user's own project has a `components` package: it must stay theirs.
    project = tmp_path / "project"
    (project / "components").mkdir(parents=True)
    (project / "components" / "__init__.py").write_text("OWNER = 'user'\n")
    program = textwrap.dedent(
        f"""
        import components, moorage
        from moorage import {", ".join(PUBLIC)}
        print(components.OWNER, moorage.__file__)
        """
    )
    dependencies = sysconfig.get_paths()["purelib"]
    ran = subprocess.run(
        [getattr(sys, "_base_executable", sys.executable), "-s", "-c", program],
        cwd=project,
        env={"PYTHONPATH": f"{target}:{dependencies}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    owner, module_file = ran.stdout.split()
    assert owner == "user"
    assert Path(module_file).is_relative_to(target), "moorage must come from the wheel"


def test_every_subpackage_is_listed_in_pyproject() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folder = ROOT / config["package-dir"]["moorage"]
    on_disk = {
        ".".join(("moorage", *init.parent.relative_to(folder).parts))
        for init in folder.rglob("__init__.py")
    }
    assert set(config["packages"]) == on_disk


def test_the_core_distribution_needs_no_cloud_sdk_and_each_cloud_is_an_extra() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = {
        re.split(r"[<>=!~\[ ]", requirement)[0].lower() for requirement in project["dependencies"]
    }
    assert core == {"pulumi", "pulumi-kubernetes", "kubernetes", "pyyaml", "typing-extensions"}
    extras = project["optional-dependencies"]
    assert [r.split(">")[0] for r in extras["aws"]] == ["pulumi-aws"]
    assert [r.split(">")[0] for r in extras["gcp"]] == ["pulumi-gcp"]


# Runs in a fresh interpreter where the cloud SDKs cannot be imported, as without the extra.
WITHOUT_CLOUD_SDKS = textwrap.dedent(
    """
    import importlib.abc, sys

    class NoCloudSdks(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in ("pulumi_aws", "pulumi_gcp"):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NoCloudSdks())
    import moorage
    from moorage import Application, LocalCluster, WebService  # the core works
    for name in ("EksCluster", "GkeClusterArgs"):
        try:
            getattr(moorage, name)
        except ImportError as error:
            print(type(error).__name__, isinstance(error, moorage.MoorageError), error)
    """
)


def test_a_cloud_component_without_its_extra_names_the_extra_to_install() -> None:
    ran = subprocess.run(
        [sys.executable, "-c", WITHOUT_CLOUD_SDKS],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == [
        'MissingExtraError True EksCluster needs the "aws" extra (pulumi_aws is not installed): '
        'pip install "moorage[aws]"',
        'MissingExtraError True GkeClusterArgs needs the "gcp" extra (pulumi_gcp is not '
        'installed): pip install "moorage[gcp]"',
    ]


def test_the_lock_keeps_both_clouds_for_development() -> None:
    pinned = {
        line.split("==")[0]
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if "==" in line and not line.startswith((" ", "#"))
    }
    assert {"pulumi", "pulumi-kubernetes", "pulumi-aws", "pulumi-gcp"} <= pinned
