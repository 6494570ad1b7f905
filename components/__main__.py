"""``python -m moorage SUBCOMMAND``: the package's commands.

python -m moorage convert FILE... [--format stack|python] [--stack NAME]
                                  [--namespace NS] [-o OUT] [--exact]
"""

from __future__ import annotations

import sys

COMMANDS = ("convert",)


def main(argv: list[str]) -> int:
    """Dispatch to the subcommand; usage and status 2 without one."""
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    from .convert._cli import main as convert

    return convert(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
