"""Shared mocks, constants and helpers of the GkeCluster tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pytest
from moorage.clusters.gke import (
    GkeCluster,
)

from ...conftest import RecordingMocks, with_outputs

PROJECT = "acme-prod"

MASTER_IP = "34.118.10.20"

CA_DATA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUVMVENDQXBXZ0F3SUJBZ0lSQU"

COMPONENT = "$moorage:index:GkeCluster::prod"

CLUSTER = "gcp:container/cluster:Cluster"

NODE_POOL = "gcp:container/nodePool:NodePool"

SERVICE_ACCOUNT = "gcp:serviceaccount/account:Account"

IAM_MEMBER = "gcp:projects/iAMMember:IAMMember"

K8S_PROVIDER = "pulumi:providers:kubernetes"

NETWORK_COMPONENT = "moorage:index:GkeCluster$moorage:index:GkeNetwork::prod-vpc"

KEY_RING = "gcp:kms/keyRing:KeyRing"

CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey"

KEY_MEMBER = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"

PROJECT_NUMBER = "318273645012"

GET_PROJECT = "gcp:organizations/getProject:getProject"

GKE_AGENT = (
    f"serviceAccount:service-{PROJECT_NUMBER}@container-engine-robot.iam.gserviceaccount.com"
)


def gcp_calls(token: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The one invoke GkeCluster makes: the project's number, for the GKE service agent."""
    assert token == GET_PROJECT, token
    return {"id": f"projects/{args['projectId']}", "projectId": args["projectId"],
            "number": PROJECT_NUMBER}  # fmt: skip


def gcp_outputs(args: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    """Outputs GCP computes that the component reads (mocks only echo inputs)."""
    if args.typ == CLUSTER:
        return {
            "endpoint": MASTER_IP,
            "masterAuth": {"clusterCaCertificate": CA_DATA},
            "selfLink": f"https://container.googleapis.com/v1/projects/{PROJECT}/clusters/x",
        }
    if args.typ == SERVICE_ACCOUNT:
        return {"email": f"{args.inputs['accountId']}@{PROJECT}.iam.gserviceaccount.com"}
    if args.typ == "gcp:compute/router:Router":
        return {"name": args.name}
    return {}


@pytest.fixture
def gke(make_mocks: Callable[..., RecordingMocks]) -> RecordingMocks:
    return make_mocks(call_handler=gcp_calls, resource_outputs=gcp_outputs)


def base_args(**overrides: Any) -> dict[str, Any]:
    return {"project": PROJECT, "region": "us-central1", **overrides}


def build(mocks: RecordingMocks, args: dict[str, Any], name: str = "prod") -> GkeCluster:
    """Run GkeCluster(name, args), with each ``AsOutput`` in args made an Output."""
    return mocks.run(lambda: GkeCluster(name, with_outputs(args)))


EXISTING_NETWORK = base_args(
    network={
        "network": "prod-vpc",
        "subnetwork": "gke-us-central1",
        "host_project": "acme-network",
        "pods_range_name": "gke-pods",
        "services_range_name": "gke-services",
    },
    secrets_encryption_key=f"projects/{PROJECT}/locations/us-central1/keyRings/gke/cryptoKeys/s",
)


def pool(**fields: Any) -> dict[str, Any]:
    """Args with one node pool named "general" with ``fields``."""
    return base_args(node_pools=[{"name": "general", **fields}])
