"""network_policy.egress: opt-in default-deny egress that always allows DNS; the metrics
port opened to a monitoring namespace; a warning when nothing can scrape the metrics."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pulumi
import pytest
from moorage._errors import ValidationError

from tests.unit.webservice.helpers import NETWORK_POLICY, inputs, web_service

DNS_RULE = {
    "to": [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }
    ],
    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
}


def policy(mocks: Any, **fields: Any) -> dict[str, Any]:
    web_service(mocks, **fields)
    spec: dict[str, Any] = inputs(mocks, NETWORK_POLICY)["spec"]
    return spec


def test_egress_is_not_restricted_by_default(mocks: Any) -> None:
    spec = policy(mocks)

    assert spec["policyTypes"] == ["Ingress"]
    assert "egress" not in spec


def test_egress_alone_allows_only_dns_to_kube_dns(mocks: Any) -> None:
    spec = policy(mocks, network_policy={"egress": {}})

    assert spec["policyTypes"] == ["Ingress", "Egress"]
    assert spec["egress"] == [DNS_RULE]


def test_egress_can_be_turned_off_again(mocks: Any) -> None:
    spec = policy(mocks, network_policy={"egress": {"enabled": False, "allow_ports": [443]}})

    assert spec["policyTypes"] == ["Ingress"]


def test_egress_allow_lists_become_one_rule_after_dns(mocks: Any) -> None:
    spec = policy(
        mocks,
        network_policy={
            "egress": {
                "allow_to_namespaces": ["data"],
                "allow_to_pod_labels": {"app": "postgres"},
                "allow_cidrs": ["10.20.0.0/16"],
                "allow_ports": [5432],
            }
        },
    )

    pods = {"matchLabels": {"app": "postgres"}}
    assert spec["egress"] == [
        DNS_RULE,
        {
            "to": [
                {"podSelector": pods},
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "data"}},
                    "podSelector": pods,
                },
                {"ipBlock": {"cidr": "10.20.0.0/16"}},
            ],
            "ports": [{"protocol": "TCP", "port": 5432}],
        },
    ]


def test_ports_alone_open_those_ports_to_any_destination(mocks: Any) -> None:
    spec = policy(mocks, network_policy={"egress": {"allow_ports": [443]}})

    assert spec["egress"][1] == {"ports": [{"protocol": "TCP", "port": 443}]}


def test_a_namespace_without_pod_labels_admits_all_its_pods(mocks: Any) -> None:
    spec = policy(mocks, network_policy={"egress": {"allow_to_namespaces": ["data"]}})

    assert spec["egress"][1] == {
        "to": [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "data"}},
                "podSelector": {},
            }
        ]
    }


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        ({"egress": {"allow_cidrs": ["10.0.0.1"]}}, "network_policy.egress.allow_cidrs[0]", "CIDR"),
        ({"egress": {"allow_ports": [0]}}, "network_policy.egress.allow_ports[0]", "1 to 65535"),
        (
            {"egress": {"allow_to_namespaces": ["Data"]}},
            "network_policy.egress.allow_to_namespaces[0]",
            "DNS-1123",
        ),
        (
            {"egress": {"allow_to_pod_labels": {"app": "a b"}}},
            "network_policy.egress.allow_to_pod_labels.app",
            "label value",
        ),
        (
            {"egress": {"allow_everything": True}},
            "network_policy.egress.allow_everything",
            "EgressArgs",
        ),
        ({"egress": {"enabled": "yes"}}, "network_policy.egress.enabled", "true or false"),
        (
            {"enabled": False, "egress": {}},
            "network_policy.egress",
            "needs the NetworkPolicy",
        ),
        (
            {"allow_metrics_from_namespaces": ["monitoring"]},
            "network_policy.allow_metrics_from_namespaces",
            "metrics is not set",
        ),
    ],
)
def test_bad_egress_input_names_the_field(
    mocks: Any, fields: dict[str, Any], field: str, rule: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        web_service(mocks, network_policy=fields)

    assert caught.value.field == field
    assert rule in caught.value.rule


# -- metrics -------------------------------------------------------------------------


def test_the_metrics_port_can_be_opened_to_a_monitoring_namespace(mocks: Any) -> None:
    spec = policy(
        mocks,
        metrics={"port": 9090},
        network_policy={"allow_metrics_from_namespaces": ["monitoring"]},
    )

    assert spec["ingress"][1] == {
        "from": [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
        ],
        "ports": [{"protocol": "TCP", "port": 9090}],
    }


def _warnings(mocks: Any, **fields: Any) -> list[str]:
    with mock.patch.object(pulumi.log, "warn") as warn:
        web_service(mocks, **fields)
    return [str(call.args[0]) for call in warn.call_args_list]


def test_metrics_nobody_can_scrape_are_warned_about(mocks: Any) -> None:
    warnings = _warnings(mocks, metrics={})

    assert any("metrics is set" in w and "allow_metrics_from_namespaces" in w for w in warnings), (
        warnings
    )


@pytest.mark.parametrize(
    "network_policy",
    [
        {"allow_metrics_from_namespaces": ["monitoring"]},
        {"allow_from_namespaces": ["monitoring"]},
        {"enabled": False},
    ],
)
def test_no_metrics_warning_when_a_scraper_can_reach_them(
    mocks: Any, network_policy: dict[str, Any]
) -> None:
    warnings = _warnings(mocks, metrics={}, network_policy=network_policy)

    assert [w for w in warnings if "metrics is set" in w] == []
