"""Moorage's exceptions: one base, ``MoorageError``, and its kinds."""

from __future__ import annotations

from typing import Any

REDACTED = "[secret]"


class MoorageError(Exception):
    """Base of every exception Moorage raises; catch it to handle any of them."""


class ValidationError(MoorageError, ValueError):
    """Bad input to a Moorage component or stack config.

    Raised before any child resource is registered (or, for values that are only
    known at deploy time, as soon as they resolve). The message names the
    component, the field, the offending value and the rule that was broken.
    Secret values are never echoed: pass ``secret=True`` and they show as
    ``[secret]``.
    """

    def __init__(
        self,
        component: str,
        field: str,
        value: Any,
        rule: str,
        *,
        secret: bool = False,
    ) -> None:
        self.component = component
        self.field = field
        self.value = REDACTED if secret else value
        self.rule = rule
        super().__init__(f"{component}: {field} ({self.value!r}) {rule}")


class LocalClusterError(MoorageError, RuntimeError):
    """A local-cluster CLI (kwokctl or kind) failed; the message says which command and why."""
