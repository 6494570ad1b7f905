"""LocalCluster finds kwok's binaries on PATH when no tools dir is set (a user's own project).

kwokctl resolves a bare binary name against its working directory, the Pulumi project, so
each tool found on PATH is passed to it by absolute path, and a missing tool is one line
naming it and where it was looked for.
"""

from __future__ import annotations

import os
from pathlib import Path

import pulumi
import pytest
from moorage import LocalCluster, LocalClusterError
from moorage.clusters import _local_cli as local_cli

from tests.unit.conftest import RecordingMocks


def tool(directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_without_a_tools_dir_every_binary_comes_from_path_by_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "tools", tmp_path / "more"
    for binary in local_cli.KWOK_BINARY_FLAGS.values():
        tool(second if binary == "etcd" else first, binary)
    monkeypatch.chdir(tmp_path)
    search_path = os.pathsep.join(["tools", str(second)])  # a relative entry too
    command = local_cli.kwok_create_command("demo", "", "/w/stage.json", search_path)
    for flag, binary in local_cli.KWOK_BINARY_FLAGS.items():
        path = Path(command[command.index(flag) + 1])
        assert path.is_absolute(), (flag, path)
        assert path == (second if binary == "etcd" else first) / binary


def test_a_tools_dir_wins_over_path(tmp_path: Path) -> None:
    tool(tmp_path / "on-path", "etcd")
    located = local_cli.locate_binary("etcd", "/opt/tools/bin", str(tmp_path / "on-path"))
    assert located == "/opt/tools/bin/etcd"


def test_a_missing_tool_is_one_line_naming_it_and_where_it_looked(tmp_path: Path) -> None:
    search_path = os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")])
    with pytest.raises(LocalClusterError) as raised:
        local_cli.locate_binary("kube-apiserver", "", search_path)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("kube-apiserver not found on PATH (")
    assert search_path in message
    assert "MOORAGE_TOOLS_BIN" in message


def test_a_local_cluster_with_a_missing_tool_stops_before_the_cluster_is_registered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mocks: RecordingMocks
) -> None:
    """The program's own check: one line, no dynamic resource (whose errors carry a traceback)."""
    for binary in ("kwokctl", *local_cli.KWOK_BINARY_FLAGS.values()):
        if binary != "kube-apiserver":
            tool(tmp_path / "bin", binary)
    monkeypatch.delenv("MOORAGE_TOOLS_BIN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(LocalClusterError) as raised:
        mocks.run(lambda: LocalCluster("dev", {"runtime": "kwok", "nodes": 1}))
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"kube-apiserver not found on PATH ({tmp_path / 'bin'})")
    # Pulumi's Python host shows a RunError's message alone, with no traceback.
    assert isinstance(raised.value, pulumi.RunError)
    assert not [r for r in mocks.resources if r.typ.endswith("moorage:LocalCluster")]


def test_with_every_tool_on_path_the_check_passes(tmp_path: Path) -> None:
    for binary in ("kwokctl", *local_cli.KWOK_BINARY_FLAGS.values()):
        tool(tmp_path / "bin", binary)
    local_cli.require_tools("kwok", "", str(tmp_path / "bin"))


def test_kind_needs_kind_and_kwok_needs_kwokctl(tmp_path: Path) -> None:
    for binary in local_cli.KWOK_BINARY_FLAGS.values():
        tool(tmp_path / "bin", binary)
    for runtime, cli in (("kind", "kind"), ("kwok", "kwokctl")):
        with pytest.raises(LocalClusterError, match=f"^{cli} not found on PATH"):
            local_cli.require_tools(runtime, "", str(tmp_path / "bin"))


def test_a_tool_missing_from_the_tools_dir_names_the_dir(tmp_path: Path) -> None:
    tool(tmp_path / "bin", "kwokctl")
    with pytest.raises(LocalClusterError) as raised:
        local_cli.require_tools("kwok", str(tmp_path / "tools"), str(tmp_path / "bin"))
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"kube-apiserver not found in the tools dir {tmp_path / 'tools'}")
