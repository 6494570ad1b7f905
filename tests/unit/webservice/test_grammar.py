"""WebService refuses, before anything is registered, every input the API server would
reject: each error names the field and never shows a secret."""

from __future__ import annotations

import gc
import json
import logging
from typing import Any

import pulumi
import pytest
from moorage._errors import ValidationError
from moorage.webservice import WebService, build_spec

from tests.unit.webservice.helpers import (
    DEPLOYMENT,
    IMAGE,
    INGRESS,
    NAMESPACE,
    container,
    inputs,
    kubernetes_resources,
    web_service,
)

SECRET_VALUE = "summer2024"


def bad(id_: str, fields: dict[str, Any], field: str, rule: str, name: str = "api") -> Any:
    return pytest.param(name, fields, field, rule, id=id_)


BAD_INPUT = [
    # a trailing newline passed the old '$' regexes
    bad("namespace-newline", {"namespace": "shop\n"}, "namespace", "DNS-1123"),
    bad("config-key-newline", {"config": {"KEY\n": "x"}}, "config.KEY\n", "ConfigMap/Secret"),
    bad("label-key-newline", {"labels": {"team\n": "x"}}, "labels.team\n", "label/annotation"),
    bad("label-value-newline", {"labels": {"team": "x\n"}}, "labels.team", "label value"),
    bad("env-name-newline", {"env": {"A\n": "x"}}, "env.A\n", "environment variable"),
    bad("name-newline", {}, "name", "DNS-1035", name="api\n"),
    # keys and values
    bad("config-key-dotdot-prefix", {"config": {"..data": "x"}}, "config...data", "'..'"),
    bad("annotation-key", {"annotations": {"a/b/c": "x"}}, "annotations.a/b/c", "annotation key"),
    bad(
        "sa-annotation-key",
        {"service_account_annotations": {"bad key": "x"}},
        "service_account_annotations.bad key",
        "annotation key",
    ),
    bad(
        "ingress-annotation-key",
        {"ingress": {"host": "a.example.com", "annotations": {"-x": "y"}}},
        "ingress.annotations.-x",
        "annotation key",
    ),
    bad("annotation-value-int", {"annotations": {"team": 5}}, "annotations.team", "string"),
    bad("config-value-int", {"config": {"PORT": 8080}}, "config.PORT", "must be a string"),
    bad("config-value-bool", {"config": {"DEBUG": True}}, "config.DEBUG", "must be a string"),
    bad("config-value-none", {"config": {"A": None}}, "config.A", "is None"),
    bad("env-value-int", {"env": {"WORKERS": 4}}, "env.WORKERS", "must be a string"),
    bad("command-item-int", {"command": ["sleep", 5]}, "command[1]", "must be a string"),
    bad("args-item-none", {"container_args": [None]}, "container_args[0]", "is None"),
    bad("secret-value-none", {"secrets": {"TOKEN": None}}, "secrets.TOKEN", "is None"),
    bad("secret-value-int", {"secrets": {"PIN": 1234}}, "secrets.PIN", "must be a string"),
    bad(
        "pod-label-value",
        {"network_policy": {"allow_from_pod_labels": {"app": "a b"}}},
        "network_policy.allow_from_pod_labels.app",
        "label value",
    ),
    bad(
        "annotations-too-large",
        {"annotations": {"big": "x" * (256 * 1024)}},
        "annotations",
        "256",
    ),
    # counts beyond their API field
    bad("replicas-int32", {"replicas": 2**31}, "replicas", "at most 2147483647"),
    bad(
        "hpa-max-int32",
        {"autoscaling": {"max_replicas": 2**31}},
        "autoscaling.max_replicas",
        "at most",
    ),
    bad(
        "probe-period-int32",
        {"probes": {"period_seconds": 2**31}},
        "probes.period_seconds",
        "at most",
    ),
    bad(
        "probe-failures-doubled",
        {"probes": {"failure_threshold": 2**30}},
        "probes.failure_threshold",
        "at most",
    ),
    bad("run-as-user-int32", {"run_as_user": 2**31}, "run_as_user", "at most 2147483647"),
    bad("run-as-group-int32", {"run_as_group": 2**31}, "run_as_group", "at most 2147483647"),
    # CIDRs, strictly
    bad(
        "cidr-no-prefix",
        {"network_policy": {"allow_cidrs": ["10.0.0.1"]}},
        "network_policy.allow_cidrs[0]",
        "prefix length",
    ),
    bad(
        "cidr-netmask",
        {"network_policy": {"allow_cidrs": ["10.0.0.0/255.0.0.0"]}},
        "network_policy.allow_cidrs[0]",
        "prefix length",
    ),
    bad(
        "lb-cidr-no-prefix",
        {"service_type": "LoadBalancer", "load_balancer_source_ranges": ["203.0.113.7"]},
        "load_balancer_source_ranges[0]",
        "prefix length",
    ),
    # ingress
    bad("ingress-ip-host", {"ingress": {"host": "10.0.0.1"}}, "ingress.host", "not an IP"),
    bad("ingress-bad-wildcard", {"ingress": {"host": "a.*.com"}}, "ingress.host", "'*.'"),
    bad(
        "ingress-path-dotdot",
        {"ingress": {"host": "a.example.com", "path": "/a/../b"}},
        "ingress.path",
        "'/../'",
    ),
    # system namespaces
    bad("name-kube-system", {}, "namespace", "system namespace", name="kube-system"),
    bad("deploy-into-kube-system", {"namespace": "kube-system"}, "namespace", "system namespace"),
    bad("kube-public", {"namespace": "kube-public"}, "namespace", "system namespace"),
    bad("kube-node-lease", {"namespace": "kube-node-lease"}, "namespace", "system namespace"),
    bad(
        "create-default",
        {"namespace": "default", "create_namespace": True},
        "namespace",
        "cannot be created",
    ),
    bad("default-by-name", {}, "namespace", "cannot be created", name="default"),
]


@pytest.mark.parametrize(("name", "fields", "field", "rule"), BAD_INPUT)
def test_bad_input_fails_before_any_kubernetes_resource(
    mocks: Any, name: str, fields: dict[str, Any], field: str, rule: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        web_service(mocks, name=name, **fields)

    assert caught.value.field == field
    assert rule in caught.value.rule
    assert kubernetes_resources(mocks) == []


GOOD_INPUT = [
    pytest.param({"ingress": {"host": "*.example.com"}}, id="wildcard-host"),
    pytest.param({"namespace": "default"}, id="deploy-into-default"),
    pytest.param({"config": {"a..b": "x", ".hidden": "y"}, "config_as_env": False}, id="keys"),
    pytest.param({"annotations": {"Example.COM/Team": "payments"}}, id="annotation-uppercase"),
    pytest.param({"replicas": 2**31 - 1}, id="replicas-int32-max"),
    pytest.param({"network_policy": {"allow_cidrs": ["2001:db8::/64"]}}, id="ipv6-cidr"),
]


@pytest.mark.parametrize("fields", GOOD_INPUT)
def test_valid_input_is_accepted(mocks: Any, fields: dict[str, Any]) -> None:
    web_service(mocks, **fields)

    assert inputs(mocks, DEPLOYMENT)


def test_a_wildcard_host_reaches_the_ingress(mocks: Any) -> None:
    web_service(mocks, ingress={"host": "*.example.com", "tls_secret_name": "wild"})

    ingress = inputs(mocks, INGRESS)
    assert ingress["spec"]["rules"][0]["host"] == "*.example.com"
    assert ingress["spec"]["tls"][0]["hosts"] == ["*.example.com"]


def test_deploying_into_default_creates_no_namespace(mocks: Any) -> None:
    web_service(mocks, namespace="default")

    assert mocks.of_type(NAMESPACE) == []


@pytest.mark.parametrize(
    "secrets",
    [
        pytest.param({"TOKEN": None}, id="none"),
        pytest.param({"TOKEN": 1234}, id="int"),
        pytest.param({"TOKEN": "x" * (1024 * 1024 + 1)}, id="too-large"),
    ],
)
def test_a_bad_secret_value_is_named_by_key_and_never_shown(
    mocks: Any, secrets: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError) as caught:
        web_service(mocks, secrets=secrets)

    assert caught.value.field.startswith("secrets")
    assert caught.value.value == "[secret]"
    assert "1234" not in str(caught.value) and "xxxx" not in str(caught.value)


def test_plain_values_are_passed_on_unchanged(mocks: Any) -> None:
    web_service(mocks, env={"MODE": "fast"}, labels={"team": "payments"})

    assert {"name": "MODE", "value": "fast"} in container(mocks)["env"]
    assert inputs(mocks, DEPLOYMENT)["metadata"]["labels"]["team"] == "payments"


# -- Outputs: validated before they reach any resource -----------------------------------


@pytest.fixture
def collect_failed_futures() -> Any:
    """Finalise the Futures a failed Output leaves behind (see test_validation)."""
    yield
    log = logging.getLogger("asyncio")
    was_disabled, log.disabled = log.disabled, True
    try:
        gc.collect()
    finally:
        log.disabled = was_disabled


OUTPUT_CASES = [
    # fields, the path of the value made an Output, and what a resource would carry
    pytest.param(
        {"labels": {"team": "bad value!"}}, ("labels", "team"), '"bad value!"', id="label-value"
    ),
    pytest.param(
        {"annotations": {"team": 7}}, ("annotations", "team"), '"team": 7', id="annotation-value"
    ),
    pytest.param({"env": {"A": 1}}, ("env", "A"), '"value": 1', id="env-value"),
    pytest.param(
        {"namespace": "kube-system", "create_namespace": False},
        ("namespace",),
        '"kube-system"',
        id="system-namespace",
    ),
    pytest.param({"config": {"A": None}}, ("config", "A"), '"A": null', id="config-value"),
    pytest.param(
        {"service_type": "ClusterIP", "load_balancer_source_ranges": ["10.0.0.0/8"]},
        ("service_type",),
        '"type": "ClusterIP"',
        id="service-type-vs-source-ranges",
    ),
    pytest.param(
        {"ingress": {"host": "10.1.2.3"}}, ("ingress", "host"), '"10.1.2.3"', id="ingress-host"
    ),
]


def _as_output(fields: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    if len(path) == 1:
        return {**fields, path[0]: pulumi.Output.from_input(fields[path[0]])}
    head, *rest = path
    return {**fields, head: _as_output(fields[head], tuple(rest))}


@pytest.mark.usefixtures("collect_failed_futures")
@pytest.mark.parametrize(("fields", "path", "carried"), OUTPUT_CASES)
def test_a_bad_output_value_reaches_no_resource(
    mocks: Any, fields: dict[str, Any], path: tuple[str, ...], carried: str
) -> None:
    with pytest.raises(ValidationError) as plain_error:
        build_spec("api", {"image": IMAGE, **fields})  # type: ignore[typeddict-item]
    args = {"image": IMAGE, **_as_output(fields, path)}

    with pytest.raises(ValueError) as caught:
        mocks.run(lambda: WebService("api", args))  # type: ignore[arg-type]

    assert str(caught.value).endswith(str(plain_error.value))
    carrying = [r.typ for r in kubernetes_resources(mocks) if carried in json.dumps(r.inputs)]
    assert carrying == []


@pytest.mark.usefixtures("collect_failed_futures")
def test_a_secret_output_that_resolves_to_none_is_not_shown(mocks: Any) -> None:
    with pytest.raises(ValueError) as caught:
        mocks.run(
            lambda: WebService(
                "api",
                {"image": IMAGE, "secrets": {"TOKEN": pulumi.Output.secret(None)}},  # type: ignore[dict-item]
            )
        )

    assert "secrets.TOKEN" in str(caught.value)
    assert "is None" in str(caught.value)
    assert "[secret]" in str(caught.value)
