"""Workload facet: pod-level fields (host aliases)."""

from __future__ import annotations

from typing import Any

import pytest
from moorage import ValidationError
from moorage.webservice import render

from tests.unit.webservice.helpers import pod_spec, spec, web_service

ALIAS = {"ip": "10.0.0.7", "hostnames": ["legacy-db", "legacy-db.internal"]}


def test_host_aliases_reach_the_pod(mocks: Any) -> None:
    web_service(mocks, host_aliases=[ALIAS, {"ip": "2001:db8::7", "hostnames": ["v6"]}])

    assert pod_spec(mocks)["hostAliases"] == [
        ALIAS,
        {"ip": "2001:db8::7", "hostnames": ["v6"]},
    ]


def test_no_host_aliases_by_default() -> None:
    assert "hostAliases" not in render(spec()).pod_template["spec"]


@pytest.mark.parametrize(
    ("alias", "field", "message"),
    [
        ({"hostnames": ["a"]}, "host_aliases[0].ip", "is required"),
        ({"ip": "10.0.0.300", "hostnames": ["a"]}, "host_aliases[0].ip", "must be an IP"),
        ({"ip": 167772167, "hostnames": ["a"]}, "host_aliases[0].ip", "must be an IP"),
        ({"ip": "10.0.0.7", "hostnames": []}, "host_aliases[0].hostnames", "at least one"),
        ({"ip": "10.0.0.7", "hostnames": ["Not_A_Host"]}, "host_aliases[0].hostnames[0]", ""),
        ({"ip": "10.0.0.7", "hostnames": ["a"], "ipp": "x"}, "host_aliases[0].ipp", "known"),
    ],
)
def test_bad_host_aliases_are_refused(alias: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        spec(host_aliases=[alias])
    assert error.value.field == field
    assert message in str(error.value)
