"""scripts/pulumi-stack never rewrites the user's stack file.

`pulumi stack init` re-serialises an existing stack file, expanding YAML merge keys and
dropping comments. The first run of scripts/pulumi-stack on a new stack must leave the
file as written, with only the secrets settings init adds appended.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

from .harness import ROOT

WRITTEN = """\
# my stack: this comment stays
config:
  moorage:cloud: local # so does this one
  moorage:services:
    web: &web
      image: nginx:1.27.3 # pinned
      replicas: 2
    api:
      <<: *web
      image: nginx:1.28.0
"""


def test_the_first_run_keeps_comments_and_merge_keys(env: dict[str, str], work_dir: Path) -> None:
    stack = f"keep{uuid.uuid4().hex[:6]}"
    stack_file = ROOT / "stacks" / f"Pulumi.{stack}.yaml"
    stack_file.write_text(WRITTEN)
    try:
        result = subprocess.run(
            [str(ROOT / "scripts" / "pulumi-stack"), stack, "config"],
            env={
                **os.environ,
                **env,
                "PULUMI_BACKEND_URL": (work_dir / "keep-backend").as_uri(),
                "PULUMI_CONFIG_PASSPHRASE": "test-passphrase",
            },
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        after = stack_file.read_text()
        assert after.startswith(WRITTEN), after
        added = after[len(WRITTEN) :].splitlines()
        assert added and all(line.split(":", 1)[0] == "encryptionsalt" for line in added), added
        assert "api" in result.stdout  # the merge key still gives api its replicas
    finally:
        stack_file.unlink(missing_ok=True)
