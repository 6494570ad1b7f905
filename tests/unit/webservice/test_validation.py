"""Bad input fails early, with a message naming the component, the field and the rule.

The table-driven checks that cut across features live here; the errors of one feature
(labels, source ranges, volume mounts) sit beside that feature's other tests.
"""

from __future__ import annotations

import gc
import logging

import pulumi
import pytest
from moorage._errors import ValidationError
from moorage.webservice import WebService, build_spec

from tests.unit.webservice.helpers import (
    COMPONENT_TYPE,
    DEPLOYMENT,
    DIGEST,
    IMAGE,
    SERVICE,
    container,
    inputs,
    kubernetes_resources,
    web_service,
)

SECRET_VALUE = "s3cr3t-value"


def bad(id_, fields, field, rule, name="api"):
    """One row: ``fields`` for WebService ``name`` must fail on ``field`` with ``rule``."""
    return pytest.param(name, fields, field, rule, id=id_)


BAD_INPUT = [
    # names and namespaces
    bad("name-uppercase", {}, "name", "DNS-1035", name="API"),
    bad("name-leading-dash", {}, "name", "DNS-1035", name="-x"),
    bad("name-64-chars", {}, "name", "DNS-1035", name="a" * 64),
    bad("name-leading-digit", {}, "name", "DNS-1035", name="1abc"),
    bad("namespace-uppercase", {"namespace": "API"}, "namespace", "DNS-1123"),
    bad("namespace-leading-dash", {"namespace": "-x"}, "namespace", "DNS-1123"),
    bad("namespace-64-chars", {"namespace": "a" * 64}, "namespace", "DNS-1123"),
    bad("namespace-underscore", {"namespace": "shop_eu"}, "namespace", "DNS-1123"),
    # images
    bad("image-missing", {"image": None}, "image", "is required"),
    bad("image-empty", {"image": ""}, "image", "non-empty"),
    bad("image-untagged", {"image": "nginx"}, "image", "no tag or digest"),
    bad("image-untagged-path", {"image": "ghcr.io/acme/api"}, "image", "no tag or digest"),
    bad("image-registry-port", {"image": "registry.local:5000/api"}, "image", "no tag or digest"),
    bad("image-latest", {"image": "nginx:latest"}, "image", "'latest'"),
    bad("image-latest-path", {"image": "ghcr.io/acme/api:latest"}, "image", "'latest'"),
    bad("image-whitespace", {"image": "nginx: 1.25"}, "image", "whitespace"),
    bad("image-empty-tag", {"image": "nginx:"}, "image", "not a valid image reference"),
    bad("image-bad-digest", {"image": "ghcr.io/acme/api@sha256:xyz"}, "image", "malformed digest"),
    bad("pull-policy", {"image_pull_policy": "Sometimes"}, "image_pull_policy", "one of Always"),
    bad(
        "allow-unpinned-not-bool",
        {"allow_unpinned_image": "yes"},
        "allow_unpinned_image",
        "true or false",
    ),
    # ports and replicas
    bad("port-0", {"port": 0}, "port", "from 1 to 65535"),
    bad("port-70000", {"port": 70000}, "port", "from 1 to 65535"),
    bad("port-string", {"port": "8080"}, "port", "from 1 to 65535"),
    bad("service-port-0", {"service_port": 0}, "service_port", "from 1 to 65535"),
    bad("metrics-port", {"metrics": {"port": 70000}}, "metrics.port", "from 1 to 65535"),
    bad("replicas-negative", {"replicas": -1}, "replicas", "0 or more"),
    bad("replicas-bool", {"replicas": True}, "replicas", "0 or more"),
    bad(
        "replicas-with-autoscaling",
        {"replicas": 2, "autoscaling": {}},
        "replicas",
        "cannot be set together with autoscaling",
    ),
    # autoscaling
    bad(
        "hpa-min-above-max",
        {"autoscaling": {"min_replicas": 5, "max_replicas": 3}},
        "autoscaling.min_replicas",
        "greater than autoscaling.max_replicas (3)",
    ),
    bad("hpa-min-0", {"autoscaling": {"min_replicas": 0}}, "autoscaling.min_replicas", "1 or more"),
    bad(
        "hpa-cpu-0",
        {"autoscaling": {"target_cpu_utilization": 0}},
        "autoscaling.target_cpu_utilization",
        "from 1 to 100",
    ),
    bad(
        "hpa-cpu-101",
        {"autoscaling": {"target_cpu_utilization": 101}},
        "autoscaling.target_cpu_utilization",
        "from 1 to 100",
    ),
    bad(
        "hpa-memory-101",
        {"autoscaling": {"target_memory_utilization": 101}},
        "autoscaling.target_memory_utilization",
        "from 1 to 100",
    ),
    # resource quantities
    bad(
        "quantity-word",
        {"resources": {"cpu_request": "lots"}},
        "resources.cpu_request",
        "not a Kubernetes quantity",
    ),
    bad(
        "quantity-two-dots",
        {"resources": {"memory_limit": "1.2.3"}},
        "resources.memory_limit",
        "not a Kubernetes quantity",
    ),
    bad(
        "quantity-negative",
        {"resources": {"ephemeral_storage_request": "-1Gi"}},
        "resources.ephemeral_storage_request",
        "must not be negative",
    ),
    bad(
        "cpu-request-above-limit",
        {"resources": {"cpu_request": "2", "cpu_limit": "1"}},
        "resources.cpu_request",
        "greater than resources.cpu_limit",
    ),
    bad(
        "memory-request-above-limit",
        {"resources": {"memory_request": "1Gi", "memory_limit": "512Mi"}},
        "resources.memory_request",
        "greater than resources.memory_limit",
    ),
    # config, secrets and env keys
    bad("config-key", {"config": {"bad key!": "x"}}, "config.bad key!", "ConfigMap/Secret key"),
    bad("config-key-dotdot", {"config": {"..": "x"}}, "config...", "ConfigMap/Secret key"),
    bad("secret-key", {"secrets": {"bad/key": "x"}}, "secrets.bad/key", "ConfigMap/Secret key"),
    bad(
        "key-in-config-and-secrets",
        {"config": {"DB_URL": "a"}, "secrets": {"DB_URL": "b"}},
        "secrets.DB_URL",
        "also a key of config",
    ),
    bad(
        "key-in-config-and-env",
        {"config": {"MODE": "a"}, "env": {"MODE": "b"}},
        "env.MODE",
        "also a key of config",
    ),
    bad(
        "key-in-secrets-and-env",
        {"secrets": {"TOKEN": "a"}, "env": {"TOKEN": "b"}},
        "env.TOKEN",
        "also a key of secrets",
    ),
    bad("env-leading-digit", {"env": {"1BAD": "x"}}, "env.1BAD", "environment variable name"),
    bad("env-dash", {"env": {"A-B": "x"}}, "env.A-B", "environment variable name"),
    bad("secret-env-name", {"secrets": {"1BAD": "x"}}, "secrets.1BAD", "environment variable name"),
    bad("config-env-name", {"config": {"A-B": "x"}}, "config.A-B", "environment variable name"),
    bad("env-not-mapping", {"env": ["A=1"]}, "env", "must be a mapping"),
    # paths
    bad(
        "readiness-path", {"probes": {"readiness_path": "healthz"}}, "probes.readiness_path", "'/'"
    ),
    bad("liveness-path", {"probes": {"liveness_path": "livez"}}, "probes.liveness_path", "'/'"),
    bad("probe-period-0", {"probes": {"period_seconds": 0}}, "probes.period_seconds", "1 or more"),
    bad("metrics-path", {"metrics": {"path": "metrics"}}, "metrics.path", "'/'"),
    bad(
        "ingress-path", {"ingress": {"host": "a.example.com", "path": "v1"}}, "ingress.path", "'/'"
    ),
    bad(
        "config-mount-path", {"config_mount_path": "etc/api"}, "config_mount_path", "absolute path"
    ),
    # unknown fields
    bad(
        "typo-field",
        {"replica": 3},
        "replica",
        'not a known field of WebServiceArgs; did you mean "replicas"?',
    ),
    bad(
        "camel-case-field",
        {"imagePullPolicy": "Always"},
        "imagePullPolicy",
        'not a known field of WebServiceArgs; did you mean "image_pull_policy"?',
    ),
    # service
    bad(
        "service-type-external",
        {"service_type": "ExternalName"},
        "service_type",
        "one of ClusterIP",
    ),
    bad(
        "service-type-lowercase", {"service_type": "clusterip"}, "service_type", "one of ClusterIP"
    ),
    bad(
        "lb-range-prefix",
        {"service_type": "LoadBalancer", "load_balancer_source_ranges": ["10.0.0.0/33"]},
        "load_balancer_source_ranges[0]",
        "CIDR",
    ),
    bad(
        "lb-range-host-bits",
        {
            "service_type": "LoadBalancer",
            "load_balancer_source_ranges": ["10.0.0.0/8", "10.0.0.1/8"],
        },
        "load_balancer_source_ranges[1]",
        "CIDR",
    ),
    bad(
        "lb-range-word",
        {"service_type": "LoadBalancer", "load_balancer_source_ranges": ["office"]},
        "load_balancer_source_ranges[0]",
        "CIDR",
    ),
    bad("ingress-host-missing", {"ingress": {"path": "/"}}, "ingress.host", "is required"),
    bad(
        "ingress-host",
        {"ingress": {"host": "API.example.com"}},
        "ingress.host",
        "DNS-1123 subdomain",
    ),
    # network policy
    bad(
        "np-namespace",
        {"network_policy": {"allow_from_namespaces": ["Bad_NS"]}},
        "network_policy.allow_from_namespaces[0]",
        "DNS-1123",
    ),
    bad(
        "np-cidr",
        {"network_policy": {"allow_cidrs": ["x"]}},
        "network_policy.allow_cidrs[0]",
        "CIDR",
    ),
    # volumes
    bad(
        "volume-no-source",
        {"volumes": [{"name": "data", "mount_path": "/data"}]},
        "volumes[0]",
        "exactly one of",
    ),
    bad(
        "volume-two-sources",
        {
            "volumes": [
                {"name": "data", "mount_path": "/data", "secret_name": "a", "config_map_name": "b"}
            ]
        },
        "volumes[0]",
        "exactly one of",
    ),
    bad(
        "volume-reserved-name",
        {"volumes": [{"name": "tmp", "mount_path": "/scratch", "empty_dir_size_limit": "1Gi"}]},
        "volumes[0].name",
        "already used",
    ),
    bad(
        "volume-duplicate-name",
        {
            "volumes": [
                {"name": "data", "mount_path": "/a", "secret_name": "a"},
                {"name": "data", "mount_path": "/b", "secret_name": "b"},
            ]
        },
        "volumes[1].name",
        "already used",
    ),
    bad(
        "volume-relative-mount",
        {"volumes": [{"name": "data", "mount_path": "data", "secret_name": "a"}]},
        "volumes[0].mount_path",
        "absolute path",
    ),
    # pod lifecycle and identity
    bad(
        "pre-stop-equals-grace",
        {"pre_stop_delay_seconds": 30, "termination_grace_period_seconds": 30},
        "pre_stop_delay_seconds",
        "less than termination_grace_period_seconds (30)",
    ),
    bad(
        "pre-stop-above-grace",
        {"pre_stop_delay_seconds": 10, "termination_grace_period_seconds": 5},
        "pre_stop_delay_seconds",
        "less than termination_grace_period_seconds (5)",
    ),
    bad("run-as-root", {"run_as_user": 0}, "run_as_user", "1 or more"),
    bad("version-label", {"version": "1.0 beta"}, "version", "valid label value"),
]


@pytest.mark.parametrize(("name", "fields", "field", "rule"), BAD_INPUT)
def test_bad_input_fails_before_any_kubernetes_resource(mocks, name, fields, field, rule):
    with pytest.raises(ValidationError) as caught:
        web_service(mocks, name=name, **fields)

    message = str(caught.value)
    assert message.startswith(f'WebService "{name}": {field} (')
    assert rule in message
    # The component itself registers first; none of its children may.
    assert kubernetes_resources(mocks) == []
    assert [r.typ for r in mocks.resources] == [COMPONENT_TYPE]


GOOD_INPUT = [
    pytest.param({"image": "nginx", "allow_unpinned_image": True}, id="untagged-allowed"),
    pytest.param({"image": "nginx:latest", "allow_unpinned_image": True}, id="latest-allowed"),
    pytest.param({"image": f"ghcr.io/acme/api@{DIGEST}"}, id="digest"),
    pytest.param({"image": f"ghcr.io/acme/api:1.4.2@{DIGEST}"}, id="tag-and-digest"),
    pytest.param({"image": "registry.local:5000/team/api:2.0"}, id="registry-port"),
    pytest.param({"namespace": "1abc"}, id="namespace-may-start-with-digit"),
    pytest.param({"replicas": 0}, id="zero-replicas"),
    pytest.param({"pre_stop_delay_seconds": 29}, id="pre-stop-just-below-grace"),
    pytest.param(
        {"resources": {"memory_request": "256Mi", "memory_limit": "256Mi"}},
        id="request-equals-limit",
    ),
    pytest.param(
        {"resources": {"cpu_limit_enabled": False, "cpu_request": "4", "cpu_limit": "1"}},
        id="no-cpu-limit-so-any-request",
    ),
    pytest.param(
        {"config": {"app.yaml": "a: 1"}, "config_as_env": False, "config_mount_path": "/etc/api"},
        id="file-config-keys",
    ),
]


@pytest.mark.parametrize("fields", GOOD_INPUT)
def test_good_input_is_accepted(mocks, fields):
    web_service(mocks, **fields)

    assert container(mocks)["image"] == fields.get("image", IMAGE)


@pytest.mark.parametrize(
    "secrets",
    [
        pytest.param({"bad key!": SECRET_VALUE}, id="bad-key"),
        pytest.param({"1BAD": SECRET_VALUE}, id="bad-env-name"),
        pytest.param({"..": SECRET_VALUE}, id="dot-dot"),
    ],
)
def test_a_rejected_secret_is_named_by_key_and_its_value_never_shown(mocks, secrets):
    with pytest.raises(ValidationError) as caught:
        web_service(mocks, secrets=secrets)

    (key,) = secrets
    assert f"secrets.{key}" in str(caught.value)
    assert SECRET_VALUE not in str(caught.value)


def test_a_secret_clashing_with_config_is_not_shown(mocks):
    with pytest.raises(ValidationError) as caught:
        web_service(mocks, config={"DB_URL": "plain"}, secrets={"DB_URL": SECRET_VALUE})

    assert "DB_URL" in str(caught.value)
    assert SECRET_VALUE not in str(caught.value)


@pytest.mark.parametrize(
    "secrets",
    [f"DB_PASSWORD={SECRET_VALUE}", [SECRET_VALUE]],
    ids=["string", "list"],
)
def test_secrets_that_are_not_a_mapping_are_rejected_without_showing_them(mocks, secrets):
    with pytest.raises(ValidationError) as caught:
        web_service(mocks, secrets=secrets)

    assert "secrets" in str(caught.value)
    assert SECRET_VALUE not in str(caught.value)


# -- rules that decide which resources exist must be known at once -------------------------


@pytest.mark.parametrize(
    ("make_fields", "field"),
    [
        (lambda o: {"create_namespace": o(True)}, "create_namespace"),
        (lambda o: {"config": o({"A": "1"})}, "config"),
        (lambda o: {"secrets": o({"A": "1"})}, "secrets"),
        (lambda o: {"autoscaling": o({})}, "autoscaling"),
        (lambda o: {"network_policy": {"enabled": o(False)}}, "network_policy.enabled"),
    ],
    ids=["create_namespace", "config", "secrets", "autoscaling", "network_policy.enabled"],
)
def test_structural_fields_cannot_be_outputs(mocks, make_fields, field):
    def program():
        fields = make_fields(pulumi.Output.from_input)
        return WebService("api", {"image": IMAGE, **fields})

    with pytest.raises(ValidationError) as caught:
        mocks.run(program)

    assert str(caught.value).startswith(f'WebService "api": {field} (')
    assert "must be known when the program runs" in str(caught.value)
    assert kubernetes_resources(mocks) == []


# -- Output values are validated when they resolve -----------------------------------------


OUTPUT_CASES = [
    pytest.param({"image": "nginx:latest"}, ("image",), id="image-latest"),
    pytest.param({"port": 70000}, ("port",), id="port"),
    pytest.param({"namespace": "Bad_NS"}, ("namespace",), id="namespace"),
    pytest.param(
        {"resources": {"cpu_request": "2", "cpu_limit": "1"}},
        ("resources", "cpu_request"),
        id="request-above-limit",
    ),
    pytest.param(
        {"pre_stop_delay_seconds": 40, "termination_grace_period_seconds": 30},
        ("pre_stop_delay_seconds",),
        id="pre-stop",
    ),
]


@pytest.fixture
def collect_failed_futures():
    """Finalise the Futures a failed Output leaves behind while this test still owns them.

    Their exception is never retrieved, so asyncio logs it (with a formatted traceback)
    when they are garbage-collected. If that happened later, inside pytest's own
    ``ast.parse`` of some other test's traceback, CPython 3.11.7 would abort the whole
    session with "SystemError: AST constructor recursion depth mismatch" (gh-106905,
    fixed in 3.11.8). They were asserted on already, so the log is silenced.
    """
    yield
    log = logging.getLogger("asyncio")
    was_disabled, log.disabled = log.disabled, True
    try:
        gc.collect()
    finally:
        log.disabled = was_disabled


def _as_output(fields, path):
    """A copy of ``fields`` with the value at ``path`` wrapped in an Output."""
    if len(path) == 1:
        return {**fields, path[0]: pulumi.Output.from_input(fields[path[0]])}
    head, *rest = path
    return {**fields, head: _as_output(fields[head], tuple(rest))}


@pytest.mark.usefixtures("collect_failed_futures")
@pytest.mark.parametrize(("fields", "path"), OUTPUT_CASES)
def test_an_output_value_fails_with_the_same_message_when_it_resolves(mocks, fields, path):
    with pytest.raises(ValidationError) as plain_error:
        build_spec("api", {"image": IMAGE, **fields})  # type: ignore[typeddict-item]
    expected = str(plain_error.value)

    def program():
        return WebService("api", {"image": IMAGE, **_as_output(fields, path)})

    # The ValidationError is raised inside an apply; Pulumi reports it while serialising
    # the first resource that needs the value, as a ValueError whose message ends with
    # the ValidationError's message. (Its __cause__ chain can loop back on itself, so
    # the message is the reliable part.)
    with pytest.raises(ValueError) as caught:
        mocks.run(program)

    assert str(caught.value).endswith(f"ValueError has risen: {expected}")


def test_a_valid_output_value_flows_into_the_resources(mocks):
    def program():
        return WebService(
            "api",
            {
                "image": pulumi.Output.from_input("ghcr.io/acme/api:3.1.0"),
                "service_port": pulumi.Output.from_input(8080),
            },
        )

    mocks.run(program)

    assert container(mocks)["image"] == "ghcr.io/acme/api:3.1.0"
    assert inputs(mocks, DEPLOYMENT)["metadata"]["labels"]["app.kubernetes.io/version"] == "3.1.0"
    assert inputs(mocks, SERVICE)["spec"]["ports"][0]["port"] == 8080


# -- typos in nested fields ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"resources": {"cpu_requests": "2"}}, "resources.cpu_requests"),
        ({"autoscaling": {"max_replica": 5}}, "autoscaling.max_replica"),
        ({"probes": {"readiness_pth": "/ready"}}, "probes.readiness_pth"),
    ],
    ids=["resources", "autoscaling", "probes"],
)
def test_typos_in_nested_fields_are_rejected(mocks, fields, field):
    with pytest.raises(ValidationError, match=field.replace(".", r"\.")):
        web_service(mocks, **fields)
