"""What a blue/green release reads from the cluster before it moves on.

The release ledger keeps what the last update *declared*; two facts only the cluster
knows. Which colour the Service really selects: an update that failed before its
switch leaves the ledger one colour ahead of the Service. And how many replicas the
live colour runs: with an autoscaler that count moves between updates, and the colour
going live must start with as many. The ledger's provider reads both through
:class:`ClusterView`; :func:`kubernetes_view` is the real one (the official
Kubernetes client, talking to the API server named by the component's
``kubeconfig``), tests pass their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ... import _rules as rule
from ..._errors import ValidationError

READ_TIMEOUT_SECONDS = 20
"""How long one read of the API server may take."""


@dataclass(frozen=True)
class LiveReplicas:
    """A Deployment's replica counts as the cluster has them now."""

    desired: int
    """``spec.replicas``: what its autoscaler (or the last update) asks for."""
    ready: int
    """``status.readyReplicas``."""


class ClusterView(Protocol):
    """Reads of the live objects of one WebService; None when the object does not exist."""

    def service_selector(self, namespace: str, name: str) -> Mapping[str, str] | None:
        """The selector of Service ``namespace/name``."""
        ...

    def deployment_replicas(self, namespace: str, name: str) -> LiveReplicas | None:
        """The replica counts of Deployment ``namespace/name``."""
        ...

    def deployment_annotation(self, namespace: str, name: str, key: str) -> str | None:
        """Annotation ``key`` of Deployment ``namespace/name``."""
        ...


class ClusterReadError(Exception):
    """A read of the API server failed; the message never holds the kubeconfig."""


class _KubernetesView:
    """:class:`ClusterView` over the official Kubernetes client."""

    def __init__(self, kubeconfig: Mapping[str, Any]) -> None:
        from kubernetes import client, config

        api = config.new_client_from_config_dict(dict(kubeconfig))  # type: ignore[no-untyped-call]
        self._core = client.CoreV1Api(api)
        self._apps = client.AppsV1Api(api)

    def service_selector(self, namespace: str, name: str) -> Mapping[str, str] | None:
        found = self._read(
            f"Service {namespace}/{name}",
            lambda: self._core.read_namespaced_service(
                name, namespace, _request_timeout=READ_TIMEOUT_SECONDS
            ),
        )
        return None if found is None else dict(found.spec.selector or {})

    def deployment_replicas(self, namespace: str, name: str) -> LiveReplicas | None:
        found = self._read(
            f"Deployment {namespace}/{name}",
            lambda: self._apps.read_namespaced_deployment(
                name, namespace, _request_timeout=READ_TIMEOUT_SECONDS
            ),
        )
        if found is None:
            return None
        return LiveReplicas(int(found.spec.replicas or 0), int(found.status.ready_replicas or 0))

    def deployment_annotation(self, namespace: str, name: str, key: str) -> str | None:
        found = self._read(
            f"Deployment {namespace}/{name}",
            lambda: self._apps.read_namespaced_deployment(
                name, namespace, _request_timeout=READ_TIMEOUT_SECONDS
            ),
        )
        if found is None:
            return None
        value = (found.metadata.annotations or {}).get(key)
        return None if value is None else str(value)

    @staticmethod
    def _read(what: str, read: Callable[[], Any]) -> Any:
        from kubernetes.client.exceptions import ApiException

        try:
            return read()
        except ApiException as error:
            if error.status == 404:
                return None
            raise ClusterReadError(
                f"reading {what} failed: HTTP {error.status} {error.reason}"
            ) from None
        except Exception as error:  # connection refused, TLS, DNS, timeouts
            raise ClusterReadError(
                f"reading {what} failed: cannot reach the API server ({type(error).__name__})"
            ) from None


def kubernetes_view(component: str, kubeconfig: str) -> ClusterView:
    """The real cluster, as the component's ``kubeconfig`` names it."""
    document = rule.kubeconfig_document(component, "kubeconfig", kubeconfig)
    try:
        return _KubernetesView(document)
    except Exception as error:  # the client refused the document (no context, bad cert data)
        raise ValidationError(
            component,
            "kubeconfig",
            kubeconfig,
            f"could not be loaded by the Kubernetes client ({type(error).__name__})",
            secret=True,
        ) from None
