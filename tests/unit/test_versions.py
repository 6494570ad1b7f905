"""tools/versions.env is the single source of truth; the Python pins must agree with it."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[2]


def read_versions() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / "tools" / "versions.env").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def read_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.strip().lower()] = version.strip()
    return pins


def test_python_sdks_match_the_engine_and_provider_we_build() -> None:
    versions, pins = read_versions(), read_pins()
    assert pins["pulumi"] == versions["PULUMI_VERSION"]
    assert pins["pulumi-kubernetes"] == versions["PULUMI_KUBERNETES_VERSION"]


def test_installed_sdks_are_the_pinned_ones() -> None:
    from importlib.metadata import version

    pins = read_pins()
    for package in ("pulumi", "pulumi-kubernetes", "pulumi-aws", "pulumi-gcp"):
        assert version(package) == pins[package], package


# ---------------------------------------------------------------- requirements.lock


def read_lock() -> dict[str, list[tuple[str, str, list[str]]]]:
    """requirements.lock: name -> [(version, marker, hashes)] (one per marker split)."""
    entries: dict[str, list[tuple[str, str, list[str]]]] = {}
    current: list[str] | None = None
    for raw in (ROOT / "requirements.lock").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("--hash="):
            assert current is not None, raw
            current.append(line.removeprefix("--hash=").rstrip(" \\"))
            continue
        requirement, _, marker = line.rstrip(" \\").partition(";")
        name, _, version = requirement.partition("==")
        current = []
        entries.setdefault(canonical(name), []).append((version.strip(), marker.strip(), current))
    return entries


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def pins_of(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, _, version = line.partition("==")
            pins[canonical(name)] = version.strip()
    return pins


def test_the_lock_pins_every_package_with_hashes() -> None:
    lock = read_lock()
    assert len(lock) > 20
    for name, splits in lock.items():
        for version, _, hashes in splits:
            assert version, name
            assert hashes and all(h.startswith("sha256:") for h in hashes), name


def test_the_lock_matches_the_requirements_files() -> None:
    lock = read_lock()
    for path in (ROOT / "requirements.txt", ROOT / "requirements-dev.txt"):
        for name, version in pins_of(path).items():
            assert name in lock, f"{name} ({path.name}) is not in requirements.lock: make lock"
            locked = {v for v, _, _ in lock[name]}
            assert locked == {version}, f"{name}: {path.name} pins {version}, lock has {locked}"


def test_the_lock_satisfies_pyproject_dependencies() -> None:
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = read_lock()
    for spec in project["dependencies"]:
        requirement = Requirement(spec)
        name = canonical(requirement.name)
        assert name in lock, f"{name} (pyproject.toml) is not in requirements.lock: make lock"
        for version, _, _ in lock[name]:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"{name}: lock has {version}, pyproject.toml wants {requirement.specifier}"
            )


def test_uv_itself_is_pinned_with_hashes() -> None:
    text = (ROOT / "tools" / "uv-requirements.txt").read_text()
    assert re.search(r"^uv==\d+\.\d+\.\d+ \\$", text, re.MULTILINE)
    assert "--hash=sha256:" in text


def test_reuse_ranges_include_the_pinned_versions() -> None:
    versions = read_versions()

    def minor(version: str) -> tuple[int, ...]:
        return tuple(int(part) for part in version.split(".")[:2])

    def parts(version: str) -> tuple[int, ...]:
        return tuple(int(part) for part in version.split("."))

    assert parts(versions["PULUMI_MIN_VERSION"]) <= parts(versions["PULUMI_VERSION"])
    for pinned, span in (
        ("KUBERNETES_VERSION", "KUBERNETES_MINORS"),
        ("ETCD_VERSION", "ETCD_MINORS"),
        ("KWOK_VERSION", "KWOK_MINORS"),
    ):
        low, _, high = versions[span].partition("-")
        assert minor(low) <= minor(versions[pinned]) <= minor(high), span
