"""Reading ``addons`` (addons/_read.py): one clear error for bad input, per platform."""

from __future__ import annotations

from typing import Any

import pytest
from moorage import ValidationError
from moorage._fields import Fields
from moorage.addons import ADDONS, read_addons

LABEL = 'EksCluster "staging"'


def read(addons: Any, platform: str = "eks") -> list[Any]:
    return read_addons(Fields(LABEL, {"addons": addons}), "addons", platform)


def test_nothing_is_installed_unless_enabled() -> None:
    assert read(None) == []
    assert read({"cert_manager": {"version": "v1.19.1"}}) == []


def test_an_enabled_addon_gets_its_pinned_chart_and_namespace() -> None:
    (spec,) = read({"cert_manager": {"enabled": True}})
    assert spec.chart.chart == "cert-manager"
    assert spec.chart.version == ADDONS["cert_manager"].chart.version
    assert spec.chart.repository == "https://charts.jetstack.io"
    assert spec.chart.namespace == "cert-manager"
    assert spec.chart.create_namespace is True
    assert spec.crds is None


def test_user_version_repository_namespace_and_values_are_used() -> None:
    (spec,) = read(
        {
            "prometheus": {
                "enabled": True,
                "version": "77.14.0",
                "repository": "https://mirror.example.com/charts",
                "namespace": "observability",
                "values": {"grafana": {"enabled": False}},
            }
        }
    )
    assert (spec.chart.version, spec.chart.repository) == (
        "77.14.0",
        "https://mirror.example.com/charts",
    )
    assert spec.chart.namespace == spec.crds.namespace == "observability"
    assert spec.chart.values == {"grafana": {"enabled": False}}
    # Hooks run through a Release; CRDs come server-side from the CRD-only chart.
    assert spec.chart.run_hooks and spec.chart.skip_crds
    assert spec.crds.chart == "prometheus-operator-crds" and not spec.crds.run_hooks


def test_the_cluster_autoscaler_runs_in_kube_system_which_is_not_created() -> None:
    (spec,) = read({"cluster_autoscaler": {"enabled": True}})
    assert spec.chart.namespace == "kube-system" and spec.chart.create_namespace is False


def test_gke_gateway_is_the_clusters_own_controller() -> None:
    (spec,) = read({"gateway": {"enabled": True}}, "gke")
    assert spec.chart is None


def test_every_addon_says_how_it_is_installed_and_where_it_runs() -> None:
    for addon in ADDONS.values():
        assert addon.install, addon.key
        assert addon.run_hooks == ("helm.v3.Release" in addon.install), addon.key
        assert set(addon.supported) | set(addon.refused) <= {
            "local",
            "eks",
            "eks-auto",
            "gke",
            "gke-autopilot",
        }


BAD = [
    pytest.param(
        {"cert_manger": {"enabled": True}},
        "eks",
        "addons.cert_manger",
        'did you mean "cert_manager"',
        id="unknown-addon",
    ),
    pytest.param(["cert_manager"], "eks", "addons", "must be a mapping", id="list"),
    pytest.param(
        {"cert_manager": {"enabled": "yes"}},
        "eks",
        "addons.cert_manager.enabled",
        "must be true or false",
        id="enabled-type",
    ),
    pytest.param(
        {"cert_manager": {"enabled": True, "values": ["x"]}},
        "eks",
        "addons.cert_manager.values",
        "must be a mapping",
        id="values-type",
    ),
    pytest.param(
        {"cert_manager": {"enabled": True, "version": None}},
        "eks",
        "addons.cert_manager.version",
        "is required",
        id="missing-version",
    ),
    pytest.param(
        {"cert_manager": {"enabled": True, "version": "~1.19"}},
        "eks",
        "addons.cert_manager.version",
        "not a range",
        id="floating-version",
    ),
    pytest.param(
        {"cert_manager": {"version": "latest"}},
        "eks",
        "addons.cert_manager.version",
        "not a range",
        id="floating-version-while-off",
    ),
    pytest.param(
        {"cert_manager": {"enabled": True, "namespace": "Certs"}},
        "eks",
        "addons.cert_manager.namespace",
        "DNS-1123",
        id="namespace",
    ),
    pytest.param(
        {"cert_manager": {"enabled": True, "domain_filters": ["a.com"]}},
        "eks",
        "addons.cert_manager.domain_filters",
        "only to the external_dns add-on",
        id="other-addons-field",
    ),
    pytest.param(
        {"cert_manager": {"enabled": True, "cluster_issuer_email": "ops"}},
        "eks",
        "addons.cert_manager.cluster_issuer_email",
        "e-mail",
        id="issuer-email",
    ),
    pytest.param(
        {"external_dns": {"enabled": True}},
        "eks",
        "addons.external_dns.domain_filters",
        "is required",
        id="dns-domains",
    ),
    pytest.param(
        {"metrics_server": {"enabled": True}},
        "gke",
        "addons.metrics_server.enabled",
        "cannot be turned on on GKE: GKE runs metrics-server itself",
        id="metrics-on-gke",
    ),
    pytest.param(
        {"metrics_server": {"enabled": True}},
        "eks",
        "addons.metrics_server.enabled",
        "managed addon",
        id="metrics-on-eks",
    ),
    pytest.param(
        {"load_balancer_controller": {"enabled": True}},
        "eks-auto",
        "addons.load_balancer_controller.enabled",
        "Auto Mode has its own",
        id="lbc-on-auto",
    ),
    pytest.param(
        {"load_balancer_controller": {"enabled": True}},
        "gke",
        "addons.load_balancer_controller.enabled",
        "AWS controller",
        id="lbc-on-gke",
    ),
    pytest.param(
        {"cluster_autoscaler": {"enabled": True}},
        "local",
        "addons.cluster_autoscaler.enabled",
        "fixed number of nodes",
        id="ca-on-local",
    ),
    pytest.param(
        {"external_dns": {"enabled": True, "domain_filters": ["a.com"]}},
        "local",
        "addons.external_dns.enabled",
        "no DNS zone",
        id="dns-on-local",
    ),
]


@pytest.mark.parametrize(("addons", "platform", "field", "rule"), BAD)
def test_bad_input_gets_one_clear_error(addons: Any, platform: str, field: str, rule: str) -> None:
    with pytest.raises(ValidationError) as raised:
        read(addons, platform)
    assert raised.value.field == field
    assert rule in raised.value.rule
    assert str(raised.value).startswith(f"{LABEL}: {field} (")


def test_a_crd_chart_released_with_its_chart_follows_its_version() -> None:
    (gateway,) = read({"gateway": {"enabled": True, "version": "v1.5.5"}})
    assert gateway.chart.version == gateway.crds.version == "v1.5.5"
    (prometheus,) = read({"prometheus": {"enabled": True, "version": "77.14.0"}})
    assert prometheus.crds.version == ADDONS["prometheus"].crds.version
