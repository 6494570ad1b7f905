"""Test program: one WebService with Moorage's defaults, which pass every policy.

Like bad_deployment it renders to a directory instead of talking to a cluster, so a
preview needs no cluster; the policy pack must find nothing to report.
"""

import pulumi
import pulumi_kubernetes as k8s
from moorage import WebService

provider = k8s.Provider(
    "render", render_yaml_to_directory=pulumi.Config().get("renderDir") or "/tmp/unused"
)
WebService(
    "shop",
    {"image": "ghcr.io/acme/shop:1.4.2", "port": 8080},
    pulumi.ResourceOptions(providers=[provider]),
)
