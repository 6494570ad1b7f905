"""A converted app, up on kwok: the stack file ``python -m moorage convert`` writes for the
web + worker + Redis fixture deploys as it is (its services moved into a namespace of this
test's own), and every Deployment becomes Available with the input's selector.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import yaml
from kubernetes import client, config
from moorage.__main__ import main

from .harness import PROGRAMS, ROOT, engine_stack, render_stack

FIXTURES = ROOT / "tests" / "fixtures" / "convert"
FIXTURE = FIXTURES / "web-worker-redis.yaml"


def test_a_converted_stack_file_renders_as_it_is(env: dict[str, str], tmp_path: Path) -> None:
    """`make render` (scripts/render) of the stack file convert writes, unedited: every
    input Deployment comes out as a Deployment, valid against the Kubernetes schema."""
    shop = FIXTURES / "grpc-shop.yaml"
    stack_file = tmp_path / "Pulumi.shop.yaml"
    assert main(["convert", str(shop), "--stack", "shop", "-o", str(stack_file)]) == 0
    out = tmp_path / "rendered"
    result = render_stack(stack_file, out, env)
    assert result.returncode == 0, result.stderr[-3000:]
    rendered = {
        (doc["kind"], doc["metadata"]["name"])
        for path in out.rglob("*.yaml")
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    }
    wanted = {
        ("Deployment", d["metadata"]["name"])
        for d in yaml.safe_load_all(shop.read_text())
        if d and d.get("kind") == "Deployment"
    }
    assert wanted <= rendered, sorted(wanted - rendered)


def test_a_converted_app_comes_up_on_kwok(
    env: dict[str, str], work_dir: Path, kwok_cluster: str, tmp_path: Path
) -> None:
    namespace = f"converted-{uuid.uuid4().hex[:6]}"
    stack_file = tmp_path / "stacks" / "Pulumi.converted.yaml"
    status = main(["convert", str(FIXTURE), "--namespace", namespace, "-o", str(stack_file)])
    assert status == 0
    stack_config = yaml.safe_load(stack_file.read_text())["config"]
    services = stack_config["moorage:services"]
    assert {"web", "worker", "redis"} <= set(services)
    # kwok has no ingress controller (an Ingress never gets an address, so its await
    # times out) and its simulated nodes carry none of the fixture's pool labels and
    # taints: those two are left out here, everything else goes up as converted.
    for service in services.values():
        for placement in ("ingress", "node_selector", "tolerations", "affinity"):
            service.pop(placement, None)
    with engine_stack(work_dir, env, PROGRAMS / "converted_stack") as stack:
        stack.set_config(
            {**stack_config, "convert:kubeconfig": kwok_cluster},
            secret_keys=("convert:kubeconfig",),
        )
        assert stack.up().summary.result == "succeeded"
        api = config.new_client_from_config_dict(yaml.safe_load(kwok_cluster))
        apps = client.AppsV1Api(api)
        inputs = {
            d["metadata"]["name"]: d
            for d in yaml.safe_load_all(FIXTURE.read_text())
            if d and d.get("kind") == "Deployment"
        }
        for name in services:
            deployment = apps.read_namespaced_deployment(name, namespace)
            conditions = {c.type: c.status for c in deployment.status.conditions}
            assert conditions.get("Available") == "True", name
            wanted = inputs[name]["spec"]["selector"]["matchLabels"]
            assert deployment.spec.selector.match_labels == wanted, name
