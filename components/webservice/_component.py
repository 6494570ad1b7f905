"""The WebService ComponentResource: reads the spec, renders it, and declares each facet's
resources in one visible order (see docs/architecture.md)."""

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .._errors import ValidationError
from .._fields import all_passed, is_deferred
from .._rules import component_label
from . import _config as config
from . import _identity as identity
from . import _monitoring as monitoring
from . import _network_policy as network_policy
from . import _pod_security as pod_security
from . import _ports as ports
from . import _workload as workload
from . import release
from ._adoption import component_options
from ._args import WebServiceArgs
from ._load_balancers import warn_open_load_balancers
from ._persistence import declare_claim
from ._render import Manifests, render
from ._routes import declare_routes, track_backends, track_service_name, track_service_spec
from ._spec import ServiceSpec, validated_spec

TYPE_TOKEN = "moorage:index:WebService"


class _WebServiceOutputs(pulumi.ComponentResource):
    """WebService's outputs, declared on a base class.

    The schema of other languages reads them through the class's bases, as it does the
    clusters' outputs. Declared on WebService itself, they would be re-read (a
    ``get_type_hints`` over every annotation, into a new class) by Pulumi each time a
    WebService registers: about 2 % of a full service's construction
    (``bench/full_service.py``). Pulumi reads only the class's own annotations there.
    """

    namespace: pulumi.Output[str]
    """Namespace the service runs in."""
    deployment_name: pulumi.Output[str]
    """Name of the Deployment (the component name; with blue/green the live colour's)."""
    service_name: pulumi.Output[str]
    """Name of the Service (equal to the component name); empty for a worker."""
    url: pulumi.Output[str]
    """In-cluster URL whose scheme follows ``app_protocol``, e.g.
    ``http://api.shop.svc.cluster.local:80`` or ``grpc://cart.shop.svc.cluster.local:50051``;
    empty for a worker."""

    namespace_resource: k8s.core.v1.Namespace | None
    """The Namespace, when ``create_namespace`` is true."""
    service_account: k8s.core.v1.ServiceAccount | None
    """The pods' ServiceAccount (token not mounted); None with ``service_account_name``."""
    config_map: k8s.core.v1.ConfigMap | None
    """The ConfigMap holding ``config``, when given."""
    secret: k8s.core.v1.Secret | None
    """The Secret holding ``secrets``, when given."""
    deployment: k8s.apps.v1.Deployment
    """The Deployment (with canary the stable one, with blue/green the blue one: which
    colour is live is an Output, see ``live_color`` and ``deployment_name``)."""
    deployments: dict[str, k8s.apps.v1.Deployment]
    """Every Deployment by role: "main" (rolling), "blue"/"green" or "stable"/"canary"."""
    live_color: pulumi.Output[str] | None
    """The colour the Service sends traffic to (blue_green only)."""
    service: k8s.core.v1.Service | None
    """The Service (None for a worker)."""
    extra_services: dict[str, k8s.core.v1.Service]
    """The ``extra_services`` by their ``name`` suffix."""
    horizontal_pod_autoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler | None
    """The HPA, when ``autoscaling`` is set."""
    pod_disruption_budget: k8s.policy.v1.PodDisruptionBudget | None
    """The PDB, when the service can run two or more replicas."""
    network_policy: k8s.networking.v1.NetworkPolicy | None
    """The NetworkPolicy, unless disabled."""
    ingress: k8s.networking.v1.Ingress | None
    """The Ingress, when ``ingress`` is set."""
    persistent_volume_claim: k8s.core.v1.PersistentVolumeClaim | None
    """The claim ``<name>-data``, when ``persistence`` is set (retained on delete by default)."""


class WebService(_WebServiceOutputs):
    """A production web service on Kubernetes with secure defaults.

    Creates (as children, named after the component): an optional Namespace, a
    ServiceAccount, a ConfigMap and a Secret when config/secrets are given, a
    Deployment, a Service (none for a ``worker``) and one per ``extra_services`` entry,
    a HorizontalPodAutoscaler when ``autoscaling`` is set,
    a PodDisruptionBudget when the service can run two or more replicas, a
    NetworkPolicy (unless disabled) and an optional Ingress. With secrets, the pods'
    ``checksum/secrets`` annotation is the Secret's resourceVersion, so they roll when it
    changes.

    Pass a Kubernetes provider through ``opts`` (``providers=[...]`` or
    ``provider=...``); every child inherits it. Bad arguments raise
    :class:`moorage.ValidationError` before any child is created.
    """

    def __init__(
        self,
        name: str,
        args: WebServiceArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        try:
            spec = validated_spec(name, args)  # read once: the options below come from it
        except ValidationError:
            super().__init__(TYPE_TOKEN, name, None, opts)  # the component, and no child
            raise
        own_opts = component_options(name, spec.selector_labels, spec.adopt, spec.patches, opts)
        if spec.pending_checks:
            own_opts = _gated(own_opts, self, [all_passed(spec.pending_checks)])
        super().__init__(TYPE_TOKEN, name, None, own_opts)
        self._name, self._spec, self._child = name, spec, pulumi.ResourceOptions(parent=self)
        namespace = self._declare_namespace()
        before_pods = self._declare_identity_and_config(namespace)
        # The pods' secrets checksum is the Secret's resourceVersion (see _config.py).
        secrets_annotation = (
            self.secret.metadata.apply(_secrets_checksum) if self.secret is not None else None
        )
        manifests = render(spec, config.checksums(spec.config, secrets_annotation))
        self.persistent_volume_claim = None
        if spec.persistence is not None:
            self.persistent_volume_claim = declare_claim(
                name,
                spec.persistence,
                manifests.metadata(spec.persistence.claim_name, namespace),
                self,
            )
            before_pods.append(self.persistent_volume_claim)
        deployment_name, hpa_waits_for = self._declare_workload(manifests, namespace, before_pods)
        self._declare_extra_services(manifests, namespace)
        self._declare_autoscaling(manifests, namespace, deployment_name, hpa_waits_for)
        self._declare_policies(manifests, namespace)
        self.ingress = None
        if spec.exposure is not None:
            self.ingress = k8s.networking.v1.Ingress(
                f"{name}-ingress",
                metadata=manifests.metadata(name, namespace, spec.exposure.annotations),
                spec=manifests.ingress,
                opts=self._child,
            )
        # Annotated here, not on the class: the schema analyzer cannot type CustomResource.
        backends = self._declare_track_services(manifests, namespace)
        self.routes: list[k8s.apiextensions.CustomResource] = declare_routes(
            self,
            name,
            [(route, manifests.route(route, backends)) for route in spec.routes],
            lambda object_name: _route_metadata(manifests.metadata(object_name, namespace), spec),
        )
        self._declare_canary_run()
        """The HTTPRoutes and GRPCRoutes, one per entry of ``routes``."""
        self.monitoring: list[k8s.apiextensions.CustomResource] = []
        """The ServiceMonitor (or PodMonitor) and PrometheusRule, when ``metrics`` asks."""
        self._declare_monitoring(manifests, namespace, opts)
        self._set_outputs(namespace, deployment_name)
        del self._spec, self._child  # the spec is not needed once declared: keep the heap small
        self.register_outputs(
            {
                "live_color": self.live_color,
                "namespace": self.namespace,
                "deployment_name": self.deployment_name,
                "service_name": self.service_name,
                "url": self.url,
            }
        )

    def _declare_namespace(self) -> pulumi.Input[str]:
        """The Namespace, when the service creates it; the namespace everything goes in."""
        spec = self._spec.identity
        self.namespace_resource = None
        if not spec.create_namespace:
            return spec.namespace
        self.namespace_resource = k8s.core.v1.Namespace(
            f"{self._name}-namespace",
            metadata=identity.namespace_metadata(spec),
            opts=self._child,
        )
        return self.namespace_resource.metadata.apply(_object_name)

    def _declare_identity_and_config(self, namespace: pulumi.Input[str]) -> list[pulumi.Resource]:
        """The ServiceAccount, ConfigMap and Secret: what the pods wait for (declared before
        the pod template is rendered, which carries the Secret's version)."""
        name, spec = self._name, self._spec

        def metadata(
            object_name: str, annotations: Mapping[str, pulumi.Input[str]] | None = None
        ) -> dict[str, Any]:
            return identity.metadata(spec.identity, object_name, namespace, annotations)

        self.service_account = None
        if spec.identity.service_account_name is None:
            self.service_account = k8s.core.v1.ServiceAccount(
                f"{name}-service-account",
                metadata=metadata(name, spec.identity.service_account_annotations),
                automount_service_account_token=False,
                opts=self._child,
            )
        self.config_map = None
        if spec.config.config:
            self.config_map = k8s.core.v1.ConfigMap(
                f"{name}-config",
                metadata=metadata(spec.config.config_map_name),
                data=dict(spec.config.config),
                opts=self._child,
            )
        self.secret = None
        if spec.config.secrets:
            self.secret = k8s.core.v1.Secret(
                f"{name}-secrets",
                metadata=metadata(spec.config.secret_name),
                type="Opaque",
                string_data=config.secret_values(spec.config),
                opts=self._child,
            )
        config_children = [r for r in (self.config_map, self.secret) if r is not None]
        identity_children = [self.service_account] if self.service_account is not None else []
        return [*identity_children, *config_children]

    def _declare_workload(
        self, manifests: Manifests, namespace: pulumi.Input[str], before_pods: list[pulumi.Resource]
    ) -> tuple[pulumi.Output[str], Any]:
        """The Deployment(s) and the Service, released by the chosen strategy."""
        name, spec = self._name, self._spec
        deployment_annotations = spec.workload.deployment_annotations

        def service_for(
            release_labels: dict[str, str], opts: pulumi.ResourceOptions
        ) -> k8s.core.v1.Service:
            return k8s.core.v1.Service(
                f"{name}-service",
                metadata=manifests.metadata(name, namespace, spec.services.annotations),
                spec=manifests.service(release_labels),
                opts=opts,
            )

        self.live_color = None
        self._canary_weight: pulumi.Output[int] | None = None
        self._declared: release.Release | None = None
        if spec.release.strategy == "rolling":
            self.deployment = k8s.apps.v1.Deployment(
                f"{name}-deployment",
                metadata=manifests.workload_metadata(name, namespace, deployment_annotations),
                spec=manifests.deployment,
                opts=pulumi.ResourceOptions(parent=self, depends_on=before_pods),
            )
            self.deployments = {"main": self.deployment}
            self.service = service_for({}, self._child) if spec.services.has_service else None
            return self.deployment.metadata.apply(_object_name), None
        declared = release.declare_release(
            self,
            spec.release,
            manifests.pod_template,
            lambda object_name: manifests.workload_metadata(
                object_name, namespace, deployment_annotations
            ),
            before_pods,
            service_for,
        )
        self._canary_weight, self._declared = declared.canary_weight, declared
        self.deployment, self.deployments = declared.primary, declared.deployments
        self.service, self.live_color = declared.service, declared.live_color
        return declared.primary_name, declared.primary_ready

    def _declare_canary_run(self) -> None:
        """Canary steps: the resource that runs them during ``up``, after everything
        they move (Deployments, track Services, routes)."""
        spec, declared = self._spec, self._declared
        if declared is None or spec.release.canary is None or not spec.release.canary.steps:
            return
        assert declared.canary_revision is not None
        release.declare_canary_run(
            self,
            spec.release,
            declared.canary_revision,
            [(r.kind, f"{self._name}-{r.name}") for r in spec.routes],
            [*self.deployments.values(), *self._track_services, *self.routes],
        )

    def _declare_track_services(
        self, manifests: Manifests, namespace: pulumi.Input[str]
    ) -> list[tuple[pulumi.Input[str], pulumi.Input[int]]] | None:
        """Canary with routes: a ClusterIP Service per track, so the routes' weights split
        the traffic exactly; the (Service, weight) backends of every route. None otherwise."""
        weight = self._canary_weight
        self._track_services: list[k8s.core.v1.Service] = []
        if not self._spec.routes or weight is None:
            return None
        for track in release.TRACKS:
            service = track_service_name(self._name, track)
            self._track_services.append(
                k8s.core.v1.Service(
                    f"{self._name}-service-{track}",
                    metadata=manifests.metadata(service, namespace),
                    spec=track_service_spec(manifests.service({release.TRACK_LABEL: track})),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[self.deployment]),
                )
            )
        return track_backends(self._name, weight)

    def _declare_extra_services(self, manifests: Manifests, namespace: pulumi.Input[str]) -> None:
        """Extra Services follow the live colour like the main one (blue/green)."""
        services = self._spec.services
        selector = {release.COLOR_LABEL: self.live_color} if self.live_color is not None else {}
        self.extra_services = {
            extra.suffix: k8s.core.v1.Service(
                f"{self._name}-service-{extra.suffix}",
                metadata=manifests.metadata(
                    ports.extra_service_name(services, extra), namespace, extra.annotations
                ),
                spec=manifests.extra_service(extra, selector),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.deployment]),
            )
            for extra in services.extra
        }

    def _declare_autoscaling(
        self,
        manifests: Manifests,
        namespace: pulumi.Input[str],
        deployment_name: pulumi.Output[str],
        waits_for: Any,
    ) -> None:
        """The HPA (scaling the live Deployment) and the PDB."""
        name, spec = self._name, self._spec
        self.horizontal_pod_autoscaler = None
        if spec.autoscaling is not None:
            self.horizontal_pod_autoscaler = k8s.autoscaling.v2.HorizontalPodAutoscaler(
                f"{name}-hpa",
                metadata=manifests.metadata(name, namespace),
                spec=manifests.hpa(deployment_name),
                opts=pulumi.ResourceOptions(parent=self, depends_on=waits_for or [self.deployment]),
            )
        self.pod_disruption_budget = None
        if workload.can_run_two_or_more(spec.workload):
            self.pod_disruption_budget = k8s.policy.v1.PodDisruptionBudget(
                f"{name}-pdb",
                metadata=manifests.metadata(name, namespace),
                spec=manifests.pdb,
                opts=self._child,
            )

    def _declare_policies(self, manifests: Manifests, namespace: pulumi.Input[str]) -> None:
        """The NetworkPolicy, and warnings where it closes the pods to what needs them."""
        name, spec = self._name, self._spec
        self.network_policy = None
        if spec.network_policy is not None:
            self.network_policy = k8s.networking.v1.NetworkPolicy(
                f"{name}-network-policy",
                metadata=manifests.metadata(name, namespace),
                spec=manifests.network_policy,
                opts=self._child,
            )
        warn_open_load_balancers(
            component_label(name),
            spec.services,
            spec.identity.annotations,
            lambda m: pulumi.log.warn(m, resource=self),
        )
        for warning in network_policy.warnings(
            spec.network_policy,
            component_label(name),
            ingress=spec.exposure is not None,
            metrics=spec.metrics is not None,
        ):
            pulumi.log.warn(warning, resource=self)
        if not spec.identity.create_namespace:
            for warning in pod_security.warnings(component_label(name), spec.containers):
                pulumi.log.warn(warning, resource=self)

    def _declare_monitoring(
        self,
        manifests: Manifests,
        namespace: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None,
    ) -> None:
        spec = self._spec
        if spec.monitoring is None or spec.metrics is None:
            return
        own_ports = [p for p in [spec.ports.main, *spec.ports.extra] if p is not None]
        port_name, separate = monitoring.scrape_target(
            spec.metrics, own_ports, self.service is not None
        )
        after = [self.service] if self.service is not None else [self.deployment]
        self.monitoring = monitoring.declare_monitoring(
            self._name,
            spec.monitoring,
            namespace,
            manifests.metadata(self._name, namespace),
            (port_name, spec.metrics.path, separate),
            identity.selector_labels(self._name),
            pulumi.ResourceOptions(
                parent=self, depends_on=[*after, *monitoring.inherited_dependencies(opts)]
            ),
        )

    def _set_outputs(
        self, namespace: pulumi.Input[str], deployment_name: pulumi.Output[str]
    ) -> None:
        self.namespace = pulumi.Output.from_input(namespace)
        self.deployment_name = deployment_name
        if self.service is None:
            self.service_name = pulumi.Output.from_input("")
            self.url = pulumi.Output.from_input("")
            return
        service_meta = self.service.metadata
        self.service_name = service_meta.apply(_object_name)
        scheme = self._spec.ports.url_scheme
        port = self._spec.ports.main.service_port  # type: ignore[union-attr]
        if is_deferred(port):
            self.url = pulumi.Output.all(service_meta, port).apply(
                lambda meta_and_port: _cluster_url(scheme, *meta_and_port)
            )
        else:
            # One apply on the metadata: an Output.all over it costs a walk of the whole
            # object per service (measured in bench/full_service.py).
            self.url = service_meta.apply(lambda meta: _cluster_url(scheme, meta, port))


def _gated(
    opts: pulumi.ResourceOptions | None,
    component: pulumi.Resource,
    gate: list[pulumi.Output[Any]],
) -> pulumi.ResourceOptions:
    """``opts`` with a transformation making every descendant of ``component`` wait for
    ``gate`` (the checks of Output values): no child is registered with a bad value.

    ``gate`` may be filled after the call (a component whose checks are known only once
    it is registered); while it is empty, descendants do not wait."""

    def wait_for_checks(
        args: pulumi.ResourceTransformationArgs,
    ) -> pulumi.ResourceTransformationResult | None:
        if args.resource is component or not gate:
            return None
        return pulumi.ResourceTransformationResult(
            args.props,
            pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(depends_on=gate[0])),
        )

    return pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(transformations=[wait_for_checks])
    )


def _secrets_checksum(meta: k8s.meta.v1.outputs.ObjectMeta) -> str:
    return config.secrets_checksum(meta.resource_version)


def _object_name(meta: k8s.meta.v1.outputs.ObjectMeta) -> str:
    return str(meta.name)


def _cluster_url(scheme: str, meta: Mapping[str, Any], port: object) -> str:
    """``SCHEME://NAME.NAMESPACE.svc.cluster.local:PORT`` from a Service's metadata and port.

    One Output for the whole URL: the metadata (an ObjectMeta, or a plain mapping once
    ``Output.all`` has resolved it) carries the name and the namespace the Service really
    is in, and depends on the Service, so on the Namespace.
    """
    return f"{scheme}://{meta['name']}.{meta['namespace']}.svc.cluster.local:{port}"


def _route_metadata(metadata: dict[str, Any], spec: ServiceSpec) -> dict[str, Any]:
    """A route's metadata; with canary steps, whose run sets the weights through the API,
    Pulumi takes the weights back at its next change (server-side apply, forced)."""
    canary = spec.release.canary
    if canary is None or not canary.steps:
        return metadata
    annotations = {**metadata.get("annotations", {}), "pulumi.com/patchForce": "true"}
    return {**metadata, "annotations": annotations}
