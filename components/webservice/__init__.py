"""The WebService component, its argument types and the seams the program, the Application
and the tests use (internal: users import the component and its Args from ``moorage``).

Every module inside this package is private; this ``__init__`` is the one way in.

Seams:

- ``build_spec(name, args)``, ``prevalidate(name, args)``, ``validated_spec(name, args)``:
  read (validate and default) WebServiceArgs into a :class:`ServiceSpec`;
- ``render(spec, checksums)``: the bodies of the objects a spec declares (pure);
- ``inherited_dependencies(opts)``, ``claim_name(service)``, ``PERSISTENCE_DEFAULTS``,
  ``check_pod_security(component, containers, enforced=, why=)``,
  ``egress_to_service(name, namespace, ports)`` (a referrer's egress to its target),
  ``object_names(spec)`` (the objects a service creates, by kind and name),
  ``gate_descendants(opts, component, gate)`` (every descendant waits for the checks of
  Output values), ``label_map``, ``annotation_map``, ``map_input``: what the Application
  uses;
- ``config_checksum``, ``secrets_checksum`` and their annotation keys: the checksums that
  roll the pods (tests and benchmarks compute them);
- ``DEFAULTS``: every default, for the generated reference.
"""

from typing import Any

from . import (
    _adoption,
    _autoscaling,
    _config,
    _containers,
    _exposure,
    _identity,
    _monitoring,
    _network_policy,
    _patches,
    _persistence,
    _ports,
    _probes,
    _routes,
    _shutdown,
    _volumes,
    _workload,
    release,
)
from ._args import WebServiceArgs
from ._autoscaling import AutoscalingArgs
from ._component import WebService
from ._component import _gated as gate_descendants
from ._config import CONFIG_CHECKSUM, SECRETS_CHECKSUM, config_checksum, secrets_checksum
from ._containers import ContainerArgs, EnvFromArgs, ResourcesArgs, VolumeMountArgs
from ._exposure import IngressArgs
from ._kubernetes_differences import KUBERNETES_DIFFERENCES
from ._maps import annotation_map, label_map, map_input
from ._monitoring import AlertsArgs, MetricsArgs, inherited_dependencies
from ._network_policy import EgressArgs, EgressPodsArgs, NetworkPolicyArgs, egress_to_service
from ._objects import ObjectName, object_names
from ._patches import PatchArgs
from ._persistence import DEFAULTS as PERSISTENCE_DEFAULTS
from ._persistence import PersistenceArgs, claim_name
from ._pod_security import check as check_pod_security
from ._ports import ExtraServiceArgs, PortArgs
from ._probes import ProbeArgs, ProbesArgs
from ._render import Manifests, render
from ._routes import RequestHeadersArgs, RouteArgs, RouteMatchArgs
from ._shutdown import LifecycleArgs
from ._spec import ServiceSpec, build_spec, prevalidate, read_spec, validated_spec
from ._volumes import VolumeArgs
from ._workload import AffinityArgs, HostAliasArgs, NodeRequirementArgs, TolerationArgs
from .release import AnalysisArgs, AnalysisQueryArgs, BlueGreenArgs, CanaryArgs, CanaryStepArgs

DEFAULTS: dict[str, Any] = {
    key: value
    for facet in (
        _identity,
        _containers,
        _ports,
        _workload,
        _config,
        _autoscaling,
        _probes,
        _shutdown,
        _exposure,
        _routes,
        _monitoring,
        _volumes,
        _persistence,
        _network_policy,
        _patches,
        _adoption,
        release,
    )
    for key, value in facet.DEFAULTS.items()
}
"""Every WebService default by dotted field path, gathered from the facets (each owns its
table); the reference docs print them."""

TYPE_NOTES: dict[str, tuple[str, dict[str, dict[str, str]]]] = {
    "ContainerArgs": ("Defaults per kind of container", _containers.KIND_DEFAULTS),
}
"""Tables the reference docs add under a type (title, row -> column -> text)."""

__all__ = [
    "CONFIG_CHECKSUM",
    "DEFAULTS",
    "KUBERNETES_DIFFERENCES",
    "PERSISTENCE_DEFAULTS",
    "SECRETS_CHECKSUM",
    "TYPE_NOTES",
    "AffinityArgs",
    "AlertsArgs",
    "AnalysisArgs",
    "AnalysisQueryArgs",
    "AutoscalingArgs",
    "BlueGreenArgs",
    "CanaryArgs",
    "CanaryStepArgs",
    "ContainerArgs",
    "EgressArgs",
    "EgressPodsArgs",
    "EnvFromArgs",
    "ExtraServiceArgs",
    "HostAliasArgs",
    "IngressArgs",
    "LifecycleArgs",
    "Manifests",
    "MetricsArgs",
    "NetworkPolicyArgs",
    "NodeRequirementArgs",
    "ObjectName",
    "PatchArgs",
    "PersistenceArgs",
    "PortArgs",
    "ProbeArgs",
    "ProbesArgs",
    "RequestHeadersArgs",
    "ResourcesArgs",
    "RouteArgs",
    "RouteMatchArgs",
    "ServiceSpec",
    "TolerationArgs",
    "VolumeArgs",
    "VolumeMountArgs",
    "WebService",
    "WebServiceArgs",
    "annotation_map",
    "build_spec",
    "check_pod_security",
    "claim_name",
    "config_checksum",
    "egress_to_service",
    "gate_descendants",
    "inherited_dependencies",
    "label_map",
    "map_input",
    "object_names",
    "prevalidate",
    "read_spec",
    "render",
    "secrets_checksum",
    "validated_spec",
]
