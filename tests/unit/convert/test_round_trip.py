"""Round trips: manifests -> convert -> render (in process, as the stack would) -> compare.

For every converted Deployment of the three app fixtures, the rendered pods keep the
input's intent: images, container ports, env values (references resolve to the same
text, secret variables still come from a Secret), the probes it declares, the resources
it sets, its volumes' mount paths and sources, and the selectors of the Deployment and
its Service. With ``--exact`` the whole intent is equal, probes and resources included.
"""

from __future__ import annotations

from typing import Any

import pytest
from moorage.convert._input import load_files

from .helpers import FIXTURES, converted, intent

APPS = ["grpc-shop.yaml", "web-worker-redis.yaml", "secrets-envfrom.yaml", "small-shop.yaml"]


def _inputs(name: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(o.kind, o.name): o.body for o in load_files([str(FIXTURES / name)])}


def _mounts(deployment: dict[str, Any]) -> dict[str, dict[str, str]]:
    pod = deployment["spec"]["template"]["spec"]
    sources = {v["name"]: next(k for k in v if k != "name") for v in pod.get("volumes") or []}
    return {
        c["name"]: {
            m["mountPath"]: sources.get(m["name"], "?")
            for m in c.get("volumeMounts") or []
            if m["mountPath"] != "/tmp"
        }
        for c in [*pod.get("containers", []), *pod.get("initContainers", [])]
    }


@pytest.mark.parametrize("fixture", APPS)
def test_the_rendered_pods_keep_the_input_intent(fixture: str) -> None:
    conversion = converted(fixture)
    inputs = _inputs(fixture)
    services = conversion.stack_config["moorage:services"]
    assert services, fixture
    for name in services:
        wanted = intent(inputs[("Deployment", name)])
        rendered_deployment = conversion.rendered[name].objects[("Deployment", name)]
        got = intent(rendered_deployment)
        assert got["selector"] == wanted["selector"], name
        assert set(wanted["template_labels"].items()) <= set(got["template_labels"].items())
        assert set(got["containers"]) == set(wanted["containers"]), name
        for container, want in wanted["containers"].items():
            have = got["containers"][container]
            where = f"{name}/{container}"
            assert have["image"] == want["image"], where
            assert {p for _, p in have["ports"]} == {p for _, p in want["ports"]}, where
            for variable, value in want["env"].items():
                assert have["env"].get(variable) == value, f"{where} env {variable}"
            for kind, probe in want["probes"].items():
                if probe is not None:
                    assert have["probes"][kind] == probe, f"{where} {kind}"
            for section, values in want["resources"].items():
                for resource, quantity in values.items():
                    assert str(have["resources"][section][resource]) == str(quantity), where
        wanted_mounts = _mounts(inputs[("Deployment", name)])
        got_mounts = _mounts(rendered_deployment)
        for container, mounts in wanted_mounts.items():
            for path, source in mounts.items():
                assert got_mounts[container].get(path) == source, f"{name}/{container} {path}"
        service = inputs.get(("Service", name))
        if service is not None and services[name].get("worker") is not True:
            rendered_service = conversion.rendered[name].objects[("Service", name)]
            assert rendered_service["spec"]["selector"] == service["spec"]["selector"]


@pytest.mark.parametrize("fixture", ["grpc-shop.yaml", "web-worker-redis.yaml"])
def test_with_exact_the_whole_intent_is_equal(fixture: str) -> None:
    conversion = converted(fixture, exact=True)
    inputs = _inputs(fixture)
    for name in conversion.stack_config["moorage:services"]:
        rendered = conversion.rendered[name].objects[("Deployment", name)]
        assert intent(rendered) == intent(inputs[("Deployment", name)]), name


def test_exact_leaves_only_what_cannot_be_removed_and_counts_it() -> None:
    plain = converted("small-shop.yaml")
    exact = converted("small-shop.yaml", exact=True)
    remaining = [d for r in exact.fidelity for d in r.differences]
    assert remaining and all(not d.removable for d in remaining)
    added = [o.ref for r in exact.fidelity for o in r.objects]
    assert "NetworkPolicy shop/web" not in added and "ServiceAccount shop/web" not in added
    count = len(remaining) + len(added)
    assert f"--exact: {count} differences remain" in exact.report
    before = sum(len(r.differences) + len(r.objects) for r in plain.fidelity)
    assert f"{before} differences; --exact would remove {before - count}" in plain.report
