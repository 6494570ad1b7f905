"""LocalCluster: runtime choice, offline kwokctl command, zones, validation, and wiring."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pulumi
import pytest
from moorage._errors import ValidationError
from moorage._program import deploy
from moorage._stack_config import parse_stack_settings
from moorage.clusters import local_cli, local_provider
from moorage.clusters.local import LocalCluster, validate_local_args
from moorage.clusters.local_provider import LocalClusterProvider

from .conftest import RecordingMocks


@pytest.mark.parametrize(
    ("requested", "docker", "kind", "expected"),
    [
        ("auto", True, True, "kind"),
        ("auto", True, False, "kwok"),
        ("auto", False, True, "kwok"),
        ("kwok", True, True, "kwok"),
        ("kind", False, False, "kind"),
    ],
)
def test_auto_picks_kind_only_where_docker_runs(
    requested: str, docker: bool, kind: bool, expected: str
) -> None:
    assert local_cli.choose_runtime(requested, docker, kind) == expected


def test_kwok_cluster_uses_only_local_binaries() -> None:
    command = local_cli.kwok_create_command("demo", "/opt/tools/bin", "/w/stage.json")
    assert command[:7] == ["kwokctl", "create", "cluster", "--name", "demo", "--runtime", "binary"]
    for flag, binary in local_cli.KWOK_BINARY_FLAGS.items():
        assert command[command.index(flag) + 1] == f"/opt/tools/bin/{binary}"
    assert command[command.index("--kubeconfig") + 1] == "", "must not touch ~/.kube/config"


def test_simulated_nodes_spread_over_zones_round_robin() -> None:
    zones = ["zone-a", "zone-b"]
    nodes = [local_cli.kwok_node("demo", i, zones) for i in range(3)]
    assert [n["metadata"]["labels"]["topology.kubernetes.io/zone"] for n in nodes] == [
        "zone-a",
        "zone-b",
        "zone-a",
    ]
    assert all(n["metadata"]["annotations"]["kwok.x-k8s.io/node"] == "fake" for n in nodes)
    assert len({n["metadata"]["name"] for n in nodes}) == 3


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


def test_diff_replaces_on_name_and_updates_on_nodes() -> None:
    provider = LocalClusterProvider()
    base = {"cluster_name": "a", "runtime": "kwok", "nodes": 3, "zones": ["z"]}
    renamed = provider.diff("kwok/a", base, {**base, "cluster_name": "b"})
    assert renamed.changes and renamed.replaces == ["cluster_name"]
    scaled = provider.diff("kwok/a", base, {**base, "nodes": 5})
    assert scaled.changes and not scaled.replaces
    moved = provider.diff("kwok/a", base, {**base, "tools_bin_dir": "/elsewhere"})
    assert not moved.changes


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


def _converge_fails(monkeypatch: pytest.MonkeyPatch, message: str) -> None:
    """Make the step after the cluster exists (waiting for nodes, zones) fail."""
    from moorage.clusters import local_provider

    def broken(self: object, props: object, runtime: str) -> None:
        raise local_provider.LocalClusterError(message)

    monkeypatch.setattr(LocalClusterProvider, "_converge", broken)


def test_a_failed_create_removes_the_cluster_it_started(monkeypatch: pytest.MonkeyPatch) -> None:
    from moorage.clusters import local_provider

    started: list[str] = []
    deleted: list[str] = []
    monkeypatch.setattr(local_provider, "_resolve_runtime", lambda runtime, bin_dir: "kwok")
    monkeypatch.setattr(local_provider, "_existing_clusters", lambda runtime, bin_dir: started)
    monkeypatch.setattr(
        local_provider,
        "_create_cluster",
        lambda runtime, name, nodes, bin_dir: started.append(name),
    )
    monkeypatch.setattr(
        local_provider, "_run", lambda command, bin_dir, timeout=0: deleted.append(command[-1])
    )

    _converge_fails(monkeypatch, "nodes never became Ready")
    props = {"cluster_name": "demo", "runtime": "auto", "nodes": 1, "zones": ["z"]}
    with pytest.raises(local_provider.LocalClusterError, match="Ready"):
        LocalClusterProvider().create(props)
    assert started == ["demo"] and deleted == ["demo"]


def test_a_failed_create_keeps_an_adopted_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    from moorage.clusters import local_provider

    deleted: list[str] = []
    monkeypatch.setattr(local_provider, "_resolve_runtime", lambda runtime, bin_dir: "kwok")
    monkeypatch.setattr(local_provider, "_existing_clusters", lambda runtime, bin_dir: ["demo"])
    monkeypatch.setattr(
        local_provider, "_run", lambda command, bin_dir, timeout=0: deleted.append(command[-1])
    )

    _converge_fails(monkeypatch, "boom")
    props = {"cluster_name": "demo", "runtime": "kwok", "nodes": 1, "zones": ["z"]}
    with pytest.raises(local_provider.LocalClusterError):
        LocalClusterProvider().create(props)
    assert deleted == []


# --- LoadBalancer Services -------------------------------------------------------------


def test_kwok_controller_gets_the_load_balancer_stage_besides_its_defaults() -> None:
    command = local_cli.kwok_create_command("demo", "/opt/tools/bin", "/w/stage.json")
    extra = command[command.index("--extra-args") + 1]
    # A second --config of the kwok controller: kwokctl's own --config would
    # replace the default node and pod stages instead of adding to them.
    assert extra == "kwok-controller=config=/w/stage.json"
    assert "--config" not in command


def test_the_stage_patches_the_status_of_load_balancer_services_once() -> None:
    stage = local_cli.load_balancer_stage()
    assert stage["kind"] == "Stage"
    assert stage["spec"]["resourceRef"] == {"apiGroup": "v1", "kind": "Service"}
    selector = {e["key"]: e for e in stage["spec"]["selector"]["matchExpressions"]}
    assert selector[".spec.type"]["values"] == ["LoadBalancer"]
    assert selector[".status.loadBalancer.ingress"]["operator"] == "DoesNotExist"
    assert selector[".metadata.deletionTimestamp"]["operator"] == "DoesNotExist"
    (step,) = stage["spec"]["steps"]
    assert step["patch"]["subresource"] == "status"
    assert step["patch"]["root"] == "status"
    template = step["patch"]["template"]
    assert local_cli.LOAD_BALANCER_PREFIX in template and ".spec.clusterIP" in template


def test_the_stage_file_lives_in_the_kwokctl_cluster_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KWOK_WORKDIR", str(tmp_path))
    commands: list[list[str]] = []
    monkeypatch.setattr(
        local_provider, "_run", lambda command, bin_dir, timeout=0: commands.append(command)
    )
    local_provider._create_cluster("kwok", "demo", 1, "/opt/tools/bin")
    stage_file = tmp_path / "clusters" / "demo" / local_cli.LOAD_BALANCER_STAGE_FILE
    assert json.loads(stage_file.read_text()) == local_cli.load_balancer_stage()
    assert f"kwok-controller=config={stage_file}" in commands[0]


def test_kwok_cluster_dir_defaults_to_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/u")
    assert local_cli.kwok_cluster_dir("c", {}) == "/home/u/.kwok/clusters/c"
    assert local_cli.kwok_cluster_dir("c", {"KWOK_WORKDIR": "/w"}) == "/w/clusters/c"


@pytest.mark.parametrize(
    ("listing", "found"),
    [
        ("/usr/bin/python3 x.py\n/usr/local/bin/cloud-provider-kind -v 2\n", True),
        ("registry.k8s.io/cloud-provider-kind/cloud-controller-manager:v0.6.0\n", True),
        ("/usr/bin/kind get clusters\nvim cloud-provider-kind.md\n", False),
        ("", False),
    ],
)
def test_cloud_provider_kind_is_found_as_process_or_container(listing: str, found: bool) -> None:
    assert local_cli.mentions_cloud_provider_kind(listing) is found


def test_kind_load_balancers_need_cloud_provider_kind_running() -> None:
    assert local_cli.kind_load_balancer_problem(True, True) is None
    missing = local_cli.kind_load_balancer_problem(False, False)
    idle = local_cli.kind_load_balancer_problem(False, True)
    assert missing is not None and idle is not None
    assert "go install sigs.k8s.io/cloud-provider-kind" in missing
    assert "installed but not running" in idle
    for message in (missing, idle):
        assert "ClusterIP or NodePort" in message and '"kwok" runtime' in message


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


def test_a_kwokctl_that_never_started_leaves_no_cluster_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KWOK_WORKDIR", str(tmp_path))

    def missing_kwokctl(command: list[str], bin_dir: str, timeout: int = 0) -> str:
        raise local_provider.LocalClusterError("kwokctl not found")

    monkeypatch.setattr(local_provider, "_run", missing_kwokctl)
    with pytest.raises(local_provider.LocalClusterError):
        local_provider._create_cluster("kwok", "demo", 1, "/nowhere")
    assert not (tmp_path / "clusters" / "demo").exists()
