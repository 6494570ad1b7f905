"""The Sock Shop example's stack file: all 14 services parse and validate, with no secret."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from moorage._stack_config import parse_stack_settings
from moorage.webservice import build_spec

STACK_FILE = Path(__file__).resolve().parents[2] / "examples" / "sockshop" / "Pulumi.sockshop.yaml"


def test_every_sock_shop_service_validates():
    config = yaml.safe_load(STACK_FILE.read_text())["config"]
    raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    settings = parse_stack_settings(raw)
    assert settings.application is not None
    services = settings.application.services
    assert len(services) == 14
    for name, args in services.items():
        spec = build_spec(name, args)  # type: ignore[arg-type]
        assert spec.identity.namespace == "sock-shop"
    assert "MYSQL_ROOT_PASSWORD" not in STACK_FILE.read_text().split("# tests/engine")[1]
