"""Issue 23, item 9: the LoadBalancer allow-list is one rule (``_rules``), applied to every
LoadBalancer Service by the stack setting, the policy pack and the component's warning."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pulumi
import pytest
from moorage import WebService
from moorage._errors import ValidationError
from moorage._stack_config import parse_stack_settings
from moorage_policy import network

from .conftest import RecordingMocks
from .webservice.helpers import web_service

OPEN = ["0.0.0.0/0", "::/0"]
RANGES = {
    "none": [],
    "everyone-v4": ["0.0.0.0/0"],
    "everyone-v6": ["203.0.113.0/24", "::/0"],
    "clients": ["203.0.113.0/24", "2001:db8::/64"],
}


def eks(service: dict[str, Any]) -> dict[str, str]:
    return {
        "moorage:cloud": "eks",
        "moorage:services": json.dumps({"web": {"image": "ghcr.io/acme/web:1.0.0", **service}}),
    }


@pytest.mark.parametrize("ranges", [["0.0.0.0/0"], ["::/0"], ["203.0.113.0/24", "0.0.0.0/0"]])
def test_a_range_allowing_every_address_is_no_allow_list(ranges: list[str]) -> None:
    with pytest.raises(ValidationError) as error:
        parse_stack_settings(eks({"load_balancer_source_ranges": ranges}))
    message = str(error.value)
    assert "moorage:services.web.load_balancer_source_ranges" in message
    assert "allows every address" in message
    assert "requireLoadBalancerAllowList" in message


def test_every_extra_load_balancer_needs_an_allow_list() -> None:
    extra = {"name": "public", "type": "LoadBalancer"}
    service = {"load_balancer_source_ranges": ["203.0.113.0/24"], "extra_services": [extra]}
    with pytest.raises(ValidationError) as error:
        parse_stack_settings(eks(service))
    assert "moorage:services.web.extra_services[0].load_balancer_source_ranges ([])" in str(
        error.value
    )
    extra["load_balancer_source_ranges"] = ["::/0"]  # type: ignore[assignment]
    with pytest.raises(ValidationError, match="allows every address"):
        parse_stack_settings(eks(service))
    extra["load_balancer_source_ranges"] = ["198.51.100.0/24"]  # type: ignore[assignment]
    parse_stack_settings(eks(service))
    extra["type"] = "ClusterIP"
    del extra["load_balancer_source_ranges"]
    parse_stack_settings(eks(service))


@pytest.mark.parametrize("ranges", RANGES.values(), ids=RANGES.keys())
def test_the_stack_setting_and_the_policy_pack_agree(ranges: list[str]) -> None:
    from moorage._rules import load_balancer_exposure  # the one rule both apply

    service = {
        "metadata": {"name": "web"},
        "spec": {"type": "LoadBalancer", "loadBalancerSourceRanges": ranges},
    }
    pack_finds = bool(network.check_load_balancer(service))
    try:
        parse_stack_settings(eks({"load_balancer_source_ranges": ranges}))
        stack_refuses = False
    except ValidationError:
        stack_refuses = True
    assert pack_finds == stack_refuses == (load_balancer_exposure(ranges) is not None)


def warnings_of(mocks: RecordingMocks, **fields: Any) -> list[str]:
    with mock.patch.object(pulumi.log, "warn") as warn:
        web_service(mocks, **fields)
    return [str(call.args[0]) for call in warn.call_args_list if "LoadBalancer" in call.args[0]]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"service_type": "LoadBalancer"}, "load_balancer_source_ranges ([])"),
        (
            {"service_type": "LoadBalancer", "load_balancer_source_ranges": ["::/0"]},
            "load_balancer_source_ranges (['::/0'])",
        ),
        (
            {"extra_services": [{"name": "public", "type": "LoadBalancer"}]},
            "extra_services[0].load_balancer_source_ranges ([])",
        ),
    ],
)
def test_an_open_load_balancer_is_warned_of(
    mocks: RecordingMocks, fields: dict[str, Any], field: str
) -> None:
    found = warnings_of(mocks, **fields)
    assert len(found) == 1
    assert f'WebService "api": {field}: the LoadBalancer Service' in found[0]
    assert "moorage.dev/public-load-balancer" in found[0]


@pytest.mark.parametrize(
    "fields",
    [
        {"service_type": "LoadBalancer", "load_balancer_source_ranges": ["203.0.113.0/24"]},
        {
            "service_type": "LoadBalancer",
            "service_annotations": {"moorage.dev/public-load-balancer": "true"},
        },
        {
            "service_type": "LoadBalancer",
            "annotations": {"moorage.dev/public-load-balancer": "true"},  # every object's
        },
        {"service_type": "ClusterIP"},
    ],
)
def test_a_restricted_or_deliberately_public_load_balancer_is_not(
    mocks: RecordingMocks, fields: dict[str, Any]
) -> None:
    assert warnings_of(mocks, **fields) == []


def test_an_output_range_is_looked_at_and_a_secret_never_shown(mocks: RecordingMocks) -> None:
    with mock.patch.object(pulumi.log, "warn") as warn:
        mocks.run(
            lambda: WebService(
                "api",
                {
                    "image": "ghcr.io/acme/api:1.4.2",
                    "service_type": "LoadBalancer",
                    "load_balancer_source_ranges": [pulumi.Output.secret("0.0.0.0/0")],
                },
            )
        )
    found = [str(c.args[0]) for c in warn.call_args_list if "LoadBalancer" in c.args[0]]
    assert len(found) == 1
    assert "[secret]" in found[0] and "0.0.0.0" not in found[0]
