"""Application: many services, shared namespaces and references, under mocks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from moorage import Application, ApplicationArgs, ValidationError
from moorage.application import find_cycle, plan_application

from .conftest import RecordingMocks

IMAGE = "ghcr.io/acme/app:1.0.0"
COMPONENT = "moorage:index:Application"

SHOP: ApplicationArgs = {
    "namespaces": {"shop": {"labels": {"team": "shop"}}, "data": {}},
    "services": {
        "web": {"image": IMAGE, "namespace": "shop", "env": {"MODE": "prod"}},
        "cart": {"image": IMAGE, "namespace": "shop"},
        "cache": {"image": IMAGE, "namespace": "data", "port": 6379, "service_port": 6379},
    },
    "service_refs": {
        "web": {"CART_URL": {"service": "cart"}},
        "cart": {"CACHE": {"service": "cache", "value": "address"}},
    },
}


def build(mocks: RecordingMocks, args: ApplicationArgs) -> Application:
    return mocks.run(lambda: Application("shop", args))


def env_of(mocks: RecordingMocks, service: str) -> dict[str, Any]:
    deployment = mocks.resource("kubernetes:apps/v1:Deployment", f"{service}-deployment")
    container = deployment.inputs["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def test_namespaces_belong_to_the_application_not_to_a_service(mocks: RecordingMocks) -> None:
    app = build(mocks, SHOP)
    namespaces = mocks.of_type("kubernetes:core/v1:Namespace")
    assert sorted(n.metadata["name"] for n in namespaces) == ["data", "shop"]
    for namespace in namespaces:
        assert namespace.parent.endswith("moorage:index:Application::shop")
        assert namespace.metadata["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
        assert "app.kubernetes.io/name" not in namespace.metadata["labels"]
    shop = next(n for n in namespaces if n.metadata["name"] == "shop")
    assert shop.metadata["labels"]["team"] == "shop"
    assert mocks.settle(app.urls) == {
        "web": "http://web.shop.svc.cluster.local:80",
        "cart": "http://cart.shop.svc.cluster.local:80",
        "cache": "http://cache.data.svc.cluster.local:6379",
    }


def test_a_reference_gives_the_url_and_a_dependency(mocks: RecordingMocks) -> None:
    build(mocks, SHOP)
    assert env_of(mocks, "web") == {
        "MODE": "prod",
        "CART_URL": "http://cart.shop.svc.cluster.local:80",
    }
    assert env_of(mocks, "cart") == {"CACHE": "cache.data.svc.cluster.local:6379"}
    web = mocks.resource("moorage:index:WebService", "web")
    # The objects of a service wait for its Namespace and for what it refers to.
    web_deployment = mocks.resource("kubernetes:apps/v1:Deployment", "web-deployment")
    assert web_deployment.depends_on("kubernetes:core/v1:Namespace", "shop-namespace-shop")
    assert web_deployment.depends_on("kubernetes:apps/v1:Deployment", "cart-deployment")
    web_account = mocks.resource("kubernetes:core/v1:ServiceAccount", "web-service-account")
    assert web_account.depends_on("kubernetes:core/v1:Namespace", "shop-namespace-shop")
    # depends_on a component waits for its children (the engine expands it).
    assert web.depends_on("kubernetes:core/v1:Service", "cart-service")
    assert web.depends_on("kubernetes:apps/v1:Deployment", "cart-deployment")
    assert web.depends_on("kubernetes:core/v1:Namespace", "shop-namespace-shop")


def test_a_reference_may_be_short_and_need_not_wait(mocks: RecordingMocks) -> None:
    args: ApplicationArgs = {
        **SHOP,
        "service_refs": {
            "web": {"CART": {"service": "cart", "value": "short_address", "wait": False}},
            "cart": {"CACHE": {"service": "cache", "value": "address"}},
        },
    }
    build(mocks, args)
    assert env_of(mocks, "web")["CART"] == "cart:80"
    web = mocks.resource("moorage:index:WebService", "web")
    # Started in parallel: no dependency on cart's Deployment, whose readiness it skips.
    assert not web.depends_on("kubernetes:apps/v1:Deployment", "cart-deployment")
    cart = mocks.resource("moorage:index:WebService", "cart")
    assert cart.depends_on("kubernetes:apps/v1:Deployment", "cache-deployment")


def test_the_application_can_stop_waiting_for_every_reference(mocks: RecordingMocks) -> None:
    build(mocks, {**SHOP, "wait_for_references": False})
    web = mocks.resource("moorage:index:WebService", "web")
    assert not web.depends_on("kubernetes:apps/v1:Deployment", "cart-deployment")
    assert env_of(mocks, "web")["CART_URL"] == "http://cart.shop.svc.cluster.local:80"


def test_a_short_address_needs_the_same_namespace() -> None:
    args: ApplicationArgs = {
        **SHOP,
        "service_refs": {"cart": {"CACHE": {"service": "cache", "value": "short_address"}}},
    }
    with pytest.raises(ValidationError, match="needs cache in the same namespace"):
        plan_application("shop", args)


def test_a_referenced_service_admits_its_referrers_namespace(mocks: RecordingMocks) -> None:
    build(mocks, SHOP)
    policy = mocks.resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", "cache-network-policy")
    peers = policy.inputs["spec"]["ingress"][0]["from"]
    assert {"kubernetes.io/metadata.name": "shop"} in [
        p.get("namespaceSelector", {}).get("matchLabels") for p in peers
    ]


@pytest.mark.parametrize(
    ("refs", "field", "words"),
    [
        ({"web": {"X": {"service": "nope"}}}, "service_refs.web.X", "is not a service"),
        ({"web": {"X": {"service": "web"}}}, "service_refs.web.X", "itself"),
        (
            {"web": {"X": {"service": "cart"}}, "cart": {"Y": {"service": "web"}}},
            "service_refs.cart",
            "reference cycle",
        ),
        (
            {"web": {"X": {"service": "cart", "value": "port"}}},
            "service_refs.web.X.value",
            "one of",
        ),
        ({"web": {"MODE": {"service": "cart"}}}, "service_refs.web.MODE", "also set in env"),
    ],
)
def test_bad_references_fail_before_anything_is_created(
    mocks: RecordingMocks, refs: dict[str, Any], field: str, words: str
) -> None:
    args = {**SHOP, "service_refs": refs}
    with pytest.raises(ValidationError) as error:
        build(mocks, args)  # type: ignore[arg-type]
    assert field in str(error.value)
    assert words in str(error.value)
    assert [r.typ for r in mocks.resources] == [COMPONENT]


def test_a_cycle_is_named_in_full() -> None:
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["b"], "b": []}) is None


def test_a_bad_service_is_reported_under_its_name_before_anything_is_created(
    mocks: RecordingMocks,
) -> None:
    services = {**SHOP["services"], "cart": {"image": IMAGE, "namespace": "shop", "port": 0}}
    with pytest.raises(ValidationError, match=r"services\.cart\.port"):
        build(mocks, {**SHOP, "services": services})
    assert [r.typ for r in mocks.resources] == [COMPONENT]


@pytest.mark.parametrize(
    ("service", "words"),
    [
        ({"namespace": "elsewhere"}, "is not declared in namespaces"),
        ({"namespace": "shop", "create_namespace": True}, "belongs to the application"),
    ],
)
def test_namespace_ownership_is_explicit(service: dict[str, Any], words: str) -> None:
    args: Any = {"namespaces": {"shop": {}}, "services": {"web": {"image": IMAGE, **service}}}
    with pytest.raises(ValidationError, match=words):
        plan_application("shop", args)


def test_an_existing_namespace_can_be_used_when_said_so(mocks: RecordingMocks) -> None:
    args: Any = {
        "services": {"web": {"image": IMAGE, "namespace": "legacy", "create_namespace": False}}
    }
    build(mocks, args)
    assert mocks.of_type("kubernetes:core/v1:Namespace") == []
    assert mocks.one("kubernetes:apps/v1:Deployment").metadata["namespace"] == "legacy"


def test_a_service_without_namespace_keeps_its_own(mocks: RecordingMocks) -> None:
    build(mocks, {"services": {"solo": {"image": IMAGE}}})
    namespace = mocks.one("kubernetes:core/v1:Namespace")
    assert namespace.parent.endswith("moorage:index:WebService::solo")


def test_unknown_application_field_suggests_the_right_one() -> None:
    with pytest.raises(ValidationError, match='did you mean "services"'):
        plan_application("shop", {"service": {}})  # type: ignore[typeddict-unknown-key]


def test_thirty_services_plan_quickly_in_dependency_order(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    services = {f"svc{i}": {"image": IMAGE, "namespace": "shop"} for i in range(30)}
    refs = {f"svc{i}": {"NEXT": {"service": f"svc{i + 1}"}} for i in range(29)}
    plan = plan_application(
        "big",
        {"namespaces": {"shop": {}}, "services": services, "service_refs": refs},  # type: ignore[typeddict-item]
    )
    assert [s.name for s in plan.services][:2] == ["svc29", "svc28"]
    assert json.dumps([s.namespace for s in plan.services]).count("shop") == 30


def test_the_benchmark_application_program_declares_thirty_services(
    mocks: RecordingMocks,
) -> None:
    import sys
    from pathlib import Path

    sys.path.append(str(Path(__file__).resolve().parents[2]))
    from bench import programs

    mocks.run(lambda: programs.declare(programs.APPLICATION, 30, prefix="bench"))
    assert len(mocks.of_type("kubernetes:apps/v1:Deployment")) == 30
    assert mocks.one("kubernetes:core/v1:Namespace").metadata["name"] == "bench"


def test_the_application_can_be_served_to_other_languages() -> None:
    """Pulumi's component analyzer accepts ApplicationArgs (no unions, typed outputs)."""
    from moorage import WebService
    from pulumi.provider.experimental.analyzer import Analyzer

    result = Analyzer("moorage").analyze([WebService, Application])
    definition = result["component_definitions"]["Application"]
    assert set(definition.inputs) == {
        "namespaces",
        "services",
        "serviceRefs",
        "waitForReferences",
        "kubeconfig",
        "identities",
    }
    assert set(definition.outputs) == {"urls"}
