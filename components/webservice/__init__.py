"""The WebService component and its argument types (internal: import them from ``moorage``)."""

from .args import (
    AlertsArgs,
    AutoscalingArgs,
    BlueGreenArgs,
    CanaryArgs,
    IngressArgs,
    MetricsArgs,
    NetworkPolicyArgs,
    PersistenceArgs,
    ProbesArgs,
    ResourcesArgs,
    VolumeArgs,
    WebServiceArgs,
)
from .component import WebService

__all__ = [
    "AlertsArgs",
    "AutoscalingArgs",
    "BlueGreenArgs",
    "CanaryArgs",
    "IngressArgs",
    "MetricsArgs",
    "NetworkPolicyArgs",
    "PersistenceArgs",
    "ProbesArgs",
    "ResourcesArgs",
    "VolumeArgs",
    "WebService",
    "WebServiceArgs",
]
