"""The one exception type Moorage raises for bad input."""

from __future__ import annotations

from typing import Any

REDACTED = "[secret]"


class ValidationError(ValueError):
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
