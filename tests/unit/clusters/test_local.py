"""LocalCluster (_local.py): defaults, validation, wiring, and the program's LoadBalancer check."""

from __future__ import annotations

import json
from collections.abc import Callable

import pulumi
import pytest
from moorage._errors import ValidationError
from moorage._program import deploy
from moorage._stack_config import parse_stack_settings
from moorage.clusters import LocalCluster, validate_local_args
from moorage.clusters import _local_cli as local_cli
from moorage.clusters import _local_provider as local_provider

from ..conftest import RecordingMocks

pytestmark = pytest.mark.usefixtures("kwok_tools_on_path")


def test_defaults() -> None:
    settings = validate_local_args("local", {})
    assert settings["runtime"] == "auto"
    assert settings["cluster_name"] == "local"
    assert settings["nodes"] == 3
    assert len(settings["zones"]) == 3


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"runtime": "minikube"}, "runtime"),
        ({"nodes": 0}, "nodes"),
        ({"nodes": 500}, "nodes"),
        ({"cluster_name": "Bad_Name"}, "cluster_name"),
        ({"zones": ["ok", "NOT OK"]}, "zones[1]"),
        ({"nodez": 3}, "nodez"),
    ],
)
def test_bad_args_name_the_field(args: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_local_args("local", args)  # type: ignore[arg-type]
    assert error.value.field == field
    assert 'LocalCluster "local"' in str(error.value)


def test_kubeconfig_is_secret_and_provider_is_mutable_for_config(mocks: RecordingMocks) -> None:
    cluster = mocks.run(lambda: LocalCluster("local", {"runtime": "kwok", "nodes": 2}))
    assert mocks.settle(pulumi.Output.from_input(cluster.kubeconfig).is_secret())
    dynamic = mocks.one("pulumi-python:dynamic/moorage:LocalCluster")
    assert dynamic.inputs["nodes"] == 2
    assert dynamic.parent.endswith("moorage:index:LocalCluster::local")
    provider = mocks.one("pulumi:providers:kubernetes")
    assert provider.parent.endswith("moorage:index:LocalCluster::local")
    assert provider.inputs["enableConfigMapMutable"] == "true"
    assert provider.inputs["enableSecretMutable"] == "true"


def _machine(monkeypatch: pytest.MonkeyPatch, runtime: str, provider_running: bool) -> None:
    monkeypatch.setattr(local_provider, "_resolve_runtime", lambda requested, bin_dir: runtime)
    monkeypatch.setattr(local_cli, "cloud_provider_kind_running", lambda env: provider_running)


@pytest.mark.parametrize(
    ("runtime", "provider_running", "refused"),
    [("kwok", False, False), ("kind", True, False), ("kind", False, True)],
)
def test_which_local_clusters_can_serve_load_balancers(
    monkeypatch: pytest.MonkeyPatch, runtime: str, provider_running: bool, refused: bool
) -> None:
    _machine(monkeypatch, runtime, provider_running)
    problem = LocalCluster.load_balancer_problem("local", {"runtime": "auto"})
    assert (problem is not None) is refused


LOAD_BALANCER_ON_KIND = {
    "moorage:cloud": "local",
    "moorage:cluster": json.dumps({"runtime": "kind"}),
    "moorage:serviceName": "hello",
    "moorage:service": json.dumps({"image": "nginx:1.27.3", "service_type": "LoadBalancer"}),
}


def test_program_refuses_a_kind_load_balancer_before_anything_is_created(
    monkeypatch: pytest.MonkeyPatch, make_mocks: Callable[..., RecordingMocks]
) -> None:
    _machine(monkeypatch, "kind", provider_running=False)
    mocks = make_mocks(config=LOAD_BALANCER_ON_KIND)
    with pytest.raises(ValidationError) as error:
        mocks.run(lambda: deploy(parse_stack_settings(LOAD_BALANCER_ON_KIND)))
    assert error.value.field == "moorage:service.service_type"
    assert "cloud-provider-kind" in str(error.value)
    assert mocks.resources == []


def test_program_accepts_a_load_balancer_on_kwok(
    monkeypatch: pytest.MonkeyPatch, make_mocks: Callable[..., RecordingMocks]
) -> None:
    _machine(monkeypatch, "kwok", provider_running=False)
    config = {**LOAD_BALANCER_ON_KIND, "moorage:cluster": json.dumps({"runtime": "kwok"})}
    mocks = make_mocks(config=config)
    mocks.run(lambda: deploy(parse_stack_settings(config)))
    service = mocks.one("kubernetes:core/v1:Service")
    assert service.inputs["spec"]["type"] == "LoadBalancer"


def test_local_addons_install_on_the_clusters_provider(mocks: RecordingMocks) -> None:
    addons = {"metrics_server": {"enabled": True}, "gateway": {"enabled": True}}
    mocks.run(lambda: LocalCluster("local", {"runtime": "kwok", "addons": addons}))

    charts = {r.name: r for r in mocks.of_type("kubernetes:helm.sh/v4:Chart")}
    assert set(charts) == {"local-metrics-server", "local-gateway-crds"}
    # kind's kubelets serve self-signed certificates.
    assert charts["local-metrics-server"].inputs["values"] == {"args": ["--kubelet-insecure-tls"]}
    release = mocks.one("kubernetes:helm.sh/v3:Release")
    assert release.name == "local-gateway"
    for resource in [*charts.values(), release]:
        assert "$pulumi:providers:kubernetes::local-k8s::" in resource.provider


def test_the_local_dynamic_resource_never_sees_the_addons(mocks: RecordingMocks) -> None:
    mocks.run(
        lambda: LocalCluster(
            "local", {"runtime": "kwok", "addons": {"cert_manager": {"enabled": True}}}
        )
    )
    assert "addons" not in mocks.one("pulumi-python:dynamic/moorage:LocalCluster").inputs


def test_cloud_only_addons_are_refused_locally(mocks: RecordingMocks) -> None:
    with pytest.raises(ValidationError, match="no DNS zone"):
        validate_local_args(
            "local", {"addons": {"external_dns": {"enabled": True, "domain_filters": ["a.io"]}}}
        )


def test_stack_config_addons_reach_the_cluster_and_errors_name_the_config_key(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    config = {
        "moorage:cloud": "local",
        "moorage:cluster": json.dumps(
            {"runtime": "kwok", "addons": {"cert_manager": {"enabled": True}}}
        ),
        "moorage:serviceName": "hello",
        "moorage:service": json.dumps({"image": "nginx:1.27.3"}),
    }
    mocks = make_mocks(config=config)
    mocks.run(lambda: deploy(parse_stack_settings(config)))
    assert [r.name for r in mocks.of_type("kubernetes:helm.sh/v4:Chart")] == ["test-cert-manager"]

    floating = {
        **config,
        "moorage:cluster": json.dumps(
            {"addons": {"cert_manager": {"enabled": True, "version": "1.*"}}}
        ),
    }
    mocks = make_mocks(config=floating)
    with pytest.raises(ValidationError) as error:
        mocks.run(lambda: deploy(parse_stack_settings(floating)))
    assert error.value.field == "moorage:cluster.addons.cert_manager.version"
    assert mocks.resources == []
