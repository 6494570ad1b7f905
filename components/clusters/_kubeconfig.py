"""Kubeconfig builders for cloud clusters: pure functions, exec credential plugins only.

A kubeconfig built here holds the API endpoint, the cluster CA and an ``exec``
entry that fetches a short-lived token when kubectl (or the Pulumi Kubernetes
provider) connects. It never holds a token, so it is identical on every run and
a refresh does not replace the Provider (pulumi-eks #764, pulumi-kubernetes #1148).
The components still wrap it in ``pulumi.Output.secret``.
"""

from __future__ import annotations

import json
from typing import Any

EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"


def _kubeconfig(name: str, server: str, ca_data: str, exec_config: dict[str, Any]) -> str:
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": name, "cluster": {"server": server, "certificate-authority-data": ca_data}}
        ],
        "users": [
            {"name": name, "user": {"exec": {"apiVersion": EXEC_API_VERSION, **exec_config}}}
        ],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "current-context": name,
    }
    # JSON is valid YAML, and json.dumps is deterministic for the same inputs.
    return json.dumps(document, indent=2)


def eks_kubeconfig(*, cluster_name: str, endpoint: str, ca_data: str, region: str) -> str:
    """Kubeconfig for an EKS cluster that runs ``aws eks get-token`` for credentials.

    ``ca_data`` is the cluster's base64 ``certificateAuthority.data``. The AWS CLI
    uses whatever credentials are in the environment (profile, SSO, OIDC role).
    """
    return _kubeconfig(
        cluster_name,
        endpoint,
        ca_data,
        {
            "command": "aws",
            "args": ["eks", "get-token", "--cluster-name", cluster_name, "--region", region],
            "interactiveMode": "Never",
        },
    )


def gke_kubeconfig(*, cluster_name: str, endpoint: str, ca_data: str) -> str:
    """Kubeconfig for a GKE cluster that runs ``gke-gcloud-auth-plugin``.

    ``endpoint`` is the bare IP (or host) GKE reports; ``ca_data`` is
    ``masterAuth.clusterCaCertificate`` (base64).
    """
    server = endpoint if endpoint.startswith("https://") else f"https://{endpoint}"
    return _kubeconfig(
        cluster_name,
        server,
        ca_data,
        {
            "command": "gke-gcloud-auth-plugin",
            "provideClusterInfo": True,
            "interactiveMode": "Never",
            "installHint": (
                "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin"
            ),
        },
    )
