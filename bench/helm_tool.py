"""A pinned ``helm`` for benchmark 4, built from the Go module proxy like
scripts/bootstrap-tools builds the other tools (no GitHub release downloads).

The binary goes to ``${MOORAGE_CACHE:-~/.cache/moorage}/helm/<version>/bin/helm``,
outside the repository, and is reused on later runs.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

HELM_MODULE = "helm.sh/helm/v3"
HELM_VERSION = "v3.22.0"
"""The newest v3 the module mirror served when this was written (v4 exists too;
``helm template`` is the same command in both)."""

BUILD_TIMEOUT_S = 1200


@dataclass(frozen=True)
class HelmTool:
    """Where helm is, or why there is none."""

    path: Path | None
    note: str


def helm_path() -> Path:
    cache = Path(os.environ.get("MOORAGE_CACHE", Path.home() / ".cache" / "moorage"))
    return cache / "helm" / HELM_VERSION / "bin" / "helm"


def ensure_helm(build: bool = True) -> HelmTool:
    """The cached helm, building it first when ``build`` is true and it is missing."""
    path = helm_path()
    if path.is_file() and os.access(path, os.X_OK):
        return HelmTool(path, f"helm {HELM_VERSION} (cached, built from {HELM_MODULE})")
    if not build:
        return HelmTool(None, f"helm {HELM_VERSION} is not built yet (run without --quick)")
    path.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "GOBIN": str(path.parent),
        "GOFLAGS": "-mod=mod",
        "CGO_ENABLED": "0",
        "GOTOOLCHAIN": "local",
        # As scripts/bootstrap-tools: the checksum database is not reachable offline.
        "GOSUMDB": "off",
    }
    command = [
        "go",
        "install",
        "-trimpath",
        "-ldflags",
        "-s -w",
        f"{HELM_MODULE}/cmd/helm@{HELM_VERSION}",
    ]
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False
        )
    except FileNotFoundError:
        return HelmTool(None, "no `go` on PATH, so helm cannot be built from the module proxy")
    except subprocess.TimeoutExpired:
        return HelmTool(None, f"building helm took over {BUILD_TIMEOUT_S}s; gave up")
    if done.returncode != 0 or not path.is_file():
        tail = " ".join(done.stderr.strip().splitlines()[-3:])
        return HelmTool(None, f"`go install {HELM_MODULE}/cmd/helm@{HELM_VERSION}` failed: {tail}")
    return HelmTool(path, f"helm {HELM_VERSION} (built now from {HELM_MODULE})")
