"""Moorage's exceptions: one base, ``MoorageError``, and its kinds."""

from __future__ import annotations

from typing import Any

import pulumi

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

    def redacted(self) -> ValidationError:
        """The same error with its value shown as ``[secret]``."""
        return ValidationError(self.component, self.field, None, self.rule, secret=True)


class LocalClusterError(MoorageError, pulumi.RunError, RuntimeError):
    """A local-cluster CLI (kwokctl or kind) failed or is missing; the message says which and why.

    A ``pulumi.RunError``: raised by the program itself (a missing tool, checked before the
    cluster is registered), Pulumi's Python host shows its message alone, without a traceback.
    """


class MissingExtraError(MoorageError, ImportError):
    """A component needs a cloud SDK that comes with one of Moorage's extras.

    ``pip install "moorage[aws]"`` adds what ``EksCluster`` needs, ``moorage[gcp]`` what
    ``GkeCluster`` needs; the core distribution runs ``WebService``, ``Application`` and
    ``LocalCluster`` with pulumi and pulumi-kubernetes only.
    """

    def __init__(self, name: str, package: str, extra: str) -> None:
        self.extra = extra
        super().__init__(
            f'{name} needs the "{extra}" extra ({package} is not installed): '
            f'pip install "moorage[{extra}]"',
            name=package,
        )
