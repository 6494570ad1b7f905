"""The secrets checksum with the real engine: the Secret's resourceVersion, stable, and
rolling the pods exactly when a secret changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, config

from ..unit.webservice.test_secret_checksum import SECRET, guessed
from .harness import PROGRAMS, engine_stack

pytestmark = pytest.mark.engine

SERVICE_ONLY = PROGRAMS / "service_only"


def _config(kubeconfig: str, namespace: str, secret: str = SECRET) -> dict[str, Any]:
    return {
        "moorage:kubeconfig": kubeconfig,
        "moorage:name": "chk",
        "moorage:service": {
            "image": "registry.local/app:1.0.0",
            "replicas": 1,
            "namespace": namespace,
            "create_namespace": True,
        },
        "moorage:secretKeys": ["DB_PASSWORD"],
        "moorage:secrets": json.dumps({"DB_PASSWORD": secret}),
    }


def _checksum(kubeconfig: str, namespace: str) -> str:
    apps = client.AppsV1Api(config.new_client_from_config_dict(yaml.safe_load(kubeconfig)))
    deployment = apps.read_namespaced_deployment("chk", namespace)
    return str(deployment.spec.template.metadata.annotations["checksum/secrets"])


def _secret_version(kubeconfig: str, namespace: str) -> str:
    core = client.CoreV1Api(config.new_client_from_config_dict(yaml.safe_load(kubeconfig)))
    return str(core.read_namespaced_secret("chk-secrets", namespace).metadata.resource_version)


def test_checksum_is_the_secrets_version_stable_rolls_on_change_and_unguessable(
    env: dict[str, str], work_dir: Path, kwok_cluster: str
) -> None:
    secret_keys = ("moorage:kubeconfig", "moorage:secrets")
    with (
        engine_stack(work_dir / "a", env, SERVICE_ONLY) as first,
        engine_stack(work_dir / "b", env, SERVICE_ONLY) as second,
    ):
        first.set_config(_config(kwok_cluster, "chk-a"), secret_keys=secret_keys)
        second.set_config(_config(kwok_cluster, "chk-b"), secret_keys=secret_keys)
        first.up()
        second.up()
        checksum_a = _checksum(kwok_cluster, "chk-a")
        checksum_b = _checksum(kwok_cluster, "chk-b")

        # Same secret, same service name, two stacks: unrelated values, each the version
        # the API server gave that stack's Secret.
        assert checksum_a != checksum_b
        assert checksum_a == _secret_version(kwok_cluster, "chk-a")
        # Stable: nothing to do on the next update of the same stack.
        first.preview(expect_no_changes=True)
        first.up()
        assert _checksum(kwok_cluster, "chk-a") == checksum_a
        # Nothing an attacker can compute offline matches it.
        assert guessed(checksum_a) == []
        # No key resource, and the secret nowhere in plaintext at rest.
        state = json.loads(first.exported_state())
        assert not [r for r in state["deployment"]["resources"] if "ChecksumKey" in r["type"]]
        assert SECRET not in first.state_files()
        # A changed secret rolls the pods: a new version, and only the other stack keeps its.
        first.set_config(
            _config(kwok_cluster, "chk-a", secret="winter2025"), secret_keys=secret_keys
        )
        first.up()
        rolled = _checksum(kwok_cluster, "chk-a")
        assert rolled != checksum_a
        assert rolled == _secret_version(kwok_cluster, "chk-a")
        assert _checksum(kwok_cluster, "chk-b") == checksum_b
        assert "winter2025" not in first.state_files()
