"""Issue 23 for Application: system namespaces, namespace maps, Pod Security, object-name
collisions, references to workers and the referrer's egress (under mocks)."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pulumi
import pytest
from moorage import Application, ValidationError
from moorage.application import plan_application

from .conftest import RecordingMocks

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

SIDECAR = {"name": "proxy", "image": "ghcr.io/acme/proxy:1.0.0"}
FORBIDDEN = [
    ({"sidecars": [{**SIDECAR, "privileged": True}]}, "sidecars[0].privileged"),
    (
        {"init_containers": [{**SIDECAR, "allow_privilege_escalation": True}]},
        "init_containers[0].allow_privilege_escalation",
    ),
    ({"sidecars": [{**SIDECAR, "run_as_user": 0}]}, "sidecars[0].run_as_user"),
    (
        {"sidecars": [{**SIDECAR, "capabilities_add": ["NET_ADMIN"]}]},
        "sidecars[0].capabilities_add",
    ),
]


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
