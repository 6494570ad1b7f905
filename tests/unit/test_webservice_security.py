"""Pod hardening, probes, resources, rollout, and how config and secrets reach the pods."""

from __future__ import annotations

import hashlib
import json

from kubernetes.utils.quantity import parse_quantity

from tests.unit.webservice_helpers import (
    CONFIG_MAP,
    DEPLOYMENT,
    SECRET,
    SECRET_SIG_KEY,
    SERVICE_ACCOUNT,
    container,
    inputs,
    is_secret,
    kubernetes_resources,
    pod_annotations,
    pod_spec,
    web_service,
)

SECRET_VALUE = "s3cr3t-Pa55w0rd-do-not-leak"

# -- rollout ------------------------------------------------------------------------


def test_rolling_update_never_drops_below_capacity(mocks):
    web_service(mocks)

    strategy = inputs(mocks, DEPLOYMENT)["spec"]["strategy"]

    assert strategy["type"] == "RollingUpdate"
    assert strategy["rollingUpdate"]["maxUnavailable"] == 0
    # With maxUnavailable 0 a surge is the only way to make progress.
    assert strategy["rollingUpdate"]["maxSurge"] not in (0, "0", "0%")


def test_image_and_default_pull_policy(mocks):
    web_service(mocks)

    assert container(mocks)["image"] == "ghcr.io/acme/api:1.4.2"
    assert container(mocks)["imagePullPolicy"] == "Always"


def test_pull_policy_can_be_changed(mocks):
    web_service(mocks, image_pull_policy="IfNotPresent")

    assert container(mocks)["imagePullPolicy"] == "IfNotPresent"


def test_command_and_args_are_passed_through(mocks):
    web_service(mocks, command=["/app/server"], container_args=["--verbose"])

    assert container(mocks)["command"] == ["/app/server"]
    assert container(mocks)["args"] == ["--verbose"]


# -- probes -----------------------------------------------------------------------


def test_readiness_liveness_and_startup_probes_are_set_and_distinct(mocks):
    web_service(mocks)
    c = container(mocks)
    port_names = {p["name"] for p in c["ports"]}

    readiness, liveness, startup = c["readinessProbe"], c["livenessProbe"], c["startupProbe"]

    assert readiness["httpGet"]["path"] == "/"
    assert readiness["httpGet"]["port"] in port_names
    # A liveness probe identical to readiness restarts pods that are merely busy.
    assert liveness != readiness
    assert liveness["failureThreshold"] > readiness["failureThreshold"]
    assert liveness["tcpSocket"]["port"] in port_names
    # The startup probe gives slow starters a budget before liveness takes over.
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 60


def test_probe_settings_can_be_changed(mocks):
    web_service(
        mocks,
        probes={
            "readiness_path": "/ready",
            "liveness_path": "/livez",
            "period_seconds": 15,
            "timeout_seconds": 3,
            "failure_threshold": 4,
            "startup_period_seconds": 2,
            "startup_failure_threshold": 90,
        },
    )
    c = container(mocks)

    assert c["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert c["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert "tcpSocket" not in c["livenessProbe"]
    assert c["readinessProbe"]["periodSeconds"] == c["livenessProbe"]["periodSeconds"] == 15
    assert c["readinessProbe"]["timeoutSeconds"] == 3
    assert c["readinessProbe"]["failureThreshold"] == 4
    assert (c["startupProbe"]["periodSeconds"], c["startupProbe"]["failureThreshold"]) == (2, 90)


# -- resources ----------------------------------------------------------------------


def test_requests_and_limits_are_set_for_cpu_memory_and_ephemeral_storage(mocks):
    web_service(mocks)

    res = container(mocks)["resources"]

    for kind in ("cpu", "memory", "ephemeral-storage"):
        assert parse_quantity(res["requests"][kind]) > 0
        assert parse_quantity(res["requests"][kind]) <= parse_quantity(res["limits"][kind])


def test_resource_overrides(mocks):
    web_service(
        mocks,
        resources={
            "cpu_request": "250m",
            "cpu_limit": "2",
            "memory_request": "512Mi",
            "memory_limit": "1Gi",
            "ephemeral_storage_request": "128Mi",
            "ephemeral_storage_limit": "2Gi",
        },
    )

    assert container(mocks)["resources"] == {
        "requests": {"cpu": "250m", "memory": "512Mi", "ephemeral-storage": "128Mi"},
        "limits": {"cpu": "2", "memory": "1Gi", "ephemeral-storage": "2Gi"},
    }


def test_disabling_the_cpu_limit_removes_only_the_cpu_limit(mocks):
    web_service(mocks, resources={"cpu_limit_enabled": False, "cpu_request": "500m"})

    res = container(mocks)["resources"]

    assert set(res["limits"]) == {"memory", "ephemeral-storage"}
    assert set(res["requests"]) == {"cpu", "memory", "ephemeral-storage"}
    assert res["requests"]["cpu"] == "500m"


# -- security context ---------------------------------------------------------------


def test_pod_runs_as_a_high_non_root_uid_with_runtime_default_seccomp(mocks):
    web_service(mocks)

    ctx = pod_spec(mocks)["securityContext"]

    assert ctx["runAsNonRoot"] is True
    # kube-score flags UIDs/GIDs of 10000 or less (they may clash with host users).
    assert ctx["runAsUser"] > 10000
    assert ctx["runAsGroup"] > 10000
    assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}


def test_run_as_user_and_group_can_be_changed(mocks):
    web_service(mocks, run_as_user=20000, run_as_group=30000)

    ctx = pod_spec(mocks)["securityContext"]

    assert (ctx["runAsUser"], ctx["runAsGroup"], ctx["fsGroup"]) == (20000, 30000, 30000)


def test_container_is_locked_down(mocks):
    web_service(mocks)

    ctx = container(mocks)["securityContext"]

    assert ctx["runAsNonRoot"] is True
    assert ctx["readOnlyRootFilesystem"] is True
    assert ctx["allowPrivilegeEscalation"] is False
    assert ctx.get("privileged", False) is False
    assert ctx["capabilities"] == {"drop": ["ALL"]}
    assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}


def test_a_writable_emptydir_is_mounted_at_tmp(mocks):
    # A read-only root filesystem needs somewhere writable for temp files.
    web_service(mocks)

    volumes = {v["name"]: v for v in pod_spec(mocks)["volumes"]}
    (tmp,) = [m for m in container(mocks)["volumeMounts"] if m["mountPath"] == "/tmp"]

    assert "emptyDir" in volumes[tmp["name"]]
    assert tmp.get("readOnly", False) is False


def test_every_volume_mount_refers_to_a_declared_volume(mocks):
    web_service(
        mocks,
        config={"LOG_LEVEL": "info"},
        config_mount_path="/etc/api",
        volumes=[{"name": "data", "mount_path": "/data", "empty_dir_size_limit": "1Gi"}],
    )

    declared = {v["name"] for v in pod_spec(mocks)["volumes"]}
    mounted = [m["name"] for m in container(mocks)["volumeMounts"]]

    assert len(mounted) == 3
    assert set(mounted) <= declared


def test_service_account_token_is_not_mounted(mocks):
    web_service(mocks)

    pod = pod_spec(mocks)
    account = inputs(mocks, SERVICE_ACCOUNT)

    assert pod["serviceAccountName"] == account["metadata"]["name"]
    assert pod["automountServiceAccountToken"] is False
    assert account["automountServiceAccountToken"] is False


# -- shutdown and scheduling ------------------------------------------------------------


def test_pre_stop_sleep_fits_in_the_grace_period(mocks):
    web_service(mocks)

    pod = pod_spec(mocks)
    sleep = container(mocks)["lifecycle"]["preStop"]["sleep"]["seconds"]

    assert 0 < sleep < pod["terminationGracePeriodSeconds"]


def test_pre_stop_and_grace_period_can_be_changed(mocks):
    web_service(mocks, pre_stop_delay_seconds=15, termination_grace_period_seconds=60)

    assert container(mocks)["lifecycle"]["preStop"]["sleep"]["seconds"] == 15
    assert pod_spec(mocks)["terminationGracePeriodSeconds"] == 60


def test_pods_spread_over_zones_and_nodes_without_blocking_scheduling(mocks):
    web_service(mocks)
    selector = inputs(mocks, DEPLOYMENT)["spec"]["selector"]

    constraints = pod_spec(mocks)["topologySpreadConstraints"]

    assert {c["topologyKey"] for c in constraints} == {
        "topology.kubernetes.io/zone",
        "kubernetes.io/hostname",
    }
    for c in constraints:
        # DoNotSchedule would leave pods Pending on a single-zone or single-node cluster.
        assert c["whenUnsatisfiable"] == "ScheduleAnyway"
        assert c["labelSelector"] == selector


# -- config -------------------------------------------------------------------------


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


def test_plain_env_vars_are_set_as_values(mocks):
    web_service(mocks, env={"PORT_NAME": "http"})

    assert {"name": "PORT_NAME", "value": "http"} in container(mocks)["env"]


# -- secrets ------------------------------------------------------------------------


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


# -- checksums roll the pods -----------------------------------------------------------


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
