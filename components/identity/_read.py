"""Read and check ``identity`` Args: pure, before anything is created."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._fields import Fields, is_deferred
from ._args import AwsIdentityArgs, GcpIdentityArgs, IdentityArgs

CLOUD_OF_SECTION = {"aws": "eks", "gcp": "gke"}
_POLICY_ARN = r"arn:aws(-[a-z]+)*:iam::(aws|\d{12}):policy/[\w+=,.@/-]+"
_ROLE = r"(roles/[a-zA-Z0-9_.]+|(projects|organizations)/[a-z0-9-]+/roles/[a-zA-Z0-9_.]+)"
BASIC_ROLES = ("roles/owner", "roles/editor", "roles/viewer")
STATEMENT_KEYS = ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition")


@dataclass(frozen=True)
class IdentitySpec:
    """A checked identity: the section given (``aws`` or ``gcp``) and its permissions."""

    section: str
    policy_arns: list[Any] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)


def read_identity(fields: Fields, key: str, cloud: str) -> IdentitySpec | None:
    """The ``key`` section of ``fields`` (an :class:`IdentityArgs`) for a cluster on
    ``cloud`` ("local", "eks" or "gke"), or None when it is not set."""
    section = fields.nested(key, IdentityArgs)
    if section is None:
        return None
    given = [name for name in ("aws", "gcp") if section.present(name)]
    if len(given) != 1:
        raise fields.fail(key, dict(section.args), "must set exactly one of aws (EKS) or gcp (GKE)")
    name = given[0]
    if cloud != "local" and CLOUD_OF_SECTION[name] != cloud:
        raise section.fail(
            name,
            section.raw(name),
            f"is for {CLOUD_OF_SECTION[name].upper()} clusters, but this cluster is "
            f"{cloud.upper()}; use {'gcp' if name == 'aws' else 'aws'} instead",
        )
    if name == "aws":
        return _aws(section.nested_or_empty("aws", AwsIdentityArgs))
    return _gcp(section.nested_or_empty("gcp", GcpIdentityArgs))


def _aws(aws: Fields) -> IdentitySpec:
    arns = aws.items("policy_arns")
    for i, arn in enumerate(arns):
        if not is_deferred(arn) and (
            not isinstance(arn, str) or not re.fullmatch(_POLICY_ARN, arn)
        ):
            raise aws.fail(
                f"policy_arns[{i}]",
                arn,
                'must be an IAM policy ARN like "arn:aws:iam::aws:policy/ReadOnlyAccess"',
            )
    statements = [
        _statement(aws, f"statements[{i}]", s) for i, s in enumerate(aws.items("statements"))
    ]
    if not arns and not statements:
        raise aws.fail(
            "policy_arns",
            None,
            "or statements must be set: a role with no permissions is of no use",
        )
    return IdentitySpec("aws", policy_arns=arns, statements=statements)


def _statement(aws: Fields, key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise aws.fail(
            key, value, "must be an IAM statement (a mapping with Effect, Action, Resource)"
        )
    statement = Fields(aws.component, value, f"{aws.field(key)}.")
    statement.reject_unknown(STATEMENT_KEYS, "an IAM statement")
    if statement.text("Effect", "Allow") not in ("Allow", "Deny"):
        raise statement.fail("Effect", value.get("Effect"), "must be Allow or Deny")
    for pair in (("Action", "NotAction"), ("Resource", "NotResource")):
        present = [k for k in pair if statement.present(k)]
        if len(present) != 1:
            raise aws.fail(key, dict(value), f"must set exactly one of {' or '.join(pair)}")
        _strings(statement, present[0], value[present[0]])
    return dict(value)


def _strings(fields: Fields, key: str, value: Any) -> None:
    items = [value] if isinstance(value, str) else value
    if (
        not isinstance(items, Sequence)
        or not items
        or not all(isinstance(v, str) and v for v in items)
    ):
        raise fields.fail(key, value, "must be a non-empty string or list of strings")


def _gcp(gcp: Fields) -> IdentitySpec:
    roles = gcp.texts("roles")
    if not roles:
        raise gcp.fail("roles", roles, "must list at least one role")
    for i, role in enumerate(roles):
        if role in BASIC_ROLES:
            raise gcp.fail(
                f"roles[{i}]", role, "is a basic role; grant the narrow roles the service needs"
            )
        if not re.fullmatch(_ROLE, role):
            raise gcp.fail(f"roles[{i}]", role, 'must be a role like "roles/storage.objectViewer"')
    return IdentitySpec("gcp", roles=roles)
