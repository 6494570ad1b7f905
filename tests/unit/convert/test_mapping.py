"""What convert maps, and how: references, selectors, secrets, Services, what it refuses."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import yaml
from moorage.__main__ import main
from moorage.convert import ConvertOptions, convert_texts
from moorage.convert._causes import DOCUMENTED, HARDENING, NOT_EXPRESSIBLE

from .helpers import FIXTURES, converted


def test_references_use_the_short_address_and_do_not_wait() -> None:
    services = converted("small-shop.yaml").stack_config["moorage:services"]
    assert services["web"]["env"]["CART_ADDR"] == {"service_short_address": "cart", "wait": False}
    assert services["cart"]["env"]["REDIS_ADDR"] == {
        "service_short_address": "redis",
        "wait": False,
    }


def test_a_value_naming_another_port_stays_plain() -> None:
    text = (FIXTURES / "small-shop.yaml").read_text().replace('"cart:7070"', '"cart:9999"')
    services = convert_texts([("shop.yaml", text)], ConvertOptions()).stack_config[
        "moorage:services"
    ]
    assert services["web"]["env"]["CART_ADDR"] == "cart:9999"


def test_existing_selectors_are_kept_and_objects_adopted() -> None:
    conversion = converted("small-shop.yaml")
    cart = conversion.stack_config["moorage:services"]["cart"]
    assert cart["selector_labels"] == {"app": "cart"} and cart["adopt"] is True
    rendered = conversion.rendered["cart"].objects
    assert rendered[("Deployment", "cart")]["spec"]["selector"] == {"matchLabels": {"app": "cart"}}
    assert rendered[("Service", "cart")]["spec"]["selector"] == {"app": "cart"}


def test_secrets_become_service_secret_keys_and_their_values_are_written_nowhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture = FIXTURES / "small-shop.yaml"
    encoded = "c2VjcmV0LXZhbHVlLWRvLW5vdC1sZWFr"
    secret = base64.b64decode(encoded).decode()
    for fmt in ("stack", "python"):
        out = tmp_path / f"out-{fmt}"
        assert main(["convert", str(fixture), "--format", fmt, "-o", str(out)]) == 0
        err = capsys.readouterr().err
        assert encoded not in out.read_text() and secret not in out.read_text()
        assert encoded not in err and secret not in err
    assert (
        "pulumi config set --stack converted --secret --path "
        "'moorage:serviceSecrets.cart.DB_PASSWORD' -- "
        "<value of key password of Secret shop/cart-db>"
    ) in err
    conversion = converted("small-shop.yaml")
    assert conversion.secret_keys["cart"] == ["DB_PASSWORD"]
    env = conversion.rendered["cart"].objects[("Deployment", "cart")]["spec"]["template"]["spec"][
        "containers"
    ][0]["env"]
    assert {
        "name": "DB_PASSWORD",
        "valueFrom": {"secretKeyRef": {"name": "cart-secrets", "key": "DB_PASSWORD"}},
    } in env


def test_envfrom_secrets_become_keys_too() -> None:
    conversion = converted("secrets-envfrom.yaml")
    assert any(conversion.secret_keys.values())
    for keys in conversion.secret_keys.values():
        assert all(k.replace("_", "a").isalnum() for k in keys)


def test_what_is_not_mapped_is_listed_with_the_reason() -> None:
    conversion = converted("unsupported.yaml")
    kinds = {u.ref.split(" ")[0] for u in conversion.unmapped}
    assert {"StatefulSet", "DaemonSet", "Job", "CustomResourceDefinition"} <= kinds
    reasons = " ".join(f"{u.ref}: {u.reason}" for u in conversion.unmapped)
    assert "hostNetwork" in reasons
    assert "selects pods of no converted Deployment" in reasons
    assert "not converted:" in conversion.report


def test_a_worker_has_no_service_and_its_ports_stay_in_the_pod() -> None:
    services = converted("small-shop.yaml").stack_config["moorage:services"]
    assert services["mailer"]["worker"] is True
    assert ("Service", "mailer") not in converted("small-shop.yaml").rendered["mailer"].objects


def test_every_difference_has_one_of_the_three_causes() -> None:
    conversion = converted("web-worker-redis.yaml")
    kinds = {d.cause.kind for r in conversion.fidelity for d in r.differences}
    assert kinds <= {HARDENING, DOCUMENTED, NOT_EXPRESSIBLE}
    assert HARDENING in kinds and DOCUMENTED in kinds
    paths = {d.path: d.cause.kind for r in conversion.fidelity for d in r.differences}
    assert paths["spec.template.spec.enableServiceLinks"] == HARDENING
    small = converted("small-shop.yaml")
    causes = {(d.name, d.path): d.cause for r in small.fidelity for d in r.differences}
    assert causes[("web", "spec.template.spec.securityContext")].kind == HARDENING
    startup = causes[("cart", "spec.template.spec.containers[server].startupProbe")]
    assert startup.kind == HARDENING and "probes.startup.kind" in startup.reason
    assert causes[("web", "spec.replicas")].kind == DOCUMENTED  # the HPA owns the count


def test_the_report_names_the_objects_moorage_adds() -> None:
    report = converted("small-shop.yaml").report
    assert "adds NetworkPolicy shop/web" in report
    assert "adds ServiceAccount shop/web" in report
    assert "adds PodDisruptionBudget shop/cart" in report


def test_the_stack_file_parses_back_to_the_same_config(tmp_path: Path) -> None:
    out = tmp_path / "Pulumi.shop.yaml"
    assert main(["convert", str(FIXTURES / "grpc-shop.yaml"), "-o", str(out)]) == 0
    written = yaml.safe_load(out.read_text())["config"]
    assert written == converted("grpc-shop.yaml").stack_config
    assert len(written["moorage:services"]) >= 8


def test_the_python_program_compiles() -> None:
    program = converted("small-shop.yaml", format="python").text
    compile(program, "__main__.py", "exec")
    assert "Application(" in program and "service_refs" in program


def test_namespace_moves_every_object() -> None:
    config = converted("small-shop.yaml", namespace="other").stack_config
    assert {s["namespace"] for s in config["moorage:services"].values()} == {"other"}
    assert set(config["moorage:namespaces"]) == {"other"}


def test_the_same_name_in_two_namespaces_is_listed_not_merged() -> None:
    text = (FIXTURES / "small-shop.yaml").read_text()
    second = text.replace("namespace: shop", "namespace: shop2").replace(
        "name: shop\n", "name: shop2\n"
    )
    conversion = convert_texts([("a.yaml", text), ("b.yaml", second)], ConvertOptions())
    assert "Deployment shop2/web" in {u.ref for u in conversion.unmapped}
