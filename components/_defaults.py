"""How Args defaults are declared once, for the code and the generated reference docs.

Each component's Args module keeps one ``DEFAULTS`` table: dotted field path (relative to
the component's top-level Args, list items included, e.g. ``"resources.cpu_request"`` or
``"volumes.read_only"``) to the default value. The code reads its defaults from that table
and the reference docs (``scripts/gen-reference``) print them from it, so a docstring never
repeats a default. A default that depends on other values is a :class:`Computed`, whose
``meaning`` is what the docs print.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Computed:
    """A default worked out from other values; ``meaning`` says how, e.g. "the component name"."""

    meaning: str
