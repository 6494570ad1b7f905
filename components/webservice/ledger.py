"""The release ledger: a resource that keeps a WebService's release state between updates.

Blue/green and canary need to know, at each ``pulumi up``, what the previous one
left: which colour or track runs which pod template. The ledger is a child of the
component (so its URN, and with it the state, belongs to that component alone) whose
provider receives its previous inputs natively: ``check(olds, news)`` is handed the
state the last update stored and computes the next one, in previews too. The
program only reads the ledger's output, asynchronously; nothing is exported and no
private Pulumi API is used, so the component works the same when it is imported
into another program or served to other languages.

The ledger's input is always a Pulumi secret: it holds pod templates, which may
hold secrets (and a template stored while it held one must stay secret even after
the secret moved elsewhere). The engine then keeps both its inputs and its outputs
encrypted in the state.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi.dynamic

from .._errors import ValidationError
from .release import (
    ReleaseState,
    Template,
    next_blue_green_state,
    next_canary_state,
    normalized,
)

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""How the provider protocol marks a value not known yet (only ever seen in a preview)."""


def ledger_input(
    component: str,
    strategy: str,
    template: pulumi.Input[Mapping[str, Any]],
    *,
    template_secret: pulumi.Input[bool],
    active_color: str | None,
    promote: bool,
    abort: bool,
) -> dict[str, Any]:
    """What the ledger is told at each update: the desired template (and whether it
    holds a secret) and the settings that move the state on."""
    return {
        "component": component,
        "strategy": strategy,
        "template": template,
        "template_secret": template_secret,
        "active_color": active_color,
        "promote": promote,
        "abort": abort,
    }


def next_state(release: Mapping[str, Any], previous: ReleaseState | None) -> ReleaseState:
    """The state after this update, from the ledger input and the previous state.

    Raises :class:`ValidationError` for a promote or abort with no canary in flight.
    """
    desired: Template | None = normalized(release.get("template"))
    component = str(release.get("component"))
    if release.get("strategy") == "canary":
        state = next_canary_state(
            component,
            previous,
            desired,
            promote=bool(release.get("promote")),
            abort=bool(release.get("abort")),
        )
    else:
        state = next_blue_green_state(previous, desired, pinned=release.get("active_color"))
    return state.with_secrets_marked(previous, desired, bool(release.get("template_secret")))


def stored_state(ledger_output: Any) -> ReleaseState | None:
    """The state in a ledger output; None when missing (as under plain mocks)."""
    if not isinstance(ledger_output, Mapping):
        return None
    return ReleaseState.from_output(ledger_output.get("state"))


def _has_unknowns(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(_has_unknowns(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknowns(v) for v in value)
    return bool(value == UNKNOWN)


def _canonical(value: Any) -> str:
    return json.dumps(normalized(value), sort_keys=True, default=str)


class LedgerProvider(pulumi.dynamic.ResourceProvider):
    """Moves the release state on in ``check``, where the engine hands over the old one."""

    serialize_as_secret_always = False

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.CheckResult:
        release = dict(news.get("release") or {})
        if _has_unknowns(release):
            # A preview with a template not known yet: so is the next state.
            return pulumi.dynamic.CheckResult(
                {**news, "release": {**release, "state": UNKNOWN}}, []
            )
        previous = stored_state(olds.get("release"))
        try:
            state = next_state(release, previous)
        except ValidationError as error:
            return pulumi.dynamic.CheckResult(
                news, [pulumi.dynamic.CheckFailure("release", str(error))]
            )
        return pulumi.dynamic.CheckResult(
            {**news, "release": {**release, "state": state.to_output()}}, []
        )

    def diff(
        self, _id: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.DiffResult:
        changed = _canonical(olds.get("release")) != _canonical(news.get("release"))
        return pulumi.dynamic.DiffResult(changes=changed)

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        return pulumi.dynamic.CreateResult("release", props)

    def update(
        self, _id: str, _olds: dict[str, Any], news: dict[str, Any]
    ) -> pulumi.dynamic.UpdateResult:
        return pulumi.dynamic.UpdateResult(news)


class ReleaseLedger(pulumi.dynamic.Resource, module="moorage", name="ReleaseLedger"):
    """Keeps one WebService's release state; a child of that WebService."""

    release: pulumi.Output[dict[str, Any]]
    """The ledger input plus ``state``, the release state after this update (secret)."""

    def __init__(
        self, name: str, release: pulumi.Input[Mapping[str, Any]], opts: pulumi.ResourceOptions
    ) -> None:
        super().__init__(
            LedgerProvider(),
            name,
            {"release": pulumi.Output.secret(release)},
            pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=["release"])
            ),
        )
