"""The quantity grammar WebService validates with is the real API server's.

Each spelling is sent to kube-apiserver in a server-side dry-run ResourceQuota:
validation must agree with the server on all of them (the few spellings it refuses
on purpose though the server tolerates them are covered by the unit tests).
"""

from __future__ import annotations

import uuid

import pytest
import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from moorage._quantity import parse_quantity

from ..unit.test_quantity import ACCEPTED, REJECTED

pytestmark = pytest.mark.engine


def _server_accepts(api: client.CoreV1Api, quantity: str) -> bool:
    body = {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": f"q-{uuid.uuid4().hex[:8]}"},
        "spec": {"hard": {"requests.cpu": quantity}},
    }
    try:
        api.create_namespaced_resource_quota("default", body, dry_run="All")
    except ApiException as error:
        if error.status in (400, 422):
            return False
        raise
    return True


def _parser_accepts(quantity: str) -> bool:
    try:
        parse_quantity(quantity)
    except ValueError:
        return False
    return True


def test_parser_and_api_server_agree_on_every_spelling(kwok_cluster: str) -> None:
    api = client.CoreV1Api(config.new_client_from_config_dict(yaml.safe_load(kwok_cluster)))
    # Negative amounts are valid quantities but a ResourceQuota refuses them.
    spellings = [q for q in [*ACCEPTED, *REJECTED] if not q.startswith("-")]
    disagreements = {
        q: {"server": server, "moorage": mine}
        for q in spellings
        if (server := _server_accepts(api, q)) != (mine := _parser_accepts(q))
    }
    assert disagreements == {}
