"""Plain access to resource properties as a policy sees them.

During a preview some values are not known yet (an ID, a name computed from another
resource). The engine sends them as sentinel strings; :func:`plain` turns them into
:data:`UNKNOWN`, so a check can decide what an unknown value means instead of the
whole policy being skipped. A check that cannot decide stays silent: the same
policy runs again on ``pulumi up`` with every value known.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final


class _Unknown:
    """A value that is only known after the update runs."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Final = _Unknown()
"""The one value that stands for "computed, not known during preview"."""

# The sentinels pulumi-policy's deserializer leaves in place of unknown values
# (pulumi_policy.proxy.UNKNOWN_*_VALUE; repeated so this module needs no engine).
_SENTINELS = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)


@dataclass(frozen=True)
class Finding:
    """One violation: what is wrong, and how to fix it."""

    problem: str
    fix: str

    @property
    def message(self) -> str:
        """The text the engine shows (one line: problem, then the fix)."""
        return f"{self.problem}. How to fix: {self.fix}"


def is_unknown(value: Any) -> bool:
    """True for :data:`UNKNOWN` (or a raw engine sentinel)."""
    return value is UNKNOWN or (isinstance(value, str) and value in _SENTINELS)


def plain(value: Any) -> Any:
    """Copy ``value`` into plain dicts and lists, unknown values as :data:`UNKNOWN`.

    Whole numbers become ints. Accepts pulumi-policy's read-only proxies (which raise
    on reading an unknown value) as well as plain data.
    """
    if isinstance(value, Mapping):
        raw = _proxy_target(value)
        return {str(key): plain(raw[key]) for key in raw}
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        raw = _proxy_target(value)
        return [plain(item) for item in raw]
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the engine sends every number as a double: replicas 3 -> 3.0
    return value


def _proxy_target(value: Any) -> Any:
    """The wrapped container of a pulumi-policy proxy, or ``value`` itself."""
    if type(value).__name__ in ("_DictProxy", "_ListProxy"):
        return value["__target"]
    return value


def dig(value: Any, *path: str | int) -> Any:
    """``value[path[0]][path[1]]...``; None when a step is missing, UNKNOWN when unknown."""
    for step in path:
        if is_unknown(value):
            return UNKNOWN
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return None
            value = value[step]
        else:
            if not isinstance(value, Mapping):
                return None
            value = value.get(step)
    return UNKNOWN if is_unknown(value) else value


def items(value: Any) -> list[Any]:
    """``value`` when it is a list, else an empty list (absent or unknown)."""
    return value if isinstance(value, list) else []


def mapping(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty dict (absent or unknown)."""
    return dict(value) if isinstance(value, Mapping) else {}


def name_of(props: Mapping[str, Any], fallback: str = "?") -> str:
    """``metadata.name`` for messages (the fallback while it is unknown or absent)."""
    name = dig(props, "metadata", "name")
    return name if isinstance(name, str) and name else fallback
