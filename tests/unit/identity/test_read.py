"""Reading ``identity`` (identity/_read.py): one section per cloud, checked permissions."""

from __future__ import annotations

from typing import Any

import pytest
from moorage import ValidationError
from moorage._fields import Fields
from moorage.identity import read_identity

LABEL = 'WebService "api"'
S3_READ = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::assets/*"]}


def read(identity: Any, cloud: str) -> Any:
    return read_identity(Fields(LABEL, {"identity": identity}), "identity", cloud)


def test_no_identity_is_none() -> None:
    assert read(None, "eks") is None


def test_aws_policies_and_statements() -> None:
    arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    spec = read({"aws": {"policy_arns": [arn], "statements": [S3_READ]}}, "eks")
    assert (spec.section, spec.policy_arns, spec.statements) == ("aws", [arn], [S3_READ])


def test_gcp_roles() -> None:
    spec = read({"gcp": {"roles": ["roles/storage.objectViewer"]}}, "gke")
    assert (spec.section, spec.roles) == ("gcp", ["roles/storage.objectViewer"])


@pytest.mark.parametrize(
    "section", [{"aws": {"statements": [S3_READ]}}, {"gcp": {"roles": ["roles/pubsub.subscriber"]}}]
)
def test_a_local_cluster_accepts_either_cloud(section: dict[str, Any]) -> None:
    assert read(section, "local") is not None


BAD = [
    pytest.param(
        {"gcp": {"roles": ["roles/pubsub.subscriber"]}},
        "eks",
        "identity.gcp",
        "is for GKE clusters, but this cluster is EKS",
        id="gcp-on-eks",
    ),
    pytest.param(
        {"aws": {"statements": [S3_READ]}},
        "gke",
        "identity.aws",
        "is for EKS clusters, but this cluster is GKE",
        id="aws-on-gke",
    ),
    pytest.param({}, "eks", "identity", "exactly one of aws (EKS) or gcp (GKE)", id="empty"),
    pytest.param(
        {"aws": {"statements": [S3_READ]}, "gcp": {"roles": ["roles/x.y"]}},
        "eks",
        "identity",
        "exactly one",
        id="both",
    ),
    pytest.param({"azure": {}}, "eks", "identity.azure", "not a known field", id="unknown-cloud"),
    pytest.param(
        {"aws": {}},
        "eks",
        "identity.aws.policy_arns",
        "or statements must be set",
        id="no-permissions",
    ),
    pytest.param(
        {"aws": {"policy_arns": ["AmazonS3ReadOnlyAccess"]}},
        "eks",
        "identity.aws.policy_arns[0]",
        "IAM policy ARN",
        id="bare-policy-name",
    ),
    pytest.param(
        {"aws": {"policy_arns": "arn:aws:iam::aws:policy/X"}},
        "eks",
        "identity.aws.policy_arns",
        "plain list",
        id="arns-not-list",
    ),
    pytest.param(
        {"aws": {"statements": [{"Effect": "Allow", "Action": "s3:*"}]}},
        "eks",
        "identity.aws.statements[0]",
        "Resource or NotResource",
        id="no-resource",
    ),
    pytest.param(
        {"aws": {"statements": [{**S3_READ, "Effect": "allow"}]}},
        "eks",
        "identity.aws.statements[0].Effect",
        "Allow or Deny",
        id="effect",
    ),
    pytest.param(
        {"aws": {"statements": [{**S3_READ, "Action": 7}]}},
        "eks",
        "identity.aws.statements[0].Action",
        "string or list",
        id="action-type",
    ),
    pytest.param(
        {"aws": {"statements": [{**S3_READ, "Principal": "*"}]}},
        "eks",
        "identity.aws.statements[0].Principal",
        "not a known field",
        id="principal",
    ),
    pytest.param(
        {"aws": {"statements": ["s3:GetObject"]}},
        "eks",
        "identity.aws.statements[0]",
        "IAM statement",
        id="statement-text",
    ),
    pytest.param(
        {"gcp": {"roles": []}}, "gke", "identity.gcp.roles", "at least one role", id="no-roles"
    ),
    pytest.param(
        {"gcp": {"roles": ["roles/editor"]}},
        "gke",
        "identity.gcp.roles[0]",
        "basic role",
        id="editor",
    ),
    pytest.param(
        {"gcp": {"roles": ["storage.objectViewer"]}},
        "gke",
        "identity.gcp.roles[0]",
        "role like",
        id="role-format",
    ),
    pytest.param(
        {"gcp": {"roles": [3]}}, "gke", "identity.gcp.roles[0]", "non-empty string", id="role-type"
    ),
]


@pytest.mark.parametrize(("identity", "cloud", "field", "rule"), BAD)
def test_bad_identity_gets_one_clear_error(
    identity: Any, cloud: str, field: str, rule: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        read(identity, cloud)
    assert raised.value.field == field
    assert rule in raised.value.rule
