"""The WebService component and its argument types (internal: import them from ``moorage``)."""

from .args import (
    AutoscalingArgs,
    BlueGreenArgs,
    CanaryArgs,
    EgressArgs,
    IngressArgs,
    MetricsArgs,
    NetworkPolicyArgs,
    ProbesArgs,
    ResourcesArgs,
    VolumeArgs,
    WebServiceArgs,
)
from .component import WebService

__all__ = [
    "AutoscalingArgs",
    "BlueGreenArgs",
    "CanaryArgs",
    "EgressArgs",
    "IngressArgs",
    "MetricsArgs",
    "NetworkPolicyArgs",
    "ProbesArgs",
    "ResourcesArgs",
    "VolumeArgs",
    "WebService",
    "WebServiceArgs",
]
