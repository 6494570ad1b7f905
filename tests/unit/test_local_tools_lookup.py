"""LocalCluster finds kwok's binaries on PATH when no tools dir is set (a user's own project).

kwokctl resolves a bare binary name against its working directory, the Pulumi project, so
each tool found on PATH is passed to it by absolute path, and a missing tool is one line
naming it and where it was looked for.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from moorage import LocalClusterError
from moorage.clusters import _local_cli as local_cli


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
