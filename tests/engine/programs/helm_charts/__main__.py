"""Test program: HelmCharts on an existing cluster, everything from stack config.

Config: ``kubeconfig`` (secret) and ``charts``, a mapping of name to HelmChartArgs.
"""

import pulumi
import pulumi_kubernetes as k8s
from moorage import HelmChart

config = pulumi.Config()
provider = k8s.Provider("cluster", kubeconfig=config.require_secret("kubeconfig"))
for name, args in (config.get_object("charts") or {}).items():
    chart = HelmChart(name, args, pulumi.ResourceOptions(providers=[provider]))
    pulumi.export(f"{name}_version", chart.chart_version)
