"""Issue 23 for Application: system namespaces, namespace maps, Pod Security, object-name
collisions, references to workers and the referrer's egress (under mocks)."""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pulumi
import pytest
from moorage import Application, ValidationError
from moorage.application import plan_application

from .conftest import RecordingMocks
from .webservice.helpers import RESTRICTED_FORBIDDEN

IMAGE = "ghcr.io/acme/app:1.0.0"
NAMESPACE = "kubernetes:core/v1:Namespace"


@pytest.fixture(autouse=True)
def _collect_failed_futures() -> Iterator[None]:
    """Finalise the Futures failed Outputs leave behind while this test owns them."""
    yield
    log = logging.getLogger("asyncio")
    was_disabled, log.disabled = log.disabled, True
    try:
        gc.collect()
    finally:
        log.disabled = was_disabled


def kubernetes_resources(mocks: RecordingMocks) -> list[str]:
    return [r.name for r in mocks.resources if r.typ.startswith("kubernetes:")]


def in_shop(**services: dict[str, Any]) -> dict[str, Any]:
    """Application args with every service in the declared namespace ``shop``."""
    return {
        "namespaces": {"shop": {}},
        "services": {
            name: {"image": IMAGE, "namespace": "shop", **fields}
            for name, fields in services.items()
        },
    }


def refused(args: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as error:
        plan_application("shop", args)  # type: ignore[arg-type]
    return str(error.value)


# -- system namespaces ------------------------------------------------------------------


@pytest.mark.parametrize("namespace", ["kube-system", "kube-public", "kube-node-lease"])
def test_a_system_namespace_cannot_be_declared(namespace: str) -> None:
    message = refused({"namespaces": {namespace: {}}, "services": {"a": {"image": IMAGE}}})
    assert f"Application \"shop\": namespaces.{namespace} ('{namespace}')" in message
    assert "system namespace" in message


def test_default_cannot_be_declared_but_can_be_used() -> None:
    message = refused({"namespaces": {"default": {}}, "services": {"a": {"image": IMAGE}}})
    assert "namespaces.default ('default') always exists" in message
    assert "create_namespace: false" in message
    plan_application(
        "shop",
        {"services": {"a": {"image": IMAGE, "namespace": "default", "create_namespace": False}}},
    )


# -- namespace labels and annotations ----------------------------------------------------


def test_namespace_labels_and_annotations_may_be_outputs(mocks: RecordingMocks) -> None:
    def program() -> Application:
        args = in_shop(web={})
        args["namespaces"]["shop"] = {
            "labels": pulumi.Output.from_input({"team": "shop"}),
            "annotations": {"owner": pulumi.Output.from_input("team-shop")},
        }
        return Application("shop", args)  # type: ignore[arg-type]

    mocks.run(program)
    namespace = mocks.one(NAMESPACE)
    assert namespace.metadata["labels"]["team"] == "shop"
    assert namespace.metadata["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert namespace.metadata["annotations"] == {"owner": "team-shop"}


@pytest.mark.parametrize(
    ("namespace_args", "field", "words"),
    [
        (lambda: {"annotations": {"owner": 5}}, "annotations.owner", "must be a string"),
        (
            lambda: {"annotations": pulumi.Output.from_input({"owner": 5})},
            "annotations.owner",
            "must be a string",
        ),
        (
            lambda: {"labels": pulumi.Output.from_input({"team": "a b"})},
            "labels.team",
            "label value",
        ),
        (lambda: {"labels": {"team": pulumi.Output.from_input("a b")}}, "labels.team", "label"),
        (
            lambda: {"labels": {"team": pulumi.Output.secret("tok+en/==")}},
            "labels.team ('[secret]')",
            "label",
        ),
    ],
)
def test_bad_namespace_maps_register_nothing(
    mocks: RecordingMocks, namespace_args: Callable[[], dict[str, Any]], field: str, words: str
) -> None:
    def program() -> Application:
        args = in_shop(web={}, own={"namespace": None})
        del args["services"]["own"]["namespace"]  # a service with a namespace of its own
        args["namespaces"]["shop"] = namespace_args()
        return Application("shop", args)  # type: ignore[arg-type]

    with pytest.raises(ValueError) as error:  # Pulumi wraps an Output's ValidationError
        mocks.run(program)
    assert f'Application "shop": namespaces.shop.{field}' in str(error.value)
    assert words in str(error.value)
    assert "tok+en" not in str(error.value)
    assert kubernetes_resources(mocks) == []


# -- Pod Security in a namespace the application creates ---------------------------------

FORBIDDEN = RESTRICTED_FORBIDDEN


@pytest.mark.parametrize(("fields", "field"), FORBIDDEN)
def test_a_restricted_application_namespace_refuses_what_it_would_not_admit(
    mocks: RecordingMocks, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        mocks.run(lambda: Application("shop", in_shop(web=fields)))  # type: ignore[arg-type]
    assert f'Application "shop": services.web.{field} (' in str(error.value)
    assert 'Pod Security "restricted" profile' in str(error.value)
    assert 'namespace "shop"' in str(error.value)
    assert kubernetes_resources(mocks) == []


@pytest.mark.parametrize(("fields", "field"), FORBIDDEN[:3])
def test_a_looser_application_namespace_admits_them(fields: dict[str, Any], field: str) -> None:
    args = in_shop(web=fields)
    args["namespaces"]["shop"] = {"pod_security": "privileged"}
    plan_application("shop", args)  # type: ignore[arg-type]


# -- references ------------------------------------------------------------------------


def test_a_reference_to_a_worker_is_refused(mocks: RecordingMocks) -> None:
    args = in_shop(web={}, jobs={"worker": True})
    args["service_refs"] = {"web": {"JOBS_URL": {"service": "jobs"}}}
    with pytest.raises(ValidationError) as error:
        mocks.run(lambda: Application("shop", args))  # type: ignore[arg-type]
    message = str(error.value)
    assert "Application \"shop\": service_refs.web.JOBS_URL.service ('jobs') is a worker" in message
    assert kubernetes_resources(mocks) == []


EGRESS = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def egress_of(mocks: RecordingMocks, service: str) -> list[dict[str, Any]]:
    policy = mocks.resource(EGRESS, f"{service}-network-policy")
    return list(policy.inputs["spec"]["egress"])


def test_a_restricted_referrer_may_reach_what_it_refers_to(mocks: RecordingMocks) -> None:
    args: dict[str, Any] = {
        "namespaces": {"shop": {}, "data": {}},
        "services": {
            "web": {
                "image": IMAGE,
                "namespace": "shop",
                "network_policy": {"egress": {"allow_ports": [443]}},
            },
            "cart": {"image": IMAGE, "namespace": "shop", "port": 9000},
            "cache": {"image": IMAGE, "namespace": "data", "port": 6379, "service_port": 6379},
        },
        "service_refs": {
            "web": {
                "CART_URL": {"service": "cart"},
                "CACHE": {"service": "cache", "value": "address"},
                "CART_HOST": {"service": "cart", "value": "host"},
            }
        },
    }
    mocks.run(lambda: Application("shop", args))  # type: ignore[arg-type]

    rules = egress_of(mocks, "web")
    assert {"ports": [{"protocol": "TCP", "port": 443}]} in rules  # the user's, kept

    def to(service: str, namespace: str, port: int) -> dict[str, Any]:
        return {
            "to": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": namespace}
                    },
                    "podSelector": {
                        "matchLabels": {
                            "app.kubernetes.io/name": service,
                            "app.kubernetes.io/instance": service,
                        }
                    },
                }
            ],
            "ports": [{"protocol": "TCP", "port": port}],
        }

    assert to("cart", "shop", 9000) in rules  # the container port, not the Service's
    assert to("cache", "data", 6379) in rules
    assert len(rules) == 4  # DNS, the user's, one per referenced service


def test_an_unrestricted_referrer_keeps_its_egress_open(mocks: RecordingMocks) -> None:
    args = in_shop(web={}, cart={})
    args["service_refs"] = {"web": {"CART_URL": {"service": "cart"}}}
    mocks.run(lambda: Application("shop", args))  # type: ignore[arg-type]
    policy = mocks.resource(EGRESS, "web-network-policy")
    assert policy.inputs["spec"]["policyTypes"] == ["Ingress"]


# -- object names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("services", "field", "words"),
    [
        pytest.param(
            {"api": {"strategy": "blue_green", "replicas": 2}, "api-blue": {}},
            "services.api.strategy ('api-blue')",
            'names the Deployment "api-blue" in namespace "shop", which services.api-blue',
            id="blue-green",
        ),
        pytest.param(
            {"api": {"strategy": "canary", "replicas": 2}, "api-canary": {}},
            "services.api.strategy ('api-canary')",
            'names the Deployment "api-canary"',
            id="canary",
        ),
        pytest.param(
            {
                "api": {"extra_services": [{"name": "admin", "ports": ["http"]}]},
                "api-admin": {},
            },
            "services.api.extra_services[0].name ('api-admin')",
            'names the Service "api-admin"',
            id="extra-service",
        ),
        pytest.param(
            {"api": {"config": {"A": "1"}}, "api-config": {"create_namespace": False}},
            None,
            None,
            id="different-kinds-do-not-collide",
        ),
    ],
)
def test_two_services_may_not_create_the_same_object(
    mocks: RecordingMocks, services: dict[str, Any], field: str | None, words: str | None
) -> None:
    args = in_shop(**services)
    if field is None:
        plan_application("shop", args)  # type: ignore[arg-type]
        return
    with pytest.raises(ValidationError) as error:
        mocks.run(lambda: Application("shop", args))  # type: ignore[arg-type]
    assert f'Application "shop": {field} {words}' in str(error.value)
    assert kubernetes_resources(mocks) == []


def test_the_same_names_in_different_namespaces_do_not_collide() -> None:
    args: dict[str, Any] = {
        "namespaces": {"a": {}, "b": {}},
        "services": {
            "api": {"image": IMAGE, "namespace": "a", "strategy": "canary", "replicas": 2},
            "api-canary": {"image": IMAGE, "namespace": "b"},
        },
    }
    plan_application("shop", args)  # type: ignore[arg-type]


def test_two_services_may_not_create_the_same_namespace() -> None:
    message = refused(
        {
            "services": {
                "a": {"image": IMAGE, "namespace": "team", "create_namespace": True},
                "b": {"image": IMAGE, "namespace": "team", "create_namespace": True},
            }
        }
    )
    assert "services.b.namespace ('team') names the Namespace \"team\", which" in message


def test_a_stack_reference_to_a_worker_names_the_env_key(mocks: RecordingMocks) -> None:
    from moorage._program import application_args, validate
    from moorage._stack_config import parse_stack_settings

    services = {
        "web": {"image": IMAGE, "env": {"JOBS": {"service_url": "jobs"}}},
        "jobs": {"image": IMAGE, "worker": True},
    }
    settings = parse_stack_settings({"moorage:services": json.dumps(services)})
    with pytest.raises(ValidationError) as error:
        mocks.run(lambda: validate(settings, application_args(settings, {})[0]).release())
    assert "stack config: moorage:services.web.env.JOBS ('jobs') is a worker" in str(error.value)
