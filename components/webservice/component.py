"""The WebService ComponentResource: wires the pure manifests to Kubernetes resources."""

import inspect
from collections.abc import Callable, Mapping
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

from .._rules import component_label
from . import manifests as m
from .args import WebServiceArgs
from .checksum_key import ChecksumKey
from .monitoring import declare_monitoring, inherited_dependencies, scrape_target
from .persistence import declare_claim, deployment_strategy, mounted
from .release import COLOR_LABEL
from .rollout import declare_release
from .spec import WebServiceSpec, validated_spec

TYPE_TOKEN = "moorage:index:WebService"


class WebService(pulumi.ComponentResource):
    """A production web service on Kubernetes with secure defaults.

    Creates (as children, named after the component): an optional Namespace, a
    ServiceAccount, a ConfigMap and a Secret when config/secrets are given, a
    Deployment, a Service (none for a ``worker``) and one per ``extra_services`` entry,
    a HorizontalPodAutoscaler when ``autoscaling`` is set,
    a PodDisruptionBudget when the service can run two or more replicas, a
    NetworkPolicy (unless disabled) and an optional Ingress. With secrets, a
    ``<name>-checksum-key`` holds the random key of the secrets checksum (a Pulumi secret).

    Pass a Kubernetes provider through ``opts`` (``providers=[...]`` or
    ``provider=...``); every child inherits it. Bad arguments raise
    :class:`moorage.ValidationError` before any child is created.
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
    service_account: k8s.core.v1.ServiceAccount
    """The pods' ServiceAccount (token not mounted)."""
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

    def __init__(
        self,
        name: str,
        args: WebServiceArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        spec = validated_spec(name, args)
        child = pulumi.ResourceOptions(parent=self)
        checksum_key = ChecksumKey(f"{name}-checksum-key", child).key if spec.secrets else None
        checksums = _checksums(spec, checksum_key)
        template = m.pod_template(spec, checksums)
        if spec.persistence is not None:  # issue 15: persistence.py
            template = mounted(template, spec.persistence)

        self.namespace_resource = None
        namespace: pulumi.Input[str] = spec.namespace
        if spec.create_namespace:
            namespace_meta = m.metadata(spec, spec.namespace, None)  # type: ignore[arg-type]
            namespace_meta["labels"] = {**namespace_meta["labels"], **m.namespace_labels()}
            self.namespace_resource = k8s.core.v1.Namespace(
                f"{name}-namespace", metadata=namespace_meta, opts=child
            )
            namespace = self.namespace_resource.metadata.apply(_object_name)

        self.service_account = k8s.core.v1.ServiceAccount(
            f"{name}-service-account",
            metadata=m.metadata(spec, name, namespace, spec.service_account_annotations),
            automount_service_account_token=False,
            opts=child,
        )

        self.config_map = None
        if spec.config:
            self.config_map = k8s.core.v1.ConfigMap(
                f"{name}-config",
                metadata=m.metadata(spec, m.config_map_name(name), namespace),
                data=dict(spec.config),
                opts=child,
            )

        self.secret = None
        if spec.secrets:
            self.secret = k8s.core.v1.Secret(
                f"{name}-secrets",
                metadata=m.metadata(spec, m.secret_name(name), namespace),
                type="Opaque",
                string_data=_secret_values(spec),
                opts=child,
            )

        config_children = [r for r in (self.config_map, self.secret) if r is not None]
        before_pods: list[pulumi.Resource] = [self.service_account, *config_children]

        # -- issue 15: persistence.py --
        self.persistent_volume_claim = None
        if spec.persistence is not None:
            self.persistent_volume_claim = declare_claim(
                name,
                spec.persistence,
                m.metadata(spec, spec.persistence.claim_name, namespace),
                self,
            )
            before_pods.append(self.persistent_volume_claim)

        def service_for(
            release_labels: dict[str, str], opts: pulumi.ResourceOptions
        ) -> k8s.core.v1.Service:
            return k8s.core.v1.Service(
                f"{name}-service",
                metadata=m.metadata(spec, name, namespace, spec.service_annotations),
                spec=m.service_spec(spec, release_labels),
                opts=opts,
            )

        self.live_color = None
        deployment_name: pulumi.Output[str] | None = None
        hpa_waits_for: pulumi.Input[list[pulumi.Resource]] | None = None
        if spec.strategy == "rolling":
            deployment_spec = m.release_deployment_spec(spec, template, {}, spec.fixed_replicas)
            strategy = deployment_strategy(spec.persistence)  # issue 15: Recreate for RWO
            if strategy is not None:
                deployment_spec["strategy"] = strategy
            self.deployment = k8s.apps.v1.Deployment(
                f"{name}-deployment",
                metadata=m.metadata(spec, name, namespace, spec.deployment_annotations),
                spec=deployment_spec,
                opts=pulumi.ResourceOptions(parent=self, depends_on=before_pods),
            )
            self.deployments = {"main": self.deployment}
            self.service = service_for({}, child) if spec.has_service else None
        else:
            release = declare_release(
                self,
                spec,
                template,
                lambda object_name: m.metadata(
                    spec, object_name, namespace, spec.deployment_annotations
                ),
                before_pods,
                service_for,
            )
            self.deployment, self.deployments = release.primary, release.deployments
            self.service = release.service
            self.live_color = release.live_color
            deployment_name, hpa_waits_for = release.primary_name, release.primary_ready
        if deployment_name is None:
            deployment_name = self.deployment.metadata.apply(_object_name)

        # Extra Services follow the live colour like the main one (blue/green).
        extra_selector = {COLOR_LABEL: self.live_color} if self.live_color is not None else {}
        self.extra_services = {
            extra.suffix: k8s.core.v1.Service(
                f"{name}-service-{extra.suffix}",
                metadata=m.metadata(
                    spec, m.extra_service_name(spec, extra), namespace, extra.annotations
                ),
                spec=m.extra_service_spec(spec, extra, extra_selector),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.deployment]),
            )
            for extra in spec.extra_services
        }

        self.horizontal_pod_autoscaler = None
        if spec.autoscaling is not None:
            self.horizontal_pod_autoscaler = k8s.autoscaling.v2.HorizontalPodAutoscaler(
                f"{name}-hpa",
                metadata=m.metadata(spec, name, namespace),
                spec=m.hpa_spec(spec, deployment_name),
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=hpa_waits_for or [self.deployment]
                ),
            )

        self.pod_disruption_budget = None
        if _can_run_two_or_more(spec):
            self.pod_disruption_budget = k8s.policy.v1.PodDisruptionBudget(
                f"{name}-pdb",
                metadata=m.metadata(spec, name, namespace),
                spec=m.pdb_spec(spec),
                opts=child,
            )

        self.network_policy = None
        if spec.network_policy is not None:
            self.network_policy = k8s.networking.v1.NetworkPolicy(
                f"{name}-network-policy",
                metadata=m.metadata(spec, name, namespace),
                spec=m.network_policy_spec(spec),
                opts=child,
            )

        blocked = _ingress_blocked_warning(spec)
        if blocked is not None:
            pulumi.log.warn(blocked, resource=self)
        unscraped = _metrics_unscraped_warning(spec)
        if unscraped is not None:
            pulumi.log.warn(unscraped, resource=self)

        self.ingress = None
        if spec.ingress is not None:
            self.ingress = k8s.networking.v1.Ingress(
                f"{name}-ingress",
                metadata=m.metadata(spec, name, namespace, spec.ingress.annotations),
                spec=m.ingress_spec(spec),
                opts=child,
            )

        # -- issue 15: monitoring.py --
        # Annotated here, not on the class: the schema analyzer cannot type CustomResource.
        self.monitoring: list[k8s.apiextensions.CustomResource] = []
        """The ServiceMonitor (or PodMonitor) and PrometheusRule, when ``metrics`` asks."""
        if spec.monitoring is not None and spec.metrics is not None:
            port_name, separate = scrape_target(spec, self.service is not None)
            after = [self.service] if self.service is not None else [self.deployment]
            self.monitoring = declare_monitoring(
                name,
                spec.monitoring,
                namespace,
                m.metadata(spec, name, namespace),
                (port_name, spec.metrics.path, separate),
                m.selector_labels(name),
                pulumi.ResourceOptions(
                    parent=self, depends_on=[*after, *inherited_dependencies(opts)]
                ),
            )

        self.namespace = pulumi.Output.from_input(namespace)
        self.deployment_name = deployment_name
        if self.service is None:
            self.service_name = pulumi.Output.from_input("")
            self.url = pulumi.Output.from_input("")
        else:
            service_meta = self.service.metadata
            self.service_name = service_meta.apply(_object_name)
            scheme = spec.url_scheme
            self.url = pulumi.Output.all(service_meta, spec.service_port).apply(
                lambda meta_and_port: _cluster_url(scheme, meta_and_port)
            )
        self.register_outputs(
            {
                "live_color": self.live_color,
                "namespace": self.namespace,
                "deployment_name": self.deployment_name,
                "service_name": self.service_name,
                "url": self.url,
            }
        )


def _secret_values(spec: WebServiceSpec) -> dict[str, pulumi.Output[str]]:
    return {k: pulumi.Output.secret(v) for k, v in spec.secrets.items()}


def _checksums(
    spec: WebServiceSpec, key: pulumi.Output[str] | None
) -> dict[str, pulumi.Input[str]]:
    """Pod-template annotations that change whenever the config or the secrets do.

    ``key`` is the stack's random checksum key (a secret), needed when there are secrets.
    """
    checksums: dict[str, pulumi.Input[str]] = {}
    if spec.config:
        checksums[m.CONFIG_CHECKSUM] = _digest(spec.config, m.config_checksum)
    if spec.secrets:
        assert key is not None
        # The checksum is an HMAC under a random per-stack key that only the state
        # holds (encrypted), so nothing can be guessed from it and it is declassified:
        # otherwise Pulumi would mark the whole Deployment spec secret and previews
        # could show no diff of it.
        checksums[m.SECRETS_CHECKSUM] = pulumi.Output.unsecret(
            pulumi.Output.all(key, pulumi.Output.all(**_secret_values(spec))).apply(
                lambda key_and_data: m.secrets_checksum(key_and_data[0], key_and_data[1])
            )
        )
    return checksums


def _digest(
    data: Mapping[str, pulumi.Input[str]], fn: Callable[[Mapping[str, str]], str]
) -> pulumi.Input[str]:
    """Checksum ``data`` now when it is all plain, else when its Outputs resolve."""
    if any(isinstance(v, pulumi.Output) or inspect.isawaitable(v) for v in data.values()):
        return pulumi.Output.all(**data).apply(fn)
    return fn(cast(Mapping[str, str], data))


def _ingress_blocked_warning(spec: WebServiceSpec) -> str | None:
    """A warning when an Ingress routes to pods that the NetworkPolicy closes to it.

    By default the policy admits only pods of the service's own namespace, and ingress
    controllers run in a namespace of their own. Which one is cluster-specific, so this
    warns (in every preview) instead of guessing.
    """
    policy = spec.network_policy
    if spec.ingress is None or policy is None:
        return None
    if policy.allow_from_namespaces or policy.allow_cidrs:
        return None
    return (
        f"{component_label(spec.name)}: ingress is set but network_policy admits only pods "
        "of the service's own namespace, so an ingress controller running in another "
        "namespace cannot reach it; add that namespace to "
        'network_policy.allow_from_namespaces (for example ["ingress-nginx"])'
    )


def _object_name(meta: k8s.meta.v1.outputs.ObjectMeta) -> str:
    return str(meta.name)


def _cluster_url(scheme: str, meta_and_port: list[Any]) -> str:
    """``SCHEME://NAME.NAMESPACE.svc.cluster.local:PORT`` from a Service's metadata and port.

    One Output for the whole URL: the metadata (a plain mapping once ``Output.all``
    has resolved it) carries the name and the namespace the Service really is in,
    and depends on the Service, so on the Namespace.
    """
    meta, port = meta_and_port
    return f"{scheme}://{meta['name']}.{meta['namespace']}.svc.cluster.local:{port}"


def _can_run_two_or_more(spec: WebServiceSpec) -> bool:
    """A PDB only makes sense when two or more replicas can exist.

    With an Output replica count the answer is unknown at construction, so the
    PDB is created (``maxUnavailable: 1`` is harmless for a single replica).
    """
    most = spec.max_possible_replicas
    if isinstance(most, int):
        return most >= 2
    return True


def _metrics_unscraped_warning(spec: WebServiceSpec) -> str | None:
    """A warning when metrics are served but the NetworkPolicy lets no scraper reach them.

    Prometheus runs in a namespace of its own (which one is cluster-specific), and the
    policy admits only the service's own namespace unless told otherwise.
    """
    policy = spec.network_policy
    if spec.metrics is None or policy is None:
        return None
    if policy.allow_metrics_from_namespaces or policy.allow_from_namespaces:
        return None
    return (
        f"{component_label(spec.name)}: metrics is set but network_policy admits only pods "
        "of the service's own namespace, so a Prometheus running in another namespace "
        "cannot scrape it; add that namespace to "
        'network_policy.allow_metrics_from_namespaces (for example ["monitoring"])'
    )
