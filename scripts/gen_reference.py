"""Generate the field reference in docs/reference/ from the code.

Types, required flags and descriptions come from the schema that Pulumi's component
analyzer produces (the same schema other languages see); defaults come from each
component's ``DEFAULTS`` table (see ``components/_defaults.py``). Nothing here is written
by hand, so the reference cannot drift from the code.

Usage:
    python scripts/gen_reference.py            write docs/reference/*.md
    python scripts/gen_reference.py --check    exit 1 (and say which file) if any is stale
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "docs" / "reference"


@dataclass(frozen=True)
class Page:
    """One generated reference page: which components it documents."""

    file: str
    title: str
    intro: str
    components: tuple[tuple[str, str, str], ...]
    """(public class name, module holding its DEFAULTS table or "", DEFAULTS attribute)."""


PAGES = (
    Page(
        "webservice.md",
        "WebService reference",
        "Every field of `WebServiceArgs` and every output of `WebService`. Field names are "
        "snake_case in Python and stack config, camelCase in other languages.",
        (("WebService", "moorage.webservice", "DEFAULTS"),),
    ),
    Page(
        "application.md",
        "Application reference",
        "Every field of `ApplicationArgs` and every output of `Application`: many WebServices "
        "with shared namespaces and references between them. Field names are snake_case in "
        "Python and stack config, camelCase in other languages.",
        (("Application", "moorage.application", "DEFAULTS"),),
    ),
    Page(
        "clusters.md",
        "Cluster components reference",
        "Every field and output of `LocalCluster`, `EksCluster` and `GkeCluster`. Field names "
        "are snake_case in Python and stack config, camelCase in other languages.",
        (
            ("LocalCluster", "moorage.clusters._local", "DEFAULTS"),
            ("EksCluster", "moorage.clusters.eks", "DEFAULTS"),
            ("GkeCluster", "moorage.clusters.gke", "DEFAULTS"),
        ),
    ),
    Page(
        "helm-chart.md",
        "HelmChart reference",
        "Every field and output of `HelmChart`, which installs any Helm chart at a pinned "
        "version (the cluster add-ons use it too). Field names are snake_case in Python, "
        "camelCase in other languages.",
        (("HelmChart", "moorage.addons", "HELM_CHART_DEFAULTS"),),
    ),
)


def _defaults(module: str, attribute: str) -> Mapping[str, Any]:
    if not module:
        return {}
    try:
        found = getattr(importlib.import_module(module), attribute, None)
    except ImportError:
        return {}
    return found if isinstance(found, Mapping) else {}


def _notes(note: Any) -> list[str]:
    """A table a component adds under one of its types: (title, row -> column -> text)."""
    if note is None:
        return []
    title, rows = note
    columns = list(next(iter(rows.values())))
    lines = ["", f"{title}:", "", "| | " + " | ".join(columns) + " |"]
    lines.append("| --- |" + " --- |" * len(columns))
    lines += [
        f"| {row} | " + " | ".join(cells[c] for c in columns) + " |" for row, cells in rows.items()
    ]
    return lines


def _differences(table: Mapping[str, Any]) -> list[str]:
    """The defaults that differ from what Kubernetes does with the field left out."""
    if not table:
        return []
    lines = ["", "### Defaults that differ from Kubernetes", ""]
    lines += ["| field | Kubernetes | Moorage | why |", "| --- | --- | --- | --- |"]
    for field, (kubernetes, moorage, reason) in table.items():
        lines.append(f"| `{field}` | {_cell(kubernetes)} | {_cell(moorage)} | {_cell(reason)} |")
    return lines


def _format_default(value: Any) -> str:
    from moorage._defaults import Computed

    if isinstance(value, Computed):
        return value.meaning
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, (list, tuple)):
        return "`[" + ", ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in value) + "]`"
    return f"`{value}`"


def _type_name(prop: Any) -> str:
    if prop.ref and str(prop.ref).startswith("pulumi.json#/"):
        return str(prop.ref).rsplit("/", 1)[-1].lower()
    if prop.ref and "#/types/moorage:" in str(prop.ref):
        name = str(prop.ref).rsplit(":", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if prop.ref:  # another package's resource or type, e.g. the Kubernetes Provider
        return f"`{str(prop.ref).rsplit('#/', 1)[-1]}`"
    kind = prop.type.value if prop.type is not None else "any"
    if kind == "array" and prop.items is not None:
        return f"list of {_type_name(prop.items)}"
    if kind == "object" and prop.additional_properties is not None:
        return f"map of {_type_name(prop.additional_properties)}"
    return kind


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _ref_name(prop: Any) -> str | None:
    """The nested type a field holds, through any lists and maps (map of map of X -> X)."""
    if prop is None:
        return None
    if prop.ref and "#/types/" in str(prop.ref):
        return str(prop.ref).rsplit(":", 1)[-1]
    return _ref_name(prop.items) or _ref_name(prop.additional_properties)


def _table(
    properties: Mapping[str, Any],
    mapping: Mapping[str, str],
    defaults: Mapping[str, Any],
    path: str,
    with_defaults: bool = True,
) -> list[str]:
    head = (
        "| field | type | default | meaning |" if with_defaults else "| output | type | meaning |"
    )
    rule = "| --- | --- | --- | --- |" if with_defaults else "| --- | --- | --- |"
    rows = [head, rule]
    for schema_name, prop in properties.items():
        field = mapping.get(schema_name, schema_name)
        kind = _type_name(prop)
        if with_defaults:
            key = f"{path}{field}"
            if key in defaults:
                default = _format_default(defaults[key])
            else:
                default = "required" if not prop.optional else "unset"
            rows.append(f"| `{field}` | {kind} | {default} | {_cell(prop.description)} |")
        else:
            rows.append(f"| `{field}` | {kind} | {_cell(prop.description)} |")
    return rows


def render_page(page: Page) -> str:
    """The Markdown of one reference page."""
    import moorage
    from moorage._component_package import inherited_output_doc
    from pulumi.provider.experimental.analyzer import Analyzer

    classes = [getattr(moorage, name) for name, _, _ in page.components]
    analyzer = Analyzer("moorage")
    result = analyzer.analyze(classes)
    components = result["component_definitions"]
    for klass in classes:  # outputs declared on a base class, documented there
        definition = components[klass.__name__]
        for schema_name, prop in definition.outputs.items():
            if not prop.description:
                python_name = definition.outputs_mapping.get(schema_name, schema_name)
                prop.description = inherited_output_doc(analyzer, klass, python_name)
    types = result["type_definitions"]
    lines = [
        f"# {page.title}",
        "",
        "<!-- Generated by scripts/gen_reference.py from the code; do not edit. -->",
        "<!-- Regenerate with `make docs`; a unit test fails when this file is stale. -->",
        "",
        page.intro,
    ]
    for name, module, attribute in page.components:
        definition = components[name]
        defaults = _defaults(module, attribute)
        lines += ["", f"## {name}", "", _cell(definition.description), "", "### Inputs", ""]
        lines += _table(definition.inputs, definition.inputs_mapping, defaults, "")
        lines += _differences(_defaults(module, "KUBERNETES_DIFFERENCES"))
        lines += ["", "### Outputs", ""]
        lines += _table(definition.outputs, definition.outputs_mapping, {}, "", False)
        # Nested types reachable from this component, in order of first use, with their paths.
        queue: list[tuple[str, str]] = []
        seen: set[str] = set()
        for schema_name, prop in definition.inputs.items():
            ref = _ref_name(prop)
            if ref and ref not in seen:
                seen.add(ref)
                queue.append((ref, definition.inputs_mapping.get(schema_name, schema_name)))
        while queue:
            type_name, path = queue.pop(0)
            typedef = types[type_name]
            lines += ["", f"### {type_name}", "", f"Used at `{path}`. {_cell(typedef.description)}"]
            lines += [""]
            lines += _table(typedef.properties, typedef.properties_mapping, defaults, f"{path}.")
            lines += _notes(_defaults(module, "TYPE_NOTES").get(type_name))
            for schema_name, prop in typedef.properties.items():
                ref = _ref_name(prop)
                if ref and ref not in seen:
                    seen.add(ref)
                    field = typedef.properties_mapping.get(schema_name, schema_name)
                    queue.append((ref, f"{path}.{field}"))
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) every reference page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if a page is stale")
    options = parser.parse_args(argv)
    stale = []
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for page in PAGES:
        target = OUT_DIR / page.file
        text = render_page(page)
        current = target.read_text() if target.exists() else ""
        if current == text:
            continue
        if options.check:
            stale.append(str(target.relative_to(ROOT)))
        else:
            target.write_text(text)
            print(f"wrote {target.relative_to(ROOT)}")
    if stale:
        print(f"stale: {', '.join(stale)}; run `make docs`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
