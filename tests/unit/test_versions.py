"""tools/versions.env is the single source of truth; the Python pins must agree with it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def read_versions() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / "tools" / "versions.env").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
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
