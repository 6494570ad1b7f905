"""The pure builders: image parsing, naming, labels, checksums and manifests (no mocks)."""

from __future__ import annotations

import hashlib

import pytest
from moorage import _rules as rule
from moorage.webservice import manifests as m

from tests.unit.webservice_helpers import DIGEST, spec

# -- image references -----------------------------------------------------------------


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


# -- naming and labels ------------------------------------------------------------------


def test_config_and_secret_names_are_deterministic():
    assert (m.config_map_name("api"), m.secret_name("api")) == ("api-config", "api-secrets")


def test_standard_labels_win_over_user_labels():
    labels = m.standard_labels(
        spec(labels={"app.kubernetes.io/version": "spoofed", "tier": "backend"})
    )

    assert labels["app.kubernetes.io/version"] == "1.4.2"
    assert labels["tier"] == "backend"
    assert m.selector_labels("api").items() <= labels.items()


# -- checksums ------------------------------------------------------------------------


def test_config_checksum_ignores_key_order_and_tracks_every_change():
    base = m.config_checksum({"A": "1", "B": "2"})

    assert m.config_checksum({"B": "2", "A": "1"}) == base
    assert m.config_checksum({"A": "1", "B": "3"}) != base
    assert m.config_checksum({"A": "1", "C": "2"}) != base
    assert m.config_checksum({"A": "1"}) != base


def test_secrets_checksum_is_stable_and_changes_with_the_data():
    data = {"DB_PASSWORD": "hunter2"}

    assert m.secrets_checksum("moorage/api", data) == m.secrets_checksum("moorage/api", dict(data))
    assert m.secrets_checksum("moorage/api", data) != m.secrets_checksum(
        "moorage/api", {"DB_PASSWORD": "hunter3"}
    )


def test_secrets_checksum_differs_between_services_sharing_a_password():
    # Otherwise anyone who can read pod annotations learns that two services share a secret.
    data = {"DB_PASSWORD": "hunter2"}

    assert m.secrets_checksum("moorage/api", data) != m.secrets_checksum("moorage/worker", data)


def test_secrets_checksum_is_not_a_plain_hash_of_the_secret():
    checksum = m.secrets_checksum("moorage/api", {"DB_PASSWORD": "hunter2"})

    assert "hunter2" not in checksum
    assert checksum not in hashlib.sha256(b"hunter2").hexdigest()
    assert checksum not in hashlib.sha256(b'{"DB_PASSWORD":"hunter2"}').hexdigest()


# -- manifests built from a spec --------------------------------------------------------


def test_deployment_spec_leaves_replicas_to_the_hpa():
    assert "replicas" not in m.deployment_spec(spec(autoscaling={}), {})
    assert m.deployment_spec(spec(replicas=3), {})["replicas"] == 3


def test_checksums_are_pod_template_annotations():
    checksums = {m.CONFIG_CHECKSUM: "abc", m.SECRETS_CHECKSUM: "def"}

    template = m.deployment_spec(spec(), checksums)["template"]

    assert checksums.items() <= template["metadata"]["annotations"].items()


def test_env_order_does_not_depend_on_argument_order():
    # A reordered dict must not show up as a Deployment diff.
    first = m.env(spec(env={"A": "1", "B": "2"}, secrets={"X": "s", "Y": "t"}))
    second = m.env(spec(env={"B": "2", "A": "1"}, secrets={"Y": "t", "X": "s"}))

    assert first == second


def test_secrets_become_secret_key_refs_and_never_values():
    variables = m.env(spec(secrets={"TOKEN": "s3cr3t"}))

    assert variables == [
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "api-secrets", "key": "TOKEN"}}}
    ]


def test_liveness_tolerates_more_failures_than_readiness():
    probes = m.probes(spec(probes={"failure_threshold": 4}))

    assert probes["readinessProbe"]["failureThreshold"] == 4
    assert probes["livenessProbe"]["failureThreshold"] > 4


def test_hpa_metrics_follow_the_targets():
    hpa = m.hpa_spec(spec(autoscaling={"target_memory_utilization": 80}))

    assert [
        (x["resource"]["name"], x["resource"]["target"]["averageUtilization"])
        for x in hpa["metrics"]
    ] == [("memory", 80)]


def test_network_policy_uses_the_container_port_not_the_service_port():
    policy = m.network_policy_spec(spec(port=9000, service_port=80))

    assert policy["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 9000}]


def test_service_spec_omits_source_ranges_unless_given():
    assert "loadBalancerSourceRanges" not in m.service_spec(spec())


def test_resources_without_cpu_limit():
    res = m.resources(spec(resources={"cpu_limit_enabled": False}))

    assert "cpu" not in res["limits"]
    assert "cpu" in res["requests"]
