"""``with_output_at`` for paths that go through list items: ``node_groups[0].labels.team``."""

from __future__ import annotations

import re
from typing import Any

from .conftest import AsOutput

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def with_output_at(args: Any, path: str) -> Any:
    """A copy of ``args`` whose value at ``path`` (as a ValidationError names a field:
    ``region``, ``node_groups[0].taints[0].key``, ``labels.kubernetes.io/role``) is wrapped
    in ``AsOutput``. A dotted key that exists as a whole (a label key) is taken as one step."""
    if isinstance(args, dict) and path in args:
        return {**args, path: AsOutput(args[path])}
    if isinstance(args, dict):
        head = next((k for k in args if path.startswith(f"{k}.") or path.startswith(f"{k}[")), None)
        assert head is not None, path
        rest = path[len(head) :].removeprefix(".")
        return {**args, head: with_output_at(args[head], rest)}
    match = _STEP.match(path)
    assert match is not None and match.group(2) is not None, path
    index = int(match.group(2))
    rest = path[match.end() :].removeprefix(".")
    items = list(args)
    items[index] = AsOutput(items[index]) if not rest else with_output_at(items[index], rest)
    return items
