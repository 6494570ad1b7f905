"""Stack config parsing: every mistake names its config key and never echoes secrets."""

from __future__ import annotations

import json

import pytest
from moorage._errors import ValidationError
from moorage._stack_config import parse_stack_settings


def config(**values: object) -> dict[str, str]:
    return {f"moorage:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


def test_local_defaults_to_cluster_ip_and_no_allow_list_requirement() -> None:
    settings = parse_stack_settings(config(service={"image": "nginx:1.27"}))
    assert settings.cloud == "local"
    assert settings.service["service_type"] == "ClusterIP"
    assert settings.require_load_balancer_allow_list is False


@pytest.mark.parametrize("cloud", ["eks", "gke"])
def test_clouds_default_to_load_balancer_which_needs_an_allow_list(cloud: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_stack_settings(config(cloud=cloud, service={"image": "nginx:1.27"}))
    assert "moorage:service.load_balancer_source_ranges" in str(error.value)
    allowed = parse_stack_settings(
        config(
            cloud=cloud,
            service={"image": "nginx:1.27", "load_balancer_source_ranges": ["203.0.113.0/24"]},
        )
    )
    assert allowed.service["service_type"] == "LoadBalancer"


def test_allow_list_requirement_can_be_turned_off() -> None:
    settings = parse_stack_settings(
        config(cloud="eks", service={"image": "a:1"}, requireLoadBalancerAllowList=False)
    )
    assert settings.require_load_balancer_allow_list is False


def test_unknown_cloud_names_the_key_and_the_choices() -> None:
    with pytest.raises(ValidationError) as error:
        parse_stack_settings(config(cloud="azure", service={"image": "a:1"}))
    message = str(error.value)
    assert "moorage:cloud" in message and "'azure'" in message
    assert "local, eks, gke" in message


def test_missing_image_is_reported() -> None:
    with pytest.raises(ValidationError, match=r"moorage:service\.image"):
        parse_stack_settings(config(service={}))


def test_cluster_must_be_a_mapping() -> None:
    with pytest.raises(ValidationError, match="moorage:cluster"):
        parse_stack_settings(config(service={"image": "a:1"}, cluster="oops"))


def test_secret_keys_are_read_but_values_never_echoed() -> None:
    raw = config(service={"image": "a:1"})
    raw["moorage:serviceSecrets"] = json.dumps({"DB_PASSWORD": "hunter2-very-secret"})
    settings = parse_stack_settings(raw)
    assert settings.secret_keys == ("DB_PASSWORD",)
    assert "hunter2-very-secret" not in repr(settings)


def test_malformed_secrets_do_not_echo_their_value() -> None:
    raw = config(service={"image": "a:1"})
    raw["moorage:serviceSecrets"] = "not-json-but-secret-text"
    with pytest.raises(ValidationError) as error:
        parse_stack_settings(raw)
    assert "moorage:serviceSecrets" in str(error.value)
    assert "not-json-but-secret-text" not in str(error.value)


def test_booleans_accept_yaml_strings() -> None:
    settings = parse_stack_settings(config(service={"image": "a:1"}, deleteUnreachable="true"))
    assert settings.delete_unreachable is True
    with pytest.raises(ValidationError, match="moorage:deleteUnreachable"):
        parse_stack_settings(config(service={"image": "a:1"}, deleteUnreachable="maybe"))
