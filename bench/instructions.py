"""Benchmark 1b: the instructions executed to construct N services under mocks.

Wall time on a shared virtual machine moves by 10-20 % between identical runs,
which is more than the differences benchmark 1 looks for. valgrind's cachegrind
counts the instructions a process executes instead: the same program gives the
same count within 0.1 %, whatever else the machine does. Each count is the whole
``bench/mock_construction.py`` process, so the construction's own count is
``count(N) - count(0)`` of the same variant (imports and start-up cancel out).
Both variants read the raw variant's prepared manifests from a file (only raw uses
them), so building them is not counted and both processes do the same set-up.
Instructions are not time: a walk of a large heap by the garbage collector
costs more time per instruction than most code, so both figures are reported.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import mock_construction, programs

MOCK_CONSTRUCTION = Path(__file__).resolve().parent / "mock_construction.py"
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def available() -> bool:
    """True when valgrind is on PATH (Debian: ``apt-get install valgrind``)."""
    return shutil.which("valgrind") is not None


def count(variant: str, n: int, manifests: Path | None) -> int:
    """Instructions executed by one ``mock_construction.py VARIANT N`` process."""
    env = mock_construction.subprocess_env()
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        str(MOCK_CONSTRUCTION),
        variant,
        str(n),
        *([str(manifests)] if manifests else []),
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    found = _REFS.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"valgrind {variant} N={n} failed:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def run(
    sizes: Sequence[int],
    log: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """One count per variant and N (and N=0), on as many processes as CPUs."""
    variants = programs.VARIANTS
    with tempfile.TemporaryDirectory(prefix="moorage-instructions-") as tmp:
        files = {}
        for n in (0, *sizes):
            files[n] = Path(tmp) / f"manifests-{n}.json"
            files[n].write_text(json.dumps(programs.raw_manifests(n)))
        jobs = [(variant, n) for n in (0, *sizes) for variant in variants]

        def count_job(job: tuple[str, int]) -> int:
            variant, n = job
            return count(variant, n, files[n])

        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            counts = dict(zip(jobs, pool.map(count_job, jobs), strict=True))
    records = []
    for variant, n in jobs:
        if n == 0:
            continue
        own = counts[(variant, n)] - counts[(variant, 0)]
        records.append({"variant": variant, "n": n, "rep": 0, "instructions": own})
        log(f"  instructions N={n:<4} {variant:9s} {own / 1e9:6.2f} G")
    return records
