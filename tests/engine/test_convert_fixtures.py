"""The convert fixtures are real manifests: kube-apiserver accepts every object in them.

Each object of a fixture is created in a server-side dry run with strict field validation
(an unknown or misspelt field is refused, not dropped) in a namespace of its own, so the
round trips of ``moorage convert`` start from input a real cluster would take.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from kubernetes import client, config, dynamic
from kubernetes.client.exceptions import ApiException

from .harness import ROOT

pytestmark = pytest.mark.engine

FIXTURES = ROOT / "tests" / "fixtures" / "convert"


def fixture_objects(name: str) -> list[dict[str, Any]]:
    """The objects of one fixture file, each of which must name its kind."""
    documents = list(yaml.safe_load_all((FIXTURES / name).read_text()))
    objects = [document for document in documents if document is not None]
    assert objects and all(isinstance(o, dict) and o.get("kind") for o in objects), name
    return objects


class DryRun:
    """Strict server-side dry-run creates of arbitrary objects in one namespace."""

    def __init__(self, kubeconfig: str, namespace: str) -> None:
        self.api = config.new_client_from_config_dict(yaml.safe_load(kubeconfig))
        self.discovery = dynamic.DynamicClient(self.api)
        self.namespace = namespace

    def refusal(self, body: dict[str, Any]) -> str | None:
        """Why the server refuses to create ``body`` in the namespace; None if it accepts."""
        resource = self.discovery.resources.get(api_version=body["apiVersion"], kind=body["kind"])
        body = {**body, "metadata": {**body["metadata"], "namespace": self.namespace}}
        request = self.api.param_serialize(
            "POST",
            resource.path(namespace=self.namespace),
            query_params=[("dryRun", "All"), ("fieldValidation", "Strict")],
            header_params={"Content-Type": "application/json", "Accept": "application/json"},
            body=body,
            auth_settings=["BearerToken"],
        )
        try:
            response = self.api.call_api(*request)
            response.read()
            self.api.response_deserialize(response, {"201": "object", "200": "object"})
        except ApiException as error:
            return f"{error.status}: {json.loads(error.body or '{}').get('message', error.body)}"
        return None


@pytest.fixture
def dry_run(kwok_cluster: str) -> Iterator[DryRun]:
    """A dry-run client bound to a fresh namespace of the shared cluster."""
    namespace = f"convert-{uuid.uuid4().hex[:8]}"
    runner = DryRun(kwok_cluster, namespace)
    core = client.CoreV1Api(runner.api)
    core.create_namespace({"metadata": {"name": namespace}})
    try:
        yield runner
    finally:
        core.delete_namespace(namespace)


def refusals(dry_run: DryRun, fixture: str) -> dict[str, str]:
    objects = fixture_objects(fixture)
    return {
        f"{o['kind']}/{o['metadata']['name']}": reason
        for o in objects
        if (reason := dry_run.refusal(o)) is not None
    }


def test_the_server_accepts_the_grpc_shop(dry_run: DryRun) -> None:
    assert refusals(dry_run, "grpc-shop.yaml") == {}


def test_the_server_accepts_the_web_worker_redis_app(dry_run: DryRun) -> None:
    assert refusals(dry_run, "web-worker-redis.yaml") == {}


def test_the_server_accepts_the_secrets_and_envfrom_app(dry_run: DryRun) -> None:
    assert refusals(dry_run, "secrets-envfrom.yaml") == {}
