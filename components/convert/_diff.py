"""A structural diff of two Kubernetes object bodies, and applying it back.

Lists of named things (containers, env, volumes, ports, mounts) are matched by their key
(``name``, the port number, the mount path), so their order never counts; a whole item or
mapping present on one side only is one difference. A path is a tuple of segments: a
mapping key (``str``) or a list item (:class:`Item`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LIST_KEYS = ("name", "mountPath", "containerPort", "port")
"""The field that identifies an item of a list of mappings, in order of preference."""
MISSING: Any = None


@dataclass(frozen=True)
class Item:
    """A list item picked by ``field == value`` (or by position when ``field`` is "#")."""

    field: str
    value: Any

    def __str__(self) -> str:
        return f"[{self.value}]"


Path = tuple["str | Item", ...]


@dataclass(frozen=True)
class Change:
    """One difference: the value on the input side and on the rendered side (None: absent)."""

    path: Path
    before: Any
    after: Any


def dotted(path: Path) -> str:
    """``spec.template.spec.containers[api].image``."""
    out = ""
    for segment in path:
        if isinstance(segment, Item):
            out += str(segment)
        else:
            out += ("." if out else "") + segment
    return out


def _list_key(*sides: list[Any]) -> str | None:
    """The key present, and unique, in the items of every side."""
    if not all(isinstance(i, Mapping) for side in sides for i in side):
        return None
    for key in LIST_KEYS:
        if all(_unique([i.get(key) for i in side]) for side in sides):
            return key
    return None


def _unique(values: list[Any]) -> bool:
    return None not in values and len(set(map(repr, values))) == len(values)


def changes(before: Any, after: Any, path: Path = ()) -> list[Change]:
    """Every difference between ``before`` (the input) and ``after`` (the rendered object)."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        out: list[Change] = []
        for key in [*before, *(k for k in after if k not in before)]:
            if key not in after:
                out.append(Change((*path, key), before[key], MISSING))
            elif key not in before:
                out.append(Change((*path, key), MISSING, after[key]))
            else:
                out += changes(before[key], after[key], (*path, key))
        return out
    if isinstance(before, list) and isinstance(after, list):
        key = _list_key(before, after) if before and after else None
        if key is None:
            return [] if before == after else [Change(path, before, after)]
        old = {repr(i[key]): i for i in before}
        new = {repr(i[key]): i for i in after}
        out = []
        for k in [*old, *(k for k in new if k not in old)]:
            value = (old.get(k) or new.get(k) or {})[key]
            item_path = (*path, Item(key, value))
            if k not in new:
                out.append(Change(item_path, old[k], MISSING))
            elif k not in old:
                out.append(Change(item_path, MISSING, new[k]))
            else:
                out += changes(old[k], new[k], item_path)
        return out
    return [] if before == after else [Change(path, before, after)]


def undone(body: dict[str, Any], undo: list[Change]) -> dict[str, Any]:
    """``body`` (the rendered side) with each change in ``undo`` taken back to the input."""
    out = copy.deepcopy(body)
    for change in undo:
        _set(out, change.path, change.before)
    return out


def _set(node: Any, path: Path, value: Any) -> None:
    *parents, last = path
    for segment in parents:
        node = _child(node, segment)
    if isinstance(last, Item):
        items = [i for i in node if i.get(last.field) != last.value]
        position = next((n for n, i in enumerate(node) if i.get(last.field) == last.value), None)
        if value is not MISSING:
            items.insert(position if position is not None else len(items), copy.deepcopy(value))
        node[:] = items
    elif value is MISSING:
        node.pop(last, None)
    else:
        node[last] = copy.deepcopy(value)


def _child(node: Any, segment: str | Item) -> Any:
    if isinstance(segment, Item):
        return next(i for i in node if i.get(segment.field) == segment.value)
    return node[segment]
