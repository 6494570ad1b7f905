"""print-access: an HTTP service for the port-forward example, LoadBalancer addresses."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace as NS

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "access_summary.py"
_spec = importlib.util.spec_from_file_location("access_summary", SCRIPT)
assert _spec is not None and _spec.loader is not None
access = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(access)


def test_the_port_forward_example_picks_an_http_service_not_grpc():
    services = {
        "ad": {
            "url": "grpc://ad.shop.svc.cluster.local:9555",
            "namespace": "shop",
            "service_name": "ad",
        },
        "cache": {
            "url": "tcp://cache.shop.svc.cluster.local:6379",
            "namespace": "shop",
            "service_name": "cache",
        },
        "web": {
            "url": "http://web.shop.svc.cluster.local:80",
            "namespace": "shop",
            "service_name": "web",
        },
    }
    assert access.example_service(services) == ("shop", "web", "80")
    assert access.example_service({"ad": services["ad"]}) is None


def service(kind: str, ingress: list[NS] | None) -> NS:
    return NS(
        metadata=NS(namespace="shop", name="web"),
        spec=NS(type=kind, ports=[NS(port=80)]),
        status=NS(load_balancer=NS(ingress=ingress)),
    )


def test_load_balancer_addresses_are_listed_and_pending_ones_say_so():
    lines = access.load_balancer_addresses(
        [
            service("LoadBalancer", [NS(hostname=None, ip="203.0.113.7")]),
            service("LoadBalancer", None),
            service("ClusterIP", None),
        ]
    )
    assert lines == ["shop/web  203.0.113.7:80", "shop/web  (pending)"]
