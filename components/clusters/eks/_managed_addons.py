"""EKS managed addons: version lookup, JSON configuration, Pod Identity for their roles."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .._shared import with_opts
from ._validation import EksAddonSpec, EksSpec


@dataclass(frozen=True)
class PodIdentity:
    """An IAM role EKS Pod Identity hands to an addon's service account."""

    role_arn: pulumi.Input[str]
    service_account: str


def configuration_json(addon: EksAddonSpec) -> str | None:
    """The addon's configuration values as the EKS API takes them (sorted JSON), or None."""
    return json.dumps(addon.configuration, sort_keys=True) if addon.configuration else None


def create_addon(
    name: str,
    spec: EksSpec,
    addon: EksAddonSpec,
    *,
    cluster: aws.eks.Cluster,
    pod_identity: PodIdentity | None,
    depends_on: Sequence[pulumi.Resource],
    opts: pulumi.ResourceOptions,
    invoke: pulumi.InvokeOutputOptions,
) -> aws.eks.Addon:
    """One addon, pinned or at the most recent version for the cluster's Kubernetes."""
    version = addon.version
    if version is None:
        version = aws.eks.get_addon_version_output(
            addon_name=addon.name,
            kubernetes_version=spec.kubernetes_version,
            most_recent=True,
            opts=invoke,
        ).version
    return aws.eks.Addon(
        f"{name}-{addon.name}",
        cluster_name=cluster.name,
        addon_name=addon.name,
        addon_version=version,
        configuration_values=configuration_json(addon),
        pod_identity_associations=(
            [{"role_arn": pod_identity.role_arn, "service_account": pod_identity.service_account}]
            if pod_identity is not None
            else None
        ),
        resolve_conflicts_on_create="OVERWRITE",
        resolve_conflicts_on_update="PRESERVE",
        opts=with_opts(opts, depends_on=list(depends_on)),
    )
