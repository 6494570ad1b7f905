"""Pod hardening: the restricted Pod Security profile, security contexts (non-root users,
seccomp, a read-only root), no service-account token, the image pull policy, and resource
requests and limits."""

from __future__ import annotations

from kubernetes.utils.quantity import parse_quantity
from moorage.webservice import render

from tests.unit.webservice.helpers import (
    NAMESPACE,
    SERVICE_ACCOUNT,
    container,
    inputs,
    pod_spec,
    spec,
    web_service,
)

# -- image and pull policy -----------------------------------------------------------------


def test_image_and_default_pull_policy(mocks):
    web_service(mocks)

    assert container(mocks)["image"] == "ghcr.io/acme/api:1.4.2"
    assert container(mocks)["imagePullPolicy"] == "Always"


def test_pull_policy_can_be_changed(mocks):
    web_service(mocks, image_pull_policy="IfNotPresent")

    assert container(mocks)["imagePullPolicy"] == "IfNotPresent"


# -- resources -----------------------------------------------------------------------------


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


def test_resources_without_cpu_limit():
    res = render(spec(resources={"cpu_limit_enabled": False})).container["resources"]

    assert "cpu" not in res["limits"]
    assert "cpu" in res["requests"]


# -- security context ----------------------------------------------------------------------


def test_created_namespaces_apply_the_restricted_pod_security_profile(mocks):
    # A user label must not be able to weaken Pod Security Admission.
    web_service(mocks, labels={"pod-security.kubernetes.io/enforce": "privileged"})

    labels = inputs(mocks, NAMESPACE)["metadata"]["labels"]

    for mode in ("enforce", "warn", "audit"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"


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


def test_service_account_token_is_not_mounted(mocks):
    web_service(mocks)

    pod = pod_spec(mocks)
    account = inputs(mocks, SERVICE_ACCOUNT)

    assert pod["serviceAccountName"] == account["metadata"]["name"]
    assert pod["automountServiceAccountToken"] is False
    assert account["automountServiceAccountToken"] is False
