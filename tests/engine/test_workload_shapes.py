"""A gRPC service, a TCP service and a worker, deployed by the real engine on kwok.

kwok runs no probes (its pods report Ready whatever the probe), so this checks what the
API server stored: the probe kinds, the named ports, the Services and NetworkPolicies,
and that every Deployment became Available. The unit tests pin the same probe kinds
(tests/unit/webservice/test_probes.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from .harness import PROGRAMS, engine_stack

SERVICE_ONLY = PROGRAMS / "service_only"


def api(kubeconfig: str) -> client.ApiClient:
    return config.new_client_from_config_dict(yaml.safe_load(kubeconfig))


def deploy(work_dir: Path, env: dict[str, str], kubeconfig: str, name: str, **service: Any) -> Any:
    """Deploy one WebService, return (outputs, Deployment, NetworkPolicy) as the API has them."""
    with engine_stack(work_dir, env, SERVICE_ONLY) as stack:
        stack.set_config(
            {
                "moorage:kubeconfig": kubeconfig,
                "moorage:name": name,
                "moorage:service": {"image": "registry.local/app:1.0.0", "replicas": 2, **service},
            },
            secret_keys=("moorage:kubeconfig",),
        )
        stack.up()
        c = api(kubeconfig)
        deployment = client.AppsV1Api(c).read_namespaced_deployment(name, name)
        policy = client.NetworkingV1Api(c).read_namespaced_network_policy(name, name)
        try:
            service_obj = client.CoreV1Api(c).read_namespaced_service(name, name)
        except ApiException as error:
            assert error.status == 404
            service_obj = None
        return stack.outputs(), deployment, policy, service_obj


def test_grpc_service(env: dict[str, str], work_dir: Path, kwok_cluster: str) -> None:
    outputs, deployment, policy, service = deploy(
        work_dir,
        env,
        kwok_cluster,
        "cart",
        app_protocol="grpc",
        port=50051,
        service_port=50051,
        ports=[{"name": "admin", "port": 9000, "app_protocol": "http"}],
        probes={"readiness": {"grpc_service": "cart.v1.Cart"}},
    )
    assert outputs["url"] == "grpc://cart.cart.svc.cluster.local:50051"
    assert deployment.status.available_replicas == 2
    (main,) = deployment.spec.template.spec.containers
    assert main.readiness_probe.grpc.port == 50051
    assert main.readiness_probe.grpc.service == "cart.v1.Cart"
    assert main.readiness_probe.http_get is None
    assert main.liveness_probe.tcp_socket.port == "grpc"
    assert [(p.name, p.container_port) for p in main.ports] == [("grpc", 50051), ("admin", 9000)]
    assert [(p.name, p.port, p.app_protocol) for p in service.spec.ports] == [
        ("grpc", 50051, "grpc"),
        ("admin", 9000, "http"),
    ]
    assert [p.port for p in policy.spec.ingress[0].ports] == [50051, 9000]


def test_tcp_service(env: dict[str, str], work_dir: Path, kwok_cluster: str) -> None:
    outputs, deployment, _, service = deploy(
        work_dir,
        env,
        kwok_cluster,
        "cache",
        app_protocol="tcp",
        port=6379,
        service_port=6379,
        port_name="redis",
        termination_grace_period_seconds=5,
        volumes=[{"name": "data", "mount_path": "/data", "empty_dir": True}],
    )
    assert outputs["url"] == "tcp://cache.cache.svc.cluster.local:6379"
    assert deployment.status.available_replicas == 2
    pod = deployment.spec.template.spec
    (main,) = pod.containers
    assert main.readiness_probe.tcp_socket.port == "redis"
    assert main.readiness_probe.http_get is None
    # The preStop delay fits inside the shorter grace period the user chose.
    assert pod.termination_grace_period_seconds == 5
    assert main.lifecycle.pre_stop.sleep.seconds == 2
    assert next(v for v in pod.volumes if v.name == "data").empty_dir.size_limit is None
    assert service.spec.ports[0].name == "redis"


def test_worker_with_a_sidecar(env: dict[str, str], work_dir: Path, kwok_cluster: str) -> None:
    outputs, deployment, policy, service = deploy(
        work_dir,
        env,
        kwok_cluster,
        "jobs",
        worker=True,
        probes={
            "readiness": {"kind": "exec", "command": ["/bin/ready"]},
            "liveness": {"kind": "exec", "command": ["/bin/alive"]},
        },
        sidecars=[{"name": "agent", "image": "registry.local/agent:2.0.0"}],
        init_containers=[{"name": "migrate", "image": "registry.local/app:1.0.0"}],
    )
    assert outputs["url"] == ""
    assert service is None
    assert deployment.status.available_replicas == 2
    pod = deployment.spec.template.spec
    (main,) = pod.containers
    assert main.ports is None
    assert main.readiness_probe._exec.command == ["/bin/ready"]
    agent, migrate = pod.init_containers
    assert (agent.name, agent.restart_policy) == ("agent", "Always")
    assert (migrate.name, migrate.restart_policy) == ("migrate", None)
    assert agent.security_context.read_only_root_filesystem is True
    assert policy.spec.policy_types == ["Ingress"]
    assert not policy.spec.ingress  # deny all


pytestmark = pytest.mark.engine
