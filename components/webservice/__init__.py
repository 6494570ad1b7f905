"""The WebService component and its argument types."""

from components.webservice.args import (
    AutoscalingArgs,
    IngressArgs,
    MetricsArgs,
    NetworkPolicyArgs,
    ProbesArgs,
    ResourcesArgs,
    VolumeArgs,
    WebServiceArgs,
)
from components.webservice.component import WebService

__all__ = [
    "AutoscalingArgs",
    "IngressArgs",
    "MetricsArgs",
    "NetworkPolicyArgs",
    "ProbesArgs",
    "ResourcesArgs",
    "VolumeArgs",
    "WebService",
    "WebServiceArgs",
]
