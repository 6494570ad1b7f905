"""The kind/kwok command lines (_local_cli.py): runtime choice, offline kwokctl, LB stage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from moorage.clusters import _local_cli as local_cli
from moorage.clusters import _local_provider as local_provider


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
