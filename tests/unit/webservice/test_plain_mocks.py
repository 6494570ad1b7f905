"""A user's own unit tests: every WebService shape constructs under the plain echoing
mocks of Pulumi's testing guide (``new_resource`` returns the inputs, ``call`` returns
its arguments), with nothing Moorage-specific in them."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from moorage import WebService

IMAGE = "ghcr.io/acme/api:1.4.2"


class GuideMocks(pulumi.runtime.Mocks):
    """Exactly the mocks of Pulumi's unit-testing guide."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return args.name + "_id", args.inputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return args.args, []


SHAPES: dict[str, dict[str, Any]] = {
    "secrets": {"secrets": {"TOKEN": "s3cr3t"}, "config": {"MODE": "x"}},
    "rolling": {"autoscaling": {"max_replicas": 4}, "metrics": {}},
    "blue_green": {"strategy": "blue_green", "secrets": {"TOKEN": "s3cr3t"}},
    "blue_green_active": {"strategy": "blue_green", "blue_green": {"active_color": "green"}},
    "canary": {"strategy": "canary", "replicas": 4, "secrets": {"TOKEN": "s3cr3t"}},
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_web_service_constructs_under_the_testing_guides_mocks(shape: str) -> None:
    pulumi.runtime.set_mocks(GuideMocks(), project="user", stack="unit", preview=False)
    construct(shape)


@pulumi.runtime.test
def construct(shape: str) -> pulumi.Output[None]:
    service = WebService("api", {"image": IMAGE, **SHAPES[shape]})  # type: ignore[typeddict-item]

    def check(values: list[Any]) -> None:
        deployment_name, annotations = values
        assert deployment_name
        assert ("checksum/secrets" in annotations) == ("secrets" in SHAPES[shape])

    return pulumi.Output.all(
        service.deployment_name,
        service.deployment.spec.template.metadata.annotations.apply(lambda a: dict(a or {})),
    ).apply(check)


def test_an_application_with_secrets_and_a_reference_constructs_under_the_guides_mocks() -> None:
    pulumi.runtime.set_mocks(GuideMocks(), project="user", stack="unit", preview=False)
    construct_application()


@pulumi.runtime.test
def construct_application() -> pulumi.Output[None]:
    from moorage import Application

    app = Application(
        "shop",
        {
            "services": {
                "api": {"image": IMAGE, "secrets": {"TOKEN": "s3cr3t"}},
                "web": {"image": IMAGE, "strategy": "blue_green"},
            },
            "service_refs": {"web": {"API_URL": {"service": "api"}}},
        },
    )

    def check(values: list[Any]) -> None:
        urls, web_env = values
        assert set(urls) == {"api", "web"}
        assert {"name": "API_URL", "value": urls["api"]} in web_env

    web = app.services["web"].deployment.spec.template.spec.containers[0].env
    return pulumi.Output.all(
        app.urls, web.apply(lambda env: [{"name": e.name, "value": e.value} for e in env or []])
    ).apply(check)
