"""Stack config parsing: every mistake names its config key and never echoes secrets."""

from __future__ import annotations

import json

import pytest
from moorage._errors import ValidationError
from moorage._stack_config import parse_stack_settings
from moorage._stack_secrets import find_secret_leaves


def config(**values: object) -> dict[str, str]:
    return {f"moorage:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


def test_local_defaults_to_cluster_ip_and_no_allow_list_requirement() -> None:
    settings = parse_stack_settings(config(service={"image": "nginx:1.27"}))
    assert settings.cloud == "local"
    assert settings.application.services["hello"]["service_type"] == "ClusterIP"
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
    assert allowed.application.services["hello"]["service_type"] == "LoadBalancer"


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
    assert settings.application.secret_keys == {"hello": ("DB_PASSWORD",)}
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


# -- many services: moorage:services --------------------------------------------------

SHOP = {
    "namespaces": {"shop": {}},
    "services": {
        "web": {
            "image": "a:1",
            "namespace": "shop",
            "env": {"MODE": "x", "CART": {"service_url": "cart"}, "DB": {"service_host": "db"}},
        },
        "cart": {"image": "a:1", "namespace": "shop", "env": {"DB": {"service_address": "db"}}},
        "db": {"image": "a:1", "namespace": "shop"},
    },
}


def test_services_map_takes_references_out_of_env_in_dependency_order() -> None:
    settings = parse_stack_settings(config(**SHOP))
    app = settings.application
    assert app is not None
    assert app.services["web"]["env"] == {"MODE": "x"}
    assert app.services["web"]["service_type"] == "ClusterIP"
    assert app.service_refs["web"] == {
        "CART": {"service": "cart", "value": "url"},
        "DB": {"service": "db", "value": "host"},
    }
    assert app.service_refs["cart"] == {"DB": {"service": "db", "value": "address"}}
    assert app.order == ("db", "cart", "web")


@pytest.mark.parametrize(
    ("env", "key", "words"),
    [
        ({"X": {"service_url": "nope"}}, "moorage:services.web.env.X", "is not a service"),
        ({"X": {"service_url": "web"}}, "moorage:services.web.env.X", "itself"),
        ({"X": {"service_port": "db"}}, "moorage:services.web.env.X", "{service_url: NAME}"),
    ],
)
def test_bad_references_name_the_env_key(env: dict[str, object], key: str, words: str) -> None:
    services = {**SHOP["services"], "web": {"image": "a:1", "namespace": "shop", "env": env}}  # type: ignore[dict-item]
    with pytest.raises(ValidationError) as error:
        parse_stack_settings(config(namespaces=SHOP["namespaces"], services=services))
    assert key in str(error.value) and words in str(error.value)


def test_a_reference_may_be_a_short_address_that_does_not_wait() -> None:
    services = {
        **SHOP["services"],
        "web": {
            "image": "a:1",
            "namespace": "shop",
            "env": {"CART": {"service_short_address": "cart", "wait": False}},
        },
    }
    settings = parse_stack_settings(config(namespaces=SHOP["namespaces"], services=services))
    app = settings.application
    assert app is not None
    assert app.services["web"]["env"] == {}
    assert app.service_refs["web"] == {
        "CART": {"service": "cart", "value": "short_address", "wait": False}
    }


@pytest.mark.parametrize(
    ("ref", "key", "words"),
    [
        ({"service_url": "db", "wait": "no"}, "moorage:services.web.env.X.wait", "true or false"),
        ({"service_url": "db", "retry": True}, "moorage:services.web.env.X", "wait: false"),
        ({"wait": False}, "moorage:services.web.env.X", "{service_short_address: NAME}"),
    ],
)
def test_a_bad_reference_mapping_names_its_key(
    ref: dict[str, object], key: str, words: str
) -> None:
    services = {**SHOP["services"], "web": {"image": "a:1", "env": {"X": ref}}}
    with pytest.raises(ValidationError) as error:
        parse_stack_settings(config(namespaces=SHOP["namespaces"], services=services))
    assert key in str(error.value) and words in str(error.value)


def test_a_reference_cycle_is_shown_in_full() -> None:
    services = {
        "a": {"image": "a:1", "env": {"B": {"service_url": "b"}}},
        "b": {"image": "a:1", "env": {"A": {"service_url": "a"}}},
    }
    with pytest.raises(ValidationError) as error:
        parse_stack_settings(config(services=services))
    assert "a -> b -> a" in str(error.value)
    assert "reference cycle" in str(error.value)


@pytest.mark.parametrize("shorthand", ["service", "serviceName"])
def test_mixing_the_shorthand_with_services_shows_the_new_form(shorthand: str) -> None:
    raw = config(**SHOP, **{shorthand: {"image": "a:1"} if shorthand == "service" else "hello"})
    with pytest.raises(ValidationError) as error:
        parse_stack_settings(raw)
    message = str(error.value)
    assert f"moorage:{shorthand}" in message
    assert "moorage:services: {" in message


def test_no_service_at_all_shows_the_services_form() -> None:
    with pytest.raises(ValidationError, match=r"moorage:services.*\{web: \{image"):
        parse_stack_settings(config(cloud="local"))


def test_secrets_are_per_service_and_never_echoed() -> None:
    raw = config(**SHOP)
    raw["moorage:serviceSecrets"] = json.dumps({"web": {"TOKEN": "hunter2-very-secret"}})
    settings = parse_stack_settings(raw)
    assert settings.application is not None
    assert settings.application.secret_keys == {"web": ("TOKEN",)}
    assert "hunter2-very-secret" not in repr(settings)
    raw["moorage:serviceSecrets"] = json.dumps({"TOKEN": "hunter2-very-secret"})
    with pytest.raises(ValidationError) as error:
        parse_stack_settings(raw)
    assert "serviceSecrets.web.API_TOKEN" in str(error.value)
    assert "hunter2-very-secret" not in str(error.value)


def test_each_cloud_service_needs_its_allow_list() -> None:
    raw = config(cloud="eks", services={"web": {"image": "a:1"}})
    with pytest.raises(
        ValidationError, match=r"moorage:services\.web\.load_balancer_source_ranges"
    ):
        parse_stack_settings(raw)


def test_stub_monitoring_crds_are_for_local_stacks_only() -> None:
    raw = config(
        cloud="gke",
        services={"web": {"image": "a:1", "service_type": "ClusterIP"}},
        monitoringCrds=True,
    )
    with pytest.raises(ValidationError, match="moorage:monitoringCrds"):
        parse_stack_settings(raw)


def test_a_misspelt_stack_key_names_the_closest_one() -> None:
    with pytest.raises(ValidationError) as error:
        parse_stack_settings({"moorage:servics": '{"web": {"image": "ghcr.io/acme/web:1.0.0"}}'})
    assert str(error.value) == (
        "stack config: moorage:servics ('servics') is not a known field of the moorage "
        'stack config; did you mean "services"?'
    )


@pytest.mark.parametrize("cloud", ["local", "eks"])
def test_a_worker_never_gets_a_service_type_in_either_form(cloud: str) -> None:
    worker = {"image": "ghcr.io/acme/jobs:1.0.0", "worker": True}
    many = parse_stack_settings(config(cloud=cloud, services={"jobs": worker}))
    one = parse_stack_settings(config(cloud=cloud, serviceName="jobs", service=worker))
    assert many.application.services == one.application.services
    assert "service_type" not in one.application.services["jobs"]


def test_the_shorthand_is_a_one_entry_services_map() -> None:
    one = parse_stack_settings(
        config(
            serviceName="api",
            service={"image": "a:1", "port": 9000},
            serviceSecrets={"TOKEN": "hunter2-very-secret"},
        )
    )
    many = parse_stack_settings(
        config(
            services={"api": {"image": "a:1", "port": 9000}},
            serviceSecrets={"api": {"TOKEN": "hunter2-very-secret"}},
        )
    )
    assert one.application == many.application
    assert (one.shorthand, many.shorthand) == ("api", None)
    assert one.config_key("services.api.port") == "moorage:service.port"
    assert one.config_key("serviceSecrets.api.TOKEN") == "moorage:serviceSecrets.TOKEN"


def test_a_shorthand_namespace_keeps_meaning_an_existing_one() -> None:
    settings = parse_stack_settings(config(service={"image": "a:1", "namespace": "team"}))
    assert settings.application.services["hello"]["create_namespace"] is False


def test_shorthand_errors_name_the_shorthand_keys() -> None:
    with pytest.raises(ValidationError) as error:
        parse_stack_settings(config(service={"image": "a:1", "env": {"X": {"service_url": 1}}}))
    assert "moorage:service.env.X" in str(error.value)


@pytest.mark.parametrize("name", ["services", "cluster", "serviceSecrets"])
@pytest.mark.parametrize(
    "text",
    ['{"web": {"image": "a:1", "replicas": ' + "9" * 5000 + "}}", "[" * 100_000 + "]" * 100_000],
    ids=["5000-digit number", "nested 100000 deep"],
)
def test_unreadable_json_is_one_clear_error(name: str, text: str) -> None:
    raw = config(service={"image": "a:1"}) if name != "services" else {}
    raw[f"moorage:{name}"] = text
    with pytest.raises(ValidationError) as error:
        parse_stack_settings(raw)
    message = str(error.value)
    assert f"moorage:{name}" in message and "cannot be read" in message
    assert len(message) < 300 and "\n" not in message


def test_service_secrets_may_be_secret() -> None:
    raw = config(services={"web": {"image": "a:1"}}, serviceSecrets={"web": {"K": "v"}})
    leaves = find_secret_leaves(raw, ["moorage:serviceSecrets"], None)
    settings = parse_stack_settings(raw, leaves)
    assert settings.application.secret_keys == {"web": ("K",)}
