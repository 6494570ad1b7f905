"""The secrets checksum with the real engine: keyed per stack, stable, secret in state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, config

from ..unit.webservice.test_secret_checksum import DICTIONARY, SECRET, _offline_guesses
from .harness import PROGRAMS, engine_stack

pytestmark = pytest.mark.engine

SERVICE_ONLY = PROGRAMS / "service_only"
SECRET_SIG = "4dabf18193072939515e22adb298388d"


def _config(kubeconfig: str, namespace: str) -> dict[str, Any]:
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
        "moorage:secrets": json.dumps({"DB_PASSWORD": SECRET}),
    }


def _checksum(kubeconfig: str, namespace: str) -> str:
    apps = client.AppsV1Api(config.new_client_from_config_dict(yaml.safe_load(kubeconfig)))
    deployment = apps.read_namespaced_deployment("chk", namespace)
    return str(deployment.spec.template.metadata.annotations["checksum/secrets"])


def test_checksum_is_stable_per_stack_different_between_stacks_and_unguessable(
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

        # Same secret, same service name, two stacks: unrelated values.
        assert checksum_a != checksum_b
        # Stable: nothing to do on the next update of the same stack.
        first.preview(expect_no_changes=True)
        first.up()
        assert _checksum(kwok_cluster, "chk-a") == checksum_a
        # Nothing an attacker can compute offline matches it.
        guesses = [g for g in DICTIONARY if any(checksum_a in h for h in _offline_guesses(g))]
        assert guesses == []
        # The key lives in state only as a secret.
        state = json.loads(first.exported_state())
        (key,) = [
            r for r in state["deployment"]["resources"] if r["type"].endswith("moorage:ChecksumKey")
        ]
        assert key["outputs"]["key"][SECRET_SIG] == "1b47061264138c4ac30d75fd1eb44270"
        assert SECRET not in first.state_files()
