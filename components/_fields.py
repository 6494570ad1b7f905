"""The one reader of Args mappings: typed, validated reads that name the field on error.

WebService, every cluster component and the stack config read their Args through
:class:`Fields`, so a misspelt key or a value of the wrong type gets the same message
everywhere.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import pulumi

from . import _rules as rule
from ._errors import ValidationError

T = TypeVar("T")

Rule = Callable[[str, str, Any], Any]
"""A rule from :mod:`_rules`: ``(component, field, value) -> value``, raising on bad input."""


def is_deferred(value: object) -> bool:
    """True for a value only known later (an Output or an awaitable)."""
    return isinstance(value, pulumi.Output) or inspect.isawaitable(value)


_PENDING_CHECKS: ContextVar[list[pulumi.Output[Any]] | None] = ContextVar(
    "moorage_pending_checks", default=None
)


@contextmanager
def collecting_checks() -> Iterator[list[pulumi.Output[Any]]]:
    """Collect every check that waits for an Output while the block runs.

    A component reads its Args inside this block and gates its children on
    :func:`all_passed` of what was collected, so none is registered before every
    check has run, whether or not the checked value is used afterwards.
    """
    pending: list[pulumi.Output[Any]] = []
    token = _PENDING_CHECKS.set(pending)
    try:
        yield pending
    finally:
        _PENDING_CHECKS.reset(token)


def all_passed(checks: Sequence[pulumi.Output[Any]]) -> pulumi.Output[list[Any]]:
    """An empty list, once every one of ``checks`` has passed (a ``depends_on`` gate).

    It fails with the first check's error, so a resource depending on it is never
    registered with a bad value.
    """
    return pulumi.Output.unsecret(pulumi.Output.all(*checks).apply(lambda _: []))


def _pending(output: pulumi.Output[T]) -> pulumi.Output[T]:
    collected = _PENDING_CHECKS.get()
    if collected is not None:
        collected.append(output)
    return output


async def _reraise(source: pulumi.Output[Any], error: ValidationError) -> Any:
    """Raise ``error``, its value shown as ``[secret]`` when ``source`` is a secret."""
    if await source.is_secret():
        raise error.redacted() from None
    raise error


def _deferred_check(source: pulumi.Output[Any], check: Callable[[Any], T]) -> pulumi.Output[T]:
    """``check`` run on ``source`` once it resolves, never echoing a secret."""

    def run(value: Any) -> Any:
        try:
            return check(value)
        except ValidationError as error:
            return _reraise(source, error)

    return _pending(source.apply(run))


def checked(value: pulumi.Input[Any], check: Callable[[Any], T]) -> pulumi.Input[T]:
    """Apply ``check`` now for a plain value, or when an Output resolves."""
    if is_deferred(value):
        return _deferred_check(pulumi.Output.from_input(value), check)
    return check(value)


def cross_checked(values: Sequence[pulumi.Input[Any]], check: Callable[..., None]) -> list[Any]:
    """Check a rule that spans several values (e.g. request <= limit), now or once resolved."""
    if not any(is_deferred(v) for v in values):
        check(*values)
        return list(values)

    def run(resolved: list[Any]) -> list[Any]:
        check(*resolved)
        return resolved

    joined = _deferred_check(pulumi.Output.all(*values), run)
    return [joined[i] for i in range(len(values))]


def unknown_field_rule(key: str, allowed: Collection[str], args_type: str = "") -> str:
    """The one message for a key that is not a field: names the type and the closest field."""
    of = f" of {args_type}" if args_type else ""
    close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
    if close:
        return f'is not a known field{of}; did you mean "{close[0]}"?'
    return f"is not a known field{of}; expected one of: {', '.join(sorted(allowed))}"


def _type_name(value: object) -> str:
    return type(value).__name__


class Fields:
    """Typed, validated reads from one Args mapping (or a nested section of it).

    Args usually come straight from stack config, so a value may have the wrong
    type (``"2"`` for an int) or a key may be misspelled; both are reported here
    instead of being silently ignored. Every typed read also requires a plain value
    (not a ``pulumi.Output``); ``raw`` passes Outputs through.
    """

    def __init__(self, component: str, args: Mapping[str, Any] | None, prefix: str = "") -> None:
        if args is not None and not isinstance(args, Mapping):
            raise ValidationError(
                component, prefix.rstrip(".") or "args", args, "must be a mapping"
            )
        self.component = component
        self.args: Mapping[str, Any] = args or {}
        self.prefix = prefix

    def field(self, key: str) -> str:
        """The user-facing name of ``key``, e.g. ``node_group.min_size``."""
        return f"{self.prefix}{key}"

    def fail(self, key: str, value: Any, rule: str, *, secret: bool = False) -> ValidationError:
        return ValidationError(self.component, self.field(key), value, rule, secret=secret)

    def reject_unknown(self, allowed: Collection[str], args_type: str = "") -> None:
        """Fail on keys that are not fields of the Args type (usually a typo)."""
        for key in self.args:
            if key not in allowed:
                raise self.fail(key, self.args[key], unknown_field_rule(key, allowed, args_type))

    def known(self, key: str) -> Any:
        """The value as given, which must be known now (not an Output), or None."""
        value = self.args.get(key)
        rule.known(
            self.component, self.field(key), value, "it is validated before anything is created"
        )
        return value

    def present(self, key: str) -> bool:
        return self.args.get(key) is not None

    def raw(self, key: str, default: Any = None) -> Any:
        """The value as given (it may be a pulumi.Input), or ``default``."""
        value = self.args.get(key)
        return default if value is None else value

    def section(self, key: str) -> Fields:
        """A nested Args mapping, e.g. ``node_group``."""
        return Fields(self.component, self.known(key), f"{self.field(key)}.")

    def required_text(self, key: str) -> str:
        value = self.known(key)
        if value is None or value == "":
            raise self.fail(key, value, "is required")
        return self._check_text(key, value)

    def text(self, key: str, default: str) -> str:
        value = self.known(key)
        return default if value is None else self._check_text(key, value)

    def optional_text(self, key: str) -> str | None:
        value = self.known(key)
        return None if value is None else self._check_text(key, value)

    def _check_text(self, key: str, value: Any) -> str:
        if not isinstance(value, str):
            raise self.fail(key, value, f"must be a string, not {_type_name(value)}")
        return value

    def integer(self, key: str, default: int) -> int:
        value = self.known(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, value, f"must be an integer, not {_type_name(value)}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.known(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(key, value, f"must be true or false, not {_type_name(value)}")
        return value

    def items(self, key: str, reason: str = "it decides which resources are created") -> list[Any]:
        """A plain list whose items may be pulumi.Inputs (e.g. ARNs from other resources)."""
        value = self.args.get(key)
        rule.known(self.component, self.field(key), value, reason)
        if value is None:
            return []
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise self.fail(key, value, f"must be a plain list ({reason})")
        return list(value)

    def texts(self, key: str, default: Sequence[str] = ()) -> list[str]:
        """A plain list of plain strings."""
        if self.args.get(key) is None:
            return list(default)
        values = self.items(key)
        for i, item in enumerate(values):
            rule.known(self.component, self.field(f"{key}[{i}]"), item)
            if not isinstance(item, str) or not item:
                raise self.fail(f"{key}[{i}]", item, "must be a non-empty string")
        return values

    def mapping(self, key: str, *, secret: bool = False) -> dict[str, Any]:
        """A plain mapping whose values may be pulumi.Inputs (e.g. pinned versions)."""
        value = self.known(key)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(
                key, value, f"must be a mapping, not {_type_name(value)}", secret=secret
            )
        return dict(value)

    # Output-aware reads: the value may be a pulumi.Output; ``check`` (a rule from
    # _rules) runs now for a plain value, or when the Output resolves.

    def value(self, key: str, default: Any, check: Rule) -> Any:
        """The value (or ``default``) passed through ``check``, now or once resolved."""
        name = self.field(key)
        return checked(self.raw(key, default), lambda v: check(self.component, name, v))

    def optional(self, key: str, check: Rule) -> Any:
        """Like :meth:`value`, but None when the field is not set."""
        return None if self.args.get(key) is None else self.value(key, None, check)

    def optional_plain_checked(self, key: str, check: Rule) -> Any:
        """Like :meth:`optional`, but only a plain value is checked here; an Output passes
        as it is (it is checked where it is used, e.g. the kubeconfig by the ledger)."""
        value = self.args.get(key)
        if value is None or is_deferred(value):
            return value
        return check(self.component, self.field(key), value)

    def checked_items(self, key: str, check: Rule) -> list[Any]:
        """A plain list whose items (plain or Outputs) each pass ``check``."""
        values = self.items(key)
        return [checked(v, self.item_check(check, f"{key}[{i}]")) for i, v in enumerate(values)]

    def strings(self, key: str, reason: str = "it is validated up front") -> list[Any]:
        """A plain list of strings (a command and its arguments); items may be Outputs,
        checked when they resolve."""
        return [
            checked(v, self.item_check(rule.text, f"{key}[{i}]"))
            for i, v in enumerate(self.items(key, reason))
        ]

    def item_check(self, check: Rule, key: str) -> Callable[[Any], Any]:
        """``check`` bound to the field ``key`` (e.g. ``ports[0].name``)."""
        name = self.field(key)
        return lambda value: check(self.component, name, value)

    def nested(self, key: str, args_type: type) -> Fields | None:
        """A nested Args section whose keys must be fields of ``args_type``, or None."""
        if self.args.get(key) is None:
            return None
        section = self.section(key)
        section.reject_unknown(args_type.__annotations__, args_type.__name__)
        return section

    def nested_or_empty(self, key: str, args_type: type) -> Fields:
        """Like :meth:`nested`, but an empty section when the field is not set."""
        return self.nested(key, args_type) or Fields(self.component, {}, f"{self.field(key)}.")

    def sections(self, key: str, args_type: type) -> list[Fields]:
        """A plain list of nested Args sections (e.g. ``ports``), each checked for typos."""
        result = []
        for i, item in enumerate(self.items(key)):
            item_key = f"{key}[{i}]"
            rule.known(self.component, self.field(item_key), item)
            if not isinstance(item, Mapping):
                raise self.fail(item_key, item, f"must be a mapping, not {_type_name(item)}")
            section = Fields(self.component, item, f"{self.field(item_key)}.")
            section.reject_unknown(args_type.__annotations__, args_type.__name__)
            result.append(section)
        return result
