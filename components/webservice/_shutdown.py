"""Lifecycle hooks, grace period and preStop delay, each default fitted to the others."""

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import pulumi
from typing_extensions import NotRequired

from .. import _grammar as grammar
from .. import _rules as rule
from .._defaults import Computed
from .._errors import ValidationError
from .._fields import Fields, checked, cross_checked

DEFAULTS: dict[str, Any] = {
    "termination_grace_period_seconds": Computed(
        "30, or pre_stop_delay_seconds + 25 when that is longer"
    ),
    "pre_stop_delay_seconds": Computed("5, or half of a shorter termination_grace_period_seconds"),
}
"""The defaults of this facet's fields, by dotted path (the reference prints them)."""

DEFAULT_GRACE_SECONDS = 30
"""The grace period when neither it nor a long preStop delay is set."""
DEFAULT_PRE_STOP_DELAY_SECONDS = 5
"""The preStop delay when the grace period leaves room for it."""
APP_SHUTDOWN_SECONDS = DEFAULT_GRACE_SECONDS - DEFAULT_PRE_STOP_DELAY_SECONDS
"""Time the app gets to shut down after the preStop delay by default (25 s)."""


class LifecycleArgs(TypedDict):
    """Lifecycle hooks of the main container."""

    pre_stop_command: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Command run before the container is stopped, instead of the built-in
    ``pre_stop_delay_seconds`` sleep (make it wait a few seconds too)."""
    post_start_command: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """Command run right after the container starts."""


def shutdown(
    r: Fields, worker: bool
) -> tuple[dict[str, Any], pulumi.Input[int], pulumi.Input[int] | None]:
    """Lifecycle hooks, grace period and preStop delay, each default fitted to the others.

    Only values the user set can contradict each other: a grace period alone gets a
    preStop delay that fits inside it, a long delay alone gets a longer grace period.
    """
    c = r.component
    hooks = _hooks(r)
    grace_set = r.present("termination_grace_period_seconds")
    delay_set = r.present("pre_stop_delay_seconds") and "preStop" not in hooks
    grace = (
        r.value("termination_grace_period_seconds", None, rule.int64_seconds) if grace_set else None
    )
    delay = r.value("pre_stop_delay_seconds", None, _int64_delay) if delay_set else None
    if worker and delay is None:
        # No endpoints to leave, so nothing to wait for: shut down at once.
        return hooks, grace if grace is not None else DEFAULT_GRACE_SECONDS, 0
    if "preStop" in hooks:
        return hooks, grace if grace is not None else _default_grace(0), None
    if grace is not None and delay is not None:

        def below_grace(d: int, g: int) -> None:
            if d >= g:
                raise ValidationError(
                    c,
                    "pre_stop_delay_seconds",
                    d,
                    f"must be less than termination_grace_period_seconds ({g})",
                )

        delay = cross_checked([delay, grace], below_grace)[0]
        return hooks, grace, delay
    if grace is not None:
        return hooks, grace, checked(grace, _default_delay)
    if delay is not None:
        return hooks, checked(delay, _default_grace), delay
    return hooks, DEFAULT_GRACE_SECONDS, DEFAULT_PRE_STOP_DELAY_SECONDS


def _hooks(r: Fields) -> dict[str, Any]:
    """postStart and preStop exec hooks from ``lifecycle``."""
    lc = r.nested_or_empty("lifecycle", LifecycleArgs)
    hooks: dict[str, Any] = {}
    if lc.present("post_start_command"):
        hooks["postStart"] = {"exec": {"command": _command(lc, "post_start_command")}}
    if lc.present("pre_stop_command"):
        if r.present("pre_stop_delay_seconds"):
            raise r.fail(
                "pre_stop_delay_seconds",
                r.raw("pre_stop_delay_seconds"),
                "cannot be set together with lifecycle.pre_stop_command (a container has "
                "one preStop hook; make the command wait instead)",
            )
        hooks["preStop"] = {"exec": {"command": _command(lc, "pre_stop_command")}}
    return hooks


def _default_delay(grace: int) -> int:
    """5 s, or half of a shorter grace period (the app keeps the other half)."""
    return min(DEFAULT_PRE_STOP_DELAY_SECONDS, grace // 2)


def _default_grace(delay: int) -> int:
    """30 s, or the delay plus the app's usual 25 s when that is longer."""
    return max(DEFAULT_GRACE_SECONDS, delay + APP_SHUTDOWN_SECONDS)


def _command(lc: Fields, key: str) -> list[Any]:
    command = lc.strings(key)
    if not command:
        raise lc.fail(key, command, "must be a non-empty list (the command and its arguments)")
    return command


def _int64_delay(component: str, field: str, value: object) -> int:
    """A preStop sleep in seconds: 0 or more, in the API's int64 field."""
    return rule.non_negative_int(component, field, value, grammar.INT64_MAX)


def with_pre_stop_sleep(
    hooks: Mapping[str, Any], delay: pulumi.Input[int] | None
) -> dict[str, Any]:
    """The hooks plus the built-in preStop sleep, unless a command replaces it or it is 0."""
    out = dict(hooks)
    if delay is not None and delay != 0 and "preStop" not in out:
        out["preStop"] = {"sleep": {"seconds": delay}}
    return out
