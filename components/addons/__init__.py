"""Cluster add-ons (Helm charts a cluster needs on day one) and the HelmChart component.
Internal: import the public names from ``moorage``."""

from ._args import AddonArgs, ClusterAddonsArgs
from ._catalogue import ADDON_DEFAULTS, ADDONS, PLATFORMS, Addon
from ._chart import DEFAULTS as HELM_CHART_DEFAULTS
from ._chart import TYPE_TOKEN as HELM_CHART_TYPE
from ._chart import ChartSpec, HelmChart, HelmChartArgs, install_chart, read_chart
from ._install import AddonContext, install_addons, merged
from ._read import AddonSpec, read_addons

__all__ = [
    "ADDONS",
    "ADDON_DEFAULTS",
    "HELM_CHART_DEFAULTS",
    "HELM_CHART_TYPE",
    "PLATFORMS",
    "Addon",
    "AddonArgs",
    "AddonContext",
    "AddonSpec",
    "ChartSpec",
    "ClusterAddonsArgs",
    "HelmChart",
    "HelmChartArgs",
    "install_addons",
    "install_chart",
    "merged",
    "read_addons",
    "read_chart",
]
