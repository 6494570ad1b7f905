"""Every policy fix text names a Moorage field that exists, and the faithful cases pass.

A fix text that says "(WebService: `field`)" must name a real ``WebServiceArgs`` path
(``extra_services[].annotations`` walks into the list items); every finding of a check
that applies to WebService objects names at least one such field.
"""

from __future__ import annotations

import ast
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from moorage.webservice import WebServiceArgs, build_spec, render
from moorage_policy import network, workloads

POLICY = Path(__file__).resolve().parents[2] / "policy" / "moorage_policy"
WORKLOAD_MODULES = ("availability", "network", "secrets", "storage", "workloads")
FIELD = re.compile(r"WebService: ((?:`[a-z_.\[\]]+`[^`()]*)+)")


def fix_texts(module: str) -> list[str]:
    """The constant text of the fix (second argument) of every Finding in ``module``."""
    tree = ast.parse((POLICY / f"{module}.py").read_text())
    texts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Finding":
            fix = node.args[1]
            texts.append(
                "".join(
                    n.value
                    for n in ast.walk(fix)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                )
            )
    return texts


def typed_dict_of(hint: Any) -> Any:
    """The TypedDict inside NotRequired/Input/Sequence/Mapping wrappers, if any."""
    if typing.is_typeddict(hint):
        return hint
    for arg in typing.get_args(hint):
        found = typed_dict_of(arg)
        if found is not None:
            return found
    return None


def field_exists(path: str) -> bool:
    current: Any = WebServiceArgs
    for part in path.replace("[]", "").split("."):
        hints = dict(current.__annotations__) if current is not None else {}
        if part not in hints:
            return False
        current = typed_dict_of(hints[part])
    return True


@pytest.mark.parametrize("module", WORKLOAD_MODULES)
def test_every_fix_text_names_a_webservice_field_that_exists(module):
    texts = fix_texts(module)
    assert texts
    for text in texts:
        names = [name for group in FIELD.findall(text) for name in re.findall(r"`([^`]+)`", group)]
        assert names, f"{module}: no WebService field in {text!r}"
        for name in names:
            assert field_exists(name), f"{module}: {name} is not a WebService field"


def test_the_field_check_can_fail():
    assert not field_exists("annotation")
    assert field_exists("extra_services[].annotations")


def test_a_worker_that_listens_on_nothing_needs_no_probes():
    worker = {"spec": {"template": {"spec": {"containers": [{"name": "load", "image": "x:1"}]}}}}
    assert workloads.check_probes(worker) == []
    server = {"spec": {"template": {"spec": {"containers": [{"name": "s", "ports": [{}]}]}}}}
    assert workloads.check_probes(server)


def service_props(**fields: Any) -> list[dict[str, Any]]:
    """The Services a WebService renders, as the policy pack sees them."""
    spec = build_spec("api", {"image": "ghcr.io/acme/api:1.0.0", **fields})  # type: ignore[typeddict-item]
    m = render(spec)
    props = [{"metadata": m.metadata("api", "api", spec.services.annotations), "spec": m.service()}]
    for extra in spec.services.extra:
        props.append(
            {
                "metadata": m.metadata(extra.suffix, "api", extra.annotations),
                "spec": m.extra_service(extra),
            }
        )
    return props


PUBLIC = {network.PUBLIC_LOAD_BALANCER_ANNOTATION: "true"}


@pytest.mark.parametrize(
    "fields",
    [
        {"service_type": "LoadBalancer", "service_annotations": PUBLIC},
        {"service_type": "LoadBalancer", "annotations": PUBLIC},
        {"extra_services": [{"name": "public", "type": "LoadBalancer", "annotations": PUBLIC}]},
    ],
    ids=["service_annotations", "annotations", "extra_services"],
)
def test_a_deliberately_public_load_balancer_passes_wherever_it_is_annotated(fields):
    props = service_props(**fields)
    assert any(p["spec"].get("type") == "LoadBalancer" for p in props)
    for p in props:
        assert network.check_load_balancer(p) == []
    unannotated = {k: v for k, v in fields.items() if "annotations" not in k}
    if "extra_services" in fields:
        unannotated = {"extra_services": [{"name": "public", "type": "LoadBalancer"}]}
    assert any(network.check_load_balancer(p) for p in service_props(**unannotated))
