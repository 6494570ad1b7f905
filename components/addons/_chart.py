"""HelmChart: one Helm chart, pinned, in its own namespace, as a Pulumi component.

Two ways to install, chosen per chart by ``run_hooks``:

- ``run_hooks: false`` (default): ``helm.v4.Chart``. The chart is rendered and every object,
  CRDs included, becomes a Pulumi resource, applied server-side by the provider; `preview`
  shows each one. Helm hooks are not run (pulumi-kubernetes#3284): use it for charts
  without hooks.
- ``run_hooks: true``: ``helm.v3.Release``. Helm installs and upgrades the release and runs
  its hooks; `preview` shows one Release. CRDs in the chart's ``crds/`` folder are created
  by Helm and never upgraded, so set ``skip_crds`` and install them from a CRD-only chart
  (a second HelmChart without hooks) to have them applied server-side.

Charts are pulled from their repository at `up` time at the pinned version; ``path``
installs from a local chart directory instead (offline, air-gapped, or tests).
"""

import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

import pulumi
import pulumi_kubernetes as k8s
import yaml

from .. import _grammar as grammar
from .. import _rules as rule
from .._defaults import Computed
from .._fields import Fields, is_deferred

if sys.version_info >= (3, 11):
    from typing import NotRequired
else:  # pragma: no cover
    from typing_extensions import NotRequired

TYPE_TOKEN = "moorage:index:HelmChart"
_CHART_NAME = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?"
MAX_RELEASE_NAME = 53
"""Helm's limit on a release name."""

DEFAULTS: dict[str, Any] = {
    "repository": Computed("none: an oci:// chart, or a path"),
    "path": Computed("none: the chart is downloaded from repository"),
    "create_namespace": True,
    "values": {},
    "run_hooks": False,
    "skip_crds": False,
}
"""Every HelmChartArgs default (see components/_defaults.py)."""


class HelmChartArgs(TypedDict):
    """Arguments of :class:`moorage.HelmChart`."""

    chart: pulumi.Input[str]
    """Chart name in ``repository`` (e.g. "cert-manager"), or an OCI reference
    ("oci://ghcr.io/acme/charts/app") with no repository."""
    version: pulumi.Input[str]
    """Exact chart version, e.g. "1.19.1". Required: ranges, wildcards and "latest" are
    refused, so the same program installs the same chart tomorrow."""
    namespace: pulumi.Input[str]
    """Namespace the chart installs into."""
    repository: NotRequired[pulumi.Input[str]]
    """Chart repository URL (https:// or oci://), e.g. "https://charts.jetstack.io"."""
    path: NotRequired[pulumi.Input[str]]
    """A local chart directory to install instead of downloading; its Chart.yaml must have
    this ``chart`` name and ``version``."""
    create_namespace: NotRequired[pulumi.Input[bool]]
    """Create the namespace (and delete it with the chart); false reuses an existing one."""
    values: NotRequired[pulumi.Input[Mapping[str, Any]]]
    """Values for the chart, as a mapping (what you would put in values.yaml)."""
    run_hooks: NotRequired[pulumi.Input[bool]]
    """Install with helm.v3.Release, which runs the chart's Helm hooks, instead of
    helm.v4.Chart, which drops them (docs/clusters.md, "HelmChart")."""
    skip_crds: NotRequired[pulumi.Input[bool]]
    """Leave out the chart's crds/ folder (install the CRDs from a CRD-only chart)."""


@dataclass(frozen=True)
class ChartSpec:
    """A checked chart: what to install, where, and how."""

    release_name: str
    chart: str
    version: str
    namespace: str
    repository: str | None = None
    path: str | None = None
    create_namespace: bool = True
    values: Mapping[str, Any] = field(default_factory=dict)
    run_hooks: bool = False
    skip_crds: bool = False

    @property
    def source(self) -> str:
        """What Helm is asked to install: the local path, or the chart reference."""
        return self.path or self.chart


def read_chart(release_name: str, fields: Fields) -> ChartSpec:
    """Check HelmChartArgs (``fields``); raises ValidationError before anything exists."""
    fields.reject_unknown(HelmChartArgs.__annotations__, "HelmChartArgs")
    if len(release_name) > MAX_RELEASE_NAME or not grammar.is_dns1123_label(release_name):
        raise fields.fail(
            "name",
            release_name,
            f"must be a DNS label of at most {MAX_RELEASE_NAME} characters (the Helm release name)",
        )
    chart = fields.required_text("chart")
    version = rule.chart_version(fields.component, fields.field("version"), fields.known("version"))
    repository = fields.optional_text("repository")
    path = fields.optional_text("path")
    _check_source(fields, chart, version, repository, path)
    namespace = rule.dns_label(
        fields.component, fields.field("namespace"), fields.known("namespace")
    )
    create = fields.boolean("create_namespace", DEFAULTS["create_namespace"])
    if create and namespace in (*grammar.SYSTEM_NAMESPACES, "default"):
        raise fields.fail(
            "namespace", namespace, "always exists; set create_namespace: false to install into it"
        )
    return ChartSpec(
        release_name=release_name,
        chart=chart,
        version=version,
        namespace=namespace,
        repository=repository,
        path=path,
        create_namespace=create,
        values=chart_values(fields, "values"),
        run_hooks=fields.boolean("run_hooks", DEFAULTS["run_hooks"]),
        skip_crds=fields.boolean("skip_crds", DEFAULTS["skip_crds"]),
    )


def _check_source(
    fields: Fields, chart: str, version: str, repository: str | None, path: str | None
) -> None:
    oci = chart.startswith("oci://")
    if not oci and not re.fullmatch(_CHART_NAME, chart):
        raise fields.fail(
            "chart", chart, 'must be a chart name like "cert-manager" or an oci:// reference'
        )
    if repository is not None and (oci or path is not None):
        raise fields.fail("repository", repository, "cannot be set with an oci:// chart or a path")
    if repository is not None and not repository.startswith(("https://", "oci://")):
        raise fields.fail("repository", repository, "must be an https:// or oci:// URL")
    if repository is None and path is None and not oci:
        raise fields.fail("repository", None, "is required (or an oci:// chart, or a local path)")
    if path is not None:
        _check_local_chart(fields, chart, version, path)


def _check_local_chart(fields: Fields, chart: str, version: str, path: str) -> None:
    manifest = Path(path) / "Chart.yaml"
    try:
        meta = yaml.safe_load(manifest.read_text())
    except (OSError, yaml.YAMLError):
        raise fields.fail(
            "path", path, "must be a chart directory with a readable Chart.yaml"
        ) from None
    name = chart.rsplit("/", 1)[-1]
    if not isinstance(meta, dict) or meta.get("name") != name:
        raise fields.fail(
            "path",
            path,
            f'holds chart {meta.get("name") if isinstance(meta, dict) else None!r}, not "{name}"',
        )
    if str(meta.get("version")) != version.removeprefix("v"):
        raise fields.fail(
            "path", path, f"holds version {meta.get('version')!r}, not the pinned {version!r}"
        )


def chart_values(fields: Fields, key: str) -> dict[str, Any]:
    """Chart values: a mapping with string keys and YAML-like values (Outputs allowed)."""
    values = fields.mapping(key)
    _check_value(fields, key, values)
    return values


def _check_value(fields: Fields, where: str, value: Any) -> None:
    if is_deferred(value) or value is None or isinstance(value, (str, int, float, bool)):
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise fields.fail(where, k, "has a key that is not a string")
            _check_value(fields, f"{where}.{k}", v)
    elif isinstance(value, Sequence):
        for i, v in enumerate(value):
            _check_value(fields, f"{where}[{i}]", v)
    else:
        raise fields.fail(
            where,
            value,
            f"must be a string, number, boolean, list or mapping, not {type(value).__name__}",
        )


def install_chart(
    name: str,
    spec: ChartSpec,
    opts: pulumi.ResourceOptions,
    depends_on: Sequence[pulumi.Resource] = (),
) -> list[pulumi.Resource]:
    """The namespace (when made here) and the chart, children named from ``name``."""
    created: list[pulumi.Resource] = []
    if spec.create_namespace:
        created.append(
            k8s.core.v1.Namespace(
                f"{name}-namespace",
                metadata={
                    "name": spec.namespace,
                    "labels": {"app.kubernetes.io/managed-by": "moorage"},
                },
                opts=opts,
            )
        )
    after = pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(depends_on=[*depends_on, *created])
    )
    repository = {"repo": spec.repository} if spec.repository else None
    version = None if spec.path else spec.version
    if spec.run_hooks:
        created.append(
            k8s.helm.v3.Release(
                name,
                name=spec.release_name,
                chart=spec.source,
                version=version,
                repository_opts=repository,
                namespace=spec.namespace,
                values=dict(spec.values),
                skip_crds=spec.skip_crds,
                atomic=True,
                cleanup_on_fail=True,
                opts=after,
            )
        )
    else:
        created.append(
            k8s.helm.v4.Chart(
                name,
                name=spec.release_name,
                chart=spec.source,
                version=version,
                repository_opts=repository,
                namespace=spec.namespace,
                values=dict(spec.values),
                skip_crds=spec.skip_crds,
                opts=after,
            )
        )
    return created


class HelmChart(pulumi.ComponentResource):
    """Any Helm chart, pinned to one version, installed into its own namespace."""

    namespace: pulumi.Output[str]
    """The namespace the chart is installed into."""
    chart_version: pulumi.Output[str]
    """The pinned chart version."""

    def __init__(
        self, name: str, args: HelmChartArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        spec = read_chart(name, Fields(rule.component_label(name, "HelmChart"), args))
        super().__init__(TYPE_TOKEN, name, None, opts)
        install_chart(name, spec, pulumi.ResourceOptions(parent=self))
        self.namespace = pulumi.Output.from_input(spec.namespace)
        self.chart_version = pulumi.Output.from_input(spec.version)
        self.register_outputs({"namespace": self.namespace, "chart_version": self.chart_version})
