"""Which objects a WebService registers and how they are named, namespaced, labelled and
annotated; how its children are parented and given a provider; and its outputs."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
from moorage import _rules as rule
from moorage._errors import ValidationError
from moorage.webservice import WebService, render
from pulumi.runtime.sync_await import _sync_await

from tests.unit.webservice.helpers import (
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
    inputs,
    kubernetes_resources,
    plain,
    pod_annotations,
    spec,
    web_service,
)

EVERY_OPTION = {
    "config": {"LOG_LEVEL": "info"},
    "secrets": {"DB_PASSWORD": "hunter2"},
    "autoscaling": {},
    "ingress": {"host": "api.example.com"},
}
"""Arguments that make the component create every kind of child it can."""


# -- which resources exist, and their parent -----------------------------------------------


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


# -- names ---------------------------------------------------------------------------------


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


def test_config_and_secret_names_are_deterministic():
    assert (spec().config.config_map_name, spec().config.secret_name) == (
        "api-config",
        "api-secrets",
    )


# -- namespace -----------------------------------------------------------------------------


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


# -- labels --------------------------------------------------------------------------------


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


def labels_of(spec_: Any) -> dict[str, Any]:
    return render(spec_).labels


def test_standard_labels_win_over_user_labels():
    labels = labels_of(spec(labels={"app.kubernetes.io/version": "spoofed", "tier": "backend"}))

    assert labels["app.kubernetes.io/version"] == "1.4.2"
    assert labels["tier"] == "backend"
    assert {
        "app.kubernetes.io/name": "api",
        "app.kubernetes.io/instance": "api",
    }.items() <= labels.items()


@pytest.mark.parametrize(
    "labels", [{"team name": "payments"}, {"team": "pay ments"}], ids=["key", "value"]
)
def test_invalid_user_labels_are_rejected(mocks, labels):
    with pytest.raises(ValidationError, match="labels"):
        web_service(mocks, labels=labels)


# -- the version label comes from the image ------------------------------------------------


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


@pytest.mark.parametrize(
    ("image", "parts"),
    [
        ("nginx", ("nginx", None, None)),
        ("nginx:1.25", ("nginx", "1.25", None)),
        ("registry.local:5000/api", ("registry.local:5000/api", None, None)),
        ("registry.local:5000/api:2", ("registry.local:5000/api", "2", None)),
        (f"ghcr.io/acme/api:1@{DIGEST}", ("ghcr.io/acme/api", "1", DIGEST)),
        (f"ghcr.io/acme/api@{DIGEST}", ("ghcr.io/acme/api", None, DIGEST)),
    ],
)
def test_split_image(image, parts):
    assert rule.split_image(image) == parts


@pytest.mark.parametrize(
    "image",
    [
        "nginx:1.25",
        f"ghcr.io/acme/api@{DIGEST}",
        "nginx:" + "a" * 62 + "-b",  # cut at 63 characters it would end with "-"
        "nginx:" + "v" * 128,
        "nginx:_internal",
        "nginx",
    ],
)
def test_version_from_any_image_is_a_valid_label_value(image):
    version = rule.image_version(image)

    assert rule.version_label("c", "version", version) == version


def test_version_from_a_digest_identifies_the_digest():
    version = rule.image_version(f"ghcr.io/acme/api@{DIGEST}")

    algorithm, _, hex_digest = DIGEST.partition(":")
    assert version.startswith(f"{algorithm}-")
    assert hex_digest.startswith(version.removeprefix(f"{algorithm}-"))
    assert len(version) > len(algorithm) + 8  # enough of the digest to tell builds apart


def test_an_image_tag_that_is_not_a_valid_label_is_rejected(mocks):
    with pytest.raises(ValidationError, match="image"):
        web_service(mocks, image="ghcr.io/acme/api:1.0+build")


# -- annotations ---------------------------------------------------------------------------


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


def test_service_account_annotations_land_on_the_service_account(mocks):
    irsa = {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/api"}
    web_service(mocks, service_account_annotations=irsa)

    assert inputs(mocks, SERVICE_ACCOUNT)["metadata"]["annotations"] == irsa
    assert "annotations" not in inputs(mocks, DEPLOYMENT)["metadata"]


# -- provider ------------------------------------------------------------------------------


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


# -- outputs and typed child attributes ----------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "url"),
    [
        ({}, "http://api.api.svc.cluster.local:80"),
        ({"namespace": "shop"}, "http://api.shop.svc.cluster.local:80"),
        ({"namespace": "shop", "service_port": 8080}, "http://api.shop.svc.cluster.local:8080"),
    ],
)
def test_url_is_the_in_cluster_dns_name_of_the_service(mocks, fields, url):
    ws = web_service(mocks, **fields)
    service = inputs(mocks, SERVICE)
    meta = service["metadata"]

    assert mocks.settle(ws.url) == url
    # ...which is exactly what the registered Service answers to.
    assert url == (
        f"http://{meta['name']}.{meta['namespace']}.svc.cluster.local:"
        f"{service['spec']['ports'][0]['port']}"
    )


def test_url_with_a_port_known_only_at_deploy_time_depends_on_the_service(mocks):
    ws = web_service(mocks, namespace="shop", service_port=pulumi.Output.from_input(8443))

    assert mocks.settle(ws.url) == "http://api.shop.svc.cluster.local:8443"
    assert ws.service in _sync_await(ws.url.resources())


@pytest.mark.parametrize(("fields", "namespace"), [({}, "api"), ({"namespace": "shop"}, "shop")])
def test_namespace_deployment_and_service_name_outputs(mocks, fields, namespace):
    ws = web_service(mocks, **fields)

    assert mocks.settle(ws.namespace) == namespace
    assert (
        mocks.settle(ws.deployment_name) == inputs(mocks, DEPLOYMENT)["metadata"]["name"] == "api"
    )
    assert mocks.settle(ws.service_name) == inputs(mocks, SERVICE)["metadata"]["name"] == "api"


def test_minimal_service_typed_children(mocks):
    ws = web_service(mocks)

    assert isinstance(ws.namespace_resource, k8s.core.v1.Namespace)
    assert isinstance(ws.service_account, k8s.core.v1.ServiceAccount)
    assert isinstance(ws.deployment, k8s.apps.v1.Deployment)
    assert isinstance(ws.service, k8s.core.v1.Service)
    assert isinstance(ws.pod_disruption_budget, k8s.policy.v1.PodDisruptionBudget)
    assert isinstance(ws.network_policy, k8s.networking.v1.NetworkPolicy)
    assert ws.config_map is None
    assert ws.secret is None
    assert ws.horizontal_pod_autoscaler is None
    assert ws.ingress is None


def test_optional_typed_children_exist_when_configured(mocks):
    ws = web_service(
        mocks,
        namespace="shop",
        config={"A": "1"},
        secrets={"B": "2"},
        autoscaling={},
        ingress={"host": "api.example.com"},
    )

    assert ws.namespace_resource is None
    assert isinstance(ws.config_map, k8s.core.v1.ConfigMap)
    assert isinstance(ws.secret, k8s.core.v1.Secret)
    assert isinstance(ws.horizontal_pod_autoscaler, k8s.autoscaling.v2.HorizontalPodAutoscaler)
    assert isinstance(ws.ingress, k8s.networking.v1.Ingress)


def test_child_attributes_are_the_registered_resources(mocks):
    ws = web_service(mocks)

    assert mocks.settle(ws.deployment.metadata.name) == "api"
    assert mocks.settle(ws.service.spec.type) == "ClusterIP"


def test_an_image_bump_changes_only_the_workload_and_its_pod_template(make_mocks):
    """app.kubernetes.io/version sits on the Deployment and its pods, nowhere else."""
    fields = {"config": {"A": "1"}, "autoscaling": {"max_replicas": 4}}
    before = make_mocks()
    web_service(before, image="ghcr.io/acme/api:1.0.0", **fields)
    after = make_mocks()
    web_service(after, image="ghcr.io/acme/api:1.1.0", **fields)
    old = {r.name: plain(r.inputs) for r in kubernetes_resources(before)}
    new = {r.name: plain(r.inputs) for r in kubernetes_resources(after)}
    assert old.keys() == new.keys()
    changed = {name for name in new if old[name] != new[name]}
    assert changed == {"api-deployment"}
    deployment = plain(after.one("kubernetes:apps/v1:Deployment").inputs)
    assert deployment["metadata"]["labels"]["app.kubernetes.io/version"] == "1.1.0"
    assert deployment["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/version"] == (
        "1.1.0"
    )
