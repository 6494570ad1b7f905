"""The ``components`` package as an earlier commit had it, for before/after figures.

``make bench`` measures the component as it was before the optimisation pass of
issue #6 (``BEFORE_REF``) next to today's and the raw baseline, in the same run, so
the before/after ratios share one machine state. The old package is extracted from
git into a temporary directory and put ahead on ``sys.path`` of the runs labelled
``before``; everything else (the harness, the baseline) is today's code.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

BEFORE_REF = "a2cb1888652a6886061cdb8756834f777b5148ec"
"""The last commit before the optimisation pass."""

CHANGES = (
    "Quantities are parsed by `components/webservice/quantity.py` (the API server's "
    "grammar) instead of the `kubernetes` client's `parse_quantity`, whose import loaded "
    "the whole client: about 0.3 s of start-up and a larger heap for every garbage "
    "collection to walk.",
    "`url` is one Output computed from the Service's metadata (name and namespace) "
    "instead of `Output.concat` over four Outputs and an `apply(str)` of the port.",
)
"""What changed between ``BEFORE_REF`` and today, for the report."""


def export_components(root: Path, dest: Path, ref: str = BEFORE_REF) -> Path | None:
    """Extract ``components/`` at ``ref`` into ``dest``; None when git or the ref is missing
    (a shallow clone, say): the report then leaves the before/after figures out."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", "--format=tar", ref, "components"],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return dest
