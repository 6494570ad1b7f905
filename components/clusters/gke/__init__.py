"""GkeCluster, split by concern: Args (args), validation, network, IAM and keys, node pools
and the component itself (cluster). Import the public names from ``moorage``."""

from ._args import (
    DEFAULTS,
    GkeClusterArgs,
    GkeMaintenanceWindowArgs,
    GkeNetworkArgs,
    GkeNodePoolArgs,
)
from ._cluster import DATAPATH_PROVIDER, TYPE_TOKEN, GkeCluster
from ._iam import KMS_ROLE, NODE_SERVICE_ACCOUNT_ROLES, gke_service_agent
from ._network import POD_RANGE, SERVICE_RANGE, GkeNetwork
from ._node_pools import OAUTH_SCOPES
from ._validation import (
    RELEASE_CHANNELS,
    GkeSpec,
    MaintenanceWindow,
    node_service_account_id,
    validate_gke_args,
)

__all__ = [
    "DATAPATH_PROVIDER",
    "DEFAULTS",
    "KMS_ROLE",
    "NODE_SERVICE_ACCOUNT_ROLES",
    "OAUTH_SCOPES",
    "POD_RANGE",
    "RELEASE_CHANNELS",
    "SERVICE_RANGE",
    "TYPE_TOKEN",
    "GkeCluster",
    "GkeClusterArgs",
    "GkeMaintenanceWindowArgs",
    "GkeNetwork",
    "GkeNetworkArgs",
    "GkeNodePoolArgs",
    "GkeSpec",
    "MaintenanceWindow",
    "gke_service_agent",
    "node_service_account_id",
    "validate_gke_args",
]
