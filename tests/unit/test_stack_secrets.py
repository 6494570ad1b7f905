"""Values set with ``pulumi config set --secret --path`` stay Pulumi secrets: at any path,
in any ``moorage:`` key, in the one-service and the many-service forms."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from moorage._errors import ValidationError
from moorage._program import deploy, render
from moorage._stack_config import parse_stack_settings
from moorage._stack_secrets import find_secret_leaves, project_root, stack_file_config

from .conftest import RecordingMocks

pytestmark = pytest.mark.usefixtures("kwok_tools_on_path")

SECRET_SIG = "4dabf18193072939515e22adb298388d"
"""The key Pulumi's wire format marks a secret value with (as the mocks record it)."""

SECURE = {"secure": "v1:ciphertext"}
CLUSTER = {"runtime": "kwok", "nodes": 1}
SIDECAR = {"name": "proxy", "image": "envoyproxy/envoy:v1.31.2", "env": {"PROXY_TOKEN": SECURE}}
INIT = {"name": "migrate", "image": "busybox:1.36.1", "env": {"DB_URL": SECURE}}


def service(env_value: Any, arg: Any, sidecar: Mapping[str, Any], init: Mapping[str, Any]) -> Any:
    return {
        "image": "nginx:1.27.3",
        "env": {"API_KEY": env_value, "LOG_FORMAT": "json"},
        "container_args": ["--token", arg],
        "sidecars": [sidecar],
        "init_containers": [init],
    }


PLAIN_SIDECAR = {**SIDECAR, "env": {"PROXY_TOKEN": "proxy-s3cr3t"}}
PLAIN_INIT = {**INIT, "env": {"DB_URL": "postgres://u:db-s3cr3t@db/app"}}
SECRETS = ("api-s3cr3t", "arg-s3cr3t", "proxy-s3cr3t", "db-s3cr3t", "label-s3cr3t")


def stack(shorthand: bool) -> tuple[dict[str, str], dict[str, Any], list[str]]:
    """(config as the engine passes it, the stack file's config, the keys marked secret)."""
    plain = service("api-s3cr3t", "arg-s3cr3t", PLAIN_SIDECAR, PLAIN_INIT)
    stored = service(SECURE, SECURE, SIDECAR, INIT)
    if shorthand:
        raw = {
            "moorage:cluster": json.dumps(CLUSTER),
            "moorage:serviceName": "hello",
            "moorage:service": json.dumps(plain),
        }
        return raw, {**raw, "moorage:service": stored}, ["moorage:service"]
    namespaces = {"shop": {"labels": {"team": "label-s3cr3t"}}}
    raw = {
        "moorage:cluster": json.dumps(CLUSTER),
        "moorage:namespaces": json.dumps(namespaces),
        "moorage:services": json.dumps({"web": {**plain, "namespace": "shop"}}),
    }
    stored_config = {
        **raw,
        "moorage:namespaces": {"shop": {"labels": {"team": SECURE}}},
        "moorage:services": {"web": {**stored, "namespace": "shop"}},
    }
    return raw, stored_config, ["moorage:services", "moorage:namespaces"]


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and SECRET_SIG in value


class Seen:
    """A recorded value with its secrets unwrapped, remembering whether a secret held it."""

    def __init__(self, value: Any, secret: bool = False) -> None:
        self.secret = secret or is_secret(value)
        self.value = value["value"] if is_secret(value) else value

    def __getitem__(self, step: str | int) -> Seen:
        return Seen(self.value[step], self.secret)

    def where(self, key: str, wanted: Any) -> Seen:
        """The item of a list whose ``key`` is ``wanted``."""
        (found,) = [Seen(i, self.secret) for i in self.value if Seen(i)[key].value == wanted]
        return found


def env_of(container: Seen, name: str) -> Seen:
    return container["env"].where("name", name)["value"]


@pytest.mark.parametrize("shorthand", [True, False], ids=["shorthand", "services"])
def test_secret_values_reach_every_resource_as_secrets(
    make_mocks: Callable[..., RecordingMocks], shorthand: bool
) -> None:
    raw, stored, marked = stack(shorthand)
    mocks = make_mocks(config=raw)
    settings = parse_stack_settings(raw, find_secret_leaves(raw, marked, stored))
    mocks.run(lambda: deploy(settings))
    (deployment,) = mocks.of_type("kubernetes:apps/v1:Deployment")
    pod = Seen(deployment.inputs)["spec"]["template"]["spec"]
    main = pod["containers"][0]
    assert env_of(main, "API_KEY").value == "api-s3cr3t" and env_of(main, "API_KEY").secret
    assert main["args"][1].value == "arg-s3cr3t" and main["args"][1].secret
    sidecar = pod["initContainers"].where("name", "proxy")
    assert env_of(sidecar, "PROXY_TOKEN").secret
    init = pod["initContainers"].where("name", "migrate")
    assert env_of(init, "DB_URL").secret
    if not shorthand:
        namespace = Seen(mocks.one("kubernetes:core/v1:Namespace").inputs)
        label = namespace["metadata"]["labels"]["team"]
        assert label.value == "label-s3cr3t" and label.secret
    for resource in mocks.resources:
        plain = json.dumps(_unsecret_free(resource.inputs))
        for secret in SECRETS:
            assert secret not in plain, f"{secret} in plain text in {resource.name}"


def _unsecret_free(value: Any) -> Any:
    """``value`` with every secret-wrapped part left out (what is not a Pulumi secret)."""
    if is_secret(value):
        return "[secret]"
    if isinstance(value, dict):
        return {k: _unsecret_free(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unsecret_free(v) for v in value]
    return value


@pytest.mark.parametrize("shorthand", [True, False], ids=["shorthand", "services"])
def test_render_mode_writes_a_placeholder_for_every_secret_value(
    make_mocks: Callable[..., RecordingMocks], shorthand: bool
) -> None:
    raw, stored, marked = stack(shorthand)
    mocks = make_mocks(config=raw)
    settings = parse_stack_settings(raw, find_secret_leaves(raw, marked, stored))
    mocks.run(lambda: render(settings, "/tmp/out"))
    everything = json.dumps([r.inputs for r in mocks.resources])
    for secret in SECRETS:
        assert secret not in everything
    assert "redacted-by-moorage-render" in everything


@pytest.mark.parametrize("shorthand", [True, False], ids=["shorthand", "services"])
def test_a_secret_config_value_is_refused_and_points_to_service_secrets(shorthand: bool) -> None:
    config = {"LOG_LEVEL": "debug-s3cr3t"}
    if shorthand:
        raw = {"moorage:serviceName": "hello", "moorage:service": json.dumps({"image": "a:1"})}
        raw["moorage:service"] = json.dumps({"image": "a:1", "config": config})
        stored = {**raw, "moorage:service": {"image": "a:1", "config": {"LOG_LEVEL": SECURE}}}
        marked, where, instead = "moorage:service", "moorage:service.config.LOG_LEVEL", ""
    else:
        raw = {"moorage:services": json.dumps({"web": {"image": "a:1", "config": config}})}
        stored = {"moorage:services": {"web": {"image": "a:1", "config": {"LOG_LEVEL": SECURE}}}}
        marked, where, instead = "moorage:services", "moorage:services.web.config.LOG_LEVEL", ".web"
    with pytest.raises(ValidationError) as error:
        parse_stack_settings(raw, find_secret_leaves(raw, [marked], stored))
    message = str(error.value)
    assert where in message and "ConfigMap" in message
    assert f"moorage:serviceSecrets{instead}.LOG_LEVEL" in message
    assert "debug-s3cr3t" not in message


def test_an_error_at_a_secret_path_shows_secret_not_the_value(
    make_mocks: Callable[..., RecordingMocks],
) -> None:
    bad = {"image": "nginx:1.27.3", "env": {"API_KEY": "x" * 2_000_000 + "s3cr3t"}}
    raw = {"moorage:cluster": json.dumps(CLUSTER), "moorage:services": json.dumps({"web": bad})}
    stored = {"moorage:services": {"web": {"image": "nginx:1.27.3", "env": {"API_KEY": SECURE}}}}
    settings = parse_stack_settings(raw, find_secret_leaves(raw, ["moorage:services"], stored))
    mocks = make_mocks(config=raw)
    with pytest.raises(ValidationError) as error:
        mocks.run(lambda: deploy(settings))
    assert "s3cr3t" not in str(error.value) and "[secret]" in str(error.value)
    assert "moorage:services.web.env" in str(error.value)
    assert mocks.resources == []


@pytest.mark.parametrize(
    ("name", "field", "value"),
    [("service", "secrets_as_files", False), ("cluster", "cluster_name", "kwok-a")],
)
def test_a_secret_where_a_plain_value_is_needed_says_so(
    make_mocks: Callable[..., RecordingMocks], name: str, field: str, value: Any
) -> None:
    values = {"service": {"image": "nginx:1.27.3"}, "cluster": dict(CLUSTER)}
    stored: dict[str, Any] = {f"moorage:{k}": dict(v) for k, v in values.items()}
    values[name][field] = value
    stored[f"moorage:{name}"][field] = SECURE
    raw = {f"moorage:{k}": json.dumps(v) for k, v in values.items()}
    raw["moorage:serviceName"] = "hello"
    settings = parse_stack_settings(raw, find_secret_leaves(raw, [f"moorage:{name}"], stored))
    mocks = make_mocks(config=raw)
    with pytest.raises(ValidationError) as error:
        mocks.run(lambda: deploy(settings))
    message = str(error.value)
    assert f"moorage:{name}.{field} ('[secret]') holds a secret value" in message
    assert "must be a plain value" in message and "without --secret" in message
    assert str(value) not in message and "Output" not in message
    assert mocks.resources == []


@pytest.mark.parametrize(
    ("stored", "why"),
    [
        (None, "cannot tell"),
        ({"moorage:services": {"web": {"image": "a:1", "env": {"K": "v"}}}}, "cannot tell"),
        ({"moorage:services": {"web": {"image": "a:2", "env": {"K": SECURE}}}}, "cannot tell"),
        ({"moorage:services": SECURE}, "whole key"),
    ],
    ids=["no stack file", "no secure value", "another config", "whole key secret"],
)
def test_a_secret_key_whose_secret_paths_are_unknown_is_refused(
    stored: dict[str, Any] | None, why: str
) -> None:
    raw = {"moorage:services": json.dumps({"web": {"image": "a:1", "env": {"K": "v-s3cr3t"}}})}
    with pytest.raises(ValidationError) as error:
        find_secret_leaves(raw, ["moorage:services"], stored)
    message = str(error.value)
    assert "moorage:services" in message and why in message and "--path" in message
    assert "v-s3cr3t" not in message


@pytest.mark.parametrize("name", ["cloud", "serviceName", "serviceIdentities"])
def test_a_key_that_decides_what_exists_cannot_be_secret(name: str) -> None:
    raw = {f"moorage:{name}": "local"}
    with pytest.raises(ValidationError) as error:
        find_secret_leaves(raw, [f"moorage:{name}"], {f"moorage:{name}": SECURE})
    assert f"moorage:{name}" in str(error.value) and "cannot be a secret" in str(error.value)


def test_service_secrets_and_other_projects_keys_are_left_to_their_readers() -> None:
    raw = {"moorage:serviceSecrets": json.dumps({"web": {"K": "v"}}), "aws:region": "x"}
    leaves = find_secret_leaves(raw, ["moorage:serviceSecrets", "aws:region"], None)
    assert not leaves


def test_secret_paths_are_read_from_the_stack_config_dir(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text(yaml.safe_dump({"name": "p", "stackConfigDir": "st"}))
    (tmp_path / "st").mkdir()
    services = {"web": {"image": "a:1", "sidecars": [{"env": {"T": SECURE}}]}}
    document = {"config": {"moorage:services": services}}
    (tmp_path / "st" / "Pulumi.dev.yaml").write_text(yaml.safe_dump(document))
    stored = stack_file_config(tmp_path, "dev")
    assert stored == document["config"]
    raw = {
        "moorage:services": json.dumps({"web": {"image": "a:1", "sidecars": [{"env": {"T": "t"}}]}})
    }
    leaves = find_secret_leaves(raw, ["moorage:services"], stored)
    assert leaves.under("services") == (("web", "sidecars", 0, "env", "T"),)
    assert stack_file_config(tmp_path, "missing") is None


def test_the_project_is_found_from_the_programs_directory(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: p\n")
    (tmp_path / "infra").mkdir()
    assert project_root(tmp_path / "infra") == tmp_path
