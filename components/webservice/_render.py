"""Render a :class:`~._spec.ServiceSpec` into the bodies of its Kubernetes objects, purely.

Each facet renders its own objects; this module only hands each one the facts of the
others it needs (the pod's ports to the Services and the NetworkPolicy, the containers,
volumes and annotations to the pod template). Values may still be Pulumi Inputs: the
component passes the bodies straight to ``pulumi_kubernetes`` resources, and unit tests
and benchmarks read them without any engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from . import _autoscaling as autoscaling
from . import _config as config
from . import _containers as containers
from . import _exposure as exposure
from . import _identity as identity
from . import _monitoring as monitoring
from . import _network_policy as network_policy
from . import _persistence as persistence
from . import _ports as ports
from . import _routes as routes
from . import _volumes as volumes
from . import _workload as workload
from ._spec import ServiceSpec


@dataclass(frozen=True)
class Manifests:
    """The bodies of a WebService's objects (a rolling release; the release facet derives
    blue/green and canary Deployments from ``pod_template``)."""

    spec: ServiceSpec
    pod_template: dict[str, Any]
    deployment: dict[str, Any]

    def metadata(
        self,
        name: str,
        namespace: pulumi.Input[str] | None,
        annotations: Mapping[str, pulumi.Input[str]] | None = None,
    ) -> dict[str, Any]:
        return identity.metadata(self.spec.identity, name, namespace, annotations)

    def workload_metadata(
        self,
        name: str,
        namespace: pulumi.Input[str] | None,
        annotations: Mapping[str, pulumi.Input[str]] | None = None,
    ) -> dict[str, Any]:
        """A Deployment's metadata: the only object labelled with the version."""
        return identity.metadata(self.spec.identity, name, namespace, annotations, workload=True)

    @property
    def namespace_metadata(self) -> dict[str, Any]:
        """The created Namespace's metadata (Pod Security enforced)."""
        return identity.namespace_metadata(self.spec.identity)

    @property
    def labels(self) -> dict[str, pulumi.Input[str]]:
        return identity.standard_labels(self.spec.identity)

    @property
    def container(self) -> dict[str, Any]:
        return dict(self.pod_template["spec"]["containers"][0])

    @property
    def init_containers(self) -> list[dict[str, Any]]:
        return list(self.pod_template["spec"].get("initContainers", []))

    def service(self, release_labels: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return ports.service_spec(self.spec.services, release_labels)

    def extra_service(
        self, extra: ports.ExtraServiceSpec, release_labels: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        return ports.extra_service_spec(self.spec.services, extra, release_labels)

    def hpa(self, target_name: pulumi.Input[str] | None = None) -> dict[str, Any]:
        assert self.spec.autoscaling is not None
        target = target_name if target_name is not None else self.spec.name
        return autoscaling.hpa_spec(self.spec.autoscaling, target)

    @property
    def pdb(self) -> dict[str, Any]:
        return workload.pdb_spec(self.spec.name)

    @property
    def network_policy(self) -> dict[str, Any]:
        assert self.spec.network_policy is not None
        return network_policy.network_policy_spec(
            self.spec.network_policy,
            self.spec.name,
            opened_ports(self.spec),
            self.spec.metrics.port if self.spec.metrics is not None else None,
        )

    @property
    def ingress(self) -> dict[str, Any]:
        assert self.spec.exposure is not None
        return exposure.ingress_spec(self.spec.exposure, self.spec.name)

    def route(
        self,
        route: routes.RouteSpec,
        backends: list[tuple[pulumi.Input[str], pulumi.Input[int]]] | None = None,
    ) -> dict[str, Any]:
        """The body of ``route``; ``backends`` (Service, weight) default to the Service."""
        return routes.route_spec(route, backends or [(self.spec.name, 1)])


def opened_ports(spec: ServiceSpec) -> list[ports.PortSpec]:
    """The ports the NetworkPolicy opens: exposed ones and the metrics port."""
    return [
        p for p in spec.containers.main.ports if p.expose or p.name == monitoring.METRICS_PORT_NAME
    ] + [p for p in spec.containers.sidecar_ports if p.expose]


def pod_template(
    spec: ServiceSpec, checksums: Mapping[str, pulumi.Input[str]] | None = None
) -> dict[str, Any]:
    """The pod template, with the checksum annotations that roll the pods."""
    main, init = containers.render_all(spec.containers, spec.config.secret_name)
    return workload.pod_template(
        spec.workload,
        workload.PodParts(
            labels=identity.standard_labels(spec.identity),
            annotations={
                **spec.identity.annotations,
                **spec.workload.pod_annotations,
                **(checksums or {}),
                **monitoring.pod_annotations(spec.metrics),
            },
            main=main,
            init=init,
            volumes=[
                *config.volumes(spec.config),
                *volumes.pod_volumes(spec.volumes),
                *persistence.pod_volumes(spec.persistence),
            ],
            termination_grace_period_seconds=spec.containers.termination_grace_period_seconds,
        ),
    )


def render(
    spec: ServiceSpec, checksums: Mapping[str, pulumi.Input[str]] | None = None
) -> Manifests:
    """Every object body of ``spec``; ``checksums`` are the config/secret annotations."""
    template = pod_template(spec, checksums)
    return Manifests(
        spec=spec,
        pod_template=template,
        deployment=workload.deployment_spec(
            spec.name,
            template,
            {},
            spec.workload.fixed_replicas,
            persistence.deployment_strategy(spec.persistence),
        ),
    )
