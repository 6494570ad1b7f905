"""Moorage as a Pulumi component package: the schema other languages see, and the plugin."""

from __future__ import annotations

import inspect
import json
import os
import sys
import typing
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from moorage._component_package import PACKAGE_NAME, MoorageProvider, camel_case, served_components
from pulumi.errors import InputPropertiesError

from tests.unit.conftest import RecordingMocks

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIR = ROOT / "provider"


@pytest.fixture(scope="module")
def provider() -> MoorageProvider:
    return MoorageProvider()


@pytest.fixture(scope="module")
def schema(provider: MoorageProvider) -> dict[str, Any]:
    return dict(json.loads(provider.schema))


def _args_type(component: type) -> type:
    """The Args TypedDict of ``component.__init__`` (annotations may be strings)."""
    annotation = inspect.signature(component.__init__).parameters["args"].annotation
    if isinstance(annotation, str):
        annotation = eval(annotation, vars(sys.modules[component.__module__]))
    return typing.cast(type, annotation)


def _args_types(component: type) -> list[type]:
    """The component's Args TypedDict and every Args TypedDict nested in it."""
    found: list[type] = []
    pending = [_args_type(component)]
    while pending:
        current = pending.pop()
        if current not in found:
            found.append(current)
            for hint in current.__annotations__.values():
                pending += _typed_dicts_in(hint)
    return found


def _typed_dicts_in(hint: Any) -> list[type]:
    if isinstance(hint, type) and typing.is_typeddict(hint):
        return [hint]
    return [t for arg in typing.get_args(hint) for t in _typed_dicts_in(arg)]


def _schema_type_of(schema: dict[str, Any], args_type: type, component: type) -> dict[str, Any]:
    if _args_type(component) is args_type:
        return dict(schema["resources"][f"moorage:index:{component.__name__}"]["inputProperties"])
    return dict(schema["types"][f"moorage:index:{args_type.__name__}"]["properties"])


COMPONENTS = served_components()


def test_the_package_is_moorage_with_index_type_tokens(schema: dict[str, Any]) -> None:
    assert schema["name"] == PACKAGE_NAME == "moorage"
    assert set(schema["resources"]) == {
        "moorage:index:WebService",
        "moorage:index:Application",
        "moorage:index:LocalCluster",
        "moorage:index:EksCluster",
        "moorage:index:GkeCluster",
        "moorage:index:HelmChart",
    }
    assert all(resource["isComponent"] for resource in schema["resources"].values())


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.__name__)
def test_every_args_field_is_in_the_schema_with_its_documentation(
    schema: dict[str, Any], component: type
) -> None:
    missing, undocumented = [], []
    for args_type in _args_types(component):
        properties = _schema_type_of(schema, args_type, component)
        for field in args_type.__annotations__:
            prop = properties.get(camel_case(field))
            if prop is None:
                missing.append(f"{args_type.__name__}.{field}")
            elif not prop.get("description", "").strip():
                undocumented.append(f"{args_type.__name__}.{field}")
    assert missing == []
    assert undocumented == []


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.__name__)
def test_every_output_is_in_the_schema_with_its_documentation(
    schema: dict[str, Any], component: type
) -> None:
    outputs = schema["resources"][f"moorage:index:{component.__name__}"]["properties"]
    declared = [
        name
        for klass in reversed(component.__mro__)
        for name in getattr(klass, "__annotations__", {})
        if klass.__module__.startswith("moorage")
    ]
    assert declared, component
    for name in declared:
        prop = outputs.get(camel_case(name))
        assert prop is not None, f"{component.__name__}.{name} is not in the schema"
        assert prop.get("description", "").strip(), f"{component.__name__}.{name} has no docs"


def test_webservice_outputs_are_declared_on_its_base_class(schema: dict[str, Any]) -> None:
    """Pulumi re-reads a component class's own annotations each time an instance registers;
    WebService declares its outputs on a base class, so a program of N services does not
    pay for that N times, and the schema still has every one of them."""
    from moorage import WebService

    assert inspect.get_annotations(WebService) == {}
    outputs = schema["resources"]["moorage:index:WebService"]["properties"]
    assert {"namespace", "deploymentName", "serviceName", "url"} <= set(outputs)


def test_documentation_names_fields_as_other_languages_do(schema: dict[str, Any]) -> None:
    config = schema["resources"]["moorage:index:WebService"]["inputProperties"]["config"]
    assert "`configAsEnv`" in config["description"]
    assert "``" not in json.dumps(schema)


def test_required_inputs_are_the_args_without_a_default(schema: dict[str, Any]) -> None:
    web = schema["resources"]["moorage:index:WebService"]
    assert web["requiredInputs"] == ["image"]
    assert sorted(schema["resources"]["moorage:index:EksCluster"]["requiredInputs"]) == [
        "adminPrincipalArns",
        "region",
    ]


def test_integers_from_other_languages_become_ints_again(provider: MoorageProvider) -> None:
    """Every number crosses the wire as a float; Moorage's rules want ints."""
    definition = provider._component_defs["WebService"]
    mapped = provider.map_inputs(
        {
            "image": "nginx:1.27",
            "replicas": 3.0,
            "servicePort": 80.0,
            "autoscaling": {"minReplicas": 2.0, "maxReplicas": 4.0},
        },
        definition,
    )
    assert mapped["replicas"] == 3 and type(mapped["replicas"]) is int
    assert type(mapped["service_port"]) is int
    assert mapped["autoscaling"] == {"min_replicas": 2, "max_replicas": 4}
    assert all(type(v) is int for v in mapped["autoscaling"].values())


def test_bad_args_from_another_language_get_the_validation_message(
    mocks: RecordingMocks, provider: MoorageProvider
) -> None:
    def program() -> None:
        provider.construct(
            "api",
            "moorage:index:WebService",
            {"image": "nginx:1.27", "replicas": 2.0, "autoscaling": {"minReplicas": 2.0}},
            pulumi.ResourceOptions(),
        )

    with pytest.raises(InputPropertiesError) as caught:
        mocks.run(program)
    message = str(caught.value)
    assert message.startswith('WebService "api": ')
    assert "autoscaling" in message and "Traceback" not in message
    assert caught.value.errors is not None
    assert caught.value.errors[0]["property_path"] in {"replicas", "autoscaling"}


def test_the_plugin_directory_is_a_python_component_package() -> None:
    manifest = yaml.safe_load((PLUGIN_DIR / "PulumiPlugin.yaml").read_text())
    assert manifest["runtime"]["name"] == "python"
    assert "moorage._component_package import main" in (PLUGIN_DIR / "__main__.py").read_text()
    launcher = PLUGIN_DIR / f"pulumi-resource-{PACKAGE_NAME}"
    assert os.access(launcher, os.X_OK), "the engine runs pulumi-resource-moorage directly"


def test_no_field_is_a_map_of_maps_of_objects_which_gos_generator_cannot_type(
    schema: dict[str, Any],
) -> None:
    refs = schema["resources"]["moorage:index:Application"]["inputProperties"]["serviceRefs"]
    assert refs["additionalProperties"]["additionalProperties"]["$ref"] == "pulumi.json#/Any"

    def nested_object_maps(node: Any) -> int:
        if isinstance(node, list):
            return sum(nested_object_maps(item) for item in node)
        if not isinstance(node, dict):
            return 0
        inner = node.get("additionalProperties")
        innermost = inner.get("additionalProperties") if isinstance(inner, dict) else None
        found = isinstance(innermost, dict) and "#/types/" in str(innermost.get("$ref", ""))
        return int(found) + sum(nested_object_maps(value) for value in node.values())

    assert nested_object_maps(schema) == 0
