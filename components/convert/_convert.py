"""The conversion, end to end and in memory: read, map, render, compare (and, with
``exact``, remove what can be removed), then the file text and the report.

Nothing is written here: the CLI writes the result only once all of it succeeded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .._errors import ValidationError
from . import _emit as emit
from . import _exact as exact_mode
from ._fidelity import ServiceFidelity, compare
from ._input import ConvertError, KubeObject, load_files, load_texts
from ._mapping import Converted, Unmapped, convert_objects
from ._references import with_references
from ._rendering import RenderedService, render_stack
from ._report import report

FORMATS = ("stack", "python")


@dataclass(frozen=True)
class ConvertOptions:
    """How to convert (the CLI's flags)."""

    format: str = "stack"
    """"stack" (a stack file with ``moorage:services``) or "python" (a program)."""
    stack: str = "converted"
    """The stack name the secret commands name."""
    namespace: str | None = None
    """Put every object into this namespace (default: each object's own, else default)."""
    exact: bool = False
    """Add the opt-outs and patches that remove every removable difference."""


@dataclass(frozen=True)
class Conversion:
    """The result: the stack config, the file text, and the report."""

    stack_config: dict[str, Any]
    text: str
    report: str
    fidelity: list[ServiceFidelity]
    rendered: dict[str, RenderedService]
    unmapped: list[Unmapped]
    secret_commands: list[str]
    secret_keys: dict[str, list[str]]


def convert_files(paths: Sequence[str], options: ConvertOptions) -> Conversion:
    """Convert the manifests in ``paths``; raises :class:`ConvertError` on bad input."""
    return convert(load_files(paths, options.namespace), options, list(paths))


def convert_texts(texts: Sequence[tuple[str, str]], options: ConvertOptions) -> Conversion:
    """:func:`convert_files` on ``(name, text)`` pairs."""
    return convert(load_texts(texts, options.namespace), options, [n for n, _ in texts])


def convert(objects: list[KubeObject], options: ConvertOptions, sources: list[str]) -> Conversion:
    """Convert ``objects`` (read from ``sources``)."""
    if options.format not in FORMATS:
        raise ConvertError(f"--format must be one of {', '.join(FORMATS)}, not {options.format!r}")
    converted = convert_objects(objects)
    if not converted.services:
        raise ConvertError(f"{', '.join(sources)}: has no Deployment to convert")
    references = with_references(converted.services)
    secret_keys = {
        name: [u.variable for u in s.secret_uses] for name, s in converted.services.items()
    }
    config = emit.stack_config(converted)
    rendered, fidelity = _checked(config, converted, secret_keys)
    if options.exact:
        config = exact_mode.with_opt_outs(config, converted, fidelity)
        rendered, fidelity = _checked(config, converted, secret_keys)
        config = exact_mode.with_patches(config, fidelity, rendered)
        rendered, fidelity = _checked(config, converted, secret_keys)
    commands = emit.secret_commands(converted, options.stack)
    text = (
        emit.stack_yaml(config, sources)
        if options.format == "stack"
        else emit.python_program(config, secret_keys)
    )
    return Conversion(
        stack_config=config,
        text=text,
        report=report(fidelity, converted.unmapped, commands, options.exact, references),
        fidelity=fidelity,
        rendered=rendered,
        unmapped=converted.unmapped,
        secret_commands=commands,
        secret_keys=secret_keys,
    )


def _checked(
    config: dict[str, Any], converted: Converted, secret_keys: dict[str, list[str]]
) -> tuple[dict[str, RenderedService], list[ServiceFidelity]]:
    """Render and compare; a service Moorage refuses is one clear line."""
    try:
        rendered = render_stack(config, secret_keys)
    except ValidationError as error:
        raise ConvertError(f"the converted config is refused: {error}") from None
    return rendered, compare(converted, rendered)
