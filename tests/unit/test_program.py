"""The Moorage program under mocks: one cluster per stack, the WebService on its provider."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from moorage._errors import ValidationError
from moorage._program import deploy
from moorage._stack_config import parse_stack_settings

from .conftest import RecordingMocks

pytestmark = pytest.mark.usefixtures("kwok_tools_on_path")

LOCAL = {
    "moorage:cloud": "local",
    "moorage:cluster": json.dumps({"runtime": "kwok", "nodes": 3}),
    "moorage:serviceName": "hello",
    "moorage:service": json.dumps({"image": "nginx:1.27.3", "config": {"LOG_LEVEL": "info"}}),
}


def run_program(mocks: RecordingMocks, config: dict[str, str]) -> dict[str, Any]:
    return mocks.run(lambda: deploy(parse_stack_settings(config)))


def test_local_stack_puts_the_service_on_the_local_cluster_provider(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    mocks = make_mocks(config=LOCAL)
    outputs = run_program(mocks, LOCAL)
    cluster_provider = mocks.one("pulumi:providers:kubernetes")
    kubernetes = [r for r in mocks.resources if r.typ.startswith("kubernetes:")]
    assert {r.typ for r in kubernetes} >= {
        "kubernetes:apps/v1:Deployment",
        "kubernetes:core/v1:Service",
        "kubernetes:core/v1:ConfigMap",
    }
    for resource in kubernetes:
        assert f"pulumi:providers:kubernetes::{cluster_provider.name}::" in resource.provider, (
            f"{resource.name} is not on the cluster's provider: {resource.provider}"
        )
    assert mocks.settle(outputs["url"]) == "http://hello.hello.svc.cluster.local:80"
    assert mocks.one("kubernetes:core/v1:Service").inputs["spec"]["type"] == "ClusterIP"


def test_service_secrets_from_stack_config_stay_secret(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    config = {**LOCAL, "moorage:serviceSecrets": json.dumps({"API_TOKEN": "tok-123456"})}
    mocks = make_mocks(config=config)
    run_program(mocks, config)
    deployment = json.dumps(mocks.one("kubernetes:apps/v1:Deployment").inputs)
    assert "tok-123456" not in deployment
    assert "secretKeyRef" in deployment
    secret = mocks.one("kubernetes:core/v1:Secret")
    assert "tok-123456" in json.dumps(secret.inputs)  # only inside the Secret, as a secret
    string_data = secret.inputs["stringData"]
    wrapped = string_data if "value" in string_data else string_data["API_TOKEN"]
    assert "4dabf18193072939515e22adb298388d" in wrapped


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ({"moorage:cluster": json.dumps({"nodes": 0})}, "moorage:cluster.nodes"),
        ({"moorage:cluster": json.dumps({"runtime": "docker"})}, "moorage:cluster.runtime"),
        ({"moorage:service": json.dumps({"image": "nginx"})}, "moorage:service.image"),
        (
            {"moorage:service": json.dumps({"image": "nginx:1", "port": 99999})},
            "moorage:service.port",
        ),
        ({"moorage:serviceName": "Bad Name"}, "moorage:serviceName"),
    ],
)
def test_bad_config_fails_before_any_resource(
    make_mocks: Callable[..., RecordingMocks], override: dict[str, str], key: str
) -> None:
    config = {**LOCAL, **override}
    mocks = make_mocks(config=config)
    with pytest.raises(ValidationError) as error:
        run_program(mocks, config)
    assert key in str(error.value)
    assert mocks.resources == []


SHOP = {
    "moorage:cloud": "local",
    "moorage:cluster": json.dumps({"runtime": "kwok", "nodes": 3}),
    "moorage:namespaces": json.dumps({"shop": {}}),
    "moorage:monitoringCrds": "true",
    "moorage:services": json.dumps(
        {
            "web": {
                "image": "nginx:1.27.3",
                "namespace": "shop",
                "env": {"CACHE_ADDR": {"service_address": "cache"}},
                "metrics": {"service_monitor": True},
            },
            "cache": {
                "image": "redis:7.4.1",
                "namespace": "shop",
                "port": 6379,
                "service_port": 6379,
                "replicas": 1,
                "persistence": {"size": "1Gi"},
            },
        }
    ),
    "moorage:serviceSecrets": json.dumps({"web": {"TOKEN": "tok-123456"}}),
}


def test_many_services_share_a_namespace_on_the_cluster_provider(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    mocks = make_mocks(config=SHOP)
    outputs = run_program(mocks, SHOP)
    assert mocks.settle(outputs["urls"]) == {
        "web": "http://web.shop.svc.cluster.local:80",
        "cache": "http://cache.shop.svc.cluster.local:6379",
    }
    assert mocks.one("kubernetes:core/v1:Namespace").metadata["name"] == "shop"
    assert len(mocks.of_type("kubernetes:apps/v1:Deployment")) == 2
    cluster_provider = mocks.one("pulumi:providers:kubernetes")
    for resource in (r for r in mocks.resources if r.typ.startswith("kubernetes:")):
        assert f"::{cluster_provider.name}::" in resource.provider, resource.name
    # Secrets per service, still only in the Secret.
    web = mocks.resource("kubernetes:apps/v1:Deployment", "web-deployment")
    assert "tok-123456" not in json.dumps(web.inputs)
    assert "secretKeyRef" in json.dumps(web.inputs)


def test_a_short_reference_from_stack_config_need_not_wait(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    services = json.loads(SHOP["moorage:services"])
    services["web"]["env"] = {"CACHE_ADDR": {"service_short_address": "cache", "wait": False}}
    stack = {**SHOP, "moorage:services": json.dumps(services)}
    mocks = make_mocks(config=stack)
    run_program(mocks, stack)
    web = mocks.resource("kubernetes:apps/v1:Deployment", "web-deployment")
    env = web.inputs["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "CACHE_ADDR", "value": "cache:6379"} in env
    # Started in parallel with the cache, not after its Deployment is ready.
    service = mocks.resource("moorage:index:WebService", "web")
    assert not service.depends_on("kubernetes:apps/v1:Deployment", "cache-deployment")


def test_local_claims_get_a_static_volume_and_monitoring_a_stub_crd(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    mocks = make_mocks(config=SHOP)
    run_program(mocks, SHOP)
    storage_class = mocks.one("kubernetes:storage.k8s.io/v1:StorageClass")
    assert storage_class.inputs["volumeBindingMode"] == "Immediate"
    claim = mocks.one("kubernetes:core/v1:PersistentVolumeClaim")
    assert claim.inputs["spec"]["storageClassName"] == "moorage-local"
    volume = mocks.one("kubernetes:core/v1:PersistentVolume")
    assert volume.inputs["spec"]["claimRef"] == {"namespace": "shop", "name": "cache-data"}
    assert volume.inputs["spec"]["capacity"] == {"storage": "1Gi"}
    crds = mocks.of_type("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition")
    assert "servicemonitors.monitoring.coreos.com" in [c.metadata["name"] for c in crds]
    monitor = mocks.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")
    assert monitor.depends_on(
        "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
        "test-crd-servicemonitors",
    )


def test_the_shipped_local_stack_is_valid(make_mocks: Callable[..., RecordingMocks]) -> None:
    """stacks/Pulumi.local.yaml deploys its four services under mocks."""
    import yaml
    from moorage._program import application_args, validate

    shipped = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "stacks" / "Pulumi.local.yaml").read_text()
    )["config"]
    raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in shipped.items()}
    mocks = make_mocks(config=raw)
    settings = parse_stack_settings(raw)
    mocks.run(lambda: validate(settings, application_args(settings, {})[0]).release())
    outputs = run_program(mocks, raw)
    urls = mocks.settle(outputs["urls"])
    assert urls == {
        "web": "http://web.shop.svc.cluster.local:80",
        "catalog": "http://catalog.shop.svc.cluster.local:80",
        "cart": "grpc://cart.shop.svc.cluster.local:7070",
        "cache": "tcp://cache.shop-data.svc.cluster.local:6379",
    }
    cart = mocks.resource("kubernetes:apps/v1:Deployment", "cart-deployment")
    container = cart.inputs["spec"]["template"]["spec"]["containers"][0]
    assert "grpc" in container["readinessProbe"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["REDIS_ADDR"] == "cache.shop-data.svc.cluster.local:6379"
    catalog = mocks.resource("kubernetes:apps/v1:Deployment", "catalog-deployment")
    init = catalog.inputs["spec"]["template"]["spec"]["initContainers"]
    assert [c["name"] for c in init] == ["prepare"]
    # cart (namespace shop) refers to cache (shop-data): cache's policy admits shop.
    policy = mocks.resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", "cache-network-policy")
    assert "shop" in json.dumps(policy.inputs["spec"]["ingress"])


def test_the_shipped_local_stack_passes_every_policy(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    """The policy pack's checks on every object the local stack declares: no finding."""
    import yaml
    from moorage_policy import catalogue
    from moorage_policy.availability import StackResource

    shipped = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "stacks" / "Pulumi.local.yaml").read_text()
    )["config"]
    raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in shipped.items()}
    mocks = make_mocks(config=raw)
    run_program(mocks, raw)
    resources = [
        StackResource(r.typ, r.name, f"urn::{r.name}", r.inputs)
        for r in mocks.resources
        if r.typ.startswith("kubernetes:")
    ]
    found = {
        r.name: catalogue.check_resource(r.type, r.props, {})
        for r in resources
        if catalogue.check_resource(r.type, r.props, {})
    }
    assert found == {}
    for policy in catalogue.STACK_POLICIES:
        assert policy.check(resources, {}) == [], policy.name


def test_render_mode_of_many_services_needs_no_cluster_and_hides_secrets(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    from moorage._program import RENDERED_SECRET_PLACEHOLDER, render

    mocks = make_mocks(config=SHOP)
    outputs = mocks.run(lambda: render(parse_stack_settings(SHOP), "/tmp/out"))
    assert outputs["rendered_to"] == "/tmp/out"
    # No cluster.
    assert not [r for r in mocks.resources if "LocalCluster" in r.typ]
    secret = mocks.one("kubernetes:core/v1:Secret")
    assert "tok-123456" not in json.dumps(secret.inputs)
    assert RENDERED_SECRET_PLACEHOLDER in json.dumps(secret.inputs)
    assert sorted(mocks.settle(outputs["urls"])) == ["cache", "web"]


@pytest.mark.parametrize(
    ("override", "key"),
    [
        (
            {"moorage:namespaces": json.dumps({"shop": {"pod_security": "strict"}})},
            "moorage:namespaces.shop.pod_security",
        ),
        (
            {"moorage:services": json.dumps({"web": {"image": "a:1", "port": 0}})},
            "moorage:services.web.port",
        ),
        (
            {"moorage:services": json.dumps({"web": {"image": "a:1", "namespace": "nope"}})},
            "moorage:services.web.namespace",
        ),
    ],
)
def test_bad_many_service_config_fails_before_any_resource(
    make_mocks: Callable[..., RecordingMocks], override: dict[str, str], key: str
) -> None:
    config = {k: v for k, v in {**SHOP, **override}.items() if k != "moorage:serviceSecrets"}
    mocks = make_mocks(config=config)
    with pytest.raises(ValidationError) as error:
        run_program(mocks, config)
    assert key in str(error.value)
    assert mocks.resources == []


LEDGER = "pulumi-python:dynamic/moorage:ReleaseLedger"


@pytest.mark.parametrize("many", [False, True])
def test_blue_green_services_read_the_stacks_own_cluster(
    make_mocks: Callable[..., RecordingMocks], many: bool
) -> None:
    service = {"image": "nginx:1.27.3", "strategy": "blue_green"}
    if many:
        config = {**SHOP, "moorage:services": json.dumps({"web": service})}
    else:
        config = {**LOCAL, "moorage:service": json.dumps(service)}
    kubeconfig = "apiVersion: v1\nclusters: [{name: local}]\n"

    def cluster_outputs(args: Any) -> dict[str, Any]:
        return {"kubeconfig": kubeconfig} if args.typ.endswith("moorage:LocalCluster") else {}

    mocks = make_mocks(config=config, resource_outputs=cluster_outputs)
    run_program(mocks, config)
    (ledger,) = mocks.of_type(LEDGER)
    wrapped = ledger.inputs["cluster"]
    assert set(wrapped) == {"4dabf18193072939515e22adb298388d", "value"}, "kept secret"
    # The ledger reads the cluster this stack created, with its kubeconfig.
    assert wrapped["value"].get("kubeconfig") == kubeconfig, wrapped


@pytest.mark.parametrize(
    ("config", "services"),
    [
        ({**LOCAL, "moorage:serviceSecrets": json.dumps({"TOKEN": "tok-123456"})}, 1),
        (SHOP, 2),
    ],
    ids=["shorthand", "services"],
)
def test_each_spec_is_built_once_per_run(
    make_mocks: Callable[..., RecordingMocks],
    monkeypatch: pytest.MonkeyPatch,
    config: dict[str, str],
    services: int,
) -> None:
    from moorage.webservice import _spec  # the one reader every entry point goes through

    built: list[str] = []
    real = _spec.read_spec
    monkeypatch.setattr(_spec, "read_spec", lambda n, a: built.append(n) or real(n, a))
    mocks = make_mocks(config=config)
    run_program(mocks, config)
    assert len(mocks.of_type("kubernetes:apps/v1:Deployment")) == services
    assert sorted(built) == sorted(set(built)) and len(built) == services


def test_a_shorthand_stack_keeps_its_outputs_and_resource_names(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    mocks = make_mocks(config=LOCAL)
    outputs = run_program(mocks, LOCAL)
    assert {"namespace", "service_name", "deployment_name", "url"} <= set(outputs)
    assert "urls" not in outputs
    assert mocks.one("kubernetes:apps/v1:Deployment").name == "hello-deployment"


def test_a_worker_in_the_services_map_deploys_without_a_service(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    config = {
        **LOCAL,
        "moorage:services": json.dumps({"jobs": {"image": "ghcr.io/a/j:1.0.0", "worker": True}}),
    }
    del config["moorage:serviceName"], config["moorage:service"]
    mocks = make_mocks(config=config)
    run_program(mocks, config)
    assert mocks.of_type("kubernetes:core/v1:Service") == []
    assert len(mocks.of_type("kubernetes:apps/v1:Deployment")) == 1
