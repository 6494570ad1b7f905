"""The spec of a WebService: its Args read by each facet, in one order, into one object.

Plain values are checked at once, so bad input fails before any resource is registered;
values that are Outputs are checked when they resolve, with the same messages. Every
Args mapping is read through the shared :class:`~moorage._fields.Fields` reader.

``read_spec`` is the one verb for Args -> spec. ``build_spec``, ``prevalidate`` and
``validated_spec`` are the seams the program and the Application use.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, cast

from .. import _rules as rule
from .._errors import ValidationError
from .._fields import Fields, collecting_checks
from . import _adoption as adoption
from . import _autoscaling as autoscaling
from . import _config as config
from . import _containers as containers
from . import _exposure as exposure
from . import _identity as identity
from . import _monitoring as monitoring
from . import _network_policy as network_policy
from . import _patches as patches
from . import _persistence as persistence
from . import _pod_security as pod_security
from . import _ports as ports
from . import _probes as probes
from . import _routes as routes
from . import _volumes as volumes
from . import _workload as workload
from . import release
from ._args import WebServiceArgs
from ._autoscaling import AutoscalingSpec
from ._config import ConfigSpec
from ._containers import ContainersSpec
from ._exposure import IngressSpec
from ._identity import IdentitySpec
from ._monitoring import MetricsSpec, MonitoringSpec
from ._network_policy import NetworkPolicySpec
from ._patches import PatchSpec
from ._persistence import PersistenceSpec
from ._ports import PortsSpec, ServicesSpec
from ._routes import RouteSpec
from ._volumes import VolumeSpec
from ._workload import WorkloadSpec
from .release import ReleaseSpec

_KNOWN_FIELDS = frozenset(WebServiceArgs.__annotations__)
RESERVED_VOLUMES = ("tmp", "config", "secrets")


@dataclass(frozen=True)
class ServiceSpec:
    """Everything the component needs, validated and with defaults applied: one spec per
    facet, in the order the component uses them."""

    name: str
    identity: IdentitySpec
    workload: WorkloadSpec
    config: ConfigSpec
    volumes: list[VolumeSpec]
    persistence: PersistenceSpec | None
    ports: PortsSpec
    metrics: MetricsSpec | None
    containers: ContainersSpec
    services: ServicesSpec
    autoscaling: AutoscalingSpec | None
    network_policy: NetworkPolicySpec | None
    exposure: IngressSpec | None
    monitoring: MonitoringSpec | None
    release: ReleaseSpec
    pending_checks: tuple[Any, ...] = ()
    """The checks that wait for Outputs: every child of the component waits for them all."""
    patches: list[PatchSpec] = field(default_factory=list)
    """The escape hatch: patches of the rendered objects (last resort)."""
    selector_labels: dict[str, str] | None = None
    """Labels that select the pods in place of Moorage's (adopting a workload)."""
    adopt: bool = False
    """Take over existing objects on the first up."""
    routes: list[RouteSpec] = field(default_factory=list)
    """Gateway API routes to the Service."""


def read_spec(name: str, args: WebServiceArgs) -> ServiceSpec:
    """Validate ``args`` for the WebService called ``name`` and apply defaults.

    Checks of Output values are collected into ``pending_checks``.
    """
    with collecting_checks() as pending:
        spec = _read(name, args)
    return dataclasses.replace(spec, pending_checks=tuple(pending))


def _read(name: str, args: WebServiceArgs) -> ServiceSpec:
    r = _top_level(name, args)
    image, allow_unpinned, pull_policy = containers.read_image_settings(r)
    namespace = identity.read_namespace(r, name)
    port_spec = ports.read(r)
    container_name = containers.read_container_name(r, name)
    hpa = autoscaling.read(r)
    replicas = workload.read_replicas(
        r, (hpa.min_replicas, hpa.max_replicas) if hpa is not None else None
    )
    env = containers.read_env(r, containers.MAIN)
    config_spec = config.read(r, name, env)
    claim = persistence.read(name, args)
    volume_specs = volumes.read(r, config.mount_paths(config_spec), RESERVED_VOLUMES)
    volumes.check_mount_paths(
        r.component,
        [
            *(
                [("config_mount_path", config_spec.config_mount_path)]
                if config_spec.config_mounted
                else []
            ),
            *(
                [("secrets_mount_path", config_spec.secrets_mount_path)]
                if config_spec.secrets_mounted
                else []
            ),
            *((f"volumes[{i}].mount_path", v.mount_path) for i, v in enumerate(volume_specs)),
            *([("persistence.mount_path", claim.mount_path)] if claim is not None else []),
        ],
    )
    metrics = monitoring.read_metrics(r, port_spec.main, port_spec.extra)
    main_ports = [
        *([port_spec.main] if port_spec.main is not None else []),
        *([metrics.port_spec] if metrics is not None and metrics.port_spec is not None else []),
        *port_spec.extra,
    ]
    pod = containers.PodContext(
        allow_unpinned=allow_unpinned,
        image_pull_policy=pull_policy,
        volumes={
            **{v.name: True for v in volume_specs if isinstance(v.name, str)},
            "tmp": True,
            **{n: True for n in config.volume_names(config_spec)},
        },
        secret_keys=sorted(config_spec.secrets),
        main_ports=main_ports,
        main_mounts=[
            *config.mounts(config_spec),
            *volumes.mounts(volume_specs),
            *persistence.mounts(claim),
        ],
        main_env_from=config.env_from(config_spec),
        main_secret_env=config.secret_env(config_spec),
    )
    run_as_user = workload.read_run_as_user(r)
    extra = containers.read_extra(r, pod)
    probe_ports = {p.name: p for p in main_ports}
    probe_spec = probes.read(r, probe_ports, port_spec.main, port_spec.app_protocol)
    main = containers.read_main(r, container_name, image, pull_policy, env, probe_spec, pod)
    container_spec = containers.read(r, main, extra, port_spec.worker)
    pod_ports = [*main_ports, *container_spec.sidecar_ports]
    ports.check_unique(r.component, pod_ports, ())
    services = ports.read_services(r, name, port_spec, pod_ports)
    identity_spec = identity.read(r, name, namespace, image)
    pod_security.check(r.component, container_spec, enforced=identity_spec.create_namespace)
    route_specs = routes.read(r, port_spec, services.ports)
    routes.check_track_names(
        r, bool(route_specs) and r.raw("strategy") == "canary", [e.suffix for e in services.extra]
    )
    return ServiceSpec(
        name=name,
        identity=identity_spec,
        workload=workload.read(r, name, replicas, run_as_user),
        config=config_spec,
        volumes=volume_specs,
        persistence=claim,
        ports=port_spec,
        metrics=metrics,
        containers=container_spec,
        services=services,
        autoscaling=hpa,
        network_policy=network_policy.read(r),
        exposure=exposure.read(r, port_spec.main, services.port_names),
        monitoring=monitoring.read_monitoring(r.component, args),
        release=replace(
            release.read(r, name, namespace[0], replicas[1], hpa, port_spec.worker),
            routed=bool(route_specs),
        ),
        routes=route_specs,
        patches=patches.read(r),
        selector_labels=adoption.read_selector(r),
        adopt=r.boolean("adopt", adoption.DEFAULTS["adopt"]),
    )


def _top_level(name: str, args: WebServiceArgs) -> Fields:
    component = rule.component_label(name)
    rule.service_name(component, name)
    if not isinstance(args, Mapping):
        raise ValidationError(
            component, "args", type(args).__name__, "must be a WebServiceArgs dict"
        )
    r = Fields(component, cast(Mapping[str, Any], args))
    r.reject_unknown(_KNOWN_FIELDS, "WebServiceArgs")
    if args.get("image") is None:
        raise ValidationError(component, "image", None, "is required")
    return r


def build_spec(name: str, args: WebServiceArgs) -> ServiceSpec:
    """The seam the program and the Application validate with: :func:`read_spec`."""
    return read_spec(name, args)


_PREVALIDATED: dict[int, tuple[Mapping[str, Any], dict[str, Any], str, ServiceSpec]] = {}


def prevalidate(name: str, args: WebServiceArgs) -> ServiceSpec:
    """:func:`read_spec`, kept for the WebService that the same args will create.

    The program validates the service's args before it creates the cluster; the
    WebService built next from the same (unchanged) mapping takes that spec over
    (:func:`validated_spec`) instead of validating and building it a second time.
    """
    spec = read_spec(name, args)
    _PREVALIDATED[id(args)] = (args, dict(args), name, spec)
    return spec


def validated_spec(name: str, args: WebServiceArgs) -> ServiceSpec:
    """The spec :func:`prevalidate` built for exactly these args, or a fresh one.

    A kept spec is used once: it is handed over and forgotten.
    """
    entry = _PREVALIDATED.pop(id(args), None)
    if entry is not None:
        mapping, snapshot, built_for, spec = entry
        if mapping is args and built_for == name and snapshot == dict(args):
            return spec
    return read_spec(name, args)
