"""Config and secrets: the ConfigMap and the Secret, how they reach the pods (env, envFrom,
files), the checksums that roll the pods, and secret values kept out of everything else."""

from __future__ import annotations

import hashlib
import json

from moorage.webservice import (
    CONFIG_CHECKSUM,
    SECRETS_CHECKSUM,
    config_checksum,
    render,
)

from tests.unit.webservice.helpers import (
    CONFIG_MAP,
    DEPLOYMENT,
    SECRET,
    SECRET_SIG_KEY,
    container,
    inputs,
    is_secret,
    kubernetes_resources,
    pod_annotations,
    pod_spec,
    spec,
    web_service,
)

SECRET_VALUE = "s3cr3t-Pa55w0rd-do-not-leak"


# -- config --------------------------------------------------------------------------------


def test_config_becomes_a_config_map_exposed_through_env_from(mocks):
    config = {"LOG_LEVEL": "info", "FEATURE_X": "on"}
    web_service(mocks, config=config)
    config_map = inputs(mocks, CONFIG_MAP)
    c = container(mocks)

    assert config_map["data"] == config
    assert c["envFrom"] == [{"configMapRef": {"name": config_map["metadata"]["name"]}}]
    # Not copied into the pod spec as plain values.
    assert [e for e in c.get("env", []) if e["name"] in config] == []
    assert "config" not in {v["name"] for v in pod_spec(mocks)["volumes"]}


def test_config_mount_path_also_mounts_the_config_map(mocks):
    web_service(mocks, config={"LOG_LEVEL": "info"}, config_mount_path="/etc/api")
    config_map_name = inputs(mocks, CONFIG_MAP)["metadata"]["name"]

    volumes = [v for v in pod_spec(mocks)["volumes"] if "configMap" in v]
    (volume,) = volumes
    (mount,) = [m for m in container(mocks)["volumeMounts"] if m["name"] == volume["name"]]

    assert volume["configMap"]["name"] == config_map_name
    assert mount == {"name": volume["name"], "mountPath": "/etc/api", "readOnly": True}
    assert "envFrom" in container(mocks)


def test_config_as_env_false_mounts_files_only(mocks):
    web_service(
        mocks,
        config={"app.yaml": "port: 8080\n"},
        config_as_env=False,
        config_mount_path="/etc/api",
    )

    assert "envFrom" not in container(mocks)
    assert "/etc/api" in {m["mountPath"] for m in container(mocks)["volumeMounts"]}


# -- env -----------------------------------------------------------------------------------


def test_plain_env_vars_are_set_as_values(mocks):
    web_service(mocks, env={"PORT_NAME": "http"})

    assert {"name": "PORT_NAME", "value": "http"} in container(mocks)["env"]


def test_env_order_does_not_depend_on_argument_order():
    # A reordered dict must not show up as a Deployment diff.
    first = render(spec(env={"A": "1", "B": "2"}, secrets={"X": "s", "Y": "t"})).container["env"]
    second = render(spec(env={"B": "2", "A": "1"}, secrets={"Y": "t", "X": "s"})).container["env"]

    assert first == second


# -- secrets -------------------------------------------------------------------------------


def test_secrets_become_a_secret_read_only_through_secret_key_ref(mocks):
    web_service(mocks, secrets={"DB_PASSWORD": SECRET_VALUE})
    raw_secret = mocks.one(SECRET).inputs
    secret = inputs(mocks, SECRET)
    c = container(mocks)

    assert is_secret(raw_secret["stringData"])
    assert secret["stringData"] == {"DB_PASSWORD": SECRET_VALUE}
    assert secret["type"] == "Opaque"
    (variable,) = [e for e in c["env"] if e["name"] == "DB_PASSWORD"]
    assert variable == {
        "name": "DB_PASSWORD",
        "valueFrom": {"secretKeyRef": {"name": secret["metadata"]["name"], "key": "DB_PASSWORD"}},
    }
    assert "envFrom" not in c


def test_secrets_become_secret_key_refs_and_never_values():
    variables = render(spec(secrets={"TOKEN": "s3cr3t"})).container["env"]

    assert variables == [
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "api-secrets", "key": "TOKEN"}}}
    ]


def test_secret_value_appears_in_no_resource_but_the_secret(mocks):
    web_service(
        mocks,
        config={"LOG_LEVEL": "info"},
        secrets={"DB_PASSWORD": SECRET_VALUE},
        env={"PLAIN": "value"},
    )

    leaking = [
        r.typ
        for r in kubernetes_resources(mocks)
        if r.typ != SECRET and SECRET_VALUE in json.dumps(r.inputs)
    ]

    assert leaking == []
    assert mocks.of_type(CONFIG_MAP)  # the ConfigMap was among the resources searched


def test_deployment_spec_is_not_wrapped_as_a_secret(mocks):
    # A secret-wrapped spec would hide every diff of the Deployment in previews.
    web_service(mocks, secrets={"DB_PASSWORD": SECRET_VALUE})

    raw = mocks.one(DEPLOYMENT).inputs

    assert SECRET_SIG_KEY not in json.dumps(raw)
    assert isinstance(raw["spec"]["template"]["metadata"]["annotations"]["checksum/secrets"], str)


# -- checksums roll the pods ---------------------------------------------------------------


def test_checksums_are_pod_template_annotations():
    checksums = {CONFIG_CHECKSUM: "abc", SECRETS_CHECKSUM: "def"}

    template = render(spec(), checksums).deployment["template"]

    assert checksums.items() <= template["metadata"]["annotations"].items()


def test_config_checksum_ignores_key_order_and_tracks_every_change():
    base = config_checksum({"A": "1", "B": "2"})

    assert config_checksum({"B": "2", "A": "1"}) == base
    assert config_checksum({"A": "1", "B": "3"}) != base
    assert config_checksum({"A": "1", "C": "2"}) != base
    assert config_checksum({"A": "1"}) != base


def _annotations(make_mocks, **fields):
    """Pod-template annotations from a fresh program run (a new 'pulumi up')."""
    mocks = make_mocks()
    web_service(mocks, **fields)
    return pod_annotations(mocks)


def test_changing_config_changes_the_config_checksum(make_mocks):
    before = _annotations(make_mocks, config={"LOG_LEVEL": "info"})
    after = _annotations(make_mocks, config={"LOG_LEVEL": "debug"})

    assert before["checksum/config"] != after["checksum/config"]


def test_same_config_keeps_the_config_checksum(make_mocks):
    first = _annotations(make_mocks, config={"A": "1", "B": "2"})
    second = _annotations(make_mocks, config={"B": "2", "A": "1"}, replicas=3)

    assert first["checksum/config"] == second["checksum/config"]


def test_no_config_no_config_checksum(mocks):
    web_service(mocks)

    assert "checksum/config" not in pod_annotations(mocks)
    assert "checksum/secrets" not in pod_annotations(mocks)


def test_changing_a_secret_changes_only_the_secrets_checksum(make_mocks):
    config = {"LOG_LEVEL": "info"}
    before = _annotations(make_mocks, config=config, secrets={"DB_PASSWORD": "one"})
    again = _annotations(make_mocks, config=config, secrets={"DB_PASSWORD": "one"})
    after = _annotations(make_mocks, config=config, secrets={"DB_PASSWORD": "two"})

    assert before["checksum/secrets"] == again["checksum/secrets"]
    assert before["checksum/secrets"] != after["checksum/secrets"]
    assert before["checksum/config"] == after["checksum/config"]


# -- the secrets checksum gives nothing away -----------------------------------------------


def test_services_sharing_a_secret_get_different_secrets_checksums(make_mocks):
    # Equal checksums would tell anyone who can read pods that the two share a password.
    secrets = {"DB_PASSWORD": SECRET_VALUE}
    api = _annotations(make_mocks, secrets=secrets)
    mocks = make_mocks()
    web_service(mocks, name="worker", secrets=secrets)

    assert api["checksum/secrets"] != pod_annotations(mocks)["checksum/secrets"]


def test_secrets_checksum_reveals_neither_the_secret_nor_its_sha256(mocks):
    web_service(mocks, secrets={"DB_PASSWORD": SECRET_VALUE})

    checksum = pod_annotations(mocks)["checksum/secrets"]
    guessable = [
        SECRET_VALUE,
        hashlib.sha256(SECRET_VALUE.encode()).hexdigest(),
        hashlib.sha256(json.dumps({"DB_PASSWORD": SECRET_VALUE}).encode()).hexdigest(),
        hashlib.sha256(
            json.dumps({"DB_PASSWORD": SECRET_VALUE}, separators=(",", ":")).encode()
        ).hexdigest(),
    ]

    assert checksum
    assert [g for g in guessable if g[:16] in checksum] == []
