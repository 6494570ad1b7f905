"""LocalCluster's dynamic provider (_local_provider.py): diff, failed creates, clean-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from moorage.clusters import LocalClusterProvider
from moorage.clusters import _local_provider as local_provider


def test_diff_replaces_on_name_and_updates_on_nodes() -> None:
    provider = LocalClusterProvider()
    base = {"cluster_name": "a", "runtime": "kwok", "nodes": 3, "zones": ["z"]}
    renamed = provider.diff("kwok/a", base, {**base, "cluster_name": "b"})
    assert renamed.changes and renamed.replaces == ["cluster_name"]
    scaled = provider.diff("kwok/a", base, {**base, "nodes": 5})
    assert scaled.changes and not scaled.replaces
    # The cluster stays: its kubeconfig stays known, so the Kubernetes provider built
    # from it (and every object on it) is not planned for replacement.
    assert scaled.stables is not None and "kubeconfig" in scaled.stables
    assert not renamed.stables
    moved = provider.diff("kwok/a", base, {**base, "tools_bin_dir": "/elsewhere"})
    assert not moved.changes


def _converge_fails(monkeypatch: pytest.MonkeyPatch, message: str) -> None:
    """Make the step after the cluster exists (waiting for nodes, zones) fail."""
    from moorage.clusters import _local_provider as local_provider

    def broken(self: object, props: object, runtime: str) -> None:
        raise local_provider.LocalClusterError(message)

    monkeypatch.setattr(LocalClusterProvider, "_converge", broken)


def test_a_failed_create_removes_the_cluster_it_started(monkeypatch: pytest.MonkeyPatch) -> None:
    from moorage.clusters import _local_provider as local_provider

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
    from moorage.clusters import _local_provider as local_provider

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


def test_stacks_made_before_the_modules_became_private_still_find_their_provider() -> None:
    """A LocalCluster's state pickles its dynamic provider by module path."""
    import pickle

    from moorage.clusters import local_provider as old_path

    old_reference = pickle.dumps(old_path.LocalClusterProvider, protocol=0).replace(
        b"moorage.clusters._local_provider", b"moorage.clusters.local_provider"
    )
    assert pickle.loads(old_reference) is LocalClusterProvider


def test_two_kwok_clusters_are_never_created_at_the_same_moment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """kwokctl picks free ports before it binds them: two creates at once (two stacks'
    `up`s, parallel test processes) must run one after the other, or both pick the same
    ports and one cluster never starts."""
    import threading
    import time

    monkeypatch.setenv("KWOK_WORKDIR", str(tmp_path))
    monkeypatch.setattr(local_provider, "_write_kwok_stages", lambda name: str(tmp_path / name))
    running: list[str] = []
    overlaps: list[tuple[str, ...]] = []

    def create(command: list[str], bin_dir: str, timeout: int = 0) -> None:
        running.append(command[-1])
        if len(running) > 1:
            overlaps.append(tuple(running))
        time.sleep(0.3)
        running.remove(command[-1])

    monkeypatch.setattr(local_provider, "_run", create)
    monkeypatch.setattr(
        local_provider.local_cli,
        "kwok_create_command",
        lambda name, bin_dir, stage_file, search_path: ["kwokctl", "create", name],
    )
    threads = [
        threading.Thread(target=local_provider._create_cluster, args=("kwok", name, 1, ""))
        for name in ("first", "second", "third")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []
