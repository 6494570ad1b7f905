"""The policy pack's checks on sample resource properties, passing and failing.

Resources are given as the engine hands them to a policy: camelCase properties.
The passing samples are built by WebService's own manifest builders, so a change to
the component's defaults that breaks a policy fails here first.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from moorage.webservice import build_spec, render
from moorage_policy import catalogue, pack
from moorage_policy.availability import StackResource, check_pdbs, selector_matches
from moorage_policy.props import UNKNOWN, plain
from moorage_policy.secrets import secret_like_name
from moorage_policy.workloads import image_problem
from pulumi_policy import EnforcementLevel
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
SERVICE = "kubernetes:core/v1:Service"
EKS = "aws:eks/cluster:Cluster"
GKE = "gcp:container/cluster:Cluster"
POOL = "gcp:container/nodePool:NodePool"


def webservice(**args: Any) -> dict[str, dict[str, Any]]:
    """The objects WebService would create, as {kind: props}."""
    spec = build_spec("api", {"image": "ghcr.io/acme/api:1.4.2", **args})  # type: ignore[typeddict-item]
    m = render(spec)
    objects = {
        "Deployment": {"metadata": m.metadata("api", "shop"), "spec": m.deployment},
        "Service": {"metadata": m.metadata("api", "shop"), "spec": m.service()},
        "PodDisruptionBudget": {"metadata": m.metadata("api", "shop"), "spec": m.pdb},
    }
    if spec.autoscaling is not None:
        objects["HorizontalPodAutoscaler"] = {
            "metadata": m.metadata("api", "shop"),
            "spec": m.hpa(),
        }
    return json.loads(json.dumps(objects))  # plain data, as the engine sends it


def deployment(**args: Any) -> dict[str, Any]:
    return webservice(**args)["Deployment"]


def container(props: dict[str, Any]) -> dict[str, Any]:
    return props["spec"]["template"]["spec"]["containers"][0]  # type: ignore[no-any-return]


def violations(resource_type: str, props: dict[str, Any], **config: Any) -> dict[str, str]:
    """{policy name: all its messages joined} for one resource."""
    found = catalogue.check_resource(resource_type, props, config)
    return {name: " | ".join(f.message for f in findings) for name, findings in found.items()}


# ------------------------------------------------------------------ WebService passes


def test_webservice_objects_pass_every_resource_policy() -> None:
    objects = webservice(
        autoscaling={"min_replicas": 2, "max_replicas": 6},
        service_type="LoadBalancer",
        load_balancer_source_ranges=["203.0.113.0/24"],
        env={"LOG_LEVEL": "info", "TOKEN_TTL": "3600"},
    )
    types = {
        "Deployment": DEPLOYMENT,
        "Service": SERVICE,
        "PodDisruptionBudget": PDB,
        "HorizontalPodAutoscaler": HPA,
    }
    for kind, props in objects.items():
        assert violations(types[kind], props, **{"hpa-replica-bounds": {}}) == {}, kind
    production = {"hpa-replica-bounds": {"environment": "production"}}
    assert violations(HPA, objects["HorizontalPodAutoscaler"], **production) == {}


SIDECAR = {"name": "proxy", "image": "ghcr.io/acme/proxy:2.0"}
MIGRATE = {"name": "migrate", "image": "ghcr.io/acme/api:1.4.2", "command": ["/migrate"]}


@pytest.mark.parametrize(
    "args",
    [
        pytest.param({"app_protocol": "grpc", "port": 50051}, id="grpc"),
        pytest.param({"app_protocol": "tcp", "port": 6379}, id="tcp"),
        pytest.param(
            {
                "worker": True,
                "probes": {
                    "readiness": {"kind": "exec", "command": ["true"]},
                    "liveness": {"kind": "exec", "command": ["pgrep", "w"]},
                },
            },
            id="worker-with-exec-probes",
        ),
        pytest.param(
            {
                "sidecars": [{**SIDECAR, "ports": [{"name": "proxy", "port": 15000}]}],
                "init_containers": [MIGRATE],
                "ports": [{"name": "admin", "port": 9000}],
                "tolerations": [{"key": "dedicated", "value": "api", "effect": "NoSchedule"}],
                "affinity": {"pod_anti_affinity": "preferred"},
                "image_pull_secrets": ["regcred"],
                "secrets": {"tls.key": "k"},
                "secrets_as_files": True,
                "volumes": [{"name": "cache", "mount_path": "/cache", "empty_dir": True}],
            },
            id="sidecar-init-and-pod-spec",
        ),
    ],
)
def test_new_webservice_shapes_pass_every_deployment_policy(args: dict[str, Any]) -> None:
    assert violations(DEPLOYMENT, deployment(**args)) == {}


def test_a_worker_that_listens_on_nothing_needs_no_probes() -> None:
    found = violations(DEPLOYMENT, deployment(worker=True))
    assert "deployment-probes" not in found


def test_a_privileged_sidecar_and_a_root_init_container_are_flagged() -> None:
    props = deployment(
        namespace="agents",  # a namespace the service creates would refuse these up front
        sidecars=[{**SIDECAR, "privileged": True, "capabilities_add": ["SYS_ADMIN"]}],
        init_containers=[{**MIGRATE, "run_as_user": 0, "read_only_root_filesystem": False}],
    )
    found = violations(DEPLOYMENT, props)["deployment-security-context"]
    assert 'sidecar "proxy": runs privileged' in found
    assert "allowPrivilegeEscalation is not false" in found
    assert "adds capabilities SYS_ADMIN" in found
    assert 'init container "migrate"' in found
    assert "runs as root (runAsUser: 0)" in found
    assert "root filesystem is writable" in found
    assert 'container "api"' not in found.replace('init container "migrate"', "")


def test_webservice_with_a_pdb_passes_the_stack_policy() -> None:
    objects = webservice(replicas=3)
    resources = [
        StackResource(DEPLOYMENT, "api", "urn:d", objects["Deployment"]),
        StackResource(PDB, "api-pdb", "urn:p", objects["PodDisruptionBudget"]),
    ]
    assert check_pdbs(resources) == []


# ------------------------------------------------------------------ Deployments fail


def _without(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda c: c.pop(key)


def _set(path: list[str], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(c: dict[str, Any]) -> None:
        target = c
        for step in path[:-1]:
            target = target.setdefault(step, {})
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("policy", "change", "expected"),
    [
        ("deployment-resources", _without("resources"), "resources.requests.cpu"),
        ("deployment-resources", _set(["resources", "limits"], {}), "resources.limits.memory"),
        ("deployment-probes", _without("readinessProbe"), "no readinessProbe"),
        ("deployment-probes", _without("livenessProbe"), "no livenessProbe"),
        (
            "deployment-probes",
            lambda c: c.update(livenessProbe=copy.deepcopy(c["readinessProbe"])),
            "same probe",
        ),
        (
            "deployment-security-context",
            _set(["securityContext", "allowPrivilegeEscalation"], True),
            "allowPrivilegeEscalation",
        ),
        (
            "deployment-security-context",
            _set(["securityContext", "readOnlyRootFilesystem"], False),
            "root filesystem is writable",
        ),
        (
            "deployment-security-context",
            _set(["securityContext", "runAsUser"], 0),
            "runs as root",
        ),
        (
            "deployment-security-context",
            _set(["securityContext", "capabilities"], {"drop": ["NET_RAW"]}),
            "drop does not include ALL",
        ),
        (
            "deployment-security-context",
            _set(["securityContext", "capabilities"], {"drop": ["ALL"], "add": ["SYS_ADMIN"]}),
            "adds capabilities SYS_ADMIN",
        ),
        (
            "deployment-security-context",
            _set(["securityContext", "privileged"], True),
            "runs privileged",
        ),
        ("deployment-image-pinned", _set(["image"], "nginx"), "untagged"),
        ("deployment-image-pinned", _set(["image"], "nginx:latest"), "mutable tag"),
        (
            "deployment-no-secret-env-value",
            _set(["env"], [{"name": "DB_PASSWORD", "value": "hunter2-plain"}]),
            'env "DB_PASSWORD" looks like a secret',
        ),
        (
            "deployment-no-secret-env-value",
            _set(["env"], [{"name": "UPSTREAM", "value": "https://bob:s3cret@db.local/x"}]),
            "a URL with a password",
        ),
    ],
)
def test_a_broken_deployment_is_reported_with_a_fix(
    policy: str, change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    props = deployment()
    change(container(props))
    found = violations(DEPLOYMENT, props)
    assert policy in found, found
    assert expected in found[policy]
    assert "How to fix:" in found[policy]
    assert 'container "api"' in found[policy]


def test_pod_level_non_root_counts_and_root_is_caught() -> None:
    props = deployment()
    container(props)["securityContext"].pop("runAsNonRoot")
    assert "deployment-security-context" not in violations(DEPLOYMENT, props)  # pod-level
    props["spec"]["template"]["spec"]["securityContext"] = {}
    found = violations(DEPLOYMENT, props)["deployment-security-context"]
    assert "may run as root" in found


def test_init_containers_are_checked_too() -> None:
    props = deployment()
    props["spec"]["template"]["spec"]["initContainers"] = [{"name": "migrate", "image": "m:1"}]
    found = violations(DEPLOYMENT, props)
    assert 'init container "migrate"' in found["deployment-resources"]
    assert 'init container "migrate"' in found["deployment-security-context"]
    assert "deployment-probes" not in found  # init containers need no probes


def test_cpu_limit_can_be_made_optional_per_stack() -> None:
    props = deployment(resources={"cpu_limit_enabled": False})
    assert "resources.limits.cpu" in violations(DEPLOYMENT, props)["deployment-resources"]
    config = {"deployment-resources": {"requireCpuLimit": False}}
    assert violations(DEPLOYMENT, props, **config) == {}


@pytest.mark.parametrize(
    ("image", "pinned"),
    [
        ("ghcr.io/acme/api:1.4.2", True),
        ("registry.local:5000/app@sha256:" + "a" * 64, True),
        ("registry.local:5000/app", False),
        ("nginx:LATEST", False),
        ("", False),
    ],
)
def test_image_pinning(image: str, pinned: bool) -> None:
    assert (image_problem(image) is None) is pinned


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("apiToken", True),
        ("SIGNING_KEY", True),
        ("GITHUBTOKEN", True),
        ("LOG_LEVEL", False),
        ("TOKEN_FILE", False),
        ("KEYCLOAK_URL", False),
        ("MONKEY", False),
    ],
)
def test_secret_like_names(name: str, secret: bool) -> None:
    assert secret_like_name(name) is secret


def test_secret_heuristic_skips_trivial_values_and_allowed_names() -> None:
    props = deployment()
    container(props)["env"] = [
        {"name": "TOKEN_RETRIES", "value": "3"},
        {"name": "SECRET_SCANNING", "value": "true"},
        {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
        {"name": "PUBLIC_KEY", "value": "ssh-ed25519 AAAAC3Nza"},
    ]
    found = violations(DEPLOYMENT, props)
    assert list(found) == ["deployment-no-secret-env-value"]
    assert "PUBLIC_KEY" in found["deployment-no-secret-env-value"]
    allowed = {"deployment-no-secret-env-value": {"allowedNames": ["PUBLIC_KEY"]}}
    assert violations(DEPLOYMENT, props, **allowed) == {}


def test_unknown_values_during_preview_are_not_violations() -> None:
    props = deployment()
    container(props)["image"] = UNKNOWN
    container(props)["securityContext"] = UNKNOWN
    container(props)["resources"] = UNKNOWN
    assert violations(DEPLOYMENT, props) == {}


def test_plain_reads_the_engines_unknown_sentinels_through_pulumi_policy_proxies() -> None:
    raw = {"spec": {"replicas": 3.0, "template": {"spec": {"image": UNKNOWN_STRING_VALUE}}}}
    proxied = unknown_checking_proxy(raw)
    assert plain(proxied) == {"spec": {"replicas": 3, "template": {"spec": {"image": UNKNOWN}}}}


# ------------------------------------------------------------------ PDB (stack policy)


def _stack(*resources: tuple[str, dict[str, Any]]) -> list[StackResource]:
    return [StackResource(t, f"r{i}", f"urn:{i}", p) for i, (t, p) in enumerate(resources)]


def test_replicated_deployment_without_a_pdb_is_reported_on_the_deployment() -> None:
    objects = webservice(replicas=3)
    found = check_pdbs(_stack((DEPLOYMENT, objects["Deployment"])))
    assert len(found) == 1
    resource, finding = found[0]
    assert resource.urn == "urn:0"
    assert "can run 3 replicas" in finding.problem and "PodDisruptionBudget" in finding.fix


def test_a_pdb_that_selects_other_pods_or_another_namespace_does_not_count() -> None:
    objects = webservice(replicas=2)
    other = copy.deepcopy(objects["PodDisruptionBudget"])
    other["spec"]["selector"] = {"matchLabels": {"app.kubernetes.io/name": "billing"}}
    elsewhere = copy.deepcopy(objects["PodDisruptionBudget"])
    elsewhere["metadata"]["namespace"] = "other"
    resources = _stack((DEPLOYMENT, objects["Deployment"]), (PDB, other), (PDB, elsewhere))
    assert len(check_pdbs(resources)) == 1


def test_single_replica_needs_no_pdb_but_an_hpa_that_can_scale_does() -> None:
    one = webservice(replicas=1)["Deployment"]
    assert check_pdbs(_stack((DEPLOYMENT, one))) == []
    scaled = webservice(autoscaling={"min_replicas": 1, "max_replicas": 4})
    found = check_pdbs(
        _stack((DEPLOYMENT, scaled["Deployment"]), (HPA, scaled["HorizontalPodAutoscaler"]))
    )
    assert len(found) == 1 and "can run 4 replicas" in found[0][1].problem


def test_unknown_namespace_during_preview_still_matches() -> None:
    objects = webservice(replicas=2)
    for props in objects.values():
        props["metadata"]["namespace"] = UNKNOWN
    resources = _stack((DEPLOYMENT, objects["Deployment"]), (PDB, objects["PodDisruptionBudget"]))
    assert check_pdbs(resources) == []


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        (None, False),
        ({}, True),
        ({"matchLabels": {"app": "a"}}, True),
        ({"matchLabels": {"app": "b"}}, False),
        ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["a", "b"]}]}, True),
        ({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["a"]}]}, False),
        ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, True),
        ({"matchLabels": {"app": UNKNOWN}}, None),
    ],
)
def test_label_selectors(selector: Any, expected: bool | None) -> None:
    assert selector_matches(selector, {"app": "a"}) is expected


# ------------------------------------------------------------------ HPA and LoadBalancer


def test_hpa_min_above_max_and_production_minimum() -> None:
    hpa = webservice(autoscaling={"min_replicas": 1, "max_replicas": 3})["HorizontalPodAutoscaler"]
    assert violations(HPA, hpa) == {}
    production = {"hpa-replica-bounds": {"environment": "production"}}
    assert (
        "minReplicas is 1 in production" in violations(HPA, hpa, **production)["hpa-replica-bounds"]
    )
    hpa["spec"]["minReplicas"] = 5
    assert (
        "minReplicas (5) is greater than maxReplicas (3)"
        in violations(HPA, hpa)["hpa-replica-bounds"]
    )


def test_load_balancer_needs_an_allow_list_or_the_public_annotation() -> None:
    service = webservice(service_type="LoadBalancer")["Service"]
    found = violations(SERVICE, service)["load-balancer-allow-list"]
    assert "has no loadBalancerSourceRanges" in found and "How to fix:" in found
    service["spec"]["loadBalancerSourceRanges"] = ["0.0.0.0/0"]
    assert "allows every address" in violations(SERVICE, service)["load-balancer-allow-list"]
    service["spec"]["loadBalancerSourceRanges"] = ["203.0.113.0/24"]
    assert violations(SERVICE, service) == {}
    del service["spec"]["loadBalancerSourceRanges"]
    service["metadata"]["annotations"] = {"moorage.dev/public-load-balancer": "true"}
    assert violations(SERVICE, service) == {}
    assert violations(SERVICE, webservice()["Service"]) == {}  # ClusterIP


# ------------------------------------------------------------------ clusters

EKS_GOOD = {
    "encryptionConfig": {"provider": {"keyArn": UNKNOWN}, "resources": ["secrets"]},
    "enabledClusterLogTypes": ["api", "audit", "authenticator"],
    "vpcConfig": {
        "endpointPrivateAccess": True,
        "endpointPublicAccess": True,
        "publicAccessCidrs": ["203.0.113.0/24"],
    },
}


@pytest.mark.parametrize(
    ("policy", "change", "expected"),
    [
        ("eks-secrets-encryption", lambda p: p.pop("encryptionConfig"), "does not encrypt"),
        (
            "eks-secrets-encryption",
            lambda p: p["encryptionConfig"].update(resources=[]),
            "does not encrypt",
        ),
        (
            "eks-control-plane-logging",
            lambda p: p.update(enabledClusterLogTypes=["api"]),
            "off for audit, authenticator",
        ),
        (
            "eks-endpoint-access",
            lambda p: p["vpcConfig"].update(publicAccessCidrs=["0.0.0.0/0"]),
            "public to every address",
        ),
        (
            "eks-endpoint-access",
            lambda p: p.update(vpcConfig={"subnetIds": ["s"]}),
            "defaults to true",
        ),
    ],
)
def test_eks_cluster_checks(
    policy: str, change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    assert violations(EKS, copy.deepcopy(EKS_GOOD)) == {}
    props = copy.deepcopy(EKS_GOOD)
    change(props)
    found = violations(EKS, props)
    assert expected in found[policy] and "How to fix:" in found[policy]


def test_private_eks_endpoint_needs_no_cidrs() -> None:
    props = copy.deepcopy(EKS_GOOD)
    props["vpcConfig"] = {"endpointPublicAccess": False}
    assert violations(EKS, props) == {}


NODE_CONFIG = {
    "workloadMetadataConfig": {"mode": "GKE_METADATA"},
    "metadata": {"disable-legacy-endpoints": "true"},
}


def test_gke_cluster_and_node_pool_checks() -> None:
    cluster = {"workloadIdentityConfig": {"workloadPool": "p.svc.id.goog"}, "nodeConfig": {}}
    cluster["nodeConfig"] = copy.deepcopy(NODE_CONFIG)
    assert violations(GKE, cluster) == {}
    assert violations(GKE, {"enableAutopilot": True}) == {}
    assert "Workload Identity off" in violations(GKE, {})["gke-workload-identity"]

    pool = {"nodeConfig": copy.deepcopy(NODE_CONFIG)}
    assert violations(POOL, pool) == {}
    pool["nodeConfig"]["workloadMetadataConfig"]["mode"] = "GCE_METADATA"
    pool["nodeConfig"]["metadata"]["disable-legacy-endpoints"] = "false"
    found = violations(POOL, pool)
    assert "GCE_METADATA" in found["gke-workload-identity"]
    assert "legacy" in found["gke-legacy-metadata-disabled"]


# ------------------------------------------------------------------ the pack and its config


def test_the_pack_has_every_catalogue_policy_at_its_default_level() -> None:
    built = {p.name: p for p in pack.policies()}
    assert set(built) == {p.name for p in catalogue.all_policies()}
    for policy in catalogue.all_policies():
        assert built[policy.name].enforcement_level == EnforcementLevel(policy.level)
    assert built["hpa-replica-bounds"].config_schema is not None


def test_every_stack_has_a_policy_config_naming_only_known_policies() -> None:
    names = {p.name for p in catalogue.all_policies()} | {"all"}
    stacks = {p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in ROOT.glob("stacks/*")}
    configs = {p.stem: json.loads(p.read_text()) for p in ROOT.glob("policy/config/*.json")}
    assert stacks <= set(configs), "every stack needs policy/config/<stack>.json"
    for stack, config in configs.items():
        assert set(config) <= names, f"{stack}: unknown policies {set(config) - names}"
    assert configs["gke-prod"]["hpa-replica-bounds"]["environment"] == "production"


def test_the_docs_list_every_policy_with_its_default_level() -> None:
    docs = (ROOT / "docs" / "preview-and-policy.md").read_text()
    for policy in catalogue.all_policies():
        assert f"`{policy.name}` | {policy.level}" in docs, policy.name


@pytest.mark.parametrize(
    "image",
    [
        "nginx:LATEST",
        "nginx:Latest",
        "nginx:latest",
        "nginx",
        "registry.local:5000/app",
        "nginx:1.27.3",
        "registry.local:5000/app:1.0.0",
        "nginx@sha256:" + "a" * 64,
    ],
)
def test_the_component_and_the_policy_agree_on_every_image(image: str) -> None:
    from moorage import ValidationError
    from moorage._rules import image as image_rule

    try:
        image_rule("WebService", image, allow_unpinned=False)
        component_accepts = True
    except ValidationError:
        component_accepts = False
    assert component_accepts == (image_problem(image) is None), image
