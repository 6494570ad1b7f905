"""No shared stack gets an empty passphrase; the local stack stays zero-config.

scripts/secrets-provider decides, from the stack file and the environment alone, which
secrets provider a stack is created with, and refuses the passphrase provider with an empty
passphrase for anything but a cluster on this machine in a local file backend.
scripts/pulumi-env (sourced with a stack) and scripts/pulumi-stack apply it. Each test runs
the real script from a copy of the checkout's scripts/ beside a stacks/ folder of its own.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
EKS_WITH_PASSPHRASE = "config:\n  moorage:cloud: eks\n"
KIND_ON_THIS_MACHINE = "config:\n  moorage:cloud: local   # kind\n"


def checkout(tmp_path: Path, stacks: dict[str, str]) -> Path:
    """A copy of scripts/ beside a stacks/ folder holding ``stacks`` (name -> file text)."""
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    (tmp_path / "stacks").mkdir()
    for name, text in stacks.items():
        (tmp_path / "stacks" / f"Pulumi.{name}.yaml").write_text(text)
    return tmp_path


def secrets_provider(root: Path, stack: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(root / "scripts" / "secrets-provider"), stack],
        env={"PATH": SYSTEM_PATH, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def assert_refused(done: subprocess.CompletedProcess[str], stack: str) -> None:
    assert done.returncode == 1
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert f"stack {stack}:" in line
    for alternative in ("PULUMI_CONFIG_PASSPHRASE", "awskms://", "gcpkms://", "Pulumi Cloud"):
        assert alternative in line, alternative


def test_the_shipped_local_stacks_need_no_passphrase() -> None:
    for stack in ("local", "dev"):
        done = secrets_provider(ROOT, stack)
        assert (done.returncode, done.stdout.strip()) == (0, "passphrase"), done.stderr


def test_the_shipped_cloud_stacks_use_a_kms_key() -> None:
    assert secrets_provider(ROOT, "eks-staging").stdout.startswith("awskms://")
    assert secrets_provider(ROOT, "gke-prod").stdout.startswith("gcpkms://")


def test_a_cloud_stack_on_the_passphrase_provider_is_refused_without_a_passphrase(
    tmp_path: Path,
) -> None:
    root = checkout(tmp_path, {"staging": EKS_WITH_PASSPHRASE})
    assert_refused(secrets_provider(root, "staging"), "staging")
    assert_refused(secrets_provider(root, "staging", PULUMI_CONFIG_PASSPHRASE=""), "staging")
    assert_refused(secrets_provider(root, "no-file-at-all"), "no-file-at-all")


def test_a_passphrase_or_a_passphrase_file_is_accepted(tmp_path: Path) -> None:
    root = checkout(tmp_path, {"staging": EKS_WITH_PASSPHRASE})
    done = secrets_provider(root, "staging", PULUMI_CONFIG_PASSPHRASE="from-a-ci-secret")
    assert (done.returncode, done.stdout.strip()) == (0, "passphrase")
    phrase = tmp_path / "phrase"
    phrase.write_text("from-a-password-manager\n")
    done = secrets_provider(root, "staging", PULUMI_CONFIG_PASSPHRASE_FILE=str(phrase))
    assert done.returncode == 0, done.stderr
    phrase.write_text("")
    assert_refused(
        secrets_provider(root, "staging", PULUMI_CONFIG_PASSPHRASE_FILE=str(phrase)), "staging"
    )


def test_a_local_stack_in_a_shared_backend_needs_a_passphrase_too(tmp_path: Path) -> None:
    root = checkout(tmp_path, {"local": KIND_ON_THIS_MACHINE, "dev": KIND_ON_THIS_MACHINE})
    for stack in ("local", "dev"):
        assert secrets_provider(root, stack).returncode == 0
        shared = secrets_provider(root, stack, PULUMI_BACKEND_URL="s3://team-state")
        assert_refused(shared, stack)


@pytest.mark.parametrize(
    ("backend", "provider"),
    [("https://api.pulumi.com", "default"), ("s3://team-state", "passphrase")],
)
def test_without_a_secretsprovider_line_the_backend_decides(
    tmp_path: Path, backend: str, provider: str
) -> None:
    root = checkout(tmp_path, {"staging": EKS_WITH_PASSPHRASE})
    done = secrets_provider(
        root, "staging", PULUMI_BACKEND_URL=backend, PULUMI_CONFIG_PASSPHRASE="x"
    )
    assert done.stdout.strip() == provider


def test_pulumi_env_sourced_for_a_refused_stack_fails(tmp_path: Path) -> None:
    root = checkout(tmp_path, {"staging": EKS_WITH_PASSPHRASE})
    script = (
        f'source "{root}/scripts/pulumi-env" "{tmp_path}" "$0" || exit 7; '
        'echo "provider=$MOORAGE_SECRETS_PROVIDER passphrase=${PULUMI_CONFIG_PASSPHRASE-unset}"'
    )

    def sourced(stack: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", script, stack],
            env={"PATH": SYSTEM_PATH, "MOORAGE_OFFLINE": "1", **env},
            capture_output=True,
            text=True,
            check=False,
        )

    refused = sourced("staging")
    assert refused.returncode == 7
    assert "PULUMI_CONFIG_PASSPHRASE is empty or unset" in refused.stderr
    assert sourced("local").stdout.strip() == "provider=passphrase passphrase="
    # An exported empty passphrase would win over the file: it stays unset.
    phrase = tmp_path / "phrase"
    phrase.write_text("secret\n")
    from_file = sourced("staging", PULUMI_CONFIG_PASSPHRASE_FILE=str(phrase))
    assert from_file.stdout.strip() == "provider=passphrase passphrase=unset"


def test_pulumi_stack_refuses_before_building_any_tool(tmp_path: Path) -> None:
    root = checkout(tmp_path, {"staging": EKS_WITH_PASSPHRASE})
    (root / "scripts" / "bootstrap-tools").write_text("#!/bin/sh\necho BUILT >&2\nexit 3\n")
    done = subprocess.run(
        [str(root / "scripts" / "pulumi-stack"), "staging", "up", "--yes"],
        env={"PATH": SYSTEM_PATH},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "BUILT" not in done.stderr
    assert_refused(done, "staging")
