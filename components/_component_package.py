"""Moorage as a Pulumi component package: its components served to every Pulumi language.

``provider/__main__.py`` (next to ``provider/PulumiPlugin.yaml``) calls :func:`main`. It
does what ``pulumi.provider.experimental.component_provider_host`` does (the components'
schema is inferred from their type annotations by Pulumi's component analyzer, and the
type tokens are ``moorage:index:<Class>``), through a thin subclass of the same
``ComponentProvider``, with three corrections for callers in other languages:

- integers arrive over the wire as floats (``2.0``); they are turned back into ``int``
  before the Args are read, so ``replicas: 2`` from YAML is the same as from Python;
- a :class:`ValidationError` is reported as an invalid-input error carrying Moorage's own
  message (the same one a Python program gets), not as a provider traceback;
- outputs declared on a base class (the clusters' ``kubeconfig``, ``provider``...) keep
  their documentation in the schema, and field names in the documentation are spelt as
  other languages spell them (``config_as_env`` becomes `configAsEnv`).
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections.abc import Mapping
from importlib import metadata
from typing import Any

import pulumi
from pulumi.errors import InputPropertiesError
from pulumi.provider import ConstructResult
from pulumi.provider import main as serve
from pulumi.provider.experimental.analyzer import Analyzer, PropertyDefinition, PropertyType
from pulumi.provider.experimental.component import ComponentProvider

from ._errors import MissingExtraError, ValidationError

PACKAGE_NAME = "moorage"
"""The Pulumi package name; every type token is ``moorage:index:<Class>``."""


SERVED_COMPONENTS = (
    "WebService",
    "Application",
    "LocalCluster",
    "EksCluster",
    "GkeCluster",
    "HelmChart",
)
"""Every component the package serves when its extra is installed, in schema order."""


def served_components() -> list[type[pulumi.ComponentResource]]:
    """The components other languages can use, in schema order.

    A cloud's cluster is served only when its extra is installed (``moorage[aws]`` for
    EksCluster, ``moorage[gcp]`` for GkeCluster): with the core distribution, a program
    that uses WebService, Application, LocalCluster or HelmChart needs only the Kubernetes
    plugin.
    """
    package = importlib.import_module(__package__ or PACKAGE_NAME)
    served: list[type[pulumi.ComponentResource]] = []
    for name in SERVED_COMPONENTS:
        try:
            served.append(getattr(package, name))
        except MissingExtraError:
            continue
    return served


def package_version() -> str:
    """The installed distribution's version (the schema and SDK version)."""
    try:
        return metadata.version(PACKAGE_NAME)
    except metadata.PackageNotFoundError:
        return "0.0.0"


def camel_case(path: str) -> str:
    """A Python field path as other languages spell it: ``a.min_replicas`` -> ``a.minReplicas``."""
    return re.sub(r"_([a-z0-9])", lambda match: match.group(1).upper(), path)


def integral(value: Any) -> Any:
    """A whole float as an ``int`` (``2.0`` -> ``2``); anything else unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, pulumi.Output):
        return value.apply(integral)
    return value


def inherited_output_doc(
    analyzer: Analyzer, component: type[pulumi.ComponentResource], python_name: str
) -> str | None:
    """The documentation of an output declared on one of ``component``'s Moorage bases
    (the analyzer reads docstrings from the class itself only); None when there is none."""
    for klass in component.__mro__[1:]:
        if klass.__module__.startswith(__package__ or PACKAGE_NAME):
            doc = analyzer.get_docstring(klass, python_name)
            if doc:
                return doc
    return None


def with_inherited_docs(
    schema: dict[str, Any], components: list[type[pulumi.ComponentResource]]
) -> dict[str, Any]:
    """Document outputs declared on a base class: the clusters' shared outputs
    (``kubeconfig``, ``provider``...) on :class:`KubernetesCluster`, WebService's on the
    base that keeps them out of its per-registration cost."""
    analyzer = Analyzer(PACKAGE_NAME)
    for component in components:
        outputs = schema["resources"][f"{PACKAGE_NAME}:index:{component.__name__}"]["properties"]
        mapping = analyzer.analyze_component(component).outputs_mapping
        for schema_name, prop in outputs.items():
            if not prop.get("description"):
                doc = inherited_output_doc(analyzer, component, mapping[schema_name])
                if doc:
                    prop["description"] = doc
    return schema


_FIELD_PATH = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")


def _markdown_literal(match: re.Match[str]) -> str:
    text = match.group(1)
    return f"`{camel_case(text) if _FIELD_PATH.fullmatch(text) else text}`"


def for_other_languages(schema: Any) -> Any:
    """Descriptions in Markdown with schema field names: ``config_as_env`` -> `configAsEnv`."""
    if isinstance(schema, dict):
        return {
            key: re.sub(r"``([^`]+)``", _markdown_literal, value)
            if key == "description" and isinstance(value, str)
            else for_other_languages(value)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [for_other_languages(item) for item in schema]
    return schema


ANY = {"$ref": "pulumi.json#/Any"}


def with_untyped_nested_maps(schema: Any) -> Any:
    """The schema with every map of maps of objects typed as a map of maps of any value.

    Go's code generator (at PULUMI_VERSION) declares no input or output types for a map of
    maps of an object type, so the Go SDK would not compile; ``Application.service_refs``
    is the one such field. Its items keep their shape and checks (``ServiceRefArgs``, in the
    description and at run time); only the static type in other languages is looser.
    """
    if isinstance(schema, list):
        return [with_untyped_nested_maps(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    inner = schema.get("additionalProperties")
    if isinstance(inner, dict) and isinstance(inner.get("additionalProperties"), dict):
        innermost = inner["additionalProperties"]
        if str(innermost.get("$ref", "")).startswith("#/types/"):
            untyped = {k: v for k, v in innermost.items() if k != "$ref"}
            inner = {**inner, "additionalProperties": {**untyped, **ANY}}
            schema = {**schema, "additionalProperties": inner}
    return {key: with_untyped_nested_maps(value) for key, value in schema.items()}


class MoorageProvider(ComponentProvider):
    """The component provider of the ``moorage`` package (see the module docstring)."""

    def __init__(self) -> None:
        components = served_components()
        super().__init__(components, PACKAGE_NAME, version=package_version())
        assert self.schema is not None  # ComponentProvider always infers one
        schema = with_inherited_docs(json.loads(self.schema), components)
        self.schema = json.dumps(with_untyped_nested_maps(for_other_languages(schema)))

    def map_input_properties(  # type: ignore[override]
        self,
        inputs: Mapping[str, Any],
        properties: dict[str, PropertyDefinition],
        mapping: dict[str, str],
        component_name: str,
        property_path: str,
    ) -> dict[str, Any]:
        """Map schema names to Python names (the analyzer's job), then restore integers."""
        mapped = dict(
            super().map_input_properties(inputs, properties, mapping, component_name, property_path)
        )
        for schema_name, prop in properties.items():
            py_name = mapping[schema_name]
            if prop.type == PropertyType.INTEGER and py_name in mapped:
                mapped[py_name] = integral(mapped[py_name])
        return mapped

    def construct(
        self,
        name: str,
        resource_type: str,
        inputs: Mapping[str, Any],
        options: pulumi.ResourceOptions | None = None,
    ) -> ConstructResult:
        """Build the component; bad Args become an invalid-input error with Moorage's message."""
        try:
            return super().construct(name, resource_type, dict(inputs), options)
        except Exception as error:
            cause = getattr(error, "inner", error)
            if isinstance(cause, ValidationError):
                raise InputPropertiesError(
                    str(cause),
                    [{"property_path": camel_case(cause.field), "reason": str(cause)}],
                ) from None
            raise


def main() -> None:
    """Serve the components to the Pulumi engine (the plugin's entry point)."""
    serve(MoorageProvider(), sys.argv[1:])
