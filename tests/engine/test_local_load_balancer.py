"""LoadBalancer Services on a LocalCluster: an address on kwok, a refusal on kind without
cloud-provider-kind, and never pulumi-kubernetes' ten-minute wait for an address."""

from __future__ import annotations

import ipaddress
import time
from pathlib import Path

import pytest
import yaml
from kubernetes import client, config
from moorage.clusters import LOAD_BALANCER_PREFIX
from pulumi import automation as auto

from .harness import ROOT, engine_stack

# pulumi-kubernetes waits up to 10 minutes for a LoadBalancer address. Creating the
# kwok cluster takes most of this budget on a busy machine; the Service itself must
# get its address within seconds.
UP_BUDGET_S = 240
ADDRESS_BUDGET_S = 15

SERVICE = {
    "image": "nginxinc/nginx-unprivileged:1.27.3-alpine",
    "replicas": 1,
    "service_type": "LoadBalancer",
}


def stack_config(runtime: str) -> dict[str, object]:
    return {
        "pulumi:disable-default-providers": ["kubernetes"],
        "moorage:cloud": "local",
        "moorage:cluster": {"runtime": runtime, "nodes": 1},
        "moorage:serviceName": "hello",
        "moorage:service": SERVICE,
    }


def test_a_load_balancer_on_kwok_gets_an_address_and_up_finishes(
    env: dict[str, str], work_dir: Path
) -> None:
    with engine_stack(work_dir, env, ROOT / "infra") as stack:
        stack.set_config(stack_config("kwok"))

        started = time.monotonic()
        up = stack.up()
        elapsed = time.monotonic() - started
        assert up.summary.result == "succeeded"
        assert elapsed < UP_BUDGET_S, f"up took {elapsed:.0f}s"

        outputs = stack.outputs()
        assert outputs["url"] == "http://hello.hello.svc.cluster.local:80"
        api = config.new_client_from_config_dict(yaml.safe_load(outputs["kubeconfig"]))
        service = client.CoreV1Api(api).read_namespaced_service("hello", "hello")
        assert service.spec.type == "LoadBalancer"
        (ingress,) = service.status.load_balancer.ingress
        address = ipaddress.ip_address(ingress.ip)
        assert address in ipaddress.ip_network(f"{LOAD_BALANCER_PREFIX}0/24")
        assert ingress.ip.split(".")[-1] == service.spec.cluster_ip.split(".")[-1]
        # kwok wrote the address (the status subresource) seconds after the Service existed.
        status_written = min(
            f.time for f in service.metadata.managed_fields or [] if f.subresource == "status"
        )
        delay = (status_written - service.metadata.creation_timestamp).total_seconds()
        assert delay <= ADDRESS_BUDGET_S, f"the address came {delay:.0f}s after the Service"

        # The address is in the state, so a second run has nothing to wait for.
        stack.preview(expect_no_changes=True)


def test_a_load_balancer_on_kind_without_cloud_provider_kind_is_refused_up_front(
    env: dict[str, str], work_dir: Path
) -> None:
    with engine_stack(work_dir, env, ROOT / "infra") as stack:
        stack.set_config(stack_config("kind"))

        started = time.monotonic()
        with pytest.raises(auto.CommandError) as error:
            stack.up()
        assert time.monotonic() - started < 120

        log = "\n".join([*stack.log, str(error.value)])
        assert "moorage:service.service_type" in log
        assert "cloud-provider-kind" in log
        assert "ClusterIP or NodePort" in log
        assert "Traceback" not in log
        created = [t for t in stack.resource_types() if t != "pulumi:pulumi:Stack"]
        assert created == [], "refused before anything is created"
