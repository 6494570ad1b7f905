"""HelmChart (addons/_chart.py): pinned versions, checked values, namespace, and which
Helm resource installs the chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from moorage import HelmChart, ValidationError

from ..conftest import RecordingMocks

CHART_V4 = "kubernetes:helm.sh/v4:Chart"
RELEASE = "kubernetes:helm.sh/v3:Release"
NAMESPACE = "kubernetes:core/v1:Namespace"


def args(**overrides: Any) -> dict[str, Any]:
    return {
        "chart": "cert-manager",
        "version": "1.19.1",
        "repository": "https://charts.jetstack.io",
        "namespace": "cert-manager",
        **overrides,
    }


def local_chart(tmp_path: Path, name: str = "demo", version: str = "0.1.0") -> str:
    (tmp_path / "Chart.yaml").write_text(yaml.safe_dump({"name": name, "version": version}))
    return str(tmp_path)


def test_a_chart_is_rendered_by_helm_v4_into_its_own_namespace(mocks: RecordingMocks) -> None:
    chart = mocks.run(lambda: HelmChart("certs", args(values={"crds": {"enabled": True}})))

    namespace = mocks.one(NAMESPACE)
    assert namespace.metadata["name"] == "cert-manager"
    installed = mocks.one(CHART_V4)
    assert installed.inputs["chart"] == "cert-manager"
    assert installed.inputs["version"] == "1.19.1"
    assert installed.inputs["repositoryOpts"] == {"repo": "https://charts.jetstack.io"}
    assert installed.inputs["namespace"] == "cert-manager"
    assert installed.inputs["values"] == {"crds": {"enabled": True}}
    assert installed.depends_on(NAMESPACE, "certs-namespace")
    assert {
        r.parent.rsplit("::", 1)[0].rsplit("$", 1)[-1]
        for r in mocks.resources
        if r.typ != "moorage:index:HelmChart"
    } == {"moorage:index:HelmChart"}
    assert mocks.of_type(RELEASE) == []
    assert mocks.settle(chart.chart_version) == "1.19.1"


def test_run_hooks_installs_a_helm_release_that_runs_them(mocks: RecordingMocks) -> None:
    mocks.run(lambda: HelmChart("gw", args(run_hooks=True, skip_crds=True)))

    release = mocks.one(RELEASE)
    assert release.inputs["name"] == "gw"
    assert release.inputs["skipCrds"] is True
    assert release.inputs["atomic"] is True
    assert mocks.of_type(CHART_V4) == []


def test_an_existing_namespace_is_reused(mocks: RecordingMocks) -> None:
    mocks.run(lambda: HelmChart("ms", args(namespace="kube-system", create_namespace=False)))

    assert mocks.of_type(NAMESPACE) == []
    assert mocks.one(CHART_V4).inputs["namespace"] == "kube-system"


def test_an_oci_chart_needs_no_repository(mocks: RecordingMocks) -> None:
    oci = "oci://docker.io/envoyproxy/gateway-helm"
    mocks.run(lambda: HelmChart("gw", args(chart=oci, version="v1.5.4", repository=None)))

    assert mocks.one(CHART_V4).inputs["chart"] == oci


def test_a_local_chart_directory_is_installed_without_downloading(
    mocks: RecordingMocks, tmp_path: Path
) -> None:
    path = local_chart(tmp_path)
    mocks.run(
        lambda: HelmChart("demo", args(chart="demo", version="0.1.0", repository=None, path=path))
    )

    installed = mocks.one(CHART_V4)
    assert installed.inputs["chart"] == path
    assert "repositoryOpts" not in installed.inputs


BAD = [
    pytest.param(
        {"version": None}, "version", "is required: pin the chart version", id="missing-version"
    ),
    pytest.param({"version": ""}, "version", "is required", id="empty-version"),
    pytest.param({"version": "^1.19.0"}, "version", "not a range", id="caret-range"),
    pytest.param({"version": "1.19.x"}, "version", "not a range", id="wildcard"),
    pytest.param({"version": ">=1.0.0"}, "version", "not a range", id="comparison"),
    pytest.param({"version": "latest"}, "version", "not a range", id="latest"),
    pytest.param({"version": "1.19"}, "version", "one exact chart version", id="two-parts"),
    pytest.param({"version": 1.19}, "version", "one exact chart version", id="number"),
    pytest.param({"values": ["a"]}, "values", "must be a mapping, not list", id="values-list"),
    pytest.param({"values": "a: 1"}, "values", "must be a mapping, not str", id="values-text"),
    pytest.param({"values": {1: "a"}}, "values", "has a key that is not a string", id="int-key"),
    pytest.param(
        {"values": {"a": {"b": object()}}}, "values.a.b", "must be a string, number", id="object"
    ),
    pytest.param(
        {"repository": "http://charts.example.com"}, "repository", "https:// or oci://", id="http"
    ),
    pytest.param({"repository": None}, "repository", "is required", id="no-source"),
    pytest.param({"chart": "Cert_Manager"}, "chart", "must be a chart name", id="chart-name"),
    pytest.param(
        {"namespace": "kube-system"}, "namespace", "create_namespace: false", id="system-ns"
    ),
    pytest.param({"namespace": "Certs"}, "namespace", "DNS-1123 label", id="namespace"),
    pytest.param({"run_hooks": "yes"}, "run_hooks", "must be true or false", id="run-hooks-type"),
    pytest.param({"valeus": {}}, "valeus", 'did you mean "values"', id="typo"),
]


@pytest.mark.parametrize(("overrides", "field", "rule"), BAD)
def test_bad_args_fail_before_anything_is_created(
    mocks: RecordingMocks, overrides: dict[str, Any], field: str, rule: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        mocks.run(lambda: HelmChart("certs", args(**overrides)))

    assert mocks.resources == []
    assert str(raised.value).startswith(f'HelmChart "certs": {field} (')
    assert rule in raised.value.rule


@pytest.mark.parametrize(
    ("chart_yaml", "rule"),
    [
        ({"name": "demo", "version": "0.2.0"}, "holds version '0.2.0', not the pinned '0.1.0'"),
        ({"name": "other", "version": "0.1.0"}, "holds chart 'other', not \"demo\""),
    ],
)
def test_a_local_chart_must_be_the_pinned_one(
    mocks: RecordingMocks, tmp_path: Path, chart_yaml: dict[str, str], rule: str
) -> None:
    (tmp_path / "Chart.yaml").write_text(yaml.safe_dump(chart_yaml))
    with pytest.raises(ValidationError, match="path") as raised:
        mocks.run(
            lambda: HelmChart(
                "demo", args(chart="demo", version="0.1.0", repository=None, path=str(tmp_path))
            )
        )
    assert rule in raised.value.rule
    assert mocks.resources == []


def test_a_missing_local_chart_is_named(mocks: RecordingMocks, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"readable Chart\.yaml"):
        mocks.run(
            lambda: HelmChart(
                "demo",
                args(chart="demo", version="0.1.0", repository=None, path=str(tmp_path / "x")),
            )
        )
