"""Test program: a raw Deployment (not a WebService) that breaks every workload policy.

It renders to a directory instead of talking to a cluster, so a preview needs no
cluster at all. The policy pack must report each problem and fail the preview.
"""

import pulumi
import pulumi_kubernetes as k8s

provider = k8s.Provider(
    "render", render_yaml_to_directory=pulumi.Config().get("renderDir") or "/tmp/unused"
)
labels = {"app": "legacy"}
k8s.apps.v1.Deployment(
    "legacy",
    metadata={"name": "legacy", "namespace": "legacy"},
    spec={
        "replicas": 3,  # and no PodDisruptionBudget
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {
                "containers": [
                    {
                        "name": "app",
                        "image": "nginx:latest",
                        "env": [{"name": "DB_PASSWORD", "value": "hunter2-in-plain-text"}],
                        "securityContext": {"runAsUser": 0},
                        # a server (it listens on a port), yet no resources and no probes
                        "ports": [{"containerPort": 80}],
                    }
                ]
            },
        },
    },
    opts=pulumi.ResourceOptions(provider=provider),
)
k8s.core.v1.Service(
    "legacy",
    metadata={"name": "legacy", "namespace": "legacy"},
    spec={"type": "LoadBalancer", "selector": labels, "ports": [{"port": 80}]},
    opts=pulumi.ResourceOptions(provider=provider),
)
