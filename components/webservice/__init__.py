"""The WebService component and its argument types (internal: import them from ``moorage``)."""

from .args import (
    AffinityArgs,
    AutoscalingArgs,
    BlueGreenArgs,
    CanaryArgs,
    ContainerArgs,
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
from .persistence import PersistenceArgs

__all__ = [
    "AffinityArgs",
    "AlertsArgs",
    "AutoscalingArgs",
    "BlueGreenArgs",
    "CanaryArgs",
    "ContainerArgs",
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
