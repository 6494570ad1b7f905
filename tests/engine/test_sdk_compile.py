"""The TypeScript and Go SDKs generated from Moorage's package schema compile.

The SDKs are generated from the schema the plugin serves by Pulumi's own code generators
at PULUMI_VERSION (``sdk_check/gensdk``). ``pulumi package gen-sdk`` calls the same
generators through the nodejs and go language hosts, but the module proxy does not serve
those hosts, so the pinned toolchain cannot run it for these languages. The TypeScript
SDK is type-checked with a pinned ``tsc --noEmit`` (the toolchain in
``sdk_check/package.json`` is installed once, with ``npm ci``, into a cache dir outside
the checkout). The Go SDK is built with ``go build`` against the pinned pulumi and
pulumi-kubernetes Go SDKs.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from moorage._component_package import MoorageProvider

from .harness import ROOT

SDK_CHECK = Path(__file__).resolve().parent / "sdk_check"


def read_versions() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / "tools" / "versions.env").read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            pairs[key.strip()] = value.strip()
    return pairs


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def cache_root() -> Path:
    configured = os.environ.get("MOORAGE_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "moorage"


GO_ENV = {"GOFLAGS": "-mod=mod", "GOSUMDB": "off", "GOTOOLCHAIN": "local", "CGO_ENABLED": "0"}


@pytest.fixture(scope="module")
def sdk_dir(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str], bin_dir: Path) -> Path:
    """The TypeScript and Go SDKs, generated from the schema the plugin serves."""
    out = tmp_path_factory.mktemp("sdk")
    schema = out / "schema.json"
    schema.write_text(MoorageProvider().schema)
    process_env = {**os.environ, **env}
    kubernetes = run(
        ["pulumi", "package", "get-schema", str(bin_dir / "pulumi-resource-kubernetes")],
        out,
        process_env,
    )
    (out / "kubernetes.json").write_text(kubernetes)
    generator = out / "gensdk"
    go_env = {**os.environ, **GO_ENV}
    run(["go", "build", "-trimpath", "-o", str(generator), "."], SDK_CHECK / "gensdk", go_env)
    run([str(generator), str(schema), str(out / "kubernetes.json"), str(out)], out, go_env)
    return out


@pytest.fixture(scope="module")
def typescript_toolchain() -> Path:
    """node_modules with the pinned tsc, @pulumi/pulumi and @pulumi/kubernetes (cached)."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: the TypeScript SDK check needs Node.js and npm")
    manifest = (SDK_CHECK / "package.json").read_bytes()
    lock = (SDK_CHECK / "package-lock.json").read_bytes()
    key = hashlib.sha256(manifest + lock).hexdigest()[:12]
    root = cache_root() / "npm" / f"sdk-check-{key}"
    if not (root / ".installed").exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        shutil.copy(SDK_CHECK / "package.json", root)
        shutil.copy(SDK_CHECK / "package-lock.json", root)
        # --ignore-scripts: no install hooks (nothing may download plugins).
        run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], root, dict(os.environ))
        (root / ".installed").touch()
    return root / "node_modules"


def test_typescript_sdk_type_checks(sdk_dir: Path, typescript_toolchain: Path) -> None:
    package = sdk_dir / "nodejs"
    (package / "node_modules").symlink_to(typescript_toolchain, target_is_directory=True)
    tsc = typescript_toolchain / ".bin" / "tsc"
    run([str(tsc), "--noEmit", "-p", str(package)], package, dict(os.environ), timeout=900)
    index = (package / "webService.ts").read_text()
    assert "export class WebService extends pulumi.ComponentResource" in index


def test_go_sdk_builds(sdk_dir: Path, env: dict[str, str]) -> None:
    versions = read_versions()
    package = sdk_dir / "go"
    # The generated code imports example.com/pulumi-moorage/sdk/go/moorage/...
    (package / "go.mod").write_text(
        "module example.com/pulumi-moorage/sdk/go\n\n"
        "go 1.24\n\n"
        "require (\n"
        f"\tgithub.com/pulumi/pulumi/sdk/v3 v{versions['PULUMI_VERSION']}\n"
        f"\tgithub.com/pulumi/pulumi-kubernetes/sdk/v4 v{versions['PULUMI_KUBERNETES_VERSION']}\n"
        ")\n"
    )
    run(["go", "build", "-trimpath", "./..."], package, {**os.environ, **GO_ENV}, timeout=900)
    assert "func NewWebService(" in (package / "moorage" / "webService.go").read_text()
