"""Install the enabled add-ons on a cluster: cloud identity first, CRDs, then the chart."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ..identity import IdentityTarget
from ._chart import install_chart
from ._read import AddonSpec


@dataclass(frozen=True)
class AddonContext:
    """What add-ons need to know about their cluster."""

    platform: str
    target: IdentityTarget
    cluster_name: pulumi.Input[str]
    region: str | None = None
    vpc_id: pulumi.Input[str] | None = None
    project: str | None = None


def merged(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` deep-merged over ``base``: the user's values win, key by key."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def install_addons(
    name: str,
    specs: Sequence[AddonSpec],
    context: AddonContext,
    opts: pulumi.ResourceOptions,
) -> list[pulumi.Resource]:
    """Every add-on in ``specs``, children named ``{name}-{add-on}``; returns the charts."""
    installed: list[pulumi.Resource] = []
    for spec in specs:
        if spec.chart is None:
            continue  # provided by the cluster itself (e.g. GKE's Gateway controller)
        addon_name = f"{name}-{spec.chart.release_name}"
        values = merged(_moorage_values(addon_name, spec, context, opts), spec.chart.values)
        crds: list[pulumi.Resource] = []
        if spec.crds is not None:
            crds = install_chart(f"{addon_name}-crds", spec.crds, opts)
        chart = dataclasses.replace(spec.chart, values=values)
        # The CRD chart installs into the add-on's namespace, which the main chart makes.
        resources = install_chart(addon_name, chart, opts, depends_on=crds)
        installed += resources
        if spec.addon.key == "cert_manager" and spec.settings.get("cluster_issuer_email"):
            _cluster_issuer(addon_name, spec.settings, opts, resources)
    return installed


def _moorage_values(
    name: str, spec: AddonSpec, context: AddonContext, opts: pulumi.ResourceOptions
) -> dict[str, Any]:
    """The values Moorage sets for an add-on on this cluster (the cloud wiring)."""
    key = spec.addon.key
    if key == "metrics_server":
        # kind's kubelets serve self-signed certificates.
        return {"args": ["--kubelet-insecure-tls"]} if context.platform == "local" else {}
    if key == "cluster_autoscaler":
        return {
            "cloudProvider": "aws",
            "awsRegion": context.region,
            "autoDiscovery": {"clusterName": context.cluster_name},
            "rbac": {"serviceAccount": {"create": True, "name": spec.addon.service_account}},
            "extraArgs": {"balance-similar-node-groups": True, "expander": "least-waste"},
        }
    if key == "load_balancer_controller":
        _aws_role(name, spec, context, opts)
        return {
            "clusterName": context.cluster_name,
            "region": context.region,
            "vpcId": context.vpc_id,
            "serviceAccount": {"create": True, "name": spec.addon.service_account},
            # LoadBalancer Services keep the in-tree controller (and their public scheme);
            # the controller serves Ingress (ALB) and Services that ask for it.
            "enableServiceMutatorWebhook": False,
        }
    if key == "external_dns":
        return _external_dns_values(name, spec, context, opts)
    if key == "cert_manager":
        return {"crds": {"enabled": True}, "startupapicheck": {"enabled": False}}
    return {}


def _aws_role(
    name: str, spec: AddonSpec, context: AddonContext, opts: pulumi.ResourceOptions
) -> None:
    from ..identity._aws import pod_identity_role
    from ._policies import external_dns_policy, load_balancer_controller_policy

    target = context.target.aws
    assert target is not None and spec.chart is not None and spec.addon.service_account
    if spec.addon.key == "external_dns":
        policy = external_dns_policy(target.partition, spec.settings["hosted_zone_ids"])
    else:
        policy = load_balancer_controller_policy()
    pod_identity_role(
        f"{name}-identity",
        target,
        namespace=spec.chart.namespace,
        service_account=spec.addon.service_account,
        policy=policy,
        opts=opts,
    )


def _external_dns_values(
    name: str, spec: AddonSpec, context: AddonContext, opts: pulumi.ResourceOptions
) -> dict[str, Any]:
    account: dict[str, Any] = {"create": True, "name": spec.addon.service_account}
    common = {
        "domainFilters": spec.settings["domain_filters"],
        "txtOwnerId": context.cluster_name,
        "policy": "upsert-only",
        "sources": ["service", "ingress", "gateway-httproute"],
    }
    if context.target.cloud == "gke":
        from ..identity._gcp import SERVICE_ACCOUNT_ANNOTATION, workload_identity

        target = context.target.gcp
        assert target is not None and spec.chart is not None and spec.addon.service_account
        google = workload_identity(
            f"{name}-identity",
            target,
            purpose="external-dns",
            namespace=spec.chart.namespace,
            service_account=spec.addon.service_account,
            roles=["roles/dns.admin"],
            opts=opts,
        )
        account["annotations"] = {SERVICE_ACCOUNT_ANNOTATION: google.email}
        return {
            **common,
            "provider": {"name": "google"},
            "extraArgs": [f"--google-project={target.project}"],
            "serviceAccount": account,
        }
    _aws_role(name, spec, context, opts)
    return {
        **common,
        "provider": {"name": "aws"},
        "env": [{"name": "AWS_DEFAULT_REGION", "value": context.region}],
        "serviceAccount": account,
    }


def _cluster_issuer(
    name: str,
    settings: Mapping[str, Any],
    opts: pulumi.ResourceOptions,
    after: Sequence[pulumi.Resource],
) -> None:
    """An ACME ClusterIssuer named "acme", solving HTTP-01 through Ingress."""
    k8s.apiextensions.CustomResource(
        f"{name}-issuer",
        api_version="cert-manager.io/v1",
        kind="ClusterIssuer",
        metadata={"name": "acme"},
        spec={
            "acme": {
                "email": settings["cluster_issuer_email"],
                "server": settings["cluster_issuer_server"],
                "privateKeySecretRef": {"name": "acme-account-key"},
                "solvers": [{"http01": {"ingress": {}}}],
            }
        },
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=list(after))),
    )
