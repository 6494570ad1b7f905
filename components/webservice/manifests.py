"""Pure builders for the Kubernetes objects of a WebService.

Each function takes a :class:`WebServiceSpec` and returns plain dicts in the
Kubernetes API's own (camelCase) shape. Values may still be Pulumi Inputs; the
component passes the dicts straight to ``pulumi_kubernetes`` resources.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

import pulumi

from ._containers import MAIN, ContainerSpec, render_container
from .spec import METRICS_PORT_NAME, EgressSpec, ExtraServiceSpec, WebServiceSpec

MANAGED_BY = "pulumi"
TMP_VOLUME = "tmp"
CONFIG_VOLUME = "config"
CONFIG_CHECKSUM = "checksum/config"
SECRETS_CHECKSUM = "checksum/secrets"


def config_map_name(name: str) -> str:
    return f"{name}-config"


def secret_name(name: str) -> str:
    return f"{name}-secrets"


def selector_labels(name: str) -> dict[str, str]:
    """Labels that select the pods. They never change after creation."""
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": name}


def standard_labels(spec: WebServiceSpec) -> dict[str, pulumi.Input[str]]:
    """The app.kubernetes.io labels plus the user's; ours win on conflict."""
    return {
        **spec.labels,
        **selector_labels(spec.name),
        "app.kubernetes.io/version": spec.version,
        "app.kubernetes.io/component": spec.component,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }


def metadata(
    spec: WebServiceSpec,
    name: str,
    namespace: pulumi.Input[str] | None,
    annotations: Mapping[str, pulumi.Input[str]] | None = None,
) -> dict[str, Any]:
    """ObjectMeta with a deterministic name, the standard labels and annotations."""
    meta: dict[str, Any] = {"name": name, "labels": standard_labels(spec)}
    if namespace is not None:
        meta["namespace"] = namespace
    merged = {**spec.annotations, **(annotations or {})}
    if merged:
        meta["annotations"] = merged
    return meta


def namespace_labels() -> dict[str, str]:
    """Pod Security Admission: enforce the restricted profile in created namespaces."""
    return {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
    }


def config_checksum(data: Mapping[str, str]) -> str:
    """SHA-256 of the config data; a change rolls the pods."""
    canonical = json.dumps(dict(data), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


UNKEYED_CHECKSUM = "no-checksum-key"
"""The secrets checksum when the key has no value: only under unit-test mocks that echo
inputs (a real ChecksumKey always holds one). It reveals nothing about the secrets."""


def secrets_checksum(key: str | None, data: Mapping[str, str]) -> str:
    """A checksum of the secret data that reveals nothing that can be guessed offline.

    HMAC-SHA256 keyed by ``key``, a random per-stack, per-service key kept as a Pulumi
    secret (see ``checksum_key.py``). It changes whenever a secret changes, but without
    the key a guess cannot be checked against it, however weak the secret; and the same
    secret gives unrelated checksums in two stacks. So the component can show it in
    plain text, keeping the Deployment spec diffable in previews.
    """
    if key is None:
        return UNKEYED_CHECKSUM
    canonical = json.dumps(dict(data), sort_keys=True, separators=(",", ":"))
    return hmac.new(key.encode(), canonical.encode(), hashlib.sha256).hexdigest()[:32]


def resources(spec: WebServiceSpec) -> dict[str, Any]:
    return spec.resources.manifest()


def probes(spec: WebServiceSpec) -> dict[str, Any]:
    """The readinessProbe, livenessProbe and startupProbe the spec asks for."""
    return spec.probes.manifest()


def env(spec: WebServiceSpec) -> list[dict[str, Any]]:
    """Plain variables, then one secretKeyRef per secret key (never a value)."""
    variables: list[dict[str, Any]] = [
        {"name": key, "value": value} for key, value in sorted(spec.env.items())
    ]
    if spec.secrets_as_files:
        return variables
    variables += [
        {
            "name": key,
            "valueFrom": {"secretKeyRef": {"name": secret_name(spec.name), "key": key}},
        }
        for key in sorted(spec.secrets)
    ]
    return variables


SECRETS_VOLUME = "secrets"
SECRETS_FILE_MODE = 0o440
"""Secret files readable by the owner and the pod's group (fsGroup), never by others."""


def main_container(spec: WebServiceSpec) -> ContainerSpec:
    """The main container as a :class:`ContainerSpec`, rendered like every other one."""
    mounts: list[dict[str, Any]] = []
    if spec.config and spec.config_mount_path is not None:
        mounts.append(
            {"name": CONFIG_VOLUME, "mountPath": spec.config_mount_path, "readOnly": True}
        )
    if spec.secrets and spec.secrets_as_files:
        mounts.append(
            {"name": SECRETS_VOLUME, "mountPath": spec.secrets_mount_path, "readOnly": True}
        )
    mounts += [
        {"name": v.name, "mountPath": v.mount_path, "readOnly": v.read_only} for v in spec.volumes
    ]
    lifecycle = dict(spec.lifecycle)
    delay = spec.pre_stop_delay_seconds
    if delay is not None and delay != 0 and "preStop" not in lifecycle:
        lifecycle["preStop"] = {"sleep": {"seconds": spec.pre_stop_delay_seconds}}
    env_from: list[dict[str, Any]] = []
    if spec.config and spec.config_as_env:
        env_from.append({"configMapRef": {"name": config_map_name(spec.name)}})
    env_from += spec.env_from
    return ContainerSpec(
        name=spec.container_name,
        image=spec.image,
        image_pull_policy=spec.image_pull_policy,
        kind=MAIN,
        resources=spec.resources,
        command=spec.command,
        args=spec.container_args,
        env=spec.env,
        secret_env=() if spec.secrets_as_files else sorted(spec.secrets),
        env_from=env_from,
        ports=spec.container_ports,
        mounts=mounts,
        probes=spec.probes,
        lifecycle=lifecycle,
    )


def container(spec: WebServiceSpec) -> dict[str, Any]:
    """The main container, with the hardened securityContext."""
    return render_container(main_container(spec), secret_name(spec.name))


def init_containers(spec: WebServiceSpec) -> list[dict[str, Any]]:
    """Native sidecars first (so they serve the init containers too), then init containers."""
    return [
        render_container(c, secret_name(spec.name)) for c in (*spec.sidecars, *spec.init_containers)
    ]


def pod_annotations(
    spec: WebServiceSpec,
    checksums: Mapping[str, pulumi.Input[str]],
) -> dict[str, pulumi.Input[Any]]:
    annotations: dict[str, Any] = {**spec.annotations, **spec.pod_annotations, **checksums}
    if spec.metrics is not None:
        annotations.update(
            {
                "prometheus.io/scrape": "true",
                "prometheus.io/port": pulumi.Output.from_input(spec.metrics.port).apply(str),
                "prometheus.io/path": spec.metrics.path,
            }
        )
    return annotations


def topology_spread(name: str) -> list[dict[str, Any]]:
    """Spread over zones and nodes; preferred, so a small cluster can still schedule."""
    return [
        {
            "maxSkew": 1,
            "topologyKey": key,
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": selector_labels(name)},
            "matchLabelKeys": ["pod-template-hash"],
        }
        for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")
    ]


def pod_template(
    spec: WebServiceSpec,
    checksums: Mapping[str, pulumi.Input[str]],
) -> dict[str, Any]:
    volumes: list[dict[str, Any]] = [{"name": TMP_VOLUME, "emptyDir": {"sizeLimit": "64Mi"}}]
    if spec.config and spec.config_mount_path is not None:
        volumes.append({"name": CONFIG_VOLUME, "configMap": {"name": config_map_name(spec.name)}})
    if spec.secrets and spec.secrets_as_files:
        volumes.append(
            {
                "name": SECRETS_VOLUME,
                "secret": {"secretName": secret_name(spec.name), "defaultMode": SECRETS_FILE_MODE},
            }
        )
    volumes += [{"name": v.name, **v.source} for v in spec.volumes]
    template_meta: dict[str, Any] = {"labels": standard_labels(spec)}
    annotations = pod_annotations(spec, checksums)
    if annotations:
        template_meta["annotations"] = annotations
    pod: dict[str, Any] = {
        "serviceAccountName": spec.name,
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "terminationGracePeriodSeconds": spec.termination_grace_period_seconds,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": spec.run_as_user,
            "runAsGroup": spec.run_as_group,
            "fsGroup": spec.run_as_group,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "topologySpreadConstraints": topology_spread(spec.name),
        "containers": [container(spec)],
        "volumes": volumes,
    }
    initial = init_containers(spec)
    if initial:
        pod["initContainers"] = initial
    if spec.image_pull_secrets:
        pod["imagePullSecrets"] = [{"name": n} for n in spec.image_pull_secrets]
    if spec.node_selector:
        pod["nodeSelector"] = dict(spec.node_selector)
    if spec.tolerations:
        pod["tolerations"] = list(spec.tolerations)
    if spec.affinity:
        pod["affinity"] = dict(spec.affinity)
    if spec.priority_class_name is not None:
        pod["priorityClassName"] = spec.priority_class_name
    return {"metadata": template_meta, "spec": pod}


def deployment_spec(
    spec: WebServiceSpec,
    checksums: Mapping[str, pulumi.Input[str]],
) -> dict[str, Any]:
    """A Deployment that never drops below capacity while rolling out.

    ``replicas`` is left out when an HPA owns the count, so server-side apply
    and the HPA never fight over it.
    """
    return release_deployment_spec(spec, pod_template(spec, checksums), {}, spec.fixed_replicas)


def release_deployment_spec(
    spec: WebServiceSpec,
    template: Mapping[str, Any],
    release_labels: Mapping[str, str],
    replicas: pulumi.Input[int] | None,
) -> dict[str, Any]:
    """A Deployment running ``template``, told apart from its sibling by ``release_labels``
    (e.g. the blue/green colour or the canary track) in its selector and pods."""
    metadata = dict(template.get("metadata") or {})
    metadata["labels"] = {**(metadata.get("labels") or {}), **release_labels}
    d: dict[str, Any] = {
        "selector": {"matchLabels": {**selector_labels(spec.name), **release_labels}},
        "strategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"},
        },
        "progressDeadlineSeconds": 600,
        "revisionHistoryLimit": 5,
        "template": {**template, "metadata": metadata},
    }
    if replicas is not None:
        d["replicas"] = replicas
    return d


def service_spec(
    spec: WebServiceSpec, release_labels: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The Service; ``release_labels`` narrow it to one colour for blue/green."""
    s: dict[str, Any] = {
        "type": spec.service_type,
        "selector": {**selector_labels(spec.name), **(release_labels or {})},
        "ports": [p.service_port_entry() for p in spec.service_ports],
    }
    if spec.load_balancer_source_ranges:
        s["loadBalancerSourceRanges"] = list(spec.load_balancer_source_ranges)
    return s


def extra_service_name(spec: WebServiceSpec, extra: ExtraServiceSpec) -> str:
    return f"{spec.name}-{extra.suffix}"


def extra_service_spec(
    spec: WebServiceSpec,
    extra: ExtraServiceSpec,
    release_labels: Mapping[str, pulumi.Input[str]] | None = None,
) -> dict[str, Any]:
    """One of ``extra_services``: the same pods, the ports it names, its own type."""
    by_name = {p.name: p for p in spec.service_ports}
    s: dict[str, Any] = {
        "type": extra.type,
        "selector": {**selector_labels(spec.name), **(release_labels or {})},
        "ports": [by_name[n].service_port_entry() for n in extra.port_names],
    }
    if extra.load_balancer_source_ranges:
        s["loadBalancerSourceRanges"] = list(extra.load_balancer_source_ranges)
    return s


def hpa_spec(spec: WebServiceSpec, target_name: pulumi.Input[str] | None = None) -> dict[str, Any]:
    """autoscaling/v2: scale up fast, scale down after a 5-minute window.

    ``target_name`` is the Deployment to scale (default: the one named like the service).
    """
    hpa = spec.autoscaling
    assert hpa is not None
    metrics = []
    for resource, target in (
        ("cpu", hpa.target_cpu_utilization),
        ("memory", hpa.target_memory_utilization),
    ):
        if target is not None:
            metrics.append(
                {
                    "type": "Resource",
                    "resource": {
                        "name": resource,
                        "target": {"type": "Utilization", "averageUtilization": target},
                    },
                }
            )
    return {
        "scaleTargetRef": {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": target_name if target_name is not None else spec.name,
        },
        "minReplicas": hpa.min_replicas,
        "maxReplicas": hpa.max_replicas,
        "metrics": metrics,
        "behavior": {
            "scaleUp": {
                "stabilizationWindowSeconds": 0,
                "selectPolicy": "Max",
                "policies": [
                    {"type": "Pods", "value": 4, "periodSeconds": 60},
                    {"type": "Percent", "value": 100, "periodSeconds": 60},
                ],
            },
            "scaleDown": {
                "stabilizationWindowSeconds": 300,
                "selectPolicy": "Min",
                "policies": [{"type": "Percent", "value": 50, "periodSeconds": 60}],
            },
        },
    }


def pdb_spec(spec: WebServiceSpec) -> dict[str, Any]:
    """At most one pod down at a time through voluntary disruptions."""
    return {
        "maxUnavailable": 1,
        "selector": {"matchLabels": selector_labels(spec.name)},
        "unhealthyPodEvictionPolicy": "AlwaysAllow",
    }


def network_policy_spec(spec: WebServiceSpec) -> dict[str, Any]:
    """Admit ingress only on the service's ports, only from the allow-list."""
    policy = spec.network_policy
    assert policy is not None
    pod_selector: dict[str, Any] = (
        {"matchLabels": dict(policy.allow_from_pod_labels)} if policy.allow_from_pod_labels else {}
    )
    peers: list[dict[str, Any]] = [{"podSelector": pod_selector}]
    peers += [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}},
            "podSelector": pod_selector,
        }
        for ns in policy.allow_from_namespaces
    ]
    peers += [{"ipBlock": {"cidr": cidr}} for cidr in policy.allow_cidrs]
    opened = [p for p in spec.container_ports if p.expose or p.name == METRICS_PORT_NAME]
    opened += [p for s in spec.sidecars for p in s.ports if p.expose]
    # No open port (a worker): no rule at all, so all ingress is denied. (A rule with
    # an empty port list would open every port.)
    rules: list[dict[str, Any]] = (
        [{"from": peers, "ports": [p.policy_port() for p in opened]}] if opened else []
    )
    rules += metrics_ingress_rules(spec)
    body: dict[str, Any] = {
        "podSelector": {"matchLabels": selector_labels(spec.name)},
        "policyTypes": ["Ingress"],
        "ingress": rules,
    }
    if policy.egress is not None:
        body["policyTypes"] = ["Ingress", "Egress"]
        body["egress"] = egress_rules(policy.egress)
    return body


def ingress_spec(spec: WebServiceSpec) -> dict[str, Any]:
    ing = spec.ingress
    assert ing is not None
    body: dict[str, Any] = {
        "rules": [
            {
                "host": ing.host,
                "http": {
                    "paths": [
                        {
                            "path": ing.path,
                            "pathType": "Prefix",
                            "backend": {
                                "service": {"name": spec.name, "port": {"name": ing.port_name}}
                            },
                        }
                    ]
                },
            }
        ]
    }
    if ing.ingress_class_name is not None:
        body["ingressClassName"] = ing.ingress_class_name
    if ing.tls_secret_name is not None:
        body["tls"] = [{"hosts": [ing.host], "secretName": ing.tls_secret_name}]
    return body


DNS_NAMESPACE = "kube-system"
DNS_POD_LABELS = {"k8s-app": "kube-dns"}
"""The cluster DNS pods (CoreDNS or kube-dns carry this label on kind, EKS and GKE)."""


def _namespace_selector(namespace: pulumi.Input[str]) -> dict[str, Any]:
    return {"matchLabels": {"kubernetes.io/metadata.name": namespace}}


def metrics_ingress_rules(spec: WebServiceSpec) -> list[dict[str, Any]]:
    """Admit ``allow_metrics_from_namespaces`` to the metrics port only."""
    policy = spec.network_policy
    if policy is None or spec.metrics is None or not policy.allow_metrics_from_namespaces:
        return []
    return [
        {
            "from": [
                {"namespaceSelector": _namespace_selector(ns)}
                for ns in policy.allow_metrics_from_namespaces
            ],
            "ports": [{"protocol": "TCP", "port": spec.metrics.port}],
        }
    ]


def egress_rules(egress: EgressSpec) -> list[dict[str, Any]]:
    """DNS to kube-dns always; then the allowed peers, on the allowed ports.

    With no peer but some ports, those ports are open to any destination; with
    neither, only DNS is allowed.
    """
    rules: list[dict[str, Any]] = [
        {
            "to": [
                {
                    "namespaceSelector": _namespace_selector(DNS_NAMESPACE),
                    "podSelector": {"matchLabels": dict(DNS_POD_LABELS)},
                }
            ],
            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
        }
    ]
    pod_selector: dict[str, Any] = (
        {"matchLabels": dict(egress.allow_to_pod_labels)} if egress.allow_to_pod_labels else {}
    )
    peers: list[dict[str, Any]] = []
    if egress.allow_to_pod_labels:
        peers.append({"podSelector": pod_selector})
    peers += [
        {"namespaceSelector": _namespace_selector(ns), "podSelector": pod_selector}
        for ns in egress.allow_to_namespaces
    ]
    peers += [{"ipBlock": {"cidr": cidr}} for cidr in egress.allow_cidrs]
    ports = [{"protocol": "TCP", "port": port} for port in egress.allow_ports]
    if peers or ports:
        rule: dict[str, Any] = {}
        if peers:
            rule["to"] = peers
        if ports:
            rule["ports"] = ports
        rules.append(rule)
    return rules
