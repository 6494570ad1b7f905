"""The escape hatch (``patches``) and the opt-outs of what Moorage otherwise forces.

Patches run in a Pulumi transform on the component; the pure :func:`patched` it calls is
tested here on the objects Moorage renders, and the engine test proves the transform.
"""

from __future__ import annotations

from typing import Any

import pytest
from moorage._errors import ValidationError
from moorage.webservice import render
from moorage.webservice._patches import patched, strategic_merge

from tests.unit.webservice.helpers import (
    SERVICE_ACCOUNT,
    container,
    inputs,
    pod_spec,
    spec,
    web_service,
)


def deployment_after(**fields: Any) -> dict[str, Any]:
    """The Deployment body of WebService "api" after its patches."""
    s = spec(**fields)
    manifests = render(s)
    body = {"metadata": manifests.metadata("api", "api"), "spec": manifests.deployment}
    return patched(s.patches, 'WebService "api"', "Deployment", body)


def test_a_json_patch_keeps_an_existing_selector_label():
    body = deployment_after(
        patches=[
            {
                "kind": "Deployment",
                "name": "api",
                "json_patch": [
                    {"op": "replace", "path": "/spec/selector/matchLabels", "value": {"app": "x"}},
                    {"op": "add", "path": "/spec/template/metadata/labels/app", "value": "x"},
                ],
            }
        ]
    )
    assert body["spec"]["selector"]["matchLabels"] == {"app": "x"}
    assert body["spec"]["template"]["metadata"]["labels"]["app"] == "x"


def test_a_strategic_merge_patch_removes_the_ephemeral_storage_cap_and_adds_an_empty_dir():
    body = deployment_after(
        patches=[
            {
                "kind": "Deployment",
                "strategic_merge": {
                    "spec": {
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "api",
                                        "resources": {"limits": {"ephemeral-storage": None}},
                                    }
                                ],
                                "volumes": [{"name": "data", "emptyDir": {}}],
                            }
                        }
                    }
                },
            }
        ]
    )
    pod = body["spec"]["template"]["spec"]
    (main,) = pod["containers"]
    assert "ephemeral-storage" not in main["resources"]["limits"]
    assert main["resources"]["limits"]["memory"] == "256Mi"  # merged, not replaced
    assert {"name": "data", "emptyDir": {}} in pod["volumes"]
    assert any(v["name"] == "tmp" for v in pod["volumes"])  # merged by name


def test_a_patch_for_another_object_changes_nothing():
    s = spec(patches=[{"kind": "Deployment", "name": "other", "json_patch": []}])
    body = {"metadata": {"name": "api"}, "spec": {"replicas": 2}}
    assert patched(s.patches, "c", "Deployment", body) is body


def test_a_patch_that_breaks_the_schema_is_refused_like_make_render_would():
    with pytest.raises(ValidationError, match="invalid for the Kubernetes schema"):
        deployment_after(
            patches=[{"kind": "Deployment", "strategic_merge": {"spec": {"replicas": "many"}}}]
        )


def test_a_patch_that_does_not_apply_names_the_object():
    with pytest.raises(ValidationError, match=r"Deployment/api.*does not apply"):
        deployment_after(
            patches=[
                {"kind": "Deployment", "json_patch": [{"op": "remove", "path": "/spec/nothing"}]}
            ]
        )


@pytest.mark.parametrize(
    ("patch", "rule"),
    [
        ({"kind": "Secret", "json_patch": []}, "cannot be Secret"),
        ({"kind": "Deploymnet", "json_patch": []}, "must be one of"),
        ({"kind": "Deployment"}, "exactly one of json_patch and strategic_merge"),
        ({"kind": "Deployment", "json_patch": [{"op": "frob", "path": "/"}]}, "RFC 6902"),
    ],
)
def test_bad_patches_are_refused_before_anything_is_created(patch, rule):
    with pytest.raises(ValidationError, match=rule):
        spec(patches=[patch])


def test_strategic_merge_deletes_list_items_by_name():
    merged = strategic_merge(
        {"volumes": [{"name": "a"}, {"name": "b"}]},
        {"volumes": [{"name": "a", "$patch": "delete"}]},
    )
    assert merged == {"volumes": [{"name": "b"}]}


# -- opt-outs ----------------------------------------------------------------------------


def test_an_existing_service_account_is_used_instead_of_creating_one(mocks):
    web_service(mocks, service_account_name="default")
    assert not [r for r in mocks.resources if r.typ == SERVICE_ACCOUNT]
    assert pod_spec(mocks)["serviceAccountName"] == "default"
    assert pod_spec(mocks)["automountServiceAccountToken"] is False


def test_the_own_service_account_stays_the_default(mocks):
    web_service(mocks)
    assert inputs(mocks, SERVICE_ACCOUNT)["metadata"]["name"] == "api"
    assert pod_spec(mocks)["serviceAccountName"] == "api"


def test_service_account_annotations_need_a_service_account_of_our_own():
    with pytest.raises(ValidationError, match="cannot be set with service_account_name"):
        spec(service_account_name="shared", service_account_annotations={"a": "b"})


def test_the_ephemeral_storage_limit_can_be_removed_per_container(mocks):
    web_service(
        mocks,
        resources={"ephemeral_storage_limit_enabled": False},
        volumes=[{"name": "data", "mount_path": "/data", "empty_dir": True}],
    )
    main = container(mocks)
    assert "ephemeral-storage" not in main["resources"]["limits"]
    assert main["resources"]["requests"]["ephemeral-storage"] == "64Mi"


# -- upstream spellings get a hint ------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "hint"),
    [
        (
            {"app_protocol": "grpc", "port": 9555, "probes": {"readiness": {"port": 9555}}},
            'did you mean port: "grpc"?',
        ),
        (
            {"volumes": [{"name": "data", "mount_path": "/data", "empty_dir": {}}]},
            "did you mean empty_dir: true?",
        ),
        (
            {"volumes": [{"name": "d", "mount_path": "/d", "empty_dir": {"sizeLimit": "1Gi"}}]},
            'did you mean empty_dir_size_limit: "1Gi"?',
        ),
    ],
)
def test_upstream_spellings_get_a_did_you_mean_hint(fields, hint):
    with pytest.raises(ValidationError) as caught:
        spec(**fields)
    assert hint in str(caught.value)


@pytest.mark.parametrize(
    ("port_name", "scheme"),
    [("redis", "tcp"), ("tcp-redis", "tcp"), ("grpc", "grpc"), ("mongo", "tcp"), ("web", "http")],
)
def test_the_url_follows_the_protocol_the_port_name_announces(port_name, scheme):
    s = spec(port=6379, port_name=port_name)
    assert s.ports.url_scheme == scheme
    assert spec(port=6379, port_name=port_name, app_protocol="http").ports.url_scheme == "http"
