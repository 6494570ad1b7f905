"""``python -m moorage convert FILE... [--format stack|python] [--stack NAME]
[--namespace NS] [-o OUT] [--exact]``: one clear line and exit status 1 on bad input,
and nothing written; otherwise the file (or stdout) and the report on stderr."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from ._convert import FORMATS, ConvertOptions, convert_files
from ._input import ConvertError


def parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    p = argparse.ArgumentParser(
        prog="python -m moorage convert",
        description="Convert Kubernetes manifests (kubectl YAML or `helm template` output) "
        "into Moorage services, and report every difference with its cause.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="multi-document YAML manifests")
    p.add_argument("--format", choices=FORMATS, default="stack", help="default: stack")
    p.add_argument("--stack", default=None, help="stack name (default: from -o, else converted)")
    p.add_argument("--namespace", default=None, help="put every object into this namespace")
    p.add_argument("-o", "--output", default=None, help="file to write (default: stdout)")
    p.add_argument(
        "--exact",
        action="store_true",
        help="add opt-outs and patches for every removable difference",
    )
    return p


def main(argv: list[str]) -> int:
    """Run the command; the exit status."""
    args = parser().parse_args(argv)
    stack = args.stack or _stack_from(args.output) or "converted"
    options = ConvertOptions(args.format, stack, args.namespace, args.exact)
    try:
        conversion = convert_files(args.files, options)
        if args.output:
            _write(Path(args.output), conversion.text)
    except ConvertError as error:
        print(f"[convert] {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"[convert] {args.output}: cannot write: {error.strerror}", file=sys.stderr)
        return 1
    if not args.output:
        sys.stdout.write(conversion.text)
    sys.stderr.write(conversion.report)
    if args.output:
        print(f"[convert] wrote {args.output}", file=sys.stderr)
    return 0


def _stack_from(output: str | None) -> str | None:
    name = Path(output).name if output else ""
    if name.startswith("Pulumi.") and name.endswith(".yaml"):
        return name[len("Pulumi.") : -len(".yaml")]
    return None


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (a temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
