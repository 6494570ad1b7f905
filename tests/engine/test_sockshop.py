"""Weaveworks' Sock Shop, ported to Moorage (examples/sockshop), end to end on kwok.

The committed stack file as a new user wrote it (forced to kwok, the MySQL password given
as a secret): the policy pack runs during ``up`` (a mandatory violation would fail it),
every Deployment becomes Available, every Service has ready endpoints, and a second ``up``
changes nothing. ``make render`` of the same file writes schema-valid manifests.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client, config

from .harness import ROOT, EndpointWatcher, engine_stack, render_stack
from .test_render import assert_valid, load

STACK_FILE = ROOT / "examples" / "sockshop" / "Pulumi.sockshop.yaml"
PACK = str(ROOT / "policy")


def sockshop_config() -> dict[str, Any]:
    shipped = copy.deepcopy(yaml.safe_load(STACK_FILE.read_text())["config"])
    shipped["moorage:cluster"] = {**shipped["moorage:cluster"], "runtime": "kwok"}
    shipped["pulumi:disable-default-providers"] = ["kubernetes"]
    shipped["moorage:serviceSecrets"] = {"catalogue-db": {"MYSQL_ROOT_PASSWORD": "fake-pw-1"}}
    return shipped


def wait_until(check: Callable[[], bool], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return check()


def test_the_sock_shop_comes_up_under_the_policy_pack_and_stays_put(
    env: dict[str, str], work_dir: Path
) -> None:
    stack_config = sockshop_config()
    services = stack_config["moorage:services"]
    assert len(services) == 14
    with engine_stack(work_dir, env, ROOT / "infra") as stack:
        stack.set_config(stack_config, secret_keys=("moorage:serviceSecrets",))
        up = stack.up(policy_packs=[PACK])
        assert up.summary.result == "succeeded"
        kubeconfig = stack.outputs()["kubeconfig"]
        api = config.new_client_from_config_dict(yaml.safe_load(kubeconfig))
        apps = client.AppsV1Api(api)
        for name, service in services.items():
            deployment = apps.read_namespaced_deployment(name, "sock-shop")
            conditions = {c.type: c.status for c in deployment.status.conditions}
            assert conditions.get("Available") == "True", name
            watcher = EndpointWatcher(kubeconfig, "sock-shop", name)
            assert wait_until(lambda w=watcher, s=service: w.ready_endpoints() == s["replicas"]), (
                f"{name} has no ready endpoints"
            )
        cart = apps.read_namespaced_deployment("cart", "sock-shop").spec.template.spec
        assert cart.containers[0].security_context.capabilities.add == ["NET_BIND_SERVICE"]
        again = stack.up(policy_packs=[PACK])
        assert set((again.summary.resource_changes or {}).keys()) == {"same"}, (
            again.summary.resource_changes
        )


def test_make_render_of_the_sock_shop_writes_schema_valid_manifests(
    env: dict[str, str], tmp_path: Path
) -> None:
    """The committed file as ``make render STACK=examples/sockshop/Pulumi.sockshop.yaml``
    reads it (the safe stack-file reader: no YAML alias), validated in strict mode."""
    out = tmp_path / "rendered"
    result = render_stack(STACK_FILE, out, env)
    assert result.returncode == 0, result.stderr
    assert "valid against the Kubernetes" in result.stderr
    documents = load(out)
    assert_valid(documents)
    deployments = [o[0] for o in documents.values() if o[0]["kind"] == "Deployment"]
    assert sorted(d["metadata"]["name"] for d in deployments) == sorted(
        yaml.safe_load(STACK_FILE.read_text())["config"]["moorage:services"]
    )
    assert all(d["metadata"]["namespace"] == "sock-shop" for d in deployments)
