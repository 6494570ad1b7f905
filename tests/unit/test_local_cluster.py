"""LocalCluster: runtime choice, offline kwokctl command, zones, validation, and wiring."""

from __future__ import annotations

import pulumi
import pytest
from moorage._errors import ValidationError
from moorage.clusters import local_cli
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
    command = local_cli.kwok_create_command("demo", "/opt/tools/bin")
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
