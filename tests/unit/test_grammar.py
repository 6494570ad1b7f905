"""Names, keys, values, ports, counts and CIDRs are checked as the API server checks them.

``ACCEPTED`` and ``REJECTED`` are shared with ``tests/engine/test_grammar_server.py``,
which sends every spelling to a real kube-apiserver in a server-side dry run and checks
that the server agrees. ``STRICTER_THAN_SERVER`` lists spellings the server lets through
that Moorage refuses on purpose (the engine test checks the server does accept them, so
the list stays honest).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from moorage import _grammar as grammar

GRAMMARS: dict[str, Callable[[Any], bool]] = {
    "dns1123_label": grammar.is_dns1123_label,
    "dns1123_subdomain": grammar.is_dns1123_subdomain,
    "dns1035_label": grammar.is_dns1035_label,
    "label_key": grammar.is_qualified_name,
    "label_value": grammar.is_label_value,
    "annotation_key": grammar.is_annotation_key,
    "config_key": grammar.is_config_key,
    "env_var_name": grammar.is_env_var_name,
    "port_number": grammar.is_port_number,
    "port_name": grammar.is_port_name,
    "int32": grammar.is_int32,
    "cidr": grammar.is_cidr,
    "ingress_host": grammar.is_ingress_host,
    "ingress_path": grammar.is_ingress_prefix_path,
    "unix_id": grammar.is_unix_id,
    "http_header_name": grammar.is_http_header_name,
    "route_hostname": grammar.is_route_hostname,
    "route_path": grammar.is_route_path,
    "gateway_duration": grammar.is_gateway_duration,
    "route_header_name": grammar.is_route_header_name,
    "grpc_service": grammar.is_grpc_service,
    "grpc_method": grammar.is_grpc_method,
    "route_weight": grammar.is_route_weight,
}

ACCEPTED: dict[str, list[Any]] = {
    "dns1123_label": ["a", "shop", "a-b", "0", "1abc", "a" * 63, "x1--2y"],
    "dns1123_subdomain": [
        "a",
        "a.b",
        "api.example.com",
        "a-b.c-d",
        "1.2.3.4",
        "a" * 100 + ".b",
        "a" * 253,
    ],
    "dns1035_label": ["a", "api", "a-1", "a" * 63],
    "label_key": [
        "app",
        "App_Name.v1",
        "example.com/name",
        "a/b",
        "k8s.io/A",
        "a" * 63,
        "a" * 253 + "/b",
    ],
    "label_value": ["", "a", "A-b_c.d", "a" * 63, "1"],
    "annotation_key": ["app", "example.com/Name", "Example.COM/Name", "a" * 63],
    "config_key": ["a", "A_B", "a.b-c", ".hidden", "a..b", "a" * 253, "1"],
    "env_var_name": ["A", "_A", "A_1", "a", "DB_PASSWORD"],
    "port_number": [1, 80, 65535],
    "port_name": ["http", "h2c", "a-b", "a" * 15, "web-8080", "1a"],
    "int32": [0, 1, 2**31 - 1],
    "cidr": [
        "10.0.0.0/8",
        "203.0.113.0/24",
        "0.0.0.0/0",
        "10.0.0.1/32",
        "2001:db8::/64",
        "2001:DB8::/64",
        "2001:0db8::/64",
        "::/0",
    ],
    "ingress_host": [
        "example.com",
        "api.example.com",
        "*.example.com",
        "a",
        "*.a",
        "1.2.3.256",
        "*.1.2.3.4",
    ],
    "ingress_path": ["/", "/api", "/api/v1/", "/a.b", "/.well-known", "/a..b"],
    "unix_id": [0, 1, 10001, 2**31 - 1],
    "http_header_name": ["X-Probe", "Host", "a", "x-1-2", "-", "X" * 200],
    "route_hostname": ["example.com", "api.example.com", "*.example.com", "a", "a-b.c"],
    "route_path": ["/", "/api", "/api/v1/", "/a.b", "/.well-known", "/a%20b", "/a:b@c", "/~x"],
    "gateway_duration": ["10s", "1m30s", "500ms", "1h", "0s", "99999ms"],
    "route_header_name": ["X-Env", "x-env", "Accept", "a!#$%&'*+-.^_`|~"],
    "grpc_service": ["shop.v1.Cart", "Cart", "_a.b", ".shop.Cart"],
    "grpc_method": ["GetCart", "get_cart", "_x"],
    "route_weight": [0, 1, 100, 1_000_000],
}

REJECTED: dict[str, list[Any]] = {
    "dns1123_label": ["", "Shop", "-a", "a-", "a_b", "a.b", "a" * 64, "shop\n", "sh op", "é"],
    "dns1123_subdomain": [
        "",
        "A.b",
        "a..b",
        ".a",
        "a.",
        "a_b",
        "a" * 254,
        "api.example.com\n",
        "*.example.com",
    ],
    "dns1035_label": ["", "A", "a-", "a" * 64, "api\n", "a.b"],
    "label_key": [
        "",
        "/a",
        "a/",
        "a/b/c",
        "Example.com/a",
        "-a",
        "a-",
        "a" * 64,
        "app\n",
        "a b",
        "é",
        "a" * 254 + "/b",
    ],
    "label_value": ["-a", "a-", "a" * 64, "a b", "a\n", "a/b", "é"],
    "annotation_key": ["", "a/b/c", "a b", "a" * 64, "key\n", "/a", "a_/b"],
    "config_key": ["", ".", "..", "..a", "a b", "a/b", "a" * 254, "key\n", "é"],
    "env_var_name": ["", "A=B", "A\n", "A\tB", "é"],
    "port_number": [0, -1, 65536],
    "port_name": ["HTTP", "80", "-http", "http-", "a--b", "a" * 16, "http\n", "h_t"],
    "int32": [-1, 2**31],
    "cidr": [
        "",
        "x",
        "10.0.0.1",
        "10.0.0.0/33",
        "10.0.0.0/255.0.0.0",
        "10.0.0.0/8\n",
        "2001:db8::/129",
        "10.0.0.0/-1",
        "10.0.0.0/ 8",
        # refused since 1.36 (StrictIPCIDRValidation, beta and on by default)
        "10.0.0.1/24",
        "2001:db8::1/64",
        "010.0.0.0/8",
        "10.0.0.0/08",
        "::ffff:10.0.0.0/104",
    ],
    "ingress_host": [
        "1.2.3.4",
        "010.1.1.1",
        "*",
        "*.",
        "a.*.com",
        "**.example.com",
        "API.example.com",
        "example.com\n",
        "::1",
        "example.com:80",
    ],
    "ingress_path": [
        "api",
        "//",
        "/a//b",
        "/a/./b",
        "/a/../b",
        "/a%2fb",
        "/a%2Fb",
        "/a/.",
        "/a/..",
    ],
    "unix_id": [-1, 2**31],
    "http_header_name": ["", "X_Probe", "X Probe", "X:Probe", "X.Probe", "é", "X-Probe\n"],
    "route_hostname": ["", "API.example.com", "*", "a.*.com", "example.com.", "-a.com", "a_b.com"],
    "route_path": ["api", "//", "/a//b", "/a/./b", "/a/../b", "/a%2fb", "/a#b", "/a/..", "/a b"],
    "gateway_duration": ["", "10", "1.5s", "10 s", "1d", "123456s", "1h1m1s1ms1s"],
    "route_header_name": ["", "X Env", "X:Env", "a" * 257, "é"],
    "grpc_service": ["", "1shop.Cart", "shop..Cart", "shop/Cart"],
    "grpc_method": ["", "1Get", "Get.Cart", "Get-Cart"],
    "route_weight": [-1, 1_000_001],
}

STRICTER_THAN_SERVER: dict[str, list[Any]] = {
    # The WebService name is also its Service's name: a DNS-1035 label, which every
    # supported cluster accepts; only 1.36+ (RelaxedServiceNameValidation) takes "1a".
    "dns1035_label": ["1a", "0-api"],
    # Since 1.34 the server takes any printable ASCII but '=' as an env name; a name no
    # shell can expand as $NAME is nearly always a slip, so Moorage wants a C identifier.
    "env_var_name": ["1A", "A-B", "A.B", "a b", "my.env-name"],
    # A request path cannot hold a raw space or control character: such a rule never matches.
    "ingress_path": ["/a b", "/api\n", "/caf\u00e9"],
    # The Gateway API documents that IP addresses are not hostnames, but its pattern lets
    # them through; it does not bound a DNS label's length either.
    "route_hostname": ["1.2.3.4", "a" * 64 + ".example.com"],
}


def _cases(table: dict[str, list[Any]]) -> list[Any]:
    return [
        pytest.param(kind, value, id=f"{kind}-{value!r}"[:80])
        for kind, values in table.items()
        for value in values
    ]


@pytest.mark.parametrize(("kind", "value"), _cases(ACCEPTED))
def test_accepts_what_the_api_server_accepts(kind: str, value: Any) -> None:
    assert GRAMMARS[kind](value) is True


@pytest.mark.parametrize(("kind", "value"), _cases(REJECTED) + _cases(STRICTER_THAN_SERVER))
def test_rejects_what_the_api_server_rejects(kind: str, value: Any) -> None:
    assert GRAMMARS[kind](value) is False


def test_every_grammar_has_both_tables() -> None:
    assert set(ACCEPTED) == set(GRAMMARS) == set(REJECTED)


def test_a_trailing_newline_is_never_accepted() -> None:
    # The bug this module fixes: Python's '$' matches before a final newline.
    text_kinds = [k for k, v in ACCEPTED.items() if v and isinstance(v[0], str)]
    accepted = [k for k in text_kinds for v in ACCEPTED[k] if v and GRAMMARS[k](f"{v}\n")]
    assert accepted == []
