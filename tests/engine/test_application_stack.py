"""The shipped local stack's application end to end: four services on a kwok cluster it creates.

stacks/Pulumi.local.yaml as it ships (forced to kwok): shared namespaces, a gRPC service,
a cache with a persistent volume, an init container and references between services.
Every Deployment must be Available and every Service must have ready endpoints; the
claim must be Bound (a static volume on kwok) and the Prometheus Operator objects must
exist (the stack installs their CRDs). Then one service is changed, and only its
Deployment may change; then the cache is removed (its claim stays); then the stack is
destroyed.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

import yaml
from kubernetes import client, config

from .harness import ROOT, EndpointWatcher, engine_stack

SECRET_VALUE = "s3cr3t-app-Zq9-do-not-leak"


def local_stack_config() -> dict[str, Any]:
    shipped = yaml.safe_load((ROOT / "stacks" / "Pulumi.local.yaml").read_text())["config"]
    shipped = copy.deepcopy(shipped)
    shipped["moorage:cluster"] = {**shipped["moorage:cluster"], "runtime": "kwok"}
    shipped["pulumi:disable-default-providers"] = ["kubernetes"]
    shipped["moorage:serviceSecrets"] = {"web": {"SESSION_KEY": SECRET_VALUE}}
    return shipped


def wait_until(check: Callable[[], bool], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return check()


def test_the_local_application_comes_up_updates_one_service_and_goes(
    env: dict[str, str], work_dir: Any
) -> None:
    stack_config = local_stack_config()
    services = stack_config["moorage:services"]
    with engine_stack(work_dir, env, ROOT / "infra") as stack:
        stack.set_config(stack_config, secret_keys=("moorage:serviceSecrets",))

        started = time.monotonic()
        up = stack.up()
        up_seconds = time.monotonic() - started
        assert up.summary.result == "succeeded"

        outputs = stack.outputs()
        assert set(outputs["urls"]) == set(services)
        assert outputs["urls"]["cart"] == "grpc://cart.shop.svc.cluster.local:7070"
        kubeconfig = outputs["kubeconfig"]
        api = config.new_client_from_config_dict(yaml.safe_load(kubeconfig))
        apps, core = client.AppsV1Api(api), client.CoreV1Api(api)

        generations = {}
        for name, service in services.items():
            namespace = service["namespace"]
            deployment = apps.read_namespaced_deployment(name, namespace)
            conditions = {c.type: c.status for c in deployment.status.conditions}
            assert conditions.get("Available") == "True", name
            assert deployment.status.ready_replicas == service["replicas"], name
            generations[name] = deployment.metadata.generation
            watcher = EndpointWatcher(kubeconfig, namespace, name)
            assert wait_until(lambda w=watcher, s=service: w.ready_endpoints() == s["replicas"]), (
                f"{name} has no ready endpoints"
            )

        # The cache's claim is Bound (to the static local volume), and mounted.
        claim = core.read_namespaced_persistent_volume_claim("cache-data", "shop-data")
        assert claim.status.phase == "Bound"
        cache = apps.read_namespaced_deployment("cache", "shop-data")
        assert cache.spec.strategy.type == "Recreate"
        volumes = {v.name: v for v in cache.spec.template.spec.volumes}
        assert volumes["data"].persistent_volume_claim.claim_name == "cache-data"

        # The init container and the gRPC probe reached the API server as declared.
        catalog = apps.read_namespaced_deployment("catalog", "shop")
        assert [c.name for c in catalog.spec.template.spec.init_containers or []] == ["prepare"]
        cart = apps.read_namespaced_deployment("cart", "shop").spec.template.spec.containers[0]
        assert cart.readiness_probe.grpc is not None

        # References: the URL of another service, and the namespace it admits.
        web = apps.read_namespaced_deployment("web", "shop").spec.template.spec.containers[0]
        web_env = {e.name: e.value for e in web.env}
        assert web_env["CATALOG_URL"] == "http://catalog.shop.svc.cluster.local:80"
        assert web_env["CART_ADDRESS"] == "cart.shop.svc.cluster.local:7070"
        assert all(e.value != SECRET_VALUE for e in web.env)

        # The ServiceMonitor and the alert rules exist (the stack installed their CRDs).
        custom = client.CustomObjectsApi(api)
        monitors = custom.list_namespaced_custom_object(
            "monitoring.coreos.com", "v1", "shop", "servicemonitors"
        )["items"]
        assert sorted(m["metadata"]["name"] for m in monitors) == ["catalog", "web"]
        rules = custom.list_namespaced_custom_object(
            "monitoring.coreos.com", "v1", "shop", "prometheusrules"
        )["items"]
        assert [r["metadata"]["name"] for r in rules] == ["web"]

        # Change one service: only its Deployment changes.
        changed = copy.deepcopy(stack_config)
        changed["moorage:services"]["catalog"]["env"]["CATALOG_PAGE_SIZE"] = "50"
        stack.set_config(changed, secret_keys=("moorage:serviceSecrets",))
        steps: list[tuple[str, str]] = []

        def record(event: Any) -> None:
            pre = event.resource_pre_event
            # Providers are left out: the engine re-checks the dynamic provider of the
            # LocalCluster whenever the stack config changes (no object changes with it).
            if (
                pre is None
                or pre.metadata.op.value == "same"
                or "::pulumi:providers:" in (pre.metadata.urn)
            ):
                return
            steps.append((pre.metadata.op.value, pre.metadata.urn.rsplit("::", 1)[-1]))

        stack.stack.preview(on_event=record, color="never")
        assert steps == [("update", "catalog-deployment")], steps
        update = stack.up()
        assert update.summary.result == "succeeded"
        assert update.summary.resource_changes.get("update") == 1, update.summary.resource_changes
        for name, service in services.items():
            deployment = apps.read_namespaced_deployment(name, service["namespace"])
            expected = generations[name] + (1 if name == "catalog" else 0)
            assert deployment.metadata.generation == expected, name

        assert SECRET_VALUE not in stack.exported_state()

        # Remove the cache service: its claim (and so its data) stays in the cluster.
        removed = copy.deepcopy(changed)
        del removed["moorage:services"]["cache"]
        removed["moorage:services"]["cart"]["env"]["REDIS_ADDR"] = "redis.example:6379"
        removed["moorage:services"]["catalog"]["env"]["CACHE_HOST"] = "redis.example"
        stack.set_config(removed, secret_keys=("moorage:serviceSecrets",))
        assert stack.up().summary.result == "succeeded"
        assert not apps.list_namespaced_deployment("shop-data").items
        kept = core.read_namespaced_persistent_volume_claim("cache-data", "shop-data")
        assert kept.status.phase == "Bound"

        destroy = stack.stack.destroy(color="never", on_output=stack.log.append)
        assert destroy.summary.result == "succeeded"
        assert stack.resource_types() == []
        print(f"\n[timing] local application (4 services) up {up_seconds:.1f}s")
