"""One container model: init containers, sidecars and the main container get the same
checks on env, command and args, and are rendered by the same code."""

from __future__ import annotations

from typing import Any

import pytest
from moorage import ValidationError
from moorage.webservice import WebService

from tests.unit.conftest import AsOutput, with_outputs
from tests.unit.webservice.helpers import IMAGE, kubernetes_resources, pod_spec

MIGRATE = {"name": "migrate", "image": "ghcr.io/acme/migrate:1.0"}
PROXY = {"name": "proxy", "image": "envoyproxy/envoy:v1.30.1"}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"init_containers": [{**MIGRATE, "env": {"N": 3}}]}, "init_containers[0].env.N", "int"),
        (
            {"init_containers": [{**MIGRATE, "env": {"U": {"service_url": "cart"}}}]},
            "init_containers[0].env.U",
            "only available in the main container's env",
        ),
        ({"sidecars": [{**PROXY, "env": {"B": True}}]}, "sidecars[0].env.B", "bool"),
        ({"sidecars": [{**PROXY, "command": ["envoy", 1]}]}, "sidecars[0].command[1]", "int"),
        ({"init_containers": [{**MIGRATE, "args": [None]}]}, "init_containers[0].args[0]", "None"),
        (
            {"lifecycle": {"pre_stop_command": ["sleep", 5]}},
            "lifecycle.pre_stop_command[1]",
            "int",
        ),
        (
            {"probes": {"liveness": {"kind": "exec", "command": ["check", 2]}}},
            "probes.liveness.command[1]",
            "int",
        ),
    ],
)
def test_every_container_refuses_values_kubernetes_would_refuse(
    mocks: Any, fields: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        mocks.run(lambda: WebService("api", {"image": IMAGE, **fields}))  # type: ignore[typeddict-item]
    assert error.value.field == field
    assert message in str(error.value)
    assert kubernetes_resources(mocks) == []


def test_an_output_env_value_of_an_init_container_is_checked_when_it_resolves(mocks: Any) -> None:
    args = {"image": IMAGE, "init_containers": [{**MIGRATE, "env": {"N": AsOutput(3)}}]}
    # Raised inside an apply: Pulumi reports it as a ValueError ending with the message.
    with pytest.raises(ValueError, match=r"init_containers\[0\]\.env\.N \(3\) must be a string"):
        mocks.run(lambda: WebService("api", with_outputs(args)))


def test_init_containers_and_sidecars_render_like_the_main_container(mocks: Any) -> None:
    mocks.run(
        lambda: WebService(
            "api",
            {
                "image": IMAGE,
                "env": {"A": "1"},
                "command": ["/bin/api"],
                "sidecars": [{**PROXY, "env": {"A": "1"}, "command": ["/bin/api"]}],
                "init_containers": [{**MIGRATE, "env": {"A": "1"}, "command": ["/bin/api"]}],
            },
        )
    )
    pod = pod_spec(mocks)
    (main,) = pod["containers"]
    for other in pod["initContainers"]:
        for key in ("env", "command", "securityContext", "resources", "volumeMounts"):
            assert other[key] == main[key], key


def test_working_dir_reaches_every_kind_of_container(mocks: Any) -> None:
    mocks.run(
        lambda: WebService(
            "api",
            {
                "image": IMAGE,
                "working_dir": "/srv/app",
                "sidecars": [{**PROXY, "working_dir": "/etc/envoy"}],
                "init_containers": [MIGRATE],
            },
        )
    )
    pod = pod_spec(mocks)
    proxy, migrate = pod["initContainers"]
    assert pod["containers"][0]["workingDir"] == "/srv/app"
    assert proxy["workingDir"] == "/etc/envoy"
    assert "workingDir" not in migrate


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"working_dir": "srv"}, "working_dir"),
        (
            {"init_containers": [{**MIGRATE, "working_dir": "tmp"}]},
            "init_containers[0].working_dir",
        ),
    ],
)
def test_a_relative_working_dir_is_refused(mocks: Any, fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        mocks.run(lambda: WebService("api", {"image": IMAGE, **fields}))  # type: ignore[typeddict-item]
    assert error.value.field == field
