"""The grammar WebService validates names, keys, values, ports, counts and CIDRs with is
the real API server's.

Each spelling of ``tests/unit/test_grammar.py`` is put into the field it governs of a
small object and sent to kube-apiserver in a server-side dry run. The server must accept
every ACCEPTED spelling and reject every REJECTED one, exactly as Moorage does; the
STRICTER_THAN_SERVER spellings must be ones the server accepts (Moorage refuses them on
purpose), so that list cannot hide a real disagreement.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from ..unit.test_grammar import ACCEPTED, GRAMMARS, REJECTED, STRICTER_THAN_SERVER

pytestmark = pytest.mark.engine

NS = "default"


def _name() -> str:
    return f"g-{uuid.uuid4().hex[:8]}"


def _meta(**extra: Any) -> dict[str, Any]:
    return {"name": _name(), **extra}


def _pod_spec(**container: Any) -> dict[str, Any]:
    return {"containers": [{"name": "app", "image": "nginx:1.27", **container}]}


def _network_policy(cidr: str) -> dict[str, Any]:
    return {
        "metadata": _meta(),
        "spec": {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": cidr}}]}]},
    }


def _ingress(host: str = "example.com", path: str = "/") -> dict[str, Any]:
    backend = {"service": {"name": "api", "port": {"number": 80}}}
    return {
        "metadata": _meta(),
        "spec": {
            "rules": [
                {
                    "host": host,
                    "http": {"paths": [{"path": path, "pathType": "Prefix", "backend": backend}]},
                }
            ]
        },
    }


def _service(port: int = 80, service_name: str | None = None) -> Any:
    meta = _meta() if service_name is None else {"name": service_name}
    return {
        "metadata": meta,
        "spec": {"selector": {"app": "x"}, "ports": [{"name": "http", "port": port}]},
    }


def _route(
    kind: str = "HTTPRoute", match: dict[str, Any] | None = None, **fields: Any
) -> dict[str, Any]:
    """A Gateway API route; ``match`` is its one match, ``fields`` go on its rule or spec."""
    rule: dict[str, Any] = {"backendRefs": [{"name": "api", "port": 80}]}
    if match is not None:
        rule["matches"] = [match]
    for key in ("timeouts", "filters"):
        if key in fields:
            rule[key] = fields.pop(key)
    if "weight" in fields:
        rule["backendRefs"][0]["weight"] = fields.pop("weight")
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": kind,
        "metadata": _meta(),
        "spec": {"parentRefs": [{"name": "public"}], "rules": [rule], **fields},
    }


def _deployment(replicas: int) -> dict[str, Any]:
    labels = {"app": "x"}
    return {
        "metadata": _meta(),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": _pod_spec()},
        },
    }


class Server:
    """One dry-run request per kind of field."""

    def __init__(self, kubeconfig: str) -> None:
        api = config.new_client_from_config_dict(yaml.safe_load(kubeconfig))
        self.core = client.CoreV1Api(api)
        self.apps = client.AppsV1Api(api)
        self.net = client.NetworkingV1Api(api)
        self.custom = client.CustomObjectsApi(api)
        self.requests: dict[str, Callable[[Any], Any]] = {
            "dns1123_label": lambda v: self.core.create_namespace(
                {"metadata": {"name": v}}, dry_run="All"
            ),
            "dns1123_subdomain": lambda v: self._config_map({"metadata": {"name": v}}),
            "dns1035_label": lambda v: self.core.create_namespaced_service(
                NS, _service(service_name=v), dry_run="All"
            ),
            "label_key": lambda v: self._config_map({"metadata": _meta(labels={v: "x"})}),
            "label_value": lambda v: self._config_map({"metadata": _meta(labels={"k": v})}),
            "annotation_key": lambda v: self._config_map({"metadata": _meta(annotations={v: "x"})}),
            "config_key": lambda v: self._config_map({"metadata": _meta(), "data": {v: "x"}}),
            "env_var_name": lambda v: self._pod(_pod_spec(env=[{"name": v, "value": "x"}])),
            "port_number": lambda v: self.core.create_namespaced_service(
                NS, _service(port=v), dry_run="All"
            ),
            "port_name": lambda v: self._pod(_pod_spec(ports=[{"name": v, "containerPort": 8080}])),
            "int32": lambda v: self.apps.create_namespaced_deployment(
                NS, _deployment(v), dry_run="All"
            ),
            "cidr": lambda v: self.net.create_namespaced_network_policy(
                NS, _network_policy(v), dry_run="All"
            ),
            "ingress_host": lambda v: self.net.create_namespaced_ingress(
                NS, _ingress(host=v), dry_run="All"
            ),
            "ingress_path": lambda v: self.net.create_namespaced_ingress(
                NS, _ingress(path=v), dry_run="All"
            ),
            "unix_id": lambda v: self._pod({**_pod_spec(), "securityContext": {"runAsUser": v}}),
            "http_header_name": lambda v: self._pod(
                _pod_spec(
                    readinessProbe={
                        "httpGet": {
                            "port": 8080,
                            "path": "/",
                            "httpHeaders": [{"name": v, "value": "x"}],
                        }
                    }
                )
            ),
            "route_hostname": lambda v: self._route(_route(hostnames=[v])),
            "route_path": lambda v: self._route(
                _route(match={"path": {"type": "PathPrefix", "value": v}})
            ),
            "gateway_duration": lambda v: self._route(_route(timeouts={"request": v})),
            "route_header_name": lambda v: self._route(
                _route(match={"headers": [{"type": "Exact", "name": v, "value": "x"}]})
            ),
            "grpc_service": lambda v: self._route(
                _route("GRPCRoute", match={"method": {"type": "Exact", "service": v}})
            ),
            "grpc_method": lambda v: self._route(
                _route("GRPCRoute", match={"method": {"type": "Exact", "method": v}})
            ),
            "route_weight": lambda v: self._route(_route(weight=v)),
        }

    def _route(self, body: dict[str, Any]) -> Any:
        plural = {"HTTPRoute": "httproutes", "GRPCRoute": "grpcroutes"}[body["kind"]]
        return self.custom.create_namespaced_custom_object(
            "gateway.networking.k8s.io", "v1", NS, plural, body, dry_run="All"
        )

    def _config_map(self, body: dict[str, Any]) -> Any:
        return self.core.create_namespaced_config_map(NS, body, dry_run="All")

    def _pod(self, spec: dict[str, Any]) -> Any:
        return self.core.create_namespaced_pod(
            NS, {"metadata": _meta(), "spec": spec}, dry_run="All"
        )

    def accepts(self, kind: str, value: Any) -> bool:
        try:
            self.requests[kind](value)
        except ApiException as error:
            if error.status in (400, 422):
                return False
            raise
        return True


def test_moorage_and_the_api_server_agree_on_every_spelling(gateway_api: str) -> None:
    server = Server(gateway_api)
    assert set(server.requests) == set(GRAMMARS)

    disagreements = {
        f"{kind}: {value!r}"[:120]: {"server": theirs, "moorage": ours}
        for table in (ACCEPTED, REJECTED)
        for kind, values in table.items()
        for value in values
        if (theirs := server.accepts(kind, value)) != (ours := GRAMMARS[kind](value))
    }

    assert disagreements == {}


def test_the_stricter_spellings_are_ones_the_server_accepts(gateway_api: str) -> None:
    server = Server(gateway_api)

    refused_by_server = [
        f"{kind}: {value!r}"
        for kind, values in STRICTER_THAN_SERVER.items()
        for value in values
        if not server.accepts(kind, value)
    ]

    assert refused_by_server == []


def test_the_api_server_accepts_the_egress_and_metrics_policy(kwok_cluster: str) -> None:
    from moorage.webservice import build_spec, render

    spec = build_spec(
        "api",
        {
            "image": "ghcr.io/acme/api:1.4.2",
            "metrics": {"port": 9090},
            "network_policy": {
                "allow_from_namespaces": ["ingress-nginx"],
                "allow_metrics_from_namespaces": ["monitoring"],
                "egress": {
                    "allow_to_namespaces": ["data"],
                    "allow_to_pod_labels": {"app": "postgres"},
                    "allow_cidrs": ["10.20.0.0/16", "2001:db8::/64"],
                    "allow_ports": [5432, 443],
                },
            },
        },
    )
    server = Server(kwok_cluster)

    body = {"metadata": _meta(), "spec": render(spec).network_policy}
    created = server.net.create_namespaced_network_policy(NS, body, dry_run="All")

    assert created.spec.policy_types == ["Ingress", "Egress"]
    assert len(created.spec.egress) == 2


NESTED_ARGS: dict[str, Any] = {
    "image": "ghcr.io/acme/api:1.4.2",
    "namespace": NS,
    "replicas": 1,
    "ports": [{"name": "admin", "port": 9000}],
    "extra_services": [{"name": "admin", "ports": ["admin"]}],
    "probes": {
        "readiness": {
            "kind": "http",
            "path": "/ready",
            "http_headers": {"X-Probe": "1", "Host": "api.example.com", "-": ""},
        }
    },
    "config": {"A": "1"},
    "config_as_env": False,
    "config_mount_path": "/etc/app/",
    "secrets": {"B": "2"},
    "secrets_as_files": True,
    "secrets_mount_path": "/etc/secrets/../secret-files",
    "volumes": [{"name": "cache", "mount_path": "/var/cache/app/.", "empty_dir": True}],
    "persistence": {"size": "1", "mount_path": "/data"},
    "sidecars": [
        {
            "name": "proxy",
            "image": "ghcr.io/acme/proxy:1.0.0",
            "capabilities_add": ["NET_BIND_SERVICE"],
            "volume_mounts": [{"name": "cache", "mount_path": "/cache/"}],
        }
    ],
    "env": {"BIG": "x" * (900 * 1024)},
}
"""Nested fields at the edges of what Moorage accepts (issue 23)."""


def test_the_api_server_accepts_nested_fields_moorage_accepts(kwok_cluster: str) -> None:
    from moorage.webservice import build_spec, render
    from moorage.webservice._persistence import claim_spec

    spec = build_spec("api", NESTED_ARGS)  # type: ignore[arg-type]
    manifests = render(spec)
    server = Server(kwok_cluster)
    deployment = {"metadata": _meta(), "spec": manifests.deployment}
    assert spec.persistence is not None and spec.services.extra

    server.apps.create_namespaced_deployment(NS, deployment, dry_run="All")
    server.core.create_namespaced_persistent_volume_claim(
        NS, {"metadata": _meta(), "spec": claim_spec(spec.persistence)}, dry_run="All"
    )
    server.core.create_namespaced_service(
        NS,
        {"metadata": _meta(), "spec": manifests.extra_service(spec.services.extra[0], {})},
        dry_run="All",
    )


def test_the_api_server_accepts_the_routes_moorage_renders(gateway_api: str) -> None:
    from moorage.webservice import build_spec, render

    spec = build_spec(
        "api",
        {
            "image": "ghcr.io/acme/api:1.4.2",
            "ports": [{"name": "grpc", "port": 9000, "app_protocol": "grpc"}],
            "routes": [
                {
                    "gateway": "public",
                    "gateway_namespace": "gateways",
                    "section_name": "https",
                    "hostnames": ["api.example.com", "*.example.org"],
                    "matches": [
                        {"path": "/v1", "headers": {"X-Env": "canary"}},
                        {"path": "/health", "path_type": "Exact", "method": "GET"},
                        {"path": "^/items/[0-9]+$", "path_type": "RegularExpression"},
                    ],
                    "timeout": "10s",
                    "backend_timeout": "2s",
                    "request_headers": {
                        "set": {"X-From": "gateway"},
                        "add": {"X-Trace": "1"},
                        "remove": ["X-Debug"],
                    },
                },
                {
                    "gateway": "internal",
                    "kind": "GRPCRoute",
                    "name": "grpc",
                    "port": "grpc",
                    "matches": [{"service": "shop.v1.Cart", "method": "GetCart"}],
                    "request_headers": {"set": {"X-From": "gateway"}},
                },
            ],
        },
    )
    server = Server(gateway_api)
    manifests = render(spec)

    created = [
        server._route(
            {
                "apiVersion": "gateway.networking.k8s.io/v1",
                "kind": route.kind,
                "metadata": _meta(),
                "spec": manifests.route(route),
            }
        )
        for route in spec.routes
    ]

    assert [c["kind"] for c in created] == ["HTTPRoute", "GRPCRoute"]
    assert created[0]["spec"]["rules"][0]["timeouts"] == {"request": "10s", "backendRequest": "2s"}
    assert created[1]["spec"]["rules"][0]["backendRefs"][0]["port"] == 9000
