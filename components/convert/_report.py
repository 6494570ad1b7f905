"""The fidelity report ``moorage convert`` prints: per service what it maps, each
difference with its cause, the objects it adds, what it cannot express; then what was
not converted, the secret commands, and the count of differences that remain."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ._diff import MISSING
from ._fidelity import ServiceFidelity
from ._mapping import Unmapped

WIDTH = 60


def _shown(value: Any) -> str:
    if value is MISSING:
        return "(unset)"
    text = json.dumps(value, default=str, separators=(",", ":"))
    return text if len(text) <= WIDTH else text[: WIDTH - 3] + "..."


def report(
    fidelity: Sequence[ServiceFidelity],
    unmapped: Sequence[Unmapped],
    secret_commands: Sequence[str],
    exact: bool,
    references: int,
) -> str:
    """The whole report, as text."""
    lines: list[str] = []
    for result in fidelity:
        if not result.name and not (result.differences or result.objects):
            continue
        title = f"service {result.name} ({result.namespace})" if result.name else "namespaces"
        lines += [title, ""]
        if result.mapped:
            lines.append("  from: " + ", ".join(result.mapped))
        if result.differences:
            lines.append(f"  differences ({len(result.differences)}):")
            for d in result.differences:
                mark = "" if d.removable or not exact else "  (remains)"
                lines.append(
                    f"    {d.kind} {d.name}: {d.path}: {_shown(d.change.before)} -> "
                    f"{_shown(d.change.after)}"
                )
                lines.append(f"      [{d.cause.kind}] {d.cause.reason}{mark}")
        for change in result.objects:
            verb = "adds" if change.added else "drops"
            lines.append(f"  {verb} {change.ref}  [{change.cause.kind}] {change.cause.reason}")
        for gap in result.gaps:
            lines.append(f"  not expressible: {gap}")
        lines.append("")
    if unmapped:
        lines.append("not converted:")
        lines += [f"  {u.ref}: {u.reason}" for u in unmapped]
        lines.append("")
    if secret_commands:
        lines.append("secrets (values are not written anywhere; set each one):")
        lines += [f"  {command}" for command in secret_commands]
        lines.append("")
    services = [r for r in fidelity if r.name]
    total = sum(len(r.differences) + len(r.objects) for r in fidelity)
    remaining = sum(r.remaining for r in fidelity)
    lines.append(
        f"{len(services)} services converted, {len(unmapped)} objects not converted, "
        f"{references} references to other services."
    )
    if exact:
        lines.append(f"--exact: {total} differences remain ({remaining} cannot be removed).")
    else:
        lines.append(
            f"{total} differences; --exact would remove {total - remaining}, "
            f"{remaining} would remain."
        )
    return "\n".join(lines) + "\n"
