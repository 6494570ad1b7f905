"""Which resources a WebService registers, and how they are named, labelled and wired."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
import pytest
from moorage.webservice import WebService

from tests.unit.webservice_helpers import (
    CONFIG_MAP,
    DEPLOYMENT,
    DIGEST,
    HPA,
    IMAGE,
    INGRESS,
    NAMESPACE,
    NETWORK_POLICY,
    PDB,
    SECRET,
    SELECTOR_KEYS,
    SERVICE,
    SERVICE_ACCOUNT,
    STANDARD_LABEL_KEYS,
    container,
    inputs,
    kubernetes_resources,
    pod_annotations,
    pod_spec,
    web_service,
)

EVERY_OPTION = {
    "config": {"LOG_LEVEL": "info"},
    "secrets": {"DB_PASSWORD": "hunter2"},
    "autoscaling": {},
    "ingress": {"host": "api.example.com"},
}
"""Arguments that make the component create every kind of child it can."""


# -- which resources exist ------------------------------------------------------


def test_minimal_service_registers_the_baseline_and_no_optional_resources(mocks):
    web_service(mocks)

    registered = sorted(r.typ for r in kubernetes_resources(mocks))

    # Each baseline kind exactly once; nothing for config, secrets, HPA or Ingress.
    assert registered == sorted(
        [NAMESPACE, SERVICE_ACCOUNT, DEPLOYMENT, SERVICE, PDB, NETWORK_POLICY]
    )


def test_every_child_is_parented_to_the_component(mocks):
    web_service(mocks, **EVERY_OPTION)

    children = kubernetes_resources(mocks)

    assert len(children) == 10
    assert [
        r.name for r in children if not r.parent.endswith("moorage:index:WebService::api")
    ] == []


@pytest.mark.parametrize("name", ["api", "billing"])
def test_names_derive_from_the_component_name(mocks, name):
    web_service(mocks, name=name, **EVERY_OPTION)

    names = {r.typ: (r.name, r.metadata["name"]) for r in kubernetes_resources(mocks)}

    # Pulumi names are "<component>-<kind>"; metadata.name is sent explicitly (never
    # auto-named), equal to the component name so app.kubernetes.io/instance matches it.
    assert names == {
        NAMESPACE: (f"{name}-namespace", name),
        SERVICE_ACCOUNT: (f"{name}-service-account", name),
        CONFIG_MAP: (f"{name}-config", f"{name}-config"),
        SECRET: (f"{name}-secrets", f"{name}-secrets"),
        DEPLOYMENT: (f"{name}-deployment", name),
        SERVICE: (f"{name}-service", name),
        HPA: (f"{name}-hpa", name),
        PDB: (f"{name}-pdb", name),
        NETWORK_POLICY: (f"{name}-network-policy", name),
        INGRESS: (f"{name}-ingress", name),
    }


# -- namespace ------------------------------------------------------------------


def test_default_namespace_is_the_component_name_and_is_created(mocks):
    web_service(mocks)

    assert inputs(mocks, NAMESPACE)["metadata"]["name"] == "api"
    namespaced = [r for r in kubernetes_resources(mocks) if r.typ != NAMESPACE]
    assert {r.metadata["namespace"] for r in namespaced} == {"api"}


def test_an_explicit_namespace_is_used_but_not_created_by_default(mocks):
    web_service(mocks, namespace="shop")

    assert mocks.of_type(NAMESPACE) == []
    assert {r.metadata["namespace"] for r in kubernetes_resources(mocks)} == {"shop"}


def test_create_namespace_creates_an_explicit_namespace(mocks):
    web_service(mocks, namespace="shop", create_namespace=True)

    assert inputs(mocks, NAMESPACE)["metadata"]["name"] == "shop"


def test_create_namespace_false_skips_the_default_namespace(mocks):
    web_service(mocks, create_namespace=False)

    assert mocks.of_type(NAMESPACE) == []
    assert inputs(mocks, DEPLOYMENT)["metadata"]["namespace"] == "api"


def test_created_namespaces_apply_the_restricted_pod_security_profile(mocks):
    # A user label must not be able to weaken Pod Security Admission.
    web_service(mocks, labels={"pod-security.kubernetes.io/enforce": "privileged"})

    labels = inputs(mocks, NAMESPACE)["metadata"]["labels"]

    for mode in ("enforce", "warn", "audit"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"


# -- labels -----------------------------------------------------------------------


def test_deployment_and_pod_template_carry_the_standard_labels(mocks):
    web_service(mocks)
    deployment = inputs(mocks, DEPLOYMENT)

    for labels in (
        deployment["metadata"]["labels"],
        deployment["spec"]["template"]["metadata"]["labels"],
    ):
        assert labels.keys() >= STANDARD_LABEL_KEYS
        assert labels["app.kubernetes.io/name"] == "api"
        assert labels["app.kubernetes.io/instance"] == deployment["metadata"]["name"]
        assert labels["app.kubernetes.io/component"] == "web"
        assert labels["app.kubernetes.io/managed-by"] == "pulumi"


def test_every_object_has_instance_equal_to_the_component(mocks):
    web_service(mocks, **EVERY_OPTION)

    instances = {
        r.metadata["labels"]["app.kubernetes.io/instance"] for r in kubernetes_resources(mocks)
    }

    assert instances == {"api"}


@pytest.mark.parametrize(
    ("image", "version"),
    [
        ("ghcr.io/acme/api:1.4.2", "1.4.2"),
        ("registry.local:5000/team/api:2.0.0-rc.1", "2.0.0-rc.1"),  # registry port is not a tag
        (f"ghcr.io/acme/api:1.4.2@{DIGEST}", "1.4.2"),  # the tag is more readable than the digest
        (f"ghcr.io/acme/api@{DIGEST}", "sha256-" + DIGEST.removeprefix("sha256:")[:12]),
    ],
)
def test_version_label_derives_from_the_image(mocks, image, version):
    web_service(mocks, image=image)
    deployment = inputs(mocks, DEPLOYMENT)

    assert deployment["metadata"]["labels"]["app.kubernetes.io/version"] == version
    assert (
        deployment["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/version"] == version
    )


def test_version_and_component_labels_can_be_set(mocks):
    web_service(mocks, version="2024.06", component="backend")

    labels = inputs(mocks, DEPLOYMENT)["metadata"]["labels"]

    assert labels["app.kubernetes.io/version"] == "2024.06"
    assert labels["app.kubernetes.io/component"] == "backend"


def test_selectors_use_only_name_and_instance(mocks):
    # A selector is immutable: including the version would break the next image bump.
    web_service(mocks, image="ghcr.io/acme/api:9.9.9", labels={"team": "payments"})
    expected = {"app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api"}
    deployment = inputs(mocks, DEPLOYMENT)

    selectors = {
        "deployment": deployment["spec"]["selector"]["matchLabels"],
        "service": inputs(mocks, SERVICE)["spec"]["selector"],
        "pdb": inputs(mocks, PDB)["spec"]["selector"]["matchLabels"],
        "network-policy": inputs(mocks, NETWORK_POLICY)["spec"]["podSelector"]["matchLabels"],
    }

    assert selectors == dict.fromkeys(selectors, expected)
    assert expected.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()


def test_user_labels_are_added_but_cannot_override_standard_ones(mocks):
    web_service(
        mocks,
        labels={
            "team": "payments",
            "app.kubernetes.io/name": "evil",
            "app.kubernetes.io/instance": "evil",
            "app.kubernetes.io/managed-by": "helm",
        },
    )
    deployment = inputs(mocks, DEPLOYMENT)

    for labels in (
        deployment["metadata"]["labels"],
        deployment["spec"]["template"]["metadata"]["labels"],
    ):
        assert labels["team"] == "payments"
        assert labels["app.kubernetes.io/name"] == "api"
        assert labels["app.kubernetes.io/instance"] == "api"
        assert labels["app.kubernetes.io/managed-by"] == "pulumi"
    assert set(deployment["spec"]["selector"]["matchLabels"]) == SELECTOR_KEYS


def test_user_annotations_land_on_the_objects_and_the_pods(mocks):
    web_service(mocks, annotations={"owner": "team-payments"})

    assert inputs(mocks, DEPLOYMENT)["metadata"]["annotations"]["owner"] == "team-payments"
    assert inputs(mocks, SERVICE)["metadata"]["annotations"]["owner"] == "team-payments"
    assert pod_annotations(mocks)["owner"] == "team-payments"


def test_user_annotations_land_on_every_object_including_the_namespace(mocks):
    web_service(mocks, annotations={"owner": "team-payments"}, **EVERY_OPTION)

    missing = [
        r.typ
        for r in kubernetes_resources(mocks)
        if (r.metadata.get("annotations") or {}).get("owner") != "team-payments"
    ]

    assert missing == []


# -- replicas, HPA and PDB ----------------------------------------------------------


def test_fixed_replicas_default_to_two(mocks):
    web_service(mocks)

    assert inputs(mocks, DEPLOYMENT)["spec"]["replicas"] == 2


def test_fixed_replicas_can_be_set(mocks):
    web_service(mocks, replicas=4)

    assert inputs(mocks, DEPLOYMENT)["spec"]["replicas"] == 4


def test_autoscaling_creates_an_hpa_that_targets_the_deployment(mocks):
    web_service(
        mocks,
        autoscaling={
            "min_replicas": 3,
            "max_replicas": 7,
            "target_cpu_utilization": 60,
            "target_memory_utilization": 75,
        },
    )
    hpa = inputs(mocks, HPA)
    deployment = inputs(mocks, DEPLOYMENT)

    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": deployment["apiVersion"],
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 7)
    targets = {
        m["resource"]["name"]: m["resource"]["target"]
        for m in hpa["spec"]["metrics"]
        if m["type"] == "Resource"
    }
    assert targets == {
        "cpu": {"type": "Utilization", "averageUtilization": 60},
        "memory": {"type": "Utilization", "averageUtilization": 75},
    }


def test_hpa_behavior_scales_up_at_once_and_down_after_a_window(mocks):
    web_service(mocks, autoscaling={})

    behavior = inputs(mocks, HPA)["spec"]["behavior"]

    assert behavior["scaleUp"]["stabilizationWindowSeconds"] == 0
    assert behavior["scaleUp"]["policies"]
    assert behavior["scaleDown"]["stabilizationWindowSeconds"] >= 300
    assert behavior["scaleDown"]["policies"]


def test_autoscaling_defaults_to_a_cpu_target(mocks):
    web_service(mocks, autoscaling={})

    spec = inputs(mocks, HPA)["spec"]

    assert (spec["minReplicas"], spec["maxReplicas"]) == (2, 10)
    assert [m["resource"]["name"] for m in spec["metrics"]] == ["cpu"]


def test_a_memory_target_alone_does_not_add_a_cpu_target(mocks):
    web_service(mocks, autoscaling={"target_memory_utilization": 80})

    assert [m["resource"]["name"] for m in inputs(mocks, HPA)["spec"]["metrics"]] == ["memory"]


def test_deployment_sends_no_replicas_when_autoscaling(mocks):
    # Server-side apply would otherwise fight the HPA over .spec.replicas.
    web_service(mocks, autoscaling={"min_replicas": 3, "max_replicas": 6})

    assert "replicas" not in inputs(mocks, DEPLOYMENT)["spec"]


@pytest.mark.parametrize(
    ("fields", "has_pdb"),
    [
        pytest.param({}, True, id="default-2-replicas"),
        pytest.param({"replicas": 3}, True, id="3-replicas"),
        pytest.param({"replicas": 1}, False, id="1-replica"),
        pytest.param({"replicas": 0}, False, id="0-replicas"),
        pytest.param({"autoscaling": {"min_replicas": 1, "max_replicas": 2}}, True, id="hpa-max-2"),
        pytest.param(
            {"autoscaling": {"min_replicas": 1, "max_replicas": 1}}, False, id="hpa-max-1"
        ),
    ],
)
def test_pdb_exists_only_when_two_or_more_replicas_can_run(mocks, fields, has_pdb):
    ws = web_service(mocks, **fields)

    assert len(mocks.of_type(PDB)) == int(has_pdb)
    assert (ws.pod_disruption_budget is not None) == has_pdb


def test_pdb_allows_one_voluntary_disruption_of_this_service(mocks):
    web_service(mocks)

    spec = inputs(mocks, PDB)["spec"]

    assert spec["maxUnavailable"] == 1
    assert (
        spec["selector"]["matchLabels"]
        == inputs(mocks, DEPLOYMENT)["spec"]["selector"]["matchLabels"]
    )


# -- Service ----------------------------------------------------------------------


def test_service_defaults_to_cluster_ip_on_port_80_targeting_the_named_container_port(mocks):
    web_service(mocks)
    spec = inputs(mocks, SERVICE)["spec"]
    (port,) = spec["ports"]
    container_ports = {p["name"]: p["containerPort"] for p in container(mocks)["ports"]}

    assert spec["type"] == "ClusterIP"
    assert (port["name"], port["port"]) == ("http", 80)
    assert container_ports[port["targetPort"]] == 8080
    assert "loadBalancerSourceRanges" not in spec


def test_ports_can_be_changed(mocks):
    web_service(mocks, port=3000, service_port=8443)

    (port,) = inputs(mocks, SERVICE)["spec"]["ports"]
    container_ports = {p["name"]: p["containerPort"] for p in container(mocks)["ports"]}

    assert port["port"] == 8443
    assert container_ports[port["targetPort"]] == 3000


def test_load_balancer_service_restricts_source_ranges(mocks):
    ranges = ["203.0.113.0/24", "2001:db8::/32"]
    web_service(mocks, service_type="LoadBalancer", load_balancer_source_ranges=ranges)

    spec = inputs(mocks, SERVICE)["spec"]

    assert spec["type"] == "LoadBalancer"
    assert spec["loadBalancerSourceRanges"] == ranges


def test_node_port_service(mocks):
    web_service(mocks, service_type="NodePort")

    assert inputs(mocks, SERVICE)["spec"]["type"] == "NodePort"


# -- Ingress ----------------------------------------------------------------------


def test_ingress_routes_host_and_path_to_the_service_with_tls_and_class(mocks):
    web_service(
        mocks,
        ingress={
            "host": "api.example.com",
            "path": "/v1",
            "tls_secret_name": "api-tls",
            "ingress_class_name": "nginx",
            "annotations": {"cert-manager.io/cluster-issuer": "letsencrypt"},
        },
    )
    ingress = inputs(mocks, INGRESS)
    service = inputs(mocks, SERVICE)
    (rule,) = ingress["spec"]["rules"]
    (path,) = rule["http"]["paths"]
    backend = path["backend"]["service"]

    assert rule["host"] == "api.example.com"
    assert (path["path"], path["pathType"]) == ("/v1", "Prefix")
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
    assert ingress["spec"]["tls"] == [{"hosts": ["api.example.com"], "secretName": "api-tls"}]
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["metadata"]["annotations"] == {"cert-manager.io/cluster-issuer": "letsencrypt"}
    # Ingress-specific annotations stay on the Ingress.
    assert "annotations" not in service["metadata"]


def test_ingress_without_tls_or_class_uses_the_cluster_defaults(mocks):
    web_service(mocks, ingress={"host": "api.example.com"})

    spec = inputs(mocks, INGRESS)["spec"]

    assert spec["rules"][0]["http"]["paths"][0]["path"] == "/"
    assert "tls" not in spec
    assert "ingressClassName" not in spec


# -- metrics ----------------------------------------------------------------------


def test_metrics_on_a_separate_port_are_annotated_and_exposed(mocks):
    web_service(mocks, metrics={"port": 9090, "path": "/prom"})

    ports = {p["name"]: p["containerPort"] for p in container(mocks)["ports"]}
    annotations = pod_annotations(mocks)

    assert ports == {"http": 8080, "metrics": 9090}
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == "9090"
    assert annotations["prometheus.io/path"] == "/prom"


@pytest.mark.parametrize("metrics", [{}, {"port": 8080}], ids=["default-port", "same-port"])
def test_metrics_on_the_main_port_add_no_extra_port(mocks, metrics):
    web_service(mocks, metrics=metrics)

    assert [p["name"] for p in container(mocks)["ports"]] == ["http"]
    assert pod_annotations(mocks)["prometheus.io/port"] == "8080"
    assert pod_annotations(mocks)["prometheus.io/path"] == "/metrics"


def test_no_scrape_annotations_without_metrics(mocks):
    web_service(mocks)

    assert not any(k.startswith("prometheus.io/") for k in pod_annotations(mocks))


# -- NetworkPolicy ----------------------------------------------------------------


def test_network_policy_admits_only_same_namespace_pods_on_the_container_port(mocks):
    web_service(mocks, port=8080, service_port=80)

    spec = inputs(mocks, NETWORK_POLICY)["spec"]
    (rule,) = spec["ingress"]

    assert spec["policyTypes"] == ["Ingress"]
    # Pods receive traffic on the container port; the Service port is never seen by them.
    assert rule["ports"] == [{"protocol": "TCP", "port": 8080}]
    # A bare podSelector (no namespaceSelector) means: any pod in this namespace.
    assert rule["from"] == [{"podSelector": {}}]


def test_network_policy_allows_listed_namespaces_pod_labels_and_cidrs(mocks):
    web_service(
        mocks,
        network_policy={
            "allow_from_namespaces": ["ingress-nginx", "monitoring"],
            "allow_from_pod_labels": {"role": "frontend"},
            "allow_cidrs": ["10.0.0.0/16"],
        },
    )

    peers = inputs(mocks, NETWORK_POLICY)["spec"]["ingress"][0]["from"]
    only_frontends = {"matchLabels": {"role": "frontend"}}

    assert {"podSelector": only_frontends} in peers
    for ns in ("ingress-nginx", "monitoring"):
        assert {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}},
            "podSelector": only_frontends,
        } in peers
    assert {"ipBlock": {"cidr": "10.0.0.0/16"}} in peers
    assert len(peers) == 4


def test_network_policy_admits_a_separate_metrics_port(mocks):
    web_service(mocks, metrics={"port": 9090})

    ports = inputs(mocks, NETWORK_POLICY)["spec"]["ingress"][0]["ports"]

    assert sorted(p["port"] for p in ports) == [8080, 9090]


INGRESS_BLOCKED = "an ingress controller running in another namespace cannot reach it"


def test_ingress_behind_a_same_namespace_policy_warns_in_the_preview(mocks, caplog):
    with caplog.at_level("WARNING"):
        web_service(mocks, ingress={"host": "api.example.com"})

    warnings = [r.getMessage() for r in caplog.records if INGRESS_BLOCKED in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].startswith('WebService "api": ingress is set')
    assert "network_policy.allow_from_namespaces" in warnings[0]


@pytest.mark.parametrize(
    "fields",
    [
        {
            "ingress": {"host": "api.example.com"},
            "network_policy": {"allow_from_namespaces": ["ingress-nginx"]},
        },
        {"ingress": {"host": "api.example.com"}, "network_policy": {"allow_cidrs": ["10.0.0.0/8"]}},
        {"ingress": {"host": "api.example.com"}, "network_policy": {"enabled": False}},
        {},
    ],
)
def test_no_ingress_warning_when_the_controller_can_reach_the_pods(mocks, caplog, fields):
    with caplog.at_level("WARNING"):
        web_service(mocks, **fields)

    assert not [r for r in caplog.records if INGRESS_BLOCKED in r.getMessage()]


def test_network_policy_can_be_disabled(mocks):
    ws = web_service(mocks, network_policy={"enabled": False})

    assert mocks.of_type(NETWORK_POLICY) == []
    assert ws.network_policy is None


# -- volumes and service account ------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "value", "expected_source", "read_only"),
    [
        ("empty_dir_size_limit", "256Mi", {"emptyDir": {"sizeLimit": "256Mi"}}, False),
        ("config_map_name", "shared-config", {"configMap": {"name": "shared-config"}}, True),
        ("secret_name", "tls-certs", {"secret": {"secretName": "tls-certs"}}, True),
        (
            "persistent_volume_claim_name",
            "uploads",
            {"persistentVolumeClaim": {"claimName": "uploads"}},
            False,
        ),
    ],
)
def test_each_volume_source_is_declared_and_mounted(
    mocks, source, value, expected_source, read_only
):
    web_service(mocks, volumes=[{"name": "data", "mount_path": "/data", source: value}])

    volumes = {v["name"]: v for v in pod_spec(mocks)["volumes"]}
    mounts = {m["name"]: m for m in container(mocks)["volumeMounts"]}

    assert volumes["data"] == {"name": "data", **expected_source}
    assert mounts["data"] == {"name": "data", "mountPath": "/data", "readOnly": read_only}


@pytest.mark.parametrize("read_only", [True, False])
def test_volume_read_only_can_be_overridden(mocks, read_only):
    web_service(
        mocks,
        volumes=[
            {"name": "data", "mount_path": "/data", "secret_name": "s", "read_only": read_only}
        ],
    )

    mounts = {m["name"]: m for m in container(mocks)["volumeMounts"]}

    assert mounts["data"]["readOnly"] is read_only


def test_service_account_annotations_land_on_the_service_account(mocks):
    irsa = {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/api"}
    web_service(mocks, service_account_annotations=irsa)

    assert inputs(mocks, SERVICE_ACCOUNT)["metadata"]["annotations"] == irsa
    assert "annotations" not in inputs(mocks, DEPLOYMENT)["metadata"]


# -- provider ---------------------------------------------------------------------


def _with_providers(p):
    return pulumi.ResourceOptions(providers=[p])


def _with_provider(p):
    return pulumi.ResourceOptions(provider=p)


@pytest.mark.parametrize(
    "make_opts", [_with_providers, _with_provider], ids=["providers", "provider"]
)
def test_every_kubernetes_child_uses_the_provider_passed_to_the_component(mocks, make_opts):
    def program():
        # The provider must be created inside the program, like in a real stack.
        cluster = k8s.Provider("cluster", kubeconfig="x")
        return WebService("api", {"image": IMAGE, **EVERY_OPTION}, make_opts(cluster))

    mocks.run(program)
    children = kubernetes_resources(mocks)

    assert len(children) == 10
    assert [
        r.typ for r in children if "pulumi:providers:kubernetes::cluster" not in r.provider
    ] == []
