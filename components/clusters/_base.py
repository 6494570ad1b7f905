"""The interface every cluster component shares, so one program can target any cloud."""

from collections.abc import Mapping

import pulumi
import pulumi_kubernetes as k8s

from ..identity import LOCAL, IdentityTarget


class KubernetesCluster(pulumi.ComponentResource):
    """Base class of LocalCluster, EksCluster and GkeCluster.

    Subclasses set every attribute below before calling ``register_outputs``.
    """

    kubeconfig: pulumi.Output[str]
    """Kubeconfig for the cluster, always a Pulumi secret. Cloud clusters use an
    exec credential plugin, so it never holds a token."""

    provider: k8s.Provider
    """A ready Kubernetes provider for the cluster. Pass it to WebService through
    ``ResourceOptions(providers=[cluster.provider])``."""

    cluster_name: pulumi.Output[str]
    """The cluster's name as the cloud (or kind/kwok) knows it."""

    endpoint: pulumi.Output[str]
    """HTTPS URL of the Kubernetes API server."""

    @classmethod
    def identity_annotations(cls, identity: pulumi.Input[str]) -> Mapping[str, pulumi.Input[str]]:
        """ServiceAccount annotations that bind pods to a cloud identity.

        ``identity`` is an IAM role ARN on EKS (IRSA) and a Google service account
        e-mail on GKE (Workload Identity). Local clusters have no cloud identity and
        return no annotations. A class method: it needs no cluster instance (render mode).
        """
        return {}

    def workload_identity_annotations(
        self, identity: pulumi.Input[str]
    ) -> Mapping[str, pulumi.Input[str]]:
        """The same annotations, from a cluster instance."""
        return self.identity_annotations(identity)

    def identity_target(self) -> IdentityTarget:
        """Where per-service cloud identities for this cluster are created (see
        ``moorage.identity``); a local cluster has none."""
        return getattr(self, "_identity_target", LOCAL)
