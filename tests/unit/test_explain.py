"""``explain``: each setting with its origin, and the objects a service creates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from moorage import explain

ROOT = Path(__file__).resolve().parents[2]


def test_each_setting_says_where_it_comes_from():
    got = explain(
        "cart",
        {
            "image": "ghcr.io/acme/cart:1.0.0",
            "app_protocol": "grpc",
            "secrets": {"TOKEN": "hunter2"},
            "service_type": "LoadBalancer",
            "load_balancer_source_ranges": ["10.0.0.0/8"],
        },
        {"service_type": "cloud default"},
    )
    by_path = {s.path: s for s in got.settings}
    assert by_path["app_protocol"].origin == "yours"
    assert by_path["service_type"].origin == "cloud default"
    assert by_path["replicas"].origin == "Moorage default"
    assert by_path["replicas"].differs_from_kubernetes
    assert by_path["secrets"].value == "[secret]"
    assert "hunter2" not in got.text()
    assert "Deployment cart/cart" in got.objects
    assert "Secret cart/cart-secrets" in got.objects
    assert "ServiceAccount cart/cart" in got.objects


def test_an_existing_service_account_is_not_listed_as_created():
    got = explain(
        "w", {"image": "ghcr.io/a/w:1", "worker": True, "service_account_name": "default"}
    )
    assert not [o for o in got.objects if o.startswith(("ServiceAccount", "Service "))]


def test_make_explain_prints_every_service_of_a_stack():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "explain"), "local", "cart"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("service cart")
    assert "[yours]" in result.stdout and "[Moorage default]" in result.stdout
    assert "creates:" in result.stdout


def test_a_stacks_differing_defaults_name_the_services_that_get_them() -> None:
    from moorage._explain import differing_defaults, explain_stack

    config = {
        "moorage:services": {
            "web": {"image": "nginx:1.27.3", "replicas": 3},
            "api": {"image": "nginx:1.27.3", "run_as_user": 2000},
        }
    }
    found = {d.path: d for d in differing_defaults(explain_stack(config))}
    assert found["replicas"].services == ("api",)
    assert found["run_as_user"].services == ("web",)
    assert found["replicas"].difference.kubernetes == "1"
    assert found["resources.cpu_request"].services == ("web", "api")


def test_a_one_service_stack_is_explained_too() -> None:
    from moorage._explain import explain_stack

    config = {"moorage:serviceName": "hello", "moorage:service": {"image": "nginx:1.27.3"}}
    (explanation,) = explain_stack(config)
    assert explanation.name == "hello"
    by_path = {s.path: s for s in explanation.settings}
    assert by_path["service_type"].origin == "cloud default"
    assert by_path["image"].origin == "yours"


def test_a_secure_value_at_any_path_is_explained_as_secret() -> None:
    from moorage._explain import explain_stack

    secure = {"secure": "v1:Zq9ciphertext"}
    service = {"image": "nginx:1.27.3", "env": {"API_KEY": secure}, "container_args": [secure]}
    (explanation,) = explain_stack({"moorage:services": {"web": service}})
    text = explanation.text()
    assert "[secret]" in text and "Zq9ciphertext" not in text
