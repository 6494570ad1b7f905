"""EksCluster, split by concern: Args (args), validation, network, IAM, node groups,
addons and the component itself (cluster). Import the public names from ``moorage``."""

from ._args import DEFAULTS, EksAddonArgs, EksClusterArgs, EksNodeGroupArgs
from ._cluster import (
    AUTO_MODE_NODE_POOLS,
    CONTROL_PLANE_LOG_TYPES,
    EBS_PROVISIONERS,
    STORAGE_CLASS,
    TYPE_TOKEN,
    EksCluster,
)
from ._iam import (
    AUTO_MODE_CLUSTER_ROLE_POLICIES,
    AUTO_MODE_NODE_ROLE_POLICIES,
    CLUSTER_ROLE_POLICIES,
    NODE_ROLE_POLICIES,
    cluster_autoscaler_policy,
)
from ._managed_addons import configuration_json
from ._network import EksNetwork, subnet_layout
from ._node_groups import NODE_GROUP_IGNORE_CHANGES
from ._validation import (
    AUTO_MODE_ADDONS,
    MANAGED_ADDONS,
    NODE_GROUP_LABEL,
    EksSpec,
    aws_partition,
    instance_architecture,
    validate_eks_args,
)

__all__ = [
    "AUTO_MODE_ADDONS",
    "AUTO_MODE_CLUSTER_ROLE_POLICIES",
    "AUTO_MODE_NODE_POOLS",
    "AUTO_MODE_NODE_ROLE_POLICIES",
    "CLUSTER_ROLE_POLICIES",
    "CONTROL_PLANE_LOG_TYPES",
    "DEFAULTS",
    "EBS_PROVISIONERS",
    "MANAGED_ADDONS",
    "NODE_GROUP_IGNORE_CHANGES",
    "NODE_GROUP_LABEL",
    "NODE_ROLE_POLICIES",
    "STORAGE_CLASS",
    "TYPE_TOKEN",
    "EksAddonArgs",
    "EksCluster",
    "EksClusterArgs",
    "EksNetwork",
    "EksNodeGroupArgs",
    "EksSpec",
    "aws_partition",
    "cluster_autoscaler_policy",
    "configuration_json",
    "instance_architecture",
    "subnet_layout",
    "validate_eks_args",
]
