"""The local cluster's Gateway API CRDs (_gateway_api.py): found, applied, others' left alone."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pulumi
import pytest
from kubernetes.client.exceptions import ApiException
from moorage.clusters import LocalCluster, LocalClusterProvider, validate_local_args
from moorage.clusters import _gateway_api as gateway_api
from moorage.clusters import _local_provider as local_provider

from ..conftest import RecordingMocks

CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {name}
spec: {{}}
"""


def _crd_dir(root: Path, *names: str) -> Path:
    directory = root / "gateway-api-crds"
    directory.mkdir()
    for name in names:
        (directory / f"{name}.yaml").write_text(CRD.format(name=name))
    (directory / "policy.yaml").write_text("kind: ValidatingAdmissionPolicy\nmetadata: {}\n")
    return directory


class FakeApi:
    """ApiextensionsV1Api over a dict of CRDs: name -> (managers, established)."""

    def __init__(self, existing: dict[str, list[str]], conflicts: tuple[str, ...] = ()) -> None:
        self.crds = dict(existing)
        self.conflicts = conflicts
        self.applied: list[tuple[str, str, bool]] = []

    def read_custom_resource_definition(self, name: str) -> Any:
        if name not in self.crds:
            raise ApiException(status=404)
        managed = [SimpleNamespace(manager=m) for m in self.crds[name]]
        established = SimpleNamespace(type="Established", status="True")
        return SimpleNamespace(
            metadata=SimpleNamespace(managed_fields=managed),
            status=SimpleNamespace(conditions=[established]),
        )

    def patch_custom_resource_definition(self, name: str, body: Any, **kwargs: Any) -> None:
        assert kwargs["_content_type"] == "application/apply-patch+yaml"  # server-side apply
        if name in self.conflicts:
            raise ApiException(status=409)
        self.applied.append((name, kwargs["field_manager"], kwargs["force"]))
        self.crds[name] = sorted({*self.crds.get(name, []), kwargs["field_manager"]})


def test_the_crds_are_found_beside_the_first_bin_dir_that_has_them(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    directory = _crd_dir(tmp_path, "httproutes.gateway.networking.k8s.io")
    found = gateway_api.find_crd_dir(["", "/nowhere/bin", str(tmp_path / "bin")])
    assert found == str(directory.resolve())
    assert gateway_api.find_crd_dir(["/nowhere/bin"]) == ""


def test_only_custom_resource_definitions_are_read(tmp_path: Path) -> None:
    directory = _crd_dir(tmp_path, "a.example.io", "b.example.io")
    names = [d["metadata"]["name"] for d in gateway_api.crd_documents(str(directory))]
    assert names == ["a.example.io", "b.example.io"]


def test_missing_and_own_crds_are_applied_and_others_left_alone(tmp_path: Path) -> None:
    documents = gateway_api.crd_documents(
        str(_crd_dir(tmp_path, "new.io", "ours.io", "theirs.io", "changed.io"))
    )
    api = FakeApi(
        {
            "ours.io": [gateway_api.FIELD_MANAGER],
            "theirs.io": ["kubectl-client-side-apply"],
            "changed.io": [gateway_api.FIELD_MANAGER, "helm"],
        },
        conflicts=("changed.io",),
    )
    applied = gateway_api.apply_crds(api, documents)
    assert applied == ["new.io", "ours.io"]
    assert {force for _, _, force in api.applied} == {False}  # never takes fields over
    assert api.crds["theirs.io"] == ["kubectl-client-side-apply"]
    # A re-run applies the same, and changes nothing else: it converges.
    assert gateway_api.apply_crds(api, documents) == applied


def test_the_provider_applies_the_crds_when_it_creates_or_adopts_a_cluster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    installed: list[tuple[str, str]] = []
    monkeypatch.setattr(local_provider, "_resolve_runtime", lambda runtime, bin_dir: "kwok")
    monkeypatch.setattr(local_provider, "_existing_clusters", lambda runtime, bin_dir: ["demo"])
    monkeypatch.setattr(
        local_provider, "_kubeconfig", lambda runtime, name, bin_dir: "clusters: []"
    )
    monkeypatch.setattr(local_provider, "_reconcile_kwok_nodes", lambda *args: None)
    monkeypatch.setattr(gateway_api, "install", lambda kc, d: installed.append((kc, d)) or [])
    props = {"cluster_name": "demo", "runtime": "kwok", "nodes": 1, "zones": ["z"]}
    LocalClusterProvider().create({**props, "gateway_api_crds": "/crds"})
    LocalClusterProvider().create({**props, "gateway_api_crds": ""})
    assert installed == [("clusters: []", "/crds")]


def test_a_new_crd_directory_updates_the_cluster_in_place() -> None:
    base = {"cluster_name": "a", "runtime": "kwok", "nodes": 3, "zones": ["z"]}
    olds = {**base, "gateway_api_crds": "/v1.6.3/crds"}
    diff = LocalClusterProvider().diff("kwok/a", olds, {**base, "gateway_api_crds": "/v1.7/crds"})
    assert diff.changes and not diff.replaces


def test_a_cluster_from_before_the_crds_is_left_as_it_is() -> None:
    """Updating it would show every object on it as replaced in the upgrade's preview."""
    base = {"cluster_name": "a", "runtime": "kwok", "nodes": 3, "zones": ["z"]}
    diff = LocalClusterProvider().diff("kwok/a", base, {**base, "gateway_api_crds": "/v1/crds"})
    assert not diff.changes


def test_the_cluster_gets_the_crds_beside_its_tools(
    tmp_path: Path, mocks: RecordingMocks, kwok_tools_on_path: Path
) -> None:
    bin_dir = tmp_path / "bin"
    shutil.copytree(kwok_tools_on_path, bin_dir)
    directory = _crd_dir(tmp_path, "httproutes.gateway.networking.k8s.io")
    mocks.run(lambda: LocalCluster("local", {"runtime": "kwok", "tools_bin_dir": str(bin_dir)}))
    dynamic = mocks.one("pulumi-python:dynamic/moorage:LocalCluster")
    assert dynamic.inputs["gateway_api_crds"] == str(directory.resolve())


@pytest.mark.usefixtures("kwok_tools_on_path")
def test_without_crds_beside_the_tools_the_cluster_starts_without_them(
    mocks: RecordingMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, **_: warnings.append(message))
    mocks.run(lambda: LocalCluster("local", {"runtime": "kwok"}))
    assert mocks.one("pulumi-python:dynamic/moorage:LocalCluster").inputs["gateway_api_crds"] == ""
    assert any("scripts/bootstrap-tools" in w for w in warnings)


@pytest.mark.usefixtures("kwok_tools_on_path")
@pytest.mark.parametrize(
    "args",
    [{"gateway_api_crds": False}, {"addons": {"gateway": {"enabled": True}}}],
    ids=["turned-off", "gateway-addon-brings-its-own"],
)
def test_the_crds_can_be_left_to_others(args: dict[str, Any]) -> None:
    assert validate_local_args("local", args)["gateway_api_crds"] is False  # type: ignore[arg-type]
    assert validate_local_args("local", {})["gateway_api_crds"] is True
