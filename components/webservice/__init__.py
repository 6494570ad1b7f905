"""The WebService component and its argument types (internal: import them from ``moorage``)."""

from .args import (
    AffinityArgs,
    AutoscalingArgs,
    BlueGreenArgs,
    CanaryArgs,
    ContainerArgs,
    EgressArgs,
    EnvFromArgs,
    ExtraServiceArgs,
    IngressArgs,
    LifecycleArgs,
    MetricsArgs,
    NetworkPolicyArgs,
    NodeRequirementArgs,
    PortArgs,
    ProbeArgs,
    ProbesArgs,
    ResourcesArgs,
    TolerationArgs,
    VolumeArgs,
    VolumeMountArgs,
    WebServiceArgs,
)
from .component import WebService
from .monitoring import AlertsArgs
from .monitoring import inherited_dependencies as inherited_dependencies
from .persistence import DEFAULTS as PERSISTENCE_DEFAULTS
from .persistence import PersistenceArgs
from .persistence import claim_name as claim_name
from .spec import prevalidate as prevalidate

__all__ = [
    "PERSISTENCE_DEFAULTS",  # for the program's local storage (internal)
    "AffinityArgs",
    "AlertsArgs",
    "AutoscalingArgs",
    "BlueGreenArgs",
    "CanaryArgs",
    "ContainerArgs",
    "EgressArgs",
    "EnvFromArgs",
    "ExtraServiceArgs",
    "IngressArgs",
    "LifecycleArgs",
    "MetricsArgs",
    "NetworkPolicyArgs",
    "NodeRequirementArgs",
    "PersistenceArgs",
    "PortArgs",
    "ProbeArgs",
    "ProbesArgs",
    "ResourcesArgs",
    "TolerationArgs",
    "VolumeArgs",
    "VolumeMountArgs",
    "WebService",
    "WebServiceArgs",
]
