"""The Kubernetes provider every cluster component hands out."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s


def kubernetes_provider(
    name: str,
    kubeconfig: pulumi.Input[str],
    parent: pulumi.Resource,
    *,
    delete_unreachable: pulumi.Input[bool] = False,
    depends_on: list[pulumi.Resource] | None = None,
) -> k8s.Provider:
    """Create the Provider for a cluster component.

    ConfigMaps and Secrets are made mutable so that a config change updates them
    in place (and the checksum annotation rolls the pods) instead of replacing
    them. ``delete_unreachable`` lets a throwaway stack be destroyed after its
    cluster is already gone.
    """
    return k8s.Provider(
        f"{name}-k8s",
        kubeconfig=kubeconfig,
        enable_config_map_mutable=True,
        enable_secret_mutable=True,
        delete_unreachable=delete_unreachable,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=depends_on or []),
    )
